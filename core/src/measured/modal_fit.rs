//! The modal least-squares fit of docs/measured.md §4.2 steps 3–5.
//!
//! Model of every measured column c (file e, floor j), accelerance at ω_i = 2π f_i:
//!
//! ```text
//! Y_ic ≈ Σ_r a_rc B_ir,   B_ir = −ω_i² / (ω_r² − ω_i² + 2i ζ_r ω_r ω_i)
//! ```
//!
//! with real modal constants a_rc. For fixed poles p = (f_1..f_3, ζ_1..ζ_3) the constants solve
//! the real linear least-squares problem `min ‖A a_c − y_c‖`, `A = [Re B; Im B]` (2n × 3),
//! `y_c = [Re Y_c; Im Y_c]`, by a thin QR factorisation `A = Q R` (modified Gram–Schmidt with
//! one re-orthogonalisation): `a_c = R⁻¹ Qᵀ y_c`, residual `r_c = (I − Q Qᵀ) y_c`.
//!
//! The poles minimise the projected cost `Σ_c ‖r_c‖²` (variable projection). Its Jacobian in
//! Kaufman's form is `∂r_c/∂p_k = −a_{r(k),c} (I − QQᵀ) ∂A_{:,r(k)}/∂p_k` (p_k belongs to mode
//! r(k)); the dropped term is orthogonal to the residual, so the gradient `Jᵀr` is exact and the
//! iteration converges to the true minimiser. Levenberg–Marquardt with Marquardt's diagonal
//! scaling (which makes ζ and f commensurate): `(JᵀJ + λ diag JᵀJ) δ = −Jᵀr`, steps that do
//! not lower the cost or make f or ζ non-positive are refused (λ × 4), accepted ones divide λ
//! by 3. Stop when the relative step `max |δ_k / p_k| < 1e-12`, or after 200 iterations, or
//! when a trial step below 1e-6 (relative) changes the cost by less than 1e-13 of it: the cost
//! is then flat to rounding, and the 1e-12 step would only be reached after a dozen or more
//! refused trials that each cost an evaluation (on the rig's file: 35 evaluations instead of
//! 12, the parameters equal to 1e-7).
//! `∂B_ir/∂x = ω_i² / D² · ∂D/∂x`, `∂D/∂ω_r = 2ω_r + 2iζ_r ω_i`, `∂D/∂ζ_r = 2iω_r ω_i`.

use nalgebra::{SMatrix, SVector};
use num_complex::Complex64;

use crate::{Cancel, ToolError};

/// Number of modes fitted.
pub const N_MODES: usize = 3;
/// Iteration limit of the Levenberg–Marquardt loop.
pub const MAX_ITERATIONS: usize = 200;
/// Relative step below which the fit is converged.
pub const STEP_TOLERANCE: f64 = 1e-12;
/// A step below this (relative) that changes the cost by less than [`COST_TOLERANCE`] of it
/// ends the fit: the cost is flat to rounding there.
pub const FLAT_STEP: f64 = 1e-6;
/// Relative cost change at rounding level.
pub const COST_TOLERANCE: f64 = 1e-13;

/// The result of the fit; modes sorted by frequency.
#[derive(Debug, Clone, PartialEq)]
pub struct ModalFit {
    pub f_hz: [f64; N_MODES],
    pub zeta: [f64; N_MODES],
    /// `constants[c][r]`: modal constant (1/kg) of mode r in column c.
    pub constants: Vec<[f64; N_MODES]>,
    /// `‖residual‖` over all real and imaginary parts.
    pub residual_norm: f64,
    /// `‖Y‖` over all real and imaginary parts.
    pub data_norm: f64,
    pub iterations: usize,
}

impl ModalFit {
    /// `100 ‖residual‖ / ‖Y‖`.
    pub fn error_percent(&self) -> f64 {
        100.0 * self.residual_norm / self.data_norm
    }

