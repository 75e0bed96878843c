//! The one run pipeline: every run (an HTTP request, an HTTP background job, a desktop command)
//! is a [`Job`] in the platform's job table, so it is limited, recorded, announced, followed and
//! cancelled the same way. Background jobs are started with `POST /api/tools/{id}/jobs`,
//! followed with `GET /api/jobs/{id}/events` (progress, then `done` with the history id,
//! `failed` or `cancelled`) and cancelled with `DELETE /api/jobs/{id}`; the desktop's
//! `run_tool` awaits its job and `cancel_run` cancels it by the id the UI chose. A cancelled job
//! leaves nothing in the history. Only the caller who started a job (or the host) may watch or
//! cancel it. A guest's job holds a place in the bounded queue ([`crate::admission`]) from
//! before its body is read until it ends; its parameters are parsed once it holds a run slot.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use cristallo_core::result::live::live_points_base64;
use cristallo_core::{Cancel, ErrorBody, Progress, ToolError, ToolResult};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::{broadcast, oneshot};

use crate::access::{Caller, Role};
use crate::admission::Place;
use crate::store::{EncodedResult, RunSummary};
use crate::{ApiError, Platform};

/// How long a finished background job stays queryable.
pub const KEEP_FINISHED: Duration = Duration::from_secs(300);

/// How many cancels of not-yet-registered job ids are remembered (oldest forgotten first).
const MAX_EARLY_CANCELS: usize = 64;
/// One event of a job.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JobEvent {
    Queued,
    /// `append_arrow`: points appended to live series, in the result's binary form as base64
    /// (`cristallo_core::result::live`).
    Progress {
        fraction: f64,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        append_arrow: Option<String>,
    },
    Done {
        run_id: i64,
    },
    Failed {
        error: ErrorBody,
    },
    Cancelled,
}

impl JobEvent {
    pub fn name(&self) -> &'static str {
        match self {
            JobEvent::Queued => "queued",
            JobEvent::Progress { .. } => "progress",
            JobEvent::Done { .. } => "done",
            JobEvent::Failed { .. } => "failed",
            JobEvent::Cancelled => "cancelled",
        }
    }

    /// Whether no event follows this one.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            JobEvent::Done { .. } | JobEvent::Failed { .. } | JobEvent::Cancelled
        )
    }
}

/// A running or recently finished job.
#[derive(Debug)]
pub struct Job {
    pub id: String,
    pub tool: String,
    pub owner: Caller,
    pub cancel: Cancel,
    tx: broadcast::Sender<JobEvent>,
    latest: Mutex<JobEvent>,
}

impl Job {
    /// Records and broadcasts an event.
    pub fn emit(&self, event: JobEvent) {
        // Sending under the lock keeps `follow` from seeing an event twice or missing one.
        let mut latest = self.latest.lock().unwrap_or_else(|p| p.into_inner());
        *latest = event.clone();
        let _ = self.tx.send(event);
    }

    /// The latest event and a subscription to the following ones.
    pub fn follow(&self) -> (JobEvent, broadcast::Receiver<JobEvent>) {
        let latest = self.latest.lock().unwrap_or_else(|p| p.into_inner());
        (latest.clone(), self.tx.subscribe())
    }

    /// Whether the job has ended (done, failed or cancelled).
    pub fn is_finished(&self) -> bool {
        self.latest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_final()
    }

    /// Whether `caller` may watch or cancel this job.
    pub fn visible_to(&self, caller: &Caller) -> bool {
        caller.role == Role::Host
            || (self.owner.session_id.is_some() && self.owner.session_id == caller.session_id)
    }
}

/// The job table.
#[derive(Debug, Default)]
pub struct Jobs {
    inner: Mutex<JobsInner>,
}

#[derive(Debug, Default)]
struct JobsInner {
    map: HashMap<String, Arc<Job>>,
    /// Caller-chosen ids cancelled before their job was registered (the desktop's `run_tool`
    /// and `cancel_run` race in the IPC): such a job starts cancelled. Bounded; the UI's ids
    /// are random and never reused.
    cancelled_early: VecDeque<String>,
}

impl Jobs {
    /// Registers a new job of `tool` for `owner`, under `job_id` if the caller chose one (it
    /// must not be empty nor the id of a job still running), else under a fresh random id.
    pub fn create(
        &self,
        tool: &str,
        owner: Caller,
        job_id: Option<String>,
    ) -> Result<Arc<Job>, ApiError> {
        let id = match job_id {
            Some(id) if id.is_empty() => {
                return Err(ToolError::invalid("job_id", "must not be empty").into())
            }
            Some(id) => id,
            None => crate::access::new_token()[..16].to_string(),
        };
        let mut inner = self.lock();
        if inner.map.get(&id).is_some_and(|job| !job.is_finished()) {
            return Err(ToolError::invalid(
                "job_id",
                format!("a run with job id '{id}' is running"),
            )
            .into());
        }
        let cancel = Cancel::new();
        if let Some(pos) = inner.cancelled_early.iter().position(|x| *x == id) {
            inner.cancelled_early.remove(pos);
            cancel.cancel();
        }
        let (tx, _) = broadcast::channel(64);
        let job = Arc::new(Job {
            id: id.clone(),
            tool: tool.to_string(),
            owner,
            cancel,
            tx,
            latest: Mutex::new(JobEvent::Queued),
        });
        inner.map.insert(id, job.clone());
        Ok(job)
    }

