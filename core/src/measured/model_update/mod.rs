//! The `model-update` tool (docs/measured.md §3.1, §4.2, §5.1): identify three modes from one FRF
//! file (force at one floor) or from three files (force at floors 1, 2 and 3), then the
//! physical chain — floor masses, storey stiffnesses and storey dampers — whose result tables
//! `lumped_model` and `modes` are what a saved profile stores.
//!
//! Flow: parse and convert every file to SI accelerance (× `amplitude_scale`; mobility × iω;
//! receptance × (−ω²)), keep the lines with `f_min_hz ≤ f ≤ f_max_hz` (≥ 20), take start values
//! from the three most prominent maxima of `20 log10 Σ_columns |Y|` (ζ⁰ = 0.01), fit the poles
//! and real modal constants ([`super::modal_fit`]), build the chain ([`super::chain`]) and
//! compare the chain with the data (round trip, `model_*` keys). With three files each file is
//! also fitted alone: poles differing by more than 1 % are reported (the structure changed
//! between the tests).

mod fit;
mod legacy;
mod params;
mod result;

use serde_json::Value;

use self::fit::{band, fit_band, model_frfs, start_frequencies, warn};
use self::legacy::run_legacy;
use self::result::{push_constants, push_identified, push_series, push_sources, Identified};
use super::{chain, source};
use crate::lumped::LumpedModel;
use crate::schema::ParamSpec;
use crate::tool::{Category, KeptFile, Parsed, RunResult, ToolMeta, TypedTool};
use crate::ResultSize;
use crate::{Cancel, Progress, ToolError, ToolResult};

pub use self::params::{model_update_params, LoadedFrf, Method, ModelUpdateParams, Quantity};

/// Fewest band lines accepted.
pub const MIN_BAND_LINES: usize = 20;
/// Start value of every damping ratio.
pub const START_ZETA: f64 = 0.01;
/// Minimum spacing (Hz) of the start frequencies.
pub const START_PEAK_DISTANCE_HZ: f64 = 0.5;
/// Pole spread between separately fitted files that triggers the "structure changed" warning.
pub const POLE_SPREAD_LIMIT: f64 = 0.01;

/// Identification of modes and a lumped chain from measured FRFs.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelUpdateTool;

