//! Issue 16 on a real loopback port, as a hostile page or client would try it: foreign-port
//! origins, `text/plain` posts, framing, a guest calling itself "host", off-site redirects and
//! slow clients; sessions ([`sessions`]), admission before parsing ([`admission`]) and result
//! budgets ([`budget`]). Requests
//! are written by hand on raw TCP so every header is the test's choice.

#[path = "abuse/admission.rs"]
mod admission;
#[path = "abuse/budget.rs"]
mod budget;
#[path = "abuse/sessions.rs"]
mod sessions;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use cristallo_server::{AppConfig, Platform};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A server on 127.0.0.1 with `configure` applied to its configuration; stopped on drop.
struct Server {
    addr: SocketAddr,
    platform: Arc<Platform>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn start(configure: impl FnOnce(&mut AppConfig)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut config = AppConfig::new(dir.path().to_path_buf());
    configure(&mut config);
    let platform = Platform::open(config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(cristallo_server::serve_platform(
        listener,
        platform.clone(),
        async {
            let _ = stopped.await;
        },
    ));
    Server {
        addr,
        platform,
        stop: Some(stop),
        _dir: dir,
    }
}

/// One answer: status, the header block (lowercased names) and the body.
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    /// The start of the body, for failure messages.
    fn brief(&self) -> String {
        self.body.chars().take(200).collect()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then_some(v.trim())
        })
    }
}

/// Sends `method path` with `headers` (one `Name: value` per line) and `body`, reads to EOF.
async fn send(addr: SocketAddr, method: &str, path: &str, headers: &str, body: &str) -> Answer {
    let stream = TcpStream::connect(addr).await.unwrap();
    send_on(stream, addr, method, path, headers, body).await
}

/// [`send`] on a connection of the test's choice (e.g. from another address).
async fn send_on(
    mut stream: TcpStream,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> Answer {
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for line in headers.lines().filter(|l| !l.is_empty()) {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
        .await
        .expect("an answer within 30 s")
        .unwrap();
    answer(&raw)
}

/// An answer as read from the wire.
fn answer(raw: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Answer {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

const JSON: &str = "Content-Type: application/json";

#[tokio::test]
async fn a_page_on_another_port_or_scheme_changes_nothing() {
    let s = start(|_| {}).await;
    let port = s.addr.port();
    for origin in [
        "http://localhost:3000".to_string(),
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        format!("https://127.0.0.1:{port}"),
        "null".to_string(),
    ] {
        let headers = format!("Origin: {origin}\n{JSON}");
        let a = send(s.addr, "DELETE", "/api/runs/1", &headers, "").await;
        assert_eq!(a.status, 403, "DELETE with Origin {origin}: {}", a.brief());
        let a = send(s.addr, "PUT", "/api/settings", &headers, "{}").await;
        assert_eq!(a.status, 403, "PUT with Origin {origin}: {}", a.brief());
    }
    // The server's own origins, by address and by name, pass the check (no run 1: 404).
    for origin in [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ] {
        let headers = format!("Origin: {origin}\n{JSON}");
        let a = send(s.addr, "DELETE", "/api/runs/1", &headers, "").await;
        assert_eq!(a.status, 404, "Origin {origin}: {}", a.brief());
    }
}

#[tokio::test]
async fn state_changes_take_only_json_bodies() {
    let s = start(|_| {}).await;
    for kind in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let headers = format!("Content-Type: {kind}");
        let a = send(s.addr, "POST", "/api/tools/modal/run", &headers, "{}").await;
        assert_eq!(a.status, 415, "{kind}: {}", a.brief());
        let v: serde_json::Value = serde_json::from_str(&a.brief()).unwrap();
        assert_eq!(v["field"], "content-type", "{kind}: {v}");
    }
    let a = send(s.addr, "POST", "/api/tools/modal/run", "", "{}").await;
    assert_eq!(a.status, 415, "an undeclared body: {}", a.brief());
    let headers = "Content-Type: application/json; charset=utf-8";
    let a = send(s.addr, "POST", "/api/tools/modal/run", headers, "{}").await;
    assert_eq!(a.status, 200, "{}", a.brief());
    // No body, no type: nothing to declare (the run above is deleted).
    let a = send(s.addr, "DELETE", "/api/runs/1", "", "").await;
    assert_eq!(a.status, 204, "{}", a.brief());
}

#[tokio::test]
async fn ui_and_api_answers_forbid_framing_sniffing_and_foreign_scripts() {
    let s = start(|_| {}).await;
    for path in ["/", "/app.js", "/api/health", "/api/tools"] {
        let a = send(s.addr, "GET", path, "", "").await;
        assert_eq!(a.status, 200, "{path}");
        let csp = a.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{path}: {csp}");
        assert_eq!(
            a.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(a.header("referrer-policy"), Some("no-referrer"), "{path}");
    }
    let ui = send(s.addr, "GET", "/", "", "").await;
    let csp = ui.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline"),
        "the UI runs no inline code: {csp}"
    );
}

/// A guest link's path on a server shared on loopback (sharing on, no mDNS).
async fn shared() -> (Server, String, String) {
    let s = start(|_| {}).await;
    s.platform.enable_sharing(s.addr, false).unwrap();
    let secrets = s.platform.access.secrets().unwrap();
    (s, secrets.guest_token, secrets.host_token)
}

#[tokio::test]
async fn a_guest_cannot_call_itself_host() {
    let (s, guest, host) = shared().await;
    for name in ["host", "HOST", "%20Host%20"] {
        let a = send(
            s.addr,
            "GET",
            &format!("/?token={guest}&name={name}"),
            "",
            "",
        )
        .await;
        assert_eq!(a.status, 400, "name={name}: {}", a.brief());
        let v: serde_json::Value = serde_json::from_str(&a.brief()).unwrap();
        assert_eq!(v["field"], "name", "{v}");
        assert!(
            a.header("set-cookie").is_none(),
            "no session for name={name}"
        );
    }
    let a = send(s.addr, "GET", &format!("/?token={guest}&name=Ann"), "", "").await;
    assert_eq!(a.status, 303, "{}", a.brief());
    let a = send(s.addr, "GET", &format!("/?token={host}&name=host"), "", "").await;
    assert_eq!(a.status, 303, "the host keeps its name: {}", a.brief());
    let names: Vec<String> = s
        .platform
        .access
        .sessions()
        .into_iter()
        .map(|x| x.name)
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"Ann".to_string()) && names.contains(&"host".to_string()));
}

#[tokio::test]
async fn a_share_link_never_redirects_off_site() {
    let (s, guest, _) = shared().await;
    for path in [
        "//evil.example/x?token=bogus".to_string(),
        "///evil.example/x?token=bogus".to_string(),
        format!("//evil.example/x?token={guest}&name=Ann"),
        "/%2F%2Fevil.example/x?token=bogus".to_string(),
    ] {
        let a = send(s.addr, "GET", &path, "", "").await;
        assert_eq!(a.status, 303, "{path}: {}", a.brief());
        let location = a.header("location").unwrap_or_default();
        assert_eq!(location, "/", "{path} redirected to {location}");
    }
    let a = send(s.addr, "GET", "/index.html?token=bogus", "", "").await;
    assert_eq!(a.header("location"), Some("/index.html"));
}

/// A connection from `from` (any 127.x address reaches the loopback server).
async fn connect_from(from: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((from, 0))).unwrap();
    socket.connect(to).await.unwrap()
}

