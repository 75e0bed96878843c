//! The HTTP edge of Cristallo-RS: the JSON API over the core's tools, the run history, live
//! events, LAN sharing with access control, and the static UI.
//!
//! Every operation — its HTTP route, its desktop command, who may call it and what it does — is
//! listed once, in [`api_table::API`]; tests check the router, the desktop's command list and
//! the UI's transport against it.
//!
//! Inside: `http` (the router, the access guard, thin handlers) over [`app`] (the application
//! layer, which the desktop commands call too) over [`Platform`] (history, access, live events,
//! the one job table of [`jobs`], run limits, the LAN share).

pub mod access;
pub mod admission;
pub mod api_table;
pub mod app;
pub mod connections;
pub mod error;
pub mod events;
pub mod export;
pub mod figures;
mod http;
pub mod jobs;
pub mod origins;
pub mod platform;
pub mod profiles;
pub mod report;
pub mod resolve;
pub mod sessions;
pub mod settings;
pub mod share;
pub mod store;
pub mod stored_result;
pub mod utc;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub use error::ApiError;
pub use http::router;
pub use platform::{AppConfig, Platform, ShareStatus};

/// The twin's description, `data/twin.json`, built into the binary so the installed app and
/// every server show the same rig.
pub fn twin_description() -> serde_json::Value {
    serde_json::from_str(include_str!("../../data/twin.json"))
        .expect("data/twin.json is valid JSON (checked by a test)")
}

/// The version of the platform, shown by `/api/health` and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The UI shipped with the sources (`ui/` at the workspace root), unless
/// `CRISTALLO_UI_DIR` says otherwise.
pub fn default_ui_dir() -> PathBuf {
    std::env::var_os("CRISTALLO_UI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../ui")))
}

/// Parses a request body as a JSON parameter object (an empty body means "all defaults").
pub fn parse_params(body: &[u8]) -> Result<serde_json::Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Object(Default::default()));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::BadBody {
        reason: e.to_string(),
    })
}

/// Serves the platform on `listener` until `shutdown` completes, within the connection limits
/// of its configuration; the listener's address becomes one of the server's own origins.
pub async fn serve_platform(
    listener: tokio::net::TcpListener,
    platform: Arc<Platform>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    platform.access.serve_at(listener.local_addr()?);
    connections::raise_open_file_limit();
    let app = router(platform.clone());
    let limits = platform.config.connections.clone();
    connections::serve(listener, app, limits, async move {
        shutdown.await;
        platform.begin_shutdown();
    })
    .await
}

/// The URL a browser opens for a server bound to `addr`.
pub fn url_for(addr: SocketAddr) -> String {
    format!("http://{addr}/")
}