/// Runs `model-update`.
pub fn run_model_update(
    p: &ModelUpdateParams,
    echo: Value,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ToolResult, ToolError> {
    if p.method == Method::LegacyCircleFit {
        return run_legacy(p, echo, progress, cancel);
    }
    let b = band(p)?;
    let start = start_frequencies(&b)?;
    progress.report(0.1, "fitting the modal model");
    let fit = fit_band(&b, p, start, cancel)?;
    cancel.check()?;
    progress.report(0.5, "building the lumped model");
    let excitation: Vec<usize> = p.files.iter().map(|f| f.excitation).collect();
    let shapes = chain::mode_shapes(&fit.constants, &excitation)?;
    let ch = chain::identify(&fit.f_hz, &fit.zeta, &shapes)?;
    let model = LumpedModel::chain(
        &ch.masses_kg,
        &ch.stiffnesses_n_per_m,
        &ch.dampings_ns_per_m,
    );
    let (model_lambda, _) = chain::chain_modes(&ch.masses_kg, &ch.stiffnesses_n_per_m)
        .ok_or_else(|| ToolError::failed("the eigenproblem of the identified chain failed"))?;
    let model_f: [f64; 3] = model_lambda.map(|l| l.sqrt() / std::f64::consts::TAU);
    let damped = model.damped_modes()?;
    let macs: [f64; 3] = std::array::from_fn(|r| {
        let v = ch.modes[r];
        chain::mac_real(&[v[0], v[1], v[2]], &shapes[r])
    });

    let (model_frf, model_fit_error_percent) = model_frfs(&model, p, &b, cancel)?;
    progress.report(0.8, "shaping the result");

    let mut result = ToolResult::new("model-update", echo);
    push_identified(
        &mut result,
        &Identified {
            f_hz: &fit.f_hz,
            damping: &fit.zeta,
            shapes: &shapes,
            masses_kg: &ch.masses_kg,
            stiffnesses_n_per_m: &ch.stiffnesses_n_per_m,
            dampings_ns_per_m: &ch.dampings_ns_per_m,
            model_f_hz: &model_f,
            model_zeta: &damped.damping_ratio,
            macs: &macs,
        },
    );
    result.set("modal_fit_error_percent", fit.error_percent());
    result.set("model_fit_error_percent", model_fit_error_percent);

    push_series(&mut result, p, &b, Some(&fit), &model_frf);
    push_constants(&mut result, p, &fit);
    push_sources(&mut result, p);
    warn(&mut result, p, &b, &fit, &ch, &macs, cancel)?;
    for w in damped.warnings {
        result.warn(w);
    }
    progress.report(1.0, "done");
    Ok(result)
}

impl TypedTool for ModelUpdateTool {
    const META: ToolMeta = ToolMeta {
        id: "model-update",
        title: "Model update from measured FRFs",
        category: Category::RecordedData,
        description: "Identifies natural frequencies, damping ratios and mass-normalised mode \
            shapes from one or three measured FRF files, and the physical lumped model (floor \
            masses, storey stiffnesses and dampers) to save as a profile.",
        heavy: false,
    };
    type Params = ModelUpdateParams;
    fn param_specs() -> Vec<ParamSpec> {
        model_update_params()
    }
    fn parse(raw: &Value, progress: &Progress, _: &Cancel) -> Parsed<Self::Params> {
        progress.report(0.0, "reading the FRF files");
        ModelUpdateParams::parse(raw)
    }
    /// The measured files of the `sources` table (docs/measured.md §7): each `frfs[i]` is read
    /// again the way the run read it and kept only when its SHA-256 is the one row i names (a
    /// path rewritten meanwhile is skipped).
    fn kept_files(result: &ToolResult) -> Vec<KeptFile> {
        let Some(table) = result.tables.iter().find(|t| t.name == "sources") else {
            return Vec::new();
        };
        let items = result.params.get("frfs").and_then(Value::as_array);
        let mut kept = Vec::new();
        for (i, item) in items.into_iter().flatten().enumerate() {
            let (Some(obj), Some(row)) = (item.as_object(), table.rows.get(i)) else {
                continue;
            };
            let Ok(text) = source::load(obj, &format!("frfs[{i}]")) else {
                continue;
            };
            let sha256 = source::sha256_hex(&text);
            if row.get(3).and_then(Value::as_str) == Some(sha256.as_str()) {
                kept.push(KeptFile {
                    sha256,
                    name: text.name,
                    text: text.text.into_owned(),
                });
            }
        }
        kept
    }
    fn run(p: Self::Params, echo: Value, progress: &Progress, cancel: &Cancel) -> RunResult {
        run_model_update(&p, echo, progress, cancel)
    }
    /// Per file and floor, at most eight series (measured, fit, model, residual: magnitude and
    /// phase) of x and y on the band's points of the first file, plus small tables.
    fn result_values(p: &Self::Params) -> ResultSize {
        let band = p.files.first().map_or(0, |f| {
            f.data
                .freqs_hz
                .iter()
                .filter(|&&x| x >= p.f_min_hz && x <= p.f_max_hz)
                .count()
        });
        let series = 8.0 * 3.0 * p.files.len() as f64;
        ResultSize::fixed("frfs", 2.0 * series * band as f64 + 500.0)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run_default() -> ToolResult {
        crate::run(
            "model-update",
            &json!({}),
            &Progress::none(),
            &Cancel::new(),
        )
        .unwrap()
    }

    #[test]
    fn kept_files_are_the_sources_with_their_digests() {
        let result = run_default();
        let kept = crate::kept_files(&result);
        let table = result.tables.iter().find(|t| t.name == "sources").unwrap();
        assert!(!kept.is_empty());
        assert_eq!(kept.len(), table.rows.len());
        for (k, row) in kept.iter().zip(&table.rows) {
            assert_eq!(row[3].as_str(), Some(k.sha256.as_str()));
            assert_eq!(row[1].as_str(), Some(k.name.as_str()));
            assert!(!k.text.is_empty());
        }
    }

    #[test]
    fn a_file_whose_digest_differs_is_not_kept() {
        let mut result = run_default();
        let table = result
            .tables
            .iter_mut()
            .find(|t| t.name == "sources")
            .unwrap();
        table.rows[0][3] = Value::from("0".repeat(64));
        assert_eq!(crate::kept_files(&result).len(), table_len(&result) - 1);
        result.tables.retain(|t| t.name != "sources");
        assert!(crate::kept_files(&result).is_empty());
        let mut other = run_default();
        other.tool = "modal".into();
        assert!(crate::kept_files(&other).is_empty());
    }

    fn table_len(result: &ToolResult) -> usize {
        result
            .tables
            .iter()
            .find(|t| t.name == "sources")
            .map_or(0, |t| t.rows.len())
    }
}
