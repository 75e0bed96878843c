//! The model profile (docs/simulator.md §3.1): the one format of a rig model everywhere, its
//! schema entries (full, or optional for tools with their own model) and its checks.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{join, LumpedModel, DAMPING_FIELD_SUFFIX, N_FLOORS};
use crate::{ParamSpec, ToolError};

/// Default floor masses m1..m3 (kg) of the "simulator default" profile.
pub const DEFAULT_MASSES_KG: [f64; 3] = [5.0394, 4.9919, 4.9693];
/// Default storey stiffnesses k1..k3 (N/m).
pub const DEFAULT_STIFFNESSES_N_PER_M: [f64; 3] = [34958.3691, 43195.1237, 43295.9086];
/// Default storey dampers c1..c3 (N·s/m).
pub const DEFAULT_DAMPINGS_NS_PER_M: [f64; 3] = [7.8963, 4.0129, 5.4905];
/// Name of the default profile.
pub const DEFAULT_PROFILE_NAME: &str = "simulator default";

const MASS_RANGE: (f64, f64) = (0.001, 1000.0);
const STIFFNESS_RANGE: (f64, f64) = (1.0, 1e9);
const DAMPING_RANGE: (f64, f64) = (0.0, 1e5);
pub(super) const NAME_LEN: (usize, usize) = (1, 100);
pub(super) const META_MAX_LEN: usize = 1000;
pub(super) const PROFILE_VERSION: u32 = 1;

/// A model profile (docs/simulator.md §3.1): the one format of a rig model everywhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub masses_kg: [f64; 3],
    pub stiffnesses_n_per_m: [f64; 3],
    pub dampings_ns_per_m: [f64; 3],
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default = "default_version")]
    pub version: u32,
}

fn default_version() -> u32 {
    PROFILE_VERSION
}

impl Default for Profile {
    /// The "simulator default" profile (the original app's simulator constants).
    fn default() -> Self {
        Self {
            name: DEFAULT_PROFILE_NAME.to_string(),
            masses_kg: DEFAULT_MASSES_KG,
            stiffnesses_n_per_m: DEFAULT_STIFFNESSES_N_PER_M,
            dampings_ns_per_m: DEFAULT_DAMPINGS_NS_PER_M,
            source: String::new(),
            notes: String::new(),
            version: PROFILE_VERSION,
        }
    }
}

/// The schema entries of a profile object whose key is `prefix` (`"profile"` gives
/// `profile.name`, `profile.masses_kg`, …). The check "damping sum > 0" is not expressible in
/// the schema: [`Profile::check`] does it.
pub fn profile_params(prefix: &str) -> Vec<ParamSpec> {
    let d = Profile::default();
    // One value per floor or storey, each within `(lo, hi)`.
    let triple = |key: &str, label: &str, unit: &str, default: [f64; 3], (lo, hi): (f64, f64)| {
        ParamSpec::number_list(
            &join(prefix, key),
            label,
            unit,
            json!(default),
            N_FLOORS,
            N_FLOORS,
        )
        .min(lo)
        .max(hi)
    };
    vec![
        ParamSpec::text(
            &join(prefix, "name"),
            "Profile name",
            &d.name,
            NAME_LEN.0,
            NAME_LEN.1,
        )
        .describe("Label shown in plots and exports."),
        triple(
            "masses_kg",
            "Floor masses m1..m3",
            "kg",
            d.masses_kg,
            MASS_RANGE,
        )
        .describe("Lumped mass of floors 1 (bottom) to 3."),
        triple(
            "stiffnesses_n_per_m",
            "Storey stiffnesses k1..k3",
            "N/m",
            d.stiffnesses_n_per_m,
            STIFFNESS_RANGE,
        )
        .describe("k1 ties floor 1 to the ground, k2 floor 2 to floor 1, k3 floor 3 to floor 2."),
        triple(
            DAMPING_FIELD_SUFFIX,
            "Storey dampers c1..c3",
            "N·s/m",
            d.dampings_ns_per_m,
            DAMPING_RANGE,
        )
        .describe("Viscous dampers in parallel with k1..k3; their sum must be positive."),
        ParamSpec::text(&join(prefix, "source"), "Source", "", 0, META_MAX_LEN)
            .describe("Where the values come from (free text, echoed)."),
        ParamSpec::text(&join(prefix, "notes"), "Notes", "", 0, META_MAX_LEN)
            .describe("Free notes (echoed)."),
        ParamSpec::integer(
            &join(prefix, "version"),
            "Profile format version",
            i64::from(PROFILE_VERSION),
            i64::from(PROFILE_VERSION),
            i64::from(PROFILE_VERSION),
        )
        .describe("Format version of the profile object (accepted and echoed)."),
    ]
}

