//! Live progress of the `cbc` tool: every new point goes out with the progress event
//! (docs/cbc.md §4.3 item 7, §10 "live streaming"), so the UI can draw the branch while it grows.
//! The data payload is `{"append": [{"series": name, "x": p, "y": A_k}, …]}` with the series
//! names of the final result (`<prefix>_1..3`).

use crate::Progress;

/// Sends points and messages through a [`Progress`].
#[derive(Debug)]
pub struct Stream<'a> {
    progress: &'a Progress,
}

impl<'a> Stream<'a> {
    pub fn new(progress: &'a Progress) -> Self {
        Self { progress }
    }

    /// The rows appended to the series `<prefix>_1..3` for one point at x.
    pub fn append_payload(prefix: &str, x: f64, y: &[f64; 3]) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = y
            .iter()
            .enumerate()
            .map(|(k, v)| serde_json::json!({"series": format!("{prefix}_{}", k + 1), "x": x, "y": v}))
            .collect();
        serde_json::json!({ "append": rows })
    }

    /// A progress event carrying one new point of the series `<prefix>_1..3`.
    pub fn points(&self, fraction: f64, message: &str, prefix: &str, x: f64, y: &[f64; 3]) {
        if !(x.is_finite() && y.iter().all(|v| v.is_finite())) {
            self.message(fraction, message);
            return;
        }
        if self.progress.is_connected() {
            self.progress
                .report_data(fraction, message, Self::append_payload(prefix, x, y));
        }
    }

    /// A progress event without data.
    pub fn message(&self, fraction: f64, message: &str) {
        self.progress.report(fraction, message);
    }
}
