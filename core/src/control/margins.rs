//! Gain and phase margins of a simulated loop (docs/control.md §4.4).
//!
//! L(jω) is evaluated on a log grid ω ∈ [1e-2, 1e5] rad/s of 200 001 points (cheap through
//! modal forms); every sign change of Im L (and of |L| − 1) is refined by Brent (relative
//! xtol 1e-12).
//!
//! * Gain margin: roots ωᵢ of Im L = 0 with Re L < 0, GMᵢ = 1/|L(jωᵢ)|; the reported one has
//!   the smallest |ln GMᵢ| (python-control's rule); in dB 20·log10 GM (negative = past the
//!   limit).
//! * Phase margin: roots of |L| = 1, PMᵢ = 180° − |∠L(jωᵢ)|; the smallest is reported.
//! * Largest stable gain: for L = h·L₁ with a stable loop at h = 0, the first gain that puts
//!   a pole on the imaginary axis is h_max = min 1/|L₁(jωᵢ)| over the negative-real
//!   crossings (none: stable for every gain).

use std::f64::consts::PI;
use std::sync::OnceLock;

use num_complex::Complex64;

use super::brent::brent;
use super::sweep::phase_deg;

/// Points of the log grid.
pub const LOG_POINTS: usize = 200_001;
/// Lowest grid frequency [rad/s].
pub const W_MIN_RAD_S: f64 = 1e-2;
/// Highest grid frequency [rad/s].
pub const W_MAX_RAD_S: f64 = 1e5;
/// Relative tolerance of the Brent refinement.
pub const XTOL_REL: f64 = 1e-12;

/// The log grid ω [rad/s], built once.
pub fn log_grid() -> &'static [f64] {
    static G: OnceLock<Vec<f64>> = OnceLock::new();
    G.get_or_init(|| {
        let (lo, hi) = (W_MIN_RAD_S.log10(), W_MAX_RAD_S.log10());
        let n = (LOG_POINTS - 1) as f64;
        (0..LOG_POINTS)
            .map(|k| 10f64.powf(lo + (hi - lo) * k as f64 / n))
            .collect()
    })
}

/// Crossings of a loop: where it meets the negative real axis and the unit circle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Crossings {
    /// (ω [rad/s], L(jω)) with Im L = 0 and Re L < 0.
    pub negative_real: Vec<(f64, Complex64)>,
    /// (ω [rad/s], L(jω)) with |L| = 1 (only when asked for).
    pub unit_circle: Vec<(f64, Complex64)>,
}

/// A margin and where it occurs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margin {
    /// Gain margin \[dB\] or phase margin \[deg\].
    pub value: f64,
    /// Crossing frequency [rad/s].
    pub w_rad_s: f64,
}

impl Margin {
    /// The crossing frequency in Hz.
    pub fn frequency_hz(&self) -> f64 {
        self.w_rad_s / (2.0 * PI)
    }
}

/// Points evaluated per block of the scan.
pub const BLOCK: usize = 256;

/// A loop transfer function L(jω).
pub trait LoopEval {
    /// L(jω) at ω [rad/s].
    fn eval(&self, w: f64) -> Complex64;
    /// L(jω) at every ω of `w` (at most [`BLOCK`] points) into (`re`, `im`).
    fn eval_block(&self, w: &[f64], re: &mut [f64], im: &mut [f64]) {
        for (&w, (re, im)) in w.iter().zip(re.iter_mut().zip(im.iter_mut())) {
            let z = self.eval(w);
            *re = z.re;
            *im = z.im;
        }
    }
}

impl<F: Fn(f64) -> Complex64> LoopEval for F {
    fn eval(&self, w: f64) -> Complex64 {
        self(w)
    }
}

/// Scans `l` on the log grid and refines the crossings; `unit_circle` also finds |L| = 1.
pub fn crossings<L: LoopEval + ?Sized>(l: &L, unit_circle: bool) -> Crossings {
    let w = log_grid();
    let mut im_brackets = Vec::new();
    let mut mag_brackets = Vec::new();
    let first = l.eval(w[0]);
    let mut prev_im = first.im > 0.0;
    let mut prev_mag = first.norm_sqr() > 1.0;
    let (mut re, mut im) = ([0.0; BLOCK], [0.0; BLOCK]);
    let mut start = 1;
    while start < w.len() {
        let end = (start + BLOCK).min(w.len());
        let len = end - start;
        let (re, im) = (&mut re[..len], &mut im[..len]);
        l.eval_block(&w[start..end], re, im);
        // |L|² − 1 into `re` (only its sign is used below).
        if unit_circle {
            for (r, i) in re.iter_mut().zip(im.iter()) {
                *r = *r * *r + *i * *i - 1.0;
            }
        }
        let (si, sb) = (&*im, &*re);
        // Quick, vectorisable test for any sign change in the block.
        let mut flips = (si[0] > 0.0) != prev_im;
        for j in 1..len {
            flips |= (si[j] > 0.0) != (si[j - 1] > 0.0);
        }
        let mut mag_flips = false;
        if unit_circle {
            mag_flips = (sb[0] > 0.0) != prev_mag;
            for j in 1..len {
                mag_flips |= (sb[j] > 0.0) != (sb[j - 1] > 0.0);
            }
        }
        if flips || mag_flips {
            for j in 0..len {
                let k = start + j;
                let s_im = si[j] > 0.0;
                if s_im != prev_im {
                    im_brackets.push((w[k - 1], w[k]));
                    prev_im = s_im;
                }
                let s_mag = sb[j] > 0.0;
                if mag_flips && s_mag != prev_mag {
                    mag_brackets.push((w[k - 1], w[k]));
                }
                prev_mag = s_mag;
            }
        }
        start = end;
    }
    let mut out = Crossings::default();
    for (a, b) in im_brackets {
        if let Some(r) = brent(|x| l.eval(x).im, a, b, XTOL_REL) {
            let z = l.eval(r);
            if z.re < 0.0 && z.norm() > 0.0 {
                out.negative_real.push((r, z));
            }
        }
    }
    for (a, b) in mag_brackets {
        if let Some(r) = brent(|x| l.eval(x).norm() - 1.0, a, b, XTOL_REL) {
            out.unit_circle.push((r, l.eval(r)));
        }
    }
    out
}

impl Crossings {
    /// The gain margin with the smallest |ln GM| \[dB\].
    pub fn gain_margin(&self) -> Option<Margin> {
        self.negative_real
            .iter()
            .map(|&(w, z)| (w, 1.0 / z.norm()))
            .filter(|(_, gm)| gm.is_finite() && *gm > 0.0)
            .min_by(|a, b| a.1.ln().abs().total_cmp(&b.1.ln().abs()))
            .map(|(w, gm)| Margin {
                value: 20.0 * gm.log10(),
                w_rad_s: w,
            })
    }

    /// The smallest phase margin 180° − |∠L| \[deg\].
    pub fn phase_margin(&self) -> Option<Margin> {
        self.unit_circle
            .iter()
            .map(|&(w, z)| (w, 180.0 - phase_deg(z).abs()))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(w, pm)| Margin {
                value: pm,
                w_rad_s: w,
            })
    }

    /// min 1/|L(jωᵢ)| over the negative-real crossings: the factor on the loop gain that
    /// first reaches instability (None: no such crossing).
    pub fn gain_factor_to_instability(&self) -> Option<f64> {
        self.negative_real
            .iter()
            .map(|&(_, z)| 1.0 / z.norm())
            .filter(|g| g.is_finite())
            .min_by(f64::total_cmp)
    }
}
