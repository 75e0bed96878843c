//! The IPC commands of the desktop shell, the contract `ui/transport.js` uses. They live in
//! their own module because `#[tauri::command]` generates helper macros that clash with items
//! at the crate root.
//!
//! The desktop user is the local host ([`Caller::host`]). Every command answers its value or the
//! error shape of the HTTP API, `{error, field}` ([`ErrorBody`], made by [`ApiError::body`]).
//! Arguments are camelCase on the JavaScript side (Tauri converts `job_id` ↔ `jobId`).
//!
//! | command (arguments) | answer | HTTP equivalent |
//! |---|---|---|
//! | `list_tools` | the catalogue | `GET /api/tools` |
//! | `run_tool {tool, params, jobId?, onProgress?}` | `{run_id, result}` | `POST /api/tools/{id}/run` (+ job progress) |
//! | `cancel_run {jobId}` | `null` | `DELETE /api/jobs/{id}` |
//! | `session` | `{role, name, session_id, can_modify, sharing, twin_name, version}` | `GET /api/session` |
//! | `list_runs {tool?, limit?, before?}` | run summaries, newest first | `GET /api/runs` |
//! | `get_run {id}` | a run with its result | `GET /api/runs/{id}` |
//! | `delete_run {id}` | `null` | `DELETE /api/runs/{id}` |
//! | `twin` | the twin's description | `GET /api/twin` |
//! | `run_figures {id}` | the figures of a run | `GET /api/runs/{id}/figures` |
//! | `run_figure {id, index, format}` | PNG/SVG bytes | `GET /api/runs/{id}/figures/{index}.{format}` |
//! | `run_report {id}` | HTML text | `GET /api/runs/{id}/report.html` |
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

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use cristallo_core::{ErrorBody, Progress, ToolError, ToolInfo};
use cristallo_server::access::{Caller, GuestAccess};
use cristallo_server::figures::{Figure, Format};
use cristallo_server::jobs::RunAnswer;
use cristallo_server::profiles::{Deleted, ImportOutcome, ImportRequest, ProfileSummary};
use cristallo_server::share::{self, Peer};
use cristallo_server::store::{RunRecord, RunSummary};
use cristallo_server::{ApiError, Platform, ShareStatus};
use serde_json::{json, Value};
use tauri::ipc::{Channel, JavaScriptChannelId};
use tauri::{AppHandle, Manager, Runtime, State, Webview};

use crate::AppOptions;

type Answer<T> = Result<T, ErrorBody>;
type Shared<'a> = State<'a, Arc<Platform>>;

/// Longest accepted `discover_peers` timeout.
pub const MAX_DISCOVER_SECONDS: f64 = 60.0;

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

/// Ids, titles, categories and parameter schemas of all tools; the UI builds its home page and
/// forms from it.
#[tauri::command]
pub fn list_tools() -> Vec<ToolInfo> {
    cristallo_core::catalogue()
}

/// Runs tool `tool` with the JSON object `params` as the host and answers `{run_id, result}`:
/// the result object (the same as `POST /api/tools/{id}/run`) and its history id, or
/// `{error, field}`. Like every run, it is a job of the platform's one pipeline: it waits for a
/// run slot, executes on a blocking worker, is recorded in the history and announced to
/// everyone connected (`run_added`). With `jobId`, `cancel_run {jobId}` stops it (a cancelled
/// run leaves no history entry); `onProgress` receives `{fraction, message, data?}` as it goes.
#[tauri::command]
pub async fn run_tool<R: Runtime>(
    webview: Webview<R>,
    platform: Shared<'_>,
    tool: String,
    params: Value,
    job_id: Option<String>,
    on_progress: Option<JavaScriptChannelId>,
) -> Answer<RunAnswer> {
    let progress = match on_progress {
        Some(id) => {
            let channel: Channel<Value> = id.channel_on(webview);
            Progress::with_data(move |fraction, message, data| {
                // A closed window just stops listening; the run goes on.
                let mut update = json!({ "fraction": fraction, "message": message });
                if let Some(data) = data {
                    update["data"] = data.clone();
                }
                let _ = channel.send(update);
            })
        }
        None => Progress::none(),
    };
    platform
        .run_job(&Caller::host(), &tool, params, job_id, progress)
        .await
        .map(RunAnswer::from)
        .map_err(body)
}