/// Reads until the server closes the connection: what it sent, or `None` if the connection is
/// still open after `wait`.
async fn closed_within(mut stream: TcpStream, wait: Duration) -> Option<String> {
    let mut sink = Vec::new();
    tokio::time::timeout(wait, stream.read_to_end(&mut sink))
        .await
        .ok()
        .map(|_| String::from_utf8_lossy(&sink).into_owned())
}

#[tokio::test]
async fn slow_clients_are_cut_off_while_health_answers() {
    const SLOW: usize = 100;
    let s = start(|c| {
        c.connections.header_read_timeout = Duration::from_secs(1);
        c.connections.body_read_timeout = Duration::from_secs(1);
        c.connections.max_per_address = 30;
        c.connections.max_total = 400;
    })
    .await;
    let mut clients = Vec::new();
    for i in 0..SLOW {
        // Headers that never end, from one address …
        let mut slow_head = connect_from([127, 0, 0, 2], s.addr).await;
        slow_head
            .write_all(
                format!(
                    "GET /api/health HTTP/1.1\r\nHost: {}\r\nX-Slow: {i}",
                    s.addr
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        clients.push(slow_head);
        // … and bodies that never arrive, from another.
        let mut slow_body = connect_from([127, 0, 0, 3], s.addr).await;
        let request = format!(
            "POST /api/tools/modal/run HTTP/1.1\r\nHost: {}\r\n{JSON}\r\nContent-Length: 1000\r\n\r\n{{",
            s.addr
        );
        slow_body.write_all(request.as_bytes()).await.unwrap();
        clients.push(slow_body);
    }
    let health = send(s.addr, "GET", "/api/health", "", "").await;
    assert_eq!(health.status, 200, "{}", health.brief());
    let cut: Vec<Option<String>> = futures_util::future::join_all(
        clients
            .into_iter()
            .map(|c| closed_within(c, Duration::from_secs(15))),
    )
    .await;
    let open = cut.iter().filter(|c| c.is_none()).count();
    assert_eq!(
        open,
        0,
        "{open} of {} slow clients were never cut off",
        cut.len()
    );
    // Slow bodies that got past the address cap are told why (clients alternate head, body).
    let timed_out = cut
        .iter()
        .skip(1)
        .step_by(2)
        .flatten()
        .filter(|answer| answer.starts_with("HTTP/1.1 408"))
        .count();
    assert!(timed_out > 0, "no slow body was answered 408");
    let health = send(s.addr, "GET", "/api/health", "", "").await;
    assert_eq!(health.status, 200, "{}", health.brief());
}
