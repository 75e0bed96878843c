//! The modal fit of `model-update` (docs/measured.md §4.2): the band of the files, start values
//! from the most prominent maxima, the pole fit ([`crate::measured::modal_fit`]), the lumped
//! model's FRF against the data and the warnings on the fit's quality.
//!
//! Start values: the three most prominent maxima of `20 log10 Σ_columns |Y|` at least
//! [`START_PEAK_DISTANCE_HZ`] apart, ζ⁰ = [`START_ZETA`]. The model's fit error is
//! `100·‖Y_model − Y‖ / ‖Y‖` over all columns. With three files each is also fitted alone and a
//! pole spread `max |λa − λb| / |λa|` above [`POLE_SPREAD_LIMIT`] is reported.

use num_complex::Complex64;

use super::super::chain::Chain;
use super::super::modal_fit::{self, ModalFit};
use super::super::peaks::find_peaks;
use super::{
    ModelUpdateParams, MIN_BAND_LINES, POLE_SPREAD_LIMIT, START_PEAK_DISTANCE_HZ, START_ZETA,
};
use crate::lumped::{FrfType, LumpedModel};
use crate::{Cancel, ToolError, ToolResult};

/// The band lines and the stacked columns (file e, floor j → column 3e + j).
pub(super) struct Band {
    pub(super) freqs_hz: Vec<f64>,
    pub(super) columns: Vec<Vec<Complex64>>,
}

pub(super) fn band(p: &ModelUpdateParams) -> Result<Band, ToolError> {
    let freqs = &p.files[0].data.freqs_hz;
    let idx: Vec<usize> = (0..freqs.len())
        .filter(|&i| freqs[i] >= p.f_min_hz && freqs[i] <= p.f_max_hz)
        .collect();
    if idx.len() < MIN_BAND_LINES {
        return Err(ToolError::invalid(
            "f_min_hz",
            format!(
                "the band {}–{} Hz holds {} frequency lines of the files; at least {MIN_BAND_LINES} are needed",
                p.f_min_hz,
                p.f_max_hz,
                idx.len()
            ),
        ));
    }
    let mut columns = Vec::with_capacity(3 * p.files.len());
    for file in &p.files {
        for j in 0..3 {
            columns.push(idx.iter().map(|&i| file.data.values[i][j]).collect());
        }
    }
    Ok(Band {
        freqs_hz: idx.iter().map(|&i| freqs[i]).collect(),
        columns,
    })
}

/// Start frequencies: the three most prominent maxima of `20 log10 Σ |Y|`.
pub(super) fn start_frequencies(b: &Band) -> Result<[f64; 3], ToolError> {
    let s: Vec<f64> = (0..b.freqs_hz.len())
        .map(|i| 20.0 * b.columns.iter().map(|c| c[i].norm()).sum::<f64>().log10())
        .collect();
    let peaks = find_peaks(&b.freqs_hz, &s, 0.0, START_PEAK_DISTANCE_HZ, 3);
    if peaks.len() < 3 {
        return Err(ToolError::invalid(
            "f_min_hz",
            format!(
                "fewer than three resonances in the band ({} found): widen the band",
                peaks.len()
            ),
        ));
    }
    Ok([peaks[0].x, peaks[1].x, peaks[2].x])
}

pub(super) fn fit_band(
    b: &Band,
    p: &ModelUpdateParams,
    start: [f64; 3],
    cancel: &Cancel,
) -> Result<ModalFit, ToolError> {
    let fit = modal_fit::fit(&b.freqs_hz, &b.columns, start, [START_ZETA; 3], cancel)?;
    for r in 0..3 {
        let f = fit.f_hz[r];
        if f < p.f_min_hz || f > p.f_max_hz || fit.zeta[r].is_nan() || fit.zeta[r] <= 0.0 {
            let field = if f > p.f_max_hz {
                "f_max_hz"
            } else {
                "f_min_hz"
            };
            return Err(ToolError::invalid(
                field,
                format!(
                    "mode {} not identifiable in this band (fit gave {f:.4} Hz, ζ = {:.3e})",
                    r + 1,
                    fit.zeta[r]
                ),
            ));
        }
    }
    Ok(fit)
}

/// Accelerances per file: `[line][floor]` over the band.
pub(super) type FileFrfs = Vec<Vec<[Complex64; 3]>>;

