//! `cristallo artifact`: one of a tool's artifacts (fea's solver deck), without running the tool.

use std::io::Write;
use std::path::PathBuf;

use super::{params_object, Error};

/// Writes artifact `name` of `tool` for the parameters in `source` to `output` (default:
/// stdout). An unknown tool or artifact and invalid parameters exit 2 naming the field.
pub fn artifact(
    tool: &str,
    name: &str,
    source: Option<&str>,
    output: Option<PathBuf>,
) -> Result<(), Error> {
    let params = params_object(source)?;
    let artifact = cristallo_core::artifact(tool, name, &params).map_err(|error| Error::Tool {
        tool: tool.to_owned(),
        error,
    })?;
    let written = match output {
        Some(path) => {
            std::fs::write(&path, &artifact.bytes).map_err(|e| format!("{}: {e}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&artifact.bytes)
                .and_then(|()| out.flush())
                .map_err(|e| e.to_string())
        }
    };
    written.map_err(|e| Error::Output(format!("cannot write the {name}: {e}")))
}
