//! Parameters of `uncertainty` (docs/uncertainty.md §3.1): nominal values, tolerances, grid,
//! methods and Monte-Carlo settings, with every bad value reported by its field.
//!
//! `methods` is a list of names; the form sends it as one comma-separated text, which is
//! accepted too. With `use_profile` the nominal values come from the inline rig `profile`
//! (the form's "load the rig's model") instead of `mass_kg` / `stiffness_n_per_m` /
//! `damping_ns_per_m`.

use serde::Deserialize;
use serde_json::{json, Value};

use super::kernel::Point;
use crate::lumped::{profile_params, Profile};
use crate::schema::{self, ParamSpec};
use crate::ToolError;

/// Default nominal masses (kg): the original app's building-scale model.
pub const DEFAULT_MASS_KG: [f64; 3] = [53_600.0, 51_400.0, 51_400.0];
/// Default storey stiffnesses (N/m).
pub const DEFAULT_STIFFNESS_N_PER_M: [f64; 3] = [3.85e8, 4.46e8, 4.59e8];
/// Default storey dampers (N·s/m).
pub const DEFAULT_DAMPING_NS_PER_M: [f64; 3] = [17_000.0, 10_200.0, 13_400.0];
/// Largest Monte-Carlo sample count.
pub const MAX_MC_SAMPLES: i64 = 1_000_000;
/// Work limit: grid points × evaluations per point.
pub const MAX_WORK: f64 = 2e9;

/// A bounding method of §4.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    DiagonalGrid,
    MonteCarlo,
    Vertex,
}

impl Method {
    /// In result order.
    pub const ALL: [Method; 3] = [Method::DiagonalGrid, Method::MonteCarlo, Method::Vertex];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::DiagonalGrid => "diagonal_grid",
            Method::MonteCarlo => "monte_carlo",
            Method::Vertex => "vertex",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Fresh Monte-Carlo samples at each frequency, or one set for all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    Common,
    PerFrequency,
}

/// The typed parameters of `uncertainty`.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintyParams {
    /// Centre values in [`Point`] order (m1..m3, k1..k3, c1..c3).
    pub centre: Point,
    /// Relative half-widths e_p = t_p/100 in the same order.
    pub rel_tolerance: Point,
    /// Excited floor, 0-based.
    pub excitation_floor: usize,
    pub freq_min_hz: f64,
    pub freq_max_hz: f64,
    pub n_freq: usize,
    pub refine_peaks: bool,
    /// Selected methods, sorted in result order.
    pub methods: Vec<Method>,
    pub diagonal_grid_points: usize,
    pub mc_samples: usize,
    pub sampling: Sampling,
    pub seed: u32,
    pub quantiles_percent: Vec<u32>,
}

impl UncertaintyParams {
    /// Lower corner of the box.
    pub fn lower(&self) -> Point {
        std::array::from_fn(|i| self.centre[i] * (1.0 - self.rel_tolerance[i]))
    }
    /// Upper corner of the box.
    pub fn upper(&self) -> Point {
        std::array::from_fn(|i| self.centre[i] * (1.0 + self.rel_tolerance[i]))
    }
    pub fn has(&self, m: Method) -> bool {
        self.methods.contains(&m)
    }
}

const DEFAULT_METHODS: [&str; 3] = ["diagonal_grid", "monte_carlo", "vertex"];

fn triple(key: &str, label: &str, unit: &str, default: [f64; 3]) -> ParamSpec {
    ParamSpec::number_list(key, label, unit, json!(default), 3, 3)
}