/// The model's accelerance over the band per file, and 100·‖model − measured‖ / ‖measured‖.
pub(super) fn model_frfs(
    model: &LumpedModel,
    p: &ModelUpdateParams,
    b: &Band,
    cancel: &Cancel,
) -> Result<(FileFrfs, f64), ToolError> {
    let mut model_frf: FileFrfs = Vec::with_capacity(p.files.len());
    for file in &p.files {
        model_frf.push(model.frf(
            file.excitation + 1,
            FrfType::Accelerance,
            &b.freqs_hz,
            cancel,
        )?);
    }
    let mut diff2 = 0.0;
    let mut norm2 = 0.0;
    for (e, frf) in model_frf.iter().enumerate() {
        for j in 0..3 {
            for (i, h) in frf.iter().enumerate() {
                let y = b.columns[3 * e + j][i];
                diff2 += (h[j] - y).norm_sqr();
                norm2 += y.norm_sqr();
            }
        }
    }
    Ok((model_frf, 100.0 * (diff2 / norm2).sqrt()))
}

/// The pole `−ζω + iω√(1−ζ²)` of a mode.
pub(super) fn pole(f_hz: f64, zeta: f64) -> Complex64 {
    let w = std::f64::consts::TAU * f_hz;
    Complex64::new(-zeta * w, w * (1.0 - zeta * zeta).max(0.0).sqrt())
}

/// The warnings on the chain and the fit (negative dampers, MAC, bandwidth, pole spread).
pub(super) fn warn(
    result: &mut ToolResult,
    p: &ModelUpdateParams,
    b: &Band,
    fit: &ModalFit,
    ch: &Chain,
    macs: &[f64; 3],
    cancel: &Cancel,
) -> Result<(), ToolError> {
    for (i, c) in ch.dampings_ns_per_m.iter().enumerate() {
        if *c < 0.0 {
            result.warn(format!(
                "damper c{} is negative ({c:.4} N·s/m): the chain cannot reproduce the measured \
                 damping distribution; a profile needs it clamped to 0",
                i + 1
            ));
        }
    }
    if !ch.newton_converged {
        result.warn(
            "the Newton update of the stiffnesses did not converge (or gave a non-positive \
             stiffness): the least-squares start values are kept, so the model frequencies \
             differ from the identified ones",
        );
    }
    for (r, mac) in macs.iter().enumerate() {
        if *mac < 0.9 {
            result.warn(format!(
                "mode {}: MAC between the chain's and the identified shape is {mac:.3} (< 0.9): \
                 the rig is not well described by a shear chain",
                r + 1
            ));
        }
    }
    let fit_error = fit.error_percent();
    if fit_error > 20.0 {
        result.warn(format!(
            "the modal fit leaves {fit_error:.1} % of the data unexplained (> 20 %): check the \
             band, the quantity and the files"
        ));
    }
    for r in 0..3 {
        let f = fit.f_hz[r];
        let k = b
            .freqs_hz
            .partition_point(|x| *x < f)
            .clamp(1, b.freqs_hz.len() - 1);
        let df = b.freqs_hz[k] - b.freqs_hz[k - 1];
        let bandwidth = 2.0 * fit.zeta[r] * f;
        if bandwidth < df {
            result.warn(format!(
                "mode {}: the half-power bandwidth ({bandwidth:.4} Hz) is narrower than one \
                 frequency line ({df:.4} Hz): its damping ratio is inferred from the fitted shape \
                 and sensitive to leakage",
                r + 1
            ));
        }
    }
    if p.files.len() == 3 {
        let mut poles: Vec<(usize, [Complex64; 3])> = Vec::new();
        for (e, file) in p.files.iter().enumerate() {
            let single = Band {
                freqs_hz: b.freqs_hz.clone(),
                columns: b.columns[3 * e..3 * e + 3].to_vec(),
            };
            match modal_fit::fit(
                &single.freqs_hz,
                &single.columns,
                fit.f_hz,
                fit.zeta,
                cancel,
            ) {
                Ok(f) => poles.push((e, std::array::from_fn(|r| pole(f.f_hz[r], f.zeta[r])))),
                Err(ToolError::Cancelled) => return Err(ToolError::Cancelled),
                Err(err) => result.warn(format!(
                    "{} alone (force at floor {}) could not be fitted: {err}",
                    file.name,
                    file.excitation + 1
                )),
            }
        }
        let mut spread = 0.0_f64;
        for (a, pa) in &poles {
            for (bb, pb) in &poles {
                if a < bb {
                    for r in 0..3 {
                        spread = spread.max((pa[r] - pb[r]).norm() / pa[r].norm());
                    }
                }
            }
        }
        if spread > POLE_SPREAD_LIMIT {
            result.warn(format!(
                "the three files fitted separately give poles differing by up to {:.2} % (> 1 %): \
                 the structure may have changed between the tests",
                100.0 * spread
            ));
        }
    }
    Ok(())
}
