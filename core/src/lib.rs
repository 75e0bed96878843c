//! Cristallo-RS core: the numerics of the 3-storey benchtop rig's digital twin and the
//! registry of tools that expose them.
//!
//! Every tool follows one flow: a JSON parameter object is checked against the tool's
//! [`schema::ParamSpec`] list (ranges, types, unknown keys, defaults filled in), turned into a typed
//! struct, run, and returned as a [`result::ToolResult`] with the shape of docs/platform.md §3.
//! Nothing here knows about HTTP, Tauri or threads beyond [`progress::Cancel`].

pub mod budget;
pub mod cbc;
pub mod control;
pub mod design;
pub mod error;
pub mod fea;
pub mod hostfile;
pub mod lumped;
pub mod measured;
pub mod modal;
pub mod numfmt;
pub mod profile_doc;
pub mod progress;
pub mod recordings;
pub mod registry;
pub mod result;
pub mod schema;
pub mod simulator;
pub mod tool;
pub mod uncertainty;

pub use budget::{value_count, ResultSize};
pub use error::{ErrorBody, ToolError};
pub use progress::{Cancel, Progress};
pub use registry::{artifact, catalogue, find, kept_files, result_size, run};
pub use result::{Scalar, Series, Table, ToolResult};
pub use schema::{ParamKind, ParamSpec};
pub use tool::{
    Artifact, ArtifactInfo, Category, KeptFile, Parsed, RunResult, Tool, ToolInfo, ToolMeta,
    TypedTool,
};
