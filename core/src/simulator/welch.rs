//! Welch spectral estimates (docs/simulator.md §4.6), shared by `simulator` (PSD) and
//! `recordings` (cross spectra for H1).
//!
//! Segments of `nperseg` samples start at 0 and advance by `nperseg − noverlap`; only full
//! segments are used. Each segment is mean-removed and windowed (periodic Hann
//! `w_n = 0.5 − 0.5 cos(2πn/nperseg)` or rectangular). The one-sided PSD density is
//! `P_k = 2 |X_k|² / (fs Σw²)`, except the DC bin and (even `nperseg`) the Nyquist bin, which
//! are not doubled; segments are averaged by the mean. This is `scipy.signal.welch` with its
//! defaults (`detrend='constant'`, `scaling='density'`).
//!
//! Spectral peaks: local maxima `P[i] > P[i−1]` and `P[i] ≥ P[i+1]` with `0 < f_i ≤ f_max`; the
//! three largest, reported ascending in frequency.

use num_complex::Complex64;
use realfft::RealFftPlanner;

use crate::ToolError;

thread_local! {
    /// FFT plans are cached per thread (planning costs more than a 2048-point transform).
    static PLANNER: std::cell::RefCell<RealFftPlanner<f64>> =
        std::cell::RefCell::new(RealFftPlanner::new());
}

/// A (cached) forward real FFT of length `n`.
pub fn forward_plan(n: usize) -> std::sync::Arc<dyn realfft::RealToComplex<f64>> {
    PLANNER.with(|p| p.borrow_mut().plan_fft_forward(n))
}

/// A (cached) inverse real FFT of length `n`.
pub fn inverse_plan(n: usize) -> std::sync::Arc<dyn realfft::ComplexToReal<f64>> {
    PLANNER.with(|p| p.borrow_mut().plan_fft_inverse(n))
}

/// Segment window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Hann,
    Rectangular,
}

impl Window {
    /// The `n` window values (periodic Hann).
    pub fn values(self, n: usize) -> Vec<f64> {
        match self {
            Window::Hann => (0..n)
                .map(|i| 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos())
                .collect(),
            Window::Rectangular => vec![1.0; n],
        }
    }
}

/// Start indices of the full segments.
pub fn segment_starts(len: usize, nperseg: usize, noverlap: usize) -> Vec<usize> {
    if nperseg == 0 || nperseg > len || noverlap >= nperseg {
        return Vec::new();
    }
    let step = nperseg - noverlap;
    (0..=(len - nperseg) / step).map(|s| s * step).collect()
}

/// Windowed, mean-removed spectra of every segment of several equally long channels.
pub struct SegmentSpectra {
    pub nperseg: usize,
    pub window: Vec<f64>,
    r2c: std::sync::Arc<dyn realfft::RealToComplex<f64>>,
    input: Vec<f64>,
    scratch: Vec<Complex64>,
}

impl std::fmt::Debug for SegmentSpectra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SegmentSpectra")
            .field("nperseg", &self.nperseg)
            .finish()
    }
}

impl SegmentSpectra {
    pub fn new(nperseg: usize, window: Window) -> Self {
        let r2c = forward_plan(nperseg);
        let scratch = r2c.make_scratch_vec();
        Self {
            nperseg,
            window: window.values(nperseg),
            input: vec![0.0; nperseg],
            r2c,
            scratch,
        }
    }

    /// Spectrum of `seg` (length `nperseg`) into `out` (`nperseg/2 + 1` bins).
    pub fn spectrum(&mut self, seg: &[f64], out: &mut [Complex64]) -> Result<(), ToolError> {
        let mean = seg.iter().sum::<f64>() / seg.len() as f64;
        for ((o, &x), &w) in self.input.iter_mut().zip(seg).zip(&self.window) {
            *o = (x - mean) * w;
        }
        self.r2c
            .process_with_scratch(&mut self.input, out, &mut self.scratch)
            .map_err(|e| ToolError::failed(format!("FFT failed: {e}")))
    }

