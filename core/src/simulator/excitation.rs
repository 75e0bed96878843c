//! The force `F(t)` (N) of each excitation (docs/simulator.md §4.4).
//!
//! - hammer: `F = P exp(−(t − t0)²/(2σ²))` (impulse `P σ √(2π)`);
//! - impulse: a Dirac of `I` N·s at `t0` (the sampled series shows 0);
//! - harmonic: `F = A sin(2π f t)` from `t = 0`;
//! - sweep: `F = A sin φ(t)`, linear `φ = 2π(f0 t + (f1 − f0) t²/(2T))`, logarithmic
//!   `φ = 2π f0 T/ln(f1/f0) · (exp(t ln(f1/f0)/T) − 1)`;
//! - noise: a random-phase multisine on the sample grid, linear between samples:
//!   `N_b = S/2 + 1` bins `f_k = k fs/S`; for every `k = 0..N_b−1` in order a phase
//!   `θ_k = 2π u_k` (`u_k` uniform in [0, 1) from `ChaCha8Rng::seed_from_u64(seed)`, stream 1)
//!   is drawn; bins with `lo ≤ f_k ≤ hi`, `k ≥ 1`, not the Nyquist bin of an even `S`, get
//!   `e^{iθ_k}`, the others 0; an inverse real FFT of length `S` (realfft) is scaled so that
//!   the RMS over the `S` samples is exactly the requested one;
//! - table: knots `t_i = i·dt_table`, linear between knots, held at the last value after it
//!   (`np.interp`);
//! - none: `F ≡ 0`.

use num_complex::Complex64;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::ToolError;

/// Sweep law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepKind {
    Linear,
    Logarithmic,
}

/// A prepared force.
#[derive(Debug, Clone, PartialEq)]
pub enum Excitation {
    None,
    Hammer {
        t0_s: f64,
        peak_n: f64,
        sigma_s: f64,
    },
    Impulse {
        t0_s: f64,
        impulse_n_s: f64,
    },
    Harmonic {
        amplitude_n: f64,
        frequency_hz: f64,
    },
    Sweep {
        kind: SweepKind,
        f0_hz: f64,
        f1_hz: f64,
        amplitude_n: f64,
        duration_s: f64,
    },
    /// Noise before its samples are drawn ([`multisine`] turns it into `Samples`).
    Noise {
        band_hz: [f64; 2],
        rms_n: f64,
    },
    /// Force samples on the simulation grid, linear between samples (noise).
    Samples(Vec<f64>),
    Table {
        dt_s: f64,
        values_n: Vec<f64>,
    },
}

impl Excitation {
    /// `F(t)` in N (0 for the impulse: a Dirac has no sample value).
    pub fn value(&self, t: f64) -> f64 {
        match self {
            Excitation::None | Excitation::Impulse { .. } => 0.0,
            Excitation::Hammer {
                t0_s,
                peak_n,
                sigma_s,
            } => {
                let u = (t - t0_s) / sigma_s;
                peak_n * (-0.5 * u * u).exp()
            }
            Excitation::Harmonic {
                amplitude_n,
                frequency_hz,
            } => amplitude_n * (std::f64::consts::TAU * frequency_hz * t).sin(),
            Excitation::Sweep { amplitude_n, .. } => amplitude_n * self.sweep_phase(t).sin(),
            Excitation::Samples(_) | Excitation::Noise { .. } => 0.0,
            Excitation::Table { dt_s, values_n } => table_value(*dt_s, values_n, t),
        }
    }

    /// Sweep phase `φ(t)` (rad); 0 for other excitations.
    pub fn sweep_phase(&self, t: f64) -> f64 {
        match *self {
            Excitation::Sweep {
                kind,
                f0_hz,
                f1_hz,
                duration_s,
                ..
            } => match kind {
                SweepKind::Linear => {
                    std::f64::consts::TAU
                        * (f0_hz * t + (f1_hz - f0_hz) * t * t / (2.0 * duration_s))
                }
                SweepKind::Logarithmic => {
                    let l = (f1_hz / f0_hz).ln();
                    std::f64::consts::TAU * f0_hz * duration_s / l * (t * l / duration_s).exp_m1()
                }
            },
            _ => 0.0,
        }
    }
}

/// `np.interp(t, i·dt, values)`: linear between knots, held outside.
pub fn table_value(dt_s: f64, values: &[f64], t: f64) -> f64 {
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    if t <= 0.0 {
        return values[0];
    }
    let last = (n - 1) as f64 * dt_s;
    if t >= last {
        return values[n - 1];
    }
    let mut k = ((t / dt_s).floor() as usize).min(n - 2);
    while k > 0 && k as f64 * dt_s > t {
        k -= 1;
    }
    while k + 2 < n && (k + 1) as f64 * dt_s <= t {
        k += 1;
    }
    let tk = k as f64 * dt_s;
    let frac = (t - tk) / dt_s;
    values[k] + (values[k + 1] - values[k]) * frac
}

