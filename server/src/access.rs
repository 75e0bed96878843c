//! Who may do what (docs/platform.md §5).
//!
//! * **Local mode** (`cristallo serve` on loopback, no `--share`): every caller is the host; the
//!   server refuses non-loopback binds in this mode.
//! * **Shared mode**: every `/api` call needs a session cookie (from the one-time `?token=`
//!   exchange) or `Authorization: Bearer TOKEN`. The share token makes a *guest*; the separate
//!   host token makes the *host*. Guests are read-only (run tools, view history) unless the host
//!   grants `full` (delete history, heavy tools); sharing settings and guest management are the
//!   host's alone. Revoking a guest ends its session at once; sessions end when idle and guests'
//!   at link rotation, and guests' are capped ([`crate::sessions`]). A browser holding a live
//!   session keeps it when it opens the link again.
//! * Always: a `Host` allow-list (DNS-rebinding defence), an exact `Origin` check (scheme,
//!   host and port, [`crate::origins`]) on state-changing requests and event streams, and a
//!   limit on failed token attempts per peer address. Tokens are compared in constant time and
//!   never logged. The name "host" is the host's alone.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::origins::Origins;
pub use crate::sessions::SessionInfo;
use crate::sessions::{SessionLimits, Sessions};

/// Failed token attempts allowed per peer address within [`FAILURE_WINDOW`].
pub const MAX_FAILED_ATTEMPTS: u32 = 5;
/// Window of the failed-attempt counter, and how long a blocked peer waits.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "cristallo_session";

/// The two kinds of caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Host,
    Guest,
}

impl Role {
    /// The role as stored with a run and sent in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Host => "host",
            Role::Guest => "guest",
        }
    }
}

/// What guests may do, set by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GuestAccess {
    /// Run tools and view results only.
    #[default]
    ReadOnly,
    /// Also delete history entries and run heavy tools.
    Full,
}

/// The caller of one request, as established by the access guard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    pub role: Role,
    /// Display name recorded in the run history.
    pub name: String,
    /// Public id of the session (shown to the host, used to revoke); none for the local host
    /// and bearer-token callers.
    pub session_id: Option<String>,
    /// Whether the caller may delete history entries and run heavy tools.
    pub can_modify: bool,
}

impl Caller {
    /// The host using the app on its own machine.
    pub fn host() -> Self {
        Caller {
            role: Role::Host,
            name: "host".into(),
            session_id: None,
            can_modify: true,
        }
    }
}

/// The secrets of an active share.
#[derive(Debug, Clone)]
pub struct ShareSecrets {
    pub guest_token: String,
    pub host_token: String,
}

/// A fresh random token (256 bits, hex).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn short_id() -> String {
    let mut bytes = [0u8; 6];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Constant-time equality, so a token cannot be guessed byte by byte from response times.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Why access was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// No or an invalid credential (401).
    Unauthenticated,
    /// Too many failed attempts from this address (429).
    RateLimited { retry_after: Duration },
    /// `Host` or `Origin` not allowed (403).
    Forbidden(String),
    /// The display name chosen with the share link cannot be used (400 naming `name`).
    BadName(String),
    /// A new guest session would exceed a cap (429 naming `sessions`).
    TooManySessions {
        message: String,
        retry_after: Duration,
    },
}

/// What a token exchange gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchanged {
    /// The session cookie's secret.
    pub secret: String,
    /// Whether the list of sessions changed: a new session, or the browser's own live session
    /// reused under a new name (else it was reused as it was).
    pub changed: bool,
}

/// The display name reserved for the host (compared trimmed, ignoring case).
pub const HOST_NAME: &str = "host";

/// The access state of one server.
#[derive(Debug)]
pub struct Access {
    allowed_hosts: RwLock<Vec<String>>,
    origins: Origins,
    secrets: RwLock<Option<ShareSecrets>>,
    guest_access: RwLock<GuestAccess>,
    sessions: Sessions,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
    guest_counter: Mutex<u32>,
}

fn host_part(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        // [::1]:8080
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    }
}

impl Access {
    /// Local mode: only loopback names are valid hosts, every caller is the host.
    pub fn local() -> Self {
        Self {
            allowed_hosts: RwLock::new(vec!["localhost".into(), "127.0.0.1".into(), "::1".into()]),
            origins: Origins::default(),
            secrets: RwLock::new(None),
            guest_access: RwLock::new(GuestAccess::ReadOnly),
            sessions: Sessions::default(),
            failures: Mutex::new(HashMap::new()),
            guest_counter: Mutex::new(0),
        }
    }