/// The schema of `uncertainty`.
pub fn uncertainty_params() -> Vec<ParamSpec> {
    let tol = |key: &str, label: &str, what: &str| {
        triple(key, label, "%", [10.0; 3])
            .min(0.0)
            .max(99.0)
            .describe(&format!(
                "Half-width of the interval of each {what}, relative to its centre (floor 1 first)."
            ))
    };
    let mut specs = vec![
        triple("mass_kg", "Masses m1..m3", "kg", DEFAULT_MASS_KG)
            .min_exclusive(0.0)
            .describe("Nominal (centre) floor masses, floor 1 (bottom) first."),
        triple(
            "stiffness_n_per_m",
            "Stiffnesses k1..k3",
            "N/m",
            DEFAULT_STIFFNESS_N_PER_M,
        )
        .min_exclusive(0.0)
        .describe("Centre storey stiffnesses; k1 ties floor 1 to the ground."),
        triple(
            "damping_ns_per_m",
            "Dampers c1..c3",
            "N·s/m",
            DEFAULT_DAMPING_NS_PER_M,
        )
        .min_exclusive(0.0)
        .describe("Centre storey dashpots."),
        tol("mass_tolerance_percent", "Mass tolerance", "mass"),
        tol(
            "stiffness_tolerance_percent",
            "Stiffness tolerance",
            "stiffness",
        ),
        tol("damping_tolerance_percent", "Damping tolerance", "damper"),
        ParamSpec::integer("excitation_floor", "Force on floor", 2, 1, 3)
            .describe("Floor carrying the unit harmonic force."),
        ParamSpec::number("freq_min_hz", "First frequency", "Hz", 0.5)
            .min(0.0)
            .max_exclusive(1e4)
            .describe("First point of the frequency grid."),
        ParamSpec::number("freq_max_hz", "Last frequency", "Hz", 32.0)
            .min_exclusive(0.0)
            .max(1e4)
            .describe("Last point of the grid (exact); must exceed the first."),
        ParamSpec::integer("n_freq", "Grid points", 400, 2, 100_000)
            .describe("Points of the uniform base grid."),
        ParamSpec::boolean("refine_peaks", "Refine peaks", true)
            .describe("Add 33 points across ±4ζ around each nominal resonance."),
        ParamSpec::text("methods", "Methods", &DEFAULT_METHODS.join(", "), 1, 200).describe(
            "Bounding methods, comma-separated: diagonal_grid, monte_carlo, vertex \
             (a JSON list is accepted too).",
        ),
        ParamSpec::integer("diagonal_grid_points", "Diagonal-grid points", 30, 2, 1000)
            .describe("Points per axis of the diagonal (correlated) grid."),
        ParamSpec::integer("mc_samples", "Monte-Carlo samples", 1000, 1, MAX_MC_SAMPLES)
            .log()
            .describe("Uniform samples of the box (shared or per frequency)."),
        ParamSpec::choice(
            "mc_sampling",
            "Monte-Carlo sampling",
            "common",
            &["common", "per_frequency"],
        )
        .describe("One sample set for all frequencies, or fresh samples at each (original)."),
        ParamSpec::integer("seed", "Seed", 0, 0, 4_294_967_295)
            .describe("MT19937 seed (init_genrand)."),
        ParamSpec::number_list(
            "mc_quantiles_percent",
            "Monte-Carlo quantiles",
            "%",
            json!([5, 95]),
            0,
            9,
        )
        .min(1.0)
        .max(99.0)
        .describe("Quantile curves of the Monte-Carlo samples (integers, no duplicates)."),
        ParamSpec::boolean("use_profile", "Use the rig profile", false).describe(
            "Take the nominal masses, stiffnesses and dampers from the profile below instead.",
        ),
    ];
    specs.extend(profile_params("profile"));
    specs
}

/// `methods` from a list of names or a comma-separated text.
fn parse_methods(v: &Value) -> Result<Vec<Method>, ToolError> {
    let names = crate::schema::name_list(v, "methods", "method")?;
    if names.is_empty() {
        return Err(ToolError::invalid("methods", "select at least one method"));
    }
    let mut out = Vec::new();
    for n in &names {
        let m = Method::parse(n).ok_or_else(|| {
            ToolError::invalid(
                "methods",
                format!("'{n}' is not one of: diagonal_grid, monte_carlo, vertex"),
            )
        })?;
        if out.contains(&m) {
            return Err(ToolError::invalid(
                "methods",
                format!("'{n}' is listed twice"),
            ));
        }
        out.push(m);
    }
    out.sort();
    Ok(out)
}

/// The parameters as the schema fills them in (`methods` is read apart: a list or a text).
#[derive(Debug, Deserialize)]
struct UncertaintyInput {
    use_profile: bool,
    profile: Profile,
    mass_kg: [f64; 3],
    stiffness_n_per_m: [f64; 3],
    damping_ns_per_m: [f64; 3],
    mass_tolerance_percent: [f64; 3],
    stiffness_tolerance_percent: [f64; 3],
    damping_tolerance_percent: [f64; 3],
    excitation_floor: usize,
    freq_min_hz: f64,
    freq_max_hz: f64,
    n_freq: usize,
    refine_peaks: bool,
    diagonal_grid_points: usize,
    mc_samples: usize,
    mc_sampling: String,
    seed: u32,
    mc_quantiles_percent: Vec<f64>,
}

