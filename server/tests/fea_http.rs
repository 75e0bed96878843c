//! The `fea` tool's HTTP edge (docs/fea.md §5): the deck download through the generic artifact route
//! and its bad input, parameter errors (400 naming the field) and solver errors (503 `solver_missing`, 502 `solver_failed`) with their `code`.
//! The solver is chosen by the host's `CRISTALLO_CCX`; only one test of this binary sets it
//! (the variable is process-wide) and the others never start a solver.

use std::os::unix::fs::PermissionsExt;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use cristallo_server::{router, AppConfig, Platform};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// fea's solver deck, through the route every tool's artifacts share.
const DECK: &str = "/api/tools/fea/artifacts/deck";

fn test_app() -> Router {
    let dir = tempfile::tempdir().unwrap().keep();
    router(Platform::open(AppConfig::new(dir)).unwrap())
}

fn post(path: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn send(req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let res = test_app().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, bytes)
}

#[tokio::test]
async fn deck_download_is_the_inp_text() {
    let (status, headers, body) = send(post(DECK, r#"{"element_size_m": 0.0254}"#)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"cristallo_frame.inp\""
    );
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("*NODE, NSET=NALL\n"));
    assert!(text.contains("*ELEMENT, TYPE=B32, ELSET=LEGS"));
    assert!(text.trim_end().ends_with("*END STEP"));
}

#[tokio::test]
async fn deck_with_bad_params_is_400_naming_the_field() {
    let (status, _, body) = send(post(DECK, r#"{"poisson_ratio": 0.5}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["field"], "poisson_ratio");
    let (status, _, body) = send(post("/api/tools/fea/run", r#"{"element_size_m": 0.002}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["field"], "element_size_m");
}

/// The `{error, field}` body of a failed request.
fn error_field(body: &[u8]) -> Value {
    let v: Value = serde_json::from_slice(body).unwrap();
    assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    v["field"].clone()
}

#[tokio::test]
async fn artifact_bad_input_is_refused_naming_what_is_wrong() {
    // An unknown tool is not found, like its run.
    let (status, _, _) = send(post("/api/tools/nope/artifacts/deck", "{}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // An artifact the tool does not declare (fea has only `deck`; modal has none) is a 400
    // naming `artifact`.
    for path in [
        "/api/tools/fea/artifacts/mesh",
        "/api/tools/modal/artifacts/deck",
    ] {
        let (status, _, body) = send(post(path, "{}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(error_field(&body), "artifact", "{path}");
    }
    // Parameters are checked like a run's: the bad field, an unknown key, a non-object body.
    for (body, field) in [
        (r#"{"element_size_m": -1.0}"#, "element_size_m"),
        (r#"{"no_such_key": 1}"#, "no_such_key"),
        ("[1, 2]", "params"),
        ("42", "params"),
    ] {
        let (status, _, reply) = send(post(DECK, body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_field(&reply), field, "{body}");
    }
    // A body that is not JSON at all is a 400 too, and nothing was downloaded.
    let (status, headers, _) = send(post(DECK, "{not json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!headers.contains_key(header::CONTENT_DISPOSITION));
}

#[tokio::test]
async fn the_deck_artifact_is_the_core_deck_of_the_parameters() {
    let params = r#"{"element_size_m": 0.0254}"#;
    let (status, _, body) = send(post(DECK, params)).await;
    assert_eq!(status, StatusCode::OK);
    let (fp, _) =
        cristallo_core::fea::FeaParams::parse(&serde_json::from_str(params).unwrap()).unwrap();
    assert_eq!(
        String::from_utf8(body).unwrap(),
        cristallo_core::fea::deck(&fp).unwrap()
    );
}

#[tokio::test]
async fn solver_errors_carry_their_code_and_status() {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("CRISTALLO_CCX", dir.path().join("no-such-ccx"));
    let (status, _, body) = send(post("/api/tools/fea/run", r#"{"element_size_m": 0.0254}"#)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["code"], "solver_missing");
    assert!(v["error"].as_str().unwrap().contains("calculix-ccx"), "{v}");

    let fake = dir.path().join("failing-ccx.sh");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho ' *ERROR in fake: broken deck'\nexit 0\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::env::set_var("CRISTALLO_CCX", &fake);
    let (status, _, body) = send(post("/api/tools/fea/run", r#"{"element_size_m": 0.0254}"#)).await;
    std::env::remove_var("CRISTALLO_CCX");
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["code"], "solver_failed");
    assert!(v["error"].as_str().unwrap().contains("broken deck"), "{v}");
}
