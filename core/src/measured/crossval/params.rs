//! Parameters of `crossval` (docs/measured.md §3.2): the schema of the source list and the band,
//! and the typed parameters with every source loaded as dB curves (and complex FRFs when the
//! source has them).

use num_complex::Complex64;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::super::files::{parse_db, parse_frf_source};
use super::super::rig_data;
use super::super::source;
use crate::lumped::{magnitude_db, FrfType, LumpedModel};
use crate::schema::{self, ParamSpec};
use crate::{Cancel, ToolError};

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
    /// Step of the computed (profile) curves' grid.
    pub model_df_hz: f64,
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

/// The parameters as the schema fills them in (the sources are read item by item).
#[derive(Debug, Deserialize)]
struct CrossvalInput {
    f_min_hz: f64,
    f_max_hz: f64,
    model_df_hz: f64,
    sources: Vec<Value>,
    n_grid: usize,
    n_peaks: usize,
    peak_prominence_db: f64,
    peak_min_distance_hz: f64,
}

impl CrossvalParams {
    /// Validates, loads every source and returns the typed parameters with the echo.
    pub fn parse(params: &Value, cancel: &Cancel) -> Result<(Self, Value), ToolError> {
        schema::parse_checked(&crossval_params(), params, |v, echo| {
            Self::load(v, echo, cancel)
        })
    }

    /// Loads every source of the schema-checked input; the echo gets each source's label.
    fn load(v: CrossvalInput, filled: &mut Value, cancel: &Cancel) -> Result<Self, ToolError> {
        let (f_min_hz, f_max_hz) = (v.f_min_hz, v.f_max_hz);
        crate::measured::check_band(f_min_hz, f_max_hz)?;
        let model_df_hz = v.model_df_hz;
        let items = v.sources;
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
            n_grid: v.n_grid,
            n_peaks: v.n_peaks,
            peak_prominence_db: v.peak_prominence_db,
            peak_min_distance_hz: v.peak_min_distance_hz,
            model_df_hz,
        };
        p.check_coverage()?;
        Ok(p)
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
    pub(super) fn band_range(&self, src: &SourceCurves, j: usize) -> std::ops::Range<usize> {
        let x = &src.x_hz[j];
        if src.computed {
            return 0..x.len();
        }
        let lo = x.partition_point(|v| *v < self.f_min_hz);
        let hi = x.partition_point(|v| *v <= self.f_max_hz);
        lo..hi
    }
}
