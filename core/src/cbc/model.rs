//! The 3-storey Duffing building and its one-period flow map (docs/cbc.md §2, §4 items 1–2).
//!
//! Equations of motion, floor 1 at the bottom:
//!
//! ```text
//! M ẍ + B ẋ + S x = e1 · ( −s13·x1³ + c(τ) − kp·x1 − kd·ẋ1 )
//! ```
//!
//! with c(τ) the periodic drive on floor 1 at phase τ = ωt: Φ·sin τ open loop, and for the
//! closed CBC loop A*·cos τ + B*·sin τ + kp·x*(τ) + kd·ẋ*(τ) (the target part of the PD law
//! moved into the drive, so one right-hand side serves both). Time is scaled to the phase τ,
//! y' = dy/dτ = (dy/dt)/ω, so one period is always τ ∈ [0, 2π] and ∂/∂ω of the map exists.
//!
//! The flow is integrated with the classical 4th-order Runge–Kutta method with a fixed step
//! h = 2π/n, n = 512·sub steps per period (sub chosen so that h·ω_fast/ω ≤ 0.15 for the fastest
//! linearised rate), which puts a step exactly on every one of the 512 samples per period.
//! The drive is tabulated at the half steps. The variational equations are the exact
//! derivative of the RK4 map with a 4× coarser step (internal differentiation, see
//! [`PeriodMap::linearise`]); Newton then runs as a chord method on the exact map, which
//! converges to the fine-step orbit while a Jacobian costs a quarter of the steps. One extra
//! column carries ∂/∂p for continuation.

use nalgebra::{Matrix3, SymmetricEigen};

use crate::ToolError;

/// Samples per period of every measurement (docs/cbc.md §2).
pub const SAMPLES_PER_PERIOD: usize = 512;
/// The variational equations use this many sampling steps per RK4 step: the Jacobian only
/// steers Newton (chord iterations on the exact map) and gives tangents and Floquet
/// multipliers, for which the coarser step is accurate to a few 1e-4 (relative) with stiff PD
/// gains and to about 1e-5 without.
pub const JACOBIAN_STRIDE: usize = 4;
/// Largest RK4 sub-steps per sample.
const MAX_SUB: usize = 64;
/// Largest allowed h·(fastest linearised rate) per RK4 step.
const STEP_RATE: f64 = 0.15;
/// Displacement reference (m) for the cubic spring's stiffening when choosing the step.
const AMPLITUDE_REFERENCE_M: f64 = 1.0;

/// The structure: masses, storey springs and dampers, cubic spring on floor 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Structure {
    pub masses_kg: [f64; 3],
    pub stiffnesses_n_per_m: [f64; 3],
    pub dampings_ns_per_m: [f64; 3],
    pub cubic_stiffness_n_per_m3: f64,
}

impl Default for Structure {
    /// Structure "S0" of docs/cbc.md §2.
    fn default() -> Self {
        Self {
            masses_kg: [0.2; 3],
            stiffnesses_n_per_m: [200.0; 3],
            dampings_ns_per_m: [0.1; 3],
            cubic_stiffness_n_per_m3: 200.0,
        }
    }
}

fn chain(e: &[f64; 3]) -> Matrix3<f64> {
    crate::lumped::chain_matrix(e)
}

impl Structure {
    /// Undamped natural frequencies (rad/s, ascending) of the linear part (s13 = 0):
    /// eigenvalues of M^(-1/2) S M^(-1/2).
    pub fn linear_natural_frequencies_rad_s(&self) -> [f64; 3] {
        let s = chain(&self.stiffnesses_n_per_m);
        let w = Matrix3::from_diagonal(&nalgebra::Vector3::from(
            self.masses_kg.map(|m| 1.0 / m.sqrt()),
        ));
        let sym = w * s * w;
        let mut ev: Vec<f64> = SymmetricEigen::new(sym)
            .eigenvalues
            .iter()
            .map(|l| l.max(0.0).sqrt())
            .collect();
        ev.sort_by(|a, b| a.total_cmp(b));
        [ev[0], ev[1], ev[2]]
    }

