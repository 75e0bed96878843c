//! Finding 4 of issue 16: a cookie reused on a new exchange, guest sessions capped per address,
//! idle sessions ended, guest sessions ended at link rotation, `users` events coalesced.

use std::time::Instant;

use axum::body::Body;
use axum::http::{header, Request};
use cristallo_server::events::ServerEvent;
use tower::ServiceExt;

use super::*;

/// The cookie pair (`cristallo_session=…`) an answer sets.
fn cookie_of(a: &Answer) -> String {
    let set = a
        .header("set-cookie")
        .unwrap_or_else(|| panic!("no cookie set: {} {}", a.status, a.brief()));
    set.split(';').next().unwrap().to_string()
}

/// A shared server with `configure` applied; its guest and host tokens.
async fn shared_with(configure: impl FnOnce(&mut AppConfig)) -> (Server, String, String) {
    let s = start(configure).await;
    s.platform.enable_sharing(s.addr, false).unwrap();
    let secrets = s.platform.access.secrets().unwrap();
    (s, secrets.guest_token, secrets.host_token)
}

#[tokio::test]
async fn one_cookie_exchanged_5000_times_is_one_session() {
    let (s, guest, _) = shared_with(|_| {}).await;
    let app = cristallo_server::router(s.platform.clone());
    let exchange = |cookie: Option<&str>| {
        let mut r = Request::get(format!("/?token={guest}&name=Ann"));
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        app.clone().oneshot(r.body(Body::empty()).unwrap())
    };
    let first = exchange(None).await.unwrap();
    assert_eq!(first.status(), 303);
    let set = first.headers()[header::SET_COOKIE].to_str().unwrap();
    let cookie = set.split(';').next().unwrap().to_string();
    for i in 0..5000 {
        let again = exchange(Some(&cookie)).await.unwrap();
        assert_eq!(again.status(), 303, "exchange {i}");
        let set = again.headers()[header::SET_COOKIE].to_str().unwrap();
        assert!(
            set.starts_with(&cookie),
            "exchange {i} set another cookie: {set}"
        );
    }
    let sessions = s.platform.access.sessions();
    assert_eq!(sessions.len(), 1, "{} sessions", sessions.len());
    // A stale cookie (not a live session) gets a new session, as it always did.
    let stale = exchange(Some("cristallo_session=stale")).await.unwrap();
    assert_eq!(stale.status(), 303);
    assert_eq!(s.platform.access.sessions().len(), 2);
}

#[tokio::test]
async fn the_cap_refuses_one_guest_session_too_many_from_one_address() {
    const CAP: usize = 3;
    let (s, guest, host) = shared_with(|c| c.sessions.max_guests_per_address = CAP).await;
    let from = |last: u8| connect_from([127, 0, 0, last], s.addr);
    let link = format!("/?token={guest}");
    for i in 0..CAP {
        let a = send_on(from(2).await, s.addr, "GET", &link, "", "").await;
        assert_eq!(a.status, 303, "session {i}: {}", a.brief());
    }
    let over = send_on(from(2).await, s.addr, "GET", &link, "", "").await;
    assert_eq!(over.status, 429, "{}", over.brief());
    let v: serde_json::Value = serde_json::from_str(&over.brief()).unwrap();
    assert_eq!(v["field"], "sessions", "{v}");
    assert!(over.header("retry-after").is_some(), "{}", over.head);
    assert!(over.header("set-cookie").is_none());
    // Another address, and the host from the same one, still sign in.
    let other = send_on(from(3).await, s.addr, "GET", &link, "", "").await;
    assert_eq!(other.status, 303, "{}", other.brief());
    let host_link = format!("/?token={host}");
    let h = send_on(from(2).await, s.addr, "GET", &host_link, "", "").await;
    assert_eq!(h.status, 303, "{}", h.brief());
    assert!(h.header("set-cookie").is_some());
    assert_eq!(s.platform.access.sessions().len(), CAP + 2);
}

#[tokio::test]
async fn an_idle_session_ends() {
    let (s, guest, _) = shared_with(|c| c.sessions.idle_timeout = Duration::from_millis(400)).await;
    let a = send(s.addr, "GET", &format!("/?token={guest}"), "", "").await;
    let cookie = format!("Cookie: {}", cookie_of(&a));
    // Used within the timeout: alive, and the use counts as activity.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let a = send(s.addr, "GET", "/api/twin", &cookie, "").await;
        assert_eq!(a.status, 200, "{}", a.brief());
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let a = send(s.addr, "GET", "/api/twin", &cookie, "").await;
    assert_eq!(
        a.status,
        401,
        "idle for longer than the timeout: {}",
        a.brief()
    );
    assert!(s.platform.access.sessions().is_empty());
}

#[tokio::test]
async fn rotating_the_link_ends_guest_sessions() {
    let (s, guest, host) = shared_with(|_| {}).await;
    let g = send(s.addr, "GET", &format!("/?token={guest}"), "", "").await;
    let g = format!("Cookie: {}", cookie_of(&g));
    let h = send(s.addr, "GET", &format!("/?token={host}"), "", "").await;
    let h = format!("Cookie: {}", cookie_of(&h));
    assert_eq!(send(s.addr, "GET", "/api/twin", &g, "").await.status, 200);
    let rotated = send(s.addr, "POST", "/api/share/rotate", &h, "").await;
    assert_eq!(rotated.status, 200, "{}", rotated.brief());
    let a = send(s.addr, "GET", "/api/twin", &g, "").await;
    assert_eq!(
        a.status,
        401,
        "the guest's session outlived the link: {}",
        a.brief()
    );
    assert_eq!(send(s.addr, "GET", "/api/twin", &h, "").await.status, 200);
}

#[tokio::test]
async fn a_burst_of_sign_ins_sends_few_users_events_with_the_latest_list() {
    const SIGN_INS: usize = 300;
    let (s, guest, _) = shared_with(|c| {
        c.sessions.max_guests_per_address = SIGN_INS;
        c.sessions.max_guests = SIGN_INS;
    })
    .await;
    let window = s.platform.config.users_event_window;
    let app = cristallo_server::router(s.platform.clone());
    let mut events = s.platform.hub.subscribe();
    let started = Instant::now();
    for i in 0..SIGN_INS {
        let r = Request::get(format!("/?token={guest}&name=g{i}"));
        let answer = app.clone().oneshot(r.body(Body::empty()).unwrap()).await;
        assert_eq!(answer.unwrap().status(), 303);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(window * 3).await;
    let mut lists = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let ServerEvent::Users { users } = event {
            lists.push(users.len());
        }
    }
    let bound = (elapsed.as_millis() / window.as_millis()) as usize + 2;
    assert!(
        !lists.is_empty() && lists.len() <= bound,
        "{} users events for {SIGN_INS} sign-ins in {elapsed:?} (at most {bound})",
        lists.len()
    );
    assert_eq!(
        lists.last(),
        Some(&SIGN_INS),
        "the last event has every user"
    );
}