/// Stops the run started with `jobId` (it answers "cancelled" and leaves no history entry).
/// Unknown id: `{error: "no such job …"}`; if that run starts afterwards, it starts cancelled.
#[tauri::command]
pub fn cancel_run(platform: Shared<'_>, job_id: String) -> Answer<()> {
    if platform.jobs.cancel_or_remember(&job_id, &Caller::host()) {
        Ok(())
    } else {
        Err(body(ApiError::NotFound {
            what: format!("job {job_id}"),
        }))
    }
}

/// Who the desktop user is: the same JSON as `GET /api/session` answers the host.
#[tauri::command]
pub async fn session(platform: Shared<'_>) -> Answer<Value> {
    let caller = Caller::host();
    Ok(json!({
        "role": caller.role,
        "name": caller.name,
        "session_id": caller.session_id,
        "can_modify": caller.can_modify,
        "sharing": platform.access.is_sharing(),
        "twin_name": platform.config.twin_name,
        "version": cristallo_server::VERSION,
    }))
}

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

/// A stored run with its full result; unknown id: `{error: "no such run …"}`.
#[tauri::command]
pub async fn get_run(platform: Shared<'_>, id: i64) -> Answer<RunRecord> {
    let p = platform.inner().clone();
    blocking(move || {
        p.store.get_run(id)?.ok_or_else(|| ApiError::NotFound {
            what: format!("run {id}"),
        })
    })
    .await
}

/// The twin's description (`GET /api/twin`).
#[tauri::command]
pub fn twin() -> Value {
    cristallo_server::twin_description()
}

/// The desktop part of the Settings page: the data directory in use, the one configured for
/// the next start (null: the default), and whether `CRISTALLO_DATA_DIR` overrides it.
fn desktop_settings_view(
    platform: &Platform,
    next: Option<&std::path::Path>,
    file: Option<&std::path::Path>,
) -> Value {
    json!({
        "data_dir": platform.config.data_dir.display().to_string(),
        "data_dir_next": next.map(|p| p.display().to_string()),
        "env_override": std::env::var_os("CRISTALLO_DATA_DIR").is_some_and(|d| !d.is_empty()),
        "config_file": file.map(|p| p.display().to_string()),
    })
}

fn config_error(e: crate::desktop_config::ConfigError) -> ErrorBody {
    ErrorBody {
        error: e.to_string(),
        field: Some(e.field().into()),
        code: None,
    }
}

/// The desktop settings ([`crate::desktop_config`]).
#[tauri::command]
pub async fn desktop_settings_get<R: Runtime>(
    app: AppHandle<R>,
    platform: Shared<'_>,
    options: State<'_, AppOptions>,
) -> Answer<Value> {
    let dir = crate::config_dir(&app, &options);
    let next = match &dir {
        Some(d) => {
            crate::desktop_config::DesktopConfig::load(d)
                .map_err(config_error)?
                .data_dir
        }
        None => None,
    };
    let file = dir.map(|d| d.join(crate::desktop_config::CONFIG_FILE));
    Ok(desktop_settings_view(
        &platform,
        next.as_deref(),
        file.as_deref(),
    ))
}

/// Sets the data directory for the next start (`""`: the default); checked first (absolute, a
/// directory that can be created and written). The directory in use stays until the restart.
#[tauri::command]
pub async fn desktop_settings_set<R: Runtime>(
    app: AppHandle<R>,
    platform: Shared<'_>,
    options: State<'_, AppOptions>,
    data_dir: String,
) -> Answer<Value> {
    let dir = crate::config_dir(&app, &options)
        .ok_or_else(|| ErrorBody::message("the app has no config directory"))?;
    let next = crate::desktop_config::check_data_dir(&data_dir).map_err(config_error)?;
    let config = crate::desktop_config::DesktopConfig {
        data_dir: next.clone(),
    };
    config.save(&dir).map_err(config_error)?;
    let file = dir.join(crate::desktop_config::CONFIG_FILE);
    Ok(desktop_settings_view(
        &platform,
        next.as_deref(),
        Some(&file),
    ))
}

/// Longest accepted export file name.
const MAX_FILE_NAME: usize = 200;

