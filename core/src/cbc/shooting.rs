//! Periodic orbits by shooting Newton (cbc.md §4 item 3) and their stability.
//!
//! Unknown: the state z at τ = 0. Residual r(z) = φ_2π(z) − z; Jacobian Φ − I with Φ the
//! monodromy matrix of the discrete flow. Converged when ‖r‖ ≤ tol·(1 + ‖z‖) (tol = 1e-10 by
//! default). The Floquet multipliers are the eigenvalues of Φ; the orbit is stable when the
//! largest modulus is below 1. The tangent of a branch through the orbit w.r.t. a parameter p
//! is dz/dp = −(Φ − I)⁻¹ ∂φ/∂p.

use nalgebra::{Matrix6, Vector6};

use super::model::{PeriodMap, PeriodOut, Sensitivity, State};
use crate::{Cancel, ToolError};

/// Default shooting tolerance (relative).
pub const SHOOT_TOL: f64 = 1e-10;

/// A converged periodic orbit.
#[derive(Debug, Clone)]
pub struct Orbit {
    /// State at τ = 0.
    pub z: State,
    /// The last period integrated (from a point within tolerance of z).
    pub period: PeriodOut,
    /// Newton iterations used (0 when the first integration already closed).
    pub iterations: usize,
    /// Periods integrated.
    pub periods: usize,
}

/// Φ as a nalgebra matrix.
pub fn monodromy_matrix(p: &PeriodOut) -> Matrix6<f64> {
    Matrix6::from_fn(|r, c| p.monodromy[c][r])
}

/// The largest Floquet multiplier modulus of an orbit.
pub fn floquet_max(p: &PeriodOut) -> f64 {
    monodromy_matrix(p)
        .complex_eigenvalues()
        .iter()
        .map(|z| z.norm())
        .fold(0.0, f64::max)
}

/// Euclidean norm.
pub fn norm(v: &State) -> f64 {
    v.iter().map(|e| e * e).sum::<f64>().sqrt()
}

/// Shooting Newton from `z0`: at most `max_iter` Newton steps. Ok(None) when Newton fails
/// (singular, diverging or not converged); cancellation is checked between iterations.
pub fn shoot(
    map: &PeriodMap,
    z0: &State,
    sens: Sensitivity,
    tol: f64,
    max_iter: usize,
    cancel: &Cancel,
) -> Result<Option<Orbit>, ToolError> {
    let mut z = *z0;
    let mut periods = 0;
    for it in 0..=max_iter {
        cancel.check()?;
        let Some(out) = map.period(&z, sens) else {
            return Ok(None);
        };
        periods += 1;
        let r: State = std::array::from_fn(|i| out.end[i] - z[i]);
        if norm(&r) <= tol * (1.0 + norm(&z)) {
            return Ok(Some(Orbit {
                z,
                period: out,
                iterations: it,
                periods,
            }));
        }
        if it == max_iter {
            break;
        }
        let a = monodromy_matrix(&out) - Matrix6::identity();
        let Some(dz) = a.lu().solve(&(-Vector6::from(r))) else {
            return Ok(None);
        };
        for i in 0..6 {
            z[i] += dz[i];
        }
        if z.iter().any(|e| !e.is_finite()) {
            return Ok(None);
        }
    }
    Ok(None)
}

/// dz/dp = −(Φ − I)⁻¹ ∂φ/∂p at a converged orbit (None at a fold, where Φ − I is singular).
pub fn branch_tangent(orbit: &Orbit) -> Option<State> {
    let a = monodromy_matrix(&orbit.period) - Matrix6::identity();
    let rhs = -Vector6::from(orbit.period.d_end_dp);
    let t = a.lu().solve(&rhs)?;
    let t: State = std::array::from_fn(|i| t[i]);
    t.iter().all(|e| e.is_finite()).then_some(t)
}
