//! The desktop commands through Tauri's mock runtime: the same IPC path the webview uses
//! (`invoke('run_tool', {tool, params, jobId, onProgress})` …), without a display. Every test has
//! its own data directory and mDNS off: no test ever starts mDNS (it would join multicast on
//! every real interface), so `discover_peers` is only tested up to its refusals.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cristallo_app_lib::{AppOptions, EVENT};
use cristallo_server::Platform;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponseBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Listener, Manager, WebviewWindow};

/// An app as `cristallo_app_lib::run` builds it, on the mock runtime, with its own data
/// directory and mDNS off.
struct TestApp {
    app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    /// Messages sent to IPC channels (`onProgress`), in order.
    channel_messages: Arc<Mutex<Vec<Value>>>,
    _data: Option<tempfile::TempDir>,
}

impl TestApp {
    fn new() -> Self {
        let data = tempfile::tempdir().expect("a temporary data directory");
        let mut t = Self::open(data.path());
        t._data = Some(data);
        t
    }

    /// The app on data directory `dir` (which the caller keeps).
    fn open(dir: &std::path::Path) -> Self {
        let channel_messages = Arc::new(Mutex::new(Vec::new()));
        let app = cristallo_app_lib::run_app(builder(dir, channel_messages.clone()))
            .expect("the app builds on the mock runtime");
        // The configured windows are only created once the event loop runs; the test creates
        // the `main` window (the one the capability file names) itself.
        let window = match app.get_webview_window("main") {
            Some(window) => window,
            None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
                .build()
                .expect("a mock `main` window"),
        };
        Self {
            app,
            window,
            channel_messages,
            _data: None,
        }
    }

    /// Invokes `cmd` and returns its JSON answer: `Ok` for a resolved call, `Err` for a
    /// rejected one.
    fn invoke(&self, cmd: &str, body: Value) -> Result<Value, Value> {
        invoke(&self.window, cmd, body)
    }

    /// Collects the `cristallo-event` payloads emitted from now on.
    fn events(&self) -> mpsc::Receiver<Value> {
        let (tx, rx) = mpsc::channel();
        self.app.listen(EVENT, move |event| {
            let payload = serde_json::from_str(event.payload()).expect("a JSON event payload");
            let _ = tx.send(payload);
        });
        rx
    }
}

fn builder(
    data_dir: &std::path::Path,
    channel_messages: Arc<Mutex<Vec<Value>>>,
) -> tauri::Builder<MockRuntime> {
    mock_builder()
        .manage(AppOptions {
            data_dir: Some(data_dir.to_path_buf()),
            mdns: false,
            download_dir: Some(data_dir.join("downloads")),
            config_dir: Some(data_dir.join("config")),
        })
        .channel_interceptor(move |_webview, _callback, _index, body| {
            if let InvokeResponseBody::Json(text) = body {
                channel_messages
                    .lock()
                    .unwrap()
                    .push(serde_json::from_str(text).expect("a JSON channel message"));
            }
            true
        })
}

fn request(cmd: &str, body: Value) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        // The origin of the embedded UI on Linux/macOS: a local origin, so the app's own
        // commands are allowed (remote origins would be refused by the ACL).
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, body: Value) -> Result<Value, Value> {
    get_ipc_response(window, request(cmd, body))
        .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
}

/// The next event of type `kind` within a few seconds (other events are skipped).
fn next_event(rx: &mpsc::Receiver<Value>, kind: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline
            .checked_duration_since(Instant::now())
            .unwrap_or_else(|| panic!("no '{kind}' event"));
        let event = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no '{kind}' event"));
        if event["type"] == kind {
            return event;
        }
    }
}

const TMD: &str = r#"{"strategy": "tmd"}"#;

fn tmd() -> Value {
    serde_json::from_str(TMD).unwrap()
}

#[test]
fn list_tools_returns_the_catalogue() {
    let t = TestApp::new();
    let tools = t
        .invoke("list_tools", json!({}))
        .expect("list_tools resolves");
    let tools = tools.as_array().expect("an array of tools");
    let expected: Vec<String> = cristallo_core::catalogue()
        .iter()
        .map(|t| t.id.to_string())
        .collect();
    let got: Vec<String> = tools
        .iter()
        .map(|t| t["id"].as_str().expect("every tool has an id").to_string())
        .collect();
    assert_eq!(got, expected);
    let vc = tools
        .iter()
        .find(|t| t["id"] == "vibration-control")
        .expect("the vibration-control tool is listed");
    assert!(
        vc["params"].as_array().is_some_and(|p| !p.is_empty()),
        "its parameter schema is listed"
    );
}

