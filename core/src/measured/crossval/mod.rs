//! The `crossval` tool (docs/measured.md §3.2, §4.3, §5.2): overlay two to six FRF sources —
//! measured dB files of the partner prototypes, complex FRF files or lumped models (profiles) —
//! and compute validation metrics of every source against source 1.
//!
//! - Curves (per source s and floor j, x in Hz, dB): `db_csv` as stored (5-field files: floor 2
//!   has its own x column); `frf_csv`: `20 log10 |A|`; `profile`: the chain's accelerance for the
//!   force at `excitation_floor` on `f_i = f_min + i·model_df`, `i = 0..⌊(f_max − f_min)/df + 1e-9⌋`.
//! - Peaks: the points in [f_min, f_max], peak rules of [`super::peaks`]; peak r of source s
//!   against peak r of source 1 on the same floor: `error = 100 (f_s − f_1)/f_1`.
//! - Common grid: `n_grid` points linspace(f_min, f_max); dB linearly interpolated in x (clamped
//!   at the ends), then `a = 10^(dB/20)`: `FRAC = (Σ a b)² / (Σ a² Σ b²)`,
//!   `RMS = √mean((dB_a − dB_b)²)`.
//! - MAC (complex sources only): mode frequencies = peaks of `20 log10 Σ_j |A_j|` in the band,
//!   operating deflection shape = `(A_1, A_2, A_3)` at that sample,
//!   `MAC = |uᴴv|² / (uᴴu · vᴴv)` for the same r.
//!
//! Unlike the original app, every source is chosen by the user (the Bristol model is read from
//! its own file) and a missing file is an error of that source only.

mod metrics;
mod params;

use serde_json::{json, Value};

use self::metrics::mac_table;
use super::peaks::{find_peaks, Peak};
use crate::result::{Series, Table};
use crate::schema::ParamSpec;
use crate::tool::{Category, Parsed, RunResult, ToolMeta, TypedTool};
use crate::ResultSize;
use crate::{Cancel, Progress, ToolError, ToolResult};

pub use self::metrics::{frac_rms, interp, mac_complex};
pub use self::params::{
    crossval_params, inline_profile, CrossvalParams, InlineProfile, SourceCurves,
};

const X_LABEL: &str = "Frequency (Hz)";
const MAG_LABEL: &str = "Accelerance (dB)";

/// Cross-validation of measured and numerical FRFs.
#[derive(Debug, Clone, Copy, Default)]
pub struct CrossvalTool;

