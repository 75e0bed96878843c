//! `vibration-control`: structural vibration control of the 3-storey rig (docs/control.md).
//!
//! One tool, five strategies: `passive` (bare structure), `tmd` (tuned mass damper), `dvf`
//! (direct velocity feedback through an inertial actuator), `dvf_ec` (DVF with a second-order
//! compensator) and `lqg` (LQR with a Kalman estimator). A harmonic force of 1 N drives
//! floor 1; the tool reports the kinetic energy over 1–100 Hz (9901 points), the per-floor
//! receptances, the broadband reduction
//!
//! ```text
//! kinetic_energy_reduction_db = −10·log10(∫T_ctrl dω / ∫T₀ dω)
//! ```
//!
//! and, for active strategies, the closed-loop poles (the stability verdict), gain and
//! phase margins and the largest stable DVF gain per floor.
//!
//! Module map: [`rig`] structure, [`device`] 4-DOF device model and state space,
//! [`sweep`] frequency sweeps, [`compensator`], [`feedback`] g(ω) and the plant,
//! [`care`] Riccati solver, [`lqg`] design, [`margins`], [`poles`], [`eigen`] eigenvalues
//! and modal forms, [`brent`] root finder, [`lu`] small complex LU solves, `report` result
//! assembly.

pub mod brent;
pub mod care;
pub mod compensator;
pub mod device;
pub mod eigen;
pub mod error;
pub mod feedback;
pub mod lqg;
pub mod lu;
pub mod margins;
pub mod poles;
mod report;
pub mod rig;
pub mod sweep;

use serde::Deserialize;
use serde_json::Value;

use crate::schema::{parse, ParamSpec};
use crate::tool::{Category, Parsed, RunResult, ToolMeta, TypedTool};
use crate::ResultSize;
use crate::{Cancel, Progress, ToolError};

pub use crate::lumped::OptionalProfileInput as ProfileInput;
pub use error::ControlError;

/// Tool id.
pub const TOOL_ID: &str = "vibration-control";

/// The control strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Passive,
    Tmd,
    Dvf,
    DvfEc,
    Lqg,
}

impl Strategy {
    /// Whether the strategy feeds back a measured velocity.
    pub fn is_active(self) -> bool {
        matches!(self, Strategy::Dvf | Strategy::DvfEc | Strategy::Lqg)
    }
}

/// The validated parameters (docs/control.md §3); defaults are filled in by the schema.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlParams {
    pub strategy: Strategy,
    /// Floor 1..=3 (an integral number; schema-checked).
    pub floor: f64,
    pub base_mass_kg: f64,
    pub proof_mass_kg: f64,
    pub stiffness_n_per_m: f64,
    pub damping_ns_per_m: f64,
    pub force_factor_n_per_a: f64,
    pub coil_resistance_ohm: f64,
    pub gain_a_s_per_m: f64,
    /// None = the device's natural frequency.
    pub comp_zero_freq_hz: Option<f64>,
    /// None = the device's damping ratio.
    pub comp_zero_damping_percent: Option<f64>,
    pub comp_pole_freq_hz: f64,
    pub comp_pole_damping_percent: f64,
    pub lqr_state_weight: f64,
    pub lqr_input_weight: f64,
    pub kalman_process_noise: f64,
    pub kalman_measurement_noise: f64,
    /// A model profile in place of the rig's geometry model (all three lists, or none).
    #[serde(default)]
    pub profile: ProfileInput,
    /// The structure the profile gives (None: the rig's geometry model), set by
    /// [`parse_params`].
    #[serde(skip)]
    pub structure: Option<rig::Structure>,
}

/// The `vibration-control` tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct VibrationControlTool;

