//! Frequency grid (docs/uncertainty.md §4.1) and the nominal modes it refines around (§4.2).
//!
//! Base grid `f_j = f_min + j·(f_max − f_min)/(n − 1)` with the last point `f_max` exactly
//! (numpy `linspace`). With `refine_peaks`, 33 points `f_n(1 + ζ_n s/4)`, s = −16…16, are
//! added around each nominal mode (±4ζ: the half-power band is ±ζ), then the grid is sorted
//! and exact duplicates dropped.
//!
//! Modes: `K φ = ω² M φ` via [`crate::lumped::LumpedModel::undamped_modes`]; the modal
//! damping ratio of the undamped-mode approximation is `ζ_n = φᵀCφ / (2 ω_n φᵀMφ)`.
//! Exact natural-frequency intervals: raising any k adds a positive semi-definite matrix to
//! K (all eigenvalues rise), raising any m adds one to M (all fall), so
//! `f_n,min = f_n(k = lo, m = hi)` and `f_n,max = f_n(k = hi, m = lo)`.

use super::kernel::Point;
use crate::lumped::LumpedModel;
use crate::ToolError;

/// Natural frequencies (Hz, ascending) and modal damping ratios (fractions) of one structure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Modes {
    pub natural_frequency_hz: [f64; 3],
    pub damping_ratio: [f64; 3],
}

/// Undamped modes and modal damping ratios of the chain with parameters `p`.
pub fn modes(p: &Point) -> Result<Modes, ToolError> {
    let model = LumpedModel::chain(
        &[p[0], p[1], p[2]],
        &[p[3], p[4], p[5]],
        &[p[6], p[7], p[8]],
    );
    let u = model.undamped_modes()?;
    let mut damping_ratio = [0.0; 3];
    for r in 0..3 {
        let phi = nalgebra::Vector3::from(u.shapes[r]);
        let omega = std::f64::consts::TAU * u.natural_frequency_hz[r];
        let mass = phi.dot(&(model.m * phi));
        let damp = phi.dot(&(model.c * phi));
        damping_ratio[r] = damp / (2.0 * omega * mass);
    }
    Ok(Modes {
        natural_frequency_hz: u.natural_frequency_hz,
        damping_ratio,
    })
}

/// numpy `linspace(a, b, n)` (n ≥ 2): `a + j·step`, last point `b` exactly.
pub fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    let step = (b - a) / (n - 1) as f64;
    let mut v: Vec<f64> = (0..n).map(|j| j as f64 * step + a).collect();
    v[n - 1] = b;
    v
}

/// The final grid (Hz) and the warnings about under-resolved modes.
pub fn frequency_grid(
    f_min: f64,
    f_max: f64,
    n: usize,
    refine: bool,
    nominal: &Modes,
) -> (Vec<f64>, Vec<String>) {
    let mut grid = linspace(f_min, f_max, n);
    let mut warnings = Vec::new();
    let spacing = (f_max - f_min) / (n - 1) as f64;
    for r in 0..3 {
        let f_n = nominal.natural_frequency_hz[r];
        let zeta = nominal.damping_ratio[r];
        if refine {
            for s in -16..=16 {
                let f = f_n * (1.0 + zeta * f64::from(s) / 4.0);
                if (f_min..=f_max).contains(&f) {
                    grid.push(f);
                }
            }
        } else if (f_min..=f_max).contains(&f_n) && spacing > zeta * f_n {
            warnings.push(format!(
                "grid under-resolves mode {}: spacing {:.3} Hz vs half-power bandwidth {:.3} Hz; \
                 peak heights are too low; enable refine_peaks",
                r + 1,
                spacing,
                2.0 * zeta * f_n
            ));
        }
    }
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    (grid, warnings)
}
