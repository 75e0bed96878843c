//! The H1 FRF estimator with coherence (docs/simulator.md §4.6).
//!
//! The force `f` and each response `x_j` are cut into the Welch segments of
//! [`crate::simulator::welch`] (`nperseg`, `noverlap = floor(nperseg·p/100)`, full segments
//! only), each mean-removed and windowed (periodic Hann or rectangular), and transformed. Over
//! the segments:
//!
//! ```text
//! S_ff = ⟨|F|²⟩,  S_fx = ⟨conj(F)·X_j⟩,  S_xx = ⟨|X_j|²⟩
//! H1_j = S_fx / S_ff,   γ²_j = |S_fx|² / (S_ff S_xx)
//! ```
//!
//! The common density scaling cancels in both ratios and is not applied. H1 is unbiased with
//! respect to noise on the response, γ² ∈ [0, 1] measures how much of the response is
//! linearly explained by the force (1 for a noise-free linear system and a long record).

use num_complex::Complex64;

use crate::simulator::welch::{segment_starts, SegmentSpectra, Window};
use crate::ToolError;

/// The H1 estimate on the one-sided bins `k·fs/nperseg`, `k = 0..=nperseg/2`.
#[derive(Debug, Clone, PartialEq)]
pub struct H1Estimate {
    pub frequency_hz: Vec<f64>,
    /// `h[j][k]`.
    pub h: [Vec<Complex64>; 3],
    /// `γ²[j][k]`.
    pub coherence: [Vec<f64>; 3],
    /// Force auto-spectrum (unscaled).
    pub sff: Vec<f64>,
    /// Number of averaged segments.
    pub averages: usize,
}

/// H1 and coherence of three responses against one force.
pub fn h1(
    force: &[f64],
    response: [&[f64]; 3],
    fs_hz: f64,
    nperseg: usize,
    noverlap: usize,
    window: Window,
) -> Result<H1Estimate, ToolError> {
    let starts = segment_starts(force.len(), nperseg, noverlap);
    if starts.is_empty() {
        return Err(ToolError::invalid(
            "segment_s",
            format!(
                "a segment of {nperseg} samples does not fit the record of {} samples",
                force.len()
            ),
        ));
    }
    let nb = nperseg / 2 + 1;
    let mut seg = SegmentSpectra::new(nperseg, window);
    let mut fspec = vec![Complex64::new(0.0, 0.0); nb];
    let mut xspec = vec![Complex64::new(0.0, 0.0); nb];
    let mut sff = vec![0.0; nb];
    let mut sfx = [
        vec![Complex64::new(0.0, 0.0); nb],
        vec![Complex64::new(0.0, 0.0); nb],
        vec![Complex64::new(0.0, 0.0); nb],
    ];
    let mut sxx = [vec![0.0; nb], vec![0.0; nb], vec![0.0; nb]];
    for &s in &starts {
        seg.spectrum(&force[s..s + nperseg], &mut fspec)?;
        for (a, f) in sff.iter_mut().zip(&fspec) {
            *a += f.norm_sqr();
        }
        for j in 0..3 {
            seg.spectrum(&response[j][s..s + nperseg], &mut xspec)?;
            for k in 0..nb {
                sfx[j][k] += fspec[k].conj() * xspec[k];
                sxx[j][k] += xspec[k].norm_sqr();
            }
        }
    }
    let mut h: [Vec<Complex64>; 3] = Default::default();
    let mut coherence: [Vec<f64>; 3] = Default::default();
    for j in 0..3 {
        h[j] = (0..nb)
            .map(|k| {
                if sff[k] > 0.0 {
                    sfx[j][k] / sff[k]
                } else {
                    Complex64::new(0.0, 0.0)
                }
            })
            .collect();
        coherence[j] = (0..nb)
            .map(|k| {
                let d = sff[k] * sxx[j][k];
                if d > 0.0 {
                    (sfx[j][k].norm_sqr() / d).min(1.0)
                } else {
                    0.0
                }
            })
            .collect();
    }
    Ok(H1Estimate {
        frequency_hz: (0..nb).map(|k| k as f64 * fs_hz / nperseg as f64).collect(),
        h,
        coherence,
        sff,
        averages: starts.len(),
    })
}
