//! The lumped 3-DOF model of the benchtop rig (simulator.md §2) and its modal analysis
//! (simulator.md §4.1), shared by `modal`, `simulator` and the control tools.
//!
//! # Model
//!
//! A fixed-base chain of three lumped masses: floor 1 (bottom) is tied to the ground by the
//! spring `k1` and the viscous damper `c1`, floor 2 to floor 1 by `k2`/`c2`, floor 3 to floor 2
//! by `k3`/`c3`. With displacements `x = (x1, x2, x3)` relative to the ground and a force `F`
//! on floor `f`:
//!
//! ```text
//! M ẍ + C ẋ + K x = e_f F,   M = diag(m1, m2, m3)
//!
//!     | k1+k2  -k2     0  |
//! K = |  -k2  k2+k3  -k3  |      C: the same pattern with c1, c2, c3
//!     |   0    -k3    k3  |
//! ```
//!
//! State `z = (x, ẋ)`: `ż = A z + B F` with `A = [[0, I], [−M⁻¹K, −M⁻¹C]]`,
//! `B = (0, e_f / m_f)` ([`LumpedModel::state_matrix`], [`LumpedModel::input_vector`]).
//!
//! # Undamped modes
//!
//! The generalised symmetric problem `K φ = ω² M φ` is reduced with the Cholesky factor
//! `M = L Lᵀ` to the standard symmetric problem `(L⁻¹ K L⁻ᵀ) y = ω² y`, `φ = L⁻ᵀ y`.
//! Natural frequencies `fn_r = ω_r / 2π` ascend; each shape is scaled so that
//! `max_j |φ_j| = 1`, then its sign is chosen so that `φ_1 > 0`. The modal mass is
//! `m_r = φ_rᵀ M φ_r` with that scaling.
//!
//! # Damped modes
//!
//! The poles are the eigenvalues of `A` (real Schur form of a similarity-scaled `A`; the
//! velocity block is scaled by `1/ω₀`, `ω₀² = tr(M⁻¹K)/3`, to balance the two blocks). Each pole is
//! then polished by Newton's method on `det Q(λ) = 0`, `Q(λ) = λ²M + λC + K`, whose step is
//! `δ = −det Q / tr(adj(Q) Q′)`, `Q′ = 2λM + C` (Jacobi's formula). The three poles with
//! `Im λ > 0` sorted by `Im λ` give the damped frequencies `fd = Im λ / 2π` and damping
//! ratios `ζ = −Re λ / |λ|`. A mode whose poles are real (overdamped) gets `fd = 0` and
//! `ζ = (|λa| + |λb|) / (2 √(λa λb))` from its pair (real poles sorted by magnitude are paired
//! outermost-first: smallest with largest), modes are then ordered by `√(λa λb)` resp. `|λ|`,
//! and a warning is issued.
//!
//! # Frequency response
//!
//! `H(ω) = Z(ω)⁻¹ e_f`, `Z(ω) = K − ω²M + iωC` (dynamic stiffness), solved in closed form per
//! frequency: column `f` of the inverse is `adj(Z)[:, f] / det Z`, `det Z` expanded along row `f`.
//! Receptance `H` (m/N), mobility `iω H` (m/s/N), accelerance `−ω² H` (m/s²/N). Shown as
//! magnitude `20 log10 |·|` in dB re 1 unit and phase `atan2(Im, Re)` in degrees in
//! (−180, 180] (dB via `ln`, phase via the `libm` crate's `atan2`, both within an ulp or two of the
//! libm functions and about twice as fast). `det Z = 0` can only happen at an undamped mode:
//! an error naming `profile.dampings_ns_per_m`. The inner loop is monomorphised per excited
//! floor and streams its values ([`LumpedModel::frf_each`]): 9901 points take well under 1 ms.
//!
//! # Original-app profiles
//!
//! [`import_original_profile`] reads the original JSON profiles (`m1..m3`, `k1..k3`,
//! `c1..c3`, `disp_*`, `source`) into [`Profile`] plus the absolute dispersions.

use nalgebra::linalg::{Cholesky, Schur, SymmetricEigen};
use nalgebra::{Matrix3, Matrix6, Vector3, Vector6};
use num_complex::Complex64;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{Cancel, ParamSpec, ToolError};

/// Number of floors (degrees of freedom) of the rig model.
pub const N_FLOORS: usize = 3;

/// Field named by every error caused by missing damping.
const DAMPING_FIELD_SUFFIX: &str = "dampings_ns_per_m";

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
const NAME_LEN: (usize, usize) = (1, 100);
const META_MAX_LEN: usize = 1000;
const PROFILE_VERSION: u32 = 1;

