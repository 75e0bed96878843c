//! Progress reporting and cooperative cancellation, shared by every long-running tool.
//! The edges decide where progress goes (a Tauri channel, a server event stream, nowhere).
//!
//! A progress report may carry points for a live view (`report_points`): each [`Series`] holds
//! the points appended to the series of that name in a live plot while the run goes on (the
//! final result still carries every series in full). The edges send them in the result's binary
//! form ([`crate::result::live`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::{Series, ToolError};

type Sink = dyn Fn(f64, &str, Option<&[Series]>) + Send + Sync;

/// Where a tool reports how far it is (fraction in [0, 1] and a short message).
#[derive(Clone, Default)]
pub struct Progress {
    sink: Option<Arc<Sink>>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("connected", &self.sink.is_some())
            .finish()
    }
}

impl Progress {
    /// Progress that goes nowhere (CLI, tests, quick tools).
    pub fn none() -> Self {
        Self::default()
    }

    /// Progress delivered to `sink` (live points, if any, are dropped).
    pub fn new(sink: impl Fn(f64, &str) + Send + Sync + 'static) -> Self {
        Self::with_points(move |fraction, message, _| sink(fraction, message))
    }

    /// Progress delivered to `sink`, with the live points of [`Self::report_points`].
    pub fn with_points(
        sink: impl Fn(f64, &str, Option<&[Series]>) + Send + Sync + 'static,
    ) -> Self {
        Self {
            sink: Some(Arc::new(sink)),
        }
    }

    /// Whether anyone listens (tools may skip building live points otherwise).
    pub fn is_connected(&self) -> bool {
        self.sink.is_some()
    }

    /// Reports `fraction` (clamped to [0, 1]) with a message.
    pub fn report(&self, fraction: f64, message: &str) {
        self.deliver(fraction, message, None);
    }

    /// Reports progress with points appended to the named series of a live plot.
    pub fn report_points(&self, fraction: f64, message: &str, points: &[Series]) {
        self.deliver(fraction, message, Some(points));
    }

    fn deliver(&self, fraction: f64, message: &str, points: Option<&[Series]>) {
        if let Some(sink) = &self.sink {
            let f = if fraction.is_finite() {
                fraction.clamp(0.0, 1.0)
            } else {
                0.0
            };
            sink(f, message, points);
        }
    }
}

/// A cancellation flag shared between the caller and a running tool.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A fresh, not-cancelled flag.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the run to stop at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Err(ToolError::Cancelled)` once cancellation was requested; tools call it between steps.
    pub fn check(&self) -> Result<(), ToolError> {
        if self.is_cancelled() {
            Err(ToolError::Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn progress_is_clamped_and_delivered() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let p = Progress::new(move |f, m| s.lock().unwrap().push((f, m.to_string())));
        p.report(1.5, "done");
        p.report(f64::NAN, "odd");
        assert_eq!(
            *seen.lock().unwrap(),
            vec![(1.0, "done".to_string()), (0.0, "odd".to_string())]
        );
    }

    #[test]
    fn live_points_reach_a_points_sink_only() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let p =
            Progress::with_points(move |f, _, d| s.lock().unwrap().push((f, d.map(<[_]>::to_vec))));
        let point = vec![Series::new("a", "", "", vec![1.0], vec![2.0])];
        p.report_points(0.5, "point 1", &point);
        p.report(0.6, "no data");
        assert_eq!(
            *seen.lock().unwrap(),
            vec![(0.5, Some(point.clone())), (0.6, None)]
        );
        // A plain sink still sees the fraction.
        let count = Arc::new(Mutex::new(0));
        let c = count.clone();
        Progress::new(move |_, _| *c.lock().unwrap() += 1).report_points(0.1, "x", &point);
        assert_eq!(*count.lock().unwrap(), 1);
        assert!(!Progress::none().is_connected());
    }

    #[test]
    fn cancel_is_shared_between_clones() {
        let c = Cancel::new();
        let d = c.clone();
        assert!(c.check().is_ok());
        d.cancel();
        assert_eq!(c.check(), Err(ToolError::Cancelled));
    }
}
