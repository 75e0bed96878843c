//! Handlers of runs: run now, a tool's artifacts, background jobs (start, follow, cancel).

use std::convert::Infallible;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use cristallo_core::Progress;
use futures_util::stream::{Stream, StreamExt};
use serde_json::{json, Value};

use super::arrow_body::{accepts_arrow, arrow_response};
use super::{read_body, sse_event, Shared};
use crate::access::Caller;
use crate::app::{self, blocking, session::known_tool};
use crate::store::EncodedResult;
use crate::ApiError;

/// `POST /api/tools/{id}/run`: the result object, with its history id in `x-cristallo-run-id`;
/// the Arrow IPC stream instead when `Accept` asks for it (the bytes the history stored, not
/// encoded again; the JSON text is only made for a JSON answer). A request that goes away
/// cancels its run.
pub(super) async fn run_tool(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    known_tool(&id)?;
    let params = read_body(&p, body)?;
    let done = app::runs::run(&p, &caller, &id, params, None, Progress::none()).await?;
    if accepts_arrow(&headers) {
        return arrow_response(done.result, done.encoded, done.summary.id).await;
    }
    let json = match done.encoded {
        EncodedResult::Json(text) => text,
        EncodedResult::Arrow(_) => {
            let result = done.result;
            blocking(move || {
                serde_json::to_vec(&result).map_err(|e| ApiError::Internal {
                    reason: e.to_string(),
                })
            })
            .await?
        }
    };
    let mut res = ([(header::CONTENT_TYPE, "application/json")], json).into_response();
    res.headers_mut()
        .insert("x-cristallo-run-id", HeaderValue::from(done.summary.id));
    Ok(res)
}

/// `POST /api/tools/{id}/artifacts/{name}`: artifact `name` of the tool for the parameters, as
/// a download with its media type and file name (docs/fea.md §5 for fea's deck).
pub(super) async fn artifact(
    State(p): Shared,
    Path((id, name)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    known_tool(&id)?;
    let params = read_body(&p, body)?;
    let artifact = app::runs::artifact(id, name, params).await?;
    let disposition = format!("attachment; filename=\"{}\"", artifact.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, artifact.media_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        artifact.bytes,
    )
        .into_response())
}

/// `POST /api/tools/{id}/jobs`: 202 and `{job_id}`.
pub(super) async fn start_job(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    known_tool(&id)?;
    let params = read_body(&p, body)?;
    let job_id = app::jobs::start(&p, &caller, &id, params)?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "job_id": job_id }))))
}

/// `GET /api/jobs/{id}/events`: the job's events as server-sent events.
pub(super) async fn job_events(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let events = app::jobs::events(&p, &caller, &id)?;
    let events = events.map(|event| Ok(sse_event(event.name(), &event)));
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// `DELETE /api/jobs/{id}`: 202; the job ends as `cancelled`.
pub(super) async fn cancel_job(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    app::jobs::cancel(&p, &caller, &id)?;
    Ok(StatusCode::ACCEPTED)
}
