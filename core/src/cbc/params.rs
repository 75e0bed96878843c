//! Parameters of `cbc` (cbc.md §3): schema, typed struct and the cross-field rules.
//! Every key is validated in every mode (unused ones are echoed too).

use serde_json::{json, Value};

use super::continuation::CbcSettings;
use super::model::Structure;
use crate::schema::{self, ParamSpec};
use crate::ToolError;

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Continuation,
    FrequencySweep,
    AmplitudeSweep,
    Exact,
}

/// Which exact curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// Vary Φ at fixed ω.
    SCurve,
    /// Vary ω at fixed Φ.
    Frc,
}

/// The typed parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct CbcParams {
    pub mode: Mode,
    pub curve: Curve,
    pub structure: Structure,
    pub forcing_n: f64,
    pub omega_rad_s: f64,
    pub frequency_min_rad_s: f64,
    pub frequency_max_rad_s: f64,
    pub frequency_points: usize,
    pub forcing_min_n: f64,
    pub forcing_max_n: f64,
    pub forcing_points: usize,
    /// The CBC experiment (its seed forcing is `forcing_min_n`, its ω `omega_rad_s`).
    pub cbc: CbcSettings,
    /// Experimental modes also compute the exact curve over the same range (for the overlay).
    pub overlay_exact: bool,
}

/// The schema of `cbc`.
pub fn cbc_params() -> Vec<ParamSpec> {
    let mut specs = vec![
        ParamSpec::choice(
            "mode",
            "Mode",
            "continuation",
            &[
                "continuation",
                "frequency_sweep",
                "amplitude_sweep",
                "exact",
            ],
        )
        .describe(
            "continuation: virtual CBC experiment (whole S-curve incl. the unstable branch); \
             frequency_sweep / amplitude_sweep: slow open-loop sweeps up and down; exact: the \
             true curve by shooting with stability and folds.",
        ),
        ParamSpec::choice("curve", "Exact curve", "s_curve", &["s_curve", "frc"]).describe(
            "exact mode: s_curve varies the forcing at fixed frequency, frc the frequency at \
             fixed forcing.",
        ),
        ParamSpec::boolean("overlay_exact", "Exact curve underneath", true).describe(
            "Sweeps and continuation: also compute the exact curve of the same structure over \
             the same range (S-curve at omega_rad_s, or the FRC at forcing_n) and draw it under \
             the experiment, unstable stretches dashed.",
        ),
        ParamSpec::number_list(
            "masses_kg",
            "Floor masses",
            "kg",
            json!([0.2, 0.2, 0.2]),
            3,
            3,
        )
        .min(1e-3)
        .max(1e3)
        .describe("m1..m3, floor 1 at the bottom."),
        ParamSpec::number_list(
            "stiffnesses_n_per_m",
            "Storey stiffnesses",
            "N/m",
            json!([200.0, 200.0, 200.0]),
            3,
            3,
        )
        .min(1e-3)
        .max(1e7)
        .describe("s1..s3 (s1 between the ground and floor 1)."),
        ParamSpec::number_list(
            "dampings_ns_per_m",
            "Storey dampers",
            "N·s/m",
            json!([0.1, 0.1, 0.1]),
            3,
            3,
        )
        .min(1e-6)
        .max(1e5)
        .describe("b1..b3; must be positive: periodic orbits need dissipation."),
        ParamSpec::number("cubic_stiffness_n_per_m3", "Cubic stiffness", "N/m³", 200.0)
            .min(0.0)
            .max(1e7)
            .describe("Hardening spring s13 between floor 1 and the ground (0 = linear)."),
        ParamSpec::number("forcing_n", "Forcing amplitude", "N", 10.0)
            .min_exclusive(0.0)
            .max(1e5)
            .describe("Φ of the frequency sweep and of the exact FRC."),
        ParamSpec::number("omega_rad_s", "Forcing frequency", "rad/s", 16.0)
            .min(0.1)
            .max(1000.0)
            .describe("ω of the amplitude sweep, the CBC experiment and the exact S-curve."),
        ParamSpec::number("frequency_min_rad_s", "Lowest frequency", "rad/s", 1.0)
            .min(0.1)
            .max(1000.0)
            .describe("Lower end of the frequency range (frequency sweep, exact FRC)."),
        ParamSpec::number("frequency_max_rad_s", "Highest frequency", "rad/s", 50.0)
            .min(0.1)
            .max(1000.0)
            .describe("Upper end of the frequency range; must exceed the lower end."),
        ParamSpec::integer("frequency_points", "Frequency points", 200, 2, 5000)
            .describe("Grid of the frequency sweep: linspace(min, max, n), each way."),
        ParamSpec::number("forcing_min_n", "Lowest forcing", "N", 1.0)
            .min_exclusive(0.0)
            .max(1e5)
            .describe(
                "Lower end of the forcing range (amplitude sweep, exact S-curve) and the \
                 forcing of the CBC seed.",
            ),
        ParamSpec::number("forcing_max_n", "Highest forcing", "N", 80.0)
            .min_exclusive(0.0)
            .max(1e5)
            .describe("Upper end of the forcing range; must exceed the lower end."),
        ParamSpec::integer("forcing_points", "Forcing points", 40, 2, 5000)
            .describe("Grid of the amplitude sweep: linspace(min, max, n), each way."),
        ParamSpec::number("amplitude_max_m", "Last CBC target", "m", 0.945)
            .min_exclusive(0.0)
            .max(100.0)
            .describe(
                "Floor-1 fundamental amplitude of the last CBC point; must exceed the seed's.",
            ),
        ParamSpec::integer("cbc_points", "CBC points", 100, 3, 5000)
            .describe("Number of CBC points including the seed."),
        ParamSpec::number("kp_n_per_m", "Proportional gain", "N/m", 120.0)
            .min(0.0)
            .max(1e7)
            .describe("kp of the PD controller (positive stabilises); kp + kd must be > 0."),
        ParamSpec::number("kd_ns_per_m", "Derivative gain", "N·s/m", 25.0)
            .min(0.0)
            .max(1e6)
            .describe("kd of the PD controller (positive stabilises)."),
        ParamSpec::integer("target_harmonics", "Target harmonics", 21, 1, 64)
            .describe("H: harmonics of the target motion x*; below 7 the control stays invasive."),
        ParamSpec::number("cbc_tol_n", "CBC tolerance", "N", 1e-6)
            .min(1e-12)
            .max(1.0)
            .log()
            .describe("Convergence: RMS of the control force over harmonics 0..H."),
        ParamSpec::integer("cbc_max_iterations", "CBC iterations", 30, 1, 500)
            .describe("Newton/Broyden iterations per CBC point."),
    ];
    specs.extend(crate::lumped::optional_profile_params(
        "masses_kg, stiffnesses_n_per_m and dampings_ns_per_m above",
    ));
    specs
}

