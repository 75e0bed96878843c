//! Periodic orbits by shooting Newton (docs/cbc.md §4 item 3) and their stability.
//!
//! Unknown: the state z at τ = 0. Residual r(z) = φ_2π(z) − z; Jacobian Φ − I with Φ the
//! monodromy matrix. Converged when ‖r‖ ≤ tol·(1 + ‖z‖) (tol = 1e-10 by default). The
//! Jacobian comes from [`PeriodMap::linearise`] and is reused across iterations (a chord
//! method) until the residual stops falling by at least 4× per iteration; then it is
//! recomputed at the current iterate. The Floquet multipliers are the eigenvalues of Φ; the
//! orbit is stable when the largest modulus is below 1. The tangent of a branch through the
//! orbit w.r.t. a parameter p is dz/dp = −(Φ − I)⁻¹ ∂φ/∂p.

use nalgebra::{Matrix6, Vector6};

use super::model::{Linearisation, PeriodMap, Sensitivity, State};
use crate::{Cancel, ToolError};

/// Default shooting tolerance (relative).
pub const SHOOT_TOL: f64 = 1e-10;

/// A converged periodic orbit.
#[derive(Debug, Clone)]
pub struct Orbit {
    /// State at τ = 0.
    pub z: State,
    /// (x1, x2, x3, ẋ1) at the 512 samples of one period from z.
    pub samples: Vec<[f64; 4]>,
    /// The linearisation last used (at z or at an earlier iterate close to it).
    pub lin: Linearisation,
    /// Newton (chord) updates used (0 when the first integration already closed).
    pub iterations: usize,
    /// Periods integrated, counting a linearisation as one.
    pub periods: usize,
}

/// Φ as a nalgebra matrix.
pub fn monodromy_matrix(lin: &Linearisation) -> Matrix6<f64> {
    Matrix6::from_fn(|r, c| lin.monodromy[c][r])
}

/// The largest Floquet multiplier modulus.
pub fn floquet_max(lin: &Linearisation) -> f64 {
    monodromy_matrix(lin)
        .complex_eigenvalues()
        .iter()
        .map(|z| z.norm())
        .fold(0.0, f64::max)
}

/// Euclidean norm.
pub fn norm(v: &State) -> f64 {
    v.iter().map(|e| e * e).sum::<f64>().sqrt()
}

/// Shooting Newton from `z0` with at most `max_iter` updates, starting from the
/// linearisation `lin` when given. Ok(None) when Newton fails (singular, diverging or not
/// converged); cancellation is checked between iterations.
pub fn shoot(
    map: &PeriodMap,
    z0: &State,
    sens: Sensitivity,
    tol: f64,
    max_iter: usize,
    lin: Option<Linearisation>,
    cancel: &Cancel,
) -> Result<Option<Orbit>, ToolError> {
    let mut z = *z0;
    let mut lin = lin;
    let mut lu = None;
    let mut periods = 0;
    let mut r_prev = f64::INFINITY;
    for it in 0..=max_iter {
        cancel.check()?;
        let Some((end, samples)) = map.integrate(&z, 1) else {
            return Ok(None);
        };
        periods += 1;
        let r: State = std::array::from_fn(|i| end[i] - z[i]);
        let rn = norm(&r);
        if rn <= tol * (1.0 + norm(&z)) {
            let lin = match lin {
                Some(l) => l,
                None => {
                    periods += 1;
                    match map.linearise(&z, sens) {
                        Some(l) => l,
                        None => return Ok(None),
                    }
                }
            };
            return Ok(Some(Orbit {
                z,
                samples,
                lin,
                iterations: it,
                periods,
            }));
        }
        if it == max_iter {
            break;
        }
        if lin.is_none() || lu.is_none() || rn > 0.25 * r_prev {
            if lin.is_none() || rn > 0.25 * r_prev {
                periods += 1;
                lin = map.linearise(&z, sens);
            }
            let Some(l) = lin.as_ref() else {
                return Ok(None);
            };
            lu = Some((monodromy_matrix(l) - Matrix6::identity()).lu());
        }
        r_prev = rn;
        let Some(dz) = lu.as_ref().and_then(|lu| lu.solve(&(-Vector6::from(r)))) else {
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

/// dz/dp = −(Φ − I)⁻¹ ∂φ/∂p at an orbit (None at a fold, where Φ − I is singular).
pub fn branch_tangent(orbit: &Orbit) -> Option<State> {
    let a = monodromy_matrix(&orbit.lin) - Matrix6::identity();
    let rhs = -Vector6::from(orbit.lin.d_end_dp);
    let t = a.lu().solve(&rhs)?;
    let t: State = std::array::from_fn(|i| t[i]);
    t.iter().all(|e| e.is_finite()).then_some(t)
}

/// Recomputes the orbit's linearisation at z when it was taken farther than `rel`·(1 + ‖z‖)
/// away (a chord step from an earlier iterate). Ok(false) when the integration fails.
pub fn refresh_linearisation(
    orbit: &mut Orbit,
    map: &PeriodMap,
    sens: Sensitivity,
    rel: f64,
) -> bool {
    let d: State = std::array::from_fn(|i| orbit.lin.at[i] - orbit.z[i]);
    if norm(&d) <= rel * (1.0 + norm(&orbit.z)) {
        return true;
    }
    match map.linearise(&orbit.z, sens) {
        Some(l) => {
            orbit.lin = l;
            orbit.periods += 1;
            true
        }
        None => false,
    }
}

/// Integrates `periods` periods from rest in blocks of 10, checking cancellation between
/// blocks. Ok(None) when the response runs away (beyond 1e3 m or non-finite).
pub fn settle_from_rest(
    map: &PeriodMap,
    periods: usize,
    cancel: &Cancel,
) -> Result<Option<State>, ToolError> {
    let mut y = [0.0; 6];
    let mut left = periods;
    while left > 0 {
        cancel.check()?;
        let block = left.min(10);
        match map.integrate(&y, block) {
            Some((end, _)) => y = end,
            None => return Ok(None),
        }
        left -= block;
    }
    Ok(Some(y))
}