#[test]
fn run_tool_returns_the_result_contract() {
    let t = TestApp::new();
    let answer = t
        .invoke(
            "run_tool",
            json!({"tool": "vibration-control", "params": tmd()}),
        )
        .expect("a TMD run with defaults succeeds");
    let result = &answer["result"];
    assert_eq!(result["tool"], "vibration-control");
    assert_eq!(result["params"]["strategy"], "tmd");
    // Defaults are filled in and echoed.
    assert_eq!(result["params"]["proof_mass_kg"], json!(1.0));
    // Reference: the shared reference set, control/expected_results.json (copied in core/tests/fixtures/control), case S2_tmd_default
    // (kinetic_energy_reduction_db = 4.367804770364474, abs tolerance 1e-6).
    let reduction = result["scalars"]["kinetic_energy_reduction_db"]
        .as_f64()
        .expect("the TMD result has kinetic_energy_reduction_db");
    assert!(
        (reduction - 4.367804770364474).abs() <= 1e-6,
        "got {reduction}"
    );
    // Same object as the core returns (and so as the HTTP API and the CLI print).
    let direct = cristallo_core::run(
        "vibration-control",
        &tmd(),
        &cristallo_core::Progress::none(),
        &cristallo_core::Cancel::new(),
    )
    .unwrap();
    assert_eq!(result, &serde_json::to_value(direct).unwrap());
    // The answer names the run's history entry.
    let runs = t.invoke("list_runs", json!({})).expect("list_runs");
    assert_eq!(runs.as_array().unwrap().len(), 1);
    assert_eq!(answer["run_id"], runs[0]["id"], "{answer:?}");
    assert_eq!(
        answer.as_object().unwrap().len(),
        2,
        "the answer is {{run_id, result}}"
    );
}

#[test]
fn run_tool_is_recorded_announced_and_reports_progress() {
    let t = TestApp::new();
    let events = t.events();
    let answer = t
        .invoke(
            "run_tool",
            json!({
                "tool": "vibration-control",
                "params": tmd(),
                "jobId": "job-1",
                "onProgress": "__CHANNEL__:7",
            }),
        )
        .expect("the run succeeds");
    let result = answer["result"].clone();

    // Progress went to the channel as {fraction, message}; at least "running" at 0.
    let messages = t.channel_messages.lock().unwrap().clone();
    let first = messages.first().expect("progress messages on the channel");
    assert_eq!(first, &json!({"fraction": 0.0, "message": "running"}));
    assert!(
        messages.iter().all(|m| m["fraction"]
            .as_f64()
            .is_some_and(|f| (0.0..=1.0).contains(&f))
            && m["message"].is_string()),
        "every message is {{fraction, message}}: {messages:?}"
    );
    assert!(
        t.app.state::<Arc<Platform>>().jobs.running().is_empty(),
        "the job is unregistered when the run ends"
    );

    // Announced live, like a run from a browser.
    let added = next_event(&events, "run_added");
    assert_eq!(added["run"]["tool"], "vibration-control");
    assert_eq!(added["run"]["who"], "host");
    let id = added["run"]["id"].as_i64().expect("a run id");
    assert_eq!(answer["run_id"], id, "run_tool answers the history id");

    // In the history, with the same parameters.
    let runs = t
        .invoke(
            "list_runs",
            json!({"tool": "vibration-control", "limit": 20, "before": null}),
        )
        .expect("list_runs resolves");
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["id"], id);
    assert_eq!(runs[0]["params"], result["params"]);

    let record = t.invoke("get_run", json!({"id": id})).expect("get_run");
    assert_eq!(record["id"], id);
    assert_eq!(record["result"], result);

    t.invoke("delete_run", json!({"id": id}))
        .expect("delete_run");
    assert_eq!(next_event(&events, "run_deleted")["id"], id);
    assert_eq!(t.invoke("list_runs", json!({})).unwrap(), json!([]));
}

