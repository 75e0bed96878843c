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

use cristallo_app_lib::commands::frame::split_frame;
use cristallo_app_lib::{AppOptions, EVENT};
use cristallo_core::result::arrow::from_arrow_ipc;
use cristallo_core::{Scalar, ToolResult};
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

    /// Invokes a command answering the binary frame (`run_tool`, `get_run` with format `arrow`).
    fn invoke_frame(&self, cmd: &str, body: Value) -> Result<Frame, Value> {
        invoke_frame(&self.window, cmd, body)
    }

    /// `run_tool` with `body`: `{run_id, result}`, the result decoded from its Arrow form.
    fn run_tool(&self, body: Value) -> Result<Value, Value> {
        run_tool(&self.window, body)
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

/// A binary answer of the desktop (`commands::frame`): its JSON header and its result decoded
/// from the Arrow IPC stream with `from_arrow_ipc`.
struct Frame {
    header: Value,
    result: ToolResult,
    /// Where the stream starts in the answer's bytes.
    stream_offset: usize,
}

fn invoke_frame(
    window: &WebviewWindow<MockRuntime>,
    cmd: &str,
    body: Value,
) -> Result<Frame, Value> {
    get_ipc_response(window, request(cmd, body)).map(|answer| match answer {
        InvokeResponseBody::Raw(bytes) => {
            let (header, stream) = split_frame(&bytes).unwrap_or_else(|e| panic!("{cmd}: {e}"));
            let result = from_arrow_ipc(stream)
                .unwrap_or_else(|e| panic!("{cmd}: the Arrow stream does not decode: {e}"));
            Frame {
                header,
                result,
                stream_offset: bytes.len() - stream.len(),
            }
        }
        InvokeResponseBody::Json(text) => {
            panic!(
                "{cmd} answered JSON, not raw bytes: {}",
                &text[..text.len().min(200)]
            )
        }
    })
}

/// `run_tool` with `body`: `{run_id, result}`, the result decoded from its Arrow form.
fn run_tool(window: &WebviewWindow<MockRuntime>, body: Value) -> Result<Value, Value> {
    invoke_frame(window, "run_tool", body).map(|frame| {
        json!({"run_id": frame.header["run_id"], "result": serde_json::to_value(&frame.result).unwrap()})
    })
}

/// Checks that `decoded` carries exactly the numbers of the JSON form `json` of the same result:
/// every series point and scalar bit for bit, and the integer/float kind of each scalar.
fn assert_same_numbers(decoded: &ToolResult, json: &Value) {
    let bits = |v: &Value| v.as_f64().expect("a JSON number").to_bits();
    let series = json["series"].as_array().expect("series");
    assert_eq!(decoded.series.len(), series.len());
    for (d, j) in decoded.series.iter().zip(series) {
        assert_eq!(j["name"], d.name.as_str());
        for (axis, values) in [("x", &d.x), ("y", &d.y)] {
            let expected: Vec<u64> = j[axis]
                .as_array()
                .expect("numbers")
                .iter()
                .map(bits)
                .collect();
            let got: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
            assert!(
                got == expected,
                "{}.{axis} differs from the JSON form",
                d.name
            );
        }
    }
    let scalars = json["scalars"].as_object().expect("scalars");
    assert_eq!(decoded.scalars.len(), scalars.len());
    for (key, value) in &decoded.scalars {
        let j = &scalars[key];
        match value {
            Scalar::Int(i) => assert_eq!(j.as_i64(), Some(*i), "{key}"),
            Scalar::Float(x) => {
                assert!(j.is_f64(), "{key} is a float in the JSON form");
                assert_eq!(x.to_bits(), bits(j), "{key}");
            }
        }
    }
    assert_eq!(
        decoded.tables,
        serde_json::from_value::<Vec<_>>(json["tables"].clone()).unwrap()
    );
    assert_eq!(decoded.params, json["params"]);
    assert_eq!(
        serde_json::to_value(&decoded.warnings).unwrap(),
        json["warnings"]
    );
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
