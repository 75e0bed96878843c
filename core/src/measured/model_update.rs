//! The `model-update` tool (measured.md §3.1, §4.2, §5.1): identify three modes from one FRF
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

use num_complex::Complex64;
use serde_json::{json, Map, Value};

use super::chain::{self, Chain};
use super::files::{parse_frf_source, FrfFile};
use super::legacy_circle_fit::legacy_fit;
use super::modal_fit::{self, ModalFit};
use super::peaks::find_peaks;
use super::rig_data::FRF_FILES;
use super::source;
use crate::lumped::{magnitude_db, phase_deg, FrfType, LumpedModel};
use crate::result::{Series, Table};
use crate::schema::{self, ParamSpec};
use crate::tool::{Category, ToolMeta, TypedTool};
use crate::{Cancel, Progress, ToolError, ToolResult};

const X_LABEL: &str = "Frequency (Hz)";
const MAG_LABEL: &str = "Accelerance (dB re 1 (m/s²)/N)";
const PHASE_LABEL: &str = "Phase (deg)";
/// The fit-quality figure: the lumped model's magnitude minus the measured one.
const RESIDUAL_LABEL: &str = "Model − measured (dB)";
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

/// What the files hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Accelerance,
    Mobility,
    Receptance,
}

impl Quantity {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "accelerance" => Some(Self::Accelerance),
            "mobility" => Some(Self::Mobility),
            "receptance" => Some(Self::Receptance),
            _ => None,
        }
    }

    /// Factor turning a file value at ω into accelerance.
    fn to_accelerance(self, omega: f64) -> Complex64 {
        match self {
            Self::Accelerance => Complex64::new(1.0, 0.0),
            Self::Mobility => Complex64::new(0.0, omega),
            Self::Receptance => Complex64::new(-omega * omega, 0.0),
        }
    }
}

/// The item schema of one FRF file.
fn frf_item() -> Vec<ParamSpec> {
    vec![
        ParamSpec::choice("rig_file", "Rig file", FRF_FILES[0], &FRF_FILES)
            .optional()
            .describe("One of the rig's shipped FRF files (embedded data; beyond the spec)."),
        ParamSpec::text(
            "csv_text",
            "FRF file",
            "",
            1,
            source::MAX_FILE_BYTES as usize,
        )
        .file(".csv,.txt")
        .optional()
        .describe(
            "A `;`-separated complex FRF file (f; floor 1; floor 2; floor 3); choose \
                 — none — as rig file when you upload one.",
        ),
        ParamSpec::text("path", "File path", "", 1, 4096)
            .optional()
            .describe("Path of the file on the machine running the tool (CLI)."),
        ParamSpec::integer("excitation_floor", "Force at floor", 1, 1, 3)
            .optional()
            .describe("Floor the force acted on; empty: the entry's position (1, 2, 3)."),
    ]
}

/// The schema of `model-update`.
pub fn model_update_params() -> Vec<ParamSpec> {
    let default_frfs: Vec<Value> = FRF_FILES
        .iter()
        .enumerate()
        .map(|(i, f)| json!({"rig_file": f, "excitation_floor": i + 1}))
        .collect();
    vec![
        ParamSpec::object_list(
            "frfs",
            "Measured FRF files",
            Value::from(default_frfs),
            frf_item(),
            1,
            3,
        )
        .describe(
            "One file, or three with the force at floors 1, 2 and 3. Each entry gives exactly \
                 one of path, csv_text (upload) or rig_file (a shipped rig file). Default: the \
                 rig's three files.",
        ),
        ParamSpec::choice(
            "quantity",
            "Quantity in the files",
            "accelerance",
            &["accelerance", "mobility", "receptance"],
        )
        .describe("accelerance (m/s²)/N, mobility (m/s)/N or receptance m/N (after scaling)."),
        ParamSpec::number("amplitude_scale", "Amplitude scale", "", 1.0)
            .min_exclusive(0.0)
            .describe("Factor turning the file values into SI units, e.g. 9.80665 for g/N."),
        ParamSpec::number("f_min_hz", "Band start", "Hz", 3.0)
            .min(0.0)
            .describe("Lowest frequency of the analysis band (inclusive)."),
        ParamSpec::number("f_max_hz", "Band end", "Hz", 40.0)
            .min_exclusive(0.0)
            .describe("Highest frequency of the analysis band (inclusive)."),
        ParamSpec::choice(
            "method",
            "Method",
            "modal-ls",
            &["modal-ls", "legacy-circle-fit"],
        )
        .describe(
            "modal-ls: least-squares modal fit (poles by variable projection), masses from the \
             mass-normalised shapes, stiffnesses matching the frequencies exactly. \
             legacy-circle-fit: the original app's circle-fit profile generator on the first \
             file, for comparison (damping about 4× too high).",
        ),
    ]
}

