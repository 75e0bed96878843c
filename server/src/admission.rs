//! Admission of guests' work before its body is read (docs/platform.md §5): the bounded queue of
//! jobs waiting or running, per guest session and for all guests together. A place is taken
//! before an upload body is read and held until the work ends; over a bound the request is
//! answered 429 with `Retry-After`, naming `queue`. The host is exempt: it never takes a place,
//! so guests filling the queue never lock it out (its runs still share the run slots, of which
//! guests together hold at most all but one).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::access::{Caller, Role};
use crate::ApiError;

/// How many guest jobs may wait or run at once.
#[derive(Debug, Clone)]
pub struct QueueLimits {
    /// Per guest session (guests signed in with a bearer token share one).
    pub per_session: usize,
    /// For all guests together.
    pub total: usize,
}

impl Default for QueueLimits {
    fn default() -> Self {
        Self {
            per_session: 4,
            total: 16,
        }
    }
}

/// What a refused caller is told to wait before trying again.
pub const QUEUE_RETRY_AFTER: Duration = Duration::from_secs(5);

/// The key of callers without a session (bearer-token guests).
const NO_SESSION: &str = "";

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_session: HashMap<String, usize>,
}

/// The guests' job queue.
#[derive(Debug, Default)]
pub struct JobQueue {
    limits: QueueLimits,
    counts: Arc<Mutex<Counts>>,
}

/// A place in the queue, given back when dropped (none held for the host).
#[derive(Debug)]
pub struct Place {
    held: Option<(Arc<Mutex<Counts>>, String)>,
}

impl Place {
    /// A place that counts against nothing (the host's, or work started outside a queue).
    pub fn exempt() -> Self {
        Self { held: None }
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some((counts, key)) = self.held.take() {
            let mut c = counts.lock().unwrap_or_else(|p| p.into_inner());
            c.total = c.total.saturating_sub(1);
            if let Some(n) = c.per_session.get_mut(&key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    c.per_session.remove(&key);
                }
            }
        }
    }
}

impl JobQueue {
    pub fn new(limits: QueueLimits) -> Self {
        Self {
            limits,
            counts: Arc::default(),
        }
    }

    /// A place for one job of `caller`: the host's is exempt; a guest over a bound gets 429.
    pub fn enter(&self, caller: &Caller) -> Result<Place, ApiError> {
        if caller.role == Role::Host {
            return Ok(Place::exempt());
        }
        let key = caller.session_id.as_deref().unwrap_or(NO_SESSION);
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let mine = c.per_session.get(key).copied().unwrap_or(0);
        let over = if mine >= self.limits.per_session {
            Some(format!(
                "you have {mine} jobs waiting or running, the most allowed per session; \
                 try again when one ends"
            ))
        } else if c.total >= self.limits.total {
            Some(format!(
                "guests have {} jobs waiting or running, the most allowed; try again shortly",
                c.total
            ))
        } else {
            None
        };
        if let Some(message) = over {
            return Err(ApiError::Busy {
                field: "queue".into(),
                message,
                retry_after_s: QUEUE_RETRY_AFTER.as_secs(),
            });
        }
        c.total += 1;
        c.per_session.insert(key.to_string(), mine + 1);
        Ok(Place {
            held: Some((self.counts.clone(), key.to_string())),
        })
    }

    /// Guest jobs waiting or running now.
    pub fn len(&self) -> usize {
        self.counts.lock().unwrap_or_else(|p| p.into_inner()).total
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest(session: Option<&str>) -> Caller {
        Caller {
            role: Role::Guest,
            name: "g".into(),
            session_id: session.map(str::to_string),
            can_modify: false,
        }
    }

    #[test]
    fn bounds_per_session_and_in_total_exempt_the_host() {
        let q = JobQueue::new(QueueLimits {
            per_session: 2,
            total: 3,
        });
        let a1 = q.enter(&guest(Some("a"))).unwrap();
        let _a2 = q.enter(&guest(Some("a"))).unwrap();
        let e = q.enter(&guest(Some("a"))).unwrap_err();
        assert_eq!(e.body().field.as_deref(), Some("queue"));
        assert!(e.body().error.contains("per session"), "{}", e.body().error);
        let _b1 = q.enter(&guest(None)).unwrap();
        let e = q.enter(&guest(Some("c"))).unwrap_err();
        assert!(
            e.body().error.contains("guests have 3"),
            "{}",
            e.body().error
        );
        assert_eq!(e.status(), axum::http::StatusCode::TOO_MANY_REQUESTS);
        let host: Vec<Place> = (0..10).map(|_| q.enter(&Caller::host()).unwrap()).collect();
        assert_eq!((host.len(), q.len()), (10, 3), "the host takes no place");
        drop(a1);
        assert!(q.enter(&guest(Some("c"))).is_ok(), "a place given back");
        assert_eq!(q.len(), 2, "and the new one given back on drop");
    }
}
