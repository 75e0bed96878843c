//! The desktop commands through Tauri's mock runtime: the same IPC path the webview uses
//! (`invoke('run_tool', {tool, params, jobId, onProgress})` …), without a display. Every test has
//! its own data directory and mDNS off: no test ever starts mDNS (it would join multicast on
//! every real interface), so `discover_peers` is only tested up to its refusals.

mod app;
mod files;
mod live;
mod profiles;
mod runs;
mod share;

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
