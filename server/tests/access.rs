//! Every access rule of the shared mode, through `oneshot` on the router with a mock peer address.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use cristallo_server::access::MAX_FAILED_ATTEMPTS;
use cristallo_server::{router, AppConfig, Platform};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const SHARE_HOST: &str = "192.0.2.10:4000";

struct Shared {
    platform: Arc<Platform>,
    guest_token: String,
    host_token: String,
    _dir: tempfile::TempDir,
}

fn shared() -> Shared {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::open(AppConfig::new(dir.path().to_path_buf())).unwrap();
    platform
        .enable_sharing(SHARE_HOST.parse().unwrap(), false)
        .unwrap();
    let secrets = platform.access.secrets().unwrap();
    Shared {
        platform,
        guest_token: secrets.guest_token,
        host_token: secrets.host_token,
        _dir: dir,
    }
}

impl Shared {
    fn app_from(&self, peer: [u8; 4]) -> Router {
        router(self.platform.clone()).layer(MockConnectInfo(SocketAddr::from((peer, 50000))))
    }

    async fn send(
        &self,
        peer: [u8; 4],
        req: Request<Body>,
    ) -> (StatusCode, Value, axum::http::HeaderMap) {
        let res = self.app_from(peer).oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            headers,
        )
    }
}

/// A request as the UI sends it: to the share address, bodies declared as JSON.
fn req(method: &str, path: &str) -> axum::http::request::Builder {
    let b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, SHARE_HOST);
    if method == "GET" {
        b
    } else {
        b.header(header::CONTENT_TYPE, "application/json")
    }
}

fn bearer(b: axum::http::request::Builder, token: &str) -> axum::http::request::Builder {
    b.header(header::AUTHORIZATION, format!("Bearer {token}"))
}

const PEER: [u8; 4] = [198, 51, 100, 7];

