//! The original app's JSON profiles: [`import_original_profile`] reads `m1..m3`, `k1..k3`,
//! `c1..c3`, `disp_*` and `source` into a [`Profile`] plus the absolute dispersions.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::profile::{META_MAX_LEN, NAME_LEN, PROFILE_VERSION};
use super::{join, Profile, DAMPING_FIELD_SUFFIX};
use crate::ToolError;

/// The scatter carried by an original-app profile (`disp_m/k/c`), mapped to the `simulator`
/// parameters `mass_std`, `stiffness_std`, `damping_std` with `dispersion_unit: "absolute"`
/// (the original treats them as absolute even when its unit string says "Percent").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OriginalDispersion {
    pub mass_std: f64,
    pub stiffness_std: f64,
    pub damping_std: f64,
}

impl OriginalDispersion {
    /// The `simulator` parameters this dispersion sets.
    pub fn to_params(&self) -> Value {
        json!({
            "dispersion_unit": "absolute",
            "mass_std": self.mass_std,
            "stiffness_std": self.stiffness_std,
            "damping_std": self.damping_std,
        })
    }
}

/// Imports a JSON profile of the original app (`m1..m3`, `k1..k3`, `c1..c3`, `disp_m/k/c`,
/// unit strings, `source`, optional `dist`): m/k/c are mapped, `source` becomes the name
/// (`notes` records the origin), unit strings are ignored. Missing `disp_*` count as 0.
/// The profile is returned as read; [`Profile::check`] applies our ranges (the original
/// silently accepted e.g. a zero mass).
pub fn import_original_profile(v: &Value) -> Result<(Profile, OriginalDispersion), ToolError> {
    let obj = v
        .as_object()
        .ok_or_else(|| ToolError::invalid("profile", "expected a JSON object"))?;
    let number = |key: &str, field: &str| -> Result<f64, ToolError> {
        let x = obj
            .get(key)
            .ok_or_else(|| ToolError::invalid(field, format!("'{key}' is missing")))?;
        // The original app wrote numbers, but accept numeric strings too.
        let parsed = match x {
            Value::String(t) => t.trim().parse::<f64>().ok(),
            other => other.as_f64(),
        };
        parsed
            .filter(|x| x.is_finite())
            .ok_or_else(|| ToolError::invalid(field, format!("'{key}' is not a finite number")))
    };
    let triple = |prefix: &str, field: &str| -> Result<[f64; 3], ToolError> {
        Ok([
            number(&format!("{prefix}1"), &join("profile", field))?,
            number(&format!("{prefix}2"), &join("profile", field))?,
            number(&format!("{prefix}3"), &join("profile", field))?,
        ])
    };
    let optional = |key: &str, field: &str| -> Result<f64, ToolError> {
        if obj.get(key).is_some_and(|x| !x.is_null()) {
            number(key, field)
        } else {
            Ok(0.0)
        }
    };
    let source = obj
        .get("source")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("imported profile");
    let name: String = source.chars().take(NAME_LEN.1).collect();
    let profile = Profile {
        name,
        masses_kg: triple("m", "masses_kg")?,
        stiffnesses_n_per_m: triple("k", "stiffnesses_n_per_m")?,
        dampings_ns_per_m: triple("c", DAMPING_FIELD_SUFFIX)?,
        source: source.chars().take(META_MAX_LEN).collect(),
        notes: "imported from an original Cristallo JSON profile".to_string(),
        version: PROFILE_VERSION,
    };
    let dispersion = OriginalDispersion {
        mass_std: optional("disp_m", "mass_std")?,
        stiffness_std: optional("disp_k", "stiffness_std")?,
        damping_std: optional("disp_c", "damping_std")?,
    };
    Ok((profile, dispersion))
}
