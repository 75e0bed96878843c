//! Saved profiles over HTTP (docs/measured.md §7): save/list/get/rename/delete with undo/import/
//! export, the errors of every bad input, `profile_id` resolution in tool runs, the guest rules
//! (read-only guests cannot change profiles; no file paths from guests), persistence across a
//! restart and the schema migration from a database of the previous version.

mod guests;
mod library;
mod storage;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Request, StatusCode};
use cristallo_server::events::ServerEvent;
use cristallo_server::store::{Store, DB_FILE};
use cristallo_server::{router, AppConfig, Platform};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const LEGACY_CSV: &str =
    include_str!("../../../core/tests/fixtures/profiles/profile_Experimental.csv");
const LEGACY_JSON: &str = include_str!("../../../core/tests/fixtures/profiles/Tester.json");

fn doc(name: &str) -> Value {
    json!({
        "schema": "cristallo.profile/1",
        "name": name,
        "origin": { "kind": "manual" },
        "masses_kg": [5.1, 5.2, 5.3],
        "stiffnesses_n_per_m": [40000.0, 41000.0, 42000.0],
        "dampings_ns_per_m": [1.0, 0.5, 0.25],
        "notes": "bench"
    })
}

const SHARE_HOST: &str = "192.0.2.10:4000";

struct Local {
    platform: Arc<Platform>,
    dir: tempfile::TempDir,
}

impl Local {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::open(AppConfig::new(dir.path().to_path_buf())).unwrap();
        Self { platform, dir }
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        send(&self.platform, None, method, path, body).await
    }

    async fn save(&self, d: Value) -> String {
        let (status, v) = self.send("POST", "/api/profiles", Some(d)).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().to_string()
    }
}

async fn send(
    platform: &Arc<Platform>,
    auth: Option<(&str, &str)>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut b = Request::builder().method(method).uri(path);
    if let Some((name, value)) = auth {
        b = b.header(name, value).header(header::HOST, SHARE_HOST);
    }
    if body.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    let req = b
        .body(body.map_or(Body::empty(), |v| Body::from(v.to_string())))
        .unwrap();
    let app = router(platform.clone()).layer(MockConnectInfo(SocketAddr::from((
        [198, 51, 100, 7],
        50000,
    ))));
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}