/// Saves an export (JSON, CSV, PNG, SVG, report, deck) in the Downloads folder and answers its
/// path; the webview alone would drop it silently in the working directory. The raw body is
/// the file, the `x-file-name` header its name: letters, digits, `.`, `-`, `_` and spaces, no
/// path. An existing file is never replaced (" (1)", " (2)", … is appended).
#[tauri::command]
pub async fn save_download<R: Runtime>(
    app: AppHandle<R>,
    options: State<'_, AppOptions>,
    request: tauri::ipc::Request<'_>,
) -> Answer<String> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(invalid("body", "the file must be sent as raw bytes"));
    };
    let bytes = bytes.clone();
    let name = request
        .headers()
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim()
        .to_string();
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ');
    if name.is_empty()
        || name.len() > MAX_FILE_NAME
        || name.starts_with('.')
        || !name.chars().all(safe)
    {
        return Err(invalid(
            "name",
            format!(
                "'{name}' is not a file name (1 to {MAX_FILE_NAME} letters, digits, '.', '-', \
                 '_' or spaces, not starting with '.')"
            ),
        ));
    }
    let dir = match &options.download_dir {
        Some(d) => d.clone(),
        None => app
            .path()
            .download_dir()
            .or_else(|_| app.path().home_dir())
            .map_err(|e| ErrorBody::message(format!("no Downloads folder: {e}")))?,
    };
    blocking(move || {
        let io = |e: std::io::Error| ApiError::Internal {
            reason: format!("cannot save {name} in {}: {e}", dir.display()),
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let (stem, ext) = match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), format!(".{ext}")),
            _ => (name.clone(), String::new()),
        };
        for n in 0..1000 {
            let candidate = if n == 0 {
                dir.join(&name)
            } else {
                dir.join(format!("{stem} ({n}){ext}"))
            };
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&candidate)
            {
                Ok(mut file) => {
                    use std::io::Write;
                    file.write_all(&bytes).map_err(io)?;
                    return Ok(candidate.display().to_string());
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(e)),
            }
        }
        Err(io(std::io::Error::other("1000 files of that name exist")))
    })
    .await
}

/// The CalculiX deck of the `fea` tool for `params` (`POST /api/tools/fea/deck`).
#[tauri::command]
pub async fn fea_deck(params: Value) -> Answer<String> {
    blocking(move || {
        cristallo_core::fea::FeaParams::parse(&params)
            .and_then(|(p, _)| cristallo_core::fea::deck(&p))
            .map_err(ApiError::from)
    })
    .await
}

/// The Settings page's data (`GET /api/settings`).
#[tauri::command]
pub async fn settings_get(platform: Shared<'_>) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || p.settings(&Caller::host())).await
}