/// A model profile (simulator.md §3.1): the one format of a rig model everywhere.
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

/// `prefix.key`, or `key` when the prefix is empty.
fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The schema entries of a profile object whose key is `prefix` (`"profile"` gives
/// `profile.name`, `profile.masses_kg`, …). The check "damping sum > 0" is not expressible in
/// the schema: [`Profile::check`] does it.
pub fn profile_params(prefix: &str) -> Vec<ParamSpec> {
    let d = Profile::default();
    vec![
        ParamSpec::text(
            &join(prefix, "name"),
            "Profile name",
            &d.name,
            NAME_LEN.0,
            NAME_LEN.1,
        )
        .describe("Label shown in plots and exports."),
        ParamSpec::number_list(
            &join(prefix, "masses_kg"),
            "Floor masses m1..m3",
            "kg",
            json!(d.masses_kg),
            N_FLOORS,
            N_FLOORS,
        )
        .min(MASS_RANGE.0)
        .max(MASS_RANGE.1)
        .describe("Lumped mass of floors 1 (bottom) to 3."),
        ParamSpec::number_list(
            &join(prefix, "stiffnesses_n_per_m"),
            "Storey stiffnesses k1..k3",
            "N/m",
            json!(d.stiffnesses_n_per_m),
            N_FLOORS,
            N_FLOORS,
        )
        .min(STIFFNESS_RANGE.0)
        .max(STIFFNESS_RANGE.1)
        .describe("k1 ties floor 1 to the ground, k2 floor 2 to floor 1, k3 floor 3 to floor 2."),
        ParamSpec::number_list(
            &join(prefix, DAMPING_FIELD_SUFFIX),
            "Storey dampers c1..c3",
            "N·s/m",
            json!(d.dampings_ns_per_m),
            N_FLOORS,
            N_FLOORS,
        )
        .min(DAMPING_RANGE.0)
        .max(DAMPING_RANGE.1)
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
    /// Every rule of simulator.md §3.1, with errors naming `prefix.<key>`: ranges, text
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

/// The tridiagonal matrix of a fixed-base chain of storey elements `e` (stiffnesses or dampers).
pub fn chain_matrix(e: &[f64; 3]) -> Matrix3<f64> {
    Matrix3::new(
        e[0] + e[1],
        -e[1],
        0.0,
        -e[1],
        e[1] + e[2],
        -e[2],
        0.0,
        -e[2],
        e[2],
    )
}

/// What the frequency response relates to the force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrfType {
    /// Displacement / force, m/N.
    Receptance,
    /// Velocity / force, m/s/N.
    Mobility,
    /// Acceleration / force, m/s²/N.
    Accelerance,
}

impl FrfType {
    /// All types, in the order of the schema.
    pub const ALL: [FrfType; 3] = [FrfType::Receptance, FrfType::Mobility, FrfType::Accelerance];

    /// Parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            FrfType::Receptance => "receptance",
            FrfType::Mobility => "mobility",
            FrfType::Accelerance => "accelerance",
        }
    }

    /// From a parameter value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// y label of a magnitude plot.
    pub fn magnitude_label(self) -> &'static str {
        match self {
            FrfType::Receptance => "Magnitude (dB re 1 m/N)",
            FrfType::Mobility => "Magnitude (dB re 1 m/s/N)",
            FrfType::Accelerance => "Magnitude (dB re 1 m/s²/N)",
        }
    }

    /// The factor turning a receptance at `omega` (rad/s) into this type: 1, iω or −ω².
    pub fn factor(self, omega: f64) -> Complex64 {
        match self {
            FrfType::Receptance => Complex64::new(1.0, 0.0),
            FrfType::Mobility => Complex64::new(0.0, omega),
            FrfType::Accelerance => Complex64::new(-omega * omega, 0.0),
        }
    }
}

/// `20 log10 |z|` (dB re 1 unit); `-inf` for `z = 0`.
pub fn magnitude_db(z: Complex64) -> f64 {
    // 10/ln 10: ln is markedly faster than log10 in common libms, at ≤ 1 ulp extra error.
    const DB_PER_NEPER_POWER: f64 = 10.0 / std::f64::consts::LN_10;
    let n2 = z.norm_sqr();
    if n2.is_normal() {
        DB_PER_NEPER_POWER * n2.ln()
    } else {
        // |z|² under- or overflowed: take the scaled modulus.
        20.0 * z.norm().log10()
    }
}