    /// Bound on the fastest rate (1/s) of the linearisation with gains kp, kd and floor 1
    /// displaced by the reference amplitude: the larger root modulus of s² + d·s + k with k
    /// the largest squared frequency and d the largest damping rate.
    fn fastest_rate(&self, kp: f64, kd: f64) -> f64 {
        let m1 = self.masses_kg[0];
        let stiff = self.linear_natural_frequencies_rad_s()[2].powi(2)
            + (kp + 3.0 * self.cubic_stiffness_n_per_m3 * AMPLITUDE_REFERENCE_M.powi(2)) / m1;
        let b = &self.dampings_ns_per_m;
        let damp = (0..3)
            .map(|i| {
                let below = b[i];
                let above = if i < 2 { b[i + 1] } else { 0.0 };
                (below + above) / self.masses_kg[i]
            })
            .fold(0.0, f64::max)
            + kd / m1;
        (stiff + 0.25 * damp * damp).sqrt() + 0.5 * damp
    }

    /// RK4 sub-steps per sample at forcing frequency `omega` with gains kp, kd.
    pub fn sub_steps(&self, omega: f64, kp: f64, kd: f64) -> usize {
        let h_t = 2.0 * std::f64::consts::PI / (omega * SAMPLES_PER_PERIOD as f64);
        let sub = (h_t * self.fastest_rate(kp, kd) / STEP_RATE).ceil();
        if sub.is_finite() {
            (sub as usize).clamp(1, MAX_SUB)
        } else {
            MAX_SUB
        }
    }
}

/// Which parameter the sensitivity column of the variational equations differentiates by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sensitivity {
    /// No parameter column.
    None,
    /// ∂/∂Φ with the drive Φ·sin τ (open loop).
    Forcing,
    /// ∂/∂ω (open or closed loop; the drive is a function of τ).
    Frequency,
}

/// One period of the 6-state system at fixed parameters, ready to integrate.
#[derive(Debug, Clone)]
pub struct PeriodMap {
    pub structure: Structure,
    pub omega_rad_s: f64,
    pub kp_n_per_m: f64,
    pub kd_ns_per_m: f64,
    /// RK4 steps per sample.
    pub sub: usize,
    /// Drive c(τ) on floor 1 at the half steps τ = k·h/2, k = 0..=2n.
    drive: Vec<f64>,
    /// sin τ at the half steps (for ∂/∂Φ).
    unit_sine: Vec<f64>,
    inv_m: [f64; 3],
}

/// State y = (x1, x2, x3, ẋ1, ẋ2, ẋ3).
pub type State = [f64; 6];

/// The linearisation of the period map at a state: what Newton, tangents and Floquet
/// multipliers need.
#[derive(Debug, Clone, PartialEq)]
pub struct Linearisation {
    /// Monodromy matrix, column-major: `monodromy[j]` = ∂φ/∂y0_j.
    pub monodromy: [State; 6],
    /// ∂φ/∂p (zero without a sensitivity).
    pub d_end_dp: State,
    /// The state it was computed at.
    pub at: State,
}

impl PeriodMap {
    /// The map for drive `drive(τ)` (evaluated at the half steps) and gains.
    pub fn new(
        structure: Structure,
        omega_rad_s: f64,
        kp_n_per_m: f64,
        kd_ns_per_m: f64,
        drive: impl Fn(f64) -> f64,
    ) -> Self {
        let sub = structure.sub_steps(omega_rad_s, kp_n_per_m, kd_ns_per_m);
        let half = half_step(sub);
        let table = (0..=2 * SAMPLES_PER_PERIOD * sub)
            .map(|k| drive(k as f64 * half))
            .collect();
        Self::with_table(structure, omega_rad_s, kp_n_per_m, kd_ns_per_m, sub, table)
    }

    /// The map for a drive already tabulated at the 2n + 1 half steps τ = k·π/n,
    /// n = 512·`sub` (see [`Structure::sub_steps`]).
    pub fn with_table(
        structure: Structure,
        omega_rad_s: f64,
        kp_n_per_m: f64,
        kd_ns_per_m: f64,
        sub: usize,
        drive: Vec<f64>,
    ) -> Self {
        let half = half_step(sub);
        let unit_sine = (0..drive.len()).map(|k| (k as f64 * half).sin()).collect();
        Self {
            structure,
            omega_rad_s,
            kp_n_per_m,
            kd_ns_per_m,
            sub,
            drive,
            unit_sine,
            inv_m: structure.masses_kg.map(|m| 1.0 / m),
        }
    }

