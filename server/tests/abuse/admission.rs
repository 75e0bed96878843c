//! Finding 5 of issue 16: the small body limit on every route but the uploads (a declared length
//! refused before the body is read), and the bounded guest job queue (429 with `Retry-After`,
//! before the body is parsed) that never locks the host out.

use std::time::Instant;

use super::*;

/// Reads what the server sends within `wait` (to its close, or what arrived by then).
async fn read_for(stream: &mut TcpStream, wait: Duration) -> Vec<u8> {
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut raw)).await;
    raw
}

#[tokio::test]
async fn a_big_body_on_a_small_route_is_413_naming_the_body() {
    let s = start(|_| {}).await;
    let limit = s.platform.config.small_body_limit_bytes;
    // One byte over the limit, sent whole.
    let prefix = r#"{"pad": ""#;
    let pad = "x".repeat(limit + 1 - prefix.len() - 2);
    let body = format!("{prefix}{pad}\"}}");
    assert_eq!(body.len(), limit + 1);
    let a = send(s.addr, "PUT", "/api/settings", JSON, &body).await;
    assert_eq!(a.status, 413, "{}", a.brief());
    let v: serde_json::Value = serde_json::from_str(&a.brief()).unwrap();
    assert_eq!(v["field"], "body", "{v}");
    assert!(
        v["error"].as_str().unwrap().contains(&limit.to_string()),
        "{v}"
    );

    // A declared length over the limit is refused before any of the body is sent.
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "POST /api/profiles HTTP/1.1\r\nHost: {}\r\n{JSON}\r\nContent-Length: 100000000\r\n\r\n",
        s.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let a = answer(&read_for(&mut stream, Duration::from_secs(5)).await);
    assert_eq!(a.status, 413, "{}", a.head);

    // An upload route takes the same body: it reaches the tool, which names the bad key.
    let a = send(s.addr, "POST", "/api/tools/modal/run", JSON, &body).await;
    assert_eq!(a.status, 400, "{}", a.brief());
    let v: serde_json::Value = serde_json::from_str(&a.brief()).unwrap();
    assert_eq!(v["field"], "pad", "{v}");
}

/// Signs in with `token` on a new session: the headers of its requests (cookie, JSON).
pub(super) async fn sign_in(addr: SocketAddr, token: &str) -> String {
    let a = send(addr, "GET", &format!("/?token={token}"), "", "").await;
    let set = a
        .header("set-cookie")
        .expect("a session cookie")
        .to_string();
    format!("Cookie: {}\n{JSON}", set.split(';').next().unwrap())
}

/// A simulator job that runs until cancelled (an hour of simulated time; its 191 M values are
/// over the default result budgets, which [`allow_long_jobs`] raises).
const LONG: &str = r#"{"duration_s": 3600.0, "n_scenarios": 2}"#;

/// Raises both result budgets to their maximum (500 M values) so [`LONG`] is admitted.
fn allow_long_jobs(s: &Server) {
    let caps = serde_json::json!({"result_cap_host": 500_000_000, "result_cap_guest": 500_000_000});
    s.platform
        .set_settings(&cristallo_server::access::Caller::host(), &caps)
        .unwrap();
}

#[tokio::test]
async fn the_guest_job_queue_is_bounded_and_the_host_is_not_locked_out() {
    let (per_session, total) = (2, 3);
    let s = start(|c| {
        c.queue.per_session = per_session;
        c.queue.total = total;
        c.max_concurrent_runs = 2;
    })
    .await;
    allow_long_jobs(&s);
    s.platform.enable_sharing(s.addr, false).unwrap();
    let secrets = s.platform.access.secrets().unwrap();
    let addr = s.addr;
    let ann = sign_in(addr, &secrets.guest_token).await;
    let bob = sign_in(addr, &secrets.guest_token).await;
    let host = sign_in(addr, &secrets.host_token).await;
    let jobs = "/api/tools/simulator/jobs";
    let mut started = Vec::new();
    for _ in 0..per_session {
        let a = send(addr, "POST", jobs, &ann, LONG).await;
        assert_eq!(a.status, 202, "{}", a.brief());
        started.push((ann.clone(), a));
    }
    // One job too many for Ann's session: refused before its body is even parsed, on every
    // upload route of a tool.
    for (path, body) in [
        (jobs, LONG),
        ("/api/tools/simulator/run", "{not json"),
        ("/api/tools/simulator/artifacts/any", "{not json"),
    ] {
        let a = send(s.addr, "POST", path, &ann, body).await;
        assert_eq!(a.status, 429, "{path}: {}", a.brief());
        let v: serde_json::Value = serde_json::from_str(&a.brief()).unwrap();
        assert_eq!(v["field"], "queue", "{v}");
        assert!(v["error"].as_str().unwrap().contains("per session"), "{v}");
        let retry: u64 = a
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!(retry >= 1, "{retry}");
    }
    // Bob fills the guests' queue; then he is refused too.
    let a = send(addr, "POST", jobs, &bob, LONG).await;
    assert_eq!(a.status, 202, "{}", a.brief());
    started.push((bob.clone(), a));
    let a = send(s.addr, "POST", jobs, &bob, LONG).await;
    assert_eq!(a.status, 429, "{}", a.brief());
    assert!(
        a.brief().contains(&format!("guests have {total}")),
        "{}",
        a.brief()
    );
    assert_eq!(s.platform.queue.len(), total);

    // The host runs and queues while the guests' queue is full.
    let a = send(s.addr, "POST", "/api/tools/modal/run", &host, "{}").await;
    assert_eq!(a.status, 200, "the host was locked out: {}", a.brief());
    let a = send(s.addr, "POST", "/api/tools/modal/jobs", &host, "{}").await;
    assert_eq!(a.status, 202, "{}", a.brief());

    // Cancelled jobs give their places back.
    for (headers, a) in &started {
        let v: serde_json::Value = serde_json::from_str(&a.brief()).unwrap();
        let path = format!("/api/jobs/{}", v["job_id"].as_str().unwrap());
        let cancel = send(s.addr, "DELETE", &path, headers, "").await;
        assert_eq!(cancel.status, 202, "{}", cancel.brief());
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while !s.platform.queue.is_empty() {
        assert!(
            Instant::now() < deadline,
            "{} places held",
            s.platform.queue.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let a = send(s.addr, "POST", "/api/tools/modal/run", &ann, "{}").await;
    assert_eq!(a.status, 200, "{}", a.brief());
}
