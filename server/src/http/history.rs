//! Handlers of the run history: list, export, read, delete; figures, the report, measured files.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use cristallo_core::ToolError;
use serde::Deserialize;
use serde_json::Value;

use super::Shared;
use crate::access::Caller;
use crate::app::history::{self, RunsQuery};
use crate::export::ExportFormat;
use crate::figures::Figure;
use crate::store::RunSummary;
use crate::ApiError;

/// `GET /api/runs[?tool=&limit=&before=]`; an unknown or malformed query key is a 400.
pub(super) async fn list_runs(
    State(p): Shared,
    query: Result<Query<RunsQuery>, QueryRejection>,
) -> Result<Json<Vec<RunSummary>>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::BadBody {
        reason: e.body_text(),
    })?;
    history::list(&p, q).await.map(Json)
}

/// `GET /api/runs/export`: every run summary as a JSON download.
pub(super) async fn export_runs(State(p): Shared) -> Result<Response, ApiError> {
    let runs = history::export(&p).await?;
    let mut res = Json(runs).into_response();
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"cristallo-history.json\""),
    );
    Ok(res)
}

/// The run id of a `/api/runs/{id}` path; anything but an integer is a 400 naming `id`.
fn run_id(path: Result<Path<i64>, PathRejection>) -> Result<i64, ApiError> {
    path.map(|Path(id)| id).map_err(|e| {
        ToolError::invalid(
            "id",
            format!("must be a run id (an integer): {}", e.body_text()),
        )
        .into()
    })
}

/// The query of `GET /api/runs/{id}`: `format=json` (the default), `arrow`, `parquet` or `csv`.
#[derive(Debug, Deserialize)]
pub(super) struct RunQuery {
    format: Option<String>,
}

/// `GET /api/runs/{id}[?format=json|arrow|parquet|csv]`: the summary with its result as JSON;
/// or the result alone as a download `<tool>-run-<id>.<format>`: the Arrow IPC stream as the
/// history stored it, a Parquet file of the same columns, or the UI's CSV.
pub(super) async fn get_run(
    State(p): Shared,
    path: Result<Path<i64>, PathRejection>,
    query: Result<Query<RunQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let id = run_id(path)?;
    let Query(q) = query.map_err(|e| ToolError::invalid("format", e.body_text()))?;
    let format = ExportFormat::parse(q.format.as_deref())?;
    if format == ExportFormat::Json {
        return Ok(Json(history::get(&p, id).await?).into_response());
    }
    let export = history::export_run(&p, id, format).await?;
    let disposition = format!("attachment; filename=\"{}\"", export.file_name);
    let mut res = (
        [
            (header::CONTENT_TYPE, export.media_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        export.bytes,
    )
        .into_response();
    res.headers_mut()
        .insert("x-cristallo-run-id", HeaderValue::from(id));
    Ok(res)
}

pub(super) async fn delete_run(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    path: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = run_id(path)?;
    history::delete(&p, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn run_figures(
    State(p): Shared,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Json<Vec<Figure>>, ApiError> {
    let id = run_id(path)?;
    history::figures(&p, id).await.map(Json)
}

/// `GET /api/runs/{id}/figures/{n}.png|svg`: figure `n` drawn on the server, as a download.
pub(super) async fn run_figure(
    State(p): Shared,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let (index, format) = history::parse_figure_file(&file)?;
    let bytes = history::figure(&p, id, index, format).await?;
    let name = history::figure_file_name(id, index, format);
    Ok((
        [
            (header::CONTENT_TYPE, format.mime().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/runs/{id}/report.html`: the printable report of a run.
pub(super) async fn run_report(
    State(p): Shared,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = run_id(path)?;
    let html = history::report(&p, id).await?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

/// `GET /api/sources/{sha256}`: a measured file of a model-update run, by the SHA-256 a
/// profile's origin names.
pub(super) async fn source_file(
    State(p): Shared,
    Path(sha256): Path<String>,
) -> Result<Json<Value>, ApiError> {
    history::source_file(&p, sha256).await.map(Json)
}
