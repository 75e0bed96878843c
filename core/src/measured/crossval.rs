//! The `crossval` tool (measured.md §3.2, §4.3, §5.2): overlay two to six FRF sources —
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

use num_complex::Complex64;
use serde_json::{json, Map, Value};

use super::files::{parse_db, parse_frf_source};
use super::peaks::{find_peaks, Peak};
use super::rig_data;
use super::source;
use crate::lumped::{magnitude_db, FrfType, LumpedModel};
use crate::result::{Series, Table};
use crate::schema::{self, ParamSpec};
use crate::tool::{Category, ToolMeta, TypedTool};
use crate::{Cancel, Progress, ToolError, ToolResult};

const X_LABEL: &str = "Frequency (Hz)";
const MAG_LABEL: &str = "Accelerance (dB)";

/// Cross-validation of measured and numerical FRFs.
#[derive(Debug, Clone, Copy, Default)]
pub struct CrossvalTool;

/// The default sources: each prototype's own files (the original showed the Southampton model
/// in place of the Bristol one).
fn default_sources() -> Value {
    json!([
        {"kind": "db_csv", "rig_file": "crossval/ExpDataSw.csv", "label": "Swansea experiment"},
        {"kind": "db_csv", "rig_file": "crossval/NumDataSw.csv", "label": "Swansea model"},
        {"kind": "db_csv", "rig_file": "crossval/ExpDataSo.csv", "label": "Southampton experiment"},
        {"kind": "db_csv", "rig_file": "crossval/NumDataBr.csv", "label": "Bristol model"},
    ])
}

fn profile_list(key: &str, label: &str, unit: &str) -> ParamSpec {
    ParamSpec::number_list(key, label, unit, Value::Null, 3, 3)
        .min(0.0)
        .describe("For kind profile (inline model): floors/storeys 1..3.")
}

fn source_item() -> Vec<ParamSpec> {
    let rig = rig_data::names();
    vec![
        ParamSpec::choice("kind", "Kind", "db_csv", &["db_csv", "frf_csv", "profile"]).describe(
            "db_csv: dB magnitudes (crossval format); frf_csv: complex FRF file (frfs format); \
             profile: a lumped model.",
        ),
        ParamSpec::text("label", "Label", "", 0, 80).describe("Legend text (default: source i)."),
        ParamSpec::text("path", "File path", "", 1, 4096)
            .describe("For files: path on the machine running the tool."),
        ParamSpec::text("csv_text", "File contents", "", 1, 64 * 1024 * 1024)
            .describe("For files: the file's text (upload)."),
        ParamSpec::choice("rig_file", "Rig file", rig[3], &rig).describe(
            "For files: one of the rig's shipped files (beyond the spec: embedded data).",
        ),
        ParamSpec::text("profile.name", "Profile name", "", 0, 100).describe("For kind profile."),
        profile_list("profile.masses_kg", "Masses m1..m3", "kg"),
        profile_list("profile.stiffnesses_n_per_m", "Stiffnesses k1..k3", "N/m"),
        profile_list("profile.dampings_ns_per_m", "Dampers c1..c3", "N·s/m"),
        ParamSpec::text("profile_id", "Stored profile id", "", 1, 100)
            .optional()
            .describe("For kind profile: a saved profile (resolved by the platform)."),
        ParamSpec::integer("excitation_floor", "Force at floor", 1, 1, 3)
            .optional()
            .describe("For kind profile: the floor the force acts on (default 1)."),
    ]
}

