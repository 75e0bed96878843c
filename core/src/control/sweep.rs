//! Steady-state harmonic sweep on the 9901-point grid (docs/control.md §2.3, §4.1).
//!
//! Grid f\[i\] = 1 + i·(1.01 − 1) Hz, i = 0..9900, ω = 2πf. Mechanical impedances
//!
//! ```text
//! Z(ω) = jωM + C + K/(jω)            (3×3, bare structure)
//! Z_cl(ω) = jωM4 + C4 + K4/(jω) + g(ω)·a·sᵀ   (4×4, device with feedback coefficient g)
//! ```
//!
//! give the velocities per 1 N on floor 1, v = Z⁻¹·p (complex LU per frequency, [`super::lu`], never an
//! inverse). Time-averaged kinetic energy T(ω) = ¼·v₁..₃ᴴ M_KE v₁..₃ \[J\] (M_KE = M, or M*
//! with the device; the proof mass is excluded); in dB re 1 J: 10·log10 T. The integral
//! IT = ∫T dω (trapezoid over ω in rad/s). Receptance X = v/(jω) [m/N]; control force
//! f_c = −g·v_n [N per N].

use std::f64::consts::PI;
use std::sync::OnceLock;

use num_complex::Complex64;

use super::device::Device;
use super::error::ControlError;
use super::lu::{solve, Split};
use super::rig::{structure, Structure};

/// Number of grid points.
pub const GRID_POINTS: usize = 9901;

/// The frequency grid.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Frequencies \[Hz\].
    pub f_hz: Vec<f64>,
    /// Angular frequencies ω = 2πf [rad/s].
    pub w_rad_s: Vec<f64>,
}

/// The grid, built once.
pub fn grid() -> &'static Grid {
    static G: OnceLock<Grid> = OnceLock::new();
    G.get_or_init(|| {
        let step = 1.01 - 1.0;
        let f_hz: Vec<f64> = (0..GRID_POINTS).map(|i| 1.0 + i as f64 * step).collect();
        let w_rad_s = f_hz.iter().map(|f| 2.0 * PI * f).collect();
        Grid { f_hz, w_rad_s }
    })
}

/// Trapezoid rule ∫y dx.
pub fn trapezoid(y: &[f64], x: &[f64]) -> f64 {
    y.windows(2)
        .zip(x.windows(2))
        .map(|(y, x)| 0.5 * (y[0] + y[1]) * (x[1] - x[0]))
        .sum()
}

/// 10·log10 of a positive energy [dB re 1 J]; errors on a non-positive or non-finite value.
pub fn energy_db(t_j: &[f64]) -> Result<Vec<f64>, ControlError> {
    t_j.iter()
        .map(|&t| {
            if t > 0.0 && t.is_finite() {
                Ok(10.0 * t.log10())
            } else {
                Err(ControlError::NonFinite("kinetic energy"))
            }
        })
        .collect()
}

/// Index and value of the largest element (first one on ties).
pub fn argmax(y: &[f64]) -> (usize, f64) {
    y.iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |(bi, bv), (i, &v)| {
            if v > bv {
                (i, v)
            } else {
                (bi, bv)
            }
        })
}

/// Phase in degrees in (−180, 180].
pub fn phase_deg(z: Complex64) -> f64 {
    let p = z.im.atan2(z.re).to_degrees();
    if p <= -180.0 {
        p + 360.0
    } else {
        p
    }
}

/// Receptance magnitude [dB re 1 m/N] and phase \[deg\] of velocities `v` (per N) on the grid.
pub fn receptance(v: impl Iterator<Item = Complex64>) -> (Vec<f64>, Vec<f64>) {
    let w = &grid().w_rad_s;
    let mut db = Vec::with_capacity(GRID_POINTS);
    let mut ph = Vec::with_capacity(GRID_POINTS);
    for (vi, &wi) in v.zip(w) {
        // X = v / (jω) = −j v / ω
        let x = Complex64::new(vi.im / wi, -vi.re / wi);
        db.push(10.0 * x.norm_sqr().max(f64::MIN_POSITIVE).log10());
        ph.push(phase_deg(x));
    }
    (db, ph)
}