#[test]
fn list_runs_filters_pages_and_limits() {
    let t = TestApp::new();
    for strategy in ["tmd", "passive", "tmd"] {
        t.invoke(
            "run_tool",
            json!({"tool": "vibration-control", "params": {"strategy": strategy}}),
        )
        .expect("run");
    }
    t.invoke("run_tool", json!({"tool": "modal", "params": {}}))
        .expect("modal run");
    let all = t.invoke("list_runs", json!({})).unwrap();
    let ids: Vec<i64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 4);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    let vc = t
        .invoke("list_runs", json!({"tool": "vibration-control"}))
        .unwrap();
    assert_eq!(vc.as_array().unwrap().len(), 3);
    let page = t
        .invoke("list_runs", json!({"limit": 2, "before": ids[0]}))
        .unwrap();
    let page: Vec<i64> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(page, ids[1..3].to_vec());
    // Out-of-range limits are clamped as for GET /api/runs.
    let one = t.invoke("list_runs", json!({"limit": 0})).unwrap();
    assert_eq!(one.as_array().unwrap().len(), 1);
    // A wrong type is refused, not a crash.
    let error = t
        .invoke("list_runs", json!({"before": "yesterday"}))
        .expect_err("a non-numeric `before`");
    assert!(error.to_string().contains("before"), "{error}");
}

#[test]
fn stored_runs_give_server_drawn_figures_and_a_report() {
    let t = TestApp::new();
    t.invoke(
        "run_tool",
        json!({"tool": "modal", "params": {"f_stop_hz": 40}}),
    )
    .expect("modal runs");
    let runs = t
        .invoke("list_runs", json!({"tool": "modal"}))
        .expect("list");
    let id = runs[0]["id"].as_i64().expect("a run id");
    let figures = t.invoke("run_figures", json!({"id": id})).expect("figures");
    assert!(!figures.as_array().unwrap().is_empty(), "{figures}");
    let png = get_ipc_response(
        &t.window,
        request("run_figure", json!({"id": id, "index": 0, "format": "png"})),
    )
    .expect("a PNG");
    match png {
        InvokeResponseBody::Raw(bytes) => assert_eq!(&bytes[..4], b"\x89PNG"),
        other => panic!("expected raw bytes, got {other:?}"),
    }
    let error = t
        .invoke("run_figure", json!({"id": id, "index": 0, "format": "gif"}))
        .expect_err("gif is not a format");
    assert_eq!(error["field"], "format", "{error}");
    let html = t.invoke("run_report", json!({"id": id})).expect("a report");
    let html = html.as_str().expect("HTML text");
    assert!(html.contains("<svg") && html.contains("natural_frequency_1_hz"));
    let error = t
        .invoke("run_report", json!({"id": id + 50}))
        .expect_err("no such run");
    assert!(error["error"].as_str().unwrap().contains("no such run"));
}

#[test]
fn unknown_runs_are_errors() {
    let t = TestApp::new();
    let error = t
        .invoke("get_run", json!({"id": 999}))
        .expect_err("no run 999");
    assert_eq!(error["error"], "no such run 999", "{error}");
    assert_eq!(error["field"], Value::Null);
    let error = t
        .invoke("delete_run", json!({"id": 999}))
        .expect_err("no run 999");
    assert_eq!(error["error"], "no such run 999", "{error}");
}

#[test]
fn run_tool_rejects_an_out_of_range_parameter_naming_the_field() {
    let t = TestApp::new();
    let error = t
        .invoke(
            "run_tool",
            json!({"tool": "vibration-control", "params": {"strategy": "tmd", "proof_mass_kg": -1.0}}),
        )
        .expect_err("a negative proof mass is rejected");
    assert_eq!(error["field"], "proof_mass_kg", "error body: {error}");
    let message = error["error"].as_str().expect("an error message");
    assert!(
        message.contains("proof_mass_kg"),
        "message names the field: {message}"
    );
    // A failed run leaves no history entry.
    assert_eq!(t.invoke("list_runs", json!({})).unwrap(), json!([]));
}

#[test]
fn run_tool_rejects_an_unknown_tool_and_unknown_keys() {
    let t = TestApp::new();
    let error = t
        .invoke("run_tool", json!({"tool": "no-such-tool", "params": {}}))
        .expect_err("an unknown tool is rejected");
    assert!(
        error["error"].as_str().unwrap().contains("no-such-tool"),
        "{error}"
    );
    assert_eq!(error["field"], Value::Null);

    let error = t
        .invoke(
            "run_tool",
            json!({"tool": "vibration-control", "params": {"not_a_parameter": 1}}),
        )
        .expect_err("an unknown parameter is rejected");
    assert_eq!(error["field"], "not_a_parameter", "error body: {error}");
}

