//! The HTTP edge: the router, the access guard in front of it, and handlers that only extract
//! the request, call the application layer ([`crate::app`]) and shape the response. Every
//! failure is an [`ApiError`](crate::ApiError), answered as `{error, field}` with its status.

mod arrow_body;
mod body;
mod catalog;
mod guard;
mod history;
mod profiles;
mod router;
mod runs;
mod sharing;

pub use router::router;

use std::sync::Arc;

use axum::extract::State;
use axum::response::sse::Event;

use crate::Platform;

/// The platform, as the handlers' state.
type Shared = State<Arc<Platform>>;

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
