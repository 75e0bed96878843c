//! The command line's flags and subcommands (clap definitions); `cristallo --help` prints them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cristallo",
    version,
    about = "Cristallo-RS digital twin of the 3-storey benchtop rig"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// Write one of a tool's artifacts for these parameters (`fea deck`: the CalculiX .inp),
    /// without running the tool.
    Artifact {
        /// Tool id (see `cristallo tools`).
        tool: String,
        /// Artifact name (the tool's `artifacts` in the catalogue, e.g. `deck`).
        name: String,
        /// Parameter file (JSON object), or `-` for standard input. Omitted: all defaults.
        #[arg(long)]
        params: Option<String>,
        /// Write the artifact to this file instead of standard output.
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
pub enum ProfileAction {
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
pub struct ServeOptions {
    /// Address and port to bind (port 0 picks a free one). Default: 127.0.0.1:0, or with
    /// --share the first non-loopback interface.
    #[arg(long)]
    pub bind: Option<SocketAddr>,
    /// Directory of the static UI (default: the one shipped with the sources).
    #[arg(long)]
    pub ui_dir: Option<PathBuf>,
    /// Directory of the database (default: the platform data directory).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Share on the LAN: token access, mDNS advertisement; prints `share-url:` first.
    #[arg(long)]
    pub share: bool,
    /// With --share: do not advertise by mDNS.
    #[arg(long)]
    pub no_mdns: bool,
    /// Name of the twin shown to peers.
    #[arg(long)]
    pub twin_name: Option<String>,
}