/// The bare structure's sweep (constant, computed once).
#[derive(Debug, Clone)]
pub struct Uncontrolled {
    /// Kinetic energy T per 1 N \[J\].
    pub ke_j: Vec<f64>,
    /// 10·log10 T [dB re 1 J].
    pub ke_db: Vec<f64>,
    /// ∫T dω [J·rad/s].
    pub integrated_j_rad_per_s: f64,
    /// Receptance magnitude per floor [dB re 1 m/N].
    pub frf_db: [Vec<f64>; 3],
    /// Receptance phase per floor \[deg\].
    pub frf_phase_deg: [Vec<f64>; 3],
}

/// Computes the bare structure's sweep without the cache (benchmarks).
pub fn compute_uncontrolled_uncached() -> Result<Uncontrolled, ControlError> {
    compute_uncontrolled(structure())
}

/// The bare sweep of structure `s` (a profile's chain is not cached).
pub fn compute_uncontrolled(s: &Structure) -> Result<Uncontrolled, ControlError> {
    let g = grid();
    let rhs = [Complex64::ONE, Complex64::ZERO, Complex64::ZERO];
    let mut vel: Vec<[Complex64; 3]> = Vec::with_capacity(GRID_POINTS);
    let mut ke = Vec::with_capacity(GRID_POINTS);
    for (&w, &f) in g.w_rad_s.iter().zip(&g.f_hz) {
        let z: [[Complex64; 3]; 3] = std::array::from_fn(|i| {
            std::array::from_fn(|j| Complex64::new(s.c[(i, j)], w * s.m[(i, j)] - s.k[(i, j)] / w))
        });
        // Cramer's first column, the pivoted LU where it cannot be used.
        let v = match unit_force_solve(&z) {
            Some(v) => v,
            None => solve(z, rhs).ok_or_else(|| ControlError::Singular {
                what: "impedance",
                where_: format!("{f} Hz"),
            })?,
        };
        let t: f64 = (0..3).map(|i| s.m[(i, i)] * v[i].norm_sqr()).sum::<f64>() * 0.25;
        ke.push(t);
        vel.push(v);
    }
    let ke_db = energy_db(&ke)?;
    let integrated = trapezoid(&ke, &g.w_rad_s);
    let frf = [0, 1, 2].map(|k| receptance(vel.iter().map(|v| v[k])));
    let [(d1, p1), (d2, p2), (d3, p3)] = frf;
    Ok(Uncontrolled {
        ke_j: ke,
        ke_db,
        integrated_j_rad_per_s: integrated,
        frf_db: [d1, d2, d3],
        frf_phase_deg: [p1, p2, p3],
    })
}

/// The bare structure's sweep, cached after the first call.
pub fn uncontrolled() -> Result<&'static Uncontrolled, ControlError> {
    static U: OnceLock<Result<Uncontrolled, ControlError>> = OnceLock::new();
    U.get_or_init(compute_uncontrolled_uncached)
        .as_ref()
        .map_err(Clone::clone)
}

/// The structure with a device and feedback coefficient g(ω) on the grid.
#[derive(Debug, Clone)]
pub struct DeviceSweep {
    /// Kinetic energy of the floors (base mass included, proof mass excluded) \[J\].
    pub ke_j: Vec<f64>,
    /// ∫T dω [J·rad/s].
    pub integrated_j_rad_per_s: f64,
    /// Velocities [v₁, v₂, v₃, v_p] per 1 N [m/s per N].
    pub velocity: Vec<[Complex64; 4]>,
    /// Control force f_c = −g·v_n [N per N].
    pub force: Vec<Complex64>,
}

