//! The desktop commands through Tauri's mock runtime: the same IPC path the webview uses
//! (`invoke('list_tools')`, `invoke('run_tool', {tool, params})`), without a display.

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

/// The app as `cristallo_app_lib::run` builds it, on the mock runtime, and its main window.
fn app_and_window() -> (
    tauri::App<tauri::test::MockRuntime>,
    WebviewWindow<tauri::test::MockRuntime>,
) {
    let app =
        cristallo_app_lib::run_app(mock_builder()).expect("the app builds on the mock runtime");
    // The configured windows are only created once the event loop runs; the mock runtime
    // test creates the `main` window (the one the capability file names) itself.
    let window = match app.get_webview_window("main") {
        Some(window) => window,
        None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("a mock `main` window"),
    };
    (app, window)
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

/// Invokes `cmd` and returns its JSON answer: `Ok` for a resolved call, `Err` for a rejected one.
fn invoke(
    window: &WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    body: Value,
) -> Result<Value, Value> {
    get_ipc_response(window, request(cmd, body))
        .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
}

#[test]
fn list_tools_returns_the_catalogue() {
    let (_app, window) = app_and_window();
    let tools = invoke(&window, "list_tools", json!({})).expect("list_tools resolves");
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
    let (_app, window) = app_and_window();
    let result = invoke(
        &window,
        "run_tool",
        json!({"tool": "vibration-control", "params": {"strategy": "tmd"}}),
    )
    .expect("a TMD run with defaults succeeds");
    assert_eq!(result["tool"], "vibration-control");
    assert_eq!(result["params"]["strategy"], "tmd");
    // Defaults are filled in and echoed.
    assert_eq!(result["params"]["proof_mass_kg"], json!(1.0));
    // Reference: ../shared/reference/control/expected_results.json, case S2_tmd_default
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
        &json!({"strategy": "tmd"}),
        &cristallo_core::Progress::none(),
        &cristallo_core::Cancel::new(),
    )
    .unwrap();
    assert_eq!(result, serde_json::to_value(direct).unwrap());
}

#[test]
fn run_tool_rejects_an_out_of_range_parameter_naming_the_field() {
    let (_app, window) = app_and_window();
    let error = invoke(
        &window,
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
}

#[test]
fn run_tool_rejects_an_unknown_tool_and_unknown_keys() {
    let (_app, window) = app_and_window();
    let error = invoke(
        &window,
        "run_tool",
        json!({"tool": "no-such-tool", "params": {}}),
    )
    .expect_err("an unknown tool is rejected");
    assert!(
        error["error"].as_str().unwrap().contains("no-such-tool"),
        "{error}"
    );
    assert_eq!(error["field"], Value::Null);

    let error = invoke(
        &window,
        "run_tool",
        json!({"tool": "vibration-control", "params": {"not_a_parameter": 1}}),
    )
    .expect_err("an unknown parameter is rejected");
    assert_eq!(error["field"], "not_a_parameter", "error body: {error}");
}

#[test]
fn run_tool_without_arguments_is_rejected_not_a_crash() {
    let (_app, window) = app_and_window();
    // Missing `tool`/`params`: Tauri rejects the call with a message, the app keeps running.
    let error = invoke(&window, "run_tool", json!({})).expect_err("missing arguments are rejected");
    assert!(!error.to_string().is_empty());
}

#[test]
fn a_remote_origin_cannot_call_the_commands() {
    let (_app, window) = app_and_window();
    // A page from elsewhere (e.g. a link opened inside the window) must not reach the core.
    let mut req = request("list_tools", json!({}));
    req.url = "https://example.com/".parse().unwrap();
    let error = get_ipc_response(&window, req).expect_err("a remote origin is refused");
    assert!(error.to_string().contains("not allowed"), "{error}");
}
