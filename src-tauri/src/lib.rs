//! The desktop shell of Cristallo-RS: a Tauri 2 window showing the static UI in `../ui`, and a
//! full LAN-sharing host. The app opens one [`Platform`] (run history, access control, live
//! events, share server) and its commands call the same functions as the HTTP handlers of
//! `cristallo serve` (see [`commands`] for the list and their HTTP equivalents).
//!
//! - Every run is a job of the platform's one pipeline ([`Platform::run_job`]) as the local
//!   host ([`Caller::host`]), so it is limited, recorded in the history and announced live like
//!   a run from a browser.
//! - Every event of the platform's hub (a run added or deleted, users, sharing) is re-emitted
//!   as the Tauri event [`EVENT`] (`cristallo-event`) with the event's JSON (`{type, …}`) as
//!   payload; a slow listener gets `{type: "lagged", missed}` instead.
//! - "Share on LAN" starts the embedded axum server on the chosen interface and port
//!   (advertised by mDNS unless [`AppOptions::mdns`] is off), serving the UI files found on
//!   disk ([`ui_dir`]).
//!
//! The app is assembled by [`run_app`], generic over the Tauri runtime, so the tests drive the
//! same commands through `tauri::test::mock_builder()` without a display, with their own data
//! directory and mDNS off ([`AppOptions`]).
//!
//! [`Caller::host`]: cristallo_server::access::Caller::host

use std::path::PathBuf;
use std::sync::Arc;

use cristallo_server::store::StoreError;
use cristallo_server::{AppConfig, Platform};
use serde_json::{json, Value};
use tauri::{App, AppHandle, Builder, Emitter, Manager, RunEvent, Runtime};
use tokio::sync::broadcast::error::RecvError;

pub mod commands;
pub mod desktop_config;

/// Name of the Tauri event carrying the platform's live events (`ui/transport.js` listens).
pub const EVENT: &str = "cristallo-event";

/// How the app starts; managed on the builder before [`run_app`] (by [`run`] from the
/// environment, by the tests explicitly). When none is managed, [`AppOptions::default`] applies:
/// the platform's app data directory and no mDNS.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// Directory of the database; `None`: Tauri's `app_data_dir()`.
    pub data_dir: Option<PathBuf>,
    /// Whether the app may use mDNS: advertise a share and browse for peers. mdns-sd joins
    /// multicast on every interface when it starts, so tests keep this off.
    pub mdns: bool,
    /// Where exports are saved; `None`: the user's Downloads folder.
    pub download_dir: Option<PathBuf>,
    /// Directory of the app's own settings file ([`desktop_config`]); `None`: Tauri's
    /// `app_config_dir()`.
    pub config_dir: Option<PathBuf>,
}

impl AppOptions {
    /// From the environment: `CRISTALLO_DATA_DIR` (if set and not empty),
    /// `CRISTALLO_NO_MDNS` (if set, mDNS is off) and `CRISTALLO_DOWNLOAD_DIR` (if set and not
    /// empty).
    pub fn from_env() -> Self {
        let dir = |name: &str| {
            std::env::var_os(name)
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
        };
        Self {
            data_dir: dir("CRISTALLO_DATA_DIR"),
            mdns: std::env::var_os("CRISTALLO_NO_MDNS").is_none(),
            download_dir: dir("CRISTALLO_DOWNLOAD_DIR"),
            config_dir: None,
        }
    }
}

