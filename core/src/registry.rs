//! The registry: the one place that names every tool. Adding a tool means one line in
//! [`TOOLS`]; the CLI, the HTTP API, the desktop shell and the UI discover it from here.

use serde_json::Value;

use crate::tool::{unknown_artifact, Artifact, KeptFile, Tool, ToolInfo};
use crate::{Cancel, Progress, ToolError, ToolResult};

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
    result.ensure_finite()?;
    Ok(result)
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
}
