//! Running tools: `run_tool` (a job of the platform's pipeline, progress streamed to the
//! window) and `cancel_run`.

use cristallo_core::result::live::live_points_base64;
use cristallo_core::Progress;
use cristallo_server::access::Caller;
use cristallo_server::ApiError;
use serde_json::{json, Value};
use tauri::ipc::{Channel, JavaScriptChannelId, Response};
use tauri::{Runtime, Webview};

use super::frame::result_frame;
use super::{blocking, body, Answer, Shared};

/// Runs tool `tool` with the JSON object `params` as the host and answers the result in its
/// binary form: raw bytes (an ArrayBuffer in JavaScript) framed as in [`super::frame`], the
/// header `{"run_id": N}` (its history id) and the result's Arrow IPC stream (the same result
/// as `POST /api/tools/{id}/run` answers); or `{error, field}`. Like every run, it is a job of
/// the platform's one pipeline: it waits for a run slot, executes on a blocking worker, is
/// recorded in the history and announced to everyone connected (`run_added`). With `jobId`,
/// `cancel_run {jobId}` stops it (a cancelled run leaves no history entry); `onProgress`
/// receives `{fraction, message, data?}` as it goes.
#[tauri::command]
pub async fn run_tool<R: Runtime>(
    webview: Webview<R>,
    platform: Shared<'_>,
    tool: String,
    params: Value,
    job_id: Option<String>,
    on_progress: Option<JavaScriptChannelId>,
) -> Answer<Response> {
    let progress = match on_progress {
        Some(id) => {
            let channel: Channel<Value> = id.channel_on(webview);
            Progress::with_points(move |fraction, message, points| {
                // A closed window just stops listening; the run goes on.
                let mut update = json!({ "fraction": fraction, "message": message });
                if let Some(text) = points.and_then(|p| live_points_base64(p).ok()) {
                    update["append_arrow"] = Value::String(text);
                }
                let _ = channel.send(update);
            })
        }
        None => Progress::none(),
    };
    let done = platform
        .run_job(&Caller::host(), &tool, params, job_id, progress)
        .await
        .map_err(body)?;
    let run_id = done.summary.id;
    blocking(move || {
        let stream = done.encoded.into_arrow()?;
        result_frame(&json!({ "run_id": run_id }), &stream)
    })
    .await
    .map(Response::new)
}

/// Stops the run started with `jobId` (it answers "cancelled" and leaves no history entry).
/// Unknown id: `{error: "no such job …"}`; if that run starts afterwards, it starts cancelled.
#[tauri::command]
pub fn cancel_run(platform: Shared<'_>, job_id: String) -> Answer<()> {
    if platform.jobs.cancel_or_remember(&job_id, &Caller::host()) {
        Ok(())
    } else {
        Err(body(ApiError::NotFound {
            what: format!("job {job_id}"),
        }))
    }
}
