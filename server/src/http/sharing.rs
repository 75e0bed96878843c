//! Handlers of the host's settings, the share dialog and the live event stream.

use std::convert::Infallible;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::{Extension, Json};
use cristallo_core::ToolError;
use futures_util::stream::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::Value;

use super::body::UnreadBody;
use super::{sse_event, Shared};
use crate::access::{Caller, GuestAccess};
use crate::app::{live, settings, sharing};
use crate::{ApiError, Platform, ShareStatus};

/// `GET /api/settings` (host): the Settings page's data.
pub(super) async fn get_settings(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    settings::get(&p, &caller).await.map(Json)
}

/// `PUT /api/settings` (host): replace the stored settings; 400 names a bad field.
pub(super) async fn put_settings(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    body: UnreadBody,
) -> Result<Json<Value>, ApiError> {
    let value = body.json(&p).await?;
    settings::set(&p, &caller, value).await.map(Json)
}

/// `GET /api/events`: the caller's live stream as server-sent events.
pub(super) async fn events(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = live::events(&p, &caller).map(|event| Ok(sse_event(event.name(), &event)));
    Sse::new(events).keep_alive(KeepAlive::default())
}

pub(super) async fn share_status(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
) -> Result<Json<ShareStatus>, ApiError> {
    sharing::status(&p, &caller).map(Json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShareSettings {
    guest_access: GuestAccess,
}

/// `PUT /api/share/settings` with `{guest_access}` (host).
pub(super) async fn share_settings(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    body: UnreadBody,
) -> Result<Json<ShareStatus>, ApiError> {
    Platform::require_host(&caller)?;
    let value = body.json(&p).await?;
    let settings: ShareSettings = serde_json::from_value(value)
        .map_err(|e| ApiError::Tool(ToolError::invalid("guest_access", e.to_string())))?;
    sharing::set_guest_access(&p, &caller, settings.guest_access)
        .await
        .map(Json)
}

pub(super) async fn rotate_token(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
) -> Result<Json<ShareStatus>, ApiError> {
    sharing::rotate_token(&p, &caller).map(Json)
}

pub(super) async fn revoke_session(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    sharing::revoke_session(&p, &caller, &id)?;
    Ok(StatusCode::NO_CONTENT)
}
