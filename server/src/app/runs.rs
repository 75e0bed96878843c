//! Running tools now: a run is a job of the platform's one pipeline ([`crate::jobs`]) that the
//! caller waits for; and a tool's artifacts (the fea deck), produced without running anything.

use std::sync::Arc;

use cristallo_core::Progress;
use serde_json::Value;

use crate::access::Caller;
use crate::app::{blocking, session::known_tool};
use crate::jobs::{Params, RunDone};
use crate::{ApiError, Platform};

/// Runs `tool` with `params` for `caller` and waits for the recorded result. `job_id` (chosen
/// by the caller) lets [`crate::app::jobs::cancel_or_remember`] stop it; `progress` receives
/// every progress report.
pub async fn run(
    p: &Arc<Platform>,
    caller: &Caller,
    tool: &str,
    params: impl Into<Params>,
    job_id: Option<String>,
    progress: Progress,
) -> Result<RunDone, ApiError> {
    known_tool(tool)?;
    p.run_job(caller, tool, params, job_id, progress).await
}

/// Artifact `name` of `tool` for `params` (a tool's [`cristallo_core::ArtifactInfo`], e.g.
/// fea's solver deck, docs/fea.md §5). Producing one runs no program, so it needs no more rights
/// than viewing. An unknown tool is a 404, an unknown artifact or invalid parameters a 400
/// naming the field (`artifact`, or the parameter).
pub async fn artifact(
    tool: String,
    name: String,
    params: Value,
) -> Result<cristallo_core::Artifact, ApiError> {
    known_tool(&tool)?;
    blocking(move || cristallo_core::artifact(&tool, &name, &params).map_err(ApiError::from)).await
}
