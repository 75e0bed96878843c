//! Shared helpers of the cross-crate tests: locate the built binaries, start `cristallo serve`,
//! chromedriver and tauri-driver on free loopback ports, wait until they answer, and stop
//! them again when the test ends (also when it fails: every child is killed on drop).
//!
//! Only the standard library is used here, and serde_json for the browser's capabilities (shared
//! by the e2e tests and the `lan-client` program); the WebDriver client lives in the e2e tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a started service may take to answer.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// The repository root (the workspace directory).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives inside the workspace")
        .to_path_buf()
}

/// Cargo's target directory: `$CARGO_TARGET_DIR` (relative paths are taken from the
/// repository root, as cargo does when run there) or `<repo>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                repo_root().join(dir)
            }
        }
        _ => repo_root().join("target"),
    }
}

/// The debug build of binary `name` (`cristallo`, `cristallo-app`). Panics with the command
/// that builds it when it is missing: the e2e tests never build binaries themselves.
pub fn binary(name: &str) -> PathBuf {
    let path = target_dir().join("debug").join(name);
    if !path.is_file() {
        panic!(
            "{} is missing: build it first with `cargo build -p cristallo-server -p cristallo-app` \
             (as `make test` does)",
            path.display()
        );
    }
    path
}

/// Where e2e tests leave screenshots and logs (`<repo>/e2e-artifacts`, git-ignored).
pub fn artifacts_dir() -> PathBuf {
    let dir = repo_root().join("e2e-artifacts");
    std::fs::create_dir_all(&dir).expect("cannot create e2e-artifacts/");
    dir
}

/// A program on `PATH` (or in `~/.cargo/bin`, where `cargo install` puts tauri-driver).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// `find_program`, or a panic naming the package that provides it.
pub fn require_program(name: &str, provided_by: &str) -> PathBuf {
    find_program(name)
        .unwrap_or_else(|| panic!("`{name}` is not installed ({provided_by}); run `make setup`"))
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("cannot bind a loopback port")
}

/// WebDriver capabilities of a headless Chromium (`/usr/bin/chromium`) whose throw-away profile
/// lives in `profile_dir`.
pub fn chromium_capabilities(profile_dir: &Path) -> serde_json::Map<String, serde_json::Value> {
    let chrome_options = serde_json::json!({
        "binary": "/usr/bin/chromium",
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--window-size=1366,900",
            format!("--user-data-dir={}", profile_dir.display()),
        ]
    });
    serde_json::Map::from_iter([
        ("browserName".to_string(), serde_json::Value::from("chrome")),
        ("goog:chromeOptions".to_string(), chrome_options),
    ])
}

/// A child process that is killed (and reaped) when dropped.
#[derive(Debug)]
pub struct ChildGuard {
    name: String,
    child: Child,
}

impl ChildGuard {
    /// Spawns `cmd`, naming it `name` in messages.
    pub fn spawn(name: &str, cmd: &mut Command) -> ChildGuard {
        use std::os::unix::process::CommandExt;
        let child = cmd
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        ChildGuard {
            name: name.to_string(),
            child,
        }
    }

    /// Panics if the process has already exited (it was expected to keep running).
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("{} exited early with {status}", self.name);
        }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Takes the piped standard output (once; `None` if it was not piped or already taken).
    pub fn stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.stdout.take()
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            // Every child runs in its own process group (see `spawn`): kill the whole group, so
            // helpers it started (tauri-driver's WebKitWebDriver, the app) go too.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Sends `GET path` to `addr` and returns the status code, or `None` if nothing answers.