#[test]
fn run_tool_without_arguments_is_rejected_not_a_crash() {
    let t = TestApp::new();
    // Missing `tool`/`params`: Tauri rejects the call with a message, the app keeps running.
    let error = t
        .invoke("run_tool", json!({}))
        .expect_err("missing arguments are rejected");
    assert!(!error.to_string().is_empty());
    assert!(t.invoke("list_tools", json!({})).is_ok());
}

/// Parameters of a run that takes many seconds in a debug build (and checks for cancellation
/// all along).
fn long_run() -> Value {
    json!({"tool": "simulator", "params": {"duration_s": 3600.0, "n_scenarios": 2}, "jobId": "long"})
}

#[test]
fn cancel_run_stops_a_running_tool_and_leaves_no_history() {
    let t = TestApp::new();
    let window = t.window.clone();
    let run = std::thread::spawn(move || invoke(&window, "run_tool", long_run()));
    let platform = t.app.state::<Arc<Platform>>();
    let jobs = &platform.jobs;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !jobs.running().contains(&"long".to_string()) {
        assert!(Instant::now() < deadline, "the run never registered");
        std::thread::sleep(Duration::from_millis(5));
    }
    // A second run with the same job id is refused while the first runs.
    let error = t
        .invoke("run_tool", long_run())
        .expect_err("a duplicate job id");
    assert_eq!(error["field"], "job_id", "{error}");

    let started = Instant::now();
    t.invoke("cancel_run", json!({"jobId": "long"}))
        .expect("cancel_run resolves for a running job");
    let error = run
        .join()
        .unwrap()
        .expect_err("a cancelled run is an error");
    assert!(
        error["error"].as_str().unwrap().contains("cancel"),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the run stopped soon after the cancel"
    );
    assert!(jobs.running().is_empty());
    assert_eq!(t.invoke("list_runs", json!({})).unwrap(), json!([]));
}

#[test]
fn a_cancel_that_overtakes_its_run_still_cancels_it() {
    let t = TestApp::new();
    let error = t
        .invoke("cancel_run", json!({"jobId": "early"}))
        .expect_err("no such job yet");
    assert_eq!(error["error"], "no such job early", "{error}");
    let error = t
        .invoke(
            "run_tool",
            json!({"tool": "vibration-control", "params": tmd(), "jobId": "early"}),
        )
        .expect_err("the run starts cancelled");
    assert!(
        error["error"].as_str().unwrap().contains("cancel"),
        "{error}"
    );
    assert_eq!(t.invoke("list_runs", json!({})).unwrap(), json!([]));
    // The id is used up: the next run with it runs normally.
    t.invoke(
        "run_tool",
        json!({"tool": "vibration-control", "params": tmd(), "jobId": "early"}),
    )
    .expect("a later run with the same id");
}

#[test]
fn session_is_the_local_host() {
    let t = TestApp::new();
    let me = t.invoke("session", json!({})).expect("session");
    assert_eq!(
        me,
        json!({
            "role": "host",
            "name": "host",
            "session_id": null,
            "can_modify": true,
            "sharing": false,
            "twin_name": "Cristallo benchtop rig",
            "version": cristallo_server::VERSION,
        })
    );
}

#[test]
fn share_settings_without_sharing() {
    let t = TestApp::new();
    let status = t.invoke("share_status", json!({})).expect("share_status");
    assert_eq!(status["enabled"], false);
    assert_eq!(status["url"], Value::Null);
    assert_eq!(status["guest_access"], "read_only");
    assert_eq!(status["advertised"], false);
    assert!(status["interfaces"].is_array());

    let error = t
        .invoke("rotate_token", json!({}))
        .expect_err("nothing to rotate when not sharing");
    assert!(error["error"].as_str().unwrap().contains("active share"));
    let error = t
        .invoke("revoke_session", json!({"id": "nobody"}))
        .expect_err("no such session");
    assert_eq!(error["error"], "no such session nobody");

    let events = t.events();
    let status = t
        .invoke("set_guest_access", json!({"guestAccess": "full"}))
        .expect("set_guest_access");
    assert_eq!(status["guest_access"], "full");
    assert_eq!(next_event(&events, "sharing")["guest_access"], "full");
    let error = t
        .invoke("set_guest_access", json!({"guestAccess": "admin"}))
        .expect_err("not a guest access level");
    assert_eq!(error["field"], "guest_access", "{error}");
    assert_eq!(
        t.invoke("share_status", json!({})).unwrap()["guest_access"],
        "full"
    );
}

