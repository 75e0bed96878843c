//! The binary answers of the desktop (`run_tool`, `get_run` with `format: "arrow"`): a small JSON
//! header and a result's Arrow IPC stream (docs/result-contract.md §6) in one raw IPC response,
//! which arrives in JavaScript as an ArrayBuffer.
//!
//! Layout: a 4-byte little-endian length `n`, `n` bytes of UTF-8 JSON (the header), zero bytes
//! up to the next multiple of 8, then the stream to the end. The padding keeps the stream
//! 8-byte aligned in the buffer, so the UI reads its `Float64` columns as typed-array views
//! without copying them (`ui/transport.js` `splitFrame`).

use cristallo_server::ApiError;
use serde::Serialize;

/// Alignment of the stream inside the frame.
const ALIGN: usize = 8;

/// The frame of `header` and a result's Arrow IPC `stream` (the bytes the history stored, so a
/// result is encoded once).
pub fn result_frame(header: &impl Serialize, stream: &[u8]) -> Result<Vec<u8>, ApiError> {
    let header = serde_json::to_vec(header).map_err(|e| ApiError::Internal {
        reason: format!("the answer's header: {e}"),
    })?;
    let n = u32::try_from(header.len()).map_err(|_| ApiError::Internal {
        reason: "the answer's header is over 4 GB".into(),
    })?;
    let start = (4 + header.len()).div_ceil(ALIGN) * ALIGN;
    let mut frame = Vec::with_capacity(start + stream.len());
    frame.extend_from_slice(&n.to_le_bytes());
    frame.extend_from_slice(&header);
    frame.resize(start, 0);
    frame.extend_from_slice(stream);
    Ok(frame)
}

/// The header and the stream of a frame, or what is wrong with it (the tests read answers so).
pub fn split_frame(frame: &[u8]) -> Result<(serde_json::Value, &[u8]), String> {
    let n = frame
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(|| format!("a frame of {} bytes has no header length", frame.len()))?;
    let start = (4 + n).div_ceil(ALIGN) * ALIGN;
    if frame.len() < start {
        return Err(format!(
            "a frame of {} bytes is shorter than its {n}-byte header",
            frame.len()
        ));
    }
    let header =
        serde_json::from_slice(&frame[4..4 + n]).map_err(|e| format!("the header: {e}"))?;
    Ok((header, &frame[start..]))
}
