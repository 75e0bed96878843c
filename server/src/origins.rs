//! The server's own origins: the scheme, host and port a browser's `Origin` header must match
//! exactly on a state-changing request or an event stream (docs/platform.md §5).
//!
//! A page on another port of the same machine (`http://localhost:3000`) is another origin: the
//! host alone proves nothing. The origins are added when the server learns its addresses: the
//! bound address (with `localhost` for a loopback bind) and, when sharing, the share URL's
//! address and the machine's names. The server speaks plain HTTP only, so only `http` origins
//! can be its own.

use std::net::{IpAddr, SocketAddr};
use std::sync::RwLock;

/// The origins one server answers as its own, normalised to `http://host:port`.
#[derive(Debug, Default)]
pub struct Origins {
    allowed: RwLock<Vec<String>>,
}

/// `host` as it appears in a URL: IPv6 addresses in brackets, names lowercased.
pub fn url_host(host: &str) -> String {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => format!("[{v6}]"),
        Ok(ip) => ip.to_string(),
        Err(_) => bare.to_ascii_lowercase(),
    }
}

/// `origin` (`scheme://host[:port]`) normalised to `http://host:port`; `None` for anything but
/// a plain `http` origin without path (`null`, `https://…`, `tauri://…`, garbage).
pub fn normalise(origin: &str) -> Option<String> {
    let (scheme, authority) = origin.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") || authority.contains(['/', '?', '#', '@', '\\']) {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h, p.parse::<u16>().ok()?),
        _ => (authority, 80),
    };
    if host.is_empty() {
        return None;
    }
    Some(format!("http://{}:{port}", url_host(host)))
}

impl Origins {
    /// Adds `http://HOST:port` for every host name or address in `hosts`.
    pub fn add(&self, port: u16, hosts: &[String]) {
        let mut allowed = self.allowed.write().unwrap_or_else(|p| p.into_inner());
        for h in hosts {
            let origin = format!("http://{}:{port}", url_host(h));
            if !allowed.contains(&origin) {
                allowed.push(origin);
            }
        }
    }

    /// Whether `origin` is exactly one of ours.
    pub fn contains(&self, origin: &str) -> bool {
        normalise(origin).is_some_and(|o| {
            self.allowed
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .contains(&o)
        })
    }
}

/// The host names a browser may use for a server bound to `addr`: the address itself, and
/// `localhost` for a loopback address.
pub fn names_of(addr: SocketAddr) -> Vec<String> {
    let mut names = vec![addr.ip().to_string()];
    if addr.ip().is_loopback() {
        names.push("localhost".into());
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_host_and_port_must_all_match() {
        let o = Origins::default();
        let addr: SocketAddr = "127.0.0.1:8123".parse().unwrap();
        o.add(addr.port(), &names_of(addr));
        assert!(o.contains("http://127.0.0.1:8123"));
        assert!(o.contains("http://LOCALHOST:8123"));
        for foreign in [
            "http://localhost:3000",
            "http://127.0.0.1",
            "https://127.0.0.1:8123",
            "tauri://localhost",
            "null",
            "http://127.0.0.1:8123/path",
            "http://evil.example:8123",
            "http://127.0.0.1:8123@evil.example",
            "",
        ] {
            assert!(!o.contains(foreign), "{foreign}");
        }
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        o.add(v6.port(), &names_of(v6));
        assert!(o.contains("http://[::1]") && o.contains("http://[0:0:0:0:0:0:0:1]:80"));
        assert!(!o.contains("http://[::1]:81"));
    }
}