    /// The open-loop map with drive Φ·sin τ.
    pub fn open_loop(structure: Structure, omega_rad_s: f64, forcing_n: f64) -> Self {
        let sub = structure.sub_steps(omega_rad_s, 0.0, 0.0);
        let half = half_step(sub);
        let unit_sine: Vec<f64> = (0..=2 * SAMPLES_PER_PERIOD * sub)
            .map(|k| (k as f64 * half).sin())
            .collect();
        Self {
            structure,
            omega_rad_s,
            kp_n_per_m: 0.0,
            kd_ns_per_m: 0.0,
            sub,
            drive: unit_sine.iter().map(|s| forcing_n * s).collect(),
            unit_sine,
            inv_m: structure.masses_kg.map(|m| 1.0 / m),
        }
    }

    /// RK4 steps per period.
    pub fn steps(&self) -> usize {
        SAMPLES_PER_PERIOD * self.sub
    }

    /// The drive at sample j (τ_j = 2πj/512).
    pub fn drive_at_sample(&self, j: usize) -> f64 {
        self.drive[2 * j * self.sub]
    }

    /// dy/dτ for drive value `c`.
    #[inline]
    fn rhs(&self, y: &State, c: f64) -> State {
        let st = &self.structure;
        let (s, b) = (&st.stiffnesses_n_per_m, &st.dampings_ns_per_m);
        let (x, v) = ([y[0], y[1], y[2]], [y[3], y[4], y[5]]);
        let f1 = -(s[0] + s[1]) * x[0] + s[1] * x[1] - (b[0] + b[1]) * v[0] + b[1] * v[1]
            - st.cubic_stiffness_n_per_m3 * x[0] * x[0] * x[0]
            - self.kp_n_per_m * x[0]
            - self.kd_ns_per_m * v[0]
            + c;
        let f2 = s[1] * x[0] - (s[1] + s[2]) * x[1] + s[2] * x[2] + b[1] * v[0]
            - (b[1] + b[2]) * v[1]
            + b[2] * v[2];
        let f3 = s[2] * x[1] - s[2] * x[2] + b[2] * v[1] - b[2] * v[2];
        self.scaled([v[0], v[1], v[2]], [f1, f2, f3])
    }

    /// Jacobian-vector product of [`Self::rhs`] at a state with floor-1 tangent stiffness
    /// `k1` = s1 + s2 + 3·s13·x1² + kp.
    #[inline]
    fn jvp(&self, k1: f64, d: &State) -> State {
        let st = &self.structure;
        let (s, b) = (&st.stiffnesses_n_per_m, &st.dampings_ns_per_m);
        let f1 = -k1 * d[0] + s[1] * d[1] - (b[0] + b[1] + self.kd_ns_per_m) * d[3] + b[1] * d[4];
        let f2 = s[1] * d[0] - (s[1] + s[2]) * d[1] + s[2] * d[2] + b[1] * d[3]
            - (b[1] + b[2]) * d[4]
            + b[2] * d[5];
        let f3 = s[2] * d[1] - s[2] * d[2] + b[2] * d[4] - b[2] * d[5];
        self.scaled([d[3], d[4], d[5]], [f1, f2, f3])
    }

    /// `(v, M⁻¹ f) / ω`: a state derivative in the time scaled by ω.
    #[inline(always)]
    fn scaled(&self, v: [f64; 3], f: [f64; 3]) -> State {
        let w = 1.0 / self.omega_rad_s;
        [
            v[0] * w,
            v[1] * w,
            v[2] * w,
            f[0] * self.inv_m[0] * w,
            f[1] * self.inv_m[1] * w,
            f[2] * self.inv_m[2] * w,
        ]
    }

    fn tangent_stiffness(&self, x1: f64) -> f64 {
        let st = &self.structure;
        st.stiffnesses_n_per_m[0]
            + st.stiffnesses_n_per_m[1]
            + 3.0 * st.cubic_stiffness_n_per_m3 * x1 * x1
            + self.kp_n_per_m
    }

