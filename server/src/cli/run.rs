//! `cristallo tools` and `cristallo run`: the catalogue, and one tool run printed as JSON.

use std::io::Write;
use std::path::PathBuf;

use cristallo_core::{Cancel, Progress};
use cristallo_server::ApiError;

use super::{params_object, Error};

/// `cristallo tools`: the tool ids, one per line.
pub fn list_tools() {
    for t in cristallo_core::catalogue() {
        println!("{}", t.id);
    }
}

/// `cristallo run`: exactly one JSON result object on stdout. A `"profile_id"` in the
/// parameters is resolved against the profile store in `data_dir` (default: the platform's).
pub fn run(tool: &str, source: Option<&str>, data_dir: Option<PathBuf>) -> Result<(), Error> {
    let mut params = params_object(source)?;
    if cristallo_server::resolve::mentions_profile_id(&params) {
        let dir = data_dir.unwrap_or_else(cristallo_server::store::default_data_dir);
        let store = cristallo_server::store::Store::open(&dir).map_err(ApiError::from)?;
        cristallo_server::resolve::resolve_profile_ids(&store, tool, &mut params)?;
    }
    let result =
        cristallo_core::run(tool, &params, &Progress::none(), &Cancel::new()).map_err(|error| {
            Error::Tool {
                tool: tool.to_owned(),
                error,
            }
        })?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer(&mut out, &result)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush())
        .map_err(|e| Error::Output(format!("cannot write the result: {e}")))
}