/// Sweeps the device model with feedback coefficient `g(i, ω)` [N·s/m] at grid point i.
pub fn with_device<G: Fn(usize, f64) -> Complex64>(
    dev: &Device,
    g: G,
) -> Result<DeviceSweep, ControlError> {
    let grid = grid();
    let n = dev.dof();
    // Z4 = C4 + j(ωM4 − K4/ω) from these rows.
    let c4: [[f64; 4]; 4] = std::array::from_fn(|i| std::array::from_fn(|j| dev.c4[(i, j)]));
    let k4: [[f64; 4]; 4] = std::array::from_fn(|i| std::array::from_fn(|j| dev.k4[(i, j)]));
    let m4: [f64; 4] = std::array::from_fn(|i| dev.m4[(i, i)]);
    let mut vel = Vec::with_capacity(GRID_POINTS);
    let mut ke = Vec::with_capacity(GRID_POINTS);
    let mut force = Vec::with_capacity(GRID_POINTS);
    for (i, (&w, &f)) in grid.w_rad_s.iter().zip(&grid.f_hz).enumerate() {
        let inv_w = 1.0 / w;
        let gi = g(i, w);
        // Z4 = C4 + j(ωM4 − K4/ω) + g·a·sᵀ (column n gets g·a, a = [e_n; −1]).
        let z = |r: usize, c: usize| {
            let mass = if r == c { w * m4[r] } else { 0.0 };
            let mut e = Complex64::new(c4[r][c], mass - k4[r][c] * inv_w);
            if c == n && r == n {
                e += gi;
            } else if c == n && r == 3 {
                e -= gi;
            }
            e
        };
        let v = match reduced_solve(z, n) {
            Some(v) => v,
            None => {
                let z4: [[Complex64; 4]; 4] =
                    std::array::from_fn(|r| std::array::from_fn(|c| z(r, c)));
                let p = [
                    Complex64::ONE,
                    Complex64::ZERO,
                    Complex64::ZERO,
                    Complex64::ZERO,
                ];
                Split::new(z4, p)
                    .solve()
                    .ok_or_else(|| ControlError::Singular {
                        what: "closed-loop impedance",
                        where_: format!("{f} Hz"),
                    })?
            }
        };
        let t: f64 = (0..3).map(|k| m4[k] * v[k].norm_sqr()).sum::<f64>() * 0.25;
        ke.push(t);
        force.push(-gi * v[n]);
        vel.push(v);
    }
    let integrated = trapezoid(&ke, &grid.w_rad_s);
    Ok(DeviceSweep {
        ke_j: ke,
        integrated_j_rad_per_s: integrated,
        velocity: vel,
        force,
    })
}

/// Solves Z₄ v = e₁ (entries `z(r, c)`) by eliminating the proof mass, or `None` when that is not safe (then the
/// caller's pivoted LU decides).
///
/// The proof-mass row couples to floor n only and carries no force, so
/// v_p = −Z₃ₙ v_n / Z₃₃ and the floors solve the 3×3 system with
/// Z′ₙₙ = Zₙₙ − Zₙ₃ Z₃ₙ / Z₃₃, which is symmetric (only Z₃ₙ carries the feedback g). Its
/// solution for a unit force on floor 1 is the first column of the adjugate over the
/// determinant: 10 complex products instead of a pivoted 4×4 elimination.
#[inline]
fn reduced_solve(z: impl Fn(usize, usize) -> Complex64, n: usize) -> Option<[Complex64; 4]> {
    let z33 = z(3, 3);
    let z33_sq = z33.norm_sqr();
    if !(z33_sq > 0.0 && z33_sq.is_finite()) {
        return None;
    }
    let ratio = z(3, n) / z33;
    let mut a: [[Complex64; 3]; 3] = std::array::from_fn(|r| std::array::from_fn(|c| z(r, c)));
    a[n][n] -= z(n, 3) * ratio;
    let [v1, v2, v3] = unit_force_solve(&a)?;
    let vn = [v1, v2, v3][n];
    let v = [v1, v2, v3, -ratio * vn];
    v.iter()
        .all(|x| x.re.is_finite() && x.im.is_finite())
        .then_some(v)
}

