//! The binary (Apache Arrow IPC) form of a result on the HTTP edge: `Accept` negotiation for
//! `POST /api/tools/{id}/run` and the response (the `format` query of `GET /api/runs/{id}` is
//! [`crate::export::ExportFormat`]).

use axum::http::header::{self, HeaderMap};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use cristallo_core::result::arrow::{to_arrow_ipc, ARROW_STREAM_MEDIA_TYPE};
use cristallo_core::ToolResult;

use crate::app::blocking;
use crate::store::EncodedResult;
use crate::ApiError;

/// Whether the request's `Accept` header lists the Arrow stream media type (among others or
/// alone, with any parameters except `q=0`, which refuses it).
pub(super) fn accepts_arrow(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let media_type = parts.next().unwrap_or_default();
            media_type.eq_ignore_ascii_case(ARROW_STREAM_MEDIA_TYPE)
                && !parts.any(|p| {
                    p.strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f64>().ok())
                        .is_some_and(|q| q == 0.0)
                })
        })
}

/// The run's result as an Arrow IPC stream, with the Arrow media type and the run's history id
/// in `x-cristallo-run-id`: the bytes the history stored, or (for a result kept as JSON, which
/// has no Arrow form) the encoding error.
pub(super) async fn arrow_response(
    result: ToolResult,
    encoded: EncodedResult,
    run_id: i64,
) -> Result<Response, ApiError> {
    let bytes = match encoded {
        EncodedResult::Arrow(bytes) => bytes,
        EncodedResult::Json(_) => {
            blocking(move || to_arrow_ipc(&result).map_err(ApiError::from)).await?
        }
    };
    let mut res = ([(header::CONTENT_TYPE, ARROW_STREAM_MEDIA_TYPE)], bytes).into_response();
    res.headers_mut()
        .insert("x-cristallo-run-id", HeaderValue::from(run_id));
    Ok(res)
}
