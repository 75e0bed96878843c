//! The one error type of the HTTP edge. Every failure becomes the JSON body
//! `{"error": "...", "field": "..." | null}` with a status that says whose fault it is.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cristallo_core::{ErrorBody, ToolError};
use thiserror::Error;

/// Why an API request failed.
#[derive(Debug, Error)]
pub enum ApiError {
    /// The tool rejected the run (bad parameter, unknown tool, failed computation …).
    #[error(transparent)]
    Tool(#[from] ToolError),
    /// The request body is not the JSON object the endpoint expects.
    #[error("params: invalid JSON request body: {reason}")]
    BadBody { reason: String },
    /// The request body is larger than the configured limit.
    #[error("request body larger than {limit_bytes} bytes")]
    BodyTooLarge { limit_bytes: usize },
    /// No API route matches.
    #[error("no API endpoint {path}")]
    NoRoute { path: String },
    /// The run took longer than the server allows; it was cancelled.
    #[error("the run took longer than {seconds} s and was cancelled")]
    Timeout { seconds: u64 },
    /// A bug or an exhausted resource on the server side.
    #[error("internal error: {reason}")]
    Internal { reason: String },
}

impl ApiError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Tool(ToolError::InvalidParam { .. }) => StatusCode::BAD_REQUEST,
            ApiError::Tool(ToolError::UnknownTool { .. }) => StatusCode::NOT_FOUND,
            ApiError::Tool(ToolError::ComputationFailed { .. }) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Tool(ToolError::Cancelled) => StatusCode::CONFLICT,
            ApiError::Tool(ToolError::NonFinite { .. }) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::BadBody { .. } => StatusCode::BAD_REQUEST,
            ApiError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NoRoute { .. } => StatusCode::NOT_FOUND,
            ApiError::Timeout { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The JSON body of this error.
    pub fn body(&self) -> ErrorBody {
        match self {
            ApiError::Tool(e) => ErrorBody::from(e),
            ApiError::BadBody { .. } => ErrorBody {
                error: self.to_string(),
                field: Some("params".into()),
            },
            other => ErrorBody::message(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), Json(self.body())).into_response()
    }
}
