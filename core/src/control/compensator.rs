//! The second-order electronic compensator of DVF+EC (docs/control.md §4.1, §4.2):
//!
//! ```text
//! C_p(s) = (s² + 2ξ̂ω̂ s + ω̂²) / (s² + 2ξ_c ω_c s + ω_c²),   ω̂ = 2πf̂, ω_c = 2πf_c
//! ```
//!
//! State space (states z): A_c = [[0, 1], [−ω_c², −2ξ_cω_c]], B_c = [0; 1],
//! C_c = [ω̂² − ω_c², 2ξ̂ω̂ − 2ξ_cω_c], D_c = 1.

use std::f64::consts::PI;

use num_complex::Complex64;

/// The compensator C_p(s).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Compensator {
    /// Numerator (zero) angular frequency ω̂ [rad/s].
    pub zero_w_rad_s: f64,
    /// Numerator damping ratio ξ̂ [-].
    pub zero_damping: f64,
    /// Denominator (pole) angular frequency ω_c [rad/s].
    pub pole_w_rad_s: f64,
    /// Denominator damping ratio ξ_c [-].
    pub pole_damping: f64,
}

impl Compensator {
    /// From frequencies in Hz and damping ratios in %.
    pub fn from_hz_percent(zero_hz: f64, zero_pct: f64, pole_hz: f64, pole_pct: f64) -> Self {
        Self {
            zero_w_rad_s: 2.0 * PI * zero_hz,
            zero_damping: zero_pct / 100.0,
            pole_w_rad_s: 2.0 * PI * pole_hz,
            pole_damping: pole_pct / 100.0,
        }
    }

    /// C_p(jω).
    #[inline]
    pub fn eval(&self, w: f64) -> Complex64 {
        let (wz, wp) = (self.zero_w_rad_s, self.pole_w_rad_s);
        let num = Complex64::new(wz * wz - w * w, 2.0 * self.zero_damping * wz * w);
        let den = Complex64::new(wp * wp - w * w, 2.0 * self.pole_damping * wp * w);
        num / den
    }

    /// Multiplies (`re`, `im`) by C_p(jω) at every ω of `w` [rad/s].
    pub fn mul_block(&self, w: &[f64], re: &mut [f64], im: &mut [f64]) {
        let (wz, wp) = (self.zero_w_rad_s, self.pole_w_rad_s);
        let (zz, zp) = (2.0 * self.zero_damping * wz, 2.0 * self.pole_damping * wp);
        for (&w, (re, im)) in w.iter().zip(re.iter_mut().zip(im.iter_mut())) {
            let (nr, ni) = (wz * wz - w * w, zz * w);
            let (dr, di) = (wp * wp - w * w, zp * w);
            let inv = 1.0 / (dr * dr + di * di);
            let cr = (nr * dr + ni * di) * inv;
            let ci = (ni * dr - nr * di) * inv;
            let (a, b) = (*re, *im);
            *re = a * cr - b * ci;
            *im = a * ci + b * cr;
        }
    }

    /// (A_c, C_c) of the state-space form; B_c = [0; 1], D_c = 1.
    pub fn state_space(&self) -> ([[f64; 2]; 2], [f64; 2]) {
        let (wz, wp) = (self.zero_w_rad_s, self.pole_w_rad_s);
        let ac = [[0.0, 1.0], [-wp * wp, -2.0 * self.pole_damping * wp]];
        let cc = [
            wz * wz - wp * wp,
            2.0 * self.zero_damping * wz - 2.0 * self.pole_damping * wp,
        ];
        (ac, cc)
    }
}
