//! Method `legacy-circle-fit` of `model-update` (docs/measured.md §4.5): the original app's
//! "profile generator", reproduced so its numbers can be compared with `modal-ls`. Its damping
//! is about 4× too high and its masses assume a modal mass of 5 kg; the tool says so.
//!
//! ```text
//! Y = A / (iω)                                  mobility of one file (force at floor 1)
//! bands 5.9–7, 17–19, 25–27.5 Hz: rows ⌊lo/df⌋ ..< ⌊hi/df⌋, df = the first frequency
//! per floor j and band r:
//!   circle: centre c minimising Σ(Rᵢ − R̄)², Rᵢ = |Yᵢ − c| (Gauss–Newton from the centroid),
//!           radius R̄
//!   f_jr = f at max |Y|;  η_jr = |f_a² − f_b²| / (f_n² (|tan(θ_a/2)| + |tan(θ_b/2)|))
//!           with a, b the bins either side of the peak and θ = arg Y − arg Y_peak: angles
//!           at the ORIGIN, not at the circle centre (the original's error, ≈ 2× the angle)
//! f_r, η_r = means over the floors;  φ_r[j] = R̄_jr · sign(Re c_jr);  P = [φ_r / ‖φ_r‖₂]
//! MM = 5 (P Pᵀ)⁻¹,  KK = 5 (P Ω⁻² Pᵀ)⁻¹,  CC = 5 P⁻ᵀ diag(2 η_r ω_r) P⁻¹,  ω_r = 2π f_r
//! m_i = MM_ii;  k₃ = (KK₃₃ − KK₃₂ − KK₂₃)/3,  k₂ = (KK₂₂ − k₃ − KK₂₁ − KK₁₂)/3,
//! k₁ = KK₁₁ − k₂;  c alike from CC
//! ```
//!
//! η is a loss-factor-like number that the original then used as the damping ratio in
//! `2ηω`: with the half angles at the origin that is about four times the true ζ.

use std::f64::consts::TAU;

use nalgebra::Matrix3;
use num_complex::Complex64;

use crate::ToolError;

/// The original's fixed bands \[Hz\].
pub const BANDS_HZ: [(f64, f64); 3] = [(5.9, 7.0), (17.0, 19.0), (25.0, 27.5)];
/// The modal mass the original assumed \[kg\].
pub const MODAL_MASS_KG: f64 = 5.0;
const MAX_ITERATIONS: usize = 200;

/// A geometric circle fit of one floor's mobility in one band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CircleFit {
    /// Centre (real, imaginary) [(m/s)/N].
    pub centre: Complex64,
    /// Radius [(m/s)/N].
    pub radius: f64,
    /// Row of max |Y| within the band (0-based).
    pub peak_index: usize,
    /// Frequency of that row \[Hz\].
    pub f_hz: f64,
    /// The original's η from the neighbouring rows [-].
    pub eta: f64,
}

/// What the legacy method identifies.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyFit {
    /// First rows and row counts of the three bands.
    pub bands: [(usize, usize); 3],
    /// `fits[floor][mode]`.
    pub fits: [[CircleFit; 3]; 3],
    /// Mean of the floors' peak frequencies per mode \[Hz\].
    pub f_hz: [f64; 3],
    /// Mean of the floors' η per mode [-].
    pub eta: [f64; 3],
    /// `shapes[mode][floor]`, largest magnitude 1.
    pub shapes: [[f64; 3]; 3],
    pub masses_kg: [f64; 3],
    pub stiffnesses_n_per_m: [f64; 3],
    pub dampings_ns_per_m: [f64; 3],
}

