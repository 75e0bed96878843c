//! Sharing on the LAN: start/stop, guest access, sessions and tokens, and finding other twins.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use cristallo_core::ErrorBody;
use cristallo_server::access::{Caller, GuestAccess};
use cristallo_server::share::{self, Peer};
use cristallo_server::{ApiError, ShareStatus};
use serde_json::Value;
use tauri::State;

use super::{blocking, body, invalid, Answer, Shared};
use crate::AppOptions;

/// The share dialog's data (off: `enabled: false` and no URL).
#[tauri::command]
pub async fn share_status(platform: Shared<'_>) -> Answer<ShareStatus> {
    let p = platform.inner().clone();
    blocking(move || Ok(p.share_status())).await
}

/// Shares the twin on the LAN: the share server listens on interface address `ip`, `port`
/// (0: any free port) and is advertised by mDNS (unless mDNS is off). Already sharing: the
/// current status.
#[tauri::command]
pub async fn share_start(
    platform: Shared<'_>,
    options: State<'_, AppOptions>,
    ip: String,
    port: u16,
) -> Answer<ShareStatus> {
    let ip: IpAddr = ip.trim().parse().map_err(|_| {
        invalid(
            "ip",
            format!("'{ip}' is not an IP address; choose one of the network interfaces"),
        )
    })?;
    if ip.is_unspecified() {
        return Err(invalid(
            "ip",
            format!("{ip} means every interface; choose the address of one interface"),
        ));
    }
    platform
        .start_share_server(SocketAddr::new(ip, port), options.mdns)
        .await
        .map_err(body)
}

/// Stops sharing: withdraws the mDNS advertisement, stops the share server and forgets the
/// tokens and guest sessions. Answers the new status.
#[tauri::command]
pub async fn share_stop(platform: Shared<'_>) -> Answer<ShareStatus> {
    let p = platform.inner().clone();
    // Unregistering from mDNS waits up to a second or two.
    blocking(move || {
        p.stop_sharing();
        Ok(p.share_status())
    })
    .await
}

/// Sets what guests may do, `"read_only"` or `"full"` (remembered); answers the new status.
#[tauri::command]
pub async fn set_guest_access(platform: Shared<'_>, guest_access: Value) -> Answer<ShareStatus> {
    let access: GuestAccess = serde_json::from_value(guest_access.clone()).map_err(|_| {
        invalid(
            "guest_access",
            format!("must be \"read_only\" or \"full\", not {guest_access}"),
        )
    })?;
    let p = platform.inner().clone();
    blocking(move || {
        p.set_guest_access(&Caller::host(), access)?;
        Ok(p.share_status())
    })
    .await
}

/// Ends a guest's session at once (its live stream closes; it needs the link again).
#[tauri::command]
pub fn revoke_session(platform: Shared<'_>, id: String) -> Answer<()> {
    platform.revoke(&Caller::host(), &id).map_err(body)
}

/// A new guest link; the old one stops working. Not sharing: `{error: "no such an active share"}`.
#[tauri::command]
pub async fn rotate_token(platform: Shared<'_>) -> Answer<ShareStatus> {
    let p = platform.inner().clone();
    blocking(move || p.rotate_guest_token(&Caller::host())).await
}

/// Longest accepted `discover_peers` timeout.
pub const MAX_DISCOVER_SECONDS: f64 = 60.0;

/// Shared twins that answer on the network within `timeoutS` seconds (0 < timeoutS ≤ 60).
/// Refused when mDNS is off (`CRISTALLO_NO_MDNS`).
#[tauri::command]
pub async fn discover_peers(options: State<'_, AppOptions>, timeout_s: f64) -> Answer<Vec<Peer>> {
    if !(timeout_s.is_finite() && timeout_s > 0.0 && timeout_s <= MAX_DISCOVER_SECONDS) {
        return Err(invalid(
            "timeout_s",
            format!("must be more than 0 and at most {MAX_DISCOVER_SECONDS} seconds"),
        ));
    }
    if !options.mdns {
        return Err(ErrorBody::message(
            "mDNS is turned off in this app (CRISTALLO_NO_MDNS), so it cannot look for twins",
        ));
    }
    let timeout = Duration::from_secs_f64(timeout_s);
    blocking(move || {
        share::discover(None, timeout, false).map_err(|e| ApiError::Internal {
            reason: e.to_string(),
        })
    })
    .await
}
