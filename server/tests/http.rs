//! The HTTP API through `tower::ServiceExt::oneshot` on `app()`, plus one real loopback port.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use cristallo_server::{router, AppConfig, Platform};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// A router over a platform with its own temporary data directory (kept alive by leaking the
/// guard for the test's duration; the OS temp cleaner removes it).
fn test_app_with(edit: impl FnOnce(&mut AppConfig)) -> Router {
    let dir = tempfile::tempdir().unwrap().keep();
    let mut config = AppConfig::new(dir);
    edit(&mut config);
    router(Platform::open(config).unwrap())
}

fn test_app() -> Router {
    test_app_with(|_| {})
}

async fn send(app: Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value)
}

fn post(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn lists_tools_with_schemas() {
    let (status, v) = send(
        test_app(),
        Request::get("/api/tools").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let tools = v.as_array().unwrap();
    let ids: Vec<&str> = tools.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"vibration-control"), "{ids:?}");
    assert!(ids.contains(&"modal"), "{ids:?}");
    let vc = tools
        .iter()
        .find(|t| t["id"] == "vibration-control")
        .unwrap();
    let strategy = vc["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "strategy")
        .unwrap();
    assert_eq!(strategy["kind"]["type"], "choice");
    assert_eq!(strategy["default"], "tmd");
}

#[tokio::test]
async fn runs_a_tool_and_returns_the_contract_shape() {
    let (status, v) = send(
        test_app(),
        post("/api/tools/vibration-control/run", r#"{"strategy":"tmd"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["tool"], "vibration-control");
    assert_eq!(v["params"]["floor"], 1);
    let reduction = v["scalars"]["kinetic_energy_reduction_db"]
        .as_f64()
        .unwrap();
    // expected_results.json S2_tmd_default (copied in core/tests/fixtures/control).
    assert!((reduction - 4.367805).abs() < 1e-5, "{reduction}");
    for key in ["series", "tables", "warnings"] {
        assert!(v[key].is_array(), "{key}");
    }
}

#[tokio::test]
async fn empty_body_means_defaults() {
    let (status, v) = send(test_app(), post("/api/tools/modal/run", Body::empty())).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["params"]["force_floor"], 1);
}

#[tokio::test]
async fn http_result_equals_core_result() {
    let params = json!({"strategy": "dvf", "floor": 2});
    let (status, v) = send(
        test_app(),
        post("/api/tools/vibration-control/run", params.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let direct = cristallo_core::run(
        "vibration-control",
        &params,
        &cristallo_core::Progress::none(),
        &cristallo_core::Cancel::new(),
    )
    .unwrap();
    assert_eq!(v, serde_json::to_value(direct).unwrap());
}

#[tokio::test]
async fn invalid_parameter_is_400_naming_the_field() {
    let (status, v) = send(
        test_app(),
        post("/api/tools/vibration-control/run", r#"{"floor": 4}"#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["field"], "floor");
    assert!(v["error"].as_str().unwrap().contains("floor"));

    let (status, v) = send(
        test_app(),
        post("/api/tools/vibration-control/run", r#"{"gain": 4}"#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["field"], "gain");
}

#[tokio::test]
async fn malformed_json_is_400() {
    for body in [r#"{"floor": "#, "[1,2]", "NaN", r#"{"floor": 1e999}"#] {
        let (status, v) = send(test_app(), post("/api/tools/vibration-control/run", body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(v["error"].is_string(), "{body}: {v}");
    }
}

#[tokio::test]
async fn unknown_tool_and_route_are_404_json() {
    let (status, v) = send(test_app(), post("/api/tools/nope/run", "{}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(v["error"].as_str().unwrap().contains("nope"));
    let (status, v) = send(
        test_app(),
        Request::get("/api/nothing").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(v["error"].is_string());
    let (status, _) = send(
        test_app(),
        Request::get("/api/tools/nope").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn huge_body_is_413_json() {
    let app = test_app_with(|c| c.body_limit_bytes = 1024);
    let body = format!(r#"{{"strategy": "tmd", "pad": "{}"}}"#, "x".repeat(4096));
    let (status, v) = send(app, post("/api/tools/vibration-control/run", body)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(v["error"].as_str().unwrap().contains("1024"));
}

#[tokio::test]
async fn serves_the_ui() {
    let res = test_app()
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&bytes).contains("<html"));
}

#[tokio::test]
async fn real_loopback_port_round_trip() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::open(AppConfig::new(dir.path().to_path_buf())).unwrap();
    let server = tokio::spawn(cristallo_server::serve_platform(
        listener,
        platform,
        async {
            let _ = stop_rx.await;
        },
    ));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let body = r#"{"strategy":"passive"}"#;
    let request = format!(
        "POST /api/tools/vibration-control/run HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response);
    assert!(
        text.starts_with("HTTP/1.1 200"),
        "{}",
        &text[..text.len().min(200)]
    );
    assert!(text.contains("\"natural_frequency_1_hz\""));
    stop_tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}

async fn get_raw(app: Router, path: &str) -> (StatusCode, String, Vec<u8>) {
    let res = app
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, kind, bytes)
}

#[tokio::test]
async fn stored_runs_export_server_drawn_figures_and_a_report() {
    let app = test_app();
    let res = app
        .clone()
        .oneshot(post(
            "/api/tools/modal/run",
            r#"{"f_start_hz": 1, "f_stop_hz": 40, "f_step_hz": 0.05}"#,
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let id: i64 = res.headers()["x-cristallo-run-id"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();

    let (status, figs) = send(
        app.clone(),
        Request::get(format!("/api/runs/{id}/figures"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let figs = figs.as_array().unwrap().clone();
    assert!(!figs.is_empty());
    assert!(figs[0]["series"].as_array().unwrap().len() >= 3, "{figs:?}");

    let (status, kind, png) = get_raw(app.clone(), &format!("/api/runs/{id}/figures/0.png")).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/png"));
    assert_eq!(&png[..4], b"\x89PNG");
    let (status, kind, svg) = get_raw(app.clone(), &format!("/api/runs/{id}/figures/0.svg")).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/svg+xml"));
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.contains("<svg") && svg.contains("Frequency (Hz)"));

    let (status, kind, html) = get_raw(app.clone(), &format!("/api/runs/{id}/report.html")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"));
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("natural_frequency_1_hz") && html.contains("<svg"));
    assert!(html.contains(&format!("run #{id}")));

    // Unknown figure, file name, run: 404 with the JSON error shape.
    let n = figs.len();
    for path in [
        format!("/api/runs/{id}/figures/{n}.png"),
        format!("/api/runs/{id}/figures/0.gif"),
        format!("/api/runs/{id}/figures/first.svg"),
        format!("/api/runs/{}/report.html", id + 100),
    ] {
        let (status, v) = send(
            app.clone(),
            Request::get(&path).body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            v["error"].as_str().unwrap().contains("no such"),
            "{path}: {v}"
        );
    }
}

#[tokio::test]
async fn the_twin_description_names_the_rig_its_floors_and_sensors() {
    let (status, v) = send(
        test_app(),
        Request::get("/api/twin").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["schema"], "cristallo.twin/1");
    assert_eq!(v["floors"].as_array().unwrap().len(), 3);
    assert!(v["sensors"].as_array().unwrap().len() >= 4);
    // The model figures in the description are the default profile's (modal tool).
    let modal = cristallo_core::run(
        "modal",
        &json!({}),
        &cristallo_core::Progress::none(),
        &cristallo_core::Cancel::new(),
    )
    .unwrap();
    for (i, f) in v["model_natural_frequencies_hz"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let exact = modal
            .scalar(&format!("natural_frequency_{}_hz", i + 1))
            .unwrap();
        assert!(
            (f.as_f64().unwrap() - exact).abs() < 1e-4,
            "mode {}: {f} vs {exact}",
            i + 1
        );
    }
    for (i, floor) in v["floors"].as_array().unwrap().iter().enumerate() {
        let m = modal.params["profile"]["masses_kg"][i].as_f64().unwrap();
        assert_eq!(floor["mass_kg"].as_f64().unwrap(), m);
    }
}

fn put(path: &str, body: Value) -> Request<Body> {
    Request::put(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn settings_are_validated_stored_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap().keep();
    let app = || router(Platform::open(AppConfig::new(dir.clone())).unwrap());
    let get = || Request::get("/api/settings").body(Body::empty()).unwrap();

    let (status, v) = send(app(), get()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["data_dir"], json!(dir.display().to_string()));
    assert_eq!(v["share_interface"], Value::Null);
    assert_eq!(v["share_port"], 0);

    for (body, field) in [
        (json!({"share_port": 65536}), "share_port"),
        (json!({"share_interface": "wlan0"}), "share_interface"),
        (json!({"data_dir": "/tmp"}), "data_dir"),
    ] {
        let (status, v) = send(app(), put("/api/settings", body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(v["field"], field, "{body}: {v}");
    }
    // A refused change leaves the stored settings alone.
    assert_eq!(send(app(), get()).await.1["share_port"], 0);

    let (status, v) = send(
        app(),
        put(
            "/api/settings",
            json!({"share_interface": "192.168.1.20", "share_port": 8470}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // A new platform on the same directory (a restart) reads them back.
    let (_, v) = send(app(), get()).await;
    assert_eq!(v["share_interface"], "192.168.1.20");
    assert_eq!(v["share_port"], 8470);
}

#[tokio::test]
async fn a_host_path_to_a_device_or_a_named_pipe_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("frf.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for path in ["/dev/zero", fifo.to_str().unwrap()] {
        let body = serde_json::json!({ "frfs": [{ "path": path }] }).to_string();
        let answer = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            send(test_app(), post("/api/tools/model-update/run", body)),
        )
        .await;
        let (status, v) = answer.unwrap_or_else(|_| panic!("{path}: no answer within 5 s"));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {v}");
        assert_eq!(v["field"], "frfs[0].path", "{path}: {v}");
        assert!(
            v["error"].as_str().unwrap().contains("not a regular file"),
            "{path}: {v}"
        );
    }
}

#[tokio::test]
async fn a_non_finite_result_is_422_naming_the_likely_parameter() {
    let (status, v) = send(
        test_app(),
        post(
            "/api/tools/uncertainty/run",
            r#"{"mass_kg": [1e308, 5.2, 5.2]}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["field"], "mass_kg", "{v}");
    assert!(v["error"].as_str().unwrap().len() < 300, "{v}");
}
