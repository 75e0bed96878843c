//! The state one Cristallo-RS instance shares between its edges: the run history, access
//! control, live events, background jobs, run limits and the LAN share. The HTTP handlers and
//! the desktop shell's commands both go through [`Platform::run_tool`], so every run from any
//! client is limited, recorded and announced the same way.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cristallo_core::{Cancel, Progress, ToolError, ToolResult};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::access::{Access, Caller, GuestAccess, Role, SessionInfo};
use crate::events::{Hub, ServerEvent};
use crate::figures::{self, Figure, FigureError, Format};
use crate::jobs::Jobs;
use crate::report;
use crate::share::{self, Advertiser, Interface};
use crate::store::{RunRecord, RunSummary, Store, StoreError};
use crate::ApiError;

/// How the platform behaves.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Directory of the static UI served at `/`.
    pub ui_dir: PathBuf,
    /// Directory of the database.
    pub data_dir: PathBuf,
    /// The twin's name (mDNS instance name, page titles).
    pub twin_name: String,
    /// Largest accepted request body: a 50 MB recording (recordings.csv_text) plus JSON escaping.
    pub body_limit_bytes: usize,
    /// A run taking longer is cancelled and answered with 503.
    pub run_timeout: Duration,
    /// Runs executing at once (host and guests together).
    pub max_concurrent_runs: usize,
}

