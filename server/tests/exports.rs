//! The exports of a stored run, `GET /api/runs/{id}?format=json|arrow|parquet|csv`: media
//! types, download names, the bytes of each form, and bad requests (unknown format, an id that
//! is not a number, a run that does not exist), each a clear error naming its field.

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use axum::Router;
use cristallo_core::result::arrow::from_arrow_ipc;
use cristallo_core::ToolResult;
use cristallo_server::export::csv::result_to_csv;
use cristallo_server::{router, AppConfig, Platform};
use http_body_util::BodyExt;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;
use tower::ServiceExt;

fn test_app() -> (Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let app = router(Platform::open(AppConfig::new(dir.path().to_path_buf())).unwrap());
    (app, dir)
}

/// Status, the headers the exports set, and the body.
struct Answer {
    status: StatusCode,
    content_type: String,
    disposition: Option<String>,
    run_id: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

async fn send(app: &Router, method: &str, path: &str) -> Answer {
    let body = if method == "POST" { "{}" } else { "" };
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    Answer {
        status: res.status(),
        content_type: header("content-type").unwrap_or_default(),
        disposition: header("content-disposition"),
        run_id: header("x-cristallo-run-id"),
        body: res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    }
}

async fn run_modal(app: &Router) -> (i64, ToolResult) {
    let a = send(app, "POST", "/api/tools/modal/run").await;
    assert_eq!(a.status, StatusCode::OK);
    (
        a.run_id.unwrap().parse().unwrap(),
        serde_json::from_slice(&a.body).unwrap(),
    )
}

#[tokio::test]
async fn every_format_is_a_download_of_the_stored_run() {
    let (app, _dir) = test_app();
    let (id, result) = run_modal(&app).await;

    let json = send(&app, "GET", &format!("/api/runs/{id}")).await;
    assert_eq!(
        (json.status, json.content_type.as_str()),
        (StatusCode::OK, "application/json")
    );
    assert_eq!(
        json.disposition, None,
        "the JSON record is read by the UI, not downloaded"
    );
    let record = json.json();
    assert_eq!(record["id"], id);
    assert_eq!(record["tool"], "modal");
    assert_eq!(
        serde_json::from_value::<ToolResult>(record["result"].clone()).unwrap(),
        result
    );

    let arrow = send(&app, "GET", &format!("/api/runs/{id}?format=arrow")).await;
    assert_eq!(arrow.status, StatusCode::OK);
    assert_eq!(arrow.content_type, "application/vnd.apache.arrow.stream");
    assert_eq!(
        arrow.disposition.as_deref(),
        Some(format!("attachment; filename=\"modal-run-{id}.arrow\"").as_str())
    );
    assert_eq!(arrow.run_id, Some(id.to_string()));
    assert_eq!(from_arrow_ipc(&arrow.body).unwrap(), result);

    let parquet = send(&app, "GET", &format!("/api/runs/{id}?format=parquet")).await;
    assert_eq!(parquet.status, StatusCode::OK);
    assert_eq!(parquet.content_type, "application/vnd.apache.parquet");
    assert_eq!(
        parquet.disposition.as_deref(),
        Some(format!("attachment; filename=\"modal-run-{id}.parquet\"").as_str())
    );
    let reader = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(parquet.body)).unwrap();
    let columns: Vec<String> = reader
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let expected: Vec<String> = result
        .series
        .iter()
        .map(|s| format!("y:{}", s.name))
        .collect();
    for name in &expected {
        assert!(columns.contains(name), "{name} in {columns:?}");
    }
    let rows: usize = reader.build().unwrap().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 1);

    let csv = send(&app, "GET", &format!("/api/runs/{id}?format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.content_type, "text/csv; charset=utf-8");
    assert_eq!(
        csv.disposition.as_deref(),
        Some(format!("attachment; filename=\"modal-run-{id}.csv\"").as_str())
    );
    assert_eq!(String::from_utf8(csv.body).unwrap(), result_to_csv(&result));
}

#[tokio::test]
async fn bad_requests_name_their_field() {
    let (app, _dir) = test_app();
    let (id, _) = run_modal(&app).await;
    for query in [
        "format=xlsx",
        "format=",
        "format=Parquet",
        "format=csv&format=json",
        "formats=csv",
    ] {
        let a = send(&app, "GET", &format!("/api/runs/{id}?{query}")).await;
        // An unknown key is ignored (as before); every bad `format` value is a 400.
        if query == "formats=csv" {
            assert_eq!(a.status, StatusCode::OK, "{query}");
            continue;
        }
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{query}");
        let v = a.json();
        assert_eq!(v["field"], "format", "{query}: {v}");
        assert!(
            v["error"].as_str().unwrap().starts_with("format: "),
            "{query}: {v}"
        );
    }
    let v = send(&app, "GET", &format!("/api/runs/{id}?format=xlsx"))
        .await
        .json();
    let message = v["error"].as_str().unwrap();
    for name in ["json", "arrow", "parquet", "csv", "xlsx"] {
        assert!(message.contains(name), "{message}");
    }
    for format in [
        "",
        "?format=json",
        "?format=arrow",
        "?format=parquet",
        "?format=csv",
    ] {
        for path in ["abc", "1.5", "-", "99999999999999999999"] {
            let a = send(&app, "GET", &format!("/api/runs/{path}{format}")).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{path}{format}");
            let v = a.json();
            assert_eq!(v["field"], "id", "{path}{format}: {v}");
        }
        let a = send(&app, "GET", &format!("/api/runs/424242{format}")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{format}");
        assert_eq!(a.json()["error"], "no such run 424242", "{format}");
    }
    for path in ["/api/runs/abc/figures", "/api/runs/abc/report.html"] {
        let a = send(&app, "GET", path).await;
        assert_eq!(
            (a.status, a.json()["field"].clone()),
            (StatusCode::BAD_REQUEST, "id".into()),
            "{path}"
        );
    }
    let a = send(&app, "DELETE", "/api/runs/abc").await;
    assert_eq!(
        (a.status, a.json()["field"].clone()),
        (StatusCode::BAD_REQUEST, "id".into())
    );
}
