//! The application layer: every operation of the platform as a plain function over
//! `&Arc<Platform>`, the caller and typed input, answering `Result<T, ApiError>`. The HTTP
//! handlers (`crate::http`) and the desktop commands only translate to and from it, so both
//! edges behave the same; blocking work (SQLite, drawing figures) leaves the async workers here.

pub mod history;
pub mod jobs;
pub mod live;
pub mod profiles;
pub mod runs;
pub mod session;
pub mod settings;
pub mod sharing;

use crate::ApiError;

/// Runs `f` (SQLite, drawing: blocking work) on a blocking worker.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal {
            reason: e.to_string(),
        })?
}
