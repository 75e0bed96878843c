//! The live event stream shared by everyone connected: new and deleted runs, connected users,
//! changed sharing settings, changed profiles. Delivered over server-sent events (`GET /api/events`) and, in the
//! desktop app, as Tauri events.

use serde::Serialize;
use tokio::sync::broadcast;

use crate::access::{GuestAccess, SessionInfo};
use crate::store::RunSummary;

/// One event of the shared stream.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// Somebody finished a run; it is in the history now.
    RunAdded { run: RunSummary },
    /// A run was deleted from the history.
    RunDeleted { id: i64 },
    /// The connected sessions changed.
    Users { users: Vec<SessionInfo> },
    /// A saved profile was added, renamed, deleted or restored (`action`); lists should reload.
    ProfilesChanged { id: String, action: String },
    /// The host changed what guests may do, or sharing was turned on or off.
    Sharing {
        enabled: bool,
        guest_access: GuestAccess,
    },
}

impl ServerEvent {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            ServerEvent::RunAdded { .. } => "run_added",
            ServerEvent::RunDeleted { .. } => "run_deleted",
            ServerEvent::Users { .. } => "users",
            ServerEvent::Sharing { .. } => "sharing",
            ServerEvent::ProfilesChanged { .. } => "profiles_changed",
        }
    }
}

/// Fan-out of [`ServerEvent`]s to every subscriber. A slow subscriber loses old events
/// (it is told how many) instead of slowing everyone down.
#[derive(Debug, Clone)]
pub struct Hub {
    tx: broadcast::Sender<ServerEvent>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(256);
        Self { tx }
    }

    /// Sends to everyone subscribed now (nobody listening is fine).
    pub fn publish(&self, event: ServerEvent) {
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ServerEvent> {
        self.tx.subscribe()
    }
}
