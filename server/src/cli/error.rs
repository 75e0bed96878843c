//! Why a `cristallo` command failed: the one stderr line it prints and its exit code.

use cristallo_core::ToolError;
use cristallo_server::store::StoreError;
use cristallo_server::ApiError;

/// A failed command. Its `Display` is the single line written to stderr; [`exit_code`] the
/// process's exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input the caller can fix before anything ran (an unreadable parameter file, a body
    /// that is not JSON); the message is final (already one line where it came from a
    /// multi-line error).
    #[error("{0}")]
    Input(String),
    /// Tool `tool` refused its parameters or its computation failed.
    #[error("{}", one_line(&.error.to_string()))]
    Tool { tool: String, error: ToolError },
    /// The platform refused a request (profiles, `profile_id` resolution).
    #[error("{}", one_line(&.0.to_string()))]
    Api(#[from] ApiError),
    /// The database could not be opened.
    #[error("error: {0}")]
    Store(#[from] StoreError),
    /// The result could not be written out (a closed stdout, an unwritable file).
    #[error("{0}")]
    Output(String),
    /// Anything else (serve, discover, demo recordings), with its causes.
    #[error("error: {0:#}")]
    Failed(#[from] anyhow::Error),
}

/// The exit code of `error`: 2 for what the caller can fix (invalid parameters, unknown tool,
/// profile, or id, a taken name), 1 for a failed computation or anything else; for an external
/// solver (docs/fea.md §5) 3 when it is missing and 4 when it failed, timed out or was cancelled.
pub fn exit_code(error: &Error) -> u8 {
    match error {
        Error::Input(_) => 2,
        Error::Tool { tool, error } => match error {
            ToolError::InvalidParam { .. } | ToolError::UnknownTool { .. } => 2,
            ToolError::Solver { code, .. } if code == "solver_missing" => 3,
            ToolError::Solver { .. } => 4,
            ToolError::Cancelled if tool == "fea" => 4,
            _ => 1,
        },
        Error::Api(e) => match e.status().as_u16() {
            400 | 404 | 409 | 410 => 2,
            _ => 1,
        },
        Error::Store(_) | Error::Output(_) | Error::Failed(_) => 1,
    }
}

/// `text` on one line: every run of whitespace (newlines included) becomes one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
