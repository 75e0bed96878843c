//! Running tools now: a run is a job of the platform's one pipeline ([`crate::jobs`]) that the
//! caller waits for; and the fea tool's input deck, written without running anything.

use std::sync::Arc;

use cristallo_core::Progress;
use serde_json::Value;

use crate::access::Caller;
use crate::app::{blocking, session::known_tool};
use crate::jobs::RunDone;
use crate::{ApiError, Platform};

/// Runs `tool` with `params` for `caller` and waits for the recorded result. `job_id` (chosen
/// by the caller) lets [`crate::app::jobs::cancel_or_remember`] stop it; `progress` receives
/// every progress report.
pub async fn run(
    p: &Arc<Platform>,
    caller: &Caller,
    tool: &str,
    params: Value,
    job_id: Option<String>,
    progress: Progress,
) -> Result<RunDone, ApiError> {
    known_tool(tool)?;
    p.run_job(caller, tool, params, job_id, progress).await
}

/// The CalculiX deck of the `fea` tool for `params` (fea.md §5). Writing a deck runs no
/// program, so it needs no more rights than viewing.
pub async fn fea_deck(params: Value) -> Result<String, ApiError> {
    blocking(move || {
        cristallo_core::fea::FeaParams::parse(&params)
            .and_then(|(fp, _)| cristallo_core::fea::deck(&fp))
            .map_err(ApiError::from)
    })
    .await
}
