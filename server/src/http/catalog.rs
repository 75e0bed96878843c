//! Handlers of health, the session, the tool catalogue and the twin.

use axum::extract::Path;
use axum::{Extension, Json};
use cristallo_core::ToolInfo;
use serde_json::Value;

use axum::extract::State;

use super::Shared;
use crate::access::Caller;
use crate::app::session;
use crate::ApiError;

pub(super) async fn health() -> Json<Value> {
    Json(session::health())
}

/// "Who am I?" is answered for everyone: signed out is a valid answer, not an error.
pub(super) async fn session(State(p): Shared, caller: Option<Extension<Caller>>) -> Json<Value> {
    Json(session::session(&p, caller.as_ref().map(|c| &c.0)))
}

pub(super) async fn list_tools() -> Json<Vec<ToolInfo>> {
    Json(session::tools())
}

pub(super) async fn tool_info(Path(id): Path<String>) -> Result<Json<ToolInfo>, ApiError> {
    session::tool(&id).map(Json)
}

/// `GET /api/twin`: the twin's description (`data/twin.json`, built into the binary).
pub(super) async fn twin() -> Json<Value> {
    Json(session::twin())
}