    /// The job registered under `id` that `caller` may see.
    pub fn get_visible(&self, id: &str, caller: &Caller) -> Result<Arc<Job>, ApiError> {
        self.get(id)
            .filter(|j| j.visible_to(caller))
            .ok_or_else(|| ApiError::NotFound {
                what: format!("job {id}"),
            })
    }

    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        self.lock().map.get(id).cloned()
    }

    /// Forgets `job` (not a newer job that reuses its id).
    pub fn remove(&self, job: &Arc<Job>) {
        let mut inner = self.lock();
        if inner.map.get(&job.id).is_some_and(|j| Arc::ptr_eq(j, job)) {
            inner.map.remove(&job.id);
        }
    }

    /// Asks the running job `id` to stop; `false` if `caller` has no such job running, and
    /// then a job registered later under `id` starts cancelled.
    pub fn cancel_or_remember(&self, id: &str, caller: &Caller) -> bool {
        let mut inner = self.lock();
        match inner.map.get(id).filter(|j| !j.is_finished()) {
            Some(job) if job.visible_to(caller) => {
                job.cancel.cancel();
                true
            }
            Some(_) => false,
            None => {
                if inner.cancelled_early.len() >= MAX_EARLY_CANCELS {
                    inner.cancelled_early.pop_front();
                }
                inner.cancelled_early.push_back(id.to_string());
                false
            }
        }
    }

    /// Ids of the jobs still running.
    pub fn running(&self) -> Vec<String> {
        self.lock()
            .map
            .values()
            .filter(|j| !j.is_finished())
            .map(|j| j.id.clone())
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, JobsInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A run's parameters as they reach the pipeline.
#[derive(Debug)]
pub enum Params {
    /// Parsed already (the desktop, tests): the job takes its queue place when it is created.
    Value(Value),
    /// A request body as it came, with the queue place taken before it was read; parsed on the
    /// blocking pool once the run holds its slot.
    Body { bytes: Bytes, place: Place },
}

impl From<Value> for Params {
    fn from(v: Value) -> Self {
        Params::Value(v)
    }
}

impl Params {
    /// The parameters as JSON (blocking work for a big body), and the queue place to hold until
    /// the run ends.
    pub fn parse(self) -> Result<(Value, Place), ApiError> {
        match self {
            Params::Value(v) => Ok((v, Place::exempt())),
            Params::Body { bytes, place } => Ok((crate::parse_params(&bytes)?, place)),
        }
    }
}

/// A finished, recorded run.
#[derive(Debug)]
pub struct RunDone {
    pub result: ToolResult,
    /// The result as the history stored it (its Arrow IPC stream, reused by an HTTP answer in
    /// Arrow; JSON for a result without an Arrow form).
    pub encoded: EncodedResult,
    /// Its history entry.
    pub summary: RunSummary,
}

/// Cancels a job whose waiter went away (an HTTP request dropped) before it finished.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

impl Platform {
    /// Starts `tool` as a background job of `caller` (under `job_id` if given): its events are
    /// broadcast to followers and it stays queryable [`KEEP_FINISHED`] after it ends.
    pub fn start_job(
        self: &Arc<Self>,
        caller: &Caller,
        tool: &str,
        params: impl Into<Params>,
        job_id: Option<String>,
    ) -> Result<Arc<Job>, ApiError> {
        self.spawn_job(caller, tool, params.into(), job_id, Progress::none(), None)
    }

    /// Runs `tool` as a job of `caller` and waits for it; `progress` receives every progress
    /// report as it happens. The job leaves the table when it ends; dropping the future
    /// cancels it.
    pub async fn run_job(
        self: &Arc<Self>,
        caller: &Caller,
        tool: &str,
        params: impl Into<Params>,
        job_id: Option<String>,
        progress: Progress,
    ) -> Result<RunDone, ApiError> {
        let (tx, rx) = oneshot::channel();
        let job = self.spawn_job(caller, tool, params.into(), job_id, progress, Some(tx))?;
        let _cancel_if_dropped = CancelOnDrop(job.cancel.clone());
        rx.await.map_err(|_| ApiError::Internal {
            reason: "the run stopped unexpectedly".into(),
        })?
    }

    /// Registers a job and runs it on the async runtime. With `deliver`, the outcome goes there
    /// and the job is forgotten at once; without, it lingers for followers. Parameters given
    /// parsed take their queue place here (a guest over a bound: 429).
    fn spawn_job(
        self: &Arc<Self>,
        caller: &Caller,
        tool: &str,
        params: Params,
        job_id: Option<String>,
        forward: Progress,
        deliver: Option<oneshot::Sender<Result<RunDone, ApiError>>>,
    ) -> Result<Arc<Job>, ApiError> {
        let queued = match &params {
            Params::Value(_) => self.queue.enter(caller)?,
            Params::Body { .. } => Place::exempt(),
        };
        let job = self.jobs.create(tool, caller.clone(), job_id)?;
        // A run nobody follows gets no sink, so tools skip building live data for it.
        let progress = if forward.is_connected() || deliver.is_none() {
            let job = job.clone();
            Progress::with_points(move |fraction, message, points| {
                match points {
                    Some(points) => forward.report_points(fraction, message, points),
                    None => forward.report(fraction, message),
                }
                // Points that cannot be encoded (never for finite values) are left out; the
                // final result still carries them.
                let append_arrow = points.and_then(|p| live_points_base64(p).ok());
                job.emit(JobEvent::Progress {
                    fraction,
                    message: message.to_string(),
                    append_arrow,
                })
            })
        } else {
            Progress::none()
        };
        let (platform, caller, tool) = (self.clone(), caller.clone(), tool.to_string());
        let running = job.clone();
        tokio::spawn(async move {
            let outcome = platform
                .run_recorded(&caller, &tool, params, progress, running.cancel.clone())
                .await;
            drop(queued);
            running.emit(match &outcome {
                Ok((_, _, summary)) => JobEvent::Done { run_id: summary.id },
                Err(ApiError::Tool(ToolError::Cancelled)) => JobEvent::Cancelled,
                Err(e) => JobEvent::Failed { error: e.body() },
            });
            match deliver {
                Some(tx) => {
                    platform.jobs.remove(&running);
                    let _ = tx.send(outcome.map(|(result, encoded, summary)| RunDone {
                        result,
                        encoded,
                        summary,
                    }));
                }
                None => {
                    tokio::time::sleep(KEEP_FINISHED).await;
                    platform.jobs.remove(&running);
                }
            }
        });
        Ok(job)
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn progress_events_carry_live_points_only_when_there_are_some() {
        let plain = JobEvent::Progress {
            fraction: 0.5,
            message: "half".into(),
            append_arrow: None,
        };
        assert_eq!(
            serde_json::to_value(&plain).unwrap(),
            json!({"type": "progress", "fraction": 0.5, "message": "half"})
        );
        let points = [cristallo_core::Series::new(
            "s",
            "",
            "",
            vec![1.0],
            vec![2.0],
        )];
        let live = JobEvent::Progress {
            fraction: 0.5,
            message: "point 3".into(),
            append_arrow: Some(live_points_base64(&points).unwrap()),
        };
        let sent = serde_json::to_value(&live).unwrap();
        let text = sent["append_arrow"].as_str().unwrap();
        assert_eq!(
            cristallo_core::result::live::live_points_from_base64(text).unwrap(),
            points
        );
        assert!(!live.is_final());
    }

    fn host() -> Caller {
        Caller::host()
    }

    #[test]
    fn a_caller_chosen_id_is_refused_while_its_job_runs_and_free_once_it_ends() {
        let jobs = Jobs::default();
        let error = jobs
            .create("modal", host(), Some(String::new()))
            .unwrap_err();
        assert_eq!(error.body().field.as_deref(), Some("job_id"));
        let first = jobs.create("modal", host(), Some("a".into())).unwrap();
        assert_eq!(jobs.running(), vec!["a".to_string()]);
        let error = jobs.create("modal", host(), Some("a".into())).unwrap_err();
        assert_eq!(
            error.body().error,
            "job_id: a run with job id 'a' is running"
        );
        first.emit(JobEvent::Cancelled);
        assert!(jobs.running().is_empty());
        let second = jobs.create("modal", host(), Some("a".into())).unwrap();
        // Forgetting the old job leaves the new one under the same id.
        jobs.remove(&first);
        assert!(Arc::ptr_eq(&jobs.get("a").unwrap(), &second));
        jobs.remove(&second);
        assert!(jobs.get("a").is_none());
    }

    #[test]
    fn a_cancel_before_the_job_exists_makes_it_start_cancelled_and_is_bounded() {
        let jobs = Jobs::default();
        assert!(!jobs.cancel_or_remember("early", &host()));
        let job = jobs.create("modal", host(), Some("early".into())).unwrap();
        assert!(job.cancel.is_cancelled());
        assert!(jobs.cancel_or_remember("early", &host()));
        job.emit(JobEvent::Cancelled);
        // Used up: the next job under that id runs normally.
        let again = jobs.create("modal", host(), Some("early".into())).unwrap();
        assert!(!again.cancel.is_cancelled());
        for i in 0..=MAX_EARLY_CANCELS {
            jobs.cancel_or_remember(&format!("id-{i}"), &host());
        }
        assert_eq!(jobs.lock().cancelled_early.len(), MAX_EARLY_CANCELS);
        // The oldest was forgotten.
        let job = jobs.create("modal", host(), Some("id-0".into())).unwrap();
        assert!(!job.cancel.is_cancelled());
    }
}
