//! The binary (Arrow IPC) form of results on the HTTP API: `Accept` negotiation on
//! `POST /api/tools/{id}/run` and `GET /api/runs/{id}?format=arrow`, the numbers checked bit for bit
//! against the JSON answer with our decoder and with arrow's own `StreamReader`.

use arrow_array::{Array, Float64Array, ListArray};
use arrow_ipc::reader::StreamReader;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use cristallo_core::result::arrow::{from_arrow_ipc, ARROW_STREAM_MEDIA_TYPE};
use cristallo_core::ToolResult;
use cristallo_server::{router, AppConfig, Platform};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

fn test_app() -> Router {
    let dir = tempfile::tempdir().unwrap().keep();
    router(Platform::open(AppConfig::new(dir)).unwrap())
}

/// Status, content type, run id header and body of `req`.
async fn send(app: &Router, req: Request<Body>) -> (StatusCode, String, Option<i64>, Vec<u8>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let header_text = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let content_type = header_text("content-type").unwrap_or_default();
    let run_id = header_text("x-cristallo-run-id").map(|v| v.parse().unwrap());
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, content_type, run_id, bytes)
}

fn run_request(tool: &str, accept: Option<&str>) -> Request<Body> {
    let mut req =
        Request::post(format!("/api/tools/{tool}/run")).header("content-type", "application/json");
    if let Some(accept) = accept {
        req = req.header(header::ACCEPT, accept);
    }
    req.body(Body::from("{}")).unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

/// Panics unless `a` and `b` hold the same f64 values bit for bit.
fn assert_same_bits(what: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ");
    for (i, (p, q)) in a.iter().zip(b).enumerate() {
        assert_eq!(p.to_bits(), q.to_bits(), "{what}[{i}]: {p} vs {q}");
    }
}

/// Checks the Arrow body against the JSON result: with `from_arrow_ipc` (every field, every
/// series bit for bit) and with arrow's `StreamReader` (each series' y column and x column).
fn assert_arrow_matches_json(label: &str, arrow: &[u8], json: &ToolResult) {
    let decoded = from_arrow_ipc(arrow).unwrap_or_else(|e| panic!("{label}: {e}"));
    assert_eq!(&decoded, json, "{label}");
    for (a, b) in decoded.series.iter().zip(&json.series) {
        assert_same_bits(&format!("{label} {} x", a.name), &a.x, &b.x);
        assert_same_bits(&format!("{label} {} y", a.name), &a.y, &b.y);
    }

    let mut reader = StreamReader::try_new(arrow, None).unwrap();
    let meta: Value = serde_json::from_str(&reader.schema().metadata["cristallo.result"]).unwrap();
    let batch = reader.next().unwrap().unwrap();
    assert_eq!(batch.num_rows(), 1, "{label}");
    assert!(reader.next().is_none(), "{label}: one record batch");
    let values = |column: &str| -> Vec<f64> {
        let list = batch
            .column_by_name(column)
            .unwrap_or_else(|| panic!("{label}: no column {column}"))
            .as_any()
            .downcast_ref::<ListArray>()
            .unwrap()
            .value(0);
        let floats = list.as_any().downcast_ref::<Float64Array>().unwrap();
        floats.values().to_vec()
    };
    assert!(!json.series.is_empty(), "{label}: no series to compare");
    for (s, m) in json.series.iter().zip(meta["series"].as_array().unwrap()) {
        assert_eq!(m["name"], s.name.as_str(), "{label}");
        assert_eq!(m["y_column"], format!("y:{}", s.name), "{label}");
        let x_column = m["x_column"].as_str().unwrap();
        assert_same_bits(
            &format!("{label} reader {} y", s.name),
            &values(&format!("y:{}", s.name)),
            &s.y,
        );
        assert_same_bits(
            &format!("{label} reader {} x", s.name),
            &values(x_column),
            &s.x,
        );
    }
}

#[tokio::test]
async fn arrow_answers_hold_the_json_answers_numbers() {
    let app = test_app();
    for tool in ["modal", "vibration-control"] {
        let (status, content_type, json_id, json_bytes) = send(&app, run_request(tool, None)).await;
        assert_eq!(status, StatusCode::OK, "{tool}");
        assert_eq!(content_type, "application/json", "{tool}");
        let json: ToolResult = serde_json::from_slice(&json_bytes).unwrap();

        let accept = format!("application/json;q=0.5, {ARROW_STREAM_MEDIA_TYPE}");
        let (status, content_type, arrow_id, arrow) =
            send(&app, run_request(tool, Some(&accept))).await;
        assert_eq!(status, StatusCode::OK, "{tool}");
        assert_eq!(content_type, ARROW_STREAM_MEDIA_TYPE, "{tool}");
        assert!(
            arrow_id.is_some() && arrow_id != json_id,
            "{tool}: a run of its own"
        );
        assert_arrow_matches_json(&format!("{tool} run"), &arrow, &json);
        println!(
            "{tool} default: JSON {} bytes, Arrow {} bytes",
            json_bytes.len(),
            arrow.len()
        );

        // The history keeps the stream it answered: the same bytes come back.
        let (_, _, _, kept) = send(
            &app,
            get(&format!("/api/runs/{}?format=arrow", arrow_id.unwrap())),
        )
        .await;
        assert_eq!(kept, arrow, "{tool}: the stored stream, not a new encoding");

        // The run answered as JSON, stored as Arrow too.
        let id = json_id.unwrap();
        let (status, content_type, _, stored) =
            send(&app, get(&format!("/api/runs/{id}?format=arrow"))).await;
        assert_eq!(status, StatusCode::OK, "{tool}");
        assert_eq!(content_type, ARROW_STREAM_MEDIA_TYPE, "{tool}");
        assert_arrow_matches_json(&format!("{tool} stored"), &stored, &json);

        // format=json is today's answer, byte for byte.
        let (_, _, _, plain) = send(&app, get(&format!("/api/runs/{id}"))).await;
        let (status, content_type, _, explicit) =
            send(&app, get(&format!("/api/runs/{id}?format=json"))).await;
        assert_eq!(status, StatusCode::OK, "{tool}");
        assert_eq!(content_type, "application/json", "{tool}");
        assert_eq!(plain, explicit, "{tool}");
        let record: Value = serde_json::from_slice(&plain).unwrap();
        assert_eq!(
            serde_json::from_value::<ToolResult>(record["result"].clone()).unwrap(),
            json
        );
    }
}

#[tokio::test]
async fn json_stays_the_default_answer() {
    let app = test_app();
    for accept in [
        None,
        Some("application/json"),
        Some("*/*"),
        Some("application/vnd.apache.arrow.file"),
        Some("application/vnd.apache.arrow.stream;q=0"),
    ] {
        let (status, content_type, _, body) = send(&app, run_request("modal", accept)).await;
        assert_eq!(status, StatusCode::OK, "{accept:?}");
        assert_eq!(content_type, "application/json", "{accept:?}");
        serde_json::from_slice::<ToolResult>(&body).unwrap();
    }
}

#[tokio::test]
async fn bad_format_is_400_naming_format() {
    let app = test_app();
    let (_, _, id, _) = send(&app, run_request("modal", None)).await;
    let id = id.unwrap();
    for query in ["format=xlsx", "format=", "format=ARROW"] {
        let (status, _, _, body) = send(&app, get(&format!("/api/runs/{id}?{query}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["field"], "format", "{query}: {v}");
        assert!(v["error"].as_str().unwrap().starts_with("format: "), "{v}");
    }
    let (status, _, _, _) = send(&app, get("/api/runs/999999?format=arrow")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
