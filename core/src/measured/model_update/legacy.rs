//! `model-update` with method `legacy-circle-fit` (docs/measured.md §4.5): the original app's
//! circle fit on the first file, the chain its numbers give and that chain's FRF against the
//! measurement.

use serde_json::Value;

use super::super::chain;
use super::super::legacy_circle_fit::legacy_fit;
use super::fit::{band, model_frfs};
use super::result::{echo_files, push_identified, push_series, push_sources, Identified};
use super::ModelUpdateParams;
use crate::lumped::LumpedModel;
use crate::result::Table;
use crate::{Cancel, Progress, ToolError, ToolResult};

/// `model-update` with method `legacy-circle-fit` (§4.5) on the first file: the original's
/// numbers, the chain they give and its FRF against the measurement.
pub(super) fn run_legacy(
    p: &ModelUpdateParams,
    echo: Value,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ToolResult, ToolError> {
    let only_first = ModelUpdateParams {
        files: p.files[..1].to_vec(),
        ..p.clone()
    };
    let p = &only_first;
    let file = &p.files[0];
    progress.report(0.1, "fitting circles (legacy method)");
    let fit = legacy_fit(&file.data.freqs_hz, &file.data.values)?;
    cancel.check()?;
    let model = LumpedModel::chain(
        &fit.masses_kg,
        &fit.stiffnesses_n_per_m,
        &fit.dampings_ns_per_m,
    );
    let (model_lambda, model_shapes) = chain::chain_modes(&fit.masses_kg, &fit.stiffnesses_n_per_m)
        .ok_or_else(|| ToolError::failed("the eigenproblem of the legacy chain failed"))?;
    let model_f: [f64; 3] = model_lambda.map(|l| l.sqrt() / std::f64::consts::TAU);
    let damped = model.damped_modes()?;
    let macs: [f64; 3] = std::array::from_fn(|r| {
        let v = model_shapes[r];
        chain::mac_real(&[v[0], v[1], v[2]], &fit.shapes[r])
    });
    let b = band(p)?;
    let (model_frf, model_fit_error_percent) = model_frfs(&model, p, &b, cancel)?;

    let mut result = ToolResult::new("model-update", echo);
    push_identified(
        &mut result,
        &Identified {
            f_hz: &fit.f_hz,
            damping: &fit.eta,
            shapes: &fit.shapes,
            masses_kg: &fit.masses_kg,
            stiffnesses_n_per_m: &fit.stiffnesses_n_per_m,
            dampings_ns_per_m: &fit.dampings_ns_per_m,
            model_f_hz: &model_f,
            model_zeta: &damped.damping_ratio,
            macs: &macs,
        },
    );
    result.set("model_fit_error_percent", model_fit_error_percent);
    push_series(&mut result, p, &b, None, &model_frf);
    let mut circles = Table::new(
        "circle_fits",
        &[
            "floor",
            "mode",
            "centre_re_m_per_s_n",
            "centre_im_m_per_s_n",
            "radius_m_per_s_n",
            "peak_frequency_hz",
            "eta",
        ],
    );
    for (j, row) in fit.fits.iter().enumerate() {
        for (r, c) in row.iter().enumerate() {
            circles.push_numbers(
                2,
                &[
                    (j + 1) as f64,
                    (r + 1) as f64,
                    c.centre.re,
                    c.centre.im,
                    c.radius,
                    c.f_hz,
                    c.eta,
                ],
            );
        }
    }
    result.push_table(circles);
    push_sources(&mut result, p);

    result.warn(
        "legacy method: damping about 4× too high, masses assume 5 kg modal mass (the original \
         app's circle fit, for comparison; use modal-ls for a model)",
    );
    if let [_, rest @ ..] = echo_files(&result).as_slice() {
        if !rest.is_empty() {
            result.warn(format!(
                "legacy-circle-fit uses only the first file ({}); the other {} are ignored",
                file.name,
                rest.len()
            ));
        }
    }
    for (i, c) in fit.dampings_ns_per_m.iter().enumerate() {
        if *c < 0.0 {
            result.warn(format!(
                "storey {}: the legacy damper is negative ({c:.4} N·s/m); a profile needs it clamped to 0",
                i + 1
            ));
        }
    }
    for w in damped.warnings {
        result.warn(w);
    }
    progress.report(1.0, "done");
    Ok(result)
}