#[test]
fn guest_access_is_remembered_across_restarts() {
    let data = tempfile::tempdir().unwrap();
    TestApp::open(data.path())
        .invoke("set_guest_access", json!({"guestAccess": "full"}))
        .unwrap();
    let again = TestApp::open(data.path());
    assert_eq!(
        again.invoke("share_status", json!({})).unwrap()["guest_access"],
        "full"
    );
}

#[test]
fn share_start_rejects_bad_addresses_naming_the_field() {
    let t = TestApp::new();
    for ip in ["not-an-ip", "", "0.0.0.0", "::"] {
        let error = t
            .invoke("share_start", json!({"ip": ip, "port": 0}))
            .expect_err("a bad address is refused");
        assert_eq!(error["field"], "ip", "{ip}: {error}");
    }
    let error = t
        .invoke("share_start", json!({"ip": "127.0.0.1", "port": 70000}))
        .expect_err("a port beyond u16");
    assert!(error.to_string().contains("port"), "{error}");
    assert_eq!(
        t.invoke("share_status", json!({})).unwrap()["enabled"],
        false
    );
}

#[test]
fn discover_peers_validates_its_timeout_and_respects_mdns_off() {
    let t = TestApp::new();
    for timeout in [json!(0), json!(-1), json!(60.5), json!(1e9)] {
        let error = t
            .invoke("discover_peers", json!({"timeoutS": timeout}))
            .expect_err("an out-of-range timeout");
        assert_eq!(error["field"], "timeout_s", "{timeout}: {error}");
    }
    // In range, but this app has mDNS off: refused before any multicast socket is opened.
    let error = t
        .invoke("discover_peers", json!({"timeoutS": 0.1}))
        .expect_err("mDNS is off");
    assert!(error["error"].as_str().unwrap().contains("mDNS"), "{error}");
}

/// Sends one HTTP/1.1 request to `addr` and returns the status code and body.
fn http(addr: SocketAddr, path: &str, bearer: Option<&str>) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\n{auth}Connection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

fn token_of(url: &str) -> String {
    url.split_once("?token=")
        .map(|(_, t)| t.to_string())
        .unwrap_or_else(|| panic!("no token in {url}"))
}

#[test]
fn share_start_serves_the_twin_with_tokens_and_share_stop_ends_it() {
    let t = TestApp::new();
    let events = t.events();
    let status = t
        .invoke("share_start", json!({"ip": "127.0.0.1", "port": 0}))
        .expect("sharing starts on loopback");
    assert_eq!(status["enabled"], true, "{status}");
    assert_eq!(status["advertised"], false, "mDNS is off in tests");
    let url = status["url"].as_str().expect("a guest URL").to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let guest_token = token_of(&url);
    assert!(guest_token.len() >= 32, "a long random token");
    let host_token = token_of(status["host_url"].as_str().expect("a host URL"));
    assert_ne!(guest_token, host_token);
    assert!(status["qr_svg"].as_str().unwrap().contains("<svg"));
    assert_eq!(next_event(&events, "sharing")["enabled"], true);
    assert_eq!(
        t.invoke("session", json!({})).unwrap()["sharing"],
        true,
        "the session says the twin is shared"
    );
    // Starting again while shared answers the same share.
    let again = t
        .invoke("share_start", json!({"ip": "127.0.0.1", "port": 0}))
        .unwrap();
    assert_eq!(again["url"], status["url"]);

    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .expect("the URL has ADDR:PORT");
    let (code, body) = http(addr, "/api/health", None).expect("the share server answers");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"ok\""), "{body}");
    let (code, _) = http(addr, "/api/tools", None).unwrap();
    assert_eq!(code, 401, "the API needs the token");
    let (code, _) = http(addr, "/api/tools", Some("not-the-token")).unwrap();
    assert_eq!(code, 401, "a wrong token is refused");
    let (code, body) = http(addr, "/api/tools", Some(&guest_token)).unwrap();
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("vibration-control"));
    // The same UI files as the window.
    let (code, body) = http(addr, "/", None).unwrap();
    assert_eq!(code, 200);
    assert!(
        body.contains("transport.js") || body.contains("app.js"),
        "{body}"
    );

    // A run in the desktop app is in the history the guests see.
    t.invoke(
        "run_tool",
        json!({"tool": "vibration-control", "params": tmd()}),
    )
    .unwrap();
    let (code, body) = http(addr, "/api/runs", Some(&guest_token)).unwrap();
    assert_eq!(code, 200, "{body}");
    let runs: Value = serde_json::from_str(&body).expect("JSON runs");
    assert_eq!(runs[0]["tool"], "vibration-control");
    assert_eq!(runs[0]["who"], "host");

    // A new guest link: the old token stops working.
    let rotated = t.invoke("rotate_token", json!({})).expect("rotate_token");
    let new_token = token_of(rotated["url"].as_str().unwrap());
    assert_ne!(new_token, guest_token);
    assert_eq!(http(addr, "/api/tools", Some(&guest_token)).unwrap().0, 401);
    assert_eq!(http(addr, "/api/tools", Some(&new_token)).unwrap().0, 200);

    let stopped = t.invoke("share_stop", json!({})).expect("share_stop");
    assert_eq!(stopped["enabled"], false);
    assert_eq!(stopped["url"], Value::Null);
    assert_eq!(next_event(&events, "sharing")["enabled"], false);
    let deadline = Instant::now() + Duration::from_secs(10);
    while http(addr, "/api/health", None).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the share server still answers after share_stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        t.invoke("share_status", json!({})).unwrap()["enabled"],
        false
    );
}

