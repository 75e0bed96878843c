//! Exact discretisation of the linear state equation `ż = A z + B F(t)` for a force that is
//! linear on each step (first-order hold, docs/simulator.md §4.3).
//!
//! For a step of length `h` on which `F` goes linearly from `F_a` to `F_b`:
//!
//! ```text
//! z_b = Φ z_a + (P0 − P1) F_a + P1 F_b
//! Φ  = e^{Ah},  P0 = ∫₀ʰ e^{A(h−s)} B ds,  P1 = ∫₀ʰ e^{A(h−s)} B (s/h) ds
//! ```
//!
//! # Van Loan
//!
//! [`FohStep::new`] takes all three from one 8×8 matrix exponential
//! `E = exp([[A, B, 0], [0, 0, 1/h], [0, 0, 0]]·h)`: `Φ = E[0:6, 0:6]`, `P0 = E[0:6, 6]`,
//! `P1 = E[0:6, 7]`. The exponential is taken by scaling and squaring: `M/2^s` with
//! `‖M/2^s‖₁ ≤ 1/2`, its Taylor series summed until a term falls below 1e-18 of the sum
//! (≤ 18 terms: `0.5¹⁹/19! ≈ 1e-23`), then squared `s` times (Moler & Van Loan's method 3;
//! for the rig at 2048 Hz `‖A h‖ ≈ 0.1`, so `s = 0`). It agrees with nalgebra's Padé `exp` to
//! ~1e-15 and costs a few µs on fixed 8×8 arrays. The augmented system
//! `u̇ = w/h`, `ẇ = 0` makes the input `u(s) = u₀ + w s/h`, so the columns 6 and 7 are the
//! responses to a unit step and a unit ramp.
//!
//! # Modal form
//!
//! When many distinct step lengths occur (force tables whose knots fall between samples),
//! [`ModalPropagator`] diagonalises `A = V Λ V⁻¹` once and advances the modal coordinates
//! `q = V⁻¹ z` with six complex exponentials per step:
//!
//! ```text
//! q_b = e^{λh} q_a + β (p0 − p1) F_a + β p1 F_b,   β = V⁻¹ B
//! p0 = (e^{λh} − 1)/λ = h Σ xⁿ/(n+1)!,   p1 = (e^{λh} − 1 − λh)/(λ² h) = h Σ xⁿ/(n+2)!,   x = λh
//! ```
//!
//! (series for `|x| < 1e-3`, and `e^{x} − 1` evaluated without cancellation otherwise). With
//! three conjugate pole pairs only the upper half-plane modes are propagated
//! (`z = 2 Re Σ v_r q_r`). The
//! eigenvector of a pole `λ` is `(φ, λφ)` with `φ` the null vector of `λ²M + λC + K`
//! (cross product of two rows). A defective or ill-conditioned `V` is refused
//! ([`ModalPropagator::new`] returns `None`) and the caller falls back to Van Loan steps.

use nalgebra::{Matrix3, Matrix6, SMatrix, Vector6};
use num_complex::Complex64;

use crate::lumped::LumpedModel;
use crate::ToolError;

/// A 6-vector state `(x1, x2, x3, ẋ1, ẋ2, ẋ3)`.
pub type State = [f64; 6];

/// The FOH step of length `h`: `z_b = Φ z_a + g0 F_a + g1 F_b` with `g0 = P0 − P1`, `g1 = P1`.
#[derive(Debug, Clone, PartialEq)]
pub struct FohStep {
    /// Step length (s).
    pub h_s: f64,
    /// `Φ = e^{Ah}`, row-major.
    pub phi: [[f64; 6]; 6],
    /// `P0 − P1`.
    pub g0: State,
    /// `P1`.
    pub g1: State,
}

