//! The run history: listing, reading and deleting runs, and a run's figures and report.

use cristallo_server::access::Caller;
use cristallo_server::figures::{Figure, Format};
use cristallo_server::store::{RunRecord, RunSummary};
use cristallo_server::{ApiError, Platform};
use tauri::ipc::{InvokeResponseBody, Response};

use super::frame::result_frame;
use super::{blocking, invalid, Answer, Shared};

/// Run summaries, newest first: only tool `tool` if given, at most `limit` (default 100,
/// 1 to 1000 as for `GET /api/runs`), older than run id `before` if given.
#[tauri::command]
pub async fn list_runs(
    platform: Shared<'_>,
    tool: Option<String>,
    limit: Option<i64>,
    before: Option<i64>,
) -> Answer<Vec<RunSummary>> {
    let limit = limit.unwrap_or(100).clamp(1, 1000) as usize;
    let p = platform.inner().clone();
    blocking(move || Ok(p.store.list_runs(tool.as_deref(), limit, before)?)).await
}

/// A stored run with its full result, as `GET /api/runs/{id}[?format=]`: `format` absent or
/// `"json"`, the JSON `{…summary, result}`; `"arrow"`, raw bytes (an ArrayBuffer in JavaScript)
/// framed as in [`super::frame`], the run's summary as the header and its result's Arrow IPC
/// stream. Unknown id: `{error: "no such run …"}`; another format: an error naming `format`.
#[tauri::command]
pub async fn get_run(platform: Shared<'_>, id: i64, format: Option<String>) -> Answer<Response> {
    let arrow = match format.as_deref() {
        None | Some("json") => false,
        Some("arrow") => true,
        Some(other) => {
            return Err(invalid(
                "format",
                format!("must be \"json\" or \"arrow\", not \"{other}\""),
            ))
        }
    };
    let p = platform.inner().clone();
    blocking(move || {
        if arrow {
            let stored = p.stored_run(id)?;
            let stream = stored.result.into_arrow()?;
            return result_frame(&stored.summary, &stream).map(Response::new);
        }
        let record = stored_run(&p, id)?;
        let text = serde_json::to_string(&record).map_err(|e| ApiError::Internal {
            reason: format!("run {id} as JSON: {e}"),
        })?;
        Ok(Response::new(InvokeResponseBody::Json(text)))
    })
    .await
}

fn stored_run(p: &Platform, id: i64) -> Result<RunRecord, ApiError> {
    p.store.get_run(id)?.ok_or_else(|| ApiError::NotFound {
        what: format!("run {id}"),
    })
}

/// Deletes a run from the history (announced as `run_deleted`).
#[tauri::command]
pub async fn delete_run(platform: Shared<'_>, id: i64) -> Answer<()> {
    let p = platform.inner().clone();
    blocking(move || p.delete_run(&Caller::host(), id)).await
}

/// The figures the server draws for run `id` (`GET /api/runs/{id}/figures`).
#[tauri::command]
pub async fn run_figures(platform: Shared<'_>, id: i64) -> Answer<Vec<Figure>> {
    let p = platform.inner().clone();
    blocking(move || p.run_figures(id)).await
}

/// Figure `index` of run `id` as PNG or SVG bytes (`format`: `png` | `svg`), the same image
/// `GET /api/runs/{id}/figures/{index}.{format}` sends; an ArrayBuffer in JavaScript.
#[tauri::command]
pub async fn run_figure(
    platform: Shared<'_>,
    id: i64,
    index: usize,
    format: String,
) -> Answer<tauri::ipc::Response> {
    let format = Format::parse(&format).ok_or_else(|| invalid("format", "expected png or svg"))?;
    let p = platform.inner().clone();
    blocking(move || p.run_figure(id, index, format))
        .await
        .map(tauri::ipc::Response::new)
}

/// The printable HTML report of run `id` (`GET /api/runs/{id}/report.html`).
#[tauri::command]
pub async fn run_report(platform: Shared<'_>, id: i64) -> Answer<String> {
    let p = platform.inner().clone();
    blocking(move || p.run_report(id)).await
}