/// The schema of `crossval`.
pub fn crossval_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::object_list("sources", "Sources", default_sources(), source_item(), 2, 6)
            .describe("Source 1 is the reference; metrics compare every other source with it."),
        ParamSpec::number("f_min_hz", "Band start", "Hz", 2.0)
            .min(0.0)
            .describe("Lowest frequency of the comparison band."),
        ParamSpec::number("f_max_hz", "Band end", "Hz", 40.0)
            .min_exclusive(0.0)
            .max(1000.0)
            .describe("Highest frequency of the comparison band."),
        ParamSpec::integer("n_grid", "Comparison grid points", 2000, 10, 100_000)
            .describe("Points of the common grid of FRAC and RMS difference."),
        ParamSpec::integer("n_peaks", "Peaks per floor", 3, 1, 10),
        ParamSpec::number("peak_prominence_db", "Peak prominence", "dB", 3.0)
            .min(0.0)
            .describe("Minimum prominence of a reported peak."),
        ParamSpec::number("peak_min_distance_hz", "Peak spacing", "Hz", 1.0)
            .min(0.0)
            .describe("Minimum spacing of accepted peaks."),
        ParamSpec::number("model_df_hz", "Model frequency step", "Hz", 0.01)
            .min(1e-4)
            .max(1.0)
            .describe("Frequency step of profile FRFs."),
    ]
}

/// An inline lumped model.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineProfile {
    pub masses_kg: [f64; 3],
    pub stiffnesses_n_per_m: [f64; 3],
    pub dampings_ns_per_m: [f64; 3],
}

/// One comparison source, its curves loaded.
#[derive(Debug, Clone)]
pub struct SourceCurves {
    pub label: String,
    /// Per floor x (Hz) and dB.
    pub x_hz: [Vec<f64>; 3],
    pub db: [Vec<f64>; 3],
    /// Complex accelerance aligned with `x_hz[0]` (all floors share it) for complex sources.
    pub complex: Option<Vec<[Complex64; 3]>>,
    /// Whether the curves are computed on the band (profiles) rather than read.
    pub computed: bool,
}

/// The typed parameters.
#[derive(Debug, Clone)]
pub struct CrossvalParams {
    pub sources: Vec<SourceCurves>,
    pub f_min_hz: f64,
    pub f_max_hz: f64,
    pub n_grid: usize,
    pub n_peaks: usize,
    pub peak_prominence_db: f64,
    pub peak_min_distance_hz: f64,
}

/// Three finite numbers at `key` of an inline profile, each positive (`positive`) or ≥ 0.
fn read_triple(
    obj: &Map<String, Value>,
    key: &str,
    prefix: &str,
    positive: bool,
) -> Result<[f64; 3], ToolError> {
    let field = format!("{prefix}.{key}");
    let out = schema::read::triple(obj.get(key), &field)?;
    for (i, &x) in out.iter().enumerate() {
        if (positive && x <= 0.0) || x < 0.0 {
            let want = if positive { "> 0" } else { "≥ 0" };
            return Err(ToolError::invalid(
                &field,
                format!("value {}: {x} must be {want}", i + 1),
            ));
        }
    }
    Ok(out)
}

/// Reads an inline profile (`prefix` = `sources[i].profile`).
pub fn inline_profile(v: &Value, prefix: &str) -> Result<InlineProfile, ToolError> {
    let obj = v
        .as_object()
        .ok_or_else(|| ToolError::invalid(prefix, "expected an object"))?;
    Ok(InlineProfile {
        masses_kg: read_triple(obj, "masses_kg", prefix, true)?,
        stiffnesses_n_per_m: read_triple(obj, "stiffnesses_n_per_m", prefix, true)?,
        dampings_ns_per_m: read_triple(obj, "dampings_ns_per_m", prefix, false)?,
    })
}

fn present(obj: &Map<String, Value>, key: &str) -> bool {
    obj.get(key).is_some_and(|v| !v.is_null())
}

