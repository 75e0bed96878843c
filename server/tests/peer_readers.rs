//! Independent readers of the exports (tests/peer/README.md): every tool's default run, read
//! from `GET /api/runs/{id}?format=arrow|parquet` by pyarrow and compared with its JSON form bit
//! for bit, and its `?format=csv` compared with the UI's own CSV of the JSON (Node.js).

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use cristallo_core::registry::TOOLS;
use cristallo_server::{router, AppConfig, Platform};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::value::RawValue;
use tower::ServiceExt;

/// The part of a `GET /api/runs/{id}` answer compared here: the result's text as sent.
#[derive(Deserialize)]
struct Record {
    result: Box<RawValue>,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Python that has pyarrow: `CRISTALLO_PEER_PYTHON`, else `.venv-peer` made by
/// scripts/setup.sh. Missing is a failure saying how to get it, never a skip.
fn peer_python() -> PathBuf {
    let python = std::env::var_os("CRISTALLO_PEER_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv-peer/bin/python"));
    assert!(
        python.exists(),
        "{} is missing: run `make setup` (scripts/setup.sh creates .venv-peer with \
         tests/peer/requirements.txt) or set CRISTALLO_PEER_PYTHON to a Python with pyarrow",
        python.display()
    );
    python
}

async fn send(app: &Router, method: &str, path: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(Body::from(if method == "POST" { "{}" } else { "" }))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let id = res
        .headers()
        .get("x-cristallo-run-id")
        .map(|v| v.to_str().unwrap().to_string());
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, id, body)
}

fn output(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what} could not start: {e}"));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[tokio::test(flavor = "multi_thread")]
async fn every_tools_default_run_reads_the_same_in_pyarrow_and_the_uis_csv() {
    let python = peer_python();
    let data = tempfile::tempdir().unwrap();
    let app = router(Platform::open(AppConfig::new(data.path().to_path_buf())).unwrap());
    let files = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    assert_eq!(TOOLS.len(), 10, "a new tool: it is checked here too");
    for tool in TOOLS {
        let tool = tool.id();
        let (status, id, body) = send(&app, "POST", &format!("/api/tools/{tool}/run")).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{tool}: {}",
            String::from_utf8_lossy(&body)
        );
        let id = id.unwrap();
        let (_, _, record) = send(&app, "GET", &format!("/api/runs/{id}")).await;
        let record: Record = serde_json::from_slice(&record).unwrap();
        let result = record.result.get().as_bytes().to_vec();
        assert_eq!(
            result, body,
            "{tool}: the stored run's JSON is the JSON answered"
        );
        std::fs::write(files.path().join(format!("{tool}.json")), &result).unwrap();
        for format in ["arrow", "parquet", "csv"] {
            let (status, _, bytes) =
                send(&app, "GET", &format!("/api/runs/{id}?format={format}")).await;
            assert_eq!(status, StatusCode::OK, "{tool} {format}");
            std::fs::write(files.path().join(format!("{tool}.{format}")), bytes).unwrap();
        }
        names.push(tool);
    }

    let checked = output(
        Command::new(&python)
            .arg(repo_root().join("tests/peer/check_exports.py"))
            .arg(files.path())
            .args(&names),
        "tests/peer/check_exports.py (pyarrow)",
    );
    println!("{checked}");
    assert_eq!(checked.lines().count(), 2 * names.len(), "{checked}");

    for tool in &names {
        let json = files.path().join(format!("{tool}.json"));
        let ui_csv = output(
            Command::new("node")
                .arg(repo_root().join("tests/peer/ui_csv.mjs"))
                .arg(&json),
            "tests/peer/ui_csv.mjs (node)",
        );
        let server_csv = std::fs::read_to_string(files.path().join(format!("{tool}.csv"))).unwrap();
        assert!(
            server_csv == ui_csv,
            "{tool}: ?format=csv differs from the UI's CSV at line {}",
            server_csv
                .lines()
                .zip(ui_csv.lines())
                .position(|(a, b)| a != b)
                .map_or_else(|| "(a line count)".to_string(), |i| (i + 1).to_string())
        );
    }
}