    /// Records that this server answers on `port` as each of `hosts` (addresses, host names):
    /// they join the `Host` allow-list, and `http://HOST:port` the origins.
    pub fn serve_as(&self, port: u16, hosts: &[String]) {
        let mut allowed = write(&self.allowed_hosts);
        for h in hosts {
            let h = h
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase();
            if !allowed.contains(&h) {
                allowed.push(h);
            }
        }
        self.origins.add(port, hosts);
    }

    /// Records the address a listener is bound to (with `localhost` for a loopback address).
    pub fn serve_at(&self, addr: SocketAddr) {
        self.serve_as(addr.port(), &crate::origins::names_of(addr));
    }

    /// Turns sharing on for a server listening on `port` and reachable as `hosts` (address,
    /// host names); returns the new secrets. Existing sessions are dropped.
    pub fn start_sharing(&self, port: u16, hosts: &[String]) -> ShareSecrets {
        let secrets = ShareSecrets {
            guest_token: new_token(),
            host_token: new_token(),
        };
        self.serve_as(port, hosts);
        *write(&self.secrets) = Some(secrets.clone());
        self.sessions.clear();
        secrets
    }

    /// Turns sharing off: tokens and sessions are forgotten.
    pub fn stop_sharing(&self) {
        *write(&self.secrets) = None;
        self.sessions.clear();
    }

    /// Sets how long sessions live and how many guests may have one.
    pub fn set_session_limits(&self, limits: SessionLimits) {
        self.sessions.set_limits(limits);
    }

    /// Whether sharing is on.
    pub fn is_sharing(&self) -> bool {
        read(&self.secrets).is_some()
    }

    /// A new guest token: the old link stops working and the guests' sessions end (the host's
    /// stay).
    pub fn rotate_guest_token(&self) -> Option<ShareSecrets> {
        let mut secrets = write(&self.secrets);
        let s = secrets.as_mut()?;
        s.guest_token = new_token();
        self.sessions.end_role(Role::Guest);
        Some(s.clone())
    }

    /// The current secrets (for the host's share dialog).
    pub fn secrets(&self) -> Option<ShareSecrets> {
        read(&self.secrets).clone()
    }

    pub fn guest_access(&self) -> GuestAccess {
        *read(&self.guest_access)
    }

    pub fn set_guest_access(&self, access: GuestAccess) {
        *write(&self.guest_access) = access;
    }

    /// Checks the `Host` header (absent: not a browser, allowed).
    pub fn check_host(&self, host: Option<&str>) -> Result<(), Denied> {
        let Some(host) = host else { return Ok(()) };
        let h = host_part(host).to_ascii_lowercase();
        if read(&self.allowed_hosts).contains(&h) {
            Ok(())
        } else {
            Err(Denied::Forbidden(format!("host '{h}' is not served here")))
        }
    }

    /// Checks an `Origin` header on a state-changing request or event stream (absent: not a
    /// browser, allowed; `null` or any origin but exactly one of this server's: refused).
    pub fn check_origin(&self, origin: Option<&str>) -> Result<(), Denied> {
        let Some(origin) = origin else { return Ok(()) };
        if self.origins.contains(origin) {
            Ok(())
        } else {
            Err(Denied::Forbidden(format!(
                "origin '{origin}' may not change anything here"
            )))
        }
    }

    fn check_rate(&self, peer: Option<IpAddr>) -> Result<(), Denied> {
        let Some(ip) = peer else { return Ok(()) };
        let mut failures = lock(&self.failures);
        if let Some((count, since)) = failures.get(&ip).copied() {
            let age = since.elapsed();
            if age >= FAILURE_WINDOW {
                failures.remove(&ip);
            } else if count >= MAX_FAILED_ATTEMPTS {
                return Err(Denied::RateLimited {
                    retry_after: FAILURE_WINDOW - age,
                });
            }
        }
        Ok(())
    }

    fn record_failure(&self, peer: Option<IpAddr>) {
        let ip = peer.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let mut failures = lock(&self.failures);
        let entry = failures.entry(ip).or_insert((0, Instant::now()));
        entry.0 += 1;
    }

    fn caller_for(&self, role: Role, name: String, session_id: Option<String>) -> Caller {
        let can_modify = role == Role::Host || self.guest_access() == GuestAccess::Full;
        Caller {
            role,
            name,
            session_id,
            can_modify,
        }
    }

    fn role_of_token(&self, token: &str) -> Option<Role> {
        let secrets = read(&self.secrets);
        let s = secrets.as_ref()?;
        if same_secret(token, &s.host_token) {
            Some(Role::Host)
        } else if same_secret(token, &s.guest_token) {
            Some(Role::Guest)
        } else {
            None
        }
    }

