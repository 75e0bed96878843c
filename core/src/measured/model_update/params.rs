//! Parameters of `model-update` (docs/measured.md §3.1): the schema of the FRF file list and the
//! settings, and the typed parameters with every file loaded and converted to SI accelerance.

use num_complex::Complex64;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::super::files::{parse_frf_source, FrfFile};
use super::super::rig_data::FRF_FILES;
use super::super::source;
use crate::schema::{self, ParamSpec};
use crate::ToolError;

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

/// The parameters as the schema fills them in (the files are read item by item).
#[derive(Debug, Deserialize)]
struct ModelUpdateInput {
    f_min_hz: f64,
    f_max_hz: f64,
    method: String,
    amplitude_scale: f64,
    quantity: String,
    frfs: Vec<Value>,
}

impl ModelUpdateParams {
    /// Validates, loads the files and returns the typed parameters with the echo.
    pub fn parse(params: &Value) -> Result<(Self, Value), ToolError> {
        schema::parse_checked(&model_update_params(), params, Self::load)
    }

    /// Loads the files of the schema-checked input; the echo gets each file's excitation floor.
    fn load(v: ModelUpdateInput, filled: &mut Value) -> Result<Self, ToolError> {
        let (f_min_hz, f_max_hz) = (v.f_min_hz, v.f_max_hz);
        crate::measured::check_band(f_min_hz, f_max_hz)?;
        let method = match v.method.as_str() {
            "legacy-circle-fit" => Method::LegacyCircleFit,
            _ => Method::ModalLs,
        };
        let scale = v.amplitude_scale;
        let quantity = Quantity::parse(&v.quantity)
            .ok_or_else(|| ToolError::invalid("quantity", "unknown quantity"))?;
        let items = v.frfs;
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
        Ok(Self {
            files,
            f_min_hz,
            f_max_hz,
            method,
        })
    }
}