/// Solves the 3×3 system A v = e₁ as the first column of the adjugate over the determinant
/// (Cramer), or `None` for a zero or non-finite determinant or solution.
#[inline]
fn unit_force_solve(a: &[[Complex64; 3]; 3]) -> Option<[Complex64; 3]> {
    let adj1 = a[1][1] * a[2][2] - a[1][2] * a[2][1];
    let adj2 = a[1][2] * a[2][0] - a[1][0] * a[2][2];
    let adj3 = a[1][0] * a[2][1] - a[1][1] * a[2][0];
    let det = a[0][0] * adj1 + a[0][1] * adj2 + a[0][2] * adj3;
    let det_sq = det.norm_sqr();
    if !(det_sq > 0.0 && det_sq.is_finite()) {
        return None;
    }
    let inv = det.conj() / det_sq;
    let v = [adj1 * inv, adj2 * inv, adj3 * inv];
    v.iter()
        .all(|x| x.re.is_finite() && x.im.is_finite())
        .then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::device::DeviceParams;

    /// The eliminated solve agrees with the pivoted 4×4 LU on the whole grid, device on every
    /// floor, passive and with complex feedback (the resonances included).
    #[test]
    fn reduced_solve_matches_pivoted_lu() {
        let mut worst: f64 = 0.0;
        for floor in 1..=3 {
            let dev = Device::new(DeviceParams {
                floor,
                base_mass_kg: 0.5,
                proof_mass_kg: 1.0,
                stiffness_n_per_m: 1670.0,
                damping_ns_per_m: 5.0,
            });
            for g in [
                Complex64::ZERO,
                Complex64::new(50.0, 0.0),
                Complex64::new(20.0, -35.0),
            ] {
                for &w in &grid().w_rad_s {
                    let mut sys = Split {
                        ar: std::array::from_fn(|i| std::array::from_fn(|j| dev.c4[(i, j)])),
                        ai: std::array::from_fn(|i| {
                            std::array::from_fn(|j| {
                                -dev.k4[(i, j)] / w + if i == j { w * dev.m4[(i, i)] } else { 0.0 }
                            })
                        }),
                        br: [1.0, 0.0, 0.0, 0.0],
                        bi: [0.0; 4],
                    };
                    let n = floor - 1;
                    sys.ar[n][n] += g.re;
                    sys.ai[n][n] += g.im;
                    sys.ar[3][n] -= g.re;
                    sys.ai[3][n] -= g.im;
                    let fast = reduced_solve(|r, c| Complex64::new(sys.ar[r][c], sys.ai[r][c]), n)
                        .expect("regular");
                    let lu = sys.solve().expect("regular");
                    let scale = lu.iter().map(|v| v.norm()).fold(0.0, f64::max);
                    for (a, b) in fast.iter().zip(&lu) {
                        worst = worst.max((a - b).norm() / scale);
                    }
                }
            }
        }
        assert!(worst < 1e-11, "largest relative difference {worst:e}");
    }

    /// An undamped device exactly at its own resonance (Z₃₃ = 0) is left to the LU.
    #[test]
    fn zero_proof_mass_impedance_is_refused() {
        let mut sys = Split {
            ar: [[0.0; 4]; 4],
            ai: [[0.0; 4]; 4],
            br: [1.0, 0.0, 0.0, 0.0],
            bi: [0.0; 4],
        };
        for i in 0..3 {
            sys.ar[i][i] = 1.0;
        }
        assert!(reduced_solve(|r, c| Complex64::new(sys.ar[r][c], sys.ai[r][c]), 0).is_none());
    }
}