/// One loaded file, converted to SI accelerance.
#[derive(Debug, Clone)]
pub struct LoadedFrf {
    /// 0-based excited floor.
    pub excitation: usize,
    pub name: String,
    pub field: String,
    /// SHA-256 of the file's text (hex): the platform stores the file under it.
    pub sha256: String,
    pub data: FrfFile,
}

/// The identification method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Least-squares modal fit and a physical chain (§4.2).
    ModalLs,
    /// The original app's circle fit (§4.5), for comparison.
    LegacyCircleFit,
}

/// The typed parameters.
#[derive(Debug, Clone)]
pub struct ModelUpdateParams {
    pub files: Vec<LoadedFrf>,
    pub f_min_hz: f64,
    pub f_max_hz: f64,
    pub method: Method,
}

fn item_object<'a>(item: &'a Value, prefix: &str) -> Result<&'a Map<String, Value>, ToolError> {
    item.as_object()
        .ok_or_else(|| ToolError::invalid(prefix, "expected an object"))
}

impl ModelUpdateParams {
    /// Validates, loads the files and returns the typed parameters with the echo.
    pub fn parse(params: &Value) -> Result<(Self, Value), ToolError> {
        let mut filled = schema::validate(&model_update_params(), params)?;
        let (f_min_hz, f_max_hz) = super::band_hz(&filled)?;
        let method = match schema::text_at(&filled, "method")? {
            "legacy-circle-fit" => Method::LegacyCircleFit,
            _ => Method::ModalLs,
        };
        let scale = schema::number_at(&filled, "amplitude_scale")?;
        let quantity = Quantity::parse(schema::text_at(&filled, "quantity")?)
            .ok_or_else(|| ToolError::invalid("quantity", "unknown quantity"))?;
        let items = filled
            .get("frfs")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| ToolError::invalid("frfs", "expected a list"))?;
        if items.len() == 2 {
            return Err(ToolError::invalid(
                "frfs",
                "give one file, or three files with force at floors 1, 2 and 3",
            ));
        }
        let mut floors = Vec::with_capacity(items.len());
        let mut echo_items = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let prefix = format!("frfs[{i}]");
            let obj = item_object(item, &prefix)?;
            let field = format!("{prefix}.excitation_floor");
            let q = match obj.get("excitation_floor") {
                None | Some(Value::Null) => i as i64 + 1,
                Some(v) => v
                    .as_f64()
                    .filter(|x| x.fract() == 0.0 && (1.0..=3.0).contains(x))
                    .ok_or_else(|| ToolError::invalid(&field, "must be 1, 2 or 3"))?
                    as i64,
            };
            if !(1..=3).contains(&q) {
                return Err(ToolError::invalid(
                    &field,
                    format!(
                        "{q} is outside the valid range 1..=3 (entry {} defaults to {q})",
                        i + 1
                    ),
                ));
            }
            if let Some(j) = floors.iter().position(|&f| f == q) {
                return Err(ToolError::invalid(
                    &field,
                    format!("floor {q} is already the excitation floor of frfs[{j}]; floors must be distinct"),
                ));
            }
            floors.push(q);
            let mut echo = obj.clone();
            echo.insert("excitation_floor".into(), Value::from(q));
            echo_items.push(Value::Object(echo));
        }
        let mut files = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let prefix = format!("frfs[{i}]");
            let text = source::load(item_object(item, &prefix)?, &prefix)?;
            let mut data = parse_frf_source(&text)?;
            for (f, v) in data.freqs_hz.iter().zip(data.values.iter_mut()) {
                let factor = quantity.to_accelerance(std::f64::consts::TAU * f) * scale;
                for z in v.iter_mut() {
                    *z *= factor;
                }
            }
            if let Some(first) = files.first() {
                let first: &LoadedFrf = first;
                let same = first.data.freqs_hz.len() == data.freqs_hz.len()
                    && first
                        .data
                        .freqs_hz
                        .iter()
                        .zip(&data.freqs_hz)
                        .all(|(a, b)| (a - b).abs() <= 1e-9 * a.abs().max(1.0));
                if !same {
                    return Err(ToolError::invalid(
                        &text.field,
                        format!(
                            "its frequency column differs from that of {} ({} lines vs {}); all \
                             files must share the same frequencies",
                            first.field,
                            data.freqs_hz.len(),
                            first.data.freqs_hz.len()
                        ),
                    ));
                }
            }
            files.push(LoadedFrf {
                excitation: floors[i] as usize - 1,
                sha256: source::sha256_hex(&text),
                name: text.name,
                field: text.field,
                data,
            });
        }
        filled["frfs"] = Value::Array(echo_items);
        Ok((
            Self {
                files,
                f_min_hz,
                f_max_hz,
                method,
            },
            filled,
        ))
    }
}

