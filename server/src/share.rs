//! LAN sharing: the share URL and its QR code, the mDNS advertisement of a shared twin, and the
//! discovery of other shared twins.
//!
//! mdns-sd opens its multicast sockets on every interface when its daemon thread starts; right
//! after, we disable all interfaces and enable only the shared one. The daemon lives on its own
//! thread and is shut down when sharing stops (or the [`Advertiser`] is dropped). Nothing here
//! starts mDNS by itself: only an explicit share or discovery does.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent, ServiceInfo};
use serde::Serialize;
use thiserror::Error;

/// The DNS-SD service type of Cristallo-RS.
pub const SERVICE_TYPE: &str = "_cristallo._tcp.local.";

/// Why sharing or discovery failed.
#[derive(Debug, Error)]
pub enum ShareError {
    #[error("mDNS: {0}")]
    Mdns(#[from] mdns_sd::Error),
    #[error("no network interface to share on (only loopback found); pass --bind ADDR:PORT")]
    NoInterface,
    #[error("cannot share on {addr}: choose the address of one interface, not a wildcard")]
    Wildcard { addr: IpAddr },
    #[error("cannot make the QR code: {0}")]
    Qr(String),
}

/// The link a guest opens: the server address with the one-time token.
pub fn share_url(addr: SocketAddr, token: &str) -> String {
    format!("http://{addr}/?token={token}")
}

/// The QR code of `text` as an SVG document.
pub fn qr_svg(text: &str) -> Result<String, ShareError> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| ShareError::Qr(e.to_string()))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

/// A network interface a twin can be shared on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Interface {
    pub name: String,
    pub ip: IpAddr,
}

/// The machine's non-loopback IPv4 interfaces (the choices of the share dialog).
pub fn interfaces() -> Vec<Interface> {
    if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback() && i.ip().is_ipv4())
        .map(|i| Interface {
            ip: i.ip(),
            name: i.name,
        })
        .collect()
}

/// The address sharing binds when none is given: the first non-loopback IPv4 interface.
pub fn default_share_ip() -> Result<IpAddr, ShareError> {
    interfaces()
        .first()
        .map(|i| i.ip)
        .ok_or(ShareError::NoInterface)
}

/// This machine's host name (for the mDNS instance name).
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "cristallo".to_string())
}

fn restricted_daemon(ip: IpAddr) -> Result<ServiceDaemon, ShareError> {
    let daemon = ServiceDaemon::new()?;
    daemon.disable_interface(IfKind::All)?;
    daemon.enable_interface(IfKind::Addr(ip))?;
    Ok(daemon)
}

/// The mDNS advertisement of a shared twin; unregistered and shut down on [`Advertiser::stop`]
/// or drop.
pub struct Advertiser {
    daemon: Option<ServiceDaemon>,
    fullname: String,
}

impl std::fmt::Debug for Advertiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Advertiser")
            .field("fullname", &self.fullname)
            .finish()
    }
}

impl Advertiser {
    /// Advertises `twin_name` at `addr` (TXT: version, twin, path; never a secret).
    pub fn start(addr: SocketAddr, twin_name: &str, version: &str) -> Result<Self, ShareError> {
        let ip = addr.ip();
        if ip.is_unspecified() {
            return Err(ShareError::Wildcard { addr: ip });
        }
        let host = host_name();
        let instance = format!("{twin_name} on {host}");
        let mut txt = HashMap::new();
        txt.insert("version".to_string(), version.to_string());
        txt.insert("twin".to_string(), twin_name.to_string());
        txt.insert("path".to_string(), "/".to_string());
        let info = ServiceInfo::new(
            SERVICE_TYPE,
            &instance,
            &format!("{host}.local."),
            ip,
            addr.port(),
            txt,
        )?;
        let fullname = info.get_fullname().to_string();
        let daemon = restricted_daemon(ip)?;
        daemon.register(info)?;
        Ok(Self {
            daemon: Some(daemon),
            fullname,
        })
    }

    /// Unregisters the service and stops the daemon.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(daemon) = self.daemon.take() {
            if let Ok(rx) = daemon.unregister(&self.fullname) {
                let _ = rx.recv_timeout(Duration::from_secs(1));
            }
            if let Ok(rx) = daemon.shutdown() {
                let _ = rx.recv_timeout(Duration::from_secs(1));
            }
        }
    }
}

impl Drop for Advertiser {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A shared twin found on the network.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Peer {
    /// Instance name ("Cristallo benchtop rig on lab-pc").
    pub name: String,
    pub host: String,
    pub addresses: Vec<IpAddr>,
    pub port: u16,
    pub version: String,
    pub twin: String,
    /// `http://ADDR:PORT/` of the first address (the guest still needs the token).
    pub url: String,
}

/// Browses for shared twins for up to `timeout`, on the interface with address `on` (all
/// interfaces if `None`); returns early after the first find when `first_only`.
pub fn discover(
    on: Option<IpAddr>,
    timeout: Duration,
    first_only: bool,
) -> Result<Vec<Peer>, ShareError> {
    let daemon = match on {
        Some(ip) => restricted_daemon(ip)?,
        None => ServiceDaemon::new()?,
    };
    let rx = daemon.browse(SERVICE_TYPE)?;
    let deadline = Instant::now() + timeout;
    let mut peers: Vec<Peer> = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(event) = rx.recv_timeout(left) else {
            break;
        };
        if let ServiceEvent::ServiceResolved(s) = event {
            let mut addresses: Vec<IpAddr> = s.addresses.iter().map(|a| a.to_ip_addr()).collect();
            addresses.sort();
            let Some(first) = addresses
                .iter()
                .find(|a| a.is_ipv4())
                .or(addresses.first())
                .copied()
            else {
                continue;
            };
            let prop = |k: &str| {
                s.txt_properties
                    .get_property_val_str(k)
                    .unwrap_or_default()
                    .to_string()
            };
            let name = s
                .fullname
                .strip_suffix(&format!(".{SERVICE_TYPE}"))
                .unwrap_or(&s.fullname)
                .replace("\\032", " ");
            let peer = Peer {
                name,
                host: s.host.clone(),
                url: format!("http://{}/", SocketAddr::new(first, s.port)),
                addresses,
                port: s.port,
                version: prop("version"),
                twin: prop("twin"),
            };
            if !peers.iter().any(|p| p.url == peer.url) {
                peers.push(peer);
            }
            if first_only {
                break;
            }
        }
    }
    let _ = daemon.stop_browse(SERVICE_TYPE);
    if let Ok(rx) = daemon.shutdown() {
        let _ = rx.recv_timeout(Duration::from_secs(1));
    }
    Ok(peers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_url_and_qr() {
        let url = share_url(SocketAddr::from(([192, 168, 1, 20], 4000)), "abc");
        assert_eq!(url, "http://192.168.1.20:4000/?token=abc");
        let svg = qr_svg(&url).unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg") && svg.contains("</svg>"));
    }

    #[test]
    fn wildcard_addresses_are_refused_before_any_multicast() {
        let err = Advertiser::start(SocketAddr::from(([0, 0, 0, 0], 4000)), "t", "1").unwrap_err();
        assert!(matches!(err, ShareError::Wildcard { .. }));
    }
}
