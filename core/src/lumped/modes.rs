//! The modes of the lumped model (docs/simulator.md §4.1): undamped from the generalised symmetric
//! eigenproblem, damped from the poles of the state matrix.
//!
//! # Undamped modes
//!
//! The generalised symmetric problem `K φ = ω² M φ` is reduced with the Cholesky factor
//! `M = L Lᵀ` to the standard symmetric problem `(L⁻¹ K L⁻ᵀ) y = ω² y`, `φ = L⁻ᵀ y`.
//! Natural frequencies `fn_r = ω_r / 2π` ascend; each shape is scaled so that
//! `max_j |φ_j| = 1`, then its sign is chosen so that `φ_1 > 0`. The modal mass is
//! `m_r = φ_rᵀ M φ_r` with that scaling.
//!
//! # Damped modes
//!
//! The poles are the eigenvalues of `A` (real Schur form of a similarity-scaled `A`; the
//! velocity block is scaled by `1/ω₀`, `ω₀² = tr(M⁻¹K)/3`, to balance the two blocks). Each pole is
//! then polished by Newton's method on `det Q(λ) = 0`, `Q(λ) = λ²M + λC + K`, whose step is
//! `δ = −det Q / tr(adj(Q) Q′)`, `Q′ = 2λM + C` (Jacobi's formula). The three poles with
//! `Im λ > 0` sorted by `Im λ` give the damped frequencies `fd = Im λ / 2π` and damping
//! ratios `ζ = −Re λ / |λ|`. A mode whose poles are real (overdamped) gets `fd = 0` and
//! `ζ = (|λa| + |λb|) / (2 √(λa λb))` from its pair (real poles sorted by magnitude are paired
//! outermost-first: smallest with largest), modes are then ordered by `√(λa λb)` resp. `|λ|`,
//! and a warning is issued.

use nalgebra::linalg::{Schur, SymmetricEigen};
use nalgebra::Vector3;
use num_complex::Complex64;

use super::frf::{cofactor, C3};
use super::{field, LumpedModel, N_FLOORS};
use crate::ToolError;

/// The modes of the undamped model, ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct UndampedModes {
    /// Natural frequencies fn_r (Hz).
    pub natural_frequency_hz: [f64; 3],
    /// Shapes, row r = mode r, max-normalised with floor-1 component positive.
    pub shapes: [[f64; 3]; 3],
    /// Modal masses φ_rᵀ M φ_r (kg) with that normalisation.
    pub modal_mass_kg: [f64; 3],
}

/// The modes of the damped model from the poles of A, ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct DampedModes {
    /// Damped natural frequencies Im λ / 2π (Hz); 0 for an overdamped mode.
    pub damped_frequency_hz: [f64; 3],
    /// Damping ratios ζ (fraction, not percent).
    pub damping_ratio: [f64; 3],
    /// The pole with Im λ ≥ 0 of each mode (for an overdamped mode the slower real pole).
    pub poles: [Complex64; 3],
    /// Whether the mode's poles are real.
    pub overdamped: [bool; 3],
    /// Human-readable notes (overdamped modes).
    pub warnings: Vec<String>,
}

/// Undamped and damped modes together.
#[derive(Debug, Clone, PartialEq)]
pub struct ModalAnalysis {
    pub undamped: UndampedModes,
    pub damped: DampedModes,
}