/// The band lines and the stacked columns (file e, floor j → column 3e + j).
struct Band {
    freqs_hz: Vec<f64>,
    columns: Vec<Vec<Complex64>>,
}

fn band(p: &ModelUpdateParams) -> Result<Band, ToolError> {
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
fn start_frequencies(b: &Band) -> Result<[f64; 3], ToolError> {
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

fn fit_band(
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
type FileFrfs = Vec<Vec<[Complex64; 3]>>;

/// The model's accelerance over the band per file, and 100·‖model − measured‖ / ‖measured‖.
fn model_frfs(
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

/// `model-update` with method `legacy-circle-fit` (§4.5) on the first file: the original's
/// numbers, the chain they give and its FRF against the measurement.
fn run_legacy(
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

/// The `frfs` entries echoed in a result's parameters.
fn echo_files(result: &ToolResult) -> Vec<Value> {
    result
        .params
        .get("frfs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

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

/// Measured, modal-fit (when there is one), model and residual FRFs per file and floor.
fn push_series(
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
fn push_constants(result: &mut ToolResult, p: &ModelUpdateParams, fit: &ModalFit) {
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
struct Identified<'a> {
    f_hz: &'a [f64; 3],
    /// ζ (modal-ls) or the original's η (legacy-circle-fit).
    damping: &'a [f64; 3],
    /// `shapes[mode][floor]`.
    shapes: &'a [[f64; 3]; 3],
    masses_kg: &'a [f64; 3],
    stiffnesses_n_per_m: &'a [f64; 3],
    dampings_ns_per_m: &'a [f64; 3],
    model_f_hz: &'a [f64; 3],
    model_zeta: &'a [f64; 3],
    macs: &'a [f64; 3],
}

/// The identified modes and chain: scalars per mode and floor, the `modes` and
/// `lumped_model` tables.
fn push_identified(result: &mut ToolResult, id: &Identified) {
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
    let mut modes = Table::new(
        "modes",
        &[
            "mode",
            "frequency_hz",
            "damping_ratio",
            "shape_floor_1",
            "shape_floor_2",
            "shape_floor_3",
            "model_frequency_hz",
            "mac",
        ],
    );
    for r in 0..3 {
        let s = id.shapes[r];
        modes.push_numbers(
            1,
            &[
                (r + 1) as f64,
                id.f_hz[r],
                id.damping[r],
                s[0],
                s[1],
                s[2],
                id.model_f_hz[r],
                id.macs[r],
            ],
        );
    }
    result.push_table(modes);
    push_lumped(
        result,
        id.masses_kg,
        id.stiffnesses_n_per_m,
        id.dampings_ns_per_m,
    );
}

/// The identified chain per floor.
fn push_lumped(result: &mut ToolResult, m: &[f64; 3], k: &[f64; 3], c: &[f64; 3]) {
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
fn push_sources(result: &mut ToolResult, p: &ModelUpdateParams) {
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

/// The pole `−ζω + iω√(1−ζ²)` of a mode.
fn pole(f_hz: f64, zeta: f64) -> Complex64 {
    let w = std::f64::consts::TAU * f_hz;
    Complex64::new(-zeta * w, w * (1.0 - zeta * zeta).max(0.0).sqrt())
}

fn warn(
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

impl TypedTool for ModelUpdateTool {
    const META: ToolMeta = ToolMeta {
        id: "model-update",
        title: "Model update from measured FRFs",
        category: Category::RecordedData,
        description: "Identifies natural frequencies, damping ratios and mass-normalised mode shapes from one \
             or three measured FRF files, and the physical lumped model (floor masses, storey \
             stiffnesses and dampers) to save as a profile.",
        heavy: false,
    };
    type Params = ModelUpdateParams;
    fn param_specs() -> Vec<ParamSpec> {
        model_update_params()
    }
    fn parse(
        raw: &Value,
        progress: &Progress,
        _cancel: &Cancel,
    ) -> Result<(Self::Params, Value), ToolError> {
        progress.report(0.0, "reading the FRF files");
        ModelUpdateParams::parse(raw)
    }
    fn run(
        p: Self::Params,
        echo: Value,
        progress: &Progress,
        cancel: &Cancel,
    ) -> Result<ToolResult, ToolError> {
        run_model_update(&p, echo, progress, cancel)
    }
}
