//! The registry: the one place that names every tool. Adding a tool means one line in
//! [`TOOLS`]; the CLI, the HTTP API, the desktop shell and the UI discover it from here.

use serde_json::Value;

use crate::tool::{unknown_artifact, Artifact, KeptFile, Tool, ToolInfo};
use crate::{Cancel, ParamKind, ParamSpec, Progress, ToolError, ToolResult};

/// Every tool of the platform, in the order the home page lists them.
pub static TOOLS: &[&dyn Tool] = &[
    &crate::modal::ModalTool,
    &crate::simulator::SimulatorTool,
    &crate::recordings::RecordingsTool,
    &crate::control::VibrationControlTool,
    &crate::uncertainty::UncertaintyTool,
    &crate::design::DesignTool,
    &crate::cbc::CbcTool,
    &crate::fea::FeaTool,
    &crate::measured::ModelUpdateTool,
    &crate::measured::CrossvalTool,
];

/// The tool with this id.
pub fn find(id: &str) -> Option<&'static dyn Tool> {
    TOOLS.iter().copied().find(|t| t.id() == id)
}

fn find_or_err(id: &str) -> Result<&'static dyn Tool, ToolError> {
    find(id).ok_or_else(|| ToolError::UnknownTool { id: id.to_string() })
}

/// Ids, titles, categories, parameter schemas and artifacts of all tools.
pub fn catalogue() -> Vec<ToolInfo> {
    TOOLS.iter().map(|t| ToolInfo::of(*t)).collect()
}

/// Runs tool `id` and checks that its result holds only finite numbers.
pub fn run(
    id: &str,
    params: &Value,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ToolResult, ToolError> {
    let tool = find_or_err(id)?;
    cancel.check()?;
    let result = tool.run(params, progress, cancel)?;
    result.ensure_finite().map_err(|e| match e {
        ToolError::NonFinite { name, .. } => ToolError::NonFinite {
            name,
            likely_field: likely_field(&tool.params(), &result.params),
        },
        other => other,
    })?;
    Ok(result)
}

/// The declared size of tool `id`'s result for the raw parameters `params`, read as a run
/// would read them, without running (see [`crate::budget`]).
pub fn result_size(id: &str, params: &Value) -> Result<crate::ResultSize, ToolError> {
    find_or_err(id)?.result_size(params)
}

/// The numeric parameter of `echo` furthest from its default (in orders of magnitude): the
/// likely cause of a non-finite result. `None` when every number is within 10× of its default.
fn likely_field(specs: &[ParamSpec], echo: &Value) -> Option<String> {
    let orders = |v: f64, d: f64| -> f64 {
        let (v, d) = (v.abs(), d.abs());
        if v == d {
            0.0
        } else if v == 0.0 || d == 0.0 {
            v.max(d).max(1.0).log10() + 1.0
        } else {
            (v / d).log10().abs()
        }
    };
    let mut best: Option<(f64, &str)> = None;
    for spec in specs {
        if !matches!(
            spec.kind,
            ParamKind::Number { .. } | ParamKind::Integer { .. } | ParamKind::NumberList { .. }
        ) {
            continue;
        }
        let value = spec.key.split('.').try_fold(echo, |v, k| v.get(k));
        let numbers = |v: Option<&Value>| -> Vec<f64> {
            match v {
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_f64).collect(),
                Some(v) => v.as_f64().into_iter().collect(),
                None => Vec::new(),
            }
        };
        let (given, default) = (numbers(value), numbers(Some(&spec.default)));
        let score = given
            .iter()
            .enumerate()
            .map(|(i, v)| {
                orders(
                    *v,
                    default.get(i).or(default.first()).copied().unwrap_or(1.0),
                )
            })
            .fold(0.0, f64::max);
        if score > 1.0 && !matches!(best, Some((b, _)) if b >= score) {
            best = Some((score, &spec.key));
        }
    }
    best.map(|(_, key)| key.to_string())
}

/// Artifact `name` of tool `tool_id` for the raw parameters `params`.
pub fn artifact(tool_id: &str, name: &str, params: &Value) -> Result<Artifact, ToolError> {
    let tool = find_or_err(tool_id)?;
    if !tool.artifacts().iter().any(|a| a.name == name) {
        return Err(unknown_artifact(tool_id, name));
    }
    tool.artifact(name, params)
}

/// The files the platform should keep for a finished run (none for an unknown tool).
pub fn kept_files(result: &ToolResult) -> Vec<KeptFile> {
    find(&result.tool).map_or_else(Vec::new, |t| t.kept_files(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_schemas_have_valid_defaults() {
        let cat = catalogue();
        for (i, t) in cat.iter().enumerate() {
            assert!(
                cat[..i].iter().all(|u| u.id != t.id),
                "duplicate id {}",
                t.id
            );
            // The defaults of every schema must pass the schema's own checks.
            crate::schema::validate(&t.params, &Value::Null)
                .unwrap_or_else(|e| panic!("{}: default rejected: {e}", t.id));
        }
    }

    #[test]
    fn unknown_tool_is_reported() {
        let e = run("nope", &Value::Null, &Progress::none(), &Cancel::new()).unwrap_err();
        assert_eq!(e, ToolError::UnknownTool { id: "nope".into() });
        let e = artifact("nope", "deck", &Value::Null).unwrap_err();
        assert_eq!(e, ToolError::UnknownTool { id: "nope".into() });
    }

    #[test]
    fn only_tools_with_artifacts_list_them_in_the_catalogue() {
        for t in catalogue() {
            let json = serde_json::to_value(&t).unwrap();
            assert_eq!(json.get("artifacts").is_some(), !t.artifacts.is_empty());
        }
    }

    #[test]
    fn a_non_finite_result_names_the_likely_parameter() {
        let params = serde_json::json!({"mass_kg": [1e308, 5.2, 5.2]});
        let e = run("uncertainty", &params, &Progress::none(), &Cancel::new()).unwrap_err();
        assert!(matches!(e, ToolError::NonFinite { .. }), "{e}");
        assert_eq!(e.field(), Some("mass_kg"), "{e}");
        assert!(e.to_string().len() < 200, "{e}");
    }
}
