//! The HTTP edge: the router, the access guard in front of it, and handlers that only extract
//! the request, call the application layer ([`crate::app`]) and shape the response. Every
//! failure is an [`ApiError`](crate::ApiError), answered as `{error, field}` with its status.

mod arrow_body;
mod catalog;
mod guard;
mod history;
mod profiles;
mod router;
mod runs;
mod sharing;

pub use router::router;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::Event;
use serde_json::Value;

use crate::{ApiError, Platform};

/// The platform, as the handlers' state.
type Shared = State<Arc<Platform>>;

/// A request body as a JSON parameter object (empty: all defaults); too large or unreadable
/// bodies are answered with their own errors.
fn read_body(p: &Platform, body: Result<Bytes, BytesRejection>) -> Result<Value, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge {
                limit_bytes: p.config.body_limit_bytes,
            }
        } else if timed_out(&rejection) {
            ApiError::BodyTimeout {
                seconds: p.config.connections.body_read_timeout.as_secs().max(1),
            }
        } else {
            ApiError::BadBody {
                reason: rejection.body_text(),
            }
        }
    })?;
    crate::parse_params(&body)
}

/// Whether a body failed because it stopped arriving (the router's body timeout).
fn timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(error);
    while let Some(e) = cur {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cur = e.source();
    }
    false
}

/// A server-sent event named `name` with `data` as JSON.
fn sse_event(name: &str, data: &impl serde::Serialize) -> Event {
    Event::default()
        .event(name)
        .json_data(data)
        .unwrap_or_else(|_| Event::default().event("error"))
}
