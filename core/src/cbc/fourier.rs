//! Measurements over exactly one period (docs/cbc.md §2, §4 item 4): N = 512 samples at
//! τ_j = 2πj/N, j = 0..N−1, coefficients a_n = (2/N)·Σ x_j cos nτ_j, b_n = (2/N)·Σ x_j sin nτ_j
//! (a0 with the same factor, so the mean is a0/2), the fundamental amplitude √(a1² + b1²) and
//! the half peak-to-peak value (max − min)/2.

use super::model::SAMPLES_PER_PERIOD;

/// cos and sin of 2πk/N, k = 0..N−1 (harmonic n at sample j is entry (n·j) mod N).
#[derive(Debug, Clone)]
pub struct Trig {
    pub cos: Vec<f64>,
    pub sin: Vec<f64>,
}

impl Default for Trig {
    fn default() -> Self {
        let n = SAMPLES_PER_PERIOD;
        let angle = |k: usize| 2.0 * std::f64::consts::PI * k as f64 / n as f64;
        Self {
            cos: (0..n).map(|k| angle(k).cos()).collect(),
            sin: (0..n).map(|k| angle(k).sin()).collect(),
        }
    }
}

impl Trig {
    /// (a_n, b_n) of the samples `x` (length N).
    pub fn coefficients(&self, x: impl Iterator<Item = f64>, n: usize) -> (f64, f64) {
        let len = SAMPLES_PER_PERIOD;
        let (mut a, mut b) = (0.0, 0.0);
        for (j, v) in x.enumerate() {
            let k = (n * j) % len;
            a += v * self.cos[k];
            b += v * self.sin[k];
        }
        (2.0 * a / len as f64, 2.0 * b / len as f64)
    }
}

/// Fundamental amplitudes and half peak-to-peak values of the three floors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amplitudes {
    pub fundamental_m: [f64; 3],
    pub half_peak_to_peak_m: [f64; 3],
}

/// Both amplitude measures of each floor from one period of samples (x1, x2, x3, ẋ1).
pub fn amplitudes(trig: &Trig, samples: &[[f64; 4]]) -> Amplitudes {
    let mut fundamental_m = [0.0; 3];
    let mut half_peak_to_peak_m = [0.0; 3];
    for k in 0..3 {
        let (a, b) = trig.coefficients(samples.iter().map(|s| s[k]), 1);
        fundamental_m[k] = a.hypot(b);
        let (lo, hi) = samples
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
                (lo.min(s[k]), hi.max(s[k]))
            });
        half_peak_to_peak_m[k] = (hi - lo) / 2.0;
    }
    Amplitudes {
        fundamental_m,
        half_peak_to_peak_m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pure_tone_is_measured_exactly() {
        let trig = Trig::default();
        let n = SAMPLES_PER_PERIOD;
        let samples: Vec<[f64; 4]> = (0..n)
            .map(|j| {
                let t = 2.0 * std::f64::consts::PI * j as f64 / n as f64;
                let x = 0.3 * t.cos() + 0.4 * t.sin() + 0.1 * (3.0 * t).sin();
                [x, 2.0 * t.sin(), 0.0, 0.0]
            })
            .collect();
        let a = amplitudes(&trig, &samples);
        assert!((a.fundamental_m[0] - 0.5).abs() < 1e-12);
        assert!((a.fundamental_m[1] - 2.0).abs() < 1e-12);
        assert!((a.half_peak_to_peak_m[1] - 2.0).abs() < 1e-12);
        let (a3, b3) = trig.coefficients(samples.iter().map(|s| s[0]), 3);
        assert!(a3.abs() < 1e-12 && (b3 - 0.1).abs() < 1e-12);
    }
}
