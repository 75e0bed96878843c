//! The subcommands of `cristallo`, one module each, and the input helpers they share.

mod artifact;
mod demo;
mod discover;
mod error;
pub mod flags;
mod profile;
mod run;
mod serve;

use std::io::Read;

pub use error::{exit_code, Error};
use flags::Command;

/// Runs `command`; what it prints on success is its output.
pub fn dispatch(command: Command) -> Result<(), Error> {
    match command {
        Command::Tools => {
            run::list_tools();
            Ok(())
        }
        Command::Run {
            tool,
            params,
            data_dir,
        } => run::run(&tool, params.as_deref(), data_dir),
        Command::Profile { action, data_dir } => profile::profile(action, data_dir),
        Command::Artifact {
            tool,
            name,
            params,
            output,
        } => artifact::artifact(&tool, &name, params.as_deref(), output),
        Command::Serve(opts) => Ok(serve::serve(opts)?),
        Command::Discover {
            interface,
            timeout_s,
            first,
        } => Ok(discover::discover(interface, timeout_s, first)?),
        Command::MakeDemoRecordings { out } => Ok(demo::make_demo_recordings(&out)?),
    }
}

/// The bytes of a parameter (or profile) file: `None` is empty (all defaults), `-` is standard
/// input. The error is the stderr line naming `params`.
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

/// The JSON parameter object read from `source` (see [`read_params`]); an error is one line.
fn params_object(source: Option<&str>) -> Result<serde_json::Value, Error> {
    let bytes = read_params(source).map_err(Error::Input)?;
    cristallo_server::parse_params(&bytes)
        .map_err(|e| Error::Input(error::one_line(&e.to_string())))
}
