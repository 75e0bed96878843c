//! `cristallo serve`: the UI and the API on loopback, or shared on the LAN with `--share`.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::Context;
use cristallo_server::{AppConfig, Platform};

use super::flags::ServeOptions;

/// Serves until SIGINT/SIGTERM; the first stdout line is `url:` (or `share-url:` then
/// `host-url:` when sharing).
pub fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    let ServeOptions {
        bind,
        ui_dir,
        data_dir,
        share,
        no_mdns,
        twin_name,
    } = opts;
    let bind = match (bind, share) {
        (Some(b), _) => b,
        (None, false) => SocketAddr::from(([127, 0, 0, 1], 0)),
        (None, true) => SocketAddr::new(cristallo_server::share::default_share_ip()?, 0),
    };
    anyhow::ensure!(
        share || bind.ip().is_loopback(),
        "serving on {} would let anyone on the network in without a token: bind 127.0.0.1, or add --share",
        bind.ip()
    );
    anyhow::ensure!(
        !share || !bind.ip().is_unspecified(),
        "--share needs the address of one interface (e.g. --bind 192.168.1.20:0), not {}",
        bind.ip()
    );
    let mut config =
        AppConfig::new(data_dir.unwrap_or_else(cristallo_server::store::default_data_dir));
    if let Some(dir) = ui_dir {
        config.ui_dir = dir;
    }
    if let Some(name) = twin_name {
        config.twin_name = name;
    }
    anyhow::ensure!(
        config.ui_dir.join("index.html").is_file(),
        "no UI found at {} (pass --ui-dir)",
        config.ui_dir.display()
    );
    let platform = Platform::open(config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot bind {bind}"))?;
        let addr = listener.local_addr()?;
        let mut out = std::io::stdout().lock();
        if share {
            let status = platform
                .enable_sharing(addr, !no_mdns)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            // The share dialog of the headless server: the guest link first, then the host's.
            writeln!(out, "share-url: {}", status.url.unwrap_or_default())?;
            // A reader that only wanted the first line may have gone: keep serving regardless.
            let _ = writeln!(out, "host-url: {}", status.host_url.unwrap_or_default());
        } else {
            writeln!(out, "url: {}", cristallo_server::url_for(addr))?;
        }
        let _ = out.flush();
        drop(out);
        cristallo_server::serve_platform(listener, platform.clone(), shutdown_signal()).await?;
        platform.stop_sharing();
        eprintln!("server stopped");
        Ok(())
    })
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