    /// Integrates `periods` whole periods from `y0` without variational equations; returns
    /// the final state and the samples of the last period. Stops early (None) when the state
    /// leaves 1e3 m or becomes non-finite.
    pub fn integrate(&self, y0: &State, periods: usize) -> Option<(State, Vec<[f64; 4]>)> {
        let n = self.steps();
        let h = 2.0 * std::f64::consts::PI / n as f64;
        let mut y = *y0;
        let mut samples = Vec::with_capacity(SAMPLES_PER_PERIOD);
        for period in 0..periods {
            let last = period + 1 == periods;
            for i in 0..n {
                if last && i % self.sub == 0 {
                    samples.push([y[0], y[1], y[2], y[3]]);
                }
                let (c0, ch, c1) = (
                    self.drive[2 * i],
                    self.drive[2 * i + 1],
                    self.drive[2 * i + 2],
                );
                let k1 = self.rhs(&y, c0);
                let k2 = self.rhs(&axpy(&y, 0.5 * h, &k1), ch);
                let k3 = self.rhs(&axpy(&y, 0.5 * h, &k2), ch);
                let k4 = self.rhs(&axpy(&y, h, &k3), c1);
                for r in 0..6 {
                    y[r] += h / 6.0 * (k1[r] + 2.0 * k2[r] + 2.0 * k3[r] + k4[r]);
                }
            }
            if !state_ok(&y) {
                return None;
            }
        }
        Some((y, samples))
    }

    /// The linearisation at `y0`: the variational equations (and the parameter column for
    /// `sens`) of the RK4 map with a step [`JACOBIAN_STRIDE`] times the sampling step. None
    /// when the state leaves 1e3 m or becomes non-finite.
    pub fn linearise(&self, y0: &State, sens: Sensitivity) -> Option<Linearisation> {
        let c = JACOBIAN_STRIDE;
        let n = self.steps() / c;
        let h = 2.0 * std::f64::consts::PI / n as f64;
        let mut y = *y0;
        let mut v = [[0.0; 6]; 6];
        for (j, col) in v.iter_mut().enumerate() {
            col[j] = 1.0;
        }
        let mut vp = [0.0; 6];
        let w = 1.0 / self.omega_rad_s;
        let m1w = self.inv_m[0] * w;
        for i in 0..n {
            let (c0, ch, c1) = (
                self.drive[2 * i * c],
                self.drive[2 * i * c + c],
                self.drive[2 * (i + 1) * c],
            );
            let y1 = y;
            let k1 = self.rhs(&y1, c0);
            let y2 = axpy(&y, 0.5 * h, &k1);
            let k2 = self.rhs(&y2, ch);
            let y3 = axpy(&y, 0.5 * h, &k2);
            let k3 = self.rhs(&y3, ch);
            let y4 = axpy(&y, h, &k3);
            let k4 = self.rhs(&y4, c1);
            let ks = [
                self.tangent_stiffness(y1[0]),
                self.tangent_stiffness(y2[0]),
                self.tangent_stiffness(y3[0]),
                self.tangent_stiffness(y4[0]),
            ];
            for col in v.iter_mut() {
                rk4_tangent(self, &ks, h, col, [[0.0; 6]; 4]);
            }
            match sens {
                Sensitivity::None => {}
                Sensitivity::Forcing => {
                    let (s0, sh, s1) = (
                        self.unit_sine[2 * i * c],
                        self.unit_sine[2 * i * c + c],
                        self.unit_sine[2 * (i + 1) * c],
                    );
                    let src = |s: f64| {
                        let mut q = [0.0; 6];
                        q[3] = s * m1w;
                        q
                    };
                    rk4_tangent(self, &ks, h, &mut vp, [src(s0), src(sh), src(sh), src(s1)]);
                }
                Sensitivity::Frequency => {
                    let sc = |k: &State| k.map(|e| -e * w);
                    rk4_tangent(self, &ks, h, &mut vp, [sc(&k1), sc(&k2), sc(&k3), sc(&k4)]);
                }
            }
            for r in 0..6 {
                y[r] += h / 6.0 * (k1[r] + 2.0 * k2[r] + 2.0 * k3[r] + k4[r]);
            }
            if i % 64 == 0 && !state_ok(&y) {
                return None;
            }
        }
        if !state_ok(&y) || v.iter().flatten().chain(&vp).any(|e| !e.is_finite()) {
            return None;
        }
        Some(Linearisation {
            monodromy: v,
            d_end_dp: vp,
            at: *y0,
        })
    }
}

