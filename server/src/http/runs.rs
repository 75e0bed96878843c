//! Handlers of runs: run now, a tool's artifacts, background jobs (start, follow, cancel). The
//! first three are upload routes: a guest takes its queue place before the body is read, and the
//! body is parsed off the async workers (a run's once it holds its slot).

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use cristallo_core::Progress;
use futures_util::stream::{Stream, StreamExt};
use serde_json::{json, Value};

use super::arrow_body::{accepts_arrow, arrow_response};
use super::body::UnreadBody;
use super::{sse_event, Shared};
use crate::access::Caller;
use crate::app::{self, blocking, session::known_tool};
use crate::jobs::Params;
use crate::store::EncodedResult;
use crate::ApiError;
use crate::Platform;

/// `POST /api/tools/{id}/run`: the result object, with its history id in `x-cristallo-run-id`;
/// the Arrow IPC stream instead when `Accept` asks for it (the bytes the history stored, not
/// encoded again; the JSON text is only made for a JSON answer). A request that goes away
/// cancels its run.
pub(super) async fn run_tool(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: UnreadBody,
) -> Result<Response, ApiError> {
    let params = admit(&p, &caller, &id, body).await?;
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
    Extension(caller): Extension<Caller>,
    Path((id, name)): Path<(String, String)>,
    body: UnreadBody,
) -> Result<Response, ApiError> {
    let params = admit(&p, &caller, &id, body).await?;
    let (params, _place) = blocking(move || params.parse()).await?;
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
    body: UnreadBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let params = admit(&p, &caller, &id, body).await?;
    let job_id = app::jobs::start(&p, &caller, &id, params)?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "job_id": job_id }))))
}

/// Admits a body for tool `id`: the tool exists, a guest takes its queue place (429 over a
/// bound), then the body is read, not parsed.
async fn admit(
    p: &Arc<Platform>,
    caller: &Caller,
    id: &str,
    body: UnreadBody,
) -> Result<Params, ApiError> {
    known_tool(id)?;
    let place = p.queue.enter(caller)?;
    let bytes = body.bytes(p).await?;
    Ok(Params::Body { bytes, place })
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
