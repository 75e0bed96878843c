//! The `modal` tool (docs/simulator.md §3.2, §4.1, §5): undamped and damped modes of the lumped
//! 3-storey model and the analytic FRF of each floor for a force on one floor.
//!
//! The numerics live in [`crate::lumped`]; this module reads the parameters, builds the
//! frequency grid and shapes the result:
//!
//! - grid: `n = floor((f_stop − f_start)/f_step + 1e-9) + 1` points `f_i = f_start + i·f_step`
//!   (default 9901), unless `frequencies_hz` lists the frequencies explicitly;
//! - scalars `natural_frequency_{r}_hz`, `damped_natural_frequency_{r}_hz`,
//!   `damping_ratio_{r}_percent`, `modal_mass_{r}_kg`, `total_mass_kg`;
//! - series `frf_floor_{j}_magnitude_db` (20 log10 |H|) and `frf_floor_{j}_phase_deg`
//!   (atan2, degrees in (−180, 180]);
//! - table `modes`: mode, frequencies, damping ratio (percent) and shape.

use serde::Deserialize;
use serde_json::Value;

use crate::lumped::{magnitude_db, phase_deg, profile_params, FrfType, ModalAnalysis, Profile};
use crate::result::{Series, Table};
use crate::schema::{self, ParamSpec};
use crate::tool::{Category, Parsed, RunResult, ToolMeta, TypedTool};
use crate::ResultSize;
use crate::{Cancel, Progress, ToolError, ToolResult};

/// Largest number of frequencies of the uniform grid.
pub const MAX_GRID_POINTS: usize = 10_000_000;
/// Largest number of explicit frequencies.
pub const MAX_LIST_POINTS: usize = 100_000;
/// Highest frequency (Hz).
pub const MAX_FREQUENCY_HZ: f64 = 10_000.0;

const X_LABEL: &str = "Frequency (Hz)";
const PHASE_LABEL: &str = "Phase (deg)";

/// Modal analysis and analytic FRF of the 3-storey model.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModalTool;

/// The typed parameters of `modal`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ModalParams {
    pub profile: Profile,
    /// Excited floor, 1..=3.
    pub force_floor: usize,
    pub frf_type: FrfType,
    pub f_start_hz: f64,
    pub f_stop_hz: f64,
    pub f_step_hz: f64,
    /// Explicit frequencies; overrides the grid.
    pub frequencies_hz: Option<Vec<f64>>,
}

/// The schema of `modal`.
pub fn modal_params() -> Vec<ParamSpec> {
    let mut specs = profile_params("profile");
    specs.extend([
        ParamSpec::integer("force_floor", "Force on floor", 1, 1, 3)
            .describe("Floor (1 = bottom) where the force acts."),
        ParamSpec::choice(
            "frf_type",
            "FRF type",
            "receptance",
            &FrfType::ALL.map(FrfType::as_str),
        )
        .describe("receptance x/F (m/N), mobility ẋ/F (m/s/N) or accelerance ẍ/F (m/s²/N)."),
        ParamSpec::number("f_start_hz", "Start frequency", "Hz", 1.0)
            .min_exclusive(0.0)
            .max(MAX_FREQUENCY_HZ)
            .describe("First frequency of the uniform grid."),
        ParamSpec::number("f_stop_hz", "Stop frequency", "Hz", 100.0)
            .min_exclusive(0.0)
            .max(MAX_FREQUENCY_HZ)
            .describe(
                "Last frequency of the grid (included if on the grid); must exceed the start.",
            ),
        ParamSpec::number("f_step_hz", "Frequency step", "Hz", 0.01)
            .min_exclusive(0.0)
            .describe("Grid step; at most 10 000 000 points."),
        ParamSpec::number_list(
            "frequencies_hz",
            "Explicit frequencies",
            "Hz",
            Value::Null,
            1,
            MAX_LIST_POINTS,
        )
        .min_exclusive(0.0)
        .max(MAX_FREQUENCY_HZ)
        .describe(
            "Optional list of frequencies; when given it overrides the grid (whose fields are then \
             not cross-checked).",
        ),
    ]);
    specs
}

impl ModalParams {
    /// Validates `params` against [`modal_params`] and builds the typed parameters; returns
    /// them with the echo (defaults filled in).
    pub fn parse(params: &Value) -> Result<(Self, Value), ToolError> {
        schema::parse_checked(&modal_params(), params, |p: Self, _| {
            p.profile.check_rules("profile")?;
            // The grid is checked only when it is used.
            if p.frequencies_hz.is_none() {
                p.grid_len()?;
            }
            Ok(p)
        })
    }

