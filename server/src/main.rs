//! `cristallo`: the command line of the Cristallo-RS digital twin.
//!
//! * `cristallo tools` lists the tool ids, one per line.
//! * `cristallo run <tool-id> --params <file | ->` prints exactly one JSON result object on
//!   stdout (exit 0); invalid parameters exit 2 with one line on stderr naming the field;
//!   a computation that cannot give a trustworthy result exits 1.
//! * `cristallo serve [--bind ADDR:PORT] [--data-dir DIR]` serves the UI and API on loopback;
//!   its first stdout line is `url: http://ADDR:PORT/`. With `--share` it binds a LAN interface,
//!   requires tokens, advertises itself by mDNS and prints `share-url: http://HOST:PORT/?token=…`
//!   first (then `host-url:` with the host's own token). It stops cleanly on SIGINT/SIGTERM.
//! * `cristallo discover` lists shared twins found by mDNS.
//! * `cristallo fea-deck --params <file | -> [--output FILE]` writes the CalculiX deck of the
//!   `fea` tool (exit 2 on invalid parameters). `run fea` exits 3 when the solver is missing
//!   and 4 when it failed, timed out or was cancelled.
//! * `cristallo profile list|show ID|save FILE|delete ID|restore ID|import FILE|export ID
//!   [--data-dir DIR]` manages the saved model profiles (measured.md §7): `list` prints one JSON
//!   object per profile and line, `show`/`export` the document, `save`/`import` the saved
//!   document (import warnings also on stderr), `delete` soft-deletes (undo with `restore` within
//!   30 s). Bad input (invalid document, taken name, unknown id) exits 2 with one stderr line
//!   naming the field. `run` resolves `"profile_id"` against the same store (`--data-dir`).

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use cristallo_core::{Cancel, Progress, ToolError};
use cristallo_server::access::Caller;

