//! The browser sessions of a shared server (docs/platform.md §5): made by a share link's token
//! exchange, reused when the browser already holds a live one, ended when idle, when revoked and
//! (guests) when the link is rotated, and capped per peer address and in total.
//!
//! The caps count guest sessions only: the host signs in with its own secret link, so guests
//! filling the caps never lock the host out. A session with an open live-event stream is not
//! idle.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::access::{Denied, Role};

/// One guest or host browser session, as the host's share dialog shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionInfo {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub peer: String,
    pub connected_at_ms: i64,
    /// Open live-event streams of this session (0 = not looking right now).
    pub live_streams: u32,
}

/// How long sessions live and how many there may be.
#[derive(Debug, Clone)]
pub struct SessionLimits {
    /// A session not used for this long (no API call, no open event stream) ends.
    pub idle_timeout: Duration,
    /// Live guest sessions from one peer address.
    pub max_guests_per_address: usize,
    /// Live guest sessions in total.
    pub max_guests: usize,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(12 * 3600),
            max_guests_per_address: 16,
            max_guests: 256,
        }
    }
}

/// How long a refused sign-in is told to wait (a guest session of the address may end by then).
pub const SESSION_RETRY_AFTER: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Session {
    info: SessionInfo,
    ip: Option<IpAddr>,
    last_seen: Instant,
}

impl Session {
    fn expired(&self, now: Instant, idle: Duration) -> bool {
        self.info.live_streams == 0 && now.saturating_duration_since(self.last_seen) > idle
    }
}

#[derive(Debug, Default)]
struct Inner {
    limits: SessionLimits,
    /// Cookie secret → session.
    map: HashMap<String, Session>,
}

impl Inner {
    /// Forgets the sessions idle for longer than the limit.
    fn sweep(&mut self) {
        let (now, idle) = (Instant::now(), self.limits.idle_timeout);
        self.map.retain(|_, s| !s.expired(now, idle));
    }
}

/// The live sessions.
#[derive(Debug, Default)]
pub struct Sessions {
    inner: Mutex<Inner>,
}

impl Sessions {
    pub fn set_limits(&self, limits: SessionLimits) {
        self.lock().limits = limits;
    }

    /// Reuses the session behind cookie `secret` if it is live and of `role` (its last use is
    /// now), renamed to `name` if one is given: `Some(whether it was renamed)`, else `None`.
    pub fn reuse(&self, secret: &str, role: Role, name: Option<&str>) -> Option<bool> {
        let info = self.touch(secret).filter(|info| info.role == role)?;
        let Some(name) = name.filter(|n| *n != info.name) else {
            return Some(false);
        };
        let mut inner = self.lock();
        let session = inner.map.get_mut(secret)?;
        session.info.name = name.to_string();
        Some(true)
    }

    /// The session behind cookie `secret` if it is live; its last use is now.
    pub fn touch(&self, secret: &str) -> Option<SessionInfo> {
        let mut inner = self.lock();
        let idle = inner.limits.idle_timeout;
        let now = Instant::now();
        let session = inner.map.get_mut(secret)?;
        if session.expired(now, idle) {
            inner.map.remove(secret);
            return None;
        }
        session.last_seen = now;
        Some(session.info.clone())
    }

    /// Adds a session under cookie `secret`; a guest session over a cap is refused (429 naming
    /// `sessions`).
    pub fn insert(
        &self,
        secret: String,
        info: SessionInfo,
        ip: Option<IpAddr>,
    ) -> Result<(), Denied> {
        let mut inner = self.lock();
        inner.sweep();
        if info.role == Role::Guest {
            let guests = inner.map.values().filter(|s| s.info.role == Role::Guest);
            let (mut total, mut mine) = (0, 0);
            for s in guests {
                total += 1;
                mine += usize::from(s.ip == ip);
            }
            let limits = &inner.limits;
            let over = if mine >= limits.max_guests_per_address {
                Some(format!(
                    "this address already has {mine} guest sessions, the most allowed; \
                     use an open tab or ask the host to end one"
                ))
            } else if total >= limits.max_guests {
                Some(format!(
                    "the share already has {total} guest sessions, the most allowed; \
                     ask the host to end one"
                ))
            } else {
                None
            };
            if let Some(message) = over {
                return Err(Denied::TooManySessions {
                    message,
                    retry_after: SESSION_RETRY_AFTER,
                });
            }
        }
        inner.map.insert(
            secret,
            Session {
                info,
                ip,
                last_seen: Instant::now(),
            },
        );
        Ok(())
    }

