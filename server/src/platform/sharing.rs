//! The LAN share: who may change it, what guests may do, the share server the desktop starts,
//! the share dialog's data, and the announcements of users and sharing.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::Value;

use super::{ActiveShare, Platform, ShareStatus};
use crate::access::{Caller, GuestAccess, Role};
use crate::events::ServerEvent;
use crate::share::{self, Advertiser};
use crate::ApiError;

impl Platform {
    /// Refuses anyone but the host.
    pub fn require_host(caller: &Caller) -> Result<(), ApiError> {
        if caller.role == Role::Host {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                reason: "only the host can change sharing settings".into(),
            })
        }
    }

    /// Sets what guests may do (host only); persisted.
    pub fn set_guest_access(&self, caller: &Caller, access: GuestAccess) -> Result<(), ApiError> {
        Self::require_host(caller)?;
        self.store.set_setting(
            "guest_access",
            &serde_json::to_value(access).unwrap_or(Value::Null),
        )?;
        self.access.set_guest_access(access);
        self.announce_sharing();
        Ok(())
    }

    /// Ends a guest session (host only).
    pub fn revoke(&self, caller: &Caller, session_id: &str) -> Result<(), ApiError> {
        Self::require_host(caller)?;
        if !self.access.revoke(session_id) {
            return Err(ApiError::NotFound {
                what: format!("session {session_id}"),
            });
        }
        self.announce_users();
        Ok(())
    }

    /// Announces that the sessions changed: one `users` event per burst, sent when the
    /// configured window after the first change ends and carrying the list as it is then (at
    /// once outside an async runtime, or with no window).
    pub fn announce_users(&self) {
        if self.users_due.swap(true, Ordering::SeqCst) {
            return;
        }
        let window = self.config.users_event_window;
        let runtime = tokio::runtime::Handle::try_current();
        match (runtime, self.me.upgrade()) {
            (Ok(runtime), Some(platform)) if !window.is_zero() => {
                runtime.spawn(async move {
                    tokio::time::sleep(window).await;
                    platform.publish_users();
                });
            }
            _ => self.publish_users(),
        }
    }

    fn publish_users(&self) {
        // Cleared first: a change from now on schedules another event.
        self.users_due.store(false, Ordering::SeqCst);
        self.hub.publish(ServerEvent::Users {
            users: self.access.sessions(),
        });
    }

    fn announce_sharing(&self) {
        self.hub.publish(ServerEvent::Sharing {
            enabled: self.access.is_sharing(),
            guest_access: self.access.guest_access(),
        });
    }

    /// Turns sharing on for a server listening on `addr`; advertises it by mDNS when asked.
    pub fn enable_sharing(
        &self,
        addr: SocketAddr,
        advertise: bool,
    ) -> Result<ShareStatus, ApiError> {
        let mut hosts = vec![
            addr.ip().to_string(),
            share::host_name(),
            format!("{}.local", share::host_name()),
        ];
        if addr.ip().is_loopback() {
            hosts.push("localhost".into());
        }
        self.access.start_sharing(addr.port(), &hosts);
        // A share server stopped earlier ended the live streams; new ones must run again.
        self.closing.send_replace(false);
        let advertiser = if advertise {
            Some(
                Advertiser::start(addr, &self.config.twin_name, crate::VERSION).map_err(|e| {
                    self.access.stop_sharing();
                    ApiError::Internal {
                        reason: e.to_string(),
                    }
                })?,
            )
        } else {
            None
        };
        *self.share.lock().unwrap_or_else(|p| p.into_inner()) = Some(ActiveShare {
            addr,
            advertiser,
            stop_server: None,
        });
        self.announce_sharing();
        Ok(self.share_status())
    }

    /// Starts a share server on `bind` from the desktop app (the app itself talks to the core
    /// directly), advertised by mDNS.
    pub async fn start_share_server(
        self: &Arc<Self>,
        bind: SocketAddr,
        advertise: bool,
    ) -> Result<ShareStatus, ApiError> {
        if self.access.is_sharing() {
            return Ok(self.share_status());
        }
        if bind.ip().is_unspecified() {
            return Err(ApiError::BadBody {
                reason: "choose the address of one interface to share on".into(),
            });
        }
        let listener =
            tokio::net::TcpListener::bind(bind)
                .await
                .map_err(|e| ApiError::Internal {
                    reason: format!("cannot listen on {bind}: {e}"),
                })?;
        let addr = listener.local_addr().map_err(|e| ApiError::Internal {
            reason: e.to_string(),
        })?;
        let status = self.enable_sharing(addr, advertise)?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        if let Some(active) = self
            .share
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            active.stop_server = Some(tx);
        }
        let platform = self.clone();
        tokio::spawn(async move {
            let _ = crate::serve_platform(listener, platform, async {
                let _ = rx.await;
            })
            .await;
        });
        Ok(status)
    }

    /// Turns sharing off: unadvertises, stops a share server started by the app, forgets tokens.
    pub fn stop_sharing(&self) {
        let active = self.share.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(active) = active {
            if let Some(ad) = active.advertiser {
                ad.stop();
            }
            if let Some(stop) = active.stop_server {
                let _ = stop.send(());
            }
        }
        self.access.stop_sharing();
        self.announce_sharing();
        self.announce_users();
    }

    /// The share dialog's data.
    pub fn share_status(&self) -> ShareStatus {
        let share = self.share.lock().unwrap_or_else(|p| p.into_inner());
        let secrets = self.access.secrets();
        let (url, host_url, advertised) = match (share.as_ref(), secrets.as_ref()) {
            (Some(a), Some(s)) => (
                Some(share::share_url(a.addr, &s.guest_token)),
                Some(share::share_url(a.addr, &s.host_token)),
                a.advertiser.is_some(),
            ),
            _ => (None, None, false),
        };
        ShareStatus {
            enabled: url.is_some(),
            qr_svg: url.as_deref().and_then(|u| share::qr_svg(u).ok()),
            url,
            host_url,
            guest_access: self.access.guest_access(),
            sessions: self.access.sessions(),
            interfaces: share::interfaces(),
            advertised,
        }
    }

    /// A new guest link (host only); the old one stops working and the guests' sessions end
    /// (their event streams close at the next event).
    pub fn rotate_guest_token(&self, caller: &Caller) -> Result<ShareStatus, ApiError> {
        Self::require_host(caller)?;
        self.access.rotate_guest_token().ok_or(ApiError::NotFound {
            what: "an active share".into(),
        })?;
        self.announce_users();
        Ok(self.share_status())
    }
}
