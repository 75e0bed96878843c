//! Handlers of saved model profiles.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use cristallo_core::ToolError;
use serde::Deserialize;
use serde_json::Value;

use super::{read_body, Shared};
use crate::access::Caller;
use crate::app::profiles;
use crate::profiles::{Deleted, ImportOutcome, ImportRequest, ProfileSummary};
use crate::ApiError;

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
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let doc = read_body(&p, body)?;
    let saved = profiles::save(&p, &caller, doc).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `POST /api/profiles/import`: 201 and `{profile, warnings}`.
pub(super) async fn import(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ImportOutcome>), ApiError> {
    let value = read_body(&p, body)?;
    let request: ImportRequest = serde_json::from_value(value)
        .map_err(|e| ApiError::Tool(ToolError::invalid("text", e.to_string())))?;
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
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let value = read_body(&p, body)?;
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
