//! Live progress of the `cbc` tool: every new point goes out with the progress event
//! (docs/cbc.md §4.3 item 7, §10 "live streaming"), so the UI can draw the branch while it grows.
//! The points go out as three one-point series named as in the final result (`<prefix>_1..3`),
//! which the edges send in the result's binary form (docs/result-contract.md §6).

use crate::{Progress, Series};

/// Sends points and messages through a [`Progress`].
#[derive(Debug)]
pub struct Stream<'a> {
    progress: &'a Progress,
}

impl<'a> Stream<'a> {
    pub fn new(progress: &'a Progress) -> Self {
        Self { progress }
    }

    /// The one-point series appended to `<prefix>_1..3` for one point at x.
    pub fn append_points(prefix: &str, x: f64, y: &[f64; 3]) -> Vec<Series> {
        y.iter()
            .enumerate()
            .map(|(k, v)| Series::new(format!("{prefix}_{}", k + 1), "", "", vec![x], vec![*v]))
            .collect()
    }

    /// A progress event carrying one new point of the series `<prefix>_1..3`.
    pub fn points(&self, fraction: f64, message: &str, prefix: &str, x: f64, y: &[f64; 3]) {
        if !(x.is_finite() && y.iter().all(|v| v.is_finite())) {
            self.message(fraction, message);
            return;
        }
        if self.progress.is_connected() {
            self.progress
                .report_points(fraction, message, &Self::append_points(prefix, x, y));
        }
    }

    /// A progress event without data.
    pub fn message(&self, fraction: f64, message: &str) {
        self.progress.report(fraction, message);
    }
}