impl LumpedModel {
    /// Undamped modes (generalised symmetric eigenproblem via Cholesky of M).
    pub fn undamped_modes(&self) -> Result<UndampedModes, ToolError> {
        let chol = self.cholesky_m()?;
        let l = chol.l();
        // L⁻¹ K, then L⁻¹ (L⁻¹ K)ᵀ = L⁻¹ K L⁻ᵀ (K symmetric).
        let lk = l
            .solve_lower_triangular(&self.k)
            .ok_or_else(|| ToolError::failed("singular Cholesky factor of M"))?;
        let a = l
            .solve_lower_triangular(&lk.transpose())
            .ok_or_else(|| ToolError::failed("singular Cholesky factor of M"))?;
        let a = (a + a.transpose()) * 0.5;
        let eig = SymmetricEigen::try_new(a, f64::EPSILON, 10_000)
            .ok_or_else(|| ToolError::failed("the undamped eigenproblem did not converge"))?;
        let mut order = [0usize, 1, 2];
        order.sort_by(|&i, &j| eig.eigenvalues[i].total_cmp(&eig.eigenvalues[j]));
        let lt = l.transpose();
        let mut out = UndampedModes {
            natural_frequency_hz: [0.0; 3],
            shapes: [[0.0; 3]; 3],
            modal_mass_kg: [0.0; 3],
        };
        for (r, &i) in order.iter().enumerate() {
            let w2 = eig.eigenvalues[i];
            if !(w2 > 0.0 && w2.is_finite()) {
                return Err(ToolError::invalid(
                    field("stiffnesses_n_per_m"),
                    "the model has a non-positive stiffness eigenvalue",
                ));
            }
            let y: Vector3<f64> = eig.eigenvectors.column(i).into_owned();
            let phi = lt
                .solve_upper_triangular(&y)
                .ok_or_else(|| ToolError::failed("singular Cholesky factor of M"))?;
            let max = phi.amax();
            if !(max > 0.0 && max.is_finite()) {
                return Err(ToolError::failed("degenerate mode shape"));
            }
            let mut phi = phi / max;
            // φ_1 > 0; φ_1 is never 0 for a chain, otherwise the first non-zero entry decides.
            let lead = phi.iter().copied().find(|v| v.abs() > 1e-12).unwrap_or(1.0);
            if lead < 0.0 {
                phi = -phi;
            }
            out.natural_frequency_hz[r] = w2.sqrt() / std::f64::consts::TAU;
            out.shapes[r] = [phi[0], phi[1], phi[2]];
            out.modal_mass_kg[r] = (phi.transpose() * self.m * phi)[(0, 0)];
        }
        Ok(out)
    }

    /// `Q(λ) = λ²M + λC + K`.
    fn quadratic(&self, lambda: Complex64) -> C3 {
        let l2 = lambda * lambda;
        let mut q = [[Complex64::new(0.0, 0.0); 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                q[i][j] = l2 * self.m[(i, j)] + lambda * self.c[(i, j)] + self.k[(i, j)];
            }
        }
        q
    }

    /// Newton polishing of a pole on `det Q(λ) = 0` (Jacobi's formula for the derivative).
    fn polish_pole(&self, mut lambda: Complex64) -> Complex64 {
        for _ in 0..4 {
            let q = self.quadratic(lambda);
            let mut det = Complex64::new(0.0, 0.0);
            let mut deriv = Complex64::new(0.0, 0.0);
            for i in 0..3 {
                for j in 0..3 {
                    let cof = cofactor(&q, i, j);
                    if i == 0 {
                        det += q[i][j] * cof;
                    }
                    let dq = 2.0 * lambda * self.m[(i, j)] + self.c[(i, j)];
                    deriv += cof * dq;
                }
            }
            if deriv.norm_sqr() == 0.0 || !deriv.is_finite() || !det.is_finite() {
                break;
            }
            let step = -det / deriv;
            // Only a small correction: never jump to another pole.
            if !step.is_finite() || step.norm() > 1e-6 * lambda.norm().max(f64::MIN_POSITIVE) {
                break;
            }
            let next = lambda + step;
            // Keep real poles real (rounding can add a tiny imaginary part).
            lambda = if lambda.im == 0.0 {
                Complex64::new(next.re, 0.0)
            } else {
                next
            };
            if step.norm() <= 1e-17 * lambda.norm() {
                break;
            }
        }
        lambda
    }

    /// The six poles of the model (eigenvalues of A), polished.
    pub fn poles(&self) -> Result<[Complex64; 6], ToolError> {
        let a = self.state_matrix()?;
        // Similarity scaling z' = (x, ẋ / ω₀) balances the blocks of A.
        let w0 = {
            let t = -(a.fixed_view::<3, 3>(3, 0).trace()) / 3.0;
            if t > 0.0 && t.is_finite() {
                t.sqrt()
            } else {
                1.0
            }
        };
        let mut s = a;
        for i in 0..3 {
            for j in 0..3 {
                s[(i, 3 + j)] *= w0;
                s[(3 + i, j)] /= w0;
            }
        }
        let schur = Schur::try_new(s, f64::EPSILON, 100_000).ok_or_else(|| {
            ToolError::failed("the eigenvalues of the state matrix did not converge")
        })?;
        let ev = schur.complex_eigenvalues();
        let mut out = [Complex64::new(0.0, 0.0); 6];
        for (o, e) in out.iter_mut().zip(ev.iter()) {
            if !e.is_finite() {
                return Err(ToolError::failed("non-finite pole of the state matrix"));
            }
            *o = self.polish_pole(*e);
        }
        Ok(out)
    }

