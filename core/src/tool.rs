//! The tool traits: [`Tool`], what every edge (CLI, HTTP, desktop) calls, and [`TypedTool`],
//! what a tool implements. The list of tools lives in [`crate::registry`].
//!
//! A tool states its metadata once ([`ToolMeta`]), its schema ([`TypedTool::param_specs`]), how
//! its parameters are read ([`TypedTool::parse`]: the schema fills in defaults and checks each
//! value, serde builds the typed struct, the tool adds the rules that involve several fields)
//! and its calculation ([`TypedTool::run`]). The blanket `impl<T: TypedTool> Tool for T` does the
//! rest. Optional hooks describe downloadable artifacts (the fea deck) and files a run keeps
//! (model-update's measured files), so generic layers never test tool ids.

use serde::Serialize;
use serde_json::Value;

use crate::{schema::ParamSpec, Cancel, Progress, ResultSize, ToolError, ToolResult};

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

/// The fixed description of a tool, stated once as [`TypedTool::META`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolMeta {
    /// Stable id (`vibration-control`), used in URLs and the CLI.
    pub id: &'static str,
    pub title: &'static str,
    pub category: Category,
    /// One or two sentences for the home page.
    pub description: &'static str,
    /// Whether a run is expensive enough to queue separately and to need more than read-only
    /// guest rights (FEA).
    pub heavy: bool,
}

/// A file a tool can produce from its parameters without a run (the fea solver deck).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ArtifactInfo {
    /// Stable name, used in URLs and the CLI (`deck`).
    pub name: &'static str,
    /// Button or menu label.
    pub title: &'static str,
    /// Suggested file name of the download.
    pub file_name: &'static str,
    /// MIME type of the bytes.
    pub media_type: &'static str,
}

/// One produced artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub file_name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A file a run read and the platform keeps by its SHA-256, so a later view (a profile saved
/// from the result) can show the data again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptFile {
    pub sha256: String,
    pub name: String,
    pub text: String,
}

/// The error for an artifact name the tool does not declare.
pub fn unknown_artifact(tool_id: &str, name: &str) -> ToolError {
    ToolError::invalid(
        "artifact",
        format!("tool '{tool_id}' has no artifact '{name}'"),
    )
}

/// What [`TypedTool::parse`] returns: the typed parameters and the echo.
pub type Parsed<P> = Result<(P, Value), ToolError>;

/// What a run returns.
pub type RunResult = Result<ToolResult, ToolError>;

/// One tool of the twin as the edges see it: a calculation with a parameter schema. Implement
/// [`TypedTool`] instead; this trait is object safe so the registry can list tools.
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
    fn is_heavy(&self) -> bool;
    /// Reads the raw parameters as a run would (schema, serde, the tool's own rules) without
    /// running anything; returns the echo.
    fn check(&self, params: &Value) -> Result<Value, ToolError>;
    /// Reads the raw parameters as a run would and declares the size of the result
    /// ([`TypedTool::result_values`]) without running anything.
    fn result_size(&self, params: &Value) -> Result<ResultSize, ToolError>;
    /// Runs the tool. `params` is the raw JSON object from the caller.
    fn run(
        &self,
        params: &Value,
        progress: &Progress,
        cancel: &Cancel,
    ) -> Result<ToolResult, ToolError>;
    /// The artifacts [`Tool::artifact`] can produce.
    fn artifacts(&self) -> &'static [ArtifactInfo];
    /// Produces artifact `name` from the raw parameters (validated like a run).
    fn artifact(&self, name: &str, params: &Value) -> Result<Artifact, ToolError>;
    /// The files a finished run read that the platform should keep.
    fn kept_files(&self, result: &ToolResult) -> Vec<KeptFile>;
}

/// What a tool implements: metadata, schema, one parse step and the calculation.
pub trait TypedTool: Send + Sync {
    /// Id, title, category, description and weight, stated once.
    const META: ToolMeta;
    /// The checked parameters [`Self::run`] takes.
    type Params;
    /// The schema: defaults, ranges, units, descriptions (forms and validation).
    fn param_specs() -> Vec<ParamSpec>;
    /// Reads the caller's JSON once into the typed parameters and the echo (defaults filled
    /// in). Tools write it with [`crate::schema::parse_checked`]: the schema, then serde, then
    /// the rules the schema cannot express (several fields at once). Tools that read files
    /// (crossval, model-update) may report progress and check `cancel` here.
    fn parse(raw: &Value, progress: &Progress, cancel: &Cancel) -> Parsed<Self::Params>;
    /// The calculation; `echo` becomes the result's `params`.
    fn run(params: Self::Params, echo: Value, progress: &Progress, cancel: &Cancel) -> RunResult;
    /// The number of f64 values the result of [`Self::run`] will hold (an upper bound within a
    /// small factor: series x and y, table cells, scalars) and the parameter that drives it,
    /// declared before running so the platform can refuse a result over its cap.
    fn result_values(params: &Self::Params) -> ResultSize;
    /// The artifacts [`Self::artifact`] can produce (default none).
    const ARTIFACTS: &'static [ArtifactInfo] = &[];
    /// Produces one of [`Self::ARTIFACTS`] from the raw parameters.
    fn artifact(name: &str, _params: &Value) -> Result<Artifact, ToolError> {
        Err(unknown_artifact(Self::META.id, name))
    }
    /// The files of a finished run the platform should keep (default none).
    fn kept_files(_result: &ToolResult) -> Vec<KeptFile> {
        Vec::new()
    }
}

impl<T: TypedTool> Tool for T {
    fn id(&self) -> &'static str {
        T::META.id
    }
    fn title(&self) -> &'static str {
        T::META.title
    }
    fn category(&self) -> Category {
        T::META.category
    }
    fn description(&self) -> &'static str {
        T::META.description
    }
    fn params(&self) -> Vec<ParamSpec> {
        T::param_specs()
    }
    fn is_heavy(&self) -> bool {
        T::META.heavy
    }
    fn check(&self, params: &Value) -> Result<Value, ToolError> {
        T::parse(params, &Progress::none(), &Cancel::new()).map(|(_, echo)| echo)
    }
    fn result_size(&self, params: &Value) -> Result<ResultSize, ToolError> {
        T::parse(params, &Progress::none(), &Cancel::new()).map(|(p, _)| T::result_values(&p))
    }
    fn run(
        &self,
        params: &Value,
        progress: &Progress,
        cancel: &Cancel,
    ) -> Result<ToolResult, ToolError> {
        let (typed, echo) = T::parse(params, progress, cancel)?;
        T::run(typed, echo, progress, cancel)
    }
    fn artifacts(&self) -> &'static [ArtifactInfo] {
        T::ARTIFACTS
    }
    fn artifact(&self, name: &str, params: &Value) -> Result<Artifact, ToolError> {
        T::artifact(name, params)
    }
    fn kept_files(&self, result: &ToolResult) -> Vec<KeptFile> {
        T::kept_files(result)
    }
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
    /// The tool's downloadable artifacts; omitted from JSON when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<ArtifactInfo>,
}

impl ToolInfo {
    /// The listing of one tool.
    pub fn of(t: &dyn Tool) -> Self {
        Self {
            id: t.id(),
            title: t.title(),
            category: t.category(),
            category_title: t.category().title(),
            description: t.description(),
            params: t.params(),
            artifacts: t.artifacts().to_vec(),
        }
    }
}
