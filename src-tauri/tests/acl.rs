//! The command lists agree: every command the app registers (`generate_handler!` in
//! `src/lib.rs`) is declared in `build.rs` (so Tauri generates its `allow-<command>`
//! permission) and allowed by the main window's capability, and nothing else is.

use std::collections::BTreeSet;

fn source(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()))
}

/// The text between `open` and the next `close` after it.
fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).unwrap_or_else(|| panic!("no `{open}`")) + open.len();
    let len = text[start..]
        .find(close)
        .unwrap_or_else(|| panic!("no `{close}` after `{open}`"));
    &text[start..start + len]
}

/// The commands handed to `generate_handler!` (last path segment of each).
fn registered() -> BTreeSet<String> {
    let lib = source("src/lib.rs");
    between(&lib, "generate_handler![", "]")
        .split(',')
        .map(|item| {
            item.trim()
                .rsplit("::")
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// The `COMMANDS` list of `build.rs`.
fn declared() -> BTreeSet<String> {
    let build = source("build.rs");
    between(&build, "const COMMANDS: &[&str] = &[", "];")
        .split(',')
        .map(|item| item.trim().trim_matches('"').to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

/// The app commands the default capability allows (`allow-<command>`, dashes for `_`).
fn allowed() -> BTreeSet<String> {
    let capability: serde_json::Value =
        serde_json::from_str(&source("capabilities/default.json")).expect("capability JSON");
    capability["permissions"]
        .as_array()
        .expect("a permissions list")
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| !p.contains(':'))
        .map(|p| {
            p.strip_prefix("allow-")
                .unwrap_or_else(|| panic!("app permission {p} is not an allow-<command>"))
                .replace('-', "_")
        })
        .collect()
}

#[test]
fn build_rs_declares_exactly_the_registered_commands() {
    let registered = registered();
    assert!(
        registered.len() > 20,
        "parsed too few commands: {registered:?}"
    );
    assert_eq!(declared(), registered);
}

#[test]
fn the_main_window_is_allowed_exactly_the_registered_commands() {
    assert_eq!(allowed(), registered());
}

/// The app on the mock runtime with its own data directory (kept by the caller) and mDNS off.
fn mock_app(dir: &std::path::Path) -> tauri::App<tauri::test::MockRuntime> {
    let builder = tauri::test::mock_builder().manage(cristallo_app_lib::AppOptions {
        data_dir: Some(dir.to_path_buf()),
        mdns: false,
        download_dir: Some(dir.join("downloads")),
        config_dir: Some(dir.join("config")),
    });
    cristallo_app_lib::run_app(builder).expect("the app builds on the mock runtime")
}

/// Invokes `cmd` without arguments from `window` (the embedded UI's local origin).
fn invoke_from(
    window: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
) -> Result<serde_json::Value, serde_json::Value> {
    let request = tauri::webview::InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().expect("a URL"),
        body: tauri::ipc::InvokeBody::Json(serde_json::json!({})),
        headers: Default::default(),
        invoke_key: tauri::test::INVOKE_KEY.to_string(),
    };
    tauri::test::get_ipc_response(window, request)
        .map(|body| body.deserialize().expect("a JSON answer"))
}

#[test]
fn only_the_window_the_capability_names_may_call_the_commands() {
    let data = tempfile::tempdir().expect("a temporary data directory");
    let app = mock_app(data.path());
    // `run_app` may already have opened the configured `main` window.
    let window = |label: &str| {
        tauri::Manager::get_webview_window(&app, label).unwrap_or_else(|| {
            tauri::WebviewWindowBuilder::new(&app, label, Default::default())
                .build()
                .expect("a mock window")
        })
    };
    let main = window("main");
    let other = window("other");
    assert_eq!(
        invoke_from(&main, "twin").expect("the main window may call twin"),
        cristallo_server::twin_description()
    );
    let refused = invoke_from(&other, "twin").expect_err("a window without capability");
    assert!(
        refused.to_string().contains("not allowed"),
        "refusal: {refused}"
    );
}