    /// Damped modes from the poles (see the module docs for overdamped modes).
    pub fn damped_modes(&self) -> Result<DampedModes, ToolError> {
        let poles = self.poles()?;
        let upper: Vec<Complex64> = poles.iter().copied().filter(|p| p.im > 0.0).collect();
        let lower = poles.iter().filter(|p| p.im < 0.0).count();
        let mut real: Vec<f64> = poles.iter().filter(|p| p.im == 0.0).map(|p| p.re).collect();
        if upper.len() != lower || real.len() & 1 == 1 || upper.len() + real.len() / 2 != N_FLOORS {
            return Err(ToolError::failed(
                "the poles of the model do not form three modes",
            ));
        }
        // (sort key, damped frequency, ζ, pole, overdamped)
        let mut modes: Vec<(f64, f64, f64, Complex64, bool)> = Vec::with_capacity(3);
        let any_real = !real.is_empty();
        for p in &upper {
            let key = if any_real { p.norm() } else { p.im };
            modes.push((
                key,
                p.im / std::f64::consts::TAU,
                -p.re / p.norm(),
                *p,
                false,
            ));
        }
        real.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
        while real.len() >= 2 {
            let a = real.remove(0);
            let b = real.pop().unwrap_or(a);
            let prod = a * b;
            if prod.is_nan() || prod <= 0.0 {
                return Err(ToolError::failed(
                    "the model has a non-decaying real pole (is M, K positive definite?)",
                ));
            }
            let wn = prod.sqrt();
            let zeta = (a.abs() + b.abs()) / (2.0 * wn);
            modes.push((wn, 0.0, zeta, Complex64::new(a, 0.0), true));
        }
        modes.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut out = DampedModes {
            damped_frequency_hz: [0.0; 3],
            damping_ratio: [0.0; 3],
            poles: [Complex64::new(0.0, 0.0); 3],
            overdamped: [false; 3],
            warnings: Vec::new(),
        };
        for (r, m) in modes.iter().enumerate().take(N_FLOORS) {
            out.damped_frequency_hz[r] = m.1;
            out.damping_ratio[r] = m.2;
            out.poles[r] = m.3;
            out.overdamped[r] = m.4;
            if m.4 {
                out.warnings.push(format!(
                    "mode {} is overdamped (real poles, damping ratio {:.4} %): its damped natural \
                     frequency is reported as 0 Hz",
                    r + 1,
                    m.2 * 100.0
                ));
            }
        }
        Ok(out)
    }

    /// Undamped and damped modes.
    pub fn modal_analysis(&self) -> Result<ModalAnalysis, ToolError> {
        Ok(ModalAnalysis {
            undamped: self.undamped_modes()?,
            damped: self.damped_modes()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lumped::Profile;

    #[test]
    fn default_profile_matches_the_spec() {
        let a = Profile::default().model().modal_analysis().unwrap();
        let fnr = a.undamped.natural_frequency_hz;
        for (x, want) in fnr.iter().zip([6.2036, 17.8002, 26.4022]) {
            assert!((x - want).abs() < 1e-4, "{x} vs {want}");
        }
        for (x, want) in a
            .damped
            .damping_ratio
            .iter()
            .zip([0.345e-2, 0.853e-2, 0.963e-2])
        {
            assert!((x - want).abs() < 1e-5, "{x} vs {want}");
        }
        for (x, want) in a
            .undamped
            .modal_mass_kg
            .iter()
            .zip([9.6617, 8.8573, 8.6249])
        {
            assert!((x - want).abs() < 1e-4, "{x} vs {want}");
        }
        assert!(a.damped.warnings.is_empty());
    }

    #[test]
    fn overdamped_mode_is_reported_with_zero_frequency() {
        let m = LumpedModel::chain(&[1.0, 1.0, 1.0], &[100.0, 100.0, 100.0], &[1e5, 0.0, 0.0]);
        let d = m.damped_modes().unwrap();
        assert!(d.overdamped.iter().any(|&o| o));
        assert!(!d.warnings.is_empty());
        for r in 0..3 {
            assert!(d.damping_ratio[r].is_finite() && d.damping_ratio[r] > 0.0);
            if d.overdamped[r] {
                assert_eq!(d.damped_frequency_hz[r], 0.0);
                assert!(d.damping_ratio[r] > 1.0);
            }
        }
    }
}