/// Why the app could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot start Cristallo-RS: {0}")]
    Tauri(#[from] tauri::Error),
    #[error("cannot find the app data directory ({0}); set CRISTALLO_DATA_DIR")]
    DataDir(tauri::Error),
    #[error("cannot open the Cristallo-RS database: {0}")]
    Store(#[from] StoreError),
}

/// The app's config directory ([`AppOptions::config_dir`] or Tauri's).
pub fn config_dir<R: Runtime, M: Manager<R>>(app: &M, options: &AppOptions) -> Option<PathBuf> {
    options
        .config_dir
        .clone()
        .or_else(|| app.path().app_config_dir().ok())
}

/// The data directory chosen on the Settings page, if any. A damaged settings file is reported
/// on stderr and the default directory is used: it never keeps the app from starting.
fn configured_data_dir<R: Runtime>(app: &App<R>, options: &AppOptions) -> Option<PathBuf> {
    let dir = config_dir(app, options)?;
    match desktop_config::DesktopConfig::load(&dir) {
        Ok(c) => c.data_dir,
        Err(e) => {
            eprintln!("cristallo-app: {e}; using the default data directory");
            None
        }
    }
}

/// Registers the plugins and commands on `builder`, builds the app with the embedded
/// configuration (`../ui` frontend, capabilities), opens the platform in the data directory,
/// starts forwarding its events and then opens the window. A damaged database is an error here (its text
/// says where the backup is), never a panic.
pub fn run_app<R: Runtime>(builder: Builder<R>) -> Result<App<R>, StartError> {
    let app = with_commands(builder.plugin(tauri_plugin_opener::init())).build(context())?;
    let options = app
        .try_state::<AppOptions>()
        .map(|o| o.inner().clone())
        .unwrap_or_default();
    if app.try_state::<AppOptions>().is_none() {
        app.manage(options.clone());
    }
    let data_dir = match options.data_dir {
        Some(dir) => dir,
        None => match configured_data_dir(&app, &options) {
            Some(dir) => dir,
            None => app.path().app_data_dir().map_err(StartError::DataDir)?,
        },
    };
    let mut config = AppConfig::new(data_dir);
    config.ui_dir = ui_dir(&app);
    let platform = Platform::open(config)?;
    forward_events(app.handle().clone(), &platform);
    app.manage(platform);
    // The windows are created only now (`"create": false` in tauri.conf.json): a page that
    // invokes a command while it loads must find the platform already managed.
    let windows = app.config().app.windows.clone();
    for window in windows.iter().filter(|w| !w.create) {
        tauri::WebviewWindowBuilder::from_config(app.handle(), window)?.build()?;
    }
    Ok(app)
}

/// `builder` with the app's command handler; shared by [`run_app`] and the tests.
pub fn with_commands<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::about::list_tools,
        commands::about::session,
        commands::about::twin,
        commands::runs::run_tool,
        commands::runs::cancel_run,
        commands::history::list_runs,
        commands::history::get_run,
        commands::history::delete_run,
        commands::history::run_figures,
        commands::history::run_figure,
        commands::history::run_report,
        commands::settings::settings_get,
        commands::settings::desktop_settings_get,
        commands::settings::desktop_settings_set,
        commands::settings::settings_set,
        commands::files::tool_artifact,
        commands::files::save_download,
        commands::share::share_status,
        commands::share::share_start,
        commands::share::share_stop,
        commands::share::set_guest_access,
        commands::share::revoke_session,
        commands::share::rotate_token,
        commands::share::discover_peers,
        commands::profiles::profile_list,
        commands::profiles::profile_show,
        commands::profiles::profile_export,
        commands::profiles::profile_save,
        commands::profiles::profile_import,
        commands::profiles::profile_rename,
        commands::profiles::profile_delete,
        commands::profiles::profile_restore,
        commands::profiles::source_file,
    ])
}

/// The compile-time context: `tauri.conf.json`, the embedded UI files, icons and capabilities.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// The UI files on disk that the share server serves to browsers: the bundled resource
/// (`bundle.resources`: `../ui` → `ui`) when it is there, else the sources' `ui/`
/// ([`cristallo_server::default_ui_dir`], which honours `CRISTALLO_UI_DIR`).
pub fn ui_dir<R: Runtime, M: Manager<R>>(app: &M) -> PathBuf {
    app.path()
        .resource_dir()
        .ok()
        .map(|dir| dir.join("ui"))
        .filter(|dir| dir.join("index.html").is_file())
        .unwrap_or_else(cristallo_server::default_ui_dir)
}

/// Re-emits every event of the platform's hub to the webview as [`EVENT`].
fn forward_events<R: Runtime>(app: AppHandle<R>, platform: &Platform) {
    // Subscribed before the task starts, so nothing published from now on is missed.
    let mut rx = platform.hub.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            let payload = match rx.recv().await {
                Ok(event) => serde_json::to_value(&event).unwrap_or(Value::Null),
                Err(RecvError::Lagged(missed)) => json!({ "type": "lagged", "missed": missed }),
                Err(RecvError::Closed) => break,
            };
            let _ = app.emit(EVENT, payload);
        }
    });
}

/// Starts the desktop app and blocks until its last window closes. Returns the error text if
/// the app cannot start (no display, damaged database …) instead of panicking. Sharing is
/// stopped (and its mDNS advertisement withdrawn) when the app exits.
pub fn run() -> Result<(), String> {
    let builder = tauri::Builder::default().manage(AppOptions::from_env());
    let app = run_app(builder).map_err(|e| e.to_string())?;
    let platform = app.state::<Arc<Platform>>().inner().clone();
    app.run(move |_handle, event| {
        if let RunEvent::Exit = event {
            platform.stop_sharing();
        }
    });
    Ok(())
}