/// Indices of the noise bins inside `[lo, hi]` for `S` samples at `fs`: `k ≥ 1`, not the
/// Nyquist bin of an even `S`.
pub fn noise_bins(len: usize, fs_hz: f64, band_hz: [f64; 2]) -> std::ops::RangeInclusive<usize> {
    let nb = len / 2 + 1;
    let last = if len & 1 == 0 { nb - 2 } else { nb - 1 };
    let df = fs_hz / len as f64;
    let mut lo = (band_hz[0] / df).ceil().max(1.0) as usize;
    while lo > 1 && (lo - 1) as f64 * df >= band_hz[0] {
        lo -= 1;
    }
    while (lo as f64) * df < band_hz[0] {
        lo += 1;
    }
    let mut hi = ((band_hz[1] / df).floor() as usize).min(last);
    while hi >= 1 && hi as f64 * df > band_hz[1] {
        hi -= 1;
    }
    while hi < last && (hi + 1) as f64 * df <= band_hz[1] {
        hi += 1;
    }
    lo..=hi
}

/// The random-phase multisine of the module docs: `len` samples at `fs_hz` with exact RMS
/// `rms_n` and a flat spectrum in `band_hz`.
pub fn multisine(
    len: usize,
    fs_hz: f64,
    band_hz: [f64; 2],
    rms_n: f64,
    seed: u64,
) -> Result<Vec<f64>, ToolError> {
    let nb = len / 2 + 1;
    let bins = noise_bins(len, fs_hz, band_hz);
    if bins.is_empty() {
        return Err(ToolError::invalid(
            "noise_band_hz",
            format!(
                "no FFT bin (spacing {} Hz) lies inside [{}, {}] Hz",
                fs_hz / len as f64,
                band_hz[0],
                band_hz[1]
            ),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    let mut spec = vec![Complex64::new(0.0, 0.0); nb];
    for (k, s) in spec.iter_mut().enumerate() {
        let u: f64 = rng.random::<f64>();
        if bins.contains(&k) {
            let (sn, cs) = (std::f64::consts::TAU * u).sin_cos();
            *s = Complex64::new(cs, sn);
        }
    }
    let c2r = super::welch::inverse_plan(len);
    let mut out = c2r.make_output_vec();
    c2r.process(&mut spec, &mut out)
        .map_err(|e| ToolError::failed(format!("inverse FFT failed: {e}")))?;
    let ms = out.iter().map(|x| x * x).sum::<f64>() / len as f64;
    if !(ms > 0.0 && ms.is_finite()) {
        return Err(ToolError::failed("the noise force has zero power"));
    }
    let scale = rms_n / ms.sqrt();
    for x in &mut out {
        *x *= scale;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multisine_has_exact_rms_and_band() {
        let fs = 256.0;
        let n = 1024;
        let x = multisine(n, fs, [10.0, 20.0], 3.0, 7).unwrap();
        let rms = (x.iter().map(|v| v * v).sum::<f64>() / n as f64).sqrt();
        assert!((rms - 3.0).abs() < 1e-12);
        let mut planner = realfft::RealFftPlanner::<f64>::new();
        let r2c = planner.plan_fft_forward(n);
        let mut inp = x.clone();
        let mut spec = r2c.make_output_vec();
        r2c.process(&mut inp, &mut spec).unwrap();
        let mags: Vec<f64> = spec.iter().map(|c| c.norm()).collect();
        let inband: Vec<f64> = (40..=80).map(|k| mags[k]).collect();
        let m0 = inband[0];
        assert!(inband.iter().all(|m| (m - m0).abs() < 1e-9 * m0));
        assert!(mags[39] < 1e-9 * m0 && mags[81] < 1e-9 * m0 && mags[0] < 1e-9 * m0);
        assert_eq!(x, multisine(n, fs, [10.0, 20.0], 3.0, 7).unwrap());
        assert_ne!(x, multisine(n, fs, [10.0, 20.0], 3.0, 8).unwrap());
        assert!(multisine(n, fs, [10.01, 10.2], 3.0, 7).is_err());
    }

    #[test]
    fn nyquist_bin_is_excluded() {
        assert_eq!(noise_bins(8, 8.0, [0.0, 4.0]), 1..=3);
        assert_eq!(noise_bins(9, 9.0, [0.0, 4.5]), 1..=4);
        assert_eq!(noise_bins(100, 100.0, [2.0, 3.0]), 2..=3);
    }

    #[test]
    fn table_is_interpolated_and_held() {
        let v = [1.0, 3.0, -1.0];
        assert_eq!(table_value(0.5, &v, 0.0), 1.0);
        assert_eq!(table_value(0.5, &v, 0.25), 2.0);
        assert_eq!(table_value(0.5, &v, 0.75), 1.0);
        assert_eq!(table_value(0.5, &v, 5.0), -1.0);
    }
}
