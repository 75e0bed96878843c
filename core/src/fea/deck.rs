//! The CalculiX input deck: the pieces both model kinds share (material, step) and the
//! [`Deck`] they produce (docs/fea.md §4.2–4.4).
//!
//! Step: `*STEP` / `*FREQUENCY` / `num_modes` or `num_modes, 0., f_max` / `*NODE FILE` `U` /
//! `*NODE PRINT, NSET=NFLOORC` `U` / `*END STEP`. The floor-centre node set is printed to
//! `job.dat` by deck id: the `.frd` file renumbers the expanded beam/shell nodes, so it is
//! never used for the shapes.

use std::fmt::Write;

use super::format::g9;
use super::geometry::{Frame, CLAMP_VOLUME_M3};
use super::params::{check_node_count, FeaParams, Model, MAX_SOLID_GRID_CELLS};
use super::{beam_shell, solid};
use crate::ToolError;

/// A generated deck and what the post-processing needs to know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Deck {
    /// The `.inp` text (SI units).
    pub text: String,
    pub node_count: usize,
    /// All elements, including the MASS elements of the clamps.
    pub element_count: usize,
    /// Deck ids of the floor-centre nodes (`NFLOORC`), floors 1–3.
    pub floor_centre_nodes: [usize; 3],
}

/// Validates the parameters and writes the deck of the chosen model kind. The node limit is
/// checked before any text is written (for `solid` on the indexed mesh, built once).
pub fn deck(p: &FeaParams) -> Result<Deck, ToolError> {
    p.validate_ranges()?;
    let frame = Frame::new(p);
    match p.model {
        Model::BeamShell => {
            check_node_count(beam_shell::counts(&frame).0)?;
            Ok(beam_shell::build(p, &frame))
        }
        Model::Solid => {
            let grid = solid_grid(&frame)?;
            let mesh = solid::Mesh::new(&grid);
            check_node_count(mesh.nodes.len())?;
            Ok(solid::build(p, &frame, &grid, &mesh))
        }
    }
}

/// The solid grid, refused at once when it has too many cells to index.
fn solid_grid(frame: &Frame) -> Result<solid::Grid, ToolError> {
    let grid = solid::Grid::new(frame);
    let cells = grid.cell_count();
    if cells > MAX_SOLID_GRID_CELLS {
        return Err(ToolError::invalid(
            "element_size_m",
            format!(
                "the solid grid would have {cells} cells (limit {MAX_SOLID_GRID_CELLS}); use a larger element size"
            ),
        ));
    }
    Ok(grid)
}

/// `*MATERIAL` with `*ELASTIC` and `*DENSITY`.
pub(crate) fn write_material(out: &mut String, p: &FeaParams) {
    let _ = writeln!(out, "*MATERIAL, NAME=AL6082");
    let _ = writeln!(out, "*ELASTIC");
    let _ = writeln!(out, "{}, {}", g9(p.youngs_modulus_pa), g9(p.poisson_ratio));
    let _ = writeln!(out, "*DENSITY");
    let _ = writeln!(out, "{}", g9(p.density_kg_m3));
}

/// The frequency step.
pub(crate) fn write_step(out: &mut String, p: &FeaParams) {
    let _ = writeln!(out, "*STEP");
    let _ = writeln!(out, "*FREQUENCY");
    match p.max_frequency_hz {
        Some(f) => {
            let _ = writeln!(out, "{}, 0., {}", p.num_modes, g9(f));
        }
        None => {
            let _ = writeln!(out, "{}", p.num_modes);
        }
    }
    let _ = writeln!(out, "*NODE FILE");
    let _ = writeln!(out, "U");
    let _ = writeln!(out, "*NODE PRINT, NSET=NFLOORC");
    let _ = writeln!(out, "U");
    let _ = writeln!(out, "*END STEP");
}

/// The analytic mass of the model (docs/fea.md §4.4), not read from ccx.
pub fn model_mass_kg(p: &FeaParams) -> f64 {
    let f = Frame::new(p);
    let rho = p.density_kg_m3;
    let floors = 3.0 * f.lx_m * f.ly_m * f.tf_m;
    match p.model {
        Model::BeamShell => {
            rho * (floors + 4.0 * f.b_m * f.t_m * (f.zt_m[2] - f.zc_m) + 12.0 * CLAMP_VOLUME_M3)
        }
        Model::Solid => {
            use super::geometry::{
                CLAMP_THICKNESS_M as C, FOOT_BASE_LENGTH_M, FOOT_FLANGE_THICKNESS_M,
                FOOT_UPRIGHT_HEIGHT_M,
            };
            rho * (floors
                + 4.0 * f.b_m * f.t_m * f.zt_m[2]
                + 4.0 * f.b_m * C * (f.zc_m + 3.0 * f.tf_m)
                + 4.0
                    * f.b_m
                    * (FOOT_BASE_LENGTH_M * FOOT_FLANGE_THICKNESS_M
                        + FOOT_FLANGE_THICKNESS_M * FOOT_UPRIGHT_HEIGHT_M))
        }
    }
}

/// Node count of the mesh, computed before the deck is written (docs/fea.md §4.1).
pub fn mesh_node_count(p: &FeaParams) -> Result<usize, ToolError> {
    let frame = Frame::new(p);
    match p.model {
        Model::BeamShell => Ok(beam_shell::counts(&frame).0),
        Model::Solid => Ok(solid::Mesh::new(&solid_grid(&frame)?).nodes.len()),
    }
}
