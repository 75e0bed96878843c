//! Live points of a running tool in the result's binary form, for the progress channels.
//!
//! A progress report may append points to the series of a live plot
//! ([`crate::Progress::report_points`]). The edges send them as the binary form of a result
//! (docs/result-contract.md §6) whose `tool` is [`LIVE_TOOL`] and whose series are exactly the
//! points to append (same names as in the final result), so one decoder reads both. Progress
//! channels carry text (server-sent events, the desktop's progress channel), so the stream
//! travels as standard base64 under the event's `append_arrow` key.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::arrow::{from_arrow_ipc, to_arrow_ipc};
use crate::{Series, ToolError, ToolResult};

/// The `tool` of a live-points stream.
pub const LIVE_TOOL: &str = "live";

/// `points` as an Arrow IPC stream (a result of tool [`LIVE_TOOL`] with these series only).
pub fn live_points_to_arrow_ipc(points: &[Series]) -> Result<Vec<u8>, ToolError> {
    let mut live = ToolResult::new(LIVE_TOOL, serde_json::Value::Null);
    live.series = points.to_vec();
    to_arrow_ipc(&live)
}

/// `points` as the base64 text of [`live_points_to_arrow_ipc`], for the `append_arrow` key.
pub fn live_points_base64(points: &[Series]) -> Result<String, ToolError> {
    live_points_to_arrow_ipc(points).map(|bytes| STANDARD.encode(bytes))
}

/// The points of an `append_arrow` text; a bad text or stream is an error saying what is wrong.
pub fn live_points_from_base64(text: &str) -> Result<Vec<Series>, ToolError> {
    let bytes = STANDARD
        .decode(text)
        .map_err(|e| ToolError::failed(format!("live points: not base64: {e}")))?;
    let result = from_arrow_ipc(&bytes)?;
    if result.tool != LIVE_TOOL {
        return Err(ToolError::failed(format!(
            "live points: the stream is a '{}' result, not '{LIVE_TOOL}'",
            result.tool
        )));
    }
    Ok(result.series)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_round_trip_bit_for_bit_and_share_their_axis() {
        let x = 0.1 + 0.2;
        let points: Vec<Series> = (1..=3)
            .map(|k| Series::new(format!("a_{k}"), "", "", vec![x], vec![k as f64 / 3.0]))
            .collect();
        let text = live_points_base64(&points).unwrap();
        assert_eq!(live_points_from_base64(&text).unwrap(), points);
        let bytes = live_points_to_arrow_ipc(&points).unwrap();
        let result = from_arrow_ipc(&bytes).unwrap();
        assert_eq!(result.tool, LIVE_TOOL);
    }

    #[test]
    fn bad_texts_are_errors() {
        assert!(live_points_from_base64("not base64!")
            .unwrap_err()
            .to_string()
            .contains("not base64"));
        let other = to_arrow_ipc(&ToolResult::new("modal", serde_json::Value::Null)).unwrap();
        let error = live_points_from_base64(&STANDARD.encode(other)).unwrap_err();
        assert!(error.to_string().contains("'modal' result"), "{error}");
    }
}
