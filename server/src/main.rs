//! `cristallo`: the command line of the Cristallo-RS digital twin.
//!
//! * `cristallo tools` lists the tool ids, one per line.
//! * `cristallo run <tool-id> --params <file | ->` prints exactly one JSON result object on
//!   stdout (exit 0); invalid parameters exit 2 with one line on stderr naming the field;
//!   a computation that cannot give a trustworthy result exits 1.
//! * `cristallo serve [--bind ADDR:PORT]` serves the UI and API; its first stdout line is
//!   `url: http://ADDR:PORT/`. It stops cleanly on SIGINT/SIGTERM.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use cristallo_core::{Cancel, Progress, ToolError};
use cristallo_server::AppConfig;

#[derive(Parser)]
#[command(
    name = "cristallo",
    version,
    about = "Cristallo-RS digital twin of the 3-storey benchtop rig"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the tool ids.
    Tools,
    /// Run one tool and print its result as JSON.
    Run {
        /// Tool id (see `cristallo tools`).
        tool: String,
        /// Parameter file (JSON object), or `-` for standard input. Omitted: all defaults.
        #[arg(long)]
        params: Option<String>,
    },
    /// Serve the UI and the API.
    Serve {
        /// Address and port to bind (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:0")]
        bind: SocketAddr,
        /// Directory of the static UI (default: the one shipped with the sources).
        #[arg(long)]
        ui_dir: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Tools => {
            for t in cristallo_core::catalogue() {
                println!("{}", t.id);
            }
            ExitCode::SUCCESS
        }
        Command::Run { tool, params } => run(&tool, params.as_deref()),
        Command::Serve { bind, ui_dir } => match serve(bind, ui_dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn read_params(source: Option<&str>) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    match source {
        None => {}
        Some("-") => {
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| format!("params: cannot read standard input: {e}"))?;
        }
        Some(path) => {
            buf = std::fs::read(path).map_err(|e| format!("params: cannot read {path}: {e}"))?;
        }
    }
    Ok(buf)
}

fn run(tool: &str, source: Option<&str>) -> ExitCode {
    let bytes = match read_params(source) {
        Ok(b) => b,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let params = match cristallo_server::parse_params(&bytes) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", one_line(&e.to_string()));
            return ExitCode::from(2);
        }
    };
    match cristallo_core::run(tool, &params, &Progress::none(), &Cancel::new()) {
        Ok(result) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let written = serde_json::to_writer(&mut out, &result)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
                .and_then(|()| out.flush());
            match written {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("cannot write the result: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("{}", one_line(&e.to_string()));
            // Input errors (the caller can fix them) exit 2; a failed computation exits 1.
            if matches!(
                e,
                ToolError::InvalidParam { .. } | ToolError::UnknownTool { .. }
            ) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn serve(bind: SocketAddr, ui_dir: Option<PathBuf>) -> anyhow::Result<()> {
    let mut config = AppConfig::default();
    if let Some(dir) = ui_dir {
        config.ui_dir = dir;
    }
    anyhow::ensure!(
        config.ui_dir.join("index.html").is_file(),
        "no UI found at {} (pass --ui-dir)",
        config.ui_dir.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot bind {bind}"))?;
        let addr = listener.local_addr()?;
        println!("url: {}", cristallo_server::url_for(addr));
        std::io::stdout().flush()?;
        cristallo_server::serve(listener, config, shutdown_signal()).await?;
        eprintln!("server stopped");
        Ok(())
    })
}

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