/// `atan2(Im z, Re z)` in degrees, in (−180, 180].
pub fn phase_deg(z: Complex64) -> f64 {
    // The `libm` crate's atan2 (fdlibm, pure Rust) inlines into the FRF loop; the platform
    // libm call costs about twice as much here and the phase dominates the FRF time.
    let p = libm::atan2(z.im, z.re).to_degrees();
    if p <= -180.0 {
        p + 360.0
    } else {
        p
    }
}

/// Mass, stiffness and damping matrices of a 3-DOF model (the chain of §2, or any symmetric
/// M > 0, K > 0, C ≥ 0 such as a Rayleigh damping matrix).
#[derive(Debug, Clone, PartialEq)]
pub struct LumpedModel {
    pub m: Matrix3<f64>,
    pub k: Matrix3<f64>,
    pub c: Matrix3<f64>,
}

/// The modes of the undamped model, ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct UndampedModes {
    /// Natural frequencies fn_r (Hz).
    pub natural_frequency_hz: [f64; 3],
    /// Shapes, row r = mode r, max-normalised with floor-1 component positive.
    pub shapes: [[f64; 3]; 3],
    /// Modal masses φ_rᵀ M φ_r (kg) with that normalisation.
    pub modal_mass_kg: [f64; 3],
}

/// The modes of the damped model from the poles of A, ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct DampedModes {
    /// Damped natural frequencies Im λ / 2π (Hz); 0 for an overdamped mode.
    pub damped_frequency_hz: [f64; 3],
    /// Damping ratios ζ (fraction, not percent).
    pub damping_ratio: [f64; 3],
    /// The pole with Im λ ≥ 0 of each mode (for an overdamped mode the slower real pole).
    pub poles: [Complex64; 3],
    /// Whether the mode's poles are real.
    pub overdamped: [bool; 3],
    /// Human-readable notes (overdamped modes).
    pub warnings: Vec<String>,
}

/// Undamped and damped modes together.
#[derive(Debug, Clone, PartialEq)]
pub struct ModalAnalysis {
    pub undamped: UndampedModes,
    pub damped: DampedModes,
}

type C3 = [[Complex64; 3]; 3];

