//! The access guard in front of every request: the Host allow-list, the exact Origin check for
//! state changes and streams, JSON bodies only on state changes, the exchange of a share link's
//! token for a session cookie (the browser's own live session reused; redirected to a known UI
//! path), and the authentication of every API call (the caller is then an extension of the
//! request).

use std::net::SocketAddr;

use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::Shared;
use crate::access::{Denied, SESSION_COOKIE};
use crate::{ApiError, Platform};

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
    name: Option<String>,
}

/// Host allow-list, Origin check, token exchange and authentication, for every request.
pub(super) async fn guard(State(p): Shared, mut req: Request, next: Next) -> Response {
    match admit(&p, &mut req) {
        Ok(None) => next.run(req).await,
        Ok(Some(response)) => response,
        Err(e) => e.into_response(),
    }
}

/// Where a share link lands after its token is taken: the UI's own page for its paths, the UI's
/// start page for anything else. Never the request's path as it came: `//evil.example/x` is
/// an address on another site to a browser.
fn ui_landing(path: &str) -> &'static str {
    match path {
        "/index.html" => "/index.html",
        _ => "/",
    }
}

/// A state-changing request with a body (or a declared type) must declare `application/json`:
/// a page on another site can send `text/plain` or form bodies without a CORS preflight, but
/// not JSON.
fn check_json_body(req: &Request) -> Result<(), ApiError> {
    use axum::body::HttpBody;
    let headers = req.headers();
    let declared = header_str(headers, header::CONTENT_TYPE);
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || header_str(headers, header::CONTENT_LENGTH).is_some_and(|n| n.trim() != "0")
        || req.body().size_hint().exact() != Some(0);
    if declared.is_none() && !has_body {
        return Ok(());
    }
    let is_json = declared.is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
    });
    if is_json {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType {
            found: declared.map_or_else(|| "none".to_string(), |ct| format!("'{ct}'")),
        })
    }
}

fn admit(p: &Platform, req: &mut Request) -> Result<Option<Response>, ApiError> {
    let headers = req.headers();
    p.access.check_host(header_str(headers, header::HOST))?;
    let path = req.uri().path();
    let is_api = path.starts_with("/api/");
    let is_stream = path == "/api/events" || path.ends_with("/events");
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state || is_stream {
        p.access.check_origin(header_str(headers, header::ORIGIN))?;
    }
    if changes_state {
        check_json_body(req)?;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .or_else(|| {
            req.extensions()
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|c| c.0)
        });
    let query: TokenQuery = Query::try_from_uri(req.uri())
        .map(|q| q.0)
        .unwrap_or(TokenQuery {
            token: None,
            name: None,
        });
    if let (Some(token), &Method::GET) = (query.token.as_deref(), req.method()) {
        // Whatever happens, the browser lands on the same page without the token in the
        // address bar; a bad or stale link simply leaves it signed out (the UI says so).
        let exchanged = if p.access.is_sharing() {
            let cookie = cookie_value(headers, SESSION_COOKIE);
            match p
                .access
                .exchange_token(token, query.name.as_deref(), peer, cookie)
            {
                Ok(exchanged) => Some(exchanged),
                Err(Denied::Unauthenticated) => None,
                Err(other) => return Err(other.into()),
            }
        } else {
            None
        };
        let mut res = StatusCode::SEE_OTHER.into_response();
        let h = res.headers_mut();
        h.insert(header::LOCATION, HeaderValue::from_static(ui_landing(path)));
        if let Some(exchanged) = exchanged {
            if exchanged.changed {
                p.announce_users();
            }
            let secret = exchanged.secret;
            let cookie = format!("{SESSION_COOKIE}={secret}; HttpOnly; SameSite=Strict; Path=/");
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                h.insert(header::SET_COOKIE, v);
            }
        }
        return Ok(Some(res));
    }
    if is_api && path != "/api/health" {
        let bearer =
            header_str(headers, header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "));
        let cookie = cookie_value(headers, SESSION_COOKIE);
        match p.access.authenticate(bearer, cookie, peer) {
            Ok(caller) => {
                req.extensions_mut().insert(caller);
            }
            // "Who am I?" is answered for everyone: signed out is a valid answer, not an error.
            Err(Denied::Unauthenticated) if path == "/api/session" && bearer.is_none() => {}
            Err(denied) => return Err(denied.into()),
        }
    }
    Ok(None)
}