    /// Number of points of the uniform grid, or an error naming the field at fault.
    pub fn grid_len(&self) -> Result<usize, ToolError> {
        if self.f_stop_hz <= self.f_start_hz {
            return Err(ToolError::invalid(
                "f_stop_hz",
                format!(
                    "must be greater than f_start_hz ({} Hz), is {} Hz",
                    self.f_start_hz, self.f_stop_hz
                ),
            ));
        }
        if self.f_step_hz.is_nan() || self.f_step_hz <= 0.0 {
            return Err(ToolError::invalid("f_step_hz", "must be positive"));
        }
        let n = ((self.f_stop_hz - self.f_start_hz) / self.f_step_hz + 1e-9).floor() + 1.0;
        if !n.is_finite() || n > MAX_GRID_POINTS as f64 {
            return Err(ToolError::invalid(
                "f_step_hz",
                format!(
                    "gives {n:.0} frequencies from {} to {} Hz; at most {MAX_GRID_POINTS} are allowed",
                    self.f_start_hz, self.f_stop_hz
                ),
            ));
        }
        Ok(n as usize)
    }

    /// The frequencies of the run: the explicit list, or the uniform grid.
    pub fn frequencies(&self) -> Result<Vec<f64>, ToolError> {
        if let Some(list) = &self.frequencies_hz {
            return Ok(list.clone());
        }
        let n = self.grid_len()?;
        Ok((0..n)
            .map(|i| self.f_start_hz + i as f64 * self.f_step_hz)
            .collect())
    }
}

