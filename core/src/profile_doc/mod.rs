//! The stored profile document (docs/measured.md §7): a named lumped model with where it came from,
//! in the one JSON format `cristallo.profile/1` that the store, the exports and the imports use.
//!
//! ```json
//! { "schema": "cristallo.profile/1", "id": "…", "name": "…", "created_utc": "…Z",
//!   "origin": { "kind": "model-update", "tool_run_id": "…", "method": "modal-ls",
//!               "settings": { … }, "sources": [ { "name": "…", "sha256": "…", "excitation_floor": 1 } ] },
//!   "masses_kg": [m1, m2, m3], "stiffnesses_n_per_m": [k1, k2, k3], "dampings_ns_per_m": [c1, c2, c3],
//!   "modal": { "natural_frequencies_hz": […], "damping_ratios": […], "mode_shapes_mass_normalised": [[…], […], […]] },
//!   "std": { "masses_kg": […], "stiffnesses_n_per_m": […], "dampings_ns_per_m": […] },
//!   "notes": "" }
//! ```
//!
//! # Rules
//!
//! Masses and stiffnesses > 0, dampings ≥ 0, every number finite, name 1–80 characters (not
//! blank), `modal` and `std` optional (standard deviations ≥ 0). Unknown keys are rejected at
//! every level and a schema `cristallo.profile/N` with N > 1 is refused ("written by a newer
//! version"). Every error names the dotted field under `profile` (`profile.masses_kg`,
//! `profile.origin.kind`).
//!
//! Imports of the original app's formats live in [`legacy`].

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::lumped::LumpedModel;
use crate::ToolError;

pub mod legacy;

pub use legacy::{
    import_any, import_legacy_csv, import_legacy_json, Imported, LEGACY_DAMPING_WARNING,
};

/// The schema string of the format this version writes and reads.
pub const PROFILE_SCHEMA: &str = "cristallo.profile/1";
/// Schema strings are this prefix plus a version number.
const SCHEMA_PREFIX: &str = "cristallo.profile/";
const SCHEMA_VERSION: u32 = 1;
/// Longest profile name (characters).
pub const NAME_MAX_CHARS: usize = 80;
/// Longest notes text (characters).
pub const NOTES_MAX_CHARS: usize = 10_000;
/// Field prefix of every validation error.
const ROOT: &str = "profile";

/// Where a profile came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OriginKind {
    ModelUpdate,
    Manual,
    ImportedLegacyCsv,
    ImportedLegacyJson,
}

impl OriginKind {
    /// The JSON spelling (`model-update`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            OriginKind::ModelUpdate => "model-update",
            OriginKind::Manual => "manual",
            OriginKind::ImportedLegacyCsv => "imported-legacy-csv",
            OriginKind::ImportedLegacyJson => "imported-legacy-json",
        }
    }
}

/// One measured file a profile was identified from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginSource {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excitation_floor: Option<u8>,
}

/// How a profile was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    pub kind: OriginKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_run_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<OriginSource>,
}

impl Origin {
    /// An origin of `kind` with nothing else recorded.
    pub fn of(kind: OriginKind) -> Self {
        Self {
            kind,
            tool_run_id: None,
            method: None,
            settings: None,
            sources: Vec::new(),
        }
    }
}

/// The modal data a profile was identified with (optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModalData {
    pub natural_frequencies_hz: [f64; 3],
    pub damping_ratios: [f64; 3],
    /// Row r = mode r over floors 1..3, mass-normalised (kg^-1/2).
    pub mode_shapes_mass_normalised: [[f64; 3]; 3],
}

/// Standard deviations of the model parameters (optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileStd {
    pub masses_kg: [f64; 3],
    pub stiffnesses_n_per_m: [f64; 3],
    pub dampings_ns_per_m: [f64; 3],
}

/// A stored profile (`cristallo.profile/1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileDoc {
    pub schema: String,
    /// Assigned by the store on save (uuid v4); empty before.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub name: String,
    /// ISO 8601 UTC (`2024-05-02T14:03:11Z`); assigned on save when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created_utc: String,
    pub origin: Origin,
    pub masses_kg: [f64; 3],
    pub stiffnesses_n_per_m: [f64; 3],
    pub dampings_ns_per_m: [f64; 3],
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modal: Option<ModalData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub std: Option<ProfileStd>,
    #[serde(default)]
    pub notes: String,
}

