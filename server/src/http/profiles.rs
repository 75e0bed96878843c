//! Handlers of saved model profiles.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use cristallo_core::ToolError;
use serde::Deserialize;
use serde_json::Value;

use super::body::UnreadBody;
use super::Shared;
use crate::access::Caller;
use crate::app::{blocking, profiles};
use crate::profiles::{Deleted, ImportOutcome, ImportRequest, ProfileSummary};
use crate::{ApiError, Platform};

pub(super) async fn list(State(p): Shared) -> Result<Json<Vec<ProfileSummary>>, ApiError> {
    profiles::list(&p).await.map(Json)
}

pub(super) async fn get(State(p): Shared, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    profiles::get(&p, id).await.map(Json)
}

/// `GET /api/profiles/{id}/export`: the document as a download.
pub(super) async fn export(State(p): Shared, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (doc, name) = profiles::export(&p, id).await?;
    let mut res = Json(doc).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// `POST /api/profiles`: 201 and the saved document.
pub(super) async fn save(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    body: UnreadBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let doc = body.json(&p).await?;
    let saved = profiles::save(&p, &caller, doc).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `POST /api/profiles/import` (an upload route): 201 and `{profile, warnings}`. A guest's
/// import holds a queue place from before its body is read; the file is parsed off the async
/// workers.
pub(super) async fn import(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    body: UnreadBody,
) -> Result<(StatusCode, Json<ImportOutcome>), ApiError> {
    Platform::require_modify(&caller, "import")?;
    let _place = p.queue.enter(&caller)?;
    let bytes = body.bytes(&p).await?;
    let request: ImportRequest = blocking(move || {
        serde_json::from_value(crate::parse_params(&bytes)?)
            .map_err(|e| ApiError::Tool(ToolError::invalid("text", e.to_string())))
    })
    .await?;
    let outcome = profiles::import(&p, &caller, request).await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameBody {
    name: String,
}

/// `PATCH /api/profiles/{id}` with `{name}`.
pub(super) async fn rename(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: UnreadBody,
) -> Result<Json<Value>, ApiError> {
    let value = body.json(&p).await?;
    let rename: RenameBody = serde_json::from_value(value)
        .map_err(|e| ApiError::Tool(ToolError::invalid("profile.name", e.to_string())))?;
    profiles::rename(&p, &caller, id, rename.name)
        .await
        .map(Json)
}

pub(super) async fn delete(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Deleted>, ApiError> {
    profiles::delete(&p, &caller, id).await.map(Json)
}

pub(super) async fn restore(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    profiles::restore(&p, &caller, id).await.map(Json)
}