/// The optional `profile.*` fields of a tool with its own default model (vibration-control,
/// cbc): a model profile's chain in its place, or empty lists (null) for `own_model`.
pub fn optional_profile_params(own_model: &str) -> Vec<ParamSpec> {
    let list = |key: &str, label: &str, unit: &str, what: &str| {
        ParamSpec::number_list(
            &join("profile", key),
            label,
            unit,
            Value::Null,
            N_FLOORS,
            N_FLOORS,
        )
        .describe(&format!("{what}; empty = {own_model}."))
    };
    vec![
        ParamSpec::text("profile.name", "Profile name", "", 0, NAME_LEN.1)
            .optional()
            .describe("Label of the model profile (echoed)."),
        list(
            "masses_kg",
            "Floor masses m1..m3",
            "kg",
            "A model profile in place of the tool's own model",
        )
        .min_exclusive(0.0),
        list(
            "stiffnesses_n_per_m",
            "Storey stiffnesses k1..k3",
            "N/m",
            "k1 ties floor 1 to the ground",
        )
        .min_exclusive(0.0),
        list(
            DAMPING_FIELD_SUFFIX,
            "Storey dampers c1..c3",
            "N·s/m",
            "Viscous dampers in parallel with k1..k3",
        )
        .min(0.0),
    ]
}

/// The profile the optional fields give: None when no list is given, an error naming the
/// first missing list when only some are, else the profile after [`Profile::check`].
pub fn optional_profile(
    name: Option<&str>,
    masses_kg: Option<[f64; 3]>,
    stiffnesses_n_per_m: Option<[f64; 3]>,
    dampings_ns_per_m: Option<[f64; 3]>,
) -> Result<Option<Profile>, ToolError> {
    if masses_kg.is_none() && stiffnesses_n_per_m.is_none() && dampings_ns_per_m.is_none() {
        return Ok(None);
    }
    let missing = |key: &str| {
        ToolError::invalid(
            join("profile", key),
            "a model profile needs masses, stiffnesses and dampers (give all three, or none for the tool's own model)",
        )
    };
    let profile = Profile {
        name: name
            .filter(|n| !n.is_empty())
            .unwrap_or("profile")
            .to_string(),
        masses_kg: masses_kg.ok_or_else(|| missing("masses_kg"))?,
        stiffnesses_n_per_m: stiffnesses_n_per_m.ok_or_else(|| missing("stiffnesses_n_per_m"))?,
        dampings_ns_per_m: dampings_ns_per_m.ok_or_else(|| missing(DAMPING_FIELD_SUFFIX))?,
        ..Profile::default()
    };
    profile.check("profile")?;
    Ok(Some(profile))
}

/// The optional `profile.*` fields of [`optional_profile_params`] as serde reads them: a
/// model profile's chain, or nothing (the tool's own model).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionalProfileInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub masses_kg: Option<[f64; 3]>,
    #[serde(default)]
    pub stiffnesses_n_per_m: Option<[f64; 3]>,
    #[serde(default)]
    pub dampings_ns_per_m: Option<[f64; 3]>,
}

impl OptionalProfileInput {
    /// The profile the fields give, None for the tool's own model (see [`optional_profile`]).
    pub fn profile(&self) -> Result<Option<Profile>, ToolError> {
        optional_profile(
            self.name.as_deref(),
            self.masses_kg,
            self.stiffnesses_n_per_m,
            self.dampings_ns_per_m,
        )
    }
}

fn check_triple(field: &str, values: &[f64; 3], (lo, hi): (f64, f64)) -> Result<(), ToolError> {
    for (i, &v) in values.iter().enumerate() {
        if !v.is_finite() || v < lo || v > hi {
            return Err(ToolError::invalid(
                field,
                format!(
                    "value {} (floor/entry {}): {v} is outside the valid range [{lo}, {hi}]",
                    i + 1,
                    i + 1
                ),
            ));
        }
    }
    Ok(())
}

impl Profile {
    /// Every rule of docs/simulator.md §3.1, with errors naming `prefix.<key>`: ranges, text
    /// lengths, version 1 and a positive damping sum (a model without any damper has
    /// unbounded resonances).
    pub fn check(&self, prefix: &str) -> Result<(), ToolError> {
        let n = self.name.chars().count();
        if n < NAME_LEN.0 || n > NAME_LEN.1 {
            return Err(ToolError::invalid(
                join(prefix, "name"),
                format!(
                    "must have {} to {} characters, has {n}",
                    NAME_LEN.0, NAME_LEN.1
                ),
            ));
        }
        check_triple(&join(prefix, "masses_kg"), &self.masses_kg, MASS_RANGE)?;
        check_triple(
            &join(prefix, "stiffnesses_n_per_m"),
            &self.stiffnesses_n_per_m,
            STIFFNESS_RANGE,
        )?;
        check_triple(
            &join(prefix, DAMPING_FIELD_SUFFIX),
            &self.dampings_ns_per_m,
            DAMPING_RANGE,
        )?;
        self.check_rules(prefix)?;
        for key in ["source", "notes"] {
            let text = if key == "source" {
                &self.source
            } else {
                &self.notes
            };
            let n = text.chars().count();
            if n > META_MAX_LEN {
                return Err(ToolError::invalid(
                    join(prefix, key),
                    format!("must have at most {META_MAX_LEN} characters, has {n}"),
                ));
            }
        }
        if self.version != PROFILE_VERSION {
            return Err(ToolError::invalid(join(prefix, "version"), "must be 1"));
        }
        Ok(())
    }

