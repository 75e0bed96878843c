//! Accepting connections under abuse: a header read timeout (which is also the idle timeout of a
//! kept-alive connection), a body read timeout (a layer of the router), caps on open
//! connections per peer address and in total, and a raised open-file limit (docs/platform.md §5).
//!
//! A connection over a cap is closed at once, before a byte is read; the others are served by
//! hyper's HTTP/1.1 connection (browsers speak HTTP/1.1 to a plain-HTTP server), whose header
//! read timer starts as soon as it waits for a request, new or kept alive.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1::Builder;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower::{Service, ServiceExt};

/// The limits of the connections one server accepts.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// A request's headers must arrive within this time of the connection waiting for them (a
    /// new connection, or a kept-alive one after its previous answer): so this also closes
    /// idle connections.
    pub header_read_timeout: Duration,
    /// The gap allowed between two pieces of a request body.
    pub body_read_timeout: Duration,
    /// Connections open at once from one peer address.
    pub max_per_address: usize,
    /// Connections open at once in total.
    pub max_total: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(20),
            body_read_timeout: Duration::from_secs(30),
            max_per_address: 64,
            max_total: 512,
        }
    }
}

/// Open connections per peer address and in total.
#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// Holds one admitted connection's place; gives it back when dropped.
struct Admitted {
    counts: Arc<Mutex<Counts>>,
    ip: IpAddr,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.per_address.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                c.per_address.remove(&self.ip);
            }
        }
    }
}

fn admit(counts: &Arc<Mutex<Counts>>, ip: IpAddr, limits: &ConnectionLimits) -> Option<Admitted> {
    let mut c = counts.lock().unwrap_or_else(|p| p.into_inner());
    let mine = c.per_address.get(&ip).copied().unwrap_or(0);
    if c.total >= limits.max_total || mine >= limits.max_per_address {
        return None;
    }
    c.total += 1;
    c.per_address.insert(ip, mine + 1);
    Some(Admitted {
        counts: counts.clone(),
        ip,
    })
}

/// Raises the soft limit of open files to the hard limit (each connection is one file), so the
/// connection caps bind before the process runs out of descriptors. Returns the soft limit now
/// in force, if known.
pub fn raise_open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        use rustix::process::{getrlimit, setrlimit, Resource};
        let mut limit = getrlimit(Resource::Nofile);
        if limit.current < limit.maximum {
            limit.current = limit.maximum;
            // Not allowed (a container's policy): the old limit stays, the caps still hold.
            let _ = setrlimit(Resource::Nofile, limit);
        }
        getrlimit(Resource::Nofile).current
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then lets the open
/// connections finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let counts = Arc::new(Mutex::new(Counts::default()));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of descriptors or a connection reset before accept: wait a moment.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(place) = admit(&counts, peer.ip(), &limits) else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(with_peer(app.clone(), peer));
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = conn.await;
            drop(place);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// `app` with the peer address as [`ConnectInfo`] on every request (what the access guard and
/// the rate limits read).
fn with_peer(
    app: Router,
    peer: SocketAddr,
) -> impl Service<
    axum::http::Request<Incoming>,
    Response = axum::response::Response,
    Error = Infallible,
    Future = impl Send,
> + Clone {
    tower::service_fn(move |mut req: axum::http::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(req.map(axum::body::Body::new))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_address_and_in_total() {
        let limits = ConnectionLimits {
            max_per_address: 2,
            max_total: 3,
            ..Default::default()
        };
        let counts = Arc::new(Mutex::new(Counts::default()));
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let a1 = admit(&counts, a, &limits).unwrap();
        let _a2 = admit(&counts, a, &limits).unwrap();
        assert!(admit(&counts, a, &limits).is_none(), "per address");
        let _b1 = admit(&counts, b, &limits).unwrap();
        assert!(admit(&counts, b, &limits).is_none(), "in total");
        drop(a1);
        assert!(
            admit(&counts, b, &limits).is_some(),
            "a closed place is free again"
        );
    }

    #[test]
    fn the_open_file_limit_is_at_least_what_it_was() {
        #[cfg(unix)]
        {
            let before = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
            let after = raise_open_file_limit();
            assert!(after >= before, "{after:?} < {before:?}");
        }
    }
}
