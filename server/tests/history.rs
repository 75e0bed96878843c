//! Run history, live events and background jobs over HTTP (local mode: the caller is the host).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use cristallo_core::{Cancel, Progress, ToolError};
use cristallo_server::access::Caller;
use cristallo_server::{router, ApiError, AppConfig, Platform};
use futures_util::StreamExt;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

fn platform() -> (Arc<Platform>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (
        Platform::open(AppConfig::new(dir.path().to_path_buf())).unwrap(),
        dir,
    )
}

async fn call(app: Router, method: &str, path: &str, body: &str) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Reads server-sent events from a streaming body until `stop` says so (bounded by a timeout).
async fn read_events(
    app: Router,
    path: &str,
    mut stop: impl FnMut(&str, &Value) -> bool,
) -> Vec<(String, Value)> {
    let res = app
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut stream = res.into_body().into_data_stream();
    let mut buf = String::new();
    let mut events = Vec::new();
    let read = async {
        while let Some(chunk) = stream.next().await {
            buf.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                let name = block
                    .lines()
                    .find_map(|l| l.strip_prefix("event: "))
                    .unwrap_or("");
                let data = block
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .unwrap_or("null");
                let value: Value = serde_json::from_str(data).unwrap_or(Value::Null);
                let done = stop(name, &value);
                events.push((name.to_string(), value));
                if done {
                    return;
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("events timed out");
    events
}

#[tokio::test]
async fn every_run_is_recorded_and_can_be_reopened() {
    let (p, _dir) = platform();
    let app = router(p.clone());
    let (status, result) = call(
        app.clone(),
        "POST",
        "/api/tools/vibration-control/run",
        r#"{"strategy":"dvf"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, modal) = call(
        app.clone(),
        "POST",
        "/api/tools/modal/run",
        r#"{"f_step_hz": 0.5}"#,
    )
    .await;
    let (status, list) = call(app.clone(), "GET", "/api/runs", "").await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["tool"], "modal");
    assert_eq!(list[1]["who"], "host");
    assert_eq!(list[1]["scalars"], result["scalars"]);
    let id = list[1]["id"].as_i64().unwrap();
    let (status, record) = call(app.clone(), "GET", &format!("/api/runs/{id}"), "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        record["result"], result,
        "a reopened run is the run, at full resolution"
    );
    let (_, only_modal) = call(app.clone(), "GET", "/api/runs?tool=modal", "").await;
    assert_eq!(only_modal.as_array().unwrap().len(), 1);
    assert_eq!(only_modal[0]["params"], modal["params"]);
    let (status, _) = call(app.clone(), "DELETE", &format!("/api/runs/{id}"), "").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(app.clone(), "GET", &format!("/api/runs/{id}"), "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, v) = call(app.clone(), "GET", "/api/runs?limit=abc", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
}

#[tokio::test]
async fn failed_runs_leave_no_history() {
    let (p, _dir) = platform();
    let app = router(p.clone());
    let (status, _) = call(
        app.clone(),
        "POST",
        "/api/tools/vibration-control/run",
        r#"{"floor": 9}"#,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(p.store.count_runs().unwrap(), 0);
}

#[tokio::test]
async fn a_cancelled_run_leaves_no_history() {
    let (p, _dir) = platform();
    let cancel = Cancel::new();
    cancel.cancel();
    let err = p
        .run_tool(
            &Caller::host(),
            "modal",
            Value::Null,
            Progress::none(),
            cancel,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Tool(ToolError::Cancelled)), "{err}");
    assert_eq!(p.store.count_runs().unwrap(), 0);
}

#[tokio::test]
async fn history_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let p = Platform::open(AppConfig::new(dir.path().to_path_buf())).unwrap();
        call(router(p), "POST", "/api/tools/modal/run", "").await;
    }
    let p = Platform::open(AppConfig::new(dir.path().to_path_buf())).unwrap();
    let (_, list) = call(router(p), "GET", "/api/runs", "").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_live_stream_announces_runs_made_by_others() {
    let (p, _dir) = platform();
    let app = router(p.clone());
    let listener = tokio::spawn(read_events(app.clone(), "/api/events", |name, _| {
        name == "run_added"
    }));
    // Wait until the stream is subscribed (its hello is sent on subscription).
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, _) = call(
        app.clone(),
        "POST",
        "/api/tools/modal/run",
        r#"{"force_floor": 2}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let events = listener.await.unwrap();
    let (_, added) = events.iter().find(|(n, _)| n == "run_added").unwrap();
    assert_eq!(added["run"]["tool"], "modal");
    assert_eq!(added["run"]["params"]["force_floor"], 2);
}

/// Starts a vibration-control job with `body` and follows its events to the final one.
async fn run_job(app: Router, body: &str) -> Vec<(String, Value)> {
    let (status, v) = call(
        app.clone(),
        "POST",
        "/api/tools/vibration-control/jobs",
        body,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let job = v["job_id"].as_str().unwrap().to_string();
    read_events(app, &format!("/api/jobs/{job}/events"), |name, _| {
        matches!(name, "done" | "failed" | "cancelled")
    })
    .await
}

#[tokio::test]
async fn a_job_streams_to_done_and_lands_in_history() {
    let (p, _dir) = platform();
    let app = router(p.clone());
    let events = run_job(app.clone(), r#"{"strategy":"lqg"}"#).await;
    let (name, last) = events.last().unwrap();
    assert_eq!(name, "done", "{events:?}");
    let run_id = last["run_id"].as_i64().unwrap();
    let (status, record) = call(app.clone(), "GET", &format!("/api/runs/{run_id}"), "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(record["result"]["params"]["strategy"], "lqg");
}

#[tokio::test]
async fn a_job_with_bad_params_fails_naming_the_field() {
    let (p, _dir) = platform();
    let app = router(p.clone());
    let events = run_job(app.clone(), r#"{"proof_mass_kg": 0}"#).await;
    let (name, last) = events.last().unwrap();
    assert_eq!(name, "failed");
    assert_eq!(last["error"]["field"], "proof_mass_kg");
    assert_eq!(p.store.count_runs().unwrap(), 0);
    let (status, _) = call(app, "GET", "/api/jobs/nope/events", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_cbc_job_streams_its_points_in_the_binary_form() {
    let (p, _dir) = platform();
    let app = router(p.clone());
    let body = r#"{"mode": "amplitude_sweep", "forcing_points": 6, "forcing_max_n": 20.0}"#;
    let (status, v) = call(app.clone(), "POST", "/api/tools/cbc/jobs", body).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let job = v["job_id"].as_str().unwrap().to_string();
    let events = read_events(
        app.clone(),
        &format!("/api/jobs/{job}/events"),
        |name, _| matches!(name, "done" | "failed" | "cancelled"),
    )
    .await;
    let (name, last) = events.last().unwrap();
    assert_eq!(name, "done", "{events:?}");
    let run_id = last["run_id"].as_i64().unwrap();
    let (_, record) = call(app, "GET", &format!("/api/runs/{run_id}"), "").await;
    let result: cristallo_core::ToolResult =
        serde_json::from_value(record["result"].clone()).unwrap();

    // Every streamed point is a point of the final result, bit for bit; no JSON arrays.
    let mut streamed = 0;
    for (_, event) in events.iter().filter(|(n, _)| n == "progress") {
        assert!(event.get("data").is_none(), "a JSON data payload: {event}");
        let Some(text) = event["append_arrow"].as_str() else {
            continue;
        };
        for point in cristallo_core::result::live::live_points_from_base64(text).unwrap() {
            let series = result.series.iter().find(|s| s.name == point.name).unwrap();
            let at = series
                .x
                .iter()
                .position(|x| x.to_bits() == point.x[0].to_bits());
            let at =
                at.unwrap_or_else(|| panic!("{} x {} not in the result", point.name, point.x[0]));
            assert_eq!(
                series.y[at].to_bits(),
                point.y[0].to_bits(),
                "{}",
                point.name
            );
            streamed += 1;
        }
    }
    assert!(streamed > 0, "no live points among {} events", events.len());
}
