//! The IPC commands of the desktop shell. They live in their own module because
//! `#[tauri::command]` generates helper macros that clash with items at the crate root.

use cristallo_core::{Cancel, ErrorBody, Progress, ToolInfo, ToolResult};
use serde_json::Value;

/// Ids, titles, categories and parameter schemas of all tools; the UI builds its home page and
/// forms from it.
#[tauri::command]
pub fn list_tools() -> Vec<ToolInfo> {
    cristallo_core::catalogue()
}

/// Runs tool `tool` with the JSON object `params` on a blocking worker thread (so the
/// window's event loop never waits for a calculation) and returns the result object, or the
/// error shape shared with the HTTP API.
#[tauri::command]
pub async fn run_tool(tool: String, params: Value) -> Result<ToolResult, ErrorBody> {
    let job = tauri::async_runtime::spawn_blocking(move || {
        cristallo_core::run(&tool, &params, &Progress::none(), &Cancel::new())
            .map_err(|e| ErrorBody::from(&e))
    });
    match job.await {
        Ok(outcome) => outcome,
        // The worker panicked or was aborted: report it instead of taking the window down.
        Err(e) => Err(ErrorBody::message(format!(
            "the tool run did not finish: {e}"
        ))),
    }
}