impl AppConfig {
    /// Defaults with the database in `data_dir`.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            ui_dir: crate::default_ui_dir(),
            data_dir,
            twin_name: "Cristallo benchtop rig".into(),
            body_limit_bytes: 64 * 1024 * 1024,
            run_timeout: Duration::from_secs(300),
            max_concurrent_runs: std::thread::available_parallelism().map_or(2, |n| n.get()),
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
    run_slots: Semaphore,
    /// Guests together never hold every run slot, so the host is never starved.
    guest_slots: Semaphore,
    heavy_slots: Semaphore,
    share: Mutex<Option<ActiveShare>>,
    closing: tokio::sync::watch::Sender<bool>,
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
        let n = config.max_concurrent_runs.max(1);
        Ok(Arc::new(Self {
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

    /// Runs a tool for `caller` within the limits, records it in the history and announces it.
    /// A cancelled or failed run leaves no history entry.
    pub async fn run_tool(
        self: &Arc<Self>,
        caller: &Caller,
        id: &str,
        params: Value,
        progress: Progress,
        cancel: Cancel,
    ) -> Result<(ToolResult, RunSummary), ApiError> {
        let (result, _, summary) = self
            .run_recorded(caller, id, params, progress, cancel)
            .await?;
        Ok((result, summary))
    }

    /// [`Self::run_tool`], also returning the result's JSON text (serialised once, on the
    /// blocking pool, for both the history and the HTTP response).
    pub async fn run_recorded(
        self: &Arc<Self>,
        caller: &Caller,
        id: &str,
        params: Value,
        progress: Progress,
        cancel: Cancel,
    ) -> Result<(ToolResult, Vec<u8>, RunSummary), ApiError> {
        let tool = cristallo_core::find(id)
            .ok_or_else(|| ToolError::UnknownTool { id: id.to_string() })?;
        if tool.is_heavy() && !caller.can_modify {
            return Err(ApiError::Forbidden {
                reason: format!(
                    "guests with read-only access cannot run '{id}'; ask the host for full access"
                ),
            });
        }
        // Guest path rule and `profile_id` resolution (crate::resolve), off the async workers.
        let params = {
            let platform = self.clone();
            let (role, tool_id) = (caller.role, id.to_string());
            tokio::task::spawn_blocking(move || {
                crate::resolve::prepare_params(&platform.store, role, &tool_id, params)
            })
            .await
            .map_err(|e| ApiError::Internal {
                reason: e.to_string(),
            })??
        };
        let closed = |_| ApiError::Internal {
            reason: "the run queue is closed".into(),
        };
        let _guest = match caller.role {
            Role::Guest => Some(self.guest_slots.acquire().await.map_err(closed)?),
            Role::Host => None,
        };
        let _heavy = match tool.is_heavy() {
            true => Some(self.heavy_slots.acquire().await.map_err(closed)?),
            false => None,
        };
        let _slot = self.run_slots.acquire().await.map_err(closed)?;
        cancel.check()?;
        // Tells a waiting client that its run left the queue.
        progress.report(0.0, "running");
        let started = Instant::now();
        let job_cancel = cancel.clone();
        let tool_id = id.to_string();
        let job = tokio::task::spawn_blocking(move || {
            let result = cristallo_core::run(&tool_id, &params, &progress, &job_cancel)?;
            let json = serde_json::to_vec(&result).map_err(|e| ToolError::failed(e.to_string()))?;
            Ok::<_, ToolError>((result, json))
        });
        let timeout = self.config.run_timeout;
        let (result, json) = match tokio::time::timeout(timeout, job).await {
            Ok(Ok(outcome)) => outcome?,
            Ok(Err(join)) => {
                return Err(ApiError::Internal {
                    reason: format!("the run stopped unexpectedly: {join}"),
                })
            }
            Err(_) => {
                cancel.cancel();
                return Err(ApiError::Timeout {
                    seconds: timeout.as_secs(),
                });
            }
        };
        cancel.check()?;
        let duration_ms = started.elapsed().as_secs_f64() * 1e3;
        let platform = self.clone();
        let who = caller.name.clone();
        // SQLite writes block; keep them off the async workers.
        let (result, json, summary) = tokio::task::spawn_blocking(move || {
            platform.keep_source_files(&result)?;
            let summary = platform
                .store
                .insert_run(&result, &json, duration_ms, &who)?;
            Ok::<_, ApiError>((result, json, summary))
        })
        .await
        .map_err(|e| ApiError::Internal {
            reason: e.to_string(),
        })??;
        self.hub.publish(ServerEvent::RunAdded {
            run: summary.clone(),
        });
        Ok((result, json, summary))
    }

    /// Stores the measured files of a model-update result by SHA-256 (its `sources` table), so
    /// a profile saved from it can re-plot its data. Each file is read again the way the tool
    /// read it and kept only when its digest is the one the result names (a path rewritten
    /// meanwhile is skipped).
    fn keep_source_files(&self, result: &ToolResult) -> Result<(), ApiError> {
        let Some(table) = result.tables.iter().find(|t| t.name == "sources") else {
            return Ok(());
        };
        let items = result.params.get("frfs").and_then(Value::as_array);
        for (i, item) in items.into_iter().flatten().enumerate() {
            let (Some(obj), Some(row)) = (item.as_object(), table.rows.get(i)) else {
                continue;
            };
            let Ok(text) = cristallo_core::measured::source::load(obj, &format!("frfs[{i}]"))
            else {
                continue;
            };
            let sha256 = cristallo_core::measured::source::sha256_hex(&text);
            if row.get(3).and_then(Value::as_str) == Some(sha256.as_str()) {
                self.store
                    .put_source_file(&sha256, &text.name, &text.text)?;
            }
        }
        Ok(())
    }

    /// A stored measured file: `{sha256, name, csv_text}` (measured.md §7).
    pub fn source_file(&self, sha256: &str) -> Result<Value, ApiError> {
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(ToolError::invalid(
                "sha256",
                format!("'{sha256}' is not a SHA-256 digest (64 lowercase hexadecimal digits)"),
            )
            .into());
        }
        let (name, text) = self
            .store
            .source_file(sha256)?
            .ok_or_else(|| ApiError::NotFound {
                what: format!("measured file {sha256}"),
            })?;
        Ok(serde_json::json!({"sha256": sha256, "name": name, "csv_text": text}))
    }

    /// Deletes a history entry (host, or guests with full access).
    pub fn delete_run(&self, caller: &Caller, id: i64) -> Result<(), ApiError> {
        if !caller.can_modify {
            return Err(ApiError::Forbidden {
                reason: "guests with read-only access cannot delete history".into(),
            });
        }
        if !self.store.delete_run(id)? {
            return Err(ApiError::NotFound {
                what: format!("run {id}"),
            });
        }
        self.hub.publish(ServerEvent::RunDeleted { id });
        Ok(())
    }

    /// A stored run and its parsed result.
    fn stored_result(&self, id: i64) -> Result<(RunRecord, ToolResult), ApiError> {
        let record = self.store.get_run(id)?.ok_or_else(|| ApiError::NotFound {
            what: format!("run {id}"),
        })?;
        let result = record.parsed_result()?;
        Ok((record, result))
    }

    /// The figures of stored run `id` (what `run_figure` can draw).
    pub fn run_figures(&self, id: i64) -> Result<Vec<Figure>, ApiError> {
        Ok(figures::figures(&self.stored_result(id)?.1))
    }

    /// Figure `index` of stored run `id` as a PNG or SVG file, drawn on the server.
    pub fn run_figure(&self, id: i64, index: usize, format: Format) -> Result<Vec<u8>, ApiError> {
        let (_, result) = self.stored_result(id)?;
        figures::render(&result, index, format).map_err(|e| match e {
            FigureError::NoSuchFigure { .. } => ApiError::NotFound {
                what: format!("figure {index} of run {id}"),
            },
            FigureError::Drawing { .. } => ApiError::Internal {
                reason: e.to_string(),
            },
        })
    }

    /// The one-page HTML report of stored run `id`.
    pub fn run_report(&self, id: i64) -> Result<String, ApiError> {
        let (record, result) = self.stored_result(id)?;
        Ok(report::report_html(&record.summary, &result))
    }

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

    pub fn announce_users(&self) {
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
        self.access.start_sharing(&hosts);
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

    /// A new guest link (host only); the old one stops working.
    pub fn rotate_guest_token(&self, caller: &Caller) -> Result<ShareStatus, ApiError> {
        Self::require_host(caller)?;
        self.access.rotate_guest_token().ok_or(ApiError::NotFound {
            what: "an active share".into(),
        })?;
        Ok(self.share_status())
    }
}
