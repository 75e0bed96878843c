//! Closed-loop state matrices, their eigenvalues and the pole table (docs/control.md §4.2).
//!
//! * `tmd`: A (8×8).   * `dvf`: A − g₀ B_u C_v, g₀ = Bl·h.
//! * `dvf_ec` (10×10): [[A − g₀ B_u D_c C_v, −g₀ B_u C_c], [B_c C_v, A_c]].
//! * `lqg` (16×16): [[A, −B_u K], [L_k C_v, A − B_u K − L_k C_v]]; its eigenvalues are
//!   eig(A − B_uK) ∪ eig(A − L_kC_v) (separation), which is how the tool computes them.
//!
//! Stable ⇔ max Re λ < 0. Pole table: Im λ ≥ 0 (real poles once), sorted by |λ|, with
//! f = |λ|/2π and ζ = −Re λ/|λ| · 100 %.

use std::f64::consts::PI;

use nalgebra::DMatrix;
use num_complex::Complex64;

use super::compensator::Compensator;
use super::device::Device;
use super::lqg::LqgDesign;

/// A − g₀ B_u C_v (8×8); g₀ = 0 gives the passive device.
pub fn dvf_matrix(dev: &Device, g0: f64) -> DMatrix<f64> {
    let mut a = dev.a.clone();
    let j = dev.sensor_index;
    for i in 0..8 {
        a[(i, j)] -= g0 * dev.bu[i];
    }
    a
}

/// The 10×10 closed-loop matrix of DVF with the compensator.
pub fn dvf_ec_matrix(dev: &Device, g0: f64, comp: &Compensator) -> DMatrix<f64> {
    let (ac, cc) = comp.state_space();
    let mut m = DMatrix::zeros(10, 10);
    m.view_mut((0, 0), (8, 8)).copy_from(&dvf_matrix(dev, g0)); // D_c = 1
    for i in 0..8 {
        m[(i, 8)] = -g0 * dev.bu[i] * cc[0];
        m[(i, 9)] = -g0 * dev.bu[i] * cc[1];
    }
    m[(9, dev.sensor_index)] = 1.0; // B_c C_v
    for r in 0..2 {
        for c in 0..2 {
            m[(8 + r, 8 + c)] = ac[r][c];
        }
    }
    m
}

/// The full 16×16 LQG closed-loop matrix (state, estimate).
pub fn lqg_matrix(dev: &Device, d: &LqgDesign) -> DMatrix<f64> {
    let cv = dev.cv();
    let bk = &dev.bu * d.lqr_gain.transpose();
    let lc = &d.kalman_gain * cv.transpose();
    let mut m = DMatrix::zeros(16, 16);
    m.view_mut((0, 0), (8, 8)).copy_from(&dev.a);
    m.view_mut((0, 8), (8, 8)).copy_from(&(-&bk));
    m.view_mut((8, 0), (8, 8)).copy_from(&lc);
    m.view_mut((8, 8), (8, 8)).copy_from(&(&dev.a - &bk - &lc));
    m
}

/// One row of the pole table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoleRow {
    /// Re λ [1/s].
    pub real_1_per_s: f64,
    /// Im λ ≥ 0 [rad/s].
    pub imag_rad_per_s: f64,
    /// |λ|/2π \[Hz\].
    pub frequency_hz: f64,
    /// −Re λ/|λ| [%].
    pub damping_ratio_percent: f64,
}

/// Largest real part of the poles [1/s].
pub fn max_real_part(poles: &[Complex64]) -> f64 {
    poles.iter().map(|z| z.re).fold(f64::NEG_INFINITY, f64::max)
}

/// Poles with Im ≥ 0 (real ones once), sorted by |λ|.
pub fn pole_table(poles: &[Complex64]) -> Vec<PoleRow> {
    let mut rows: Vec<PoleRow> = poles
        .iter()
        .filter(|z| z.im >= 0.0)
        .map(|z| {
            let mag = z.norm();
            PoleRow {
                real_1_per_s: z.re,
                imag_rad_per_s: z.im,
                frequency_hz: mag / (2.0 * PI),
                damping_ratio_percent: if mag > 0.0 { -z.re / mag * 100.0 } else { 0.0 },
            }
        })
        .collect();
    rows.sort_by(|a, b| a.frequency_hz.total_cmp(&b.frequency_hz));
    rows
}
