//! The IPC commands of the desktop shell, the contract `ui/transport.js` uses: thin adapters
//! over the [`Platform`], one module per concept. They live outside the crate root because
//! `#[tauri::command]` generates helper macros that clash with items there.
//!
//! The desktop user is the local host ([`Caller::host`]). Every command answers its value or the
//! error shape of the HTTP API, `{error, field}` ([`ErrorBody`], made by [`ApiError::body`]).
//! Arguments are camelCase on the JavaScript side (Tauri converts `job_id` ↔ `jobId`).
//!
//! | command (arguments) | answer | HTTP equivalent |
//! |---|---|---|
//! | `list_tools` | the catalogue | `GET /api/tools` |
//! | `run_tool {tool, params, jobId?, onProgress?}` | raw bytes: header `{run_id}` + the result's Arrow IPC stream ([`frame`]) | `POST /api/tools/{id}/run` with `Accept: application/vnd.apache.arrow.stream` (+ job progress) |
//! | `cancel_run {jobId}` | `null` | `DELETE /api/jobs/{id}` |
//! | `session` | `{role, name, session_id, can_modify, sharing, twin_name, version}` | `GET /api/session` |
//! | `list_runs {tool?, limit?, before?}` | run summaries, newest first | `GET /api/runs` |
//! | `get_run {id, format?}` | a run with its result (JSON); `format: "arrow"`: raw bytes, header = the summary + the result's Arrow IPC stream ([`frame`]) | `GET /api/runs/{id}[?format=arrow]` |
//! | `delete_run {id}` | `null` | `DELETE /api/runs/{id}` |
//! | `twin` | the twin's description | `GET /api/twin` |
//! | `run_figures {id}` | the figures of a run | `GET /api/runs/{id}/figures` |
//! | `run_figure {id, index, format}` | PNG/SVG bytes | `GET /api/runs/{id}/figures/{index}.{format}` |
//! | `run_report {id}` | HTML text | `GET /api/runs/{id}/report.html` |
//! | `tool_artifact {tool, name, params}` | `{file_name, media_type, text}` (`bytes` if not UTF-8) | `POST /api/tools/{id}/artifacts/{name}` |
//! | `share_status` | [`ShareStatus`] | `GET /api/share` |
//! | `share_start {ip, port}` | [`ShareStatus`] | (`cristallo serve --share`) |
//! | `share_stop` | [`ShareStatus`] | — |
//! | `set_guest_access {guestAccess}` | [`ShareStatus`] | `PUT /api/share/settings` |
//! | `revoke_session {id}` | `null` | `DELETE /api/share/sessions/{id}` |
//! | `rotate_token` | [`ShareStatus`] | `POST /api/share/rotate` |
//! | `discover_peers {timeoutS}` | [`Peer`]s found by mDNS | — |
//! | `profile_list` | [`ProfileSummary`]s, newest first | `GET /api/profiles` |
//! | `profile_show {id}` / `profile_export {id}` | the profile document | `GET /api/profiles/{id}` / `…/export` |
//! | `profile_save {profile}` | the saved document (id, date) | `POST /api/profiles` |
//! | `profile_import {text, name?, fileName?}` | `{profile, warnings}` | `POST /api/profiles/import` |
//! | `profile_rename {id, name}` | the renamed document | `PATCH /api/profiles/{id}` |
//! | `profile_delete {id}` | `{id, undo_seconds}` | `DELETE /api/profiles/{id}` |
//! | `profile_restore {id}` | the restored document | `POST /api/profiles/{id}/restore` |
//! | `source_file {sha256}` | `{sha256, name, csv_text}` | `GET /api/sources/{sha256}` |
//!
//! [`Caller::host`]: cristallo_server::access::Caller::host
//! [`ShareStatus`]: cristallo_server::ShareStatus
//! [`Peer`]: cristallo_server::share::Peer
//! [`ProfileSummary`]: cristallo_server::profiles::ProfileSummary

pub mod about;
pub mod files;
pub mod frame;
pub mod history;
pub mod profiles;
pub mod runs;
pub mod settings;
pub mod share;

use std::sync::Arc;

use cristallo_core::{ErrorBody, ToolError};
use cristallo_server::{ApiError, Platform};
use tauri::State;

pub use share::MAX_DISCOVER_SECONDS;

type Answer<T> = Result<T, ErrorBody>;
type Shared<'a> = State<'a, Arc<Platform>>;

fn body(e: ApiError) -> ErrorBody {
    e.body()
}

fn invalid(field: &str, message: impl Into<String>) -> ErrorBody {
    ApiError::Tool(ToolError::invalid(field, message)).body()
}

/// Runs `f` (SQLite, mDNS: blocking work) on a blocking worker, so the async workers and the
/// window's event loop never wait for it.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Answer<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| ErrorBody::message(format!("the operation did not finish: {e}")))?
        .map_err(body)
}