fn triple(v: &Value, key: &str) -> Result<[f64; 3], ToolError> {
    let items = v
        .get(key)
        .and_then(Value::as_array)
        .filter(|a| a.len() == 3)
        .ok_or_else(|| ToolError::invalid(key, "expected exactly 3 numbers"))?;
    let mut out = [0.0; 3];
    for (o, item) in out.iter_mut().zip(items) {
        *o = item
            .as_f64()
            .filter(|x| x.is_finite())
            .ok_or_else(|| ToolError::invalid(key, "expected exactly 3 numbers"))?;
    }
    Ok(out)
}

fn count(v: &Value, key: &str) -> Result<usize, ToolError> {
    v.get(key)
        .and_then(Value::as_f64)
        .filter(|x| x.is_finite() && x.fract() == 0.0 && *x >= 0.0)
        .map(|x| x as usize)
        .ok_or_else(|| ToolError::invalid(key, "expected a non-negative integer"))
}

/// A model profile given in `profile.*` replaces the structure's masses, stiffnesses and
/// dampers (the cubic spring stays); the echo then shows the profile's values in those keys.
fn apply_profile(filled: &mut Value) -> Result<(), ToolError> {
    let field = |key: &str| -> Result<Option<[f64; 3]>, ToolError> {
        match filled.get("profile").and_then(|p| p.get(key)) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => triple(&filled["profile"], key).map(Some).map_err(|_| {
                ToolError::invalid(format!("profile.{key}"), "expected exactly 3 numbers")
            }),
        }
    };
    let name = filled
        .get("profile")
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(profile) = crate::lumped::optional_profile(
        name.as_deref(),
        field("masses_kg")?,
        field("stiffnesses_n_per_m")?,
        field("dampings_ns_per_m")?,
    )?
    else {
        return Ok(());
    };
    if let Some(obj) = filled.as_object_mut() {
        obj.insert("masses_kg".into(), json!(profile.masses_kg));
        obj.insert(
            "stiffnesses_n_per_m".into(),
            json!(profile.stiffnesses_n_per_m),
        );
        obj.insert("dampings_ns_per_m".into(), json!(profile.dampings_ns_per_m));
    }
    Ok(())
}