#[test]
fn a_damaged_database_is_an_error_not_a_panic() {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(
        data.path().join("cristallo.sqlite3"),
        b"this is not a SQLite database, it is garbage ".repeat(200),
    )
    .unwrap();
    let error = cristallo_app_lib::run_app(builder(data.path(), Default::default()))
        .expect_err("a damaged database stops the start");
    let message = error.to_string();
    assert!(message.contains("damaged"), "{message}");
    assert!(
        message.contains("cristallo.sqlite3.damaged-"),
        "says where the copy is: {message}"
    );
}

#[test]
fn a_remote_origin_cannot_call_the_commands() {
    let t = TestApp::new();
    // A page from elsewhere (e.g. a link opened inside the window) must not reach the core.
    for cmd in ["list_tools", "share_start", "share_status"] {
        let mut req = request(cmd, json!({"ip": "127.0.0.1", "port": 0}));
        req.url = "https://example.com/".parse().unwrap();
        let error = get_ipc_response(&t.window, req).expect_err("a remote origin is refused");
        assert!(error.to_string().contains("not allowed"), "{cmd}: {error}");
    }
}

#[test]
fn the_opener_may_open_only_http_links() {
    let t = TestApp::new();
    // Refused by the capability's scope before anything is launched.
    for url in [
        "file:///etc/passwd",
        "https://example.com/",
        "javascript:alert(1)",
    ] {
        let error = t
            .invoke("plugin:opener|open_url", json!({"url": url}))
            .expect_err("only http:// links may be opened");
        // The scope refused it ("Not allowed to open url …"): the command itself is permitted.
        assert!(
            error.to_string().contains("Not allowed to open url"),
            "{url}: {error}"
        );
    }
}

fn profile_doc(name: &str) -> Value {
    json!({
        "schema": "cristallo.profile/1", "name": name, "origin": {"kind": "manual"},
        "masses_kg": [5.1, 5.2, 5.3], "stiffnesses_n_per_m": [40000.0, 41000.0, 42000.0],
        "dampings_ns_per_m": [1.0, 0.5, 0.25]
    })
}

#[test]
fn profile_commands_save_list_rename_delete_restore_and_are_announced() {
    let t = TestApp::new();
    let events = t.events();
    let saved = t
        .invoke("profile_save", json!({"profile": profile_doc("desk rig")}))
        .expect("profile_save");
    let id = saved["id"].as_str().unwrap().to_string();
    let changed = next_event(&events, "profiles_changed");
    assert_eq!(
        (changed["id"].as_str(), changed["action"].as_str()),
        (Some(id.as_str()), Some("saved"))
    );
    let list = t.invoke("profile_list", json!({})).unwrap();
    assert_eq!(list[0]["name"], "desk rig");
    assert_eq!(t.invoke("profile_show", json!({"id": id})).unwrap(), saved);
    assert_eq!(
        t.invoke("profile_export", json!({"id": id})).unwrap(),
        saved
    );
    let renamed = t
        .invoke("profile_rename", json!({"id": id, "name": "desk rig 2"}))
        .unwrap();
    assert_eq!(renamed["name"], "desk rig 2");
    let deleted = t.invoke("profile_delete", json!({"id": id})).unwrap();
    assert_eq!(deleted["undo_seconds"], 30);
    assert_eq!(t.invoke("profile_list", json!({})).unwrap(), json!([]));
    t.invoke("profile_restore", json!({"id": id})).unwrap();
    assert_eq!(t.invoke("profile_list", json!({})).unwrap()[0]["id"], id);
    // A run by profile id echoes the resolved model.
    let result = t
        .invoke(
            "run_tool",
            json!({"tool": "modal", "params": {"profile_id": id, "f_step_hz": 1.0}}),
        )
        .expect("run with profile_id");
    assert_eq!(
        result["result"]["params"]["profile"]["masses_kg"],
        json!([5.1, 5.2, 5.3])
    );
}

