//! The `fea` tool (docs/fea.md): finite-element modal analysis of the 3-storey frame with the free
//! CalculiX solver.
//!
//! Flow: validate the SI geometry (ranges, non-overlapping columns, at most
//! [`params::MAX_NODES`] nodes counted *before* anything is written) → write the deck
//! ([`deck`]: `beam_shell` B32 + S8R + rigid joints, or `solid` C3D20R) → run `ccx` in a fresh
//! temporary directory with a timeout and cancellation ([`solver::Solver`]) → parse `job.dat`
//! ([`dat::parse_dat`]) → frequencies, effective masses, floor-centre shapes and labels beside
//! the measured peaks and the equivalent shear building ([`post`]).
//!
//! The eigenproblem is `K φ = ω² M φ` with consistent mass; ccx (ARPACK, shift-invert) prints
//! λ = ω², ω, f = ω/2π and mass-normalised vectors (φᵀMφ = 1, so the shapes are in m·kg⁻¹ᐟ²).
//! The deck is SI throughout, so frequencies come out in Hz.
//!
//! Which program runs is a host decision (`CRISTALLO_CCX`, else `ccx` on `PATH`), never a
//! parameter: LAN guests must not choose programs to run. Jobs never share files, so several
//! can run at once; the platform still queues this heavy tool ([`crate::Tool::is_heavy`]).

pub mod dat;
pub mod deck;
pub mod format;
pub mod geometry;
pub mod params;
pub mod post;
pub mod shear_building;
pub mod solver;

mod beam_shell;
mod solid;

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

pub use dat::{parse_dat, DatOutput};
pub use deck::{mesh_node_count, model_mass_kg, Deck};
pub use params::{fea_params, FeaParams, Model, MAX_NODES};
pub use solver::{Solver, SolverError, SolverRun};

use crate::schema::ParamSpec;
use crate::tool::{
    unknown_artifact, Artifact, ArtifactInfo, Category, Parsed, RunResult, ToolMeta, TypedTool,
};
use crate::ResultSize;
use crate::{Cancel, Progress, ToolError, ToolResult};

/// The deck (`.inp` text) for these parameters, after the same validation as a run
/// (docs/fea.md §5 "Deck export").
pub fn deck(p: &FeaParams) -> Result<String, ToolError> {
    Ok(deck::deck(p)?.text)
}

/// The deck and its statistics.
pub fn build_deck(p: &FeaParams) -> Result<Deck, ToolError> {
    deck::deck(p)
}

/// Runs the whole analysis with the solver program `program` (the tool passes the host's
/// [`Solver::locate`]; tests pass fake solvers). With `solve: false` no program is needed.
pub fn analyse(
    p: &FeaParams,
    echo: Value,
    program: Option<&Path>,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ToolResult, ToolError> {
    progress.report(0.0, "building deck");
    let deck = deck::deck(p)?;
    let mass = model_mass_kg(p);
    cancel.check()?;
    if !p.solve {
        progress.report(1.0, "deck built");
        return Ok(post::deck_only_result(p, echo, &deck, mass));
    }
    let program = match program {
        Some(path) => path.to_path_buf(),
        None => Solver::locate()?,
    };
    let solver = Solver::new(program, Duration::from_secs_f64(p.timeout_s), p.threads);
    let run = solver.run(&deck.text, progress, cancel)?;
    let expected = if p.max_frequency_hz.is_some() {
        None
    } else {
        Some(p.num_modes as usize)
    };
    let dat = parse_dat(&run.dat, expected, deck.floor_centre_nodes.len()).map_err(|e| {
        ToolError::from(match e {
            SolverError::Failed { message } => SolverError::Failed {
                message: format!("{message}; last output:\n{}", tail(&run.stdout)),
            },
            other => other,
        })
    })?;
    let warnings = solver::solver_warnings(&run.stdout);
    let result = post::solved_result(p, echo, &deck, mass, &dat, run.wall_time_s, warnings);
    progress.report(1.0, "done");
    Ok(result)
}

fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

/// The solver deck as a download: the `.inp` text a run would give ccx (docs/fea.md §5).
pub const DECK_ARTIFACT: ArtifactInfo = ArtifactInfo {
    name: "deck",
    title: "Solver deck (.inp)",
    file_name: "cristallo_frame.inp",
    media_type: "text/plain; charset=utf-8",
};

/// Finite-element modal analysis with CalculiX.
#[derive(Debug, Clone, Copy, Default)]
pub struct FeaTool;

impl TypedTool for FeaTool {
    const META: ToolMeta = ToolMeta {
        id: "fea",
        title: "Finite-element modal analysis (CalculiX)",
        category: Category::ThirdPartyTool,
        description:
            "Builds a beam/shell or solid finite-element model of the frame from its drawing \
             dimensions, solves its modes with the free CalculiX solver and compares them with the \
             measured peaks and the shear-building model.",
        heavy: true,
    };
    type Params = FeaParams;
    fn param_specs() -> Vec<ParamSpec> {
        fea_params()
    }
    fn parse(raw: &Value, _: &Progress, _: &Cancel) -> Parsed<Self::Params> {
        FeaParams::parse(raw)
    }
    const ARTIFACTS: &'static [ArtifactInfo] = &[DECK_ARTIFACT];
    fn artifact(name: &str, params: &Value) -> Result<Artifact, ToolError> {
        if name != DECK_ARTIFACT.name {
            return Err(unknown_artifact(Self::META.id, name));
        }
        let text = FeaParams::parse(params).and_then(|(p, _)| deck(&p))?;
        Ok(Artifact {
            file_name: DECK_ARTIFACT.file_name.to_string(),
            media_type: DECK_ARTIFACT.media_type,
            bytes: text.into_bytes(),
        })
    }
    fn run(p: Self::Params, echo: Value, progress: &Progress, cancel: &Cancel) -> RunResult {
        analyse(&p, echo, None, progress, cancel)
    }
    /// Scalars, the shear-building and measured reference series and the inputs table (about
    /// 150 values); a solve adds per mode a modes-table row (9), its floor shapes (3 × 5) and
    /// shape series.
    fn result_values(p: &Self::Params) -> ResultSize {
        let per_mode = if p.solve { 40.0 } else { 0.0 };
        ResultSize::linear("num_modes", f64::from(p.num_modes), per_mode, 150.0)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn deck_artifact_is_the_deck_of_the_parameters() {
        let params = json!({"model": "beam_shell", "solve": false});
        let a = crate::artifact("fea", "deck", &params).unwrap();
        let want = FeaParams::parse(&params)
            .and_then(|(p, _)| deck(&p))
            .unwrap();
        assert_eq!(a.bytes, want.into_bytes());
        assert_eq!(a.file_name, "cristallo_frame.inp");
        assert_eq!(a.media_type, "text/plain; charset=utf-8");
        let info = crate::find("fea").unwrap().artifacts();
        assert_eq!(info, &[DECK_ARTIFACT]);
    }

    #[test]
    fn bad_artifact_requests_name_their_field() {
        let e = crate::artifact("fea", "mesh", &json!({})).unwrap_err();
        assert_eq!(e.field(), Some("artifact"));
        let e = crate::artifact("modal", "deck", &json!({})).unwrap_err();
        assert_eq!(e.field(), Some("artifact"));
        let e = crate::artifact("fea", "deck", &json!({"element_size_m": -1})).unwrap_err();
        assert_eq!(e.field(), Some("element_size_m"));
    }
}