/// Centre minimising Σ(Rᵢ − R̄)² (Gauss–Newton on the centred residuals from the centroid)
/// and the mean radius; `None` when the points do not define a circle.
pub fn fit_circle(points: &[Complex64]) -> Option<(Complex64, f64)> {
    let n = points.len() as f64;
    if points.len() < 3 {
        return None;
    }
    let mut c = points.iter().sum::<Complex64>() / n;
    for _ in 0..MAX_ITERATIONS {
        let radii: Vec<f64> = points.iter().map(|p| (p - c).norm()).collect();
        if radii.iter().any(|&r| r.is_nan() || r <= 0.0) {
            return None;
        }
        let mean = radii.iter().sum::<f64>() / n;
        // ∂Rᵢ/∂c = −(pᵢ − c)/Rᵢ; the residual Rᵢ − R̄ has the centred derivative.
        let d: Vec<Complex64> = points
            .iter()
            .zip(&radii)
            .map(|(p, r)| -(p - c) / r)
            .collect();
        let d_mean = d.iter().sum::<Complex64>() / n;
        let (mut a11, mut a12, mut a22, mut b1, mut b2) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (di, r) in d.iter().zip(&radii) {
            let j = di - d_mean;
            let res = r - mean;
            a11 += j.re * j.re;
            a12 += j.re * j.im;
            a22 += j.im * j.im;
            b1 += j.re * res;
            b2 += j.im * res;
        }
        let det = a11 * a22 - a12 * a12;
        if !(det.abs() > 0.0 && det.is_finite()) {
            return None;
        }
        let step = Complex64::new(-(a22 * b1 - a12 * b2) / det, -(a11 * b2 - a12 * b1) / det);
        c += step;
        if step.norm() <= 1e-14 * c.norm().max(mean) {
            break;
        }
    }
    let radius = points.iter().map(|p| (p - c).norm()).sum::<f64>() / n;
    (c.re.is_finite() && c.im.is_finite() && radius.is_finite()).then_some((c, radius))
}

/// The original's η of a band's mobility `y` on frequencies `f` around the peak `p`.
fn eta(f: &[f64], y: &[Complex64], p: usize) -> f64 {
    let phase = |z: Complex64| z.im.atan2(z.re);
    let (fa, fb, fnat) = (f[p - 1], f[p + 1], f[p]);
    let ta = phase(y[p - 1]) - phase(y[p]);
    let tb = phase(y[p + 1]) - phase(y[p]);
    (fa * fa - fb * fb).abs() / (fnat * fnat * ((ta / 2.0).tan().abs() + (tb / 2.0).tan().abs()))
}

/// Storey values from a chain matrix: k₃ = (X₃₃ − X₃₂ − X₂₃)/3, k₂ = (X₂₂ − k₃ − X₂₁ − X₁₂)/3,
/// k₁ = X₁₁ − k₂.
fn storeys(x: &Matrix3<f64>) -> [f64; 3] {
    let k3 = (x[(2, 2)] - x[(2, 1)] - x[(1, 2)]) / 3.0;
    let k2 = (x[(1, 1)] - k3 - x[(1, 0)] - x[(0, 1)]) / 3.0;
    [x[(0, 0)] - k2, k2, k3]
}

