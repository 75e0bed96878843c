//! The HTTP edge of Cristallo-RS: the JSON API over the core's tool registry and the static UI.
//!
//! `GET /api/tools` lists the tools with their parameter schemas; `POST /api/tools/{id}/run`
//! runs one and returns the result object of platform.md §3 (or `{"error", "field"}`).
//! Runs happen on the blocking pool, at most [`AppConfig::max_concurrent_runs`] at once, each
//! cancelled when it exceeds [`AppConfig::run_timeout`].

pub mod error;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderValue, Uri};
use axum::routing::{get, post};
use axum::{Json, Router};
use cristallo_core::{Cancel, Progress, ToolInfo, ToolResult};
use serde_json::Value;
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::ApiError;

/// The version of the platform, shown by `/api/health` and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Directory of the static UI served at `/`.
    pub ui_dir: PathBuf,
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// A run taking longer is cancelled and answered with 503.
    pub run_timeout: Duration,
    /// Runs executing at once; further requests wait their turn.
    pub max_concurrent_runs: usize,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            ui_dir: default_ui_dir(),
            body_limit_bytes: 2 * 1024 * 1024,
            run_timeout: Duration::from_secs(300),
            max_concurrent_runs: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// The UI shipped with the sources (`ui/` at the workspace root), unless
/// `CRISTALLO_UI_DIR` says otherwise.
pub fn default_ui_dir() -> PathBuf {
    std::env::var_os("CRISTALLO_UI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../ui")))
}

struct AppState {
    config: AppConfig,
    run_slots: Semaphore,
}

/// The whole HTTP application.
pub fn app(config: AppConfig) -> Router {
    let body_limit = config.body_limit_bytes;
    let ui = ServeDir::new(&config.ui_dir);
    let state = Arc::new(AppState {
        run_slots: Semaphore::new(config.max_concurrent_runs.max(1)),
        config,
    });
    let api = Router::new()
        .route("/health", get(health))
        .route("/tools", get(list_tools))
        .route("/tools/{id}", get(tool_info))
        .route("/tools/{id}/run", post(run_tool))
        .fallback(no_api_route)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    Router::new()
        .nest("/api", api)
        .fallback_service(ui)
        .layer(CompressionLayer::new())
        .with_state(state)
}

async fn health() -> Json<Value> {
    Json(serde_json::json!({ "status": "ok", "version": VERSION }))
}

async fn list_tools() -> Json<Vec<ToolInfo>> {
    Json(cristallo_core::catalogue())
}

async fn tool_info(Path(id): Path<String>) -> Result<Json<ToolInfo>, ApiError> {
    cristallo_core::catalogue()
        .into_iter()
        .find(|t| t.id == id)
        .map(Json)
        .ok_or(ApiError::Tool(cristallo_core::ToolError::UnknownTool {
            id,
        }))
}

async fn no_api_route(uri: Uri) -> ApiError {
    ApiError::NoRoute {
        path: uri.path().to_string(),
    }
}

/// Parses a request body as a JSON parameter object (an empty body means "all defaults").
pub fn parse_params(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::BadBody {
        reason: e.to_string(),
    })
}

async fn run_tool(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ToolResult>, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge {
                limit_bytes: state.config.body_limit_bytes,
            }
        } else {
            ApiError::BadBody {
                reason: rejection.body_text(),
            }
        }
    })?;
    if cristallo_core::find(&id).is_none() {
        return Err(cristallo_core::ToolError::UnknownTool { id }.into());
    }
    let params = parse_params(&body)?;
    let _slot = state
        .run_slots
        .acquire()
        .await
        .map_err(|e| ApiError::Internal {
            reason: e.to_string(),
        })?;
    let cancel = Cancel::new();
    let job_cancel = cancel.clone();
    let job = tokio::task::spawn_blocking(move || {
        cristallo_core::run(&id, &params, &Progress::none(), &job_cancel)
    });
    let timeout = state.config.run_timeout;
    match tokio::time::timeout(timeout, job).await {
        Ok(Ok(result)) => Ok(Json(result?)),
        Ok(Err(join)) => Err(ApiError::Internal {
            reason: format!("the run stopped unexpectedly: {join}"),
        }),
        Err(_) => {
            cancel.cancel();
            Err(ApiError::Timeout {
                seconds: timeout.as_secs(),
            })
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: AppConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(config))
        .with_graceful_shutdown(shutdown)
        .await
}

/// The URL a browser opens for a server bound to `addr`.
pub fn url_for(addr: SocketAddr) -> String {
    format!("http://{addr}/")
}