    /// The live sessions, oldest first.
    pub fn list(&self) -> Vec<SessionInfo> {
        let mut inner = self.lock();
        inner.sweep();
        let mut v: Vec<SessionInfo> = inner.map.values().map(|s| s.info.clone()).collect();
        v.sort_by_key(|s| s.connected_at_ms);
        v
    }

    /// Ends the session with public id `id`; `false` if there was none.
    pub fn revoke(&self, id: &str) -> bool {
        let mut inner = self.lock();
        let before = inner.map.len();
        inner.map.retain(|_, s| s.info.id != id);
        inner.map.len() != before
    }

    /// Ends every session of `role`.
    pub fn end_role(&self, role: Role) {
        self.lock().map.retain(|_, s| s.info.role != role);
    }

    pub fn clear(&self) {
        self.lock().map.clear();
    }

    /// Whether the session with public id `id` is live.
    pub fn alive(&self, id: &str) -> bool {
        let mut inner = self.lock();
        inner.sweep();
        inner.map.values().any(|s| s.info.id == id)
    }

    /// Counts an open live-event stream of session `id` (+1 or −1); opening or closing one is a
    /// use of the session.
    pub fn stream_opened(&self, id: &str, delta: i32) {
        let now = Instant::now();
        for s in self.lock().map.values_mut() {
            if s.info.id == id {
                s.info.live_streams = s.info.live_streams.saturating_add_signed(delta);
                s.last_seen = now;
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, role: Role) -> SessionInfo {
        SessionInfo {
            id: id.into(),
            name: id.into(),
            role,
            peer: "10.0.0.1".into(),
            connected_at_ms: 0,
            live_streams: 0,
        }
    }

    #[test]
    fn guest_caps_per_address_and_in_total_leave_the_host_free() {
        let s = Sessions::default();
        s.set_limits(SessionLimits {
            max_guests_per_address: 2,
            max_guests: 3,
            ..Default::default()
        });
        let (a, b) = (
            Some(IpAddr::from([10, 0, 0, 1])),
            Some(IpAddr::from([10, 0, 0, 2])),
        );
        s.insert("1".into(), info("g1", Role::Guest), a).unwrap();
        s.insert("2".into(), info("g2", Role::Guest), a).unwrap();
        let e = s
            .insert("3".into(), info("g3", Role::Guest), a)
            .unwrap_err();
        assert!(matches!(e, Denied::TooManySessions { .. }), "{e:?}");
        s.insert("4".into(), info("g4", Role::Guest), b).unwrap();
        let e = s
            .insert("5".into(), info("g5", Role::Guest), b)
            .unwrap_err();
        assert!(matches!(&e, Denied::TooManySessions { message, .. } if message.contains("share")));
        s.insert("6".into(), info("h", Role::Host), a).unwrap();
        assert_eq!(s.list().len(), 4);
        s.end_role(Role::Guest);
        assert_eq!(s.list().len(), 1);
    }

    #[test]
    fn idle_sessions_end_unless_a_stream_is_open() {
        let s = Sessions::default();
        s.set_limits(SessionLimits {
            idle_timeout: Duration::from_millis(30),
            ..Default::default()
        });
        s.insert("1".into(), info("idle", Role::Guest), None)
            .unwrap();
        s.insert("2".into(), info("live", Role::Guest), None)
            .unwrap();
        s.stream_opened("live", 1);
        assert_eq!(s.reuse("1", Role::Guest, None), Some(false));
        assert_eq!(s.reuse("1", Role::Host, None), None, "another role");
        assert_eq!(s.reuse("1", Role::Guest, Some("Ann")), Some(true));
        std::thread::sleep(Duration::from_millis(60));
        assert!(s.touch("1").is_none(), "idle for longer than the limit");
        assert!(s.alive("live"));
        s.stream_opened("live", -1);
        std::thread::sleep(Duration::from_millis(60));
        assert!(!s.alive("live"));
    }
}