pub fn http_get_status(addr: SocketAddr, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    // "HTTP/1.1 200"
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// Waits until `GET path` on `addr` answers 200, checking that `child` is still alive.
pub fn wait_until_ready(child: &mut ChildGuard, addr: SocketAddr, path: &str, timeout: Duration) {
    let start = Instant::now();
    loop {
        child.assert_running();
        if http_get_status(addr, path) == Some(200) {
            return;
        }
        if start.elapsed() > timeout {
            panic!(
                "{} did not answer GET {path} on {addr} within {timeout:?}",
                child.name
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A running `cristallo serve --bind 127.0.0.1:0`.
#[derive(Debug)]
pub struct Server {
    /// The base URL it printed, e.g. `http://127.0.0.1:41234/`.
    pub url: String,
    process: ChildGuard,
    /// Dropped after `process` (fields drop in order): the server has exited by then.
    _data: TempDir,
}

/// A directory removed (with its contents) on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory under the system's temporary directory.
    pub fn new(what: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "cristallo-e2e-{what}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        TempDir(dir)
    }
}

impl TempDir {
    /// Where the directory is.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Server {
    /// Starts the server from the debug build on a free port, serving `<repo>/ui`, with a
    /// fresh data directory of its own (history and profiles start empty, removed when the
    /// server is dropped), and reads the `url: ...` line it prints first.
    pub fn start() -> Server {
        let bin = binary("cristallo");
        let data = TempDir::new("data");
        let mut process = ChildGuard::spawn(
            "cristallo serve",
            Command::new(bin)
                .args(["serve", "--bind", "127.0.0.1:0", "--ui-dir"])
                .arg(repo_root().join("ui"))
                .arg("--data-dir")
                .arg(&data.0)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit()),
        );
        let stdout = process
            .child
            .stdout
            .take()
            .expect("stdout of cristallo serve is piped");
        // Read the first line on a thread (bounded wait), then keep draining stdout so the
        // server never blocks on a full pipe.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next();
            let _ = tx.send(first);
            for _ in lines {}
        });
        let first = match rx.recv_timeout(STARTUP_TIMEOUT) {
            Ok(Some(Ok(line))) => line,
            Ok(other) => {
                process.assert_running();
                panic!("cristallo serve printed no first line: {other:?}")
            }
            Err(_) => panic!("cristallo serve printed nothing within {STARTUP_TIMEOUT:?}"),
        };
        let url = first
            .strip_prefix("url: ")
            .unwrap_or_else(|| panic!("first line of cristallo serve is not `url: ...`: {first:?}"))
            .trim()
            .to_string();
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
            "unexpected server URL {url:?}"
        );
        Server {
            url,
            process,
            _data: data,
        }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap_or_else(|e| panic!("cannot parse the address of {}: {e}", self.url))
    }

    /// Panics if the server has exited.
    pub fn assert_running(&mut self) {
        self.process.assert_running();
    }
}

/// A WebDriver server (chromedriver or tauri-driver) on a free loopback port.
#[derive(Debug)]
pub struct WebDriver {
    /// `http://127.0.0.1:PORT` for the WebDriver client.
    pub url: String,
    // Dropped last: the client session should be closed before the driver goes.
    _process: ChildGuard,
    /// The desktop app's data directory (tauri-driver), removed after the driver is gone.
    _data: Option<TempDir>,
}

impl WebDriver {
    /// Starts `/usr/bin/chromedriver` (or `$CHROMEDRIVER`) and waits for `GET /status`.
    pub fn chromedriver() -> WebDriver {
        let program = std::env::var_os("CHROMEDRIVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| require_program("chromedriver", "Debian package chromium-driver"));
        let port = free_port();
        let log = artifacts_dir().join("chromedriver.log");
        let mut process = ChildGuard::spawn(
            "chromedriver",
            Command::new(program)
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1")
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        wait_until_ready(&mut process, addr, "/status", STARTUP_TIMEOUT);
        WebDriver {
            url: format!("http://{addr}"),
            _process: process,
            _data: None,
        }
    }

    /// Starts `tauri-driver` on free ports; it launches WebKitWebDriver itself for each
    /// session, which launches the app. Unless `CRISTALLO_DATA_DIR` is set already, the app
    /// gets a fresh data directory of this driver through it (history and profiles start
    /// empty). Needs a display (`xvfb-run`).
    pub fn tauri_driver() -> WebDriver {
        let program = require_program("tauri-driver", "`cargo install tauri-driver --locked`");
        let native = require_program("WebKitWebDriver", "Debian package webkit2gtk-driver");
        assert!(
            std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
            "the Tauri e2e test needs a display: run it under `xvfb-run -a`"
        );
        let port = free_port();
        let native_port = free_port();
        // A test that chose the directory itself (CRISTALLO_DATA_DIR set) keeps it.
        let data = std::env::var_os("CRISTALLO_DATA_DIR")
            .is_none()
            .then(|| TempDir::new("app-data"));
        let mut command = Command::new(program);
        if let Some(data) = &data {
            command.env("CRISTALLO_DATA_DIR", &data.0);
        }
        let mut process = ChildGuard::spawn(
            "tauri-driver",
            command
                .args(["--port", &port.to_string()])
                .args(["--native-port", &native_port.to_string()])
                .arg("--native-driver")
                .arg(native)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit()),
        );
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        wait_until_ready(&mut process, addr, "/status", STARTUP_TIMEOUT);
        WebDriver {
            url: format!("http://{addr}"),
            _process: process,
            _data: data,
        }
    }
}