    /// The fitted accelerance of column c at ω (rad/s).
    pub fn synthesise(&self, c: usize, omega: f64) -> Complex64 {
        (0..N_MODES)
            .map(|r| self.constants[c][r] * basis_at(self.f_hz[r], self.zeta[r], omega))
            .sum()
    }
}

/// `B(ω) = −ω² / (ω_r² − ω² + 2iζω_rω)`.
pub fn basis_at(f_hz: f64, zeta: f64, omega: f64) -> Complex64 {
    let wr = std::f64::consts::TAU * f_hz;
    let d = Complex64::new(wr * wr - omega * omega, 2.0 * zeta * wr * omega);
    -omega * omega / d
}

/// Parameter vector: f_1..f_3 (Hz), ζ_1..ζ_3.
type P = SVector<f64, 6>;

struct Problem<'a> {
    omega: Vec<f64>,
    /// Per column `[Re Y; Im Y]` (length 2n).
    ys: &'a [Vec<f64>],
}

struct Eval {
    q: [Vec<f64>; N_MODES],
    a: Vec<[f64; N_MODES]>,
    resid: Vec<Vec<f64>>,
    cost: f64,
}

/// Σ aᵢbᵢ with eight independent partial sums: a single running sum fixes the order of the
/// additions and keeps the compiler from vectorising the loop (most of the fit's time).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    const LANES: usize = 8;
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f64>() + tail
}