    /// The rule the schema of [`profile_params`] cannot express, for a profile read through
    /// it: a positive damping sum (a model without any damper has unbounded resonances).
    pub fn check_rules(&self, prefix: &str) -> Result<(), ToolError> {
        if self.dampings_ns_per_m.iter().sum::<f64>() <= 0.0 {
            return Err(ToolError::invalid(
                join(prefix, DAMPING_FIELD_SUFFIX),
                "at least one damper must be positive (the sum of c1..c3 must be > 0)",
            ));
        }
        Ok(())
    }

    /// The profile as its JSON object.
    pub fn to_value(&self) -> Value {
        json!({
            "name": self.name,
            "masses_kg": self.masses_kg,
            "stiffnesses_n_per_m": self.stiffnesses_n_per_m,
            "dampings_ns_per_m": self.dampings_ns_per_m,
            "source": self.source,
            "notes": self.notes,
            "version": self.version,
        })
    }

    /// The M, K, C matrices of this profile.
    pub fn model(&self) -> LumpedModel {
        LumpedModel::chain(
            &self.masses_kg,
            &self.stiffnesses_n_per_m,
            &self.dampings_ns_per_m,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_each_bad_field() {
        let bad = |f: &dyn Fn(&mut Profile)| {
            let mut p = Profile::default();
            f(&mut p);
            p.check("profile").unwrap_err().field().unwrap().to_string()
        };
        assert_eq!(bad(&|p| p.name.clear()), "profile.name");
        assert_eq!(bad(&|p| p.name = "x".repeat(101)), "profile.name");
        assert_eq!(bad(&|p| p.masses_kg[2] = 0.0), "profile.masses_kg");
        assert_eq!(bad(&|p| p.masses_kg[0] = f64::NAN), "profile.masses_kg");
        assert_eq!(
            bad(&|p| p.stiffnesses_n_per_m[1] = -1.0),
            "profile.stiffnesses_n_per_m"
        );
        assert_eq!(
            bad(&|p| p.dampings_ns_per_m[0] = -1.0),
            "profile.dampings_ns_per_m"
        );
        assert_eq!(
            bad(&|p| p.dampings_ns_per_m = [0.0; 3]),
            "profile.dampings_ns_per_m"
        );
        assert_eq!(bad(&|p| p.source = "s".repeat(1001)), "profile.source");
        assert_eq!(bad(&|p| p.notes = "n".repeat(1001)), "profile.notes");
        assert_eq!(bad(&|p| p.version = 2), "profile.version");
        let mut p = Profile::default();
        p.masses_kg[1] = -1.0;
        assert_eq!(p.check("").unwrap_err().field(), Some("masses_kg"));
    }

    #[test]
    fn profile_round_trips_through_json_and_schema() {
        let p = Profile::default();
        let v = serde_json::json!({ "profile": p.to_value() });
        let filled = crate::schema::validate(&profile_params("profile"), &v).unwrap();
        let back: Profile =
            crate::schema::deserialize(&profile_params(""), &filled["profile"]).unwrap();
        assert_eq!(back, p);
        let back: Profile = serde_json::from_value(p.to_value()).unwrap();
        assert_eq!(back, p);
        let (back, _): (Profile, _) =
            crate::schema::parse(&profile_params(""), &p.to_value()).unwrap();
        assert_eq!(back, p);
        back.check_rules("").unwrap();
    }

    #[test]
    fn schema_reports_missing_or_mistyped_values() {
        let specs = profile_params("profile");
        let field = |v: &Value| {
            crate::schema::validate(&specs, v)
                .unwrap_err()
                .field()
                .map(str::to_string)
        };
        let mut v = serde_json::json!({ "profile": Profile::default().to_value() });
        v["profile"]["masses_kg"] = serde_json::json!([1, 2]);
        assert_eq!(field(&v).as_deref(), Some("profile.masses_kg"));
        v["profile"]["masses_kg"] = serde_json::json!([1, "2", 3]);
        assert_eq!(field(&v).as_deref(), Some("profile.masses_kg"));
        v["profile"]["masses_kg"] = serde_json::json!(5);
        assert_eq!(field(&v).as_deref(), Some("profile.masses_kg"));
        v["profile"]["masses_kg"] = serde_json::json!([5, 5, 5]);
        v["profile"]["name"] = serde_json::json!(7);
        assert_eq!(field(&v).as_deref(), Some("profile.name"));
        v["profile"]["name"] = serde_json::json!("ok");
        v["profile"]["version"] = serde_json::json!(1.5);
        assert_eq!(field(&v).as_deref(), Some("profile.version"));
        v["profile"]["version"] = serde_json::json!(-1);
        assert_eq!(field(&v).as_deref(), Some("profile.version"));
    }
}
