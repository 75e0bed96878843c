//! The one table of the API: every operation with its HTTP route, its desktop (Tauri) command,
//! who may call it and what it does. The router, the desktop's command list and the UI's
//! transport are tested against it (`server/tests/api_table.rs`), so an operation added on one
//! edge without an entry here fails the tests.
//!
//! Every HTTP operation that changes something (POST, PUT, PATCH, DELETE) takes its body, if any,
//! as `Content-Type: application/json` (uploads too: file text travels inside the JSON), and from
//! a browser only with the server's own `Origin` (docs/platform.md §5). Bodies are at most
//! 64 KiB except on the upload routes (a tool's `run`, `jobs` and `artifacts`, and
//! `profiles/import`: 64 MB), where a guest also needs a place in the bounded job queue (429
//! with `Retry-After` naming `queue`).

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Anyone, signed in or not.
    Anyone,
    /// Any signed-in caller: the host and every guest.
    SignedIn,
    /// The caller who started the job, and the host.
    JobOwner,
    /// The host, and guests the host gave full access.
    Modify,
    /// The host only.
    Host,
    /// The desktop app's own user (the local host); there is no HTTP route.
    Desktop,
}

/// One operation of the API.
#[derive(Debug, Clone, Copy)]
pub struct ApiEntry {
    /// HTTP method and path (path parameters as `{name}`), if it has a route.
    pub http: Option<(&'static str, &'static str)>,
    /// The desktop command doing the same, if any.
    pub command: Option<&'static str>,
    pub who: Who,
    pub summary: &'static str,
}

const fn op(
    method: &'static str,
    path: &'static str,
    command: Option<&'static str>,
    who: Who,
    summary: &'static str,
) -> ApiEntry {
    ApiEntry {
        http: Some((method, path)),
        command,
        who,
        summary,
    }
}

const fn desktop(command: &'static str, summary: &'static str) -> ApiEntry {
    ApiEntry {
        http: None,
        command: Some(command),
        who: Who::Desktop,
        summary,
    }
}

use Who::*;

/// Every operation of the API. Errors are `{error, field}` on both edges; desktop arguments are
/// camelCase (`jobId`).
#[rustfmt::skip]
pub const API: &[ApiEntry] = &[
    op("GET", "/api/health", None, Anyone, "`{status, version}`"),
    op("GET", "/api/session", Some("session"), Anyone,
        "role, name, session id, rights, sharing, twin name, version (signed out: nulls)"),
    op("GET", "/api/twin", Some("twin"), SignedIn, "the twin's description (data/twin.json)"),
    op("GET", "/api/settings", Some("settings_get"), Host,
        "data directory, default share interface and port, result budgets (host, guests)"),
    op("PUT", "/api/settings", Some("settings_set"), Host,
        "replace the settings (share_interface, share_port, result_cap_host, result_cap_guest); errors name the field"),
    op("GET", "/api/tools", Some("list_tools"), SignedIn, "tools and parameter schemas"),
    op("GET", "/api/tools/{id}", None, SignedIn, "one tool and its parameter schema"),
    op("POST", "/api/tools/{id}/run", Some("run_tool"), SignedIn,
        "run now (heavy tools: host, full guests); the result object (HTTP: history id in \
         `x-cristallo-run-id`, the Arrow IPC stream for `Accept: \
         application/vnd.apache.arrow.stream`; desktop: raw bytes, a JSON header `{run_id}` \
         and the Arrow IPC stream, with `jobId`, `onProgress`)"),
    op("POST", "/api/tools/{id}/artifacts/{name}", Some("tool_artifact"), SignedIn,
        "artifact `name` of a tool (its `artifacts` in the catalogue, e.g. fea's `deck`) for \
         the parameters, as a download (desktop: `{file_name, media_type, text}`)"),
    op("POST", "/api/tools/{id}/jobs", None, SignedIn, "run in the background; `{job_id}`"),
    op("GET", "/api/jobs/{id}/events", None, JobOwner,
        "progress stream: `progress`, then `done {run_id}`, `failed` or `cancelled`"),
    op("DELETE", "/api/jobs/{id}", Some("cancel_run"), JobOwner,
        "cancel a job (desktop: by the `jobId` given to `run_tool`; a cancel that overtakes its \
         run makes it start cancelled)"),
    op("GET", "/api/runs", Some("list_runs"), SignedIn,
        "run summaries, newest first (`tool`, `limit`, `before`)"),
    op("GET", "/api/runs/export", None, SignedIn, "every run summary as a JSON download"),
    op("GET", "/api/runs/{id}", Some("get_run"), SignedIn,
        "a run with its result (HTTP `?format=arrow|parquet|csv`: the result as a download \
         `<tool>-run-<id>.<format>`, the stored Arrow IPC stream, Parquet or the UI's CSV; \
         `json`, the default, is the run with its result; desktop `format: \"arrow\"`: raw \
         bytes, a JSON header with the run's summary, then the Arrow IPC stream)"),
    op("DELETE", "/api/runs/{id}", Some("delete_run"), Modify, "delete a run"),
    op("GET", "/api/runs/{id}/figures", Some("run_figures"), SignedIn,
        "the figures the server draws for a run"),
    op("GET", "/api/runs/{id}/figures/{file}", Some("run_figure"), SignedIn,
        "figure `N.png` or `N.svg` of a run"),
    op("GET", "/api/runs/{id}/report.html", Some("run_report"), SignedIn,
        "the printable one-page report of a run"),
    op("GET", "/api/profiles", Some("profile_list"), SignedIn, "saved model profiles"),
    op("POST", "/api/profiles", Some("profile_save"), Modify,
        "save a profile (409 on a taken name)"),
    op("POST", "/api/profiles/import", Some("profile_import"), Modify,
        "import a profile file: `{profile, warnings}`"),
    op("GET", "/api/profiles/{id}", Some("profile_show"), SignedIn, "a profile document"),
    op("PATCH", "/api/profiles/{id}", Some("profile_rename"), Modify, "rename a profile"),
    op("DELETE", "/api/profiles/{id}", Some("profile_delete"), Modify,
        "delete a profile (undo within 30 s)"),
    op("POST", "/api/profiles/{id}/restore", Some("profile_restore"), Modify,
        "undo a profile's deletion"),
    op("GET", "/api/profiles/{id}/export", Some("profile_export"), SignedIn,
        "a profile document as a download"),
    op("GET", "/api/sources/{sha256}", Some("source_file"), SignedIn,
        "a model-update's measured file by SHA-256: `{sha256, name, csv_text}`"),
    op("GET", "/api/events", None, SignedIn,
        "live stream (runs, users, sharing, profiles); desktop: the `cristallo-event` event"),
    op("GET", "/api/share", Some("share_status"), Host, "the share dialog's data"),
    op("PUT", "/api/share/settings", Some("set_guest_access"), Host, "what guests may do"),
    op("POST", "/api/share/rotate", Some("rotate_token"), Host,
        "a new guest link; the old one stops working"),
    op("DELETE", "/api/share/sessions/{id}", Some("revoke_session"), Host,
        "end a guest session"),
    desktop("share_start", "share on the LAN on an interface and port (advertised by mDNS)"),
    desktop("share_stop", "stop sharing"),
    desktop("discover_peers", "shared twins found by mDNS"),
    desktop("save_download", "save an export in the Downloads folder"),
    desktop("desktop_settings_get", "the desktop settings (data directory of the next start)"),
    desktop("desktop_settings_set", "set the data directory for the next start"),
];