impl FohStep {
    /// The exact FOH step of length `h_s` for `ż = A z + B F` (Van Loan).
    pub fn new(a: &Matrix6<f64>, b: &Vector6<f64>, h_s: f64) -> Result<Self, ToolError> {
        if !(h_s.is_finite() && h_s >= 0.0) {
            return Err(ToolError::failed(format!(
                "invalid integration step {h_s} s"
            )));
        }
        // Balance the position and velocity blocks (z = D y, D = diag(1, 1, 1, ω0, ω0, ω0),
        // ω0² = max_i |(M⁻¹K)_ii|) so that the 1-norm reflects the spectral radius.
        let w0 = (0..3)
            .map(|i| a[(3 + i, i)].abs())
            .fold(0.0f64, f64::max)
            .sqrt()
            .max(1e-300);
        let d = [1.0, 1.0, 1.0, w0, w0, w0];
        let mut m = SMatrix::<f64, 8, 8>::zeros();
        for i in 0..6 {
            for j in 0..6 {
                m[(i, j)] = a[(i, j)] * d[j] / d[i] * h_s;
            }
            m[(i, 6)] = b[i] / d[i] * h_s;
        }
        // (1/h)·h = 1: the ramp input.
        m[(6, 7)] = 1.0;
        let e = expm8(&m);
        if e.iter().any(|x| !x.is_finite()) {
            return Err(ToolError::failed(format!(
                "the matrix exponential over {h_s} s is not finite (model too stiff for this rate)"
            )));
        }
        // Undo the balancing: Φ = D Φ' D⁻¹, P = D P'.
        let e = SMatrix::<f64, 8, 8>::from_fn(|i, j| {
            let di = if i < 6 { d[i] } else { 1.0 };
            let dj = if j < 6 { d[j] } else { 1.0 };
            e[(i, j)] * di / dj
        });
        let mut phi = [[0.0; 6]; 6];
        let mut g0 = [0.0; 6];
        let mut g1 = [0.0; 6];
        for i in 0..6 {
            for j in 0..6 {
                phi[i][j] = e[(i, j)];
            }
            g0[i] = e[(i, 6)] - e[(i, 7)];
            g1[i] = e[(i, 7)];
        }
        Ok(Self { h_s, phi, g0, g1 })
    }

    /// One step: `Φ z + g0 F_a + g1 F_b`.
    #[inline(always)]
    pub fn apply(&self, z: &State, fa: f64, fb: f64) -> State {
        let mut out = [0.0; 6];
        for i in 0..6 {
            let r = &self.phi[i];
            out[i] = r[0] * z[0]
                + r[1] * z[1]
                + r[2] * z[2]
                + r[3] * z[3]
                + r[4] * z[4]
                + r[5] * z[5]
                + self.g0[i] * fa
                + self.g1[i] * fb;
        }
        out
    }

    /// `Φ z` (free motion).
    #[inline(always)]
    pub fn free(&self, z: &State) -> State {
        self.apply(z, 0.0, 0.0)
    }
}

type M8 = [[f64; 8]; 8];

fn mul8(a: &M8, b: &M8) -> M8 {
    let mut c = [[0.0; 8]; 8];
    for i in 0..8 {
        for k in 0..8 {
            let aik = a[i][k];
            if aik != 0.0 {
                for j in 0..8 {
                    c[i][j] += aik * b[k][j];
                }
            }
        }
    }
    c
}

