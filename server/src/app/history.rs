//! The run history: list, read, export (JSON, Arrow, Parquet, CSV) and delete runs; the figures and the printable report
//! drawn from a stored run; the measured files model-update runs keep.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use crate::access::Caller;
use crate::app::blocking;
use crate::export::{Export, ExportFormat};
use crate::figures::{Figure, Format};
use crate::store::{RunRecord, RunSummary};
use crate::{ApiError, Platform};

/// Runs listed when no limit is given.
pub const DEFAULT_LIMIT: usize = 100;
/// Most runs listed at once.
pub const MAX_LIMIT: usize = 1000;

/// Which runs to list: only tool `tool` if given, at most `limit` (clamped to 1 to
/// [`MAX_LIMIT`]), older than run id `before` if given.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunsQuery {
    pub tool: Option<String>,
    pub limit: Option<usize>,
    pub before: Option<i64>,
}

/// Run summaries, newest first.
pub async fn list(p: &Arc<Platform>, q: RunsQuery) -> Result<Vec<RunSummary>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let p = p.clone();
    blocking(move || Ok(p.store.list_runs(q.tool.as_deref(), limit, q.before)?)).await
}

/// Every run summary, newest first (the history export).
pub async fn export(p: &Arc<Platform>) -> Result<Vec<RunSummary>, ApiError> {
    let p = p.clone();
    blocking(move || Ok(p.store.list_runs(None, usize::MAX >> 1, None)?)).await
}

/// A stored run with its full result.
pub async fn get(p: &Arc<Platform>, id: i64) -> Result<RunRecord, ApiError> {
    let p = p.clone();
    blocking(move || {
        p.store.get_run(id)?.ok_or_else(|| ApiError::NotFound {
            what: format!("run {id}"),
        })
    })
    .await
}

/// Stored run `id` exported as `format` (Arrow, Parquet, CSV or the JSON record), with its
/// media type and download name.
pub async fn export_run(
    p: &Arc<Platform>,
    id: i64,
    format: ExportFormat,
) -> Result<Export, ApiError> {
    let p = p.clone();
    blocking(move || p.run_export(id, format)).await
}

/// Deletes a run (host, or guests with full access); announced as `run_deleted`.
pub async fn delete(p: &Arc<Platform>, caller: &Caller, id: i64) -> Result<(), ApiError> {
    let (p, caller) = (p.clone(), caller.clone());
    blocking(move || p.delete_run(&caller, id)).await
}

/// The figures the server draws for run `id`.
pub async fn figures(p: &Arc<Platform>, id: i64) -> Result<Vec<Figure>, ApiError> {
    let p = p.clone();
    blocking(move || p.run_figures(id)).await
}

/// Figure `index` of run `id` as PNG or SVG bytes.
pub async fn figure(
    p: &Arc<Platform>,
    id: i64,
    index: usize,
    format: Format,
) -> Result<Vec<u8>, ApiError> {
    let p = p.clone();
    blocking(move || p.run_figure(id, index, format)).await
}

/// The index and format of a figure file name `N.png` or `N.svg`.
pub fn parse_figure_file(file: &str) -> Result<(usize, Format), ApiError> {
    let not_found = || ApiError::NotFound {
        what: format!("figure file {file} (expected N.png or N.svg)"),
    };
    let (stem, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let format = Format::parse(ext).ok_or_else(not_found)?;
    let index: usize = stem.parse().map_err(|_| not_found())?;
    Ok((index, format))
}

/// The download name of figure `index` of run `id`.
pub fn figure_file_name(id: i64, index: usize, format: Format) -> String {
    format!("run-{id}-figure-{index}.{}", format.extension())
}

/// The printable one-page HTML report of run `id`.
pub async fn report(p: &Arc<Platform>, id: i64) -> Result<String, ApiError> {
    let p = p.clone();
    blocking(move || p.run_report(id)).await
}

/// A measured file kept by a model-update run, by its SHA-256: `{sha256, name, csv_text}`.
pub async fn source_file(p: &Arc<Platform>, sha256: String) -> Result<Value, ApiError> {
    let p = p.clone();
    blocking(move || p.source_file(&sha256)).await
}