/// Signed cofactor (row `r`, column `c`) of a 3×3 complex matrix.
#[inline(always)]
fn cofactor(z: &C3, r: usize, c: usize) -> Complex64 {
    let (r1, r2) = match r {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    let (c1, c2) = match c {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    let minor = z[r1][c1] * z[r2][c2] - z[r1][c2] * z[r2][c1];
    if (r + c) & 1 == 0 {
        minor
    } else {
        -minor
    }
}

/// Solves `z h = e_f` in closed form: `h_i = cof(z)[f][i] / det z`. `None` when `det z = 0`
/// or the result is not finite.
#[inline(always)]
fn solve_unit_column(z: &C3, f: usize) -> Option<[Complex64; 3]> {
    let cof = [cofactor(z, f, 0), cofactor(z, f, 1), cofactor(z, f, 2)];
    let det = z[f][0] * cof[0] + z[f][1] * cof[1] + z[f][2] * cof[2];
    if (det.re == 0.0 && det.im == 0.0) || !det.is_finite() {
        return None;
    }
    let inv = det.inv();
    let h = [cof[0] * inv, cof[1] * inv, cof[2] * inv];
    h.iter().all(|x| x.is_finite()).then_some(h)
}

fn field(name: &str) -> String {
    join("profile", name)
}

/// The model as plain arrays for the per-frequency inner loop.
#[derive(Debug, Clone, Copy)]
struct FrfKernel {
    k: [[f64; 3]; 3],
    m: [[f64; 3]; 3],
    c: [[f64; 3]; 3],
    /// 0-based excited floor.
    f: usize,
    frf_type: FrfType,
}

impl FrfKernel {
    fn new(model: &LumpedModel, f: usize, frf_type: FrfType) -> Self {
        let arr = |a: &Matrix3<f64>| -> [[f64; 3]; 3] {
            std::array::from_fn(|i| std::array::from_fn(|j| a[(i, j)]))
        };
        Self {
            k: arr(&model.k),
            m: arr(&model.m),
            c: arr(&model.c),
            f,
            frf_type,
        }
    }

    /// The FRF of the three floors at `f_hz`, `None` at a singular point.
    #[inline]
    fn eval(&self, f_hz: f64) -> Option<[Complex64; 3]> {
        match self.f {
            0 => self.eval_at::<0>(f_hz),
            1 => self.eval_at::<1>(f_hz),
            _ => self.eval_at::<2>(f_hz),
        }
    }

    /// [`Self::eval`] with the excited floor `F` (0-based) known at compile time.
    #[inline(always)]
    fn eval_at<const F: usize>(&self, f_hz: f64) -> Option<[Complex64; 3]> {
        let omega = std::f64::consts::TAU * f_hz;
        let w2 = omega * omega;
        let z: C3 = std::array::from_fn(|i| {
            std::array::from_fn(|j| {
                Complex64::new(self.k[i][j] - w2 * self.m[i][j], omega * self.c[i][j])
            })
        });
        let h = solve_unit_column(&z, F)?;
        Some(match self.frf_type {
            FrfType::Receptance => h,
            FrfType::Mobility => h.map(|x| Complex64::new(-omega * x.im, omega * x.re)),
            FrfType::Accelerance => h.map(|x| x * -w2),
        })
    }

    /// The loop of [`LumpedModel::frf_each`], monomorphised per excited floor.
    fn stream<const F: usize>(
        &self,
        freqs_hz: &[f64],
        cancel: &Cancel,
        mut sink: impl FnMut(usize, [Complex64; 3]),
    ) -> Result<(), ToolError> {
        for (block, chunk) in freqs_hz.chunks(8192).enumerate() {
            cancel.check()?;
            for (i, &fr) in chunk.iter().enumerate() {
                let h = self.eval_at::<F>(fr).ok_or_else(|| Self::singular(fr))?;
                sink(block * 8192 + i, h);
            }
        }
        Ok(())
    }

    fn singular(f_hz: f64) -> ToolError {
        ToolError::invalid(
            field(DAMPING_FIELD_SUFFIX),
            format!(
                "the dynamic stiffness is singular at {f_hz} Hz (an undamped mode): add damping"
            ),
        )
    }
}

impl LumpedModel {
    /// The fixed-base chain of simulator.md §2 from floor masses and storey springs/dampers.
    pub fn chain(masses: &[f64; 3], stiffnesses: &[f64; 3], dampings: &[f64; 3]) -> Self {
        Self {
            m: Matrix3::from_diagonal(&Vector3::from(*masses)),
            k: chain_matrix(stiffnesses),
            c: chain_matrix(dampings),
        }
    }

    /// A model from full matrices. M and K must be symmetric positive definite, C symmetric
    /// with a non-negative diagonal.
    pub fn from_matrices(
        m: Matrix3<f64>,
        k: Matrix3<f64>,
        c: Matrix3<f64>,
    ) -> Result<Self, ToolError> {
        let all_finite = m
            .iter()
            .chain(k.iter())
            .chain(c.iter())
            .all(|x| x.is_finite());
        if !all_finite {
            return Err(ToolError::invalid("profile", "matrices must be finite"));
        }
        let symmetric = |a: &Matrix3<f64>| {
            let scale = a.amax().max(f64::MIN_POSITIVE);
            (a - a.transpose()).amax() <= 1e-12 * scale
        };
        if !symmetric(&m) || Cholesky::new(m).is_none() {
            return Err(ToolError::invalid(
                field("masses_kg"),
                "the mass matrix must be symmetric positive definite",
            ));
        }
        if !symmetric(&k) || Cholesky::new(k).is_none() {
            return Err(ToolError::invalid(
                field("stiffnesses_n_per_m"),
                "the stiffness matrix must be symmetric positive definite",
            ));
        }
        if !symmetric(&c) || c.diagonal().iter().any(|&x| x < 0.0) || c.amax() == 0.0 {
            return Err(ToolError::invalid(
                field(DAMPING_FIELD_SUFFIX),
                "the damping matrix must be symmetric, non-negative on its diagonal and not zero",
            ));
        }
        Ok(Self { m, k, c })
    }

    fn cholesky_m(&self) -> Result<Cholesky<f64, nalgebra::U3>, ToolError> {
        Cholesky::new(self.m).ok_or_else(|| {
            ToolError::invalid(
                field("masses_kg"),
                "the mass matrix is not positive definite",
            )
        })
    }

    /// `A = [[0, I], [−M⁻¹K, −M⁻¹C]]`.
    pub fn state_matrix(&self) -> Result<Matrix6<f64>, ToolError> {
        let minv = self.cholesky_m()?.inverse();
        let mk = -(minv * self.k);
        let mc = -(minv * self.c);
        let mut a = Matrix6::zeros();
        a.fixed_view_mut::<3, 3>(0, 3).fill_with_identity();
        a.fixed_view_mut::<3, 3>(3, 0).copy_from(&mk);
        a.fixed_view_mut::<3, 3>(3, 3).copy_from(&mc);
        Ok(a)
    }

    /// `B = (0, M⁻¹ e_f)` for the force on floor `force_floor` (1..=3); `(0, 0, 0, e_f/m_f)` for
    /// a diagonal M.
    pub fn input_vector(&self, force_floor: usize) -> Result<Vector6<f64>, ToolError> {
        let f = floor_index(force_floor)?;
        let minv = self.cholesky_m()?.inverse();
        let mut b = Vector6::zeros();
        for i in 0..N_FLOORS {
            b[3 + i] = minv[(i, f)];
        }
        Ok(b)
    }

    /// Sum of all masses (kg): `1ᵀ M 1`.
    pub fn total_mass_kg(&self) -> f64 {
        self.m.sum()
    }

    /// Undamped modes (generalised symmetric eigenproblem via Cholesky of M).
    pub fn undamped_modes(&self) -> Result<UndampedModes, ToolError> {
        let chol = self.cholesky_m()?;
        let l = chol.l();
        // L⁻¹ K, then L⁻¹ (L⁻¹ K)ᵀ = L⁻¹ K L⁻ᵀ (K symmetric).
        let lk = l
            .solve_lower_triangular(&self.k)
            .ok_or_else(|| ToolError::failed("singular Cholesky factor of M"))?;
        let a = l
            .solve_lower_triangular(&lk.transpose())
            .ok_or_else(|| ToolError::failed("singular Cholesky factor of M"))?;
        let a = (a + a.transpose()) * 0.5;
        let eig = SymmetricEigen::try_new(a, f64::EPSILON, 10_000)
            .ok_or_else(|| ToolError::failed("the undamped eigenproblem did not converge"))?;
        let mut order = [0usize, 1, 2];
        order.sort_by(|&i, &j| eig.eigenvalues[i].total_cmp(&eig.eigenvalues[j]));
        let lt = l.transpose();
        let mut out = UndampedModes {
            natural_frequency_hz: [0.0; 3],
            shapes: [[0.0; 3]; 3],
            modal_mass_kg: [0.0; 3],
        };
        for (r, &i) in order.iter().enumerate() {
            let w2 = eig.eigenvalues[i];
            if !(w2 > 0.0 && w2.is_finite()) {
                return Err(ToolError::invalid(
                    field("stiffnesses_n_per_m"),
                    "the model has a non-positive stiffness eigenvalue",
                ));
            }
            let y: Vector3<f64> = eig.eigenvectors.column(i).into_owned();
            let phi = lt
                .solve_upper_triangular(&y)
                .ok_or_else(|| ToolError::failed("singular Cholesky factor of M"))?;
            let max = phi.amax();
            if !(max > 0.0 && max.is_finite()) {
                return Err(ToolError::failed("degenerate mode shape"));
            }
            let mut phi = phi / max;
            // φ_1 > 0; φ_1 is never 0 for a chain, otherwise the first non-zero entry decides.
            let lead = phi.iter().copied().find(|v| v.abs() > 1e-12).unwrap_or(1.0);
            if lead < 0.0 {
                phi = -phi;
            }
            out.natural_frequency_hz[r] = w2.sqrt() / std::f64::consts::TAU;
            out.shapes[r] = [phi[0], phi[1], phi[2]];
            out.modal_mass_kg[r] = (phi.transpose() * self.m * phi)[(0, 0)];
        }
        Ok(out)
    }

    /// `Q(λ) = λ²M + λC + K`.
    fn quadratic(&self, lambda: Complex64) -> C3 {
        let l2 = lambda * lambda;
        let mut q = [[Complex64::new(0.0, 0.0); 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                q[i][j] = l2 * self.m[(i, j)] + lambda * self.c[(i, j)] + self.k[(i, j)];
            }
        }
        q
    }

    /// Newton polishing of a pole on `det Q(λ) = 0` (Jacobi's formula for the derivative).
    fn polish_pole(&self, mut lambda: Complex64) -> Complex64 {
        for _ in 0..4 {
            let q = self.quadratic(lambda);
            let mut det = Complex64::new(0.0, 0.0);
            let mut deriv = Complex64::new(0.0, 0.0);
            for i in 0..3 {
                for j in 0..3 {
                    let cof = cofactor(&q, i, j);
                    if i == 0 {
                        det += q[i][j] * cof;
                    }
                    let dq = 2.0 * lambda * self.m[(i, j)] + self.c[(i, j)];
                    deriv += cof * dq;
                }
            }
            if deriv.norm_sqr() == 0.0 || !deriv.is_finite() || !det.is_finite() {
                break;
            }
            let step = -det / deriv;
            // Only a small correction: never jump to another pole.
            if !step.is_finite() || step.norm() > 1e-6 * lambda.norm().max(f64::MIN_POSITIVE) {
                break;
            }
            let next = lambda + step;
            // Keep real poles real (rounding can add a tiny imaginary part).
            lambda = if lambda.im == 0.0 {
                Complex64::new(next.re, 0.0)
            } else {
                next
            };
            if step.norm() <= 1e-17 * lambda.norm() {
                break;
            }
        }
        lambda
    }

    /// The six poles of the model (eigenvalues of A), polished.
    pub fn poles(&self) -> Result<[Complex64; 6], ToolError> {
        let a = self.state_matrix()?;
        // Similarity scaling z' = (x, ẋ / ω₀) balances the blocks of A.
        let w0 = {
            let t = -(a.fixed_view::<3, 3>(3, 0).trace()) / 3.0;
            if t > 0.0 && t.is_finite() {
                t.sqrt()
            } else {
                1.0
            }
        };
        let mut s = a;
        for i in 0..3 {
            for j in 0..3 {
                s[(i, 3 + j)] *= w0;
                s[(3 + i, j)] /= w0;
            }
        }
        let schur = Schur::try_new(s, f64::EPSILON, 100_000).ok_or_else(|| {
            ToolError::failed("the eigenvalues of the state matrix did not converge")
        })?;
        let ev = schur.complex_eigenvalues();
        let mut out = [Complex64::new(0.0, 0.0); 6];
        for (o, e) in out.iter_mut().zip(ev.iter()) {
            if !e.is_finite() {
                return Err(ToolError::failed("non-finite pole of the state matrix"));
            }
            *o = self.polish_pole(*e);
        }
        Ok(out)
    }

    /// Damped modes from the poles (see the module docs for overdamped modes).
    pub fn damped_modes(&self) -> Result<DampedModes, ToolError> {
        let poles = self.poles()?;
        let upper: Vec<Complex64> = poles.iter().copied().filter(|p| p.im > 0.0).collect();
        let lower = poles.iter().filter(|p| p.im < 0.0).count();
        let mut real: Vec<f64> = poles.iter().filter(|p| p.im == 0.0).map(|p| p.re).collect();
        if upper.len() != lower || real.len() & 1 == 1 || upper.len() + real.len() / 2 != N_FLOORS {
            return Err(ToolError::failed(
                "the poles of the model do not form three modes",
            ));
        }
        // (sort key, damped frequency, ζ, pole, overdamped)
        let mut modes: Vec<(f64, f64, f64, Complex64, bool)> = Vec::with_capacity(3);
        let any_real = !real.is_empty();
        for p in &upper {
            let key = if any_real { p.norm() } else { p.im };
            modes.push((
                key,
                p.im / std::f64::consts::TAU,
                -p.re / p.norm(),
                *p,
                false,
            ));
        }
        real.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
        while real.len() >= 2 {
            let a = real.remove(0);
            let b = real.pop().unwrap_or(a);
            let prod = a * b;
            if prod.is_nan() || prod <= 0.0 {
                return Err(ToolError::failed(
                    "the model has a non-decaying real pole (is M, K positive definite?)",
                ));
            }
            let wn = prod.sqrt();
            let zeta = (a.abs() + b.abs()) / (2.0 * wn);
            modes.push((wn, 0.0, zeta, Complex64::new(a, 0.0), true));
        }
        modes.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut out = DampedModes {
            damped_frequency_hz: [0.0; 3],
            damping_ratio: [0.0; 3],
            poles: [Complex64::new(0.0, 0.0); 3],
            overdamped: [false; 3],
            warnings: Vec::new(),
        };
        for (r, m) in modes.iter().enumerate().take(N_FLOORS) {
            out.damped_frequency_hz[r] = m.1;
            out.damping_ratio[r] = m.2;
            out.poles[r] = m.3;
            out.overdamped[r] = m.4;
            if m.4 {
                out.warnings.push(format!(
                    "mode {} is overdamped (real poles, damping ratio {:.4} %): its damped natural \
                     frequency is reported as 0 Hz",
                    r + 1,
                    m.2 * 100.0
                ));
            }
        }
        Ok(out)
    }

    /// Undamped and damped modes.
    pub fn modal_analysis(&self) -> Result<ModalAnalysis, ToolError> {
        Ok(ModalAnalysis {
            undamped: self.undamped_modes()?,
            damped: self.damped_modes()?,
        })
    }

    /// Receptances `x_j / F_f` (m/N) of the three floors at `f_hz` for a force on floor
    /// `force_floor` (1..=3).
    pub fn receptance(&self, force_floor: usize, f_hz: f64) -> Result<[Complex64; 3], ToolError> {
        self.response(force_floor, FrfType::Receptance, f_hz)
    }

    /// The FRF of the three floors at `f_hz` for a force on floor `force_floor` (1..=3).
    pub fn response(
        &self,
        force_floor: usize,
        frf_type: FrfType,
        f_hz: f64,
    ) -> Result<[Complex64; 3], ToolError> {
        let f = floor_index(force_floor)?;
        self.response_at(f, frf_type, f_hz)
    }

    fn response_at(
        &self,
        f: usize,
        frf_type: FrfType,
        f_hz: f64,
    ) -> Result<[Complex64; 3], ToolError> {
        FrfKernel::new(self, f, frf_type)
            .eval(f_hz)
            .ok_or_else(|| FrfKernel::singular(f_hz))
    }

    /// The FRF of the three floors at every frequency of `freqs_hz`, `out[i][j]` = floor j+1 at
    /// frequency i. Checks `cancel` every few thousand points.
    pub fn frf(
        &self,
        force_floor: usize,
        frf_type: FrfType,
        freqs_hz: &[f64],
        cancel: &Cancel,
    ) -> Result<Vec<[Complex64; 3]>, ToolError> {
        let mut out = Vec::with_capacity(freqs_hz.len());
        self.frf_each(force_floor, frf_type, freqs_hz, cancel, |_, h| out.push(h))?;
        Ok(out)
    }

    /// Streams the FRF of the three floors at every frequency of `freqs_hz` into `sink`
    /// (index, values) without storing it. Checks `cancel` every few thousand points.
    pub fn frf_each(
        &self,
        force_floor: usize,
        frf_type: FrfType,
        freqs_hz: &[f64],
        cancel: &Cancel,
        sink: impl FnMut(usize, [Complex64; 3]),
    ) -> Result<(), ToolError> {
        let kernel = FrfKernel::new(self, floor_index(force_floor)?, frf_type);
        match kernel.f {
            0 => kernel.stream::<0>(freqs_hz, cancel, sink),
            1 => kernel.stream::<1>(freqs_hz, cancel, sink),
            _ => kernel.stream::<2>(freqs_hz, cancel, sink),
        }
    }
}

/// 0-based index of a 1-based floor number, or an error naming `force_floor`.
fn floor_index(force_floor: usize) -> Result<usize, ToolError> {
    if (1..=N_FLOORS).contains(&force_floor) {
        Ok(force_floor - 1)
    } else {
        Err(ToolError::invalid(
            "force_floor",
            format!("{force_floor} is outside the valid range 1..=3"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_matches_the_spec() {
        let a = Profile::default().model().modal_analysis().unwrap();
        let fnr = a.undamped.natural_frequency_hz;
        for (x, want) in fnr.iter().zip([6.2036, 17.8002, 26.4022]) {
            assert!((x - want).abs() < 1e-4, "{x} vs {want}");
        }
        for (x, want) in a
            .damped
            .damping_ratio
            .iter()
            .zip([0.345e-2, 0.853e-2, 0.963e-2])
        {
            assert!((x - want).abs() < 1e-5, "{x} vs {want}");
        }
        for (x, want) in a
            .undamped
            .modal_mass_kg
            .iter()
            .zip([9.6617, 8.8573, 8.6249])
        {
            assert!((x - want).abs() < 1e-4, "{x} vs {want}");
        }
        assert!(a.damped.warnings.is_empty());
    }

    #[test]
    fn overdamped_mode_is_reported_with_zero_frequency() {
        let m = LumpedModel::chain(&[1.0, 1.0, 1.0], &[100.0, 100.0, 100.0], &[1e5, 0.0, 0.0]);
        let d = m.damped_modes().unwrap();
        assert!(d.overdamped.iter().any(|&o| o));
        assert!(!d.warnings.is_empty());
        for r in 0..3 {
            assert!(d.damping_ratio[r].is_finite() && d.damping_ratio[r] > 0.0);
            if d.overdamped[r] {
                assert_eq!(d.damped_frequency_hz[r], 0.0);
                assert!(d.damping_ratio[r] > 1.0);
            }
        }
    }

    #[test]
    fn phase_is_in_half_open_interval() {
        assert_eq!(phase_deg(Complex64::new(-1.0, -0.0)), 180.0);
        assert_eq!(phase_deg(Complex64::new(-1.0, 0.0)), 180.0);
        assert!((phase_deg(Complex64::new(0.0, -1.0)) + 90.0).abs() < 1e-12);
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
    fn singular_frf_names_the_dampers() {
        // Undamped chain hit exactly at a natural frequency: 1 kg / 1 N/m single mode analogue.
        let m = LumpedModel {
            m: Matrix3::identity(),
            k: Matrix3::identity() * 4.0 * std::f64::consts::PI.powi(2),
            c: Matrix3::zeros(),
        };
        let e = m.receptance(1, 1.0).unwrap_err();
        assert_eq!(e.field(), Some("profile.dampings_ns_per_m"));
    }

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

    #[test]
    fn from_matrices_rejects_invalid_matrices() {
        let p = Profile::default().model();
        let bad_m = Matrix3::new(1.0, 2.0, 0.0, 2.0, 1.0, 0.0, 0.0, 0.0, 1.0);
        let e = LumpedModel::from_matrices(bad_m, p.k, p.c).unwrap_err();
        assert_eq!(e.field(), Some("profile.masses_kg"));
        let e = LumpedModel::from_matrices(p.m, -p.k, p.c).unwrap_err();
        assert_eq!(e.field(), Some("profile.stiffnesses_n_per_m"));
        let e = LumpedModel::from_matrices(p.m, p.k, Matrix3::zeros()).unwrap_err();
        assert_eq!(e.field(), Some("profile.dampings_ns_per_m"));
        let mut asym = p.c;
        asym[(0, 1)] += 1.0;
        let e = LumpedModel::from_matrices(p.m, p.k, asym).unwrap_err();
        assert_eq!(e.field(), Some("profile.dampings_ns_per_m"));
        let mut nan = p.k;
        nan[(2, 2)] = f64::NAN;
        let e = LumpedModel::from_matrices(p.m, nan, p.c).unwrap_err();
        assert_eq!(e.field(), Some("profile"));
        assert!(LumpedModel::from_matrices(p.m, p.k, p.c).is_ok());
    }

    #[test]
    fn state_space_matches_the_second_order_form() {
        let model = Profile::default().model();
        let a = model.state_matrix().unwrap();
        let b = model.input_vector(2).unwrap();
        let x = Vector3::new(1e-3, -2e-3, 3e-3);
        let v = Vector3::new(0.1, 0.2, -0.3);
        let z = Vector6::new(x[0], x[1], x[2], v[0], v[1], v[2]);
        let force = 2.5;
        let dz = a * z + b * force;
        // ẍ = M⁻¹(e_f F − C ẋ − K x)
        let e2 = Vector3::new(0.0, force, 0.0);
        let acc = model.m.try_inverse().unwrap() * (e2 - model.c * v - model.k * x);
        for i in 0..3 {
            assert_eq!(dz[i], v[i]);
            assert!((dz[3 + i] - acc[i]).abs() <= 1e-12 * acc.amax());
        }
        assert_eq!(b[4], 1.0 / DEFAULT_MASSES_KG[1]);
        assert_eq!(
            model.input_vector(0).unwrap_err().field(),
            Some("force_floor")
        );
        assert_eq!(
            model.receptance(4, 1.0).unwrap_err().field(),
            Some("force_floor")
        );
        assert!((model.total_mass_kg() - 15.0006).abs() < 1e-12);
        // Poles come in conjugate pairs and are stable.
        let poles = model.poles().unwrap();
        assert!(poles.iter().all(|p| p.re < 0.0));
        assert_eq!(poles.iter().filter(|p| p.im > 0.0).count(), 3);
    }

    #[test]
    fn frf_types_and_labels() {
        for t in FrfType::ALL {
            assert_eq!(FrfType::parse(t.as_str()), Some(t));
        }
        assert_eq!(FrfType::parse("inertance"), None);
        assert_eq!(
            FrfType::Accelerance.magnitude_label(),
            "Magnitude (dB re 1 m/s²/N)"
        );
        let model = Profile::default().model();
        let all = model
            .frf(1, FrfType::Receptance, &[1.0, 2.0], &Cancel::new())
            .unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1], model.receptance(1, 2.0).unwrap());
        let c = Cancel::new();
        c.cancel();
        let many = vec![1.0; 20_000];
        assert_eq!(
            model.frf(1, FrfType::Receptance, &many, &c).unwrap_err(),
            ToolError::Cancelled
        );
    }

    #[test]
    fn phase_is_in_the_half_open_interval() {
        for (re, im, want) in [
            (1.0, 0.0, 0.0),
            (0.0, 1.0, 90.0),
            (-1.0, 0.0, 180.0),
            (-1.0, -0.0, 180.0),
            (0.0, -1.0, -90.0),
            (-1.0, -1e-300, 180.0),
            (-1.0, -1e-3, -180.0 + 1e-3f64.atan().to_degrees()),
        ] {
            let p = phase_deg(Complex64::new(re, im));
            assert!(
                (p - want).abs() < 1e-12 && p > -180.0 && p <= 180.0,
                "{re} {im}: {p}"
            );
        }
    }
}