/// Runs the legacy method on one file's accelerance `values[row][floor]` at `freqs_hz`
/// (evenly spaced from df, as the rig's files). Errors name `method`.
pub fn legacy_fit(freqs_hz: &[f64], values: &[[Complex64; 3]]) -> Result<LegacyFit, ToolError> {
    let refuse = |why: String| ToolError::invalid("method", format!("legacy-circle-fit: {why}"));
    let df = freqs_hz.first().copied().unwrap_or(0.0);
    if df.is_nan() || df <= 0.0 {
        return Err(refuse(format!(
            "the first frequency must be the line spacing (> 0), is {df} Hz"
        )));
    }
    let bands: [(usize, usize); 3] = BANDS_HZ.map(|(lo, hi)| {
        let (i0, i1) = ((lo / df) as usize, (hi / df) as usize);
        (i0, i1.saturating_sub(i0))
    });
    for (&(i0, n), (lo, hi)) in bands.iter().zip(BANDS_HZ) {
        if n < 3 || i0 + n > freqs_hz.len() {
            return Err(refuse(format!(
                "the fixed band {lo}–{hi} Hz needs at least 3 rows of the file (it has {} rows up to {} Hz)",
                freqs_hz.len(),
                freqs_hz.last().copied().unwrap_or(0.0)
            )));
        }
    }
    let mut fits = [[CircleFit {
        centre: Complex64::new(0.0, 0.0),
        radius: 0.0,
        peak_index: 0,
        f_hz: 0.0,
        eta: 0.0,
    }; 3]; 3];
    for floor in 0..3 {
        for (mode, &(i0, n)) in bands.iter().enumerate() {
            let f = &freqs_hz[i0..i0 + n];
            let y: Vec<Complex64> = (i0..i0 + n)
                .map(|i| values[i][floor] / Complex64::new(0.0, TAU * freqs_hz[i]))
                .collect();
            let (lo, hi) = BANDS_HZ[mode];
            let (centre, radius) = fit_circle(&y).ok_or_else(|| {
                refuse(format!(
                    "floor {}: the mobility in {lo}–{hi} Hz does not define a circle",
                    floor + 1
                ))
            })?;
            let p = (0..n).fold(0, |best, i| {
                if y[i].norm() > y[best].norm() {
                    i
                } else {
                    best
                }
            });
            if p == 0 || p + 1 == n {
                return Err(refuse(format!(
                    "floor {}: the largest mobility in {lo}–{hi} Hz is at the band's edge ({} Hz), \
                     no resonance inside",
                    floor + 1,
                    f[p]
                )));
            }
            fits[floor][mode] = CircleFit {
                centre,
                radius,
                peak_index: p,
                f_hz: f[p],
                eta: eta(f, &y, p),
            };
        }
    }
    let f_hz: [f64; 3] =
        std::array::from_fn(|r| (0..3).map(|j| fits[j][r].f_hz).sum::<f64>() / 3.0);
    let eta: [f64; 3] = std::array::from_fn(|r| (0..3).map(|j| fits[j][r].eta).sum::<f64>() / 3.0);
    let raw: [[f64; 3]; 3] = std::array::from_fn(|r| {
        std::array::from_fn(|j| fits[j][r].radius * fits[j][r].centre.re.signum())
    });
    let shapes = raw.map(|v| {
        let top = v
            .iter()
            .fold(0.0_f64, |m, x| if x.abs() > m.abs() { *x } else { m });
        let top = top.abs();
        v.map(|x| x / top)
    });
    // P: columns = unit 2-norm shapes.
    let p = Matrix3::from_fn(|j, r| raw[r][j] / raw[r].iter().map(|x| x * x).sum::<f64>().sqrt());
    let omega = f_hz.map(|f| TAU * f);
    let singular = || refuse("the identified shapes are linearly dependent".to_string());
    let inv = |m: Matrix3<f64>| m.try_inverse().ok_or_else(singular);
    let mm = inv(p * p.transpose())? * MODAL_MASS_KG;
    let w_inv2 = Matrix3::from_diagonal(&omega.map(|w| 1.0 / (w * w)).into());
    let kk = inv(p * w_inv2 * p.transpose())? * MODAL_MASS_KG;
    let p_inv = inv(p)?;
    let damping = Matrix3::from_diagonal(
        &std::array::from_fn::<f64, 3, _>(|r| 2.0 * eta[r] * omega[r]).into(),
    );
    let cc = p_inv.transpose() * damping * p_inv * MODAL_MASS_KG;
    let fit = LegacyFit {
        bands,
        fits,
        f_hz,
        eta,
        shapes,
        masses_kg: [mm[(0, 0)], mm[(1, 1)], mm[(2, 2)]],
        stiffnesses_n_per_m: storeys(&kk),
        dampings_ns_per_m: storeys(&cc),
    };
    let finite = fit
        .masses_kg
        .iter()
        .chain(&fit.stiffnesses_n_per_m)
        .chain(&fit.dampings_ns_per_m)
        .chain(&fit.eta)
        .all(|x| x.is_finite());
    if !finite {
        return Err(refuse("the fit gave non-finite values".to_string()));
    }
    if let Some(i) = (0..3).find(|&i| fit.masses_kg[i] <= 0.0 || fit.stiffnesses_n_per_m[i] <= 0.0)
    {
        return Err(refuse(format!(
            "floor {}: mass {:.4} kg, stiffness {:.4} N/m — not a physical chain",
            i + 1,
            fit.masses_kg[i],
            fit.stiffnesses_n_per_m[i]
        )));
    }
    Ok(fit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circle_through_exact_points() {
        let c = Complex64::new(0.3, -0.2);
        let pts: Vec<Complex64> = (0..12)
            .map(|i| c + Complex64::from_polar(0.7, 0.4 * i as f64))
            .collect();
        let (centre, radius) = fit_circle(&pts).unwrap();
        assert!((centre - c).norm() < 1e-12, "{centre}");
        assert!((radius - 0.7).abs() < 1e-12);
        assert!(fit_circle(&pts[..2]).is_none());
        let line: Vec<Complex64> = (0..5).map(|i| Complex64::new(i as f64, 0.0)).collect();
        assert!(fit_circle(&line).is_none() || fit_circle(&line).unwrap().1 > 1e6);
    }

    #[test]
    fn storeys_of_an_ideal_chain() {
        let k = [3.0, 5.0, 7.0];
        let x = crate::lumped::LumpedModel::chain(&[1.0; 3], &k, &[0.0; 3]).k;
        let s = storeys(&x);
        for i in 0..3 {
            assert!((s[i] - k[i]).abs() < 1e-12);
        }
    }
}
