//! `cristallo fea-deck`: the CalculiX deck of the `fea` tool, without running the solver.

use std::io::Write;
use std::path::PathBuf;

use super::error::one_line;
use super::{params_object, Error};

/// Writes the deck for the parameters in `source` to `output` (default: stdout). Invalid
/// parameters are an [`Error::Input`] (exit 2).
pub fn fea_deck(source: Option<&str>, output: Option<PathBuf>) -> Result<(), Error> {
    let params = params_object(source)?;
    let deck = cristallo_core::fea::FeaParams::parse(&params)
        .and_then(|(p, _)| cristallo_core::fea::deck(&p))
        .map_err(|e| Error::Input(one_line(&e.to_string())))?;
    let written = match output {
        Some(path) => std::fs::write(&path, deck).map_err(|e| format!("{}: {e}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(deck.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| e.to_string())
        }
    };
    written.map_err(|e| Error::Output(format!("cannot write the deck: {e}")))
}