#[test]
fn profile_commands_answer_the_error_shape() {
    let t = TestApp::new();
    t.invoke("profile_save", json!({"profile": profile_doc("one")}))
        .unwrap();
    let dup = t
        .invoke("profile_save", json!({"profile": profile_doc("ONE")}))
        .expect_err("duplicate name");
    assert_eq!(dup["field"], "profile.name", "{dup}");
    let mut bad = profile_doc("two");
    bad["masses_kg"] = json!([1.0, 0.0, 1.0]);
    let err = t
        .invoke("profile_save", json!({"profile": bad}))
        .expect_err("zero mass");
    assert_eq!(err["field"], "profile.masses_kg");
    let err = t
        .invoke(
            "profile_import",
            json!({"text": "1;2;3", "fileName": "x.csv"}),
        )
        .expect_err("short CSV");
    assert_eq!(err["field"], "profile");
    let imported = t
        .invoke(
            "profile_import",
            json!({"text": include_str!("../../core/tests/fixtures/profiles/profile_Experimental.csv"),
                   "fileName": "profile_Experimental.csv"}),
        )
        .expect("legacy CSV import");
    assert_eq!(imported["profile"]["origin"]["kind"], "imported-legacy-csv");
    assert!(imported["warnings"][0]
        .as_str()
        .unwrap()
        .contains("4× too high"));
    let err = t
        .invoke("profile_show", json!({"id": "nope"}))
        .expect_err("unknown id");
    assert_eq!(err["error"], "no such profile nope");
    let err = t
        .invoke(
            "run_tool",
            json!({"tool": "simulator", "params": {"profile_id": "nope"}}),
        )
        .expect_err("unknown profile_id");
    assert_eq!(err["field"], "profile_id");
}

#[test]
fn settings_round_trip_and_bad_fields_are_named() {
    let t = TestApp::new();
    let v = t.invoke("settings_get", json!({})).expect("settings");
    assert_eq!(v["share_port"], 0, "{v}");
    assert!(v["data_dir"].as_str().is_some_and(|d| !d.is_empty()), "{v}");
    let err = t
        .invoke(
            "settings_set",
            json!({"settings": {"share_port": "eighty"}}),
        )
        .expect_err("a text port is refused");
    assert_eq!(err["field"], "share_port", "{err}");
    let v = t
        .invoke(
            "settings_set",
            json!({"settings": {"share_interface": "127.0.0.1", "share_port": 9001}}),
        )
        .expect("valid settings are stored");
    assert_eq!(v["share_port"], 9001);
    let v = t.invoke("settings_get", json!({})).unwrap();
    assert_eq!(v["share_interface"], "127.0.0.1");
}