fn norm1_8(a: &M8) -> f64 {
    (0..8)
        .map(|j| (0..8).map(|i| a[i][j].abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// `exp(m)` of an 8×8 matrix by scaling, Taylor series and squaring (see the module docs).
fn expm8(m: &SMatrix<f64, 8, 8>) -> SMatrix<f64, 8, 8> {
    let mut a: M8 = std::array::from_fn(|i| std::array::from_fn(|j| m[(i, j)]));
    let norm = norm1_8(&a);
    if !norm.is_finite() {
        return SMatrix::from_element(f64::NAN);
    }
    let s = if norm > 0.5 {
        ((norm / 0.5).log2().ceil() as i32).clamp(0, 1000)
    } else {
        0
    };
    let scale = 0.5f64.powi(s);
    for row in &mut a {
        for x in row.iter_mut() {
            *x *= scale;
        }
    }
    let mut e: M8 = std::array::from_fn(|i| std::array::from_fn(|j| f64::from(u8::from(i == j))));
    let mut term = e;
    for k in 1..=30 {
        term = mul8(&term, &a);
        let inv = 1.0 / k as f64;
        for row in &mut term {
            for x in row.iter_mut() {
                *x *= inv;
            }
        }
        for i in 0..8 {
            for j in 0..8 {
                e[i][j] += term[i][j];
            }
        }
        if norm1_8(&term) <= 1e-18 * norm1_8(&e) {
            break;
        }
    }
    for _ in 0..s {
        e = mul8(&e, &e);
    }
    SMatrix::from_fn(|i, j| e[i][j])
}

/// A small cache of FOH steps keyed by the exact step length.
#[derive(Debug)]
pub struct StepCache<'a> {
    a: &'a Matrix6<f64>,
    b: &'a Vector6<f64>,
    steps: Vec<FohStep>,
}

impl<'a> StepCache<'a> {
    pub fn new(a: &'a Matrix6<f64>, b: &'a Vector6<f64>) -> Self {
        Self {
            a,
            b,
            steps: Vec::new(),
        }
    }

    /// The step of length `h_s` (computed on first use).
    pub fn get(&mut self, h_s: f64) -> Result<&FohStep, ToolError> {
        if let Some(i) = self.steps.iter().position(|s| s.h_s == h_s) {
            return Ok(&self.steps[i]);
        }
        if self.steps.len() > 64 {
            self.steps.remove(0);
        }
        self.steps.push(FohStep::new(self.a, self.b, h_s)?);
        Ok(self.steps.last().expect("just pushed"))
    }
}

/// Precombined weights of `n` equal FOH sub-steps of one interval:
/// `z_end = Φ(n h) z + Σ_{j=0..n} w_j F_j` with the force known at the `n + 1` sub-knots.
#[derive(Debug, Clone)]
pub struct SubStepWeights {
    /// `Φ` over the whole interval.
    pub phi: [[f64; 6]; 6],
    /// `w[i][j]`: component `i` of `w_j`, `j = 0..=n` (one contiguous row per state
    /// component, so that the sum over the sub-knots is a plain dot product).
    pub w: [Vec<f64>; 6],
}

impl SubStepWeights {
    /// Weights for `n ≥ 1` sub-steps of `sub` (each of length `sub.h_s`).
    pub fn new(sub: &FohStep, n: usize) -> Self {
        let n = n.max(1);
        // u_m = Φ^m g0, s_m = Φ^m g1, m = 0..=n.
        let mut u = Vec::with_capacity(n + 1);
        let mut s = Vec::with_capacity(n + 1);
        u.push(sub.g0);
        s.push(sub.g1);
        for m in 1..=n {
            u.push(sub.free(&u[m - 1]));
            s.push(sub.free(&s[m - 1]));
        }
        let w: [Vec<f64>; 6] = std::array::from_fn(|i| {
            (0..=n)
                .map(|j| {
                    let mut acc = 0.0;
                    if j < n {
                        acc += u[n - 1 - j][i];
                    }
                    if j >= 1 {
                        acc += s[n - j][i];
                    }
                    acc
                })
                .collect()
        });
        // Φ^n by repeated products of the columns.
        let mut phi = [[0.0; 6]; 6];
        for c in 0..6 {
            let mut col = [0.0; 6];
            col[c] = 1.0;
            for _ in 0..n {
                col = sub.free(&col);
            }
            for r in 0..6 {
                phi[r][c] = col[r];
            }
        }
        Self { phi, w }
    }

    /// Advances `z` over the interval with the force at the sub-knots `f` (`n + 1` values).
    #[inline]
    pub fn apply(&self, z: &State, f: &[f64]) -> State {
        let mut out = [0.0; 6];
        for i in 0..6 {
            let r = &self.phi[i];
            let free =
                r[0] * z[0] + r[1] * z[1] + r[2] * z[2] + r[3] * z[3] + r[4] * z[4] + r[5] * z[5];
            // Four partial sums let the dot product vectorise.
            let w = &self.w[i][..f.len()];
            let mut acc = [0.0; 4];
            let mut cw = w.chunks_exact(4);
            let mut cf = f.chunks_exact(4);
            for (a, b) in (&mut cw).zip(&mut cf) {
                for k in 0..4 {
                    acc[k] += a[k] * b[k];
                }
            }
            let mut tail = 0.0;
            for (a, b) in cw.remainder().iter().zip(cf.remainder()) {
                tail += a * b;
            }
            out[i] = free + (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail;
        }
        out
    }
}

/// `e^{x} − 1` for complex `x` without cancellation.
fn expm1_c(x: Complex64) -> Complex64 {
    let (s, c) = x.im.sin_cos();
    let half = (0.5 * x.im).sin();
    let em1 = x.re.exp_m1();
    // e^a (cos b + i sin b) − 1 = expm1(a) cos b + (cos b − 1) + i e^a sin b
    Complex64::new(em1 * c - 2.0 * half * half, (em1 + 1.0) * s)
}

/// Modal coefficients of one step: `q_b = e q_a + c0 F_a + c1 F_b` (per mode).
#[derive(Debug, Clone, Copy)]
pub struct ModalStep {
    pub e: [Complex64; 6],
    pub c0: [Complex64; 6],
    pub c1: [Complex64; 6],
    /// Number of propagated modes (3 when the poles form conjugate pairs, else 6).
    pub active: usize,
}

/// The diagonalised state equation (see the module docs).
#[derive(Debug, Clone)]
pub struct ModalPropagator {
    lambda: [Complex64; 6],
    /// Columns = eigenvectors.
    v: nalgebra::Matrix6<Complex64>,
    vinv: nalgebra::Matrix6<Complex64>,
    beta: [Complex64; 6],
    /// 3 when the poles form three conjugate pairs (the first three have Im λ > 0 and
    /// `z = 2 Re Σ v_r q_r` over them), else 6 (`z = Re Σ v_r q_r`).
    active: usize,
}

impl ModalPropagator {
    /// Diagonalises `A` of `model` for a force on `force_floor`; `None` when `A` is (nearly)
    /// defective, so that the caller uses Van Loan steps instead.
    pub fn new(model: &LumpedModel, force_floor: usize) -> Option<Self> {
        let mut poles = model.poles().ok()?;
        // Upper half-plane poles first: with three conjugate pairs only those are propagated.
        poles.sort_by_key(|p| p.im <= 0.0);
        let paired = poles[..3].iter().all(|p| p.im > 0.0) && poles[3..].iter().all(|p| p.im < 0.0);
        let active = if paired { 3 } else { 6 };
        let a = model.state_matrix().ok()?;
        let b = model.input_vector(force_floor).ok()?;
        let mut v = nalgebra::Matrix6::<Complex64>::zeros();
        for (r, &lam) in poles.iter().enumerate() {
            let q: Matrix3<Complex64> = model.m.map(|x| Complex64::new(x, 0.0)) * lam * lam
                + model.c.map(|x| Complex64::new(x, 0.0)) * lam
                + model.k.map(|x| Complex64::new(x, 0.0));
            let rows = [
                q.row(0).transpose(),
                q.row(1).transpose(),
                q.row(2).transpose(),
            ];
            let cross = |p: &nalgebra::Vector3<Complex64>, s: &nalgebra::Vector3<Complex64>| {
                nalgebra::Vector3::new(
                    p[1] * s[2] - p[2] * s[1],
                    p[2] * s[0] - p[0] * s[2],
                    p[0] * s[1] - p[1] * s[0],
                )
            };
            let cands = [
                cross(&rows[0], &rows[1]),
                cross(&rows[0], &rows[2]),
                cross(&rows[1], &rows[2]),
            ];
            let phi = *cands.iter().max_by(|x, y| x.norm().total_cmp(&y.norm()))?;
            let nrm = phi.norm();
            if !(nrm > 0.0 && nrm.is_finite()) {
                return None;
            }
            let phi = phi / Complex64::new(nrm, 0.0);
            for i in 0..3 {
                v[(i, r)] = phi[i];
                v[(3 + i, r)] = phi[i] * lam;
            }
        }
        let vinv = v.try_inverse()?;
        // Reliability: A V ≈ V Λ and V V⁻¹ ≈ I.
        let ac = a.map(|x| Complex64::new(x, 0.0));
        let lam_m = nalgebra::Matrix6::from_diagonal(&nalgebra::Vector6::from(poles));
        let res = (ac * v - v * lam_m).norm() / (ac.norm() * v.norm()).max(f64::MIN_POSITIVE);
        let id = (v * vinv - nalgebra::Matrix6::<Complex64>::identity()).norm();
        if !(res < 1e-10 && id < 1e-8) {
            return None;
        }
        let bc = b.map(|x| Complex64::new(x, 0.0));
        let beta_v = vinv * bc;
        let mut beta = [Complex64::new(0.0, 0.0); 6];
        for i in 0..6 {
            beta[i] = beta_v[i];
        }
        Some(Self {
            lambda: poles,
            v,
            vinv,
            beta,
            active,
        })
    }

    /// The coefficients of a step of length `h_s`.
    pub fn step(&self, h_s: f64) -> ModalStep {
        let mut out = ModalStep {
            e: [Complex64::new(0.0, 0.0); 6],
            c0: [Complex64::new(0.0, 0.0); 6],
            c1: [Complex64::new(0.0, 0.0); 6],
            active: self.active,
        };
        for r in 0..self.active {
            let lam = self.lambda[r];
            let x = lam * h_s;
            let (em1, p0, p1) = if x.norm() < 1e-3 {
                // h Σ xⁿ/(n+1)!, h Σ xⁿ/(n+2)!
                let x2 = x * x;
                let x3 = x2 * x;
                let x4 = x3 * x;
                let p0 =
                    (Complex64::new(1.0, 0.0) + x / 2.0 + x2 / 6.0 + x3 / 24.0 + x4 / 120.0) * h_s;
                let p1 = (Complex64::new(0.5, 0.0) + x / 6.0 + x2 / 24.0 + x3 / 120.0 + x4 / 720.0)
                    * h_s;
                (p0 * lam, p0, p1)
            } else {
                let em1 = expm1_c(x);
                (em1, em1 / lam, (em1 - x) / (lam * lam * h_s))
            };
            out.e[r] = em1 + 1.0;
            out.c0[r] = self.beta[r] * (p0 - p1);
            out.c1[r] = self.beta[r] * p1;
        }
        out
    }

    /// Modal coordinates of a state.
    pub fn to_modal(&self, z: &State) -> [Complex64; 6] {
        let mut q = [Complex64::new(0.0, 0.0); 6];
        for (r, qr) in q.iter_mut().enumerate() {
            for c in 0..6 {
                *qr += self.vinv[(r, c)] * z[c];
            }
        }
        q
    }

    /// The (real) state of modal coordinates.
    pub fn to_state(&self, q: &[Complex64; 6]) -> State {
        let weight = if self.active == 3 { 2.0 } else { 1.0 };
        let mut z = [0.0; 6];
        for (i, zi) in z.iter_mut().enumerate() {
            let mut acc = 0.0;
            for r in 0..self.active {
                let (v, q) = (self.v[(i, r)], q[r]);
                acc += v.re * q.re - v.im * q.im;
            }
            *zi = weight * acc;
        }
        z
    }
}

/// Advances modal coordinates by one step.
#[inline(always)]
pub fn modal_apply(s: &ModalStep, q: &mut [Complex64; 6], fa: f64, fb: f64) {
    for r in 0..s.active {
        q[r] = s.e[r] * q[r] + s.c0[r] * fa + s.c1[r] * fb;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lumped::Profile;

    #[test]
    fn modal_and_van_loan_steps_agree() {
        // Three conjugate pairs (3 propagated modes), and a model with an overdamped mode
        // (real poles: all 6 modes).
        let over = LumpedModel::chain(&[1.0, 1.0, 1.0], &[100.0, 100.0, 100.0], &[50.0, 0.0, 0.0]);
        for (model, active) in [(Profile::default().model(), 3), (over, 6)] {
            check_modal(&model, active);
        }
    }

    fn check_modal(model: &LumpedModel, active: usize) {
        let a = model.state_matrix().unwrap();
        let b = model.input_vector(2).unwrap();
        let mp = ModalPropagator::new(model, 2).unwrap();
        assert_eq!(mp.active, active);
        let z0 = [1e-3, -2e-3, 5e-4, 0.1, 0.0, -0.2];
        for h in [1e-6, 3.3e-4, 1.7e-3, 0.05] {
            let s = FohStep::new(&a, &b, h).unwrap();
            let zb = s.apply(&z0, 2.0, -1.0);
            let mut q = mp.to_modal(&z0);
            modal_apply(&mp.step(h), &mut q, 2.0, -1.0);
            let zm = mp.to_state(&q);
            let scale = zb.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            for i in 0..6 {
                assert!(
                    (zb[i] - zm[i]).abs() <= 1e-10 * scale,
                    "h {h}: {zb:?} vs {zm:?}"
                );
            }
        }
    }

    #[test]
    fn taylor_exponential_matches_nalgebra() {
        let model = Profile::default().model();
        let a = model.state_matrix().unwrap();
        let b = model.input_vector(1).unwrap();
        for h in [0.0, 1e-5, 1.0 / 2048.0, 0.01, 0.3, 2.0] {
            let mut m = SMatrix::<f64, 8, 8>::zeros();
            m.fixed_view_mut::<6, 6>(0, 0).copy_from(&(a * h));
            m.fixed_view_mut::<6, 1>(0, 6).copy_from(&(b * h));
            m[(6, 7)] = 1.0;
            let theirs = m.exp();
            let ours = FohStep::new(&a, &b, h).unwrap();
            for i in 0..6 {
                let scale = (0..8).map(|j| theirs[(i, j)].abs()).fold(0.0, f64::max);
                for j in 0..6 {
                    let d = (ours.phi[i][j] - theirs[(i, j)]).abs();
                    assert!(d <= 1e-12 * scale, "h {h} phi {i} {j}: {d} vs {scale}");
                }
                let d = (ours.g1[i] - theirs[(i, 7)]).abs();
                assert!(d <= 1e-12 * scale, "h {h} p1 {i}");
            }
        }
    }

    #[test]
    fn substep_weights_equal_sequential_substeps() {
        let model = Profile::default().model();
        let a = model.state_matrix().unwrap();
        let b = model.input_vector(1).unwrap();
        let sub = FohStep::new(&a, &b, 1e-4).unwrap();
        let w = SubStepWeights::new(&sub, 7);
        let f: Vec<f64> = (0..8).map(|j| (j as f64 * 0.7).sin()).collect();
        let z0 = [1e-3, 0.0, 0.0, 0.0, 0.1, 0.0];
        let mut z = z0;
        for j in 0..7 {
            z = sub.apply(&z, f[j], f[j + 1]);
        }
        let zw = w.apply(&z0, &f);
        for i in 0..6 {
            assert!((z[i] - zw[i]).abs() < 1e-13 * (1.0 + z[i].abs()));
        }
    }
}