fn axpy(y: &mut [f64], alpha: f64, x: &[f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

impl Problem<'_> {
    fn n(&self) -> usize {
        self.omega.len()
    }

    /// Column r of A for pole (f, ζ), and optionally its derivatives by f and ζ.
    fn column(
        &self,
        f_hz: f64,
        zeta: f64,
        out: &mut [f64],
        deriv: Option<(&mut [f64], &mut [f64])>,
    ) {
        let n = self.n();
        let wr = std::f64::consts::TAU * f_hz;
        match deriv {
            None => {
                for (i, &w) in self.omega.iter().enumerate() {
                    let d = Complex64::new(wr * wr - w * w, 2.0 * zeta * wr * w);
                    let b = -w * w / d;
                    out[i] = b.re;
                    out[n + i] = b.im;
                }
            }
            Some((df, dz)) => {
                for (i, &w) in self.omega.iter().enumerate() {
                    let d = Complex64::new(wr * wr - w * w, 2.0 * zeta * wr * w);
                    let inv = d.inv();
                    let b = -w * w * inv;
                    out[i] = b.re;
                    out[n + i] = b.im;
                    let common = w * w * inv * inv;
                    let dwr =
                        common * Complex64::new(2.0 * wr, 2.0 * zeta * w) * std::f64::consts::TAU;
                    let dzeta = common * Complex64::new(0.0, 2.0 * wr * w);
                    df[i] = dwr.re;
                    df[n + i] = dwr.im;
                    dz[i] = dzeta.re;
                    dz[n + i] = dzeta.im;
                }
            }
        }
    }

    /// Projection, constants and residual for parameters p; `None` when A is rank deficient.
    fn eval(&self, p: &P, derivs: Option<&mut [Vec<f64>; 6]>) -> Option<Eval> {
        let m = 2 * self.n();
        let mut cols: [Vec<f64>; N_MODES] = std::array::from_fn(|_| vec![0.0; m]);
        match derivs {
            Some(d) => {
                let (df, dz) = d.split_at_mut(3);
                for r in 0..N_MODES {
                    self.column(p[r], p[3 + r], &mut cols[r], Some((&mut df[r], &mut dz[r])));
                }
            }
            None => {
                for r in 0..N_MODES {
                    self.column(p[r], p[3 + r], &mut cols[r], None);
                }
            }
        }
        // Thin QR by modified Gram–Schmidt with one re-orthogonalisation.
        let mut rmat = [[0.0; N_MODES]; N_MODES];
        for r in 0..N_MODES {
            let norm0 = dot(&cols[r], &cols[r]).sqrt();
            for _pass in 0..2 {
                for s in 0..r {
                    let (done, rest) = cols.split_at_mut(r);
                    let h = dot(&done[s], &rest[0]);
                    axpy(&mut rest[0], -h, &done[s]);
                    rmat[s][r] += h;
                }
            }
            let norm = dot(&cols[r], &cols[r]).sqrt();
            if !norm.is_finite() || norm <= 1e-10 * norm0 {
                return None;
            }
            rmat[r][r] = norm;
            for v in cols[r].iter_mut() {
                *v /= norm;
            }
        }
        let q = cols;
        let mut a = Vec::with_capacity(self.ys.len());
        let mut resid = Vec::with_capacity(self.ys.len());
        let mut cost = 0.0;
        for y in self.ys {
            let qty: [f64; N_MODES] = std::array::from_fn(|r| dot(&q[r], y));
            let mut res = y.clone();
            for r in 0..N_MODES {
                axpy(&mut res, -qty[r], &q[r]);
            }
            cost += dot(&res, &res);
            let mut coef = [0.0; N_MODES];
            for r in (0..N_MODES).rev() {
                let mut s = qty[r];
                for t in r + 1..N_MODES {
                    s -= rmat[r][t] * coef[t];
                }
                coef[r] = s / rmat[r][r];
            }
            a.push(coef);
            resid.push(res);
        }
        cost.is_finite().then_some(Eval { q, a, resid, cost })
    }

    /// `(I − QQᵀ) v` in place.
    fn project_out(q: &[Vec<f64>; N_MODES], v: &mut [f64]) {
        for qr in q {
            let h = dot(qr, v);
            axpy(v, -h, qr);
        }
    }
}

fn valid(p: &P) -> bool {
    p.iter().all(|x| x.is_finite() && *x > 0.0)
}

/// Fits three modes to the columns `y` (each of the length of `freqs_hz`) from the starting
/// frequencies and damping ratios.
pub fn fit(
    freqs_hz: &[f64],
    y: &[Vec<Complex64>],
    start_f_hz: [f64; N_MODES],
    start_zeta: [f64; N_MODES],
    cancel: &Cancel,
) -> Result<ModalFit, ToolError> {
    let n = freqs_hz.len();
    let ys: Vec<Vec<f64>> = y
        .iter()
        .map(|col| {
            let mut v = vec![0.0; 2 * n];
            for (i, z) in col.iter().enumerate() {
                v[i] = z.re;
                v[n + i] = z.im;
            }
            v
        })
        .collect();
    let data_norm = ys.iter().map(|v| dot(v, v)).sum::<f64>().sqrt();
    if !(data_norm > 0.0 && data_norm.is_finite()) {
        return Err(ToolError::invalid("frfs", "the FRFs are zero in the band"));
    }
    let problem = Problem {
        omega: freqs_hz.iter().map(|f| std::f64::consts::TAU * f).collect(),
        ys: &ys,
    };
    let mut p = P::from_column_slice(&[
        start_f_hz[0],
        start_f_hz[1],
        start_f_hz[2],
        start_zeta[0],
        start_zeta[1],
        start_zeta[2],
    ]);
    let mut derivs: [Vec<f64>; 6] = std::array::from_fn(|_| vec![0.0; 2 * n]);
    let mut current = problem
        .eval(&p, Some(&mut derivs))
        .ok_or_else(|| ToolError::failed("the starting poles give a rank-deficient modal basis"))?;
    let mut trial_derivs: [Vec<f64>; 6] = std::array::from_fn(|_| vec![0.0; 2 * n]);
    let mut lambda = 1e-3;
    let mut iterations = 0;
    'outer: while iterations < MAX_ITERATIONS {
        iterations += 1;
        cancel.check()?;
        // Kaufman Jacobian: w_k = (I − QQᵀ) ∂A_{:,r(k)}/∂p_k.
        for w in derivs.iter_mut() {
            Problem::project_out(&current.q, w);
        }
        let mut h = SMatrix::<f64, 6, 6>::zeros();
        let mut g = P::zeros();
        for k in 0..6 {
            let rk = k % 3;
            for l in k..6 {
                let rl = l % 3;
                let sa: f64 = current.a.iter().map(|a| a[rk] * a[rl]).sum();
                let v = sa * dot(&derivs[k], &derivs[l]);
                h[(k, l)] = v;
                h[(l, k)] = v;
            }
            g[k] = -current
                .a
                .iter()
                .zip(&current.resid)
                .map(|(a, r)| a[rk] * dot(&derivs[k], r))
                .sum::<f64>();
        }
        let diag: P = P::from_fn(|k, _| h[(k, k)].max(1e-300));
        loop {
            let mut lhs = h;
            for k in 0..6 {
                lhs[(k, k)] += lambda * diag[k];
            }
            let Some(delta) = lhs.lu().solve(&(-g)) else {
                lambda *= 4.0;
                if lambda > 1e20 {
                    break 'outer;
                }
                continue;
            };
            let rel = (0..6).map(|k| (delta[k] / p[k]).abs()).fold(0.0, f64::max);
            let trial = p + delta;
            if valid(&trial) {
                if let Some(e) = problem.eval(&trial, Some(&mut trial_derivs)) {
                    let flat = rel < FLAT_STEP
                        && (current.cost - e.cost).abs() <= COST_TOLERANCE * current.cost;
                    if e.cost < current.cost {
                        p = trial;
                        current = e;
                        std::mem::swap(&mut derivs, &mut trial_derivs);
                        lambda = (lambda / 3.0).max(1e-15);
                        if rel < STEP_TOLERANCE || flat {
                            break 'outer;
                        }
                        break;
                    }
                    if flat {
                        break 'outer;
                    }
                }
            }
            if rel < STEP_TOLERANCE || !rel.is_finite() {
                break 'outer;
            }
            lambda *= 4.0;
            if lambda > 1e20 {
                break 'outer;
            }
        }
    }
    // Modes in ascending frequency.
    let mut order = [0usize, 1, 2];
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]));
    let constants = current
        .a
        .iter()
        .map(|a| std::array::from_fn(|r| a[order[r]]))
        .collect();
    Ok(ModalFit {
        f_hz: std::array::from_fn(|r| p[order[r]]),
        zeta: std::array::from_fn(|r| p[3 + order[r]]),
        constants,
        residual_norm: current.cost.sqrt(),
        data_norm,
        iterations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_modal_data_is_recovered() {
        let freqs: Vec<f64> = (100..1300).map(|k| f64::from(k) / 32.0).collect();
        let f = [6.2, 17.8, 26.4];
        let z = [0.003, 0.008, 0.01];
        let consts = [[0.026, 0.11, 0.059], [0.043, 0.039, -0.083]];
        let y: Vec<Vec<Complex64>> = consts
            .iter()
            .map(|a| {
                freqs
                    .iter()
                    .map(|&fi| {
                        let w = std::f64::consts::TAU * fi;
                        (0..3).map(|r| a[r] * basis_at(f[r], z[r], w)).sum()
                    })
                    .collect()
            })
            .collect();
        let fit = fit(&freqs, &y, [6.0, 18.0, 26.0], [0.01; 3], &Cancel::new()).unwrap();
        for r in 0..3 {
            assert!((fit.f_hz[r] - f[r]).abs() < 1e-9 * f[r], "{fit:?}");
            assert!((fit.zeta[r] - z[r]).abs() < 1e-8 * z[r], "{fit:?}");
            for c in 0..2 {
                assert!((fit.constants[c][r] - consts[c][r]).abs() < 1e-9);
            }
        }
        assert!(fit.error_percent() < 1e-8);
    }
}