const TOP_KEYS: &[&str] = &[
    "schema",
    "id",
    "name",
    "created_utc",
    "origin",
    "masses_kg",
    "stiffnesses_n_per_m",
    "dampings_ns_per_m",
    "modal",
    "std",
    "notes",
];
const ORIGIN_KEYS: &[&str] = &["kind", "tool_run_id", "method", "settings", "sources"];
const SOURCE_KEYS: &[&str] = &["name", "sha256", "excitation_floor"];
const MODAL_KEYS: &[&str] = &[
    "natural_frequencies_hz",
    "damping_ratios",
    "mode_shapes_mass_normalised",
];
const STD_KEYS: &[&str] = &["masses_kg", "stiffnesses_n_per_m", "dampings_ns_per_m"];

fn field(path: &str) -> String {
    format!("{ROOT}.{path}")
}

/// The object at `path`, with every key checked against `allowed`.
fn object<'a>(
    v: &'a Value,
    path: &str,
    allowed: &[&str],
) -> Result<&'a Map<String, Value>, ToolError> {
    let name = if path.is_empty() {
        ROOT.to_string()
    } else {
        field(path)
    };
    let obj = v
        .as_object()
        .ok_or_else(|| ToolError::invalid(&name, "expected a JSON object"))?;
    if let Some(key) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        let at = if path.is_empty() {
            field(key)
        } else {
            field(&format!("{path}.{key}"))
        };
        return Err(ToolError::invalid(
            at,
            format!("unknown key '{key}' (allowed: {})", allowed.join(", ")),
        ));
    }
    Ok(obj)
}

/// Deserialises one value, naming `path` on failure.
fn typed<T: serde::de::DeserializeOwned>(v: &Value, path: &str) -> Result<T, ToolError> {
    serde_json::from_value(v.clone()).map_err(|e| ToolError::invalid(field(path), e.to_string()))
}

fn required<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a Value, ToolError> {
    obj.get(key)
        .ok_or_else(|| ToolError::invalid(field(path), "is missing"))
}

/// Checks the `schema` string: ours, or a clear refusal of a newer or foreign one.
fn check_schema(v: Option<&Value>) -> Result<String, ToolError> {
    let at = field("schema");
    let s = v
        .ok_or_else(|| {
            ToolError::invalid(&at, format!("is missing (expected \"{PROFILE_SCHEMA}\")"))
        })?
        .as_str()
        .ok_or_else(|| ToolError::invalid(&at, "expected a string"))?;
    let version = s
        .strip_prefix(SCHEMA_PREFIX)
        .and_then(|n| n.parse::<u32>().ok())
        .ok_or_else(|| {
            ToolError::invalid(
                &at,
                format!("'{s}' is not a Cristallo profile (expected \"{PROFILE_SCHEMA}\")"),
            )
        })?;
    if version > SCHEMA_VERSION {
        return Err(ToolError::invalid(
            &at,
            format!(
                "'{s}' was written by a newer Cristallo-RS; this version reads \"{PROFILE_SCHEMA}\": update the app to open it"
            ),
        ));
    }
    if version < SCHEMA_VERSION {
        return Err(ToolError::invalid(
            &at,
            format!("unknown profile schema '{s}' (expected \"{PROFILE_SCHEMA}\")"),
        ));
    }
    Ok(s.to_string())
}

fn check_finite(path: &str, values: &[f64]) -> Result<(), ToolError> {
    match values.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(ToolError::invalid(
            field(path),
            format!("entry {} is not a finite number", i + 1),
        )),
        None => Ok(()),
    }
}

fn check_rule(
    path: &str,
    values: &[f64; 3],
    rule: &str,
    ok: impl Fn(f64) -> bool,
) -> Result<(), ToolError> {
    check_finite(path, values)?;
    match values.iter().position(|&x| !ok(x)) {
        Some(i) => Err(ToolError::invalid(
            field(path),
            format!("entry {} is {}; it must be {rule}", i + 1, values[i]),
        )),
        None => Ok(()),
    }
}