/// The parameter schema (docs/control.md §3).
pub fn param_specs() -> Vec<ParamSpec> {
    let mut specs = vec![
        ParamSpec::choice(
            "strategy",
            "Strategy",
            "tmd",
            &["passive", "tmd", "dvf", "dvf_ec", "lqg"],
        )
        .describe(
            "passive = bare structure only; tmd = tuned mass damper; dvf = direct velocity \
             feedback through an inertial actuator; dvf_ec = DVF with a second-order \
             electronic compensator; lqg = LQR state feedback with a Kalman estimator",
        ),
        ParamSpec::integer("floor", "Device floor", 1, 1, 3)
            .describe("Floor carrying the device (and sensed, for active strategies); 1 = bottom"),
        ParamSpec::number("base_mass_kg", "Base mass", "kg", 0.5)
            .min(0.0)
            .max(10.0)
            .describe("m_b: device base bolted to the floor, added to the floor mass"),
        ParamSpec::number("proof_mass_kg", "Proof mass", "kg", 1.0)
            .min_exclusive(0.0)
            .max(10.0)
            .describe("m_p: the moving (proof) mass of the TMD or actuator"),
        ParamSpec::number("stiffness_n_per_m", "Suspension stiffness", "N/m", 1670.0)
            .min_exclusive(0.0)
            .max(1e6)
            .describe("k_p: suspension stiffness between proof mass and base"),
        ParamSpec::number("damping_ns_per_m", "Suspension damping", "N·s/m", 5.0)
            .min(0.0)
            .max(1000.0)
            .describe("c_p: suspension damping between proof mass and base"),
        ParamSpec::number("force_factor_n_per_a", "Force factor Bl", "N/A", 10.0)
            .min_exclusive(0.0)
            .max(100.0)
            .describe("Bl: actuator force = Bl × coil current (active strategies)"),
        ParamSpec::number("coil_resistance_ohm", "Coil resistance", "Ω", 8.0)
            .min(0.0)
            .max(100.0)
            .describe("Z_e: coil resistance, used for the electrical power only"),
        ParamSpec::number("gain_a_s_per_m", "Feedback gain h", "A·s/m", 5.0)
            .min(0.0)
            .max(1000.0)
            .log()
            .describe("h: coil current per floor velocity (dvf, dvf_ec)"),
        ParamSpec::optional_number("comp_zero_freq_hz", "Compensator zero frequency", "Hz")
            .min_exclusive(0.0)
            .max(100.0)
            .describe(
                "Compensator numerator frequency f̂; null = the device's natural frequency f_p",
            ),
        ParamSpec::optional_number("comp_zero_damping_percent", "Compensator zero damping", "%")
            .min(0.0)
            .max(200.0)
            .describe("Compensator numerator damping ξ̂; null = the device's damping ratio ξ_p"),
        ParamSpec::number("comp_pole_freq_hz", "Compensator pole frequency", "Hz", 4.0)
            .min_exclusive(0.0)
            .max(100.0)
            .describe("Compensator denominator frequency f_c"),
        ParamSpec::number(
            "comp_pole_damping_percent",
            "Compensator pole damping",
            "%",
            20.0,
        )
        .min_exclusive(0.0)
        .max(200.0)
        .describe("Compensator denominator damping ξ_c (> 0: the compensator must be stable)"),
        ParamSpec::number("lqr_state_weight", "LQR state weight q", "", 200.0)
            .min_exclusive(0.0)
            .max(1e9)
            .log()
            .describe("q: weight on the floor displacements and velocities"),
        ParamSpec::number("lqr_input_weight", "LQR input weight r", "", 0.1)
            .min(1e-9)
            .max(1e6)
            .log()
            .describe("r: weight on the actuator force"),
        ParamSpec::number(
            "kalman_process_noise",
            "Kalman process noise Q_n",
            "N²·s",
            1.0,
        )
        .min_exclusive(0.0)
        .max(1e6)
        .log()
        .describe("Q_n: intensity of the disturbance-force noise on floor 1"),
        ParamSpec::number(
            "kalman_measurement_noise",
            "Kalman measurement noise R_n",
            "(m/s)²·s",
            1e-8,
        )
        .min(1e-12)
        .max(1.0)
        .log()
        .describe("R_n: intensity of the velocity-sensor noise"),
    ];
    specs.extend(crate::lumped::optional_profile_params(
        "the rig's geometry model (equal storeys, Rayleigh damping)",
    ));
    specs
}

/// Parses and checks `params`; returns the typed parameters and the echo (defaults filled
/// in, compensator zero resolved).
pub fn parse_params(params: &Value) -> Result<(ControlParams, Value), ToolError> {
    let (mut p, mut echo): (ControlParams, Value) = parse(&param_specs(), params)?;
    p.structure = match p.profile.profile()? {
        Some(pr) => Some(rig::Structure::from_chain(
            &pr.masses_kg,
            &pr.stiffnesses_n_per_m,
            &pr.dampings_ns_per_m,
        )?),
        None => None,
    };
    if !(p.floor == 1.0 || p.floor == 2.0 || p.floor == 3.0) {
        return Err(ToolError::invalid("floor", "must be 1, 2 or 3"));
    }
    let dev = report::device_params(&p);
    let fp = dev.natural_frequency_hz();
    let xp = dev.damping_ratio() * 100.0;
    if !fp.is_finite() || !xp.is_finite() {
        return Err(ToolError::invalid(
            "stiffness_n_per_m",
            "the device natural frequency is not finite",
        ));
    }
    let zf = *p.comp_zero_freq_hz.get_or_insert(fp);
    let zd = *p.comp_zero_damping_percent.get_or_insert(xp);
    if let Some(obj) = echo.as_object_mut() {
        obj.insert("comp_zero_freq_hz".into(), Value::from(zf));
        obj.insert("comp_zero_damping_percent".into(), Value::from(zd));
        obj.insert("floor".into(), Value::from(p.floor as i64));
    }
    Ok((p, echo))
}

impl TypedTool for VibrationControlTool {
    const META: ToolMeta = ToolMeta {
        id: TOOL_ID,
        title: "Structural vibration control",
        category: Category::SelfContainedSimulation,
        description: "Kinetic-energy reduction of the 3-storey rig with a tuned mass damper, \
            direct velocity feedback (with or without a compensator) or LQG control, with \
            closed-loop poles, stability margins and the largest stable gain per floor.",
        heavy: false,
    };
    type Params = ControlParams;
    fn param_specs() -> Vec<ParamSpec> {
        param_specs()
    }
    fn parse(raw: &Value, _: &Progress, _: &Cancel) -> Parsed<Self::Params> {
        parse_params(raw)
    }
    fn run(p: Self::Params, echo: Value, progress: &Progress, cancel: &Cancel) -> RunResult {
        report::run(&p, echo, progress, cancel)
    }
    /// A fixed frequency grid ([`sweep::GRID_POINTS`]): series of x and y on it (7 passive,
    /// 14 with a tuned mass damper, at most 20 with active control), plus scalars and the small
    /// modes, poles and gains tables.
    fn result_values(p: &Self::Params) -> ResultSize {
        let series = match p.strategy {
            Strategy::Passive => 7.0,
            Strategy::Tmd => 14.0,
            _ => 20.0,
        };
        ResultSize::fixed("strategy", series * 2.0 * sweep::GRID_POINTS as f64 + 600.0)
    }
}