/// Advances one tangent column d through the differentiated RK4 step with stage sources q.
#[inline]
fn rk4_tangent(map: &PeriodMap, ks: &[f64; 4], h: f64, d: &mut State, q: [State; 4]) {
    let add = |a: State, b: &State| -> State { std::array::from_fn(|r| a[r] + b[r]) };
    let dk1 = add(map.jvp(ks[0], d), &q[0]);
    let dk2 = add(map.jvp(ks[1], &axpy(d, 0.5 * h, &dk1)), &q[1]);
    let dk3 = add(map.jvp(ks[2], &axpy(d, 0.5 * h, &dk2)), &q[2]);
    let dk4 = add(map.jvp(ks[3], &axpy(d, h, &dk3)), &q[3]);
    for r in 0..6 {
        d[r] += h / 6.0 * (dk1[r] + 2.0 * dk2[r] + 2.0 * dk3[r] + dk4[r]);
    }
}

/// Half of the RK4 step in τ for `sub` steps per sample.
pub fn half_step(sub: usize) -> f64 {
    std::f64::consts::PI / (SAMPLES_PER_PERIOD * sub) as f64
}

#[inline]
fn axpy(y: &State, a: f64, k: &State) -> State {
    std::array::from_fn(|r| y[r] + a * k[r])
}

/// Displacements (m) beyond which a branch is abandoned (docs/cbc.md §7).
pub const AMPLITUDE_LIMIT_M: f64 = 1e3;

fn state_ok(y: &State) -> bool {
    y.iter().all(|e| e.is_finite()) && y[..3].iter().all(|x| x.abs() <= AMPLITUDE_LIMIT_M)
}

/// Error used when a structure has no finite linear frequencies (cannot happen after
/// validation; kept so callers never unwrap).
pub fn check_structure(st: &Structure) -> Result<(), ToolError> {
    let f = st.linear_natural_frequencies_rad_s();
    if f.iter().all(|x| x.is_finite() && *x > 0.0) {
        Ok(())
    } else {
        Err(ToolError::failed(
            "the structure has no positive natural frequencies",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_frequencies_of_s0() {
        let f = Structure::default().linear_natural_frequencies_rad_s();
        for (got, want) in f.iter().zip([14.07346, 39.432957, 56.982274]) {
            assert!((got - want).abs() < 1e-6 * want, "{got} vs {want}");
        }
    }

    #[test]
    fn variational_columns_match_finite_differences() {
        let map = PeriodMap::new(Structure::default(), 16.0, 120.0, 25.0, |t| {
            30.0 * t.sin() + 5.0 * t.cos()
        });
        let y0 = [0.3, 0.2, -0.1, 1.0, -2.0, 0.5];
        let lin = map.linearise(&y0, Sensitivity::None).unwrap();
        for j in 0..6 {
            let mut yp = y0;
            let mut ym = y0;
            yp[j] += 1e-6;
            ym[j] -= 1e-6;
            let (ep, _) = map.integrate(&yp, 1).unwrap();
            let (em, _) = map.integrate(&ym, 1).unwrap();
            for r in 0..6 {
                let fd = (ep[r] - em[r]) / 2e-6;
                let got = lin.monodromy[j][r];
                // The Jacobian uses a 4× coarser step than the map (JACOBIAN_STRIDE).
                assert!(
                    (fd - got).abs() < 1e-3 * (1.0 + fd.abs()),
                    "{j},{r}: {fd} vs {got}"
                );
            }
        }
    }

    #[test]
    fn parameter_columns_match_finite_differences() {
        let st = Structure::default();
        let y0 = [0.3, 0.2, -0.1, 1.0, -2.0, 0.5];
        let end = |om: f64, phi: f64| {
            PeriodMap::open_loop(st, om, phi)
                .integrate(&y0, 1)
                .unwrap()
                .0
        };
        let lf = PeriodMap::open_loop(st, 16.0, 30.0)
            .linearise(&y0, Sensitivity::Forcing)
            .unwrap();
        let lw = PeriodMap::open_loop(st, 16.0, 30.0)
            .linearise(&y0, Sensitivity::Frequency)
            .unwrap();
        let (fp, fm) = (end(16.0, 30.0 + 1e-4), end(16.0, 30.0 - 1e-4));
        let (wp, wm) = (end(16.0 + 1e-6, 30.0), end(16.0 - 1e-6, 30.0));
        for r in 0..6 {
            let dphi = (fp[r] - fm[r]) / 2e-4;
            let domega = (wp[r] - wm[r]) / 2e-6;
            assert!((dphi - lf.d_end_dp[r]).abs() < 1e-4 * (1.0 + dphi.abs()));
            assert!((domega - lw.d_end_dp[r]).abs() < 1e-3 * (1.0 + domega.abs()));
        }
    }
}