/// Replaces the stored settings (`PUT /api/settings`); errors name the field.
#[tauri::command]
pub async fn settings_set(platform: Shared<'_>, settings: Value) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || p.set_settings(&Caller::host(), &settings)).await
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

/// Deletes a run from the history (announced as `run_deleted`).
#[tauri::command]
pub async fn delete_run(platform: Shared<'_>, id: i64) -> Answer<()> {
    let p = platform.inner().clone();
    blocking(move || p.delete_run(&Caller::host(), id)).await
}

/// The share dialog's data (off: `enabled: false` and no URL).
#[tauri::command]
pub async fn share_status(platform: Shared<'_>) -> Answer<ShareStatus> {
    let p = platform.inner().clone();
    blocking(move || Ok(p.share_status())).await
}

/// Shares the twin on the LAN: the share server listens on interface address `ip`, `port`
/// (0: any free port) and is advertised by mDNS (unless mDNS is off). Already sharing: the
/// current status.
#[tauri::command]
pub async fn share_start(
    platform: Shared<'_>,
    options: State<'_, AppOptions>,
    ip: String,
    port: u16,
) -> Answer<ShareStatus> {
    let ip: IpAddr = ip.trim().parse().map_err(|_| {
        invalid(
            "ip",
            format!("'{ip}' is not an IP address; choose one of the network interfaces"),
        )
    })?;
    if ip.is_unspecified() {
        return Err(invalid(
            "ip",
            format!("{ip} means every interface; choose the address of one interface"),
        ));
    }
    platform
        .start_share_server(SocketAddr::new(ip, port), options.mdns)
        .await
        .map_err(body)
}

/// Stops sharing: withdraws the mDNS advertisement, stops the share server and forgets the
/// tokens and guest sessions. Answers the new status.
#[tauri::command]
pub async fn share_stop(platform: Shared<'_>) -> Answer<ShareStatus> {
    let p = platform.inner().clone();
    // Unregistering from mDNS waits up to a second or two.
    blocking(move || {
        p.stop_sharing();
        Ok(p.share_status())
    })
    .await
}

/// Sets what guests may do, `"read_only"` or `"full"` (remembered); answers the new status.
#[tauri::command]
pub async fn set_guest_access(platform: Shared<'_>, guest_access: Value) -> Answer<ShareStatus> {
    let access: GuestAccess = serde_json::from_value(guest_access.clone()).map_err(|_| {
        invalid(
            "guest_access",
            format!("must be \"read_only\" or \"full\", not {guest_access}"),
        )
    })?;
    let p = platform.inner().clone();
    blocking(move || {
        p.set_guest_access(&Caller::host(), access)?;
        Ok(p.share_status())
    })
    .await
}

/// Ends a guest's session at once (its live stream closes; it needs the link again).
#[tauri::command]
pub fn revoke_session(platform: Shared<'_>, id: String) -> Answer<()> {
    platform.revoke(&Caller::host(), &id).map_err(body)
}

/// A new guest link; the old one stops working. Not sharing: `{error: "no such an active share"}`.
#[tauri::command]
pub async fn rotate_token(platform: Shared<'_>) -> Answer<ShareStatus> {
    let p = platform.inner().clone();
    blocking(move || p.rotate_guest_token(&Caller::host())).await
}

/// Shared twins that answer on the network within `timeoutS` seconds (0 < timeoutS ≤ 60).
/// Refused when mDNS is off (`CRISTALLO_NO_MDNS`).
#[tauri::command]
pub async fn discover_peers(options: State<'_, AppOptions>, timeout_s: f64) -> Answer<Vec<Peer>> {
    if !(timeout_s.is_finite() && timeout_s > 0.0 && timeout_s <= MAX_DISCOVER_SECONDS) {
        return Err(invalid(
            "timeout_s",
            format!("must be more than 0 and at most {MAX_DISCOVER_SECONDS} seconds"),
        ));
    }
    if !options.mdns {
        return Err(ErrorBody::message(
            "mDNS is turned off in this app (CRISTALLO_NO_MDNS), so it cannot look for twins",
        ));
    }
    let timeout = Duration::from_secs_f64(timeout_s);
    blocking(move || {
        share::discover(None, timeout, false).map_err(|e| ApiError::Internal {
            reason: e.to_string(),
        })
    })
    .await
}

/// The saved profiles, newest first.
#[tauri::command]
pub async fn profile_list(platform: Shared<'_>) -> Answer<Vec<ProfileSummary>> {
    let p = platform.inner().clone();
    blocking(move || p.list_profiles()).await
}

/// One profile document; unknown id: `{error: "no such profile …"}`.
#[tauri::command]
pub async fn profile_show(platform: Shared<'_>, id: String) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || p.get_profile(&id).map(|d| d.to_json())).await
}

/// A measured file stored by SHA-256 (`{sha256, name, csv_text}`), as a profile's origin names it.
#[tauri::command]
pub async fn source_file(platform: Shared<'_>, sha256: String) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || p.source_file(&sha256)).await
}

/// The document to write to a file (the UI offers it as a download).
#[tauri::command]
pub async fn profile_export(platform: Shared<'_>, id: String) -> Answer<Value> {
    profile_show(platform, id).await
}

/// Saves a `cristallo.profile/1` document as a new profile; a taken name answers
/// `{error, field: "profile.name"}`.
#[tauri::command]
pub async fn profile_save(platform: Shared<'_>, profile: Value) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || {
        p.save_profile(&Caller::host(), &profile)
            .map(|d| d.to_json())
    })
    .await
}

/// Imports a profile file's text (ours, or the original app's JSON or 8-line CSV).
#[tauri::command]
pub async fn profile_import(
    platform: Shared<'_>,
    text: String,
    name: Option<String>,
    file_name: Option<String>,
) -> Answer<ImportOutcome> {
    let p = platform.inner().clone();
    let req = ImportRequest {
        text,
        name,
        file_name,
    };
    blocking(move || p.import_profile(&Caller::host(), &req)).await
}

/// Renames a profile.
#[tauri::command]
pub async fn profile_rename(platform: Shared<'_>, id: String, name: String) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || {
        p.rename_profile(&Caller::host(), &id, &name)
            .map(|d| d.to_json())
    })
    .await
}

/// Deletes a profile; `profile_restore` undoes it within 30 s.
#[tauri::command]
pub async fn profile_delete(platform: Shared<'_>, id: String) -> Answer<Deleted> {
    let p = platform.inner().clone();
    blocking(move || p.delete_profile(&Caller::host(), &id)).await
}

/// Undoes a deletion made less than 30 s ago.
#[tauri::command]
pub async fn profile_restore(platform: Shared<'_>, id: String) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || p.restore_profile(&Caller::host(), &id).map(|d| d.to_json())).await
}
