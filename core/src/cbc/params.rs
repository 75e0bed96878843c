//! Parameters of `cbc` (docs/cbc.md §3): schema, typed struct and the cross-field rules.
//! Every key is validated in every mode (unused ones are echoed too).

use serde::Deserialize;
use serde_json::{json, Value};

use super::continuation::CbcSettings;
use super::model::Structure;
use crate::lumped::OptionalProfileInput;
use crate::schema::{self, ParamSpec};
use crate::ToolError;

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Continuation,
    FrequencySweep,
    AmplitudeSweep,
    Exact,
}

/// Which exact curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// A swept range of the schema: its lower end, upper end (which must exceed the lower) and
/// the number of points of the grid `linspace(min, max, n)`.
struct SweepRange<'a> {
    /// Keys of the lower end, the upper end and the point count.
    keys: [&'a str; 3],
    /// What is swept, as the labels and descriptions name it ("frequency").
    quantity: &'a str,
    points_label: &'a str,
    unit: &'a str,
    /// Defaults of the lower end, the upper end and the point count.
    defaults: (f64, f64, i64),
    /// What the lower end serves, closing its description.
    lower_end_use: &'a str,
    /// The sweep run on this grid, as its description names it ("amplitude").
    sweep: &'a str,
}

impl SweepRange<'_> {
    /// The three specs; `end_bounds` bounds both ends alike.
    fn specs(&self, end_bounds: impl Fn(ParamSpec) -> ParamSpec) -> [ParamSpec; 3] {
        let [min_key, max_key, points_key] = self.keys;
        let (min_default, max_default, points_default) = self.defaults;
        let quantity = self.quantity;
        let lower = ParamSpec::number(
            min_key,
            &format!("Lowest {quantity}"),
            self.unit,
            min_default,
        );
        let upper = ParamSpec::number(
            max_key,
            &format!("Highest {quantity}"),
            self.unit,
            max_default,
        );
        [
            end_bounds(lower).describe(&format!(
                "Lower end of the {quantity} range {}",
                self.lower_end_use
            )),
            end_bounds(upper).describe(&format!(
                "Upper end of the {quantity} range; must exceed the lower end."
            )),
            ParamSpec::integer(points_key, self.points_label, points_default, 2, 5000).describe(
                &format!(
                    "Grid of the {} sweep: linspace(min, max, n), each way.",
                    self.sweep
                ),
            ),
        ]
    }
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
    ];
    specs.extend(
        SweepRange {
            keys: [
                "frequency_min_rad_s",
                "frequency_max_rad_s",
                "frequency_points",
            ],
            quantity: "frequency",
            points_label: "Frequency points",
            unit: "rad/s",
            defaults: (1.0, 50.0, 200),
            lower_end_use: "(frequency sweep, exact FRC).",
            sweep: "frequency",
        }
        .specs(|end| end.min(0.1).max(1000.0)),
    );
    specs.extend(
        SweepRange {
            keys: ["forcing_min_n", "forcing_max_n", "forcing_points"],
            quantity: "forcing",
            points_label: "Forcing points",
            unit: "N",
            defaults: (1.0, 80.0, 40),
            lower_end_use: "(amplitude sweep, exact S-curve) and the forcing of the CBC seed.",
            sweep: "amplitude",
        }
        .specs(|end| end.min_exclusive(0.0).max(1e5)),
    );
    specs.extend([
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
    ]);
    specs.extend(crate::lumped::optional_profile_params(
        "masses_kg, stiffnesses_n_per_m and dampings_ns_per_m above",
    ));
    specs
}

/// The parameters as the schema fills them in (every range already checked).
#[derive(Debug, Deserialize)]
struct CbcInput {
    mode: Mode,
    curve: Curve,
    overlay_exact: bool,
    masses_kg: [f64; 3],
    stiffnesses_n_per_m: [f64; 3],
    dampings_ns_per_m: [f64; 3],
    cubic_stiffness_n_per_m3: f64,
    forcing_n: f64,
    omega_rad_s: f64,
    frequency_min_rad_s: f64,
    frequency_max_rad_s: f64,
    frequency_points: usize,
    forcing_min_n: f64,
    forcing_max_n: f64,
    forcing_points: usize,
    amplitude_max_m: f64,
    cbc_points: usize,
    kp_n_per_m: f64,
    kd_ns_per_m: f64,
    target_harmonics: usize,
    cbc_tol_n: f64,
    cbc_max_iterations: usize,
    #[serde(default)]
    profile: OptionalProfileInput,
}

impl CbcParams {
    /// Validates `params` and builds the typed parameters; returns them with the echo.
    pub fn parse(params: &Value) -> Result<(Self, Value), ToolError> {
        schema::parse_checked(&cbc_params(), params, Self::check)
    }

    /// The cross-field rules. A model profile given in `profile.*` replaces the structure's
    /// masses, stiffnesses and dampers (the cubic spring stays); the echo then shows the
    /// profile's values in those keys.
    fn check(v: CbcInput, echo: &mut Value) -> Result<Self, ToolError> {
        let mut structure = Structure {
            masses_kg: v.masses_kg,
            stiffnesses_n_per_m: v.stiffnesses_n_per_m,
            dampings_ns_per_m: v.dampings_ns_per_m,
            cubic_stiffness_n_per_m3: v.cubic_stiffness_n_per_m3,
        };
        if let Some(profile) = v.profile.profile()? {
            structure.masses_kg = profile.masses_kg;
            structure.stiffnesses_n_per_m = profile.stiffnesses_n_per_m;
            structure.dampings_ns_per_m = profile.dampings_ns_per_m;
            if let Some(obj) = echo.as_object_mut() {
                obj.insert("masses_kg".into(), json!(profile.masses_kg));
                obj.insert(
                    "stiffnesses_n_per_m".into(),
                    json!(profile.stiffnesses_n_per_m),
                );
                obj.insert("dampings_ns_per_m".into(), json!(profile.dampings_ns_per_m));
            }
        }
        let p = Self {
            mode: v.mode,
            curve: v.curve,
            structure,
            forcing_n: v.forcing_n,
            omega_rad_s: v.omega_rad_s,
            frequency_min_rad_s: v.frequency_min_rad_s,
            frequency_max_rad_s: v.frequency_max_rad_s,
            frequency_points: v.frequency_points,
            forcing_min_n: v.forcing_min_n,
            forcing_max_n: v.forcing_max_n,
            forcing_points: v.forcing_points,
            cbc: CbcSettings {
                omega_rad_s: v.omega_rad_s,
                seed_forcing_n: v.forcing_min_n,
                amplitude_max_m: v.amplitude_max_m,
                points: v.cbc_points,
                kp_n_per_m: v.kp_n_per_m,
                kd_ns_per_m: v.kd_ns_per_m,
                harmonics: v.target_harmonics,
                tol_n: v.cbc_tol_n,
                max_iterations: v.cbc_max_iterations,
            },
            overlay_exact: v.overlay_exact,
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