    /// `Σ w²`.
    pub fn window_power(&self) -> f64 {
        self.window.iter().map(|w| w * w).sum()
    }
}

/// One-sided Welch PSDs of several channels on common bins.
#[derive(Debug, Clone, PartialEq)]
pub struct Psd {
    /// Bin frequencies `k·fs/nperseg` (Hz).
    pub frequency_hz: Vec<f64>,
    /// Density per channel.
    pub density: Vec<Vec<f64>>,
    /// Number of averaged segments.
    pub segments: usize,
}

/// One-sided Welch PSD of every channel.
pub fn welch_psd(channels: &[&[f64]], fs_hz: f64, nperseg: usize) -> Result<Psd, ToolError> {
    let len = channels.first().map_or(0, |c| c.len());
    let noverlap = nperseg / 2;
    let starts = segment_starts(len, nperseg, noverlap);
    if starts.is_empty() {
        return Err(ToolError::invalid(
            "welch_segment_s",
            format!("a segment of {nperseg} samples does not fit the record of {len} samples"),
        ));
    }
    let nb = nperseg / 2 + 1;
    let mut seg = SegmentSpectra::new(nperseg, Window::Hann);
    let scale = 1.0 / (fs_hz * seg.window_power() * starts.len() as f64);
    let mut spec = vec![Complex64::new(0.0, 0.0); nb];
    let mut out = Vec::with_capacity(channels.len());
    for ch in channels {
        let mut p = vec![0.0; nb];
        for &s in &starts {
            seg.spectrum(&ch[s..s + nperseg], &mut spec)?;
            for (pk, x) in p.iter_mut().zip(&spec) {
                *pk += x.norm_sqr();
            }
        }
        for (k, pk) in p.iter_mut().enumerate() {
            let doubled = k != 0 && !(nperseg & 1 == 0 && k == nb - 1);
            *pk *= scale * if doubled { 2.0 } else { 1.0 };
        }
        out.push(p);
    }
    Ok(Psd {
        frequency_hz: (0..nb).map(|k| k as f64 * fs_hz / nperseg as f64).collect(),
        density: out,
        segments: starts.len(),
    })
}

/// Up to three spectral peaks (see the module docs) of `p` over `freqs` whose frequency
/// passes `keep` (and is > 0); ascending in frequency.
pub fn spectral_peaks(freqs: &[f64], p: &[f64], keep: impl Fn(f64) -> bool) -> Vec<f64> {
    let mut cands: Vec<(f64, f64)> = Vec::new();
    for i in 1..p.len().saturating_sub(1) {
        let f = freqs[i];
        if f > 0.0 && keep(f) && p[i] > p[i - 1] && p[i] >= p[i + 1] {
            cands.push((p[i], f));
        }
    }
    cands.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut top: Vec<f64> = cands.iter().take(3).map(|c| c.1).collect();
    top.sort_by(f64::total_cmp);
    top
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_noise_density_integrates_to_the_variance() {
        // A sine of amplitude a has power a²/2; the PSD sums (× df) to it.
        let fs = 1000.0;
        let x: Vec<f64> = (0..10_000)
            .map(|i| 3.0 * (std::f64::consts::TAU * 50.0 * i as f64 / fs).sin())
            .collect();
        let Psd {
            frequency_hz: f,
            density: p,
            segments: nseg,
        } = welch_psd(&[&x], fs, 1000).unwrap();
        assert_eq!(nseg, 19);
        let df = f[1] - f[0];
        let total: f64 = p[0].iter().sum::<f64>() * df;
        // Hann: the density is spread over 3 bins but its sum keeps the power (× ENBW ratio 1).
        assert!((total - 4.5).abs() < 1e-6 * 4.5, "{total}");
        assert!(spectral_peaks(&f, &p[0], |f| f <= 500.0).contains(&50.0));
    }

    #[test]
    fn segments_are_full_only() {
        assert_eq!(segment_starts(10, 4, 2), vec![0, 2, 4, 6]);
        assert_eq!(segment_starts(10, 11, 2), Vec::<usize>::new());
    }
}