fn load_source(
    obj: &Map<String, Value>,
    i: usize,
    label: String,
    f_min_hz: f64,
    f_max_hz: f64,
    model_df_hz: f64,
    cancel: &Cancel,
) -> Result<SourceCurves, ToolError> {
    let prefix = format!("sources[{i}]");
    let kind = obj.get("kind").and_then(Value::as_str).ok_or_else(|| {
        ToolError::invalid(
            format!("{prefix}.kind"),
            "required: db_csv, frf_csv or profile",
        )
    })?;
    let is_profile = kind == "profile";
    for key in ["profile", "profile_id"] {
        if !is_profile && present(obj, key) {
            return Err(ToolError::invalid(
                format!("{prefix}.{key}"),
                format!("only used by kind profile, not {kind}"),
            ));
        }
    }
    if is_profile {
        for key in source::FILE_KEYS {
            if present(obj, key) {
                return Err(ToolError::invalid(
                    format!("{prefix}.{key}"),
                    "not used by kind profile",
                ));
            }
        }
        let field = format!("{prefix}.profile");
        let profile =
            match (present(obj, "profile"), present(obj, "profile_id")) {
                (true, false) => inline_profile(&obj["profile"], &field)?,
                (false, true) => return Err(ToolError::invalid(
                    format!("{prefix}.profile_id"),
                    "stored profiles are resolved by the platform (server, desktop app) into an \
                     inline profile before the tool runs; this caller did not: give the model as \
                     an inline profile {masses_kg, stiffnesses_n_per_m, dampings_ns_per_m}",
                )),
                _ => {
                    return Err(ToolError::invalid(
                        &prefix,
                        "kind profile needs exactly one of profile (inline) or profile_id",
                    ))
                }
            };
        let q = obj
            .get("excitation_floor")
            .and_then(Value::as_f64)
            .unwrap_or(1.0) as usize;
        let n = ((f_max_hz - f_min_hz) / model_df_hz + 1e-9).floor() as usize + 1;
        let grid: Vec<f64> = (0..n).map(|k| f_min_hz + k as f64 * model_df_hz).collect();
        let model = LumpedModel::chain(
            &profile.masses_kg,
            &profile.stiffnesses_n_per_m,
            &profile.dampings_ns_per_m,
        );
        let a = model
            .frf(q, FrfType::Accelerance, &grid, cancel)
            .map_err(|_| ToolError::invalid(format!("{field}.dampings_ns_per_m"), "the model's FRF is singular in the band (an undamped mode on the grid): add damping"))?;
        return Ok(complex_curves(label, grid, a, true));
    }
    let text = source::load(obj, &prefix)?;
    if kind == "db_csv" {
        let d = parse_db(&text.text, &text.field)?;
        Ok(SourceCurves {
            label,
            x_hz: d.x_hz,
            db: d.db,
            complex: None,
            computed: false,
        })
    } else {
        let d = parse_frf_source(&text)?;
        Ok(complex_curves(label, d.freqs_hz, d.values, false))
    }
}

fn complex_curves(
    label: String,
    x: Vec<f64>,
    a: Vec<[Complex64; 3]>,
    computed: bool,
) -> SourceCurves {
    let db: [Vec<f64>; 3] = std::array::from_fn(|j| a.iter().map(|h| magnitude_db(h[j])).collect());
    SourceCurves {
        label,
        x_hz: [x.clone(), x.clone(), x],
        db,
        complex: Some(a),
        computed,
    }
}