impl ProfileDoc {
    /// A new manual profile (no id or date yet).
    pub fn new(
        name: &str,
        masses_kg: [f64; 3],
        stiffnesses_n_per_m: [f64; 3],
        dampings_ns_per_m: [f64; 3],
    ) -> Self {
        Self {
            schema: PROFILE_SCHEMA.to_string(),
            id: String::new(),
            name: name.to_string(),
            created_utc: String::new(),
            origin: Origin::of(OriginKind::Manual),
            masses_kg,
            stiffnesses_n_per_m,
            dampings_ns_per_m,
            modal: None,
            std: None,
            notes: String::new(),
        }
    }

    /// Reads and validates a profile document. Errors name the dotted field (`profile.masses_kg`).
    pub fn from_json(v: &Value) -> Result<Self, ToolError> {
        let obj = object(v, "", TOP_KEYS)?;
        let schema = check_schema(obj.get("schema"))?;
        let text = |key: &str| -> Result<String, ToolError> {
            obj.get(key).map_or(Ok(String::new()), |x| typed(x, key))
        };
        let origin_v = required(obj, "origin", "origin")?;
        let origin_obj = object(origin_v, "origin", ORIGIN_KEYS)?;
        let mut sources = Vec::new();
        if let Some(list) = origin_obj.get("sources") {
            let items = list
                .as_array()
                .ok_or_else(|| ToolError::invalid(field("origin.sources"), "expected a list"))?;
            for (i, item) in items.iter().enumerate() {
                let path = format!("origin.sources[{i}]");
                object(item, &path, SOURCE_KEYS)?;
                sources.push(typed::<OriginSource>(item, &path)?);
            }
        }
        let opt = |key: &str| -> Result<Option<String>, ToolError> {
            origin_obj
                .get(key)
                .filter(|x| !x.is_null())
                .map(|x| typed(x, &format!("origin.{key}")))
                .transpose()
        };
        let origin = Origin {
            kind: typed(required(origin_obj, "kind", "origin.kind")?, "origin.kind")?,
            tool_run_id: opt("tool_run_id")?,
            method: opt("method")?,
            settings: origin_obj
                .get("settings")
                .filter(|x| !x.is_null())
                .map(|x| typed(x, "origin.settings"))
                .transpose()?,
            sources,
        };
        let modal = match obj.get("modal").filter(|x| !x.is_null()) {
            Some(m) => {
                let mo = object(m, "modal", MODAL_KEYS)?;
                Some(ModalData {
                    natural_frequencies_hz: typed(
                        required(mo, "natural_frequencies_hz", "modal.natural_frequencies_hz")?,
                        "modal.natural_frequencies_hz",
                    )?,
                    damping_ratios: typed(
                        required(mo, "damping_ratios", "modal.damping_ratios")?,
                        "modal.damping_ratios",
                    )?,
                    mode_shapes_mass_normalised: typed(
                        required(
                            mo,
                            "mode_shapes_mass_normalised",
                            "modal.mode_shapes_mass_normalised",
                        )?,
                        "modal.mode_shapes_mass_normalised",
                    )?,
                })
            }
            None => None,
        };
        let std = match obj.get("std").filter(|x| !x.is_null()) {
            Some(s) => {
                let so = object(s, "std", STD_KEYS)?;
                let triple = |key: &str| -> Result<[f64; 3], ToolError> {
                    let path = format!("std.{key}");
                    typed(required(so, key, &path)?, &path)
                };
                Some(ProfileStd {
                    masses_kg: triple("masses_kg")?,
                    stiffnesses_n_per_m: triple("stiffnesses_n_per_m")?,
                    dampings_ns_per_m: triple("dampings_ns_per_m")?,
                })
            }
            None => None,
        };
        let triple =
            |key: &str| -> Result<[f64; 3], ToolError> { typed(required(obj, key, key)?, key) };
        let doc = Self {
            schema,
            id: text("id")?,
            name: typed(required(obj, "name", "name")?, "name")?,
            created_utc: text("created_utc")?,
            origin,
            masses_kg: triple("masses_kg")?,
            stiffnesses_n_per_m: triple("stiffnesses_n_per_m")?,
            dampings_ns_per_m: triple("dampings_ns_per_m")?,
            modal,
            std,
            notes: text("notes")?,
        };
        doc.validate()?;
        Ok(doc)
    }

