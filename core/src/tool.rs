//! The tool trait and the registry. Adding a tool means implementing [`Tool`] and listing it
//! in [`TOOLS`]; the CLI, the HTTP API, the desktop shell and the UI discover it from here.

use serde::Serialize;
use serde_json::Value;

use crate::{schema::ParamSpec, Cancel, Progress, ToolError, ToolResult};

/// The original app's tool categories, in the order the home page shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    SelfContainedSimulation,
    RecordedData,
    ThirdPartyTool,
}

impl Category {
    /// Human title of the category.
    pub fn title(self) -> &'static str {
        match self {
            Category::SelfContainedSimulation => "Self-contained simulation",
            Category::RecordedData => "File I/O on recorded data",
            Category::ThirdPartyTool => "Third-party tool",
        }
    }
}

/// One tool of the twin: a calculation with a parameter schema.
pub trait Tool: Send + Sync {
    /// Stable id (`vibration-control`), used in URLs and the CLI.
    fn id(&self) -> &'static str;
    fn title(&self) -> &'static str;
    fn category(&self) -> Category;
    /// One or two sentences for the home page.
    fn description(&self) -> &'static str;
    /// The parameters with defaults, ranges and units.
    fn params(&self) -> Vec<ParamSpec>;
    /// Whether a run is expensive enough to queue separately and to need more than
    /// read-only guest rights (FEA).
    fn is_heavy(&self) -> bool {
        false
    }
    /// Runs the tool. `params` is the raw JSON object from the caller.
    fn run(
        &self,
        params: &Value,
        progress: &Progress,
        cancel: &Cancel,
    ) -> Result<ToolResult, ToolError>;
}

/// What the UI needs to list a tool and build its form.
#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub category: Category,
    pub category_title: &'static str,
    pub description: &'static str,
    pub params: Vec<ParamSpec>,
}

/// Every tool of the platform.
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

/// Ids, titles, categories and parameter schemas of all tools.
pub fn catalogue() -> Vec<ToolInfo> {
    TOOLS
        .iter()
        .map(|t| ToolInfo {
            id: t.id(),
            title: t.title(),
            category: t.category(),
            category_title: t.category().title(),
            description: t.description(),
            params: t.params(),
        })
        .collect()
}

/// Runs tool `id` and checks that its result holds only finite numbers.
pub fn run(
    id: &str,
    params: &Value,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ToolResult, ToolError> {
    let tool = find(id).ok_or_else(|| ToolError::UnknownTool { id: id.to_string() })?;
    cancel.check()?;
    let result = tool.run(params, progress, cancel)?;
    result.ensure_finite()?;
    Ok(result)
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
    }
}