impl CrossvalParams {
    /// Validates, loads every source and returns the typed parameters with the echo.
    pub fn parse(params: &Value, cancel: &Cancel) -> Result<(Self, Value), ToolError> {
        let mut filled = schema::validate(&crossval_params(), params)?;
        let (f_min_hz, f_max_hz) = super::band_hz(&filled)?;
        let model_df_hz = schema::number_at(&filled, "model_df_hz")?;
        let items = filled["sources"].as_array().cloned().unwrap_or_default();
        let mut sources = Vec::with_capacity(items.len());
        let mut echo = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let obj = item
                .as_object()
                .ok_or_else(|| ToolError::invalid(format!("sources[{i}]"), "expected an object"))?;
            let label = match obj.get("label").and_then(Value::as_str) {
                Some(l) if !l.trim().is_empty() => l.to_string(),
                _ => format!("source {}", i + 1),
            };
            let mut e = obj.clone();
            e.insert("label".into(), Value::from(label.clone()));
            if obj.get("kind").and_then(Value::as_str) == Some("profile")
                && !present(obj, "excitation_floor")
            {
                e.insert("excitation_floor".into(), Value::from(1));
            }
            echo.push(Value::Object(e));
            sources.push(load_source(
                obj,
                i,
                label,
                f_min_hz,
                f_max_hz,
                model_df_hz,
                cancel,
            )?);
        }
        filled["sources"] = Value::Array(echo);
        let p = Self {
            sources,
            f_min_hz,
            f_max_hz,
            n_grid: schema::number_at(&filled, "n_grid")? as usize,
            n_peaks: schema::number_at(&filled, "n_peaks")? as usize,
            peak_prominence_db: schema::number_at(&filled, "peak_prominence_db")?,
            peak_min_distance_hz: schema::number_at(&filled, "peak_min_distance_hz")?,
        };
        p.check_coverage()?;
        Ok((p, filled))
    }

    fn check_coverage(&self) -> Result<(), ToolError> {
        for (s, src) in self.sources.iter().enumerate().filter(|(_, s)| !s.computed) {
            for j in 0..3 {
                let x = &src.x_hz[j];
                let (lo, hi) = (x[0], x[x.len() - 1]);
                let field = if lo > self.f_min_hz {
                    "f_min_hz"
                } else if hi < self.f_max_hz {
                    "f_max_hz"
                } else {
                    continue;
                };
                return Err(ToolError::invalid(
                    field,
                    format!(
                        "source {} ({}) covers only {lo}–{hi} Hz on floor {}, not the band {}–{} Hz",
                        s + 1,
                        src.label,
                        j + 1,
                        self.f_min_hz,
                        self.f_max_hz
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Indices of the curve's points inside the band (all points of a computed curve).
    fn band_range(&self, src: &SourceCurves, j: usize) -> std::ops::Range<usize> {
        let x = &src.x_hz[j];
        if src.computed {
            return 0..x.len();
        }
        let lo = x.partition_point(|v| *v < self.f_min_hz);
        let hi = x.partition_point(|v| *v <= self.f_max_hz);
        lo..hi
    }
}

/// Linear interpolation of y(x) at t (x increasing), clamped at the ends.
pub fn interp(x: &[f64], y: &[f64], t: f64) -> f64 {
    let n = x.len();
    if t <= x[0] {
        return y[0];
    }
    if t >= x[n - 1] {
        return y[n - 1];
    }
    let k = x.partition_point(|v| *v <= t).clamp(1, n - 1);
    let (x0, x1) = (x[k - 1], x[k]);
    y[k - 1] + (y[k] - y[k - 1]) * (t - x0) / (x1 - x0)
}

/// FRAC and RMS dB difference of two curves on the common grid.
pub fn frac_rms(grid: &[f64], a: (&[f64], &[f64]), b: (&[f64], &[f64])) -> (f64, f64) {
    let (mut sab, mut saa, mut sbb, mut sd2) = (0.0, 0.0, 0.0, 0.0);
    for &g in grid {
        let da = interp(a.0, a.1, g);
        let db = interp(b.0, b.1, g);
        let (la, lb) = (10f64.powf(da / 20.0), 10f64.powf(db / 20.0));
        sab += la * lb;
        saa += la * la;
        sbb += lb * lb;
        sd2 += (da - db) * (da - db);
    }
    (sab * sab / (saa * sbb), (sd2 / grid.len() as f64).sqrt())
}

/// MAC of two complex vectors.
pub fn mac_complex(u: &[Complex64; 3], v: &[Complex64; 3]) -> f64 {
    let uv: Complex64 = u.iter().zip(v).map(|(a, b)| a.conj() * b).sum();
    let uu: f64 = u.iter().map(|a| a.norm_sqr()).sum();
    let vv: f64 = v.iter().map(|a| a.norm_sqr()).sum();
    uv.norm_sqr() / (uu * vv)
}

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

/// Mode peaks and operating deflection shapes of a complex source.
fn ods(p: &CrossvalParams, src: &SourceCurves) -> Option<Vec<(f64, [Complex64; 3])>> {
    let a = src.complex.as_ref()?;
    let r = p.band_range(src, 0);
    let x = &src.x_hz[0][r.clone()];
    let a = &a[r];
    let sum: Vec<f64> = a
        .iter()
        .map(|h| 20.0 * h.iter().map(|z| z.norm()).sum::<f64>().log10())
        .collect();
    let pk = find_peaks(
        x,
        &sum,
        p.peak_prominence_db,
        p.peak_min_distance_hz,
        p.n_peaks,
    );
    Some(pk.iter().map(|k| (k.x, a[k.index])).collect())
}

fn mac_table(p: &CrossvalParams, result: &mut ToolResult) -> Option<Table> {
    let reference = ods(p, &p.sources[0])?;
    let mut table = Table::new(
        "mac",
        &[
            "source",
            "mode",
            "reference_frequency_hz",
            "frequency_hz",
            "mac",
        ],
    );
    for (s, src) in p.sources.iter().enumerate().skip(1) {
        let Some(modes) = ods(p, src) else { continue };
        for (r, ((f1, u), (fs, v))) in reference.iter().zip(&modes).enumerate() {
            let mac = mac_complex(u, v);
            result.set(&format!("source_{}_mode_{}_mac", s + 1, r + 1), mac);
            table.push_numbers(2, &[(s + 1) as f64, (r + 1) as f64, *f1, *fs, mac]);
        }
    }
    (!table.rows.is_empty()).then_some(table)
}

impl TypedTool for CrossvalTool {
    const META: ToolMeta = ToolMeta {
        id: "crossval",
        title: "Cross-validation of FRFs",
        category: Category::RecordedData,
        description: "Overlays measured and numerical FRFs (dB files of the partner prototypes, complex FRF \
             files, lumped models) floor by floor and compares them with the first: peak frequencies \
             and errors, FRAC, RMS dB difference and MAC.",
        heavy: false,
    };
    type Params = CrossvalParams;
    fn param_specs() -> Vec<ParamSpec> {
        crossval_params()
    }
    fn parse(
        raw: &Value,
        progress: &Progress,
        cancel: &Cancel,
    ) -> Result<(Self::Params, Value), ToolError> {
        progress.report(0.0, "reading the sources");
        CrossvalParams::parse(raw, cancel)
    }
    fn run(
        p: Self::Params,
        echo: Value,
        progress: &Progress,
        cancel: &Cancel,
    ) -> Result<ToolResult, ToolError> {
        run_crossval(&p, echo, progress, cancel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_and_metrics_of_identical_curves() {
        let x = [1.0, 2.0, 4.0];
        let y = [0.0, 10.0, 30.0];
        assert_eq!(interp(&x, &y, 3.0), 20.0);
        assert_eq!(interp(&x, &y, 0.5), 0.0);
        assert_eq!(interp(&x, &y, 5.0), 30.0);
        let grid = [1.0, 1.5, 2.5, 4.0];
        let (frac, rms) = frac_rms(&grid, (&x, &y), (&x, &y));
        assert!((frac - 1.0).abs() < 1e-15 && rms == 0.0);
        let u = [
            Complex64::new(1.0, 2.0),
            Complex64::new(0.0, -1.0),
            Complex64::new(3.0, 0.5),
        ];
        let v = u.map(|z| z * Complex64::new(0.0, 2.0));
        assert!((mac_complex(&u, &v) - 1.0).abs() < 1e-15);
    }
}