#[test]
fn the_fea_deck_artifact_is_the_calculix_input_and_bad_fields_are_named() {
    let t = TestApp::new();
    let deck = t
        .invoke(
            "tool_artifact",
            json!({"tool": "fea", "name": "deck", "params": {}}),
        )
        .expect("the default deck");
    assert_eq!(deck["file_name"], "cristallo_frame.inp");
    assert!(deck["media_type"]
        .as_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = deck["text"].as_str().expect("the deck is text");
    assert!(
        text.contains("*NODE") && text.contains("*FREQUENCY"),
        "{}",
        &text[..200.min(text.len())]
    );
    let (fp, _) = cristallo_core::fea::FeaParams::parse(&json!({})).unwrap();
    assert_eq!(text, cristallo_core::fea::deck(&fp).unwrap());
    let err = t
        .invoke(
            "tool_artifact",
            json!({"tool": "fea", "name": "deck", "params": {"element_size_m": -1.0}}),
        )
        .expect_err("a negative element size is refused");
    assert_eq!(err["field"], "element_size_m", "{err}");
}

#[test]
fn tool_artifact_bad_input_is_refused_naming_what_is_wrong() {
    let t = TestApp::new();
    let refused = |tool: &str, name: &str, params: Value| {
        t.invoke(
            "tool_artifact",
            json!({"tool": tool, "name": name, "params": params}),
        )
        .expect_err("refused")
    };
    let err = refused("nope", "deck", json!({}));
    assert!(err["error"].as_str().unwrap().contains("nope"), "{err}");
    assert_eq!(refused("fea", "mesh", json!({}))["field"], "artifact");
    assert_eq!(refused("modal", "deck", json!({}))["field"], "artifact");
    assert_eq!(
        refused("fea", "deck", json!({"no_such_key": 1}))["field"],
        "no_such_key"
    );
    assert_eq!(refused("fea", "deck", json!([1, 2]))["field"], "params");
    assert_eq!(refused("fea", "deck", json!("text"))["field"], "params");
}

/// `save_download` with raw `bytes` named `name` (as export.js sends it).
fn save(t: &TestApp, name: &str, bytes: &[u8]) -> Result<Value, Value> {
    let mut req = request("save_download", json!({}));
    req.body = InvokeBody::Raw(bytes.to_vec());
    req.headers
        .insert("x-file-name", name.parse().expect("a header value"));
    get_ipc_response(&t.window, req).map(|b| b.deserialize::<Value>().expect("a JSON answer"))
}

#[test]
fn exports_are_saved_in_the_download_folder_without_replacing_files() {
    let t = TestApp::new();
    let dir = t._data.as_ref().unwrap().path().join("downloads");
    let first = save(&t, "modal-run-1.json", b"{\"a\": 1}").expect("saved");
    assert_eq!(
        first,
        json!(dir.join("modal-run-1.json").display().to_string())
    );
    let second = save(&t, "modal-run-1.json", b"{\"a\": 2}").expect("saved again");
    assert_eq!(
        second,
        json!(dir.join("modal-run-1 (1).json").display().to_string())
    );
    assert_eq!(
        std::fs::read(dir.join("modal-run-1.json")).unwrap(),
        b"{\"a\": 1}"
    );
    assert_eq!(
        std::fs::read(dir.join("modal-run-1 (1).json")).unwrap(),
        b"{\"a\": 2}"
    );
    for bad in ["../evil.json", "/etc/passwd", ".hidden", "", "a/b.csv"] {
        let err = save(&t, bad, b"x").expect_err(bad);
        assert_eq!(err["field"], "name", "{bad}: {err}");
    }
    let err = t
        .invoke("save_download", json!({"name": "x.json"}))
        .expect_err("JSON instead of bytes");
    assert_eq!(err["field"], "body", "{err}");
}

#[test]
fn the_data_directory_chosen_in_settings_is_used_from_the_next_start() {
    let t = TestApp::new();
    let root = t._data.as_ref().unwrap().path().to_path_buf();
    let v = t
        .invoke("desktop_settings_get", json!({}))
        .expect("desktop settings");
    assert_eq!(v["data_dir_next"], Value::Null, "{v}");
    for bad in ["relative/dir", "/proc/version"] {
        let err = t
            .invoke("desktop_settings_set", json!({"dataDir": bad}))
            .expect_err(bad);
        assert_eq!(err["field"], "data_dir", "{bad}: {err}");
    }
    let chosen = root.join("chosen-data");
    let v = t
        .invoke(
            "desktop_settings_set",
            json!({"dataDir": chosen.display().to_string()}),
        )
        .expect("a new directory is accepted");
    assert_eq!(v["data_dir_next"], json!(chosen.display().to_string()));
    assert_ne!(
        v["data_dir"], v["data_dir_next"],
        "the current one stays until a restart"
    );

    // The next start without CRISTALLO_DATA_DIR (data_dir None) opens the chosen directory.
    let app = cristallo_app_lib::run_app(mock_builder().manage(AppOptions {
        data_dir: None,
        mdns: false,
        download_dir: None,
        config_dir: Some(root.join("config")),
    }))
    .expect("the app starts");
    let platform = app.state::<Arc<Platform>>();
    assert_eq!(platform.config.data_dir, chosen);
    assert!(
        chosen.join("cristallo.sqlite3").is_file(),
        "the database is there"
    );
}
