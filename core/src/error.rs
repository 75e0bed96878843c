//! The one error type of the core. The edges (CLI, HTTP, Tauri) map it to exit codes and
//! status codes; its variants carry the data a user needs to fix the input.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a tool run did not produce a result.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ToolError {
    /// A parameter is missing its type, out of range or unknown. `field` is the dotted path
    /// of the offending key (`profile.masses_kg`), or `params` for the object itself.
    #[error("{field}: {message}")]
    InvalidParam { field: String, message: String },
    /// No tool has this id.
    #[error("unknown tool '{id}'")]
    UnknownTool { id: String },
    /// The inputs were valid but the computation could not produce a trustworthy result
    /// (e.g. a Riccati equation without a stabilising solution).
    #[error("{message}")]
    ComputationFailed { message: String },
    /// A value in the result is NaN or infinite, never shown. Inputs far outside what the model
    /// can compute cause it (a mass of 1e308 kg): [`crate::run`] names the parameter furthest
    /// from its default as `likely_field`.
    #[error("the result value '{name}' is not finite{}", likely_cause(likely_field.as_deref()))]
    NonFinite {
        name: String,
        likely_field: Option<String>,
    },
    /// The caller cancelled the run.
    #[error("the run was cancelled")]
    Cancelled,
    /// An external solver (CalculiX for `fea`) is missing (`code` = `solver_missing`), failed
    /// (`solver_failed`) or ran out of time (`solver_timeout`). Not a parameter error.
    #[error("{message}")]
    Solver { code: String, message: String },
}

impl ToolError {
    /// Shorthand for [`ToolError::InvalidParam`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ToolError::InvalidParam {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`ToolError::ComputationFailed`].
    pub fn failed(message: impl Into<String>) -> Self {
        ToolError::ComputationFailed {
            message: message.into(),
        }
    }

    /// The offending field, for validation errors (and the likely cause of a non-finite result).
    pub fn field(&self) -> Option<&str> {
        match self {
            ToolError::InvalidParam { field, .. } => Some(field),
            ToolError::NonFinite {
                likely_field: Some(field),
                ..
            } => Some(field),
            _ => None,
        }
    }

    /// The machine-readable code of a solver error (`solver_missing`, …).
    pub fn code(&self) -> Option<&str> {
        match self {
            ToolError::Solver { code, .. } => Some(code),
            _ => None,
        }
    }
}

fn likely_cause(field: Option<&str>) -> String {
    field.map_or_else(String::new, |f| {
        format!(": the inputs are outside what the model can compute; '{f}' is the likely cause")
    })
}

/// The one error shape every edge returns: `{"error": "...", "field": "..." | null}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub field: Option<String>,
    /// Code of a solver error (`solver_missing`, `solver_failed`, `solver_timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl From<&ToolError> for ErrorBody {
    fn from(e: &ToolError) -> Self {
        ErrorBody {
            error: e.to_string(),
            field: e.field().map(str::to_string),
            code: e.code().map(str::to_string),
        }
    }
}

impl ErrorBody {
    /// An error that is not about one parameter (malformed JSON, missing tool …).
    pub fn message(error: impl Into<String>) -> Self {
        ErrorBody {
            error: error.into(),
            field: None,
            code: None,
        }
    }
}