/// Runs `modal` on typed parameters; `echo` becomes the result's `params`.
pub fn run_modal(
    p: &ModalParams,
    echo: Value,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ToolResult, ToolError> {
    let freqs = p.frequencies()?;
    let model = p.profile.model();
    let analysis = model.modal_analysis()?;
    cancel.check()?;
    let large = freqs.len() > 200_000;
    if large {
        progress.report(0.0, "computing the FRF");
    }
    let n = freqs.len();
    let mut mag: [Vec<f64>; 3] = std::array::from_fn(|_| Vec::with_capacity(n));
    let mut phase: [Vec<f64>; 3] = std::array::from_fn(|_| Vec::with_capacity(n));
    let mut zeros = [0usize; 3];
    model.frf_each(p.force_floor, p.frf_type, &freqs, cancel, |_, h| {
        for j in 0..3 {
            let db = magnitude_db(h[j]);
            zeros[j] += usize::from(!db.is_finite());
            mag[j].push(db);
            phase[j].push(phase_deg(h[j]));
        }
    })?;
    if large {
        progress.report(0.8, "shaping the result");
    }

    let mut result = ToolResult::new("modal", echo);
    let u = &analysis.undamped;
    let d = &analysis.damped;
    for r in 0..3 {
        let n = r + 1;
        result.set(
            &format!("natural_frequency_{n}_hz"),
            u.natural_frequency_hz[r],
        );
        result.set(
            &format!("damped_natural_frequency_{n}_hz"),
            d.damped_frequency_hz[r],
        );
        result.set(
            &format!("damping_ratio_{n}_percent"),
            d.damping_ratio[r] * 100.0,
        );
        result.set(&format!("modal_mass_{n}_kg"), u.modal_mass_kg[r]);
    }
    result.set("total_mass_kg", model.total_mass_kg());
    for w in &d.warnings {
        result.warn(w.clone());
    }

    for (j, (mag, phase)) in mag.into_iter().zip(phase).enumerate() {
        let (mut x, mut mag, mut phase) = (freqs.clone(), mag, phase);
        if zeros[j] > 0 {
            let omitted = omit_non_finite(&mut x, &mut mag, &mut phase);
            result.warn(format!(
                "floor {}: the FRF has no finite dB value (exact zero of an undamped \
                 anti-resonance) at {omitted} frequencies; those points are omitted",
                j + 1,
            ));
        }
        result.push_series(Series::new(
            format!("frf_floor_{}_magnitude_db", j + 1),
            X_LABEL,
            p.frf_type.magnitude_label(),
            x.clone(),
            mag,
        ));
        result.push_series(Series::new(
            format!("frf_floor_{}_phase_deg", j + 1),
            X_LABEL,
            PHASE_LABEL,
            x,
            phase,
        ));
    }

    result.push_table(modes_table(&analysis));
    if large {
        progress.report(1.0, "done");
    }
    Ok(result)
}

/// The `modes` table of a modal analysis (`modal` and `simulator`): mode, undamped and
/// damped natural frequencies, damping ratio in percent, and the undamped shape.
pub fn modes_table(a: &ModalAnalysis) -> Table {
    Table::modes(
        &[
            "natural_frequency_hz",
            "damped_natural_frequency_hz",
            "damping_ratio_percent",
        ],
        &[],
        |r| {
            let values = vec![
                a.undamped.natural_frequency_hz[r],
                a.damped.damped_frequency_hz[r],
                a.damped.damping_ratio[r] * 100.0,
            ];
            (values, a.undamped.shapes[r], Vec::new())
        },
    )
}

/// Drops the points whose magnitude is not finite (an exact zero of an undamped
/// anti-resonance) from the three aligned vectors; returns how many were dropped.
fn omit_non_finite(x: &mut Vec<f64>, mag: &mut Vec<f64>, phase: &mut Vec<f64>) -> usize {
    let keep: Vec<bool> = mag.iter().map(|v| v.is_finite()).collect();
    let filter = |v: &mut Vec<f64>| {
        let mut k = keep.iter();
        v.retain(|_| k.next().copied().unwrap_or(false));
    };
    filter(x);
    filter(mag);
    filter(phase);
    keep.iter().filter(|k| !**k).count()
}

impl TypedTool for ModalTool {
    const META: ToolMeta = ToolMeta {
        id: "modal",
        title: "Modal analysis and FRF",
        category: Category::SelfContainedSimulation,
        description: "Natural frequencies, damping ratios and mode shapes of the 3-storey lumped \
            model, and the analytic FRF (receptance, mobility or accelerance) of each floor for \
            a force on one floor.",
        heavy: false,
    };
    type Params = ModalParams;
    fn param_specs() -> Vec<ParamSpec> {
        modal_params()
    }
    fn parse(raw: &Value, _: &Progress, _: &Cancel) -> Parsed<Self::Params> {
        ModalParams::parse(raw)
    }
    fn run(p: Self::Params, echo: Value, progress: &Progress, cancel: &Cancel) -> RunResult {
        run_modal(&p, echo, progress, cancel)
    }
    /// Six series (magnitude and phase of three floors) of x and y per frequency, 13 scalars
    /// and the 3 × 7 modes table.
    fn result_values(p: &Self::Params) -> ResultSize {
        const FIXED: f64 = 13.0 + 21.0;
        match &p.frequencies_hz {
            Some(list) => ResultSize::linear("frequencies_hz", list.len() as f64, 12.0, FIXED)
                .unit(" frequencies"),
            None => {
                let span = p.f_stop_hz - p.f_start_hz;
                // grid_len = floor(span / step) + 1: one more point than span / step.
                ResultSize::inverse("f_step_hz", p.f_step_hz, 12.0 * span, FIXED + 12.0).unit(" Hz")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_points_are_omitted_from_all_three_vectors() {
        let mut x = vec![1.0, 2.0, 3.0, 4.0];
        let mut mag = vec![-10.0, f64::NEG_INFINITY, -30.0, f64::NEG_INFINITY];
        let mut phase = vec![10.0, 0.0, 30.0, 0.0];
        assert_eq!(omit_non_finite(&mut x, &mut mag, &mut phase), 2);
        assert_eq!(x, [1.0, 3.0]);
        assert_eq!(mag, [-10.0, -30.0]);
        assert_eq!(phase, [10.0, 30.0]);
    }

    #[test]
    fn magnitude_survives_extreme_moduli() {
        use num_complex::Complex64;
        assert!(
            (magnitude_db(Complex64::new(1e200, 1e200)) - (4000.0 + 20.0 * 2f64.sqrt().log10()))
                .abs()
                < 1e-9
        );
        assert!((magnitude_db(Complex64::new(1e-200, 0.0)) + 4000.0).abs() < 1e-9);
        assert!((magnitude_db(Complex64::new(0.0, 1e-3)) + 60.0).abs() < 1e-12);
        assert_eq!(magnitude_db(Complex64::new(0.0, 0.0)), f64::NEG_INFINITY);
    }
}
