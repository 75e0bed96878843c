//! The session and LAN sharing commands: share settings, guest access, bad addresses, peer discovery and serving the twin to guests.

use super::*;

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
    t.run_tool(json!({"tool": "vibration-control", "params": tmd()}))
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
