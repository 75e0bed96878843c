//! Parser of the CalculiX `job.dat` of a frequency step (docs/fea.md §4.6).
//!
//! Line-oriented; numbers are Fortran `E` format (`0.7450485E+01`). Blocks:
//! * `E I G E N V A L U E   O U T P U T`: rows `mode λ ω_real f ω_imag`;
//! * `P A R T I C I P A T I O N   F A C T O R S`, `E F F E C T I V E   M O D A L   M A S S`:
//!   rows `mode x y z rx ry rz` (the effective-mass block ends with a `TOTAL` row, ignored);
//! * `T O T A L   E F F E C T I V E   M A S S`: one row of 6 numbers;
//! * `E I G E N V A L U E    N U M B E R     k` then `displacements (vx,vy,vz) for set …` and
//!   rows `node ux uy uz`.
//!
//! With a frequency bound the eigenvalue block lists only the modes in range while the
//! participation and mass blocks list all computed modes: the mode count comes from the
//! eigenvalue block and only that many rows are used elsewhere.

use std::collections::BTreeMap;

use super::solver::SolverError;

/// One row of the eigenvalue table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eigen {
    pub mode: usize,
    pub eigenvalue: f64,
    pub omega_rad_s: f64,
    pub frequency_hz: f64,
    pub omega_imag_rad_s: f64,
}

/// Everything read from `job.dat`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DatOutput {
    pub eigen: Vec<Eigen>,
    pub participation: Vec<[f64; 6]>,
    /// Effective modal mass per mode (x, y, z, rx, ry, rz).
    pub effective_mass: Vec<[f64; 6]>,
    /// `T O T A L   E F F E C T I V E   M A S S` (present when modes were found).
    pub total_effective_mass: Option<[f64; 6]>,
    /// Per mode number: (node id, [ux, uy, uz]) rows of the printed node set.
    pub displacements: BTreeMap<usize, Vec<(usize, [f64; 3])>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Block {
    None,
    Eigen,
    Participation,
    EffectiveMass,
    TotalMass,
    Displacements(usize),
}

fn failed(what: &str) -> SolverError {
    SolverError::Failed {
        message: format!("could not read {what} from job.dat"),
    }
}

fn numbers(tokens: &[&str]) -> Option<Vec<f64>> {
    tokens
        .iter()
        .map(|t| t.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect()
}

fn squash(line: &str) -> String {
    line.split_whitespace().collect::<String>()
}

/// Parses `job.dat`. `expected_modes`: the exact number of eigenvalue rows required (no
/// frequency bound) or `None` (bounded request: 0 or more rows). `node_count_per_mode`: the
/// rows each displacement block must have.
pub fn parse_dat(
    text: &str,
    expected_modes: Option<usize>,
    node_count_per_mode: usize,
) -> Result<DatOutput, SolverError> {
    let mut out = DatOutput::default();
    let mut block = Block::None;
    let mut saw_eigen_header = false;
    for line in text.lines() {
        let sq = squash(line);
        if sq.contains("EIGENVALUEOUTPUT") {
            block = Block::Eigen;
            saw_eigen_header = true;
            continue;
        }
        if sq.contains("PARTICIPATIONFACTORS") {
            block = Block::Participation;
            continue;
        }
        if sq.contains("TOTALEFFECTIVEMASS") {
            block = Block::TotalMass;
            continue;
        }
        if sq.contains("EFFECTIVEMODALMASS") {
            block = Block::EffectiveMass;
            continue;
        }
        if sq.contains("EIGENVALUENUMBER") {
            let k = line
                .split_whitespace()
                .last()
                .and_then(|t| t.parse::<usize>().ok())
                .ok_or_else(|| failed("an eigenvalue number"))?;
            out.displacements.entry(k).or_default();
            block = Block::Displacements(k);
            continue;
        }
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if tokens.is_empty() {
            continue;
        }
        // Header lines (MODE NO., displacements (...), ...) have non-numeric tokens.
        let Some(nums) = numbers(&tokens) else {
            continue;
        };
        match block {
            Block::None => {}
            Block::Eigen => {
                if nums.len() != 5 {
                    return Err(failed("the eigenvalue table"));
                }
                out.eigen.push(Eigen {
                    mode: nums[0] as usize,
                    eigenvalue: nums[1],
                    omega_rad_s: nums[2],
                    frequency_hz: nums[3],
                    omega_imag_rad_s: nums[4],
                });
            }
            Block::Participation | Block::EffectiveMass => {
                if nums.len() != 7 {
                    return Err(failed("the participation factors / effective modal mass"));
                }
                let row = [nums[1], nums[2], nums[3], nums[4], nums[5], nums[6]];
                if block == Block::Participation {
                    out.participation.push(row);
                } else {
                    out.effective_mass.push(row);
                }
            }
            Block::TotalMass => {
                if nums.len() != 6 {
                    return Err(failed("the total effective mass"));
                }
                out.total_effective_mass =
                    Some([nums[0], nums[1], nums[2], nums[3], nums[4], nums[5]]);
            }
            Block::Displacements(k) => {
                if nums.len() != 4 {
                    return Err(failed("the floor-centre displacements"));
                }
                out.displacements
                    .entry(k)
                    .or_default()
                    .push((nums[0] as usize, [nums[1], nums[2], nums[3]]));
            }
        }
    }
    if !saw_eigen_header {
        return Err(failed("the eigenvalue table"));
    }
    let n = out.eigen.len();
    if let Some(want) = expected_modes {
        if n != want {
            return Err(SolverError::Failed {
                message: format!(
                    "could not read the eigenvalue table from job.dat: {n} rows, {want} expected"
                ),
            });
        }
    }
    for (i, e) in out.eigen.iter().enumerate() {
        if e.mode != i + 1 {
            return Err(failed("the eigenvalue table (mode numbers out of order)"));
        }
    }
    if n > 0 {
        if out.participation.len() < n || out.effective_mass.len() < n {
            return Err(failed("the participation factors / effective modal mass"));
        }
        out.participation.truncate(n);
        out.effective_mass.truncate(n);
        if out.total_effective_mass.is_none() {
            return Err(failed("the total effective mass"));
        }
        for k in 1..=n {
            let rows = out.displacements.get(&k).map_or(0, Vec::len);
            if rows != node_count_per_mode {
                return Err(SolverError::Failed {
                    message: format!(
                        "could not read the floor-centre displacements of mode {k} from job.dat \
                         ({rows} rows, {node_count_per_mode} expected)"
                    ),
                });
            }
        }
    }
    out.displacements.retain(|&k, _| k <= n);
    Ok(out)
}