    /// Parses JSON text (see [`Self::from_json`]).
    pub fn from_json_text(text: &str) -> Result<Self, ToolError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| ToolError::invalid(ROOT, format!("not valid JSON: {e}")))?;
        Self::from_json(&v)
    }

    /// Every rule of docs/measured.md §7, naming the field.
    pub fn validate(&self) -> Result<(), ToolError> {
        if self.schema != PROFILE_SCHEMA {
            check_schema(Some(&Value::from(self.schema.as_str())))?;
        }
        let n = self.name.chars().count();
        if self.name.trim().is_empty() || n > NAME_MAX_CHARS {
            return Err(ToolError::invalid(
                field("name"),
                format!("must have 1 to {NAME_MAX_CHARS} characters (not only spaces), has {n}"),
            ));
        }
        check_rule("masses_kg", &self.masses_kg, "> 0 kg", |x| x > 0.0)?;
        check_rule(
            "stiffnesses_n_per_m",
            &self.stiffnesses_n_per_m,
            "> 0 N/m",
            |x| x > 0.0,
        )?;
        check_rule(
            "dampings_ns_per_m",
            &self.dampings_ns_per_m,
            "≥ 0 N·s/m",
            |x| x >= 0.0,
        )?;
        if let Some(m) = &self.modal {
            check_rule(
                "modal.natural_frequencies_hz",
                &m.natural_frequencies_hz,
                "> 0 Hz",
                |x| x > 0.0,
            )?;
            check_finite("modal.damping_ratios", &m.damping_ratios)?;
            check_finite(
                "modal.mode_shapes_mass_normalised",
                m.mode_shapes_mass_normalised.as_flattened(),
            )?;
        }
        if let Some(s) = &self.std {
            check_rule("std.masses_kg", &s.masses_kg, "≥ 0", |x| x >= 0.0)?;
            check_rule(
                "std.stiffnesses_n_per_m",
                &s.stiffnesses_n_per_m,
                "≥ 0",
                |x| x >= 0.0,
            )?;
            check_rule(
                "std.dampings_ns_per_m",
                &s.dampings_ns_per_m,
                "≥ 0",
                |x| x >= 0.0,
            )?;
        }
        let notes = self.notes.chars().count();
        if notes > NOTES_MAX_CHARS {
            return Err(ToolError::invalid(
                field("notes"),
                format!("must have at most {NOTES_MAX_CHARS} characters, has {notes}"),
            ));
        }
        Ok(())
    }

    /// The document as JSON.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The lumped chain of this profile.
    pub fn model(&self) -> LumpedModel {
        LumpedModel::chain(
            &self.masses_kg,
            &self.stiffnesses_n_per_m,
            &self.dampings_ns_per_m,
        )
    }

    /// Undamped natural frequencies of the stored chain (what every tool using the profile sees).
    pub fn model_natural_frequencies_hz(&self) -> Option<[f64; 3]> {
        self.model()
            .undamped_modes()
            .ok()
            .map(|m| m.natural_frequency_hz)
            .filter(|f| f.iter().all(|x| x.is_finite()))
    }

    /// The inline `profile` parameter object of the tools (`masses_kg`, `stiffnesses_n_per_m`,
    /// `dampings_ns_per_m`, plus `name`, `source` and `notes` where the tool's schema has them:
    /// `keys` lists the keys it accepts, `None` meaning only the three arrays).
    pub fn to_params(&self, keys: Option<&[String]>) -> Value {
        let mut obj = Map::new();
        obj.insert("masses_kg".into(), json!(self.masses_kg));
        obj.insert(
            "stiffnesses_n_per_m".into(),
            json!(self.stiffnesses_n_per_m),
        );
        obj.insert("dampings_ns_per_m".into(), json!(self.dampings_ns_per_m));
        if let Some(keys) = keys {
            let has = |k: &str| keys.iter().any(|x| x == k);
            if has("name") {
                obj.insert("name".into(), Value::from(self.name.clone()));
            }
            if has("source") {
                obj.insert("source".into(), Value::from(format!("profile {}", self.id)));
            }
            obj.retain(|k, _| has(k));
        }
        Value::Object(obj)
    }
}