impl UncertaintyParams {
    /// Validates `params` and returns the typed parameters and the echo (defaults filled in,
    /// `methods` as a list).
    pub fn parse(params: &Value) -> Result<(Self, Value), ToolError> {
        let mut raw = schema::read::object_or_empty(params)?;
        let methods = match raw.remove("methods") {
            Some(v) => parse_methods(&v)?,
            None => parse_methods(&json!(DEFAULT_METHODS))?,
        };
        let specs = uncertainty_params();
        let mut filled = schema::validate(&specs, &Value::Object(raw))?;
        let v: UncertaintyInput = schema::deserialize(&specs, &filled)?;
        filled["methods"] = json!(methods.iter().map(|m| m.as_str()).collect::<Vec<_>>());

        let (m, k, c) = if v.use_profile {
            v.profile.check_rules("profile")?;
            let p = v.profile;
            (p.masses_kg, p.stiffnesses_n_per_m, p.dampings_ns_per_m)
        } else {
            (v.mass_kg, v.stiffness_n_per_m, v.damping_ns_per_m)
        };
        let (tm, tk, tc) = (
            v.mass_tolerance_percent,
            v.stiffness_tolerance_percent,
            v.damping_tolerance_percent,
        );
        let centre: Point = [m[0], m[1], m[2], k[0], k[1], k[2], c[0], c[1], c[2]];
        let tol = [tm, tk, tc].concat();
        let rel_tolerance: Point = std::array::from_fn(|i| tol[i] / 100.0);

        let (freq_min_hz, freq_max_hz) = (v.freq_min_hz, v.freq_max_hz);
        if freq_max_hz <= freq_min_hz {
            return Err(ToolError::invalid(
                "freq_max_hz",
                format!("must exceed freq_min_hz = {freq_min_hz} Hz, is {freq_max_hz}"),
            ));
        }
        let mut quantiles_percent = Vec::new();
        for &x in &v.mc_quantiles_percent {
            if x.fract() != 0.0 || !(1.0..=99.0).contains(&x) {
                return Err(ToolError::invalid(
                    "mc_quantiles_percent",
                    format!("{x} is not an integer in [1, 99]"),
                ));
            }
            let x = x as u32;
            if quantiles_percent.contains(&x) {
                return Err(ToolError::invalid(
                    "mc_quantiles_percent",
                    format!("{x} is listed twice"),
                ));
            }
            quantiles_percent.push(x);
        }
        let p = Self {
            centre,
            rel_tolerance,
            excitation_floor: v.excitation_floor - 1,
            freq_min_hz,
            freq_max_hz,
            n_freq: v.n_freq,
            refine_peaks: v.refine_peaks,
            methods,
            diagonal_grid_points: v.diagonal_grid_points,
            mc_samples: v.mc_samples,
            sampling: if v.mc_sampling == "per_frequency" {
                Sampling::PerFrequency
            } else {
                Sampling::Common
            },
            seed: v.seed,
            quantiles_percent,
        };
        Ok((p, filled))
    }

    /// The work limits of §3.1 for a final grid of `n_grid` points.
    pub fn check_work(&self, n_grid: usize) -> Result<(), ToolError> {
        let n = n_grid as f64;
        if self.has(Method::MonteCarlo) && n * self.mc_samples as f64 > MAX_WORK {
            return Err(ToolError::invalid(
                "mc_samples",
                format!(
                    "{} grid points × {} samples exceed the work limit of 2e9 evaluations",
                    n_grid, self.mc_samples
                ),
            ));
        }
        let n2 = self.diagonal_grid_points as f64;
        if self.has(Method::DiagonalGrid) && n * 2.0 * n2 * n2 > MAX_WORK {
            return Err(ToolError::invalid(
                "diagonal_grid_points",
                format!(
                    "{} grid points × 2·{}² exceed the work limit of 2e9 evaluations",
                    n_grid, self.diagonal_grid_points
                ),
            ));
        }
        Ok(())
    }
}
