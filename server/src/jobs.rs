//! Background runs ("jobs") for long tools: started with `POST /api/tools/{id}/jobs`, followed
//! with `GET /api/jobs/{id}/events` (progress, then `done` with the history id, `failed` or
//! `cancelled`), cancelled with `DELETE /api/jobs/{id}`. A cancelled job leaves nothing in the
//! history. Only the caller who started a job (or the host) may watch or cancel it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cristallo_core::{Cancel, ErrorBody};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::access::{Caller, Role};

/// How long a finished job stays queryable.
pub const KEEP_FINISHED: Duration = Duration::from_secs(300);

/// One event of a job.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JobEvent {
    Queued,
    /// `data`: live data of the run (see `cristallo_core::Progress::report_data`).
    Progress {
        fraction: f64,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<Value>,
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

    /// Whether `caller` may watch or cancel this job.
    pub fn visible_to(&self, caller: &Caller) -> bool {
        caller.role == Role::Host
            || (self.owner.session_id.is_some() && self.owner.session_id == caller.session_id)
    }
}

/// The job table.
#[derive(Debug, Default)]
pub struct Jobs {
    map: Mutex<HashMap<String, Arc<Job>>>,
}

impl Jobs {
    /// Registers a new job of `tool` for `owner`.
    pub fn create(&self, tool: &str, owner: Caller) -> Arc<Job> {
        let (tx, _) = broadcast::channel(64);
        let job = Arc::new(Job {
            id: crate::access::new_token()[..16].to_string(),
            tool: tool.to_string(),
            owner,
            cancel: Cancel::new(),
            tx,
            latest: Mutex::new(JobEvent::Queued),
        });
        self.lock().insert(job.id.clone(), job.clone());
        job
    }

    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        self.lock().get(id).cloned()
    }

    pub fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Job>>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn progress_events_carry_live_data_only_when_there_is_some() {
        let plain = JobEvent::Progress {
            fraction: 0.5,
            message: "half".into(),
            data: None,
        };
        assert_eq!(
            serde_json::to_value(&plain).unwrap(),
            json!({"type": "progress", "fraction": 0.5, "message": "half"})
        );
        let point = json!({"append": [{"series": "s", "x": 1.0, "y": 2.0}]});
        let live = JobEvent::Progress {
            fraction: 0.5,
            message: "point 3".into(),
            data: Some(point.clone()),
        };
        assert_eq!(serde_json::to_value(&live).unwrap()["data"], point);
        assert!(!live.is_final());
    }
}
