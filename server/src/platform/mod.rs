//! The state one Cristallo-RS instance shares between its edges: the run history, access
//! control, live events, the job table, run limits and the LAN share. Every run from any client
//! is a job of the one pipeline ([`crate::jobs`]) executed by [`Platform::run_tool`], so it is
//! limited, recorded and announced the same way.

mod history;
mod run;
mod sharing;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Semaphore;

use crate::access::{Access, GuestAccess, SessionInfo};
use crate::admission::{JobQueue, QueueLimits};
use crate::events::Hub;
use crate::jobs::Jobs;
use crate::share::{Advertiser, Interface};
use crate::store::{Store, StoreError};

/// How the platform behaves.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Directory of the static UI served at `/`.
    pub ui_dir: PathBuf,
    /// Directory of the database.
    pub data_dir: PathBuf,
    /// The twin's name (mDNS instance name, page titles).
    pub twin_name: String,
    /// Largest body of the upload routes (a tool's run, job or artifact, a profile import): a
    /// 50 MB recording (recordings.csv_text) plus JSON escaping.
    pub body_limit_bytes: usize,
    /// Largest body of every other route (settings, names, profile documents).
    pub small_body_limit_bytes: usize,
    /// How long sessions live and how many guests may have one.
    pub sessions: crate::sessions::SessionLimits,
    /// `users` events are sent at most once per this window, with the list as it is then.
    pub users_event_window: Duration,
    /// Guest jobs waiting or running, per session and in total (the host is exempt).
    pub queue: QueueLimits,
    /// A run taking longer is cancelled and answered with 503.
    pub run_timeout: Duration,
    /// Runs executing at once (host and guests together).
    pub max_concurrent_runs: usize,
    /// Timeouts and caps of the connections a server accepts.
    pub connections: crate::connections::ConnectionLimits,
}

impl AppConfig {
    /// Defaults with the database in `data_dir`.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            ui_dir: crate::default_ui_dir(),
            data_dir,
            twin_name: "Cristallo benchtop rig".into(),
            body_limit_bytes: 64 * 1024 * 1024,
            small_body_limit_bytes: 64 * 1024,
            sessions: Default::default(),
            users_event_window: Duration::from_millis(250),
            queue: Default::default(),
            run_timeout: Duration::from_secs(300),
            max_concurrent_runs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            connections: Default::default(),
        }
    }
}

/// What the host's share dialog shows.
#[derive(Debug, Clone, Serialize)]
pub struct ShareStatus {
    pub enabled: bool,
    /// The guest link with its token (host only).
    pub url: Option<String>,
    /// A link that signs in as the host (for the host's own browser).
    pub host_url: Option<String>,
    /// QR code of `url` as SVG.
    pub qr_svg: Option<String>,
    pub guest_access: GuestAccess,
    pub sessions: Vec<SessionInfo>,
    pub interfaces: Vec<Interface>,
    pub advertised: bool,
}

struct ActiveShare {
    addr: SocketAddr,
    advertiser: Option<Advertiser>,
    /// Stops the share server the desktop app started (none for `cristallo serve --share`).
    stop_server: Option<tokio::sync::oneshot::Sender<()>>,
}

/// One Cristallo-RS instance.
pub struct Platform {
    pub config: AppConfig,
    pub store: Store,
    pub access: Access,
    pub hub: Hub,
    pub jobs: Jobs,
    /// Guests' jobs waiting or running (a place is taken before an upload body is read).
    pub queue: JobQueue,
    run_slots: Semaphore,
    /// Guests together never hold every run slot, so the host is never starved.
    guest_slots: Semaphore,
    heavy_slots: Semaphore,
    share: Mutex<Option<ActiveShare>>,
    closing: tokio::sync::watch::Sender<bool>,
    /// A `users` event is due (sent when the window ends, with the list as it is then).
    users_due: AtomicBool,
    /// The platform itself, for the delayed `users` event.
    me: Weak<Platform>,
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Platform")
            .field("config", &self.config)
            .finish()
    }
}

impl Platform {
    /// Opens the database and restores the settings.
    pub fn open(config: AppConfig) -> Result<Arc<Self>, StoreError> {
        let store = Store::open(&config.data_dir)?;
        let access = Access::local();
        if let Some(v) = store.setting("guest_access")? {
            if let Ok(g) = serde_json::from_value::<GuestAccess>(v) {
                access.set_guest_access(g);
            }
        }
        access.set_session_limits(config.sessions.clone());
        let n = config.max_concurrent_runs.max(1);
        Ok(Arc::new_cyclic(|me| Self {
            queue: JobQueue::new(config.queue.clone()),
            users_due: AtomicBool::new(false),
            me: me.clone(),
            run_slots: Semaphore::new(n),
            guest_slots: Semaphore::new(n.saturating_sub(1).max(1)),
            heavy_slots: Semaphore::new(1),
            store,
            access,
            hub: Hub::new(),
            jobs: Jobs::default(),
            share: Mutex::new(None),
            closing: tokio::sync::watch::channel(false).0,
            config,
        }))
    }

    /// Ends every live stream so a graceful shutdown does not wait for them.
    pub fn begin_shutdown(&self) {
        self.closing.send_replace(true);
    }

    /// Completes when [`Self::begin_shutdown`] was called.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.closing.subscribe();
        async move {
            let _ = rx.wait_for(|c| *c).await;
        }
    }
}