    /// Exchanges a `?token=` for a session: the browser's own live session (cookie secret
    /// `cookie`) of the token's role if it holds one, else a new one within the caps.
    pub fn exchange_token(
        &self,
        token: &str,
        name: Option<&str>,
        peer: Option<SocketAddr>,
        cookie: Option<&str>,
    ) -> Result<Exchanged, Denied> {
        let ip = peer.map(|p| p.ip());
        self.check_rate(ip)?;
        let Some(role) = self.role_of_token(token) else {
            self.record_failure(ip);
            return Err(Denied::Unauthenticated);
        };
        let chosen = name.map(|n| n.chars().filter(|c| !c.is_control()).collect::<String>());
        let chosen: Option<String> =
            match chosen.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                Some(n) if role == Role::Guest && n.eq_ignore_ascii_case(HOST_NAME) => {
                    return Err(Denied::BadName(format!(
                        "'{n}' is reserved for the host; choose another name"
                    )));
                }
                Some(n) => Some(n.chars().take(40).collect()),
                None => None,
            };
        if let Some(secret) = cookie {
            if let Some(renamed) = self.sessions.reuse(secret, role, chosen.as_deref()) {
                return Ok(Exchanged {
                    secret: secret.to_string(),
                    changed: renamed,
                });
            }
        }
        let name = match chosen {
            Some(n) => n,
            None if role == Role::Host => "host".to_string(),
            None => {
                let mut counter = lock(&self.guest_counter);
                *counter += 1;
                format!("guest-{}", *counter)
            }
        };
        let secret = new_token();
        let info = SessionInfo {
            id: short_id(),
            name,
            role,
            peer: ip.map_or_else(|| "unknown".into(), |i| i.to_string()),
            connected_at_ms: now_ms(),
            live_streams: 0,
        };
        self.sessions.insert(secret.clone(), info, ip)?;
        Ok(Exchanged {
            secret,
            changed: true,
        })
    }

    /// Establishes the caller of an API request from its credentials.
    pub fn authenticate(
        &self,
        bearer: Option<&str>,
        cookie: Option<&str>,
        peer: Option<SocketAddr>,
    ) -> Result<Caller, Denied> {
        if !self.is_sharing() {
            return Ok(Caller::host());
        }
        let ip = peer.map(|p| p.ip());
        if let Some(i) = cookie.and_then(|secret| self.sessions.touch(secret)) {
            return Ok(self.caller_for(i.role, i.name, Some(i.id)));
        }
        let Some(token) = bearer else {
            return Err(Denied::Unauthenticated);
        };
        self.check_rate(ip)?;
        match self.role_of_token(token) {
            Some(Role::Host) => Ok(Caller::host()),
            Some(Role::Guest) => Ok(self.caller_for(Role::Guest, "api-guest".into(), None)),
            None => {
                self.record_failure(ip);
                Err(Denied::Unauthenticated)
            }
        }
    }

    /// The live sessions, for the host.
    pub fn sessions(&self) -> Vec<SessionInfo> {
        self.sessions.list()
    }

    /// Ends a session by its public id; `false` if there was none.
    pub fn revoke(&self, session_id: &str) -> bool {
        self.sessions.revoke(session_id)
    }

    /// Whether a session (by public id) still exists; callers without a session (the local host,
    /// bearer-token clients) are always alive.
    pub fn session_alive(&self, session_id: Option<&str>) -> bool {
        match session_id {
            None => true,
            Some(id) => self.sessions.alive(id),
        }
    }

    /// Counts an open live-event stream of a session (+1 or −1).
    pub fn stream_opened(&self, session_id: &str, delta: i32) {
        self.sessions.stream_opened(session_id, delta);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
fn read<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|p| p.into_inner())
}
fn write<T>(m: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(last: u8) -> Option<SocketAddr> {
        Some(SocketAddr::from(([10, 0, 0, last], 5000)))
    }

    #[test]
    fn local_mode_makes_everyone_host_but_checks_host_and_origin() {
        let a = Access::local();
        a.serve_at(SocketAddr::from(([127, 0, 0, 1], 8080)));
        assert_eq!(a.authenticate(None, None, None), Ok(Caller::host()));
        assert!(a.check_host(Some("127.0.0.1:8080")).is_ok());
        assert!(a.check_host(Some("localhost")).is_ok());
        assert!(a.check_host(Some("[::1]:80")).is_ok());
        assert!(a.check_host(Some("evil.example:8080")).is_err());
        assert!(a.check_origin(Some("http://127.0.0.1:8080")).is_ok());
        assert!(a.check_origin(Some("http://localhost:8080")).is_ok());
        assert!(a.check_origin(Some("http://localhost:3000")).is_err());
        assert!(a.check_origin(Some("http://evil.example")).is_err());
        assert!(a.check_origin(Some("null")).is_err());
        assert!(a.check_origin(None).is_ok());
    }

    #[test]
    fn shared_mode_roles_sessions_and_revocation() {
        let a = Access::local();
        let s = a.start_sharing(4000, &["192.168.7.2".into()]);
        assert!(a.check_host(Some("192.168.7.2:4000")).is_ok());
        assert_eq!(
            a.authenticate(None, None, peer(1)),
            Err(Denied::Unauthenticated)
        );
        let guest = a.authenticate(Some(&s.guest_token), None, peer(1)).unwrap();
        assert_eq!((guest.role, guest.can_modify), (Role::Guest, false));
        let host = a.authenticate(Some(&s.host_token), None, peer(1)).unwrap();
        assert!(host.can_modify);
        a.set_guest_access(GuestAccess::Full);
        assert!(
            a.authenticate(Some(&s.guest_token), None, peer(1))
                .unwrap()
                .can_modify
        );

        let cookie = a
            .exchange_token(&s.guest_token, Some("Ana"), peer(2), None)
            .unwrap()
            .secret;
        let c = a.authenticate(None, Some(&cookie), peer(2)).unwrap();
        // The same browser opening the link again keeps its session (under a new name if it
        // gives one).
        let again = a
            .exchange_token(&s.guest_token, Some("Ana"), peer(2), Some(&cookie))
            .unwrap();
        assert_eq!(
            (again.secret.as_str(), again.changed),
            (cookie.as_str(), false)
        );
        let renamed = a
            .exchange_token(&s.guest_token, Some("Bo"), peer(2), Some(&cookie))
            .unwrap();
        assert_eq!(
            (renamed.secret.as_str(), renamed.changed),
            (cookie.as_str(), true)
        );
        assert_eq!(a.sessions()[0].name, "Bo");
        assert_eq!(c.name, "Ana");
        for reserved in ["host", " HoSt ", "ho\u{7}st"] {
            assert!(matches!(
                a.exchange_token(&s.guest_token, Some(reserved), peer(2), None),
                Err(Denied::BadName(_))
            ));
        }
        let id = c.session_id.unwrap();
        assert_eq!(a.sessions().len(), 1);
        assert!(a.revoke(&id));
        assert_eq!(
            a.authenticate(None, Some(&cookie), peer(2)),
            Err(Denied::Unauthenticated)
        );
        let h = a
            .exchange_token(&s.host_token, Some("host"), peer(2), None)
            .unwrap()
            .secret;
        assert_eq!(
            a.authenticate(None, Some(&h), peer(2)).unwrap().name,
            "host"
        );
        a.stop_sharing();
        assert!(!a.is_sharing());
    }

    #[test]
    fn rotating_the_link_ends_guest_sessions_not_the_hosts() {
        let a = Access::local();
        let s = a.start_sharing(4000, &[]);
        let host = a
            .exchange_token(&s.host_token, None, peer(5), None)
            .unwrap();
        // A host cookie is no guest session: the guest link makes a new one.
        let guest = a.exchange_token(&s.guest_token, None, peer(5), Some(&host.secret));
        let guest = guest.unwrap().secret;
        assert_ne!(guest, host.secret);
        a.rotate_guest_token().unwrap();
        let gone = a.authenticate(None, Some(&guest), peer(5));
        assert_eq!(gone, Err(Denied::Unauthenticated));
        let kept = a.authenticate(None, Some(&host.secret), peer(5));
        assert_eq!(kept.unwrap().role, Role::Host);
    }

    #[test]
    fn failed_attempts_are_rate_limited_per_peer() {
        let a = Access::local();
        let s = a.start_sharing(4000, &[]);
        for _ in 0..MAX_FAILED_ATTEMPTS {
            assert_eq!(
                a.authenticate(Some("wrong"), None, peer(3)),
                Err(Denied::Unauthenticated)
            );
        }
        assert!(matches!(
            a.authenticate(Some(&s.guest_token), None, peer(3)),
            Err(Denied::RateLimited { .. })
        ));
        assert!(matches!(
            a.exchange_token(&s.guest_token, None, peer(3), None),
            Err(Denied::RateLimited { .. })
        ));
        // Another address is not affected.
        assert!(a.authenticate(Some(&s.guest_token), None, peer(4)).is_ok());
    }

    #[test]
    fn tokens_are_random_and_long() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(same_secret(&a, &a.clone()) && !same_secret(&a, &b) && !same_secret(&a, "x"));
    }
}