/// mimalloc keeps freed pages for reuse: a tool's result is a few MB of fresh vectors, and
/// with the system allocator the page faults of those were a third of a vibration-control run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use cristallo_server::profiles::ImportRequest;
use cristallo_server::{ApiError, AppConfig, Platform};

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
        /// Directory of the database holding the profiles a `profile_id` names.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Manage saved model profiles.
    Profile {
        #[command(subcommand)]
        action: ProfileAction,
        /// Directory of the database (default: the platform data directory).
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
    },
    /// Write the CalculiX deck (.inp) of the `fea` tool for these parameters.
    FeaDeck {
        /// Parameter file (JSON object), or `-` for standard input. Omitted: all defaults.
        #[arg(long)]
        params: Option<String>,
        /// Write the deck to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Serve the UI and the API.
    Serve(ServeOptions),
    /// Find shared twins on the local network by mDNS; prints one JSON line per twin.
    Discover {
        /// Browse only on the interface with this address.
        #[arg(long)]
        interface: Option<std::net::IpAddr>,
        /// How long to listen.
        #[arg(long, default_value_t = 5.0)]
        timeout_s: f64,
        /// Stop at the first twin found.
        #[arg(long)]
        first: bool,
    },
    /// Write the project's demo recordings (simulated hammer, noise, sweep and harmonic tests
    /// of the default model, fixed seed) as CSV files into a folder.
    MakeDemoRecordings {
        /// Destination folder (created if missing).
        #[arg(long, default_value = "data/recordings")]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum ProfileAction {
    /// List the profiles, newest first (one JSON object per line).
    List,
    /// Print a profile document.
    Show { id: String },
    /// Save a profile document (JSON file, or `-` for standard input) as a new profile.
    Save { file: String },
    /// Delete a profile (`restore` undoes it within 30 s).
    Delete { id: String },
    /// Undo a deletion made less than 30 s ago.
    Restore { id: String },
    /// Import a profile file: a `cristallo.profile/1` document, or the original app's JSON or
    /// 8-line CSV profile.
    Import {
        file: String,
        /// Name of the new profile (default: from the file).
        #[arg(long)]
        name: Option<String>,
    },
    /// Print a profile document for export (or write it to --out).
    Export {
        id: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct ServeOptions {
    /// Address and port to bind (port 0 picks a free one). Default: 127.0.0.1:0, or with
    /// --share the first non-loopback interface.
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Directory of the static UI (default: the one shipped with the sources).
    #[arg(long)]
    ui_dir: Option<PathBuf>,
    /// Directory of the database (default: the platform data directory).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Share on the LAN: token access, mDNS advertisement; prints `share-url:` first.
    #[arg(long)]
    share: bool,
    /// With --share: do not advertise by mDNS.
    #[arg(long)]
    no_mdns: bool,
    /// Name of the twin shown to peers.
    #[arg(long)]
    twin_name: Option<String>,
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
        Command::Run {
            tool,
            params,
            data_dir,
        } => run(&tool, params.as_deref(), data_dir),
        Command::Profile { action, data_dir } => profile(action, data_dir),
        Command::FeaDeck { params, output } => fea_deck(params.as_deref(), output),
        Command::Serve(opts) => report(serve(opts)),
        Command::Discover {
            interface,
            timeout_s,
            first,
        } => report(discover(interface, timeout_s, first)),
        Command::MakeDemoRecordings { out } => report(make_demo_recordings(&out)),
    }
}

/// Writes `demo_{name}.csv` for every demo recording; each file appears whole or not at all.
fn make_demo_recordings(out: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context;
    use cristallo_core::recordings::demo::{demo_recording_csv, DEMOS};
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for name in DEMOS {
        let text = demo_recording_csv(name)?;
        let path = out.join(format!("demo_{name}.csv"));
        let partial = out.join(format!(".demo_{name}.csv.partial"));
        std::fs::write(&partial, text).with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, &path).with_context(|| format!("writing {}", path.display()))?;
        println!(
            "{}: {} rows, {} bytes",
            path.display(),
            text.lines().count() - 1,
            text.len()
        );
    }
    Ok(())
}

fn report(outcome: anyhow::Result<()>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
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

fn run(tool: &str, source: Option<&str>, data_dir: Option<PathBuf>) -> ExitCode {
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
    let params = if cristallo_server::resolve::mentions_profile_id(&params) {
        let dir = data_dir.unwrap_or_else(cristallo_server::store::default_data_dir);
        let resolved = cristallo_server::store::Store::open(&dir)
            .map_err(ApiError::from)
            .and_then(|store| {
                let mut p = params.clone();
                cristallo_server::resolve::resolve_profile_ids(&store, tool, &mut p)?;
                Ok(p)
            });
        match resolved {
            Ok(p) => p,
            Err(e) => return api_failure(&e),
        }
    } else {
        params
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
            // Input errors (the caller can fix them) exit 2; a failed computation exits 1;
            // a missing external solver 3, a failed/timed-out/cancelled one 4 (fea.md §5).
            match &e {
                ToolError::InvalidParam { .. } | ToolError::UnknownTool { .. } => ExitCode::from(2),
                ToolError::Solver { code, .. } if code == "solver_missing" => ExitCode::from(3),
                ToolError::Solver { .. } => ExitCode::from(4),
                ToolError::Cancelled if tool == "fea" => ExitCode::from(4),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// `cristallo fea-deck`: the deck on stdout (or in `output`); invalid parameters exit 2.
fn fea_deck(source: Option<&str>, output: Option<PathBuf>) -> ExitCode {
    let deck = read_params(source)
        .and_then(|bytes| {
            cristallo_server::parse_params(&bytes).map_err(|e| one_line(&e.to_string()))
        })
        .and_then(|v| {
            cristallo_core::fea::FeaParams::parse(&v)
                .and_then(|(p, _)| cristallo_core::fea::deck(&p))
                .map_err(|e| one_line(&e.to_string()))
        });
    let deck = match deck {
        Ok(d) => d,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let written = match output {
        Some(path) => std::fs::write(&path, deck).map_err(|e| format!("{}: {e}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(deck.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| e.to_string())
        }
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write the deck: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Reports an API error on one stderr line: exit 2 for what the caller can fix, else 1.
fn api_failure(e: &ApiError) -> ExitCode {
    eprintln!("{}", one_line(&e.to_string()));
    match e.status().as_u16() {
        400 | 404 | 409 | 410 => ExitCode::from(2),
        _ => ExitCode::FAILURE,
    }
}

fn print_json(v: &impl serde::Serialize) -> Result<(), ApiError> {
    let text = serde_json::to_string_pretty(v).map_err(|e| ApiError::Internal {
        reason: e.to_string(),
    })?;
    println!("{text}");
    Ok(())
}

fn read_file_arg(file: &str) -> Result<Vec<u8>, ApiError> {
    read_params(Some(file)).map_err(|message| ApiError::Tool(ToolError::invalid("file", message)))
}

fn profile(action: ProfileAction, data_dir: Option<PathBuf>) -> ExitCode {
    let dir = data_dir.unwrap_or_else(cristallo_server::store::default_data_dir);
    let platform = match Platform::open(AppConfig::new(dir)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let host = Caller::host();
    let outcome = match action {
        ProfileAction::List => platform.list_profiles().and_then(|list| {
            for p in &list {
                println!(
                    "{}",
                    serde_json::to_string(p).map_err(|e| ApiError::Internal {
                        reason: e.to_string()
                    })?
                );
            }
            Ok(())
        }),
        ProfileAction::Show { id } => platform
            .get_profile(&id)
            .and_then(|d| print_json(&d.to_json())),
        ProfileAction::Save { file } => read_file_arg(&file)
            .and_then(|bytes| {
                serde_json::from_slice::<serde_json::Value>(&bytes).map_err(|e| {
                    ApiError::Tool(ToolError::invalid(
                        "profile",
                        format!("not valid JSON: {e}"),
                    ))
                })
            })
            .and_then(|v| platform.save_profile(&host, &v))
            .and_then(|d| print_json(&d.to_json())),
        ProfileAction::Delete { id } => platform.delete_profile(&host, &id).and_then(|d| {
            eprintln!(
                "deleted; `cristallo profile restore {}` within {} s undoes it",
                d.id, d.undo_seconds
            );
            print_json(&d)
        }),
        ProfileAction::Restore { id } => platform
            .restore_profile(&host, &id)
            .and_then(|d| print_json(&d.to_json())),
        ProfileAction::Import { file, name } => read_file_arg(&file)
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|_| {
                    ApiError::Tool(ToolError::invalid(
                        "file",
                        format!("{file} is not UTF-8 text"),
                    ))
                })
            })
            .and_then(|text| {
                let req = ImportRequest {
                    text,
                    name,
                    file_name: Some(file.clone()),
                };
                platform.import_profile(&host, &req)
            })
            .and_then(|o| {
                for w in &o.warnings {
                    eprintln!("warning: {w}");
                }
                print_json(&o)
            }),
        ProfileAction::Export { id, out } => platform.get_profile(&id).and_then(|d| match out {
            None => print_json(&d.to_json()),
            Some(path) => serde_json::to_string_pretty(&d.to_json())
                .map_err(|e| ApiError::Internal {
                    reason: e.to_string(),
                })
                .and_then(|text| {
                    std::fs::write(&path, text + "\n").map_err(|e| {
                        ApiError::Tool(ToolError::invalid(
                            "out",
                            format!("cannot write {}: {e}", path.display()),
                        ))
                    })
                }),
        }),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => api_failure(&e),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn serve(opts: ServeOptions) -> anyhow::Result<()> {
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

fn discover(on: Option<std::net::IpAddr>, timeout_s: f64, first: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        timeout_s.is_finite() && timeout_s > 0.0 && timeout_s <= 600.0,
        "--timeout-s must be in (0, 600]"
    );
    let peers = cristallo_server::share::discover(
        on,
        std::time::Duration::from_secs_f64(timeout_s),
        first,
    )?;
    for p in &peers {
        println!("{}", serde_json::to_string(p)?);
    }
    anyhow::ensure!(
        !peers.is_empty(),
        "no shared Cristallo twin found within {timeout_s} s"
    );
    Ok(())
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
