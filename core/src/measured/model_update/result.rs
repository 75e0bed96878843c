//! The result of `model-update`: the identified modes and chain (`modes`, `lumped_model`),
//! the measured, fitted and model FRF series, the modal constants and the `sources` table of
//! the measured files by SHA-256.

use num_complex::Complex64;
use serde_json::Value;

use super::super::modal_fit::ModalFit;
use super::fit::Band;
use super::ModelUpdateParams;
use crate::lumped::{magnitude_db, phase_deg};
use crate::result::{Series, Table};
use crate::ToolResult;

pub(super) const X_LABEL: &str = "Frequency (Hz)";
pub(super) const MAG_LABEL: &str = "Accelerance (dB re 1 (m/s²)/N)";
pub(super) const PHASE_LABEL: &str = "Phase (deg)";
/// The fit-quality figure: the lumped model's magnitude minus the measured one.
pub(super) const RESIDUAL_LABEL: &str = "Model − measured (dB)";

/// The `frfs` entries echoed in a result's parameters.
pub(super) fn echo_files(result: &ToolResult) -> Vec<Value> {
    result
        .params
        .get("frfs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Measured, modal-fit (when there is one), model and residual FRFs per file and floor.
pub(super) fn push_series(
    result: &mut ToolResult,
    p: &ModelUpdateParams,
    b: &Band,
    fit: Option<&ModalFit>,
    model_frf: &[Vec<[Complex64; 3]>],
) {
    let omega: Vec<f64> = b
        .freqs_hz
        .iter()
        .map(|f| std::f64::consts::TAU * f)
        .collect();
    for (e, file) in p.files.iter().enumerate() {
        let q = file.excitation + 1;
        for j in 0..3 {
            let c = 3 * e + j;
            let name = |what: &str, kind: &str| format!("{what}_exc_{q}_floor_{}_{kind}", j + 1);
            let measured = &b.columns[c];
            let series = |n: String, label: &str, y: Vec<f64>| {
                Series::new(n, X_LABEL, label, b.freqs_hz.clone(), y)
            };
            result.push_series(series(
                name("measured", "magnitude"),
                MAG_LABEL,
                measured.iter().map(|z| magnitude_db(*z)).collect(),
            ));
            result.push_series(series(
                name("measured", "phase"),
                PHASE_LABEL,
                measured.iter().map(|z| phase_deg(*z)).collect(),
            ));
            if let Some(fit) = fit {
                result.push_series(series(
                    name("modal_fit", "magnitude"),
                    MAG_LABEL,
                    omega
                        .iter()
                        .map(|&w| magnitude_db(fit.synthesise(c, w)))
                        .collect(),
                ));
            }
            result.push_series(series(
                name("model", "magnitude"),
                MAG_LABEL,
                model_frf[e].iter().map(|h| magnitude_db(h[j])).collect(),
            ));
            result.push_series(series(
                name("model", "phase"),
                PHASE_LABEL,
                model_frf[e].iter().map(|h| phase_deg(h[j])).collect(),
            ));
            result.push_series(series(
                name("residual", "magnitude"),
                RESIDUAL_LABEL,
                model_frf[e]
                    .iter()
                    .zip(measured)
                    .map(|(h, z)| magnitude_db(h[j]) - magnitude_db(*z))
                    .collect(),
            ));
        }
    }
}

/// The modal constants per mode, excitation and response floor.
pub(super) fn push_constants(result: &mut ToolResult, p: &ModelUpdateParams, fit: &ModalFit) {
    let mut constants = Table::new(
        "modal_constants",
        &[
            "mode",
            "excitation_floor",
            "response_floor",
            "modal_constant_per_kg",
        ],
    );
    let mut order: Vec<usize> = (0..p.files.len()).collect();
    order.sort_by_key(|&e| p.files[e].excitation);
    for r in 0..3 {
        for &e in &order {
            for j in 0..3 {
                constants.push_numbers(
                    3,
                    &[
                        (r + 1) as f64,
                        (p.files[e].excitation + 1) as f64,
                        (j + 1) as f64,
                        fit.constants[3 * e + j][r],
                    ],
                );
            }
        }
    }
    result.push_table(constants);
}

/// What both methods identify, as the result shows it.
pub(super) struct Identified<'a> {
    pub(super) f_hz: &'a [f64; 3],
    /// ζ (modal-ls) or the original's η (legacy-circle-fit).
    pub(super) damping: &'a [f64; 3],
    /// `shapes[mode][floor]`.
    pub(super) shapes: &'a [[f64; 3]; 3],
    pub(super) masses_kg: &'a [f64; 3],
    pub(super) stiffnesses_n_per_m: &'a [f64; 3],
    pub(super) dampings_ns_per_m: &'a [f64; 3],
    pub(super) model_f_hz: &'a [f64; 3],
    pub(super) model_zeta: &'a [f64; 3],
    pub(super) macs: &'a [f64; 3],
}

/// The identified modes and chain: scalars per mode and floor, the `modes` and
/// `lumped_model` tables.
pub(super) fn push_identified(result: &mut ToolResult, id: &Identified) {
    for r in 0..3 {
        let n = r + 1;
        result.set(&format!("natural_frequency_{n}_hz"), id.f_hz[r]);
        result.set(&format!("damping_ratio_{n}"), id.damping[r]);
        result.set(&format!("mass_{n}_kg"), id.masses_kg[r]);
        result.set(&format!("stiffness_{n}_n_per_m"), id.stiffnesses_n_per_m[r]);
        result.set(&format!("damping_{n}_ns_per_m"), id.dampings_ns_per_m[r]);
        result.set(&format!("model_natural_frequency_{n}_hz"), id.model_f_hz[r]);
        result.set(&format!("model_damping_ratio_{n}"), id.model_zeta[r]);
        result.set(&format!("model_mode_{n}_mac"), id.macs[r]);
    }
    result.set("total_mass_kg", id.masses_kg.iter().sum());
    let modes = Table::modes(
        &["frequency_hz", "damping_ratio"],
        &["model_frequency_hz", "mac"],
        |r| {
            (
                vec![id.f_hz[r], id.damping[r]],
                id.shapes[r],
                vec![id.model_f_hz[r], id.macs[r]],
            )
        },
    );
    result.push_table(modes);
    push_lumped(
        result,
        id.masses_kg,
        id.stiffnesses_n_per_m,
        id.dampings_ns_per_m,
    );
}

/// The identified chain per floor.
pub(super) fn push_lumped(result: &mut ToolResult, m: &[f64; 3], k: &[f64; 3], c: &[f64; 3]) {
    let mut lumped = Table::new(
        "lumped_model",
        &["floor", "mass_kg", "stiffness_n_per_m", "damping_ns_per_m"],
    );
    for i in 0..3 {
        lumped.push_numbers(1, &[(i + 1) as f64, m[i], k[i], c[i]]);
    }
    result.push_table(lumped);
}

/// The measured files by content: the platform stores each under its SHA-256 so a profile
/// saved from this result can re-plot its data.
pub(super) fn push_sources(result: &mut ToolResult, p: &ModelUpdateParams) {
    let mut sources = Table::new("sources", &["source", "name", "excitation_floor", "sha256"]);
    for (i, f) in p.files.iter().enumerate() {
        sources.rows.push(vec![
            Value::from(i + 1),
            Value::from(f.name.as_str()),
            Value::from(f.excitation + 1),
            Value::from(f.sha256.as_str()),
        ]);
    }
    result.push_table(sources);
}