#[tokio::test]
async fn no_token_is_401() {
    let s = shared();
    let (status, v, _) = s
        .send(PEER, req("GET", "/api/tools").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(v["error"].as_str().unwrap().contains("share link"));
    // Health and the static UI shell stay reachable (they hold no data).
    let (status, _, _) = s
        .send(PEER, req("GET", "/api/health").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_token_is_401_then_rate_limited() {
    let s = shared();
    for _ in 0..MAX_FAILED_ATTEMPTS {
        let r = bearer(req("GET", "/api/tools"), "not-the-token")
            .body(Body::empty())
            .unwrap();
        assert_eq!(s.send(PEER, r).await.0, StatusCode::UNAUTHORIZED);
    }
    // Now even the right token is refused from that address for a while…
    let r = bearer(req("GET", "/api/tools"), &s.guest_token)
        .body(Body::empty())
        .unwrap();
    let (status, _, headers) = s.send(PEER, r).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key(header::RETRY_AFTER));
    // … and so is the ?token= exchange.
    let r = req("GET", &format!("/?token={}", s.guest_token))
        .body(Body::empty())
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::TOO_MANY_REQUESTS);
    // Another address is not affected.
    let r = bearer(req("GET", "/api/tools"), &s.guest_token)
        .body(Body::empty())
        .unwrap();
    assert_eq!(s.send([198, 51, 100, 8], r).await.0, StatusCode::OK);
}

#[tokio::test]
async fn foreign_host_is_403() {
    let s = shared();
    let r = Request::get("/api/tools")
        .header(header::HOST, "attacker.example:4000")
        .header(header::AUTHORIZATION, format!("Bearer {}", s.guest_token))
        .body(Body::empty())
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::FORBIDDEN);
    let r = Request::get("/")
        .header(header::HOST, "attacker.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn cross_origin_post_and_stream_are_403() {
    let s = shared();
    let r = bearer(req("POST", "/api/tools/modal/run"), &s.guest_token)
        .header(header::ORIGIN, "http://attacker.example")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::FORBIDDEN);
    let r = bearer(req("GET", "/api/events"), &s.guest_token)
        .header(header::ORIGIN, "http://attacker.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::FORBIDDEN);
    // Same origin is fine.
    let r = bearer(req("POST", "/api/tools/modal/run"), &s.guest_token)
        .header(header::ORIGIN, format!("http://{SHARE_HOST}"))
        .body(Body::from(r#"{"f_step_hz": 1.0}"#))
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::OK);
}

async fn guest_cookie(s: &Shared, peer: [u8; 4], name: &str) -> String {
    let r = req("GET", &format!("/?token={}&name={name}", s.guest_token))
        .body(Body::empty())
        .unwrap();
    let (status, _, headers) = s.send(peer, r).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        "/",
        "the token must leave the address bar"
    );
    let cookie = headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn token_exchange_gives_a_guest_session() {
    let s = shared();
    let cookie = guest_cookie(&s, PEER, "Ana").await;
    let r = req("GET", "/api/session")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (status, v, _) = s.send(PEER, r).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["role"], "guest");
    assert_eq!(v["name"], "Ana");
    assert_eq!(v["can_modify"], false);
}

async fn make_run(s: &Shared) -> i64 {
    let r = bearer(req("POST", "/api/tools/modal/run"), &s.host_token)
        .body(Body::from(r#"{"f_step_hz": 1.0}"#))
        .unwrap();
    let (status, _, headers) = s.send(PEER, r).await;
    assert_eq!(status, StatusCode::OK);
    headers["x-cristallo-run-id"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn guest_delete_is_403_unless_granted_full() {
    let s = shared();
    let id = make_run(&s).await;
    let cookie = guest_cookie(&s, PEER, "Ben").await;
    let del = || {
        req("DELETE", &format!("/api/runs/{id}"))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(s.send(PEER, del()).await.0, StatusCode::FORBIDDEN);
    // The host grants full access; now the same guest may delete.
    let r = bearer(req("PUT", "/api/share/settings"), &s.host_token)
        .body(Body::from(r#"{"guest_access": "full"}"#))
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::OK);
    assert_eq!(s.send(PEER, del()).await.0, StatusCode::NO_CONTENT);
    assert_eq!(s.platform.store.count_runs().unwrap(), 0);
}

#[tokio::test]
async fn settings_change_by_guest_is_403() {
    let s = shared();
    let cookie = guest_cookie(&s, PEER, "Cy").await;
    let r = req("PUT", "/api/share/settings")
        .header(header::COOKIE, &cookie)
        .body(Body::from(r#"{"guest_access": "full"}"#))
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::FORBIDDEN);
    for (method, path) in [("GET", "/api/share"), ("POST", "/api/share/rotate")] {
        let r = req(method, path)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            s.send(PEER, r).await.0,
            StatusCode::FORBIDDEN,
            "{method} {path}"
        );
    }
    let r = bearer(req("PUT", "/api/share/settings"), &s.guest_token)
        .body(Body::from(r#"{"guest_access": "full"}"#))
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn revoked_guest_is_401() {
    let s = shared();
    let cookie = guest_cookie(&s, PEER, "Dee").await;
    let r = bearer(req("GET", "/api/share"), &s.host_token)
        .body(Body::empty())
        .unwrap();
    let (_, share, _) = s.send(PEER, r).await;
    let session = share["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "Dee")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = bearer(
        req("DELETE", &format!("/api/share/sessions/{session}")),
        &s.host_token,
    )
    .body(Body::empty())
    .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::NO_CONTENT);
    let r = req("GET", "/api/tools")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn rotated_link_stops_working() {
    let s = shared();
    let r = bearer(req("POST", "/api/share/rotate"), &s.host_token)
        .body(Body::empty())
        .unwrap();
    let (status, v, _) = s.send(PEER, r).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!v["url"].as_str().unwrap().contains(&s.guest_token));
    let r = bearer(req("GET", "/api/tools"), &s.guest_token)
        .body(Body::empty())
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn guests_run_tools_and_read_history_with_their_name() {
    let s = shared();
    let cookie = guest_cookie(&s, PEER, "Eve").await;
    let r = req("POST", "/api/tools/vibration-control/run")
        .header(header::COOKIE, &cookie)
        .body(Body::from(r#"{"strategy": "passive"}"#))
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::OK);
    let r = req("GET", "/api/runs")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (status, v, _) = s.send(PEER, r).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v[0]["who"], "Eve");
    assert_eq!(v[0]["role"], "guest", "the role is stored with the run");
    assert_eq!(v[0]["tool"], "vibration-control");
}

#[tokio::test]
async fn read_only_guests_download_artifacts_but_do_not_run_heavy_tools() {
    let s = shared();
    let cookie = guest_cookie(&s, PEER, "Eve").await;
    // Producing the fea deck runs nothing: viewing rights suffice.
    let r = req("POST", "/api/tools/fea/artifacts/deck")
        .header(header::COOKIE, &cookie)
        .body(Body::from("{}"))
        .unwrap();
    let (status, _, headers) = s.send(PEER, r).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"cristallo_frame.inp\""
    );
    // Running the solver needs more than read-only rights.
    let r = req("POST", "/api/tools/fea/run")
        .header(header::COOKIE, &cookie)
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::FORBIDDEN);
    // Signed out, there is no artifact either.
    let r = req("POST", "/api/tools/fea/artifacts/deck")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(s.send(PEER, r).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn share_status_shows_the_link_and_qr_but_never_in_events() {
    let s = shared();
    let r = bearer(req("GET", "/api/share"), &s.host_token)
        .body(Body::empty())
        .unwrap();
    let (_, v, _) = s.send(PEER, r).await;
    assert_eq!(v["enabled"], true);
    assert_eq!(
        v["url"].as_str().unwrap(),
        format!("http://{SHARE_HOST}/?token={}", s.guest_token)
    );
    assert!(v["qr_svg"].as_str().unwrap().contains("<svg"));
    let event = serde_json::to_string(&cristallo_server::events::ServerEvent::Users {
        users: s.platform.access.sessions(),
    })
    .unwrap();
    assert!(!event.contains(&s.guest_token) && !event.contains(&s.host_token));
}

#[tokio::test]
async fn a_bad_link_lands_signed_out_without_the_token_in_the_address_bar() {
    let s = shared();
    let r = req("GET", "/?token=stale-or-wrong")
        .body(Body::empty())
        .unwrap();
    let (status, _, headers) = s.send(PEER, r).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/");
    assert!(!headers.contains_key(header::SET_COOKIE));
    let r = req("GET", "/api/session").body(Body::empty()).unwrap();
    let (status, v, _) = s.send(PEER, r).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "signed out is an answer, not an error"
    );
    assert_eq!(v["role"], Value::Null);
    assert_eq!(v["sharing"], true);
}

#[tokio::test]
async fn guests_see_a_user_count_and_a_revoked_stream_ends() {
    use futures_util::StreamExt;
    let s = shared();
    let cookie = guest_cookie(&s, PEER, "Fay").await;
    let res = s
        .app_from(PEER)
        .oneshot(
            req("GET", "/api/events")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body().into_data_stream();
    let mut text = String::new();
    // hello, then the users event caused by this stream opening.
    while !text.contains("event: users") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), body.next())
            .await
            .expect("events")
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("\"count\":1"), "{text}");
    assert!(
        !text.contains("198.51.100.7"),
        "guests must not see peers' addresses: {text}"
    );
    let id = s.platform.access.sessions()[0].id.clone();
    s.platform
        .revoke(&cristallo_server::access::Caller::host(), &id)
        .unwrap();
    let end = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Some(chunk) = body.next().await {
            chunk.unwrap();
        }
    })
    .await;
    assert!(end.is_ok(), "the revoked guest's stream must end");
}