impl CbcParams {
    /// Validates `params` and builds the typed parameters; returns them with the echo.
    pub fn parse(params: &Value) -> Result<(Self, Value), ToolError> {
        let mut filled = schema::validate(&cbc_params(), params)?;
        apply_profile(&mut filled)?;
        Ok((Self::from_filled(&filled)?, filled))
    }

    /// The typed parameters from a validated object, with the cross-field rules.
    pub fn from_filled(v: &Value) -> Result<Self, ToolError> {
        let n = |k: &str| schema::number_at(v, k);
        let mode = match schema::text_at(v, "mode")? {
            "continuation" => Mode::Continuation,
            "frequency_sweep" => Mode::FrequencySweep,
            "amplitude_sweep" => Mode::AmplitudeSweep,
            "exact" => Mode::Exact,
            other => {
                return Err(ToolError::invalid(
                    "mode",
                    format!("unknown mode '{other}'"),
                ))
            }
        };
        let curve = match schema::text_at(v, "curve")? {
            "s_curve" => Curve::SCurve,
            "frc" => Curve::Frc,
            other => {
                return Err(ToolError::invalid(
                    "curve",
                    format!("unknown curve '{other}'"),
                ))
            }
        };
        let p = Self {
            mode,
            curve,
            structure: Structure {
                masses_kg: triple(v, "masses_kg")?,
                stiffnesses_n_per_m: triple(v, "stiffnesses_n_per_m")?,
                dampings_ns_per_m: triple(v, "dampings_ns_per_m")?,
                cubic_stiffness_n_per_m3: n("cubic_stiffness_n_per_m3")?,
            },
            forcing_n: n("forcing_n")?,
            omega_rad_s: n("omega_rad_s")?,
            frequency_min_rad_s: n("frequency_min_rad_s")?,
            frequency_max_rad_s: n("frequency_max_rad_s")?,
            frequency_points: count(v, "frequency_points")?,
            forcing_min_n: n("forcing_min_n")?,
            forcing_max_n: n("forcing_max_n")?,
            forcing_points: count(v, "forcing_points")?,
            cbc: CbcSettings {
                omega_rad_s: n("omega_rad_s")?,
                seed_forcing_n: n("forcing_min_n")?,
                amplitude_max_m: n("amplitude_max_m")?,
                points: count(v, "cbc_points")?,
                kp_n_per_m: n("kp_n_per_m")?,
                kd_ns_per_m: n("kd_ns_per_m")?,
                harmonics: count(v, "target_harmonics")?,
                tol_n: n("cbc_tol_n")?,
                max_iterations: count(v, "cbc_max_iterations")?,
            },
            overlay_exact: v
                .get("overlay_exact")
                .and_then(Value::as_bool)
                .ok_or_else(|| ToolError::invalid("overlay_exact", "must be true or false"))?,
        };
        if p.frequency_min_rad_s >= p.frequency_max_rad_s {
            return Err(ToolError::invalid(
                "frequency_min_rad_s",
                format!(
                    "must be below frequency_max_rad_s ({} rad/s), is {} rad/s",
                    p.frequency_max_rad_s, p.frequency_min_rad_s
                ),
            ));
        }
        if p.forcing_min_n >= p.forcing_max_n {
            return Err(ToolError::invalid(
                "forcing_min_n",
                format!(
                    "must be below forcing_max_n ({} N), is {} N",
                    p.forcing_max_n, p.forcing_min_n
                ),
            ));
        }
        if (p.cbc.kp_n_per_m + p.cbc.kd_ns_per_m).partial_cmp(&0.0)
            != Some(std::cmp::Ordering::Greater)
        {
            return Err(ToolError::invalid(
                "kp_n_per_m",
                "kp_n_per_m + kd_ns_per_m must be positive: without feedback the experiment \
                 cannot stabilise the unstable branch",
            ));
        }
        Ok(p)
    }
}
