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
    /// A state-changing request whose body is not declared `application/json` (a cross-site form
    /// or a `text/plain` fetch could send one without a CORS preflight).
    #[error("content-type: send the body as application/json (got {found})")]
    UnsupportedMediaType { found: String },
    /// A request value other than a tool parameter is invalid (e.g. the `name` of a share link).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The request body did not arrive in time.
    #[error("the request body did not arrive within {seconds} s")]
    BodyTimeout { seconds: u64 },
    /// The request body is larger than the limit of its route (the small limit everywhere but
    /// the upload routes).
    #[error(
        "body: the request body is larger than {limit_bytes} bytes, the most this endpoint takes"
    )]
    BodyTooLarge { limit_bytes: usize },
    /// No API route matches.
    #[error("no API endpoint {path}")]
    NoRoute { path: String },
    /// The run took longer than the server allows; it was cancelled.
    #[error("the run took longer than {seconds} s and was cancelled")]
    Timeout { seconds: u64 },
    /// No credential, or an invalid or revoked one.
    #[error("sign in with the share link (or an Authorization: Bearer token)")]
    Unauthenticated,
    /// Too many failed token attempts from this address.
    #[error("too many failed attempts; try again in {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    /// A cap on live work is reached (guest sessions, queued jobs): try again later (429 with
    /// `Retry-After`, naming what is over its cap).
    #[error("{field}: {message}")]
    Busy {
        field: String,
        message: String,
        retry_after_s: u64,
    },
    /// The caller may not do this.
    #[error("forbidden: {reason}")]
    Forbidden { reason: String },
    /// The thing asked for does not exist.
    #[error("no such {what}")]
    NotFound { what: String },
    /// A parameter the caller may not give (e.g. a server-side file path from a LAN guest).
    #[error("{field}: {reason}")]
    ForbiddenParam { field: String, reason: String },
    /// The request clashes with what is stored (e.g. a profile name already taken).
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// The thing existed but can no longer be used (e.g. an undo window that has passed).
    #[error("{reason}")]
    Gone { reason: String },
    /// The history could not be read or written.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
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
            ApiError::Tool(ToolError::NonFinite { .. }) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Tool(ToolError::Solver { code, .. }) => match code.as_str() {
                "solver_missing" => StatusCode::SERVICE_UNAVAILABLE,
                "solver_timeout" => StatusCode::GATEWAY_TIMEOUT,
                _ => StatusCode::BAD_GATEWAY,
            },
            ApiError::BadBody { .. } => StatusCode::BAD_REQUEST,
            ApiError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid { .. } => StatusCode::BAD_REQUEST,
            ApiError::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::NoRoute { .. } => StatusCode::NOT_FOUND,
            ApiError::Timeout { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::ForbiddenParam { .. } => StatusCode::FORBIDDEN,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Gone { .. } => StatusCode::GONE,
            ApiError::Store(crate::store::StoreError::NoArrowForm(_)) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
                code: None,
            },
            ApiError::UnsupportedMediaType { .. } => ErrorBody {
                error: self.to_string(),
                field: Some("content-type".into()),
                code: None,
            },
            ApiError::BodyTooLarge { .. } => ErrorBody {
                error: self.to_string(),
                field: Some("body".into()),
                code: None,
            },
            ApiError::Busy { field, message, .. } => ErrorBody {
                error: message.clone(),
                field: Some(field.clone()),
                code: None,
            },
            ApiError::Invalid { field, message } => ErrorBody {
                error: message.clone(),
                field: Some(field.clone()),
                code: None,
            },
            ApiError::ForbiddenParam { field, reason } => ErrorBody {
                error: reason.clone(),
                field: Some(field.clone()),
                code: None,
            },
            ApiError::Conflict { field, message } => ErrorBody {
                error: message.clone(),
                field: Some(field.clone()),
                code: None,
            },
            ApiError::Store(crate::store::StoreError::NoArrowForm(_)) => ErrorBody {
                error: self.to_string(),
                field: Some("format".into()),
                code: None,
            },
            other => ErrorBody::message(other.to_string()),
        }
    }
}

impl From<crate::access::Denied> for ApiError {
    fn from(d: crate::access::Denied) -> Self {
        match d {
            crate::access::Denied::Unauthenticated => ApiError::Unauthenticated,
            crate::access::Denied::RateLimited { retry_after } => ApiError::RateLimited {
                retry_after_s: retry_after.as_secs().max(1),
            },
            crate::access::Denied::Forbidden(reason) => ApiError::Forbidden { reason },
            crate::access::Denied::BadName(message) => ApiError::Invalid {
                field: "name".into(),
                message,
            },
            crate::access::Denied::TooManySessions {
                message,
                retry_after,
            } => ApiError::Busy {
                field: "sessions".into(),
                message,
                retry_after_s: retry_after.as_secs().max(1),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status(), Json(self.body())).into_response();
        if let ApiError::RateLimited { retry_after_s } | ApiError::Busy { retry_after_s, .. } = self
        {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_s),
            );
        }
        res
    }
}
