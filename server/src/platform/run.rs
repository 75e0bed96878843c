//! Executing one run: the run slots, then (on the blocking pool) the parameters parsed, the guest
//! rules and profile resolution, the result budget (the size the tool declares against the
//! caller's cap, refused before any run work), the run and its timeout, then the history entry
//! and its announcement.

use std::sync::Arc;
use std::time::Instant;

use cristallo_core::{Cancel, Progress, ToolError, ToolResult};
use serde_json::Value;

use super::Platform;
use crate::access::{Caller, Role};
use crate::events::ServerEvent;
use crate::jobs::Params;
use crate::store::{EncodedResult, RunSummary};
use crate::ApiError;

impl Platform {
    /// Runs a tool for `caller` within the limits, records it in the history and announces it.
    /// A cancelled or failed run leaves no history entry.
    pub async fn run_tool(
        self: &Arc<Self>,
        caller: &Caller,
        id: &str,
        params: Value,
        progress: Progress,
        cancel: Cancel,
    ) -> Result<(ToolResult, RunSummary), ApiError> {
        let (result, _, summary) = self
            .run_recorded(caller, id, Params::Value(params), progress, cancel)
            .await?;
        Ok((result, summary))
    }

    /// [`Self::run_tool`], also returning the result as the history stored it (the Arrow IPC
    /// stream, encoded once on the blocking pool, which an HTTP answer in Arrow reuses). The
    /// parameters are parsed and checked only once the run holds its slots: a queue of big
    /// bodies waits as bytes, never as parsed JSON.
    pub async fn run_recorded(
        self: &Arc<Self>,
        caller: &Caller,
        id: &str,
        params: Params,
        progress: Progress,
        cancel: Cancel,
    ) -> Result<(ToolResult, EncodedResult, RunSummary), ApiError> {
        let tool = cristallo_core::find(id)
            .ok_or_else(|| ToolError::UnknownTool { id: id.to_string() })?;
        if tool.is_heavy() && !caller.can_modify {
            return Err(ApiError::Forbidden {
                reason: format!(
                    "guests with read-only access cannot run '{id}'; ask the host for full access"
                ),
            });
        }
        let closed = |_| ApiError::Internal {
            reason: "the run queue is closed".into(),
        };
        let _guest = match caller.role {
            Role::Guest => Some(self.guest_slots.acquire().await.map_err(closed)?),
            Role::Host => None,
        };
        let _heavy = match tool.is_heavy() {
            true => Some(self.heavy_slots.acquire().await.map_err(closed)?),
            false => None,
        };
        let _slot = self.run_slots.acquire().await.map_err(closed)?;
        cancel.check()?;
        // The body parsed, the guest path rule and `profile_id` resolution (crate::resolve),
        // off the async workers; the queue place is held until the run ends.
        let (params, _place) = {
            let platform = self.clone();
            let (role, tool_id) = (caller.role, id.to_string());
            tokio::task::spawn_blocking(move || {
                let (value, place) = params.parse()?;
                let value = crate::resolve::prepare_params(&platform.store, role, &tool_id, value)?;
                platform.check_result_budget(role, &tool_id, &value)?;
                Ok::<_, ApiError>((value, place))
            })
            .await
            .map_err(|e| ApiError::Internal {
                reason: e.to_string(),
            })??
        };
        cancel.check()?;
        // Tells a waiting client that its run left the queue.
        progress.report(0.0, "running");
        let started = Instant::now();
        let job_cancel = cancel.clone();
        let tool_id = id.to_string();
        let job = tokio::task::spawn_blocking(move || {
            let result = cristallo_core::run(&tool_id, &params, &progress, &job_cancel)?;
            let encoded =
                EncodedResult::encode(&result).map_err(|e| ToolError::failed(e.to_string()))?;
            Ok::<_, ToolError>((result, encoded))
        });
        let timeout = self.config.run_timeout;
        let (result, encoded) = match tokio::time::timeout(timeout, job).await {
            Ok(Ok(outcome)) => outcome?,
            Ok(Err(join)) => {
                return Err(ApiError::Internal {
                    reason: format!("the run stopped unexpectedly: {join}"),
                })
            }
            Err(_) => {
                cancel.cancel();
                return Err(ApiError::Timeout {
                    seconds: timeout.as_secs(),
                });
            }
        };
        cancel.check()?;
        let duration_ms = started.elapsed().as_secs_f64() * 1e3;
        let platform = self.clone();
        let (who, role) = (caller.name.clone(), caller.role.as_str());
        // SQLite writes block; keep them off the async workers.
        let (result, encoded, summary) = tokio::task::spawn_blocking(move || {
            platform.keep_source_files(&result)?;
            let summary = platform
                .store
                .insert_run(&result, &encoded, duration_ms, &who, role)?;
            Ok::<_, ApiError>((result, encoded, summary))
        })
        .await
        .map_err(|e| ApiError::Internal {
            reason: e.to_string(),
        })??;
        self.hub.publish(ServerEvent::RunAdded {
            run: summary.clone(),
        });
        Ok((result, encoded, summary))
    }

    /// Refuses a run whose declared result ([`cristallo_core::result_size`]) is over the
    /// caller's cap (the host's settings: one for the host and the desktop, a lower one for
    /// guests), with a 400 naming the parameter that drives the size and its largest allowed
    /// value. Parses the parameters only; nothing runs.
    pub fn check_result_budget(
        &self,
        role: Role,
        id: &str,
        params: &Value,
    ) -> Result<(), ApiError> {
        let settings = crate::settings::HostSettings::load(&self.config.data_dir)?;
        let cap = match role {
            Role::Host => settings.result_cap_host,
            Role::Guest => settings.result_cap_guest,
        };
        cristallo_core::result_size(id, params)?.check(cap)?;
        Ok(())
    }

    /// Stores the files the result's tool asks to keep ([`cristallo_core::kept_files`]) by
    /// SHA-256, so a later view (a profile saved from the result) can show the data again.
    fn keep_source_files(&self, result: &ToolResult) -> Result<(), ApiError> {
        for file in cristallo_core::kept_files(result) {
            self.store
                .put_source_file(&file.sha256, &file.name, &file.text)?;
        }
        Ok(())
    }
}
