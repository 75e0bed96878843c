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
//! * `cristallo artifact <tool> <name> --params <file | -> [--output FILE]` writes one of a
//!   tool's artifacts (`fea deck`: the CalculiX deck; exit 2 on an unknown tool or artifact or
//!   invalid parameters, naming the field). `run fea` exits 3 when the solver is missing
//!   and 4 when it failed, timed out or was cancelled.
//! * `cristallo profile list|show ID|save FILE|delete ID|restore ID|import FILE|export ID
//!   [--data-dir DIR]` manages the saved model profiles (docs/measured.md §7): `list` prints one JSON
//!   object per profile and line, `show`/`export` the document, `save`/`import` the saved
//!   document (import warnings also on stderr), `delete` soft-deletes (undo with `restore` within
//!   30 s). Bad input (invalid document, taken name, unknown id) exits 2 with one stderr line
//!   naming the field. `run` resolves `"profile_id"` against the same store (`--data-dir`).
//!
//! The subcommands live in [`cli`] (flags in `cli/flags.rs`), and [`cli::exit_code`] is the one
//! place mapping a failure to its exit code.

use std::process::ExitCode;

use clap::Parser;

mod cli;

/// mimalloc keeps freed pages for reuse: a tool's result is a few MB of fresh vectors, and
/// with the system allocator the page faults of those were a third of a vibration-control run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::dispatch(cli::flags::Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(cli::exit_code(&e))
        }
    }
}
