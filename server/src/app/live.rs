//! The live stream of a signed-in caller: `hello`, then every event of the platform's hub (runs
//! added or deleted, users, sharing, profiles) as the caller may see it, until the caller's
//! session is revoked or the platform shuts down. While it is open the session counts as
//! connected in the host's list.

use std::sync::Arc;

use futures_util::stream::{self, Stream, StreamExt};
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;

use crate::access::{Caller, Role};
use crate::events::ServerEvent;
use crate::Platform;

/// One event of a live stream.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum LiveEvent {
    /// First event: who the stream belongs to.
    Hello { name: String, role: Role },
    /// The stream fell behind and skipped `missed` events.
    Lagged { missed: u64 },
    /// What a guest learns of the users: how many are connected, not who or from where.
    UserCount {
        #[serde(rename = "type")]
        kind: &'static str,
        count: usize,
    },
    /// A hub event as it was published.
    Server(ServerEvent),
}

impl LiveEvent {
    /// The event's name (the SSE event type).
    pub fn name(&self) -> &'static str {
        match self {
            LiveEvent::Hello { .. } => "hello",
            LiveEvent::Lagged { .. } => "lagged",
            LiveEvent::UserCount { .. } => "users",
            LiveEvent::Server(e) => e.name(),
        }
    }
}

/// Counts a live stream of a session for the host's "connected" list while it is open.
struct LiveStream {
    platform: Arc<Platform>,
    session_id: Option<String>,
}

impl LiveStream {
    fn open(platform: Arc<Platform>, session_id: Option<String>) -> Self {
        if let Some(id) = &session_id {
            platform.access.stream_opened(id, 1);
            platform.announce_users();
        }
        Self {
            platform,
            session_id,
        }
    }
}

impl Drop for LiveStream {
    fn drop(&mut self) {
        if let Some(id) = &self.session_id {
            self.platform.access.stream_opened(id, -1);
            self.platform.announce_users();
        }
    }
}

/// The live stream of `caller`.
pub fn events(p: &Arc<Platform>, caller: &Caller) -> impl Stream<Item = LiveEvent> + Send {
    let rx = p.hub.subscribe();
    let live = LiveStream::open(p.clone(), caller.session_id.clone());
    let viewer = caller.clone();
    let events = stream::unfold((rx, live), move |(mut rx, live)| {
        let viewer = viewer.clone();
        async move {
            let event = match rx.recv().await {
                Ok(e) => e,
                Err(RecvError::Lagged(missed)) => {
                    return Some((LiveEvent::Lagged { missed }, (rx, live)))
                }
                Err(RecvError::Closed) => return None,
            };
            // A revoked session's stream ends at the next event (revoking announces users).
            if !live
                .platform
                .access
                .session_alive(viewer.session_id.as_deref())
            {
                return None;
            }
            let event = match event {
                ServerEvent::Users { users } if viewer.role == Role::Guest => {
                    LiveEvent::UserCount {
                        kind: "users",
                        count: users.len(),
                    }
                }
                other => LiveEvent::Server(other),
            };
            Some((event, (rx, live)))
        }
    });
    let hello = stream::once(std::future::ready(LiveEvent::Hello {
        name: caller.name.clone(),
        role: caller.role,
    }));
    hello.chain(events).take_until(p.closed())
}