/// Runs `crossval`.
pub fn run_crossval(
    p: &CrossvalParams,
    echo: Value,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ToolResult, ToolError> {
    let mut result = ToolResult::new("crossval", echo);
    let n_src = p.sources.len();
    // Peaks per source and floor.
    let mut peaks: Vec<[Vec<Peak>; 3]> = Vec::with_capacity(n_src);
    for (s, src) in p.sources.iter().enumerate() {
        let per_floor: [Vec<Peak>; 3] = std::array::from_fn(|j| {
            let r = p.band_range(src, j);
            find_peaks(
                &src.x_hz[j][r.clone()],
                &src.db[j][r],
                p.peak_prominence_db,
                p.peak_min_distance_hz,
                p.n_peaks,
            )
        });
        for (j, pk) in per_floor.iter().enumerate() {
            if pk.len() < p.n_peaks {
                result.warn(format!(
                    "source {} ({}), floor {}: {} of {} peaks found with prominence ≥ {} dB",
                    s + 1,
                    src.label,
                    j + 1,
                    pk.len(),
                    p.n_peaks,
                    p.peak_prominence_db
                ));
            }
        }
        peaks.push(per_floor);
    }
    cancel.check()?;
    progress.report(0.3, "computing the metrics");
    let mut peak_table = Table::new(
        "peaks",
        &[
            "source",
            "label",
            "floor",
            "peak",
            "frequency_hz",
            "prominence_db",
            "error_percent",
        ],
    );
    let mut metrics = Table::new(
        "metrics",
        &["source", "label", "floor", "frac", "rms_difference_db"],
    );
    let grid: Vec<f64> = (0..p.n_grid)
        .map(|i| p.f_min_hz + (p.f_max_hz - p.f_min_hz) * i as f64 / (p.n_grid - 1) as f64)
        .collect();
    let reference = &p.sources[0];
    for (s, src) in p.sources.iter().enumerate() {
        let sn = s + 1;
        let mut max_err: Option<f64> = None;
        for j in 0..3 {
            for (r, pk) in peaks[s][j].iter().enumerate() {
                let key = format!("source_{sn}_floor_{}_peak_{}", j + 1, r + 1);
                result.set(&format!("{key}_hz"), pk.x);
                let err = (s > 0)
                    .then(|| peaks[0][j].get(r))
                    .flatten()
                    .map(|p1| 100.0 * (pk.x - p1.x) / p1.x);
                if let Some(e) = err {
                    result.set(&format!("{key}_error_percent"), e);
                    max_err = Some(max_err.map_or(e.abs(), |m: f64| m.max(e.abs())));
                }
                peak_table.rows.push(vec![
                    Value::from(sn),
                    Value::from(src.label.clone()),
                    Value::from(j + 1),
                    Value::from(r + 1),
                    json!(pk.x),
                    json!(pk.prominence),
                    // "" (not null: a result table holds no nulls) where nothing is compared.
                    err.map_or(Value::from(""), |e| json!(e)),
                ]);
            }
        }
        if s == 0 {
            continue;
        }
        let mut sum_frac = 0.0;
        for j in 0..3 {
            let (frac, rms) = frac_rms(
                &grid,
                (&reference.x_hz[j], &reference.db[j]),
                (&src.x_hz[j], &src.db[j]),
            );
            result.set(&format!("source_{sn}_floor_{}_frac", j + 1), frac);
            result.set(
                &format!("source_{sn}_floor_{}_rms_difference_db", j + 1),
                rms,
            );
            metrics.rows.push(vec![
                Value::from(sn),
                Value::from(src.label.clone()),
                Value::from(j + 1),
                json!(frac),
                json!(rms),
            ]);
            sum_frac += frac;
        }
        result.set(&format!("source_{sn}_mean_frac"), sum_frac / 3.0);
        if let Some(m) = max_err {
            result.set(&format!("source_{sn}_max_abs_peak_error_percent"), m);
        }
    }
    cancel.check()?;
    progress.report(0.7, "shaping the result");
    let mac = mac_table(p, &mut result);
    result.push_table(peak_table);
    result.push_table(metrics);
    if let Some(t) = mac {
        result.push_table(t);
    }
    for (s, src) in p.sources.iter().enumerate() {
        for j in 0..3 {
            let r = p.band_range(src, j);
            result.push_series(Series::new(
                format!("source_{}_floor_{}_magnitude", s + 1, j + 1),
                X_LABEL,
                MAG_LABEL,
                src.x_hz[j][r.clone()].to_vec(),
                src.db[j][r].to_vec(),
            ));
        }
    }
    progress.report(1.0, "done");
    Ok(result)
}

impl TypedTool for CrossvalTool {
    const META: ToolMeta = ToolMeta {
        id: "crossval",
        title: "Cross-validation of FRFs",
        category: Category::RecordedData,
        description: "Overlays measured and numerical FRFs (dB files of the partner prototypes, \
            complex FRF files, lumped models) floor by floor and compares them with the first: \
            peak frequencies and errors, FRAC, RMS dB difference and MAC.",
        heavy: false,
    };
    type Params = CrossvalParams;
    fn param_specs() -> Vec<ParamSpec> {
        crossval_params()
    }
    fn parse(raw: &Value, progress: &Progress, cancel: &Cancel) -> Parsed<Self::Params> {
        progress.report(0.0, "reading the sources");
        CrossvalParams::parse(raw, cancel)
    }
    fn run(p: Self::Params, echo: Value, progress: &Progress, cancel: &Cancel) -> RunResult {
        run_crossval(&p, echo, progress, cancel)
    }
    /// Per source and floor one series of the curve's points in the band (x and y), plus the
    /// peaks, metrics and MAC tables. Computed curves (profiles) sit on the `model_df_hz`
    /// grid, which then drives the size; read files only count.
    fn result_values(p: &Self::Params) -> ResultSize {
        let points = |s: &params::SourceCurves| s.x_hz.iter().map(Vec::len).sum::<usize>() as f64;
        let read: f64 = p.sources.iter().filter(|s| !s.computed).map(points).sum();
        let computed: f64 = p.sources.iter().filter(|s| s.computed).map(points).sum();
        let tables = 30.0 * p.n_peaks as f64 * p.sources.len() as f64 + 300.0;
        if computed > 0.0 {
            // computed points ≈ (band / df + 1) per floor and source: inverse in df.
            ResultSize::inverse(
                "model_df_hz",
                p.model_df_hz,
                2.0 * computed * p.model_df_hz,
                2.0 * read + tables + 6.0 * p.sources.len() as f64,
            )
            .unit(" Hz")
        } else {
            ResultSize::fixed("sources", 2.0 * read + tables)
        }
    }
}
