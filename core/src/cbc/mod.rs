//! The `cbc` tool (docs/cbc.md): nonlinear control-based continuation of the 3-storey building
//! with a hardening cubic spring at floor 1, in four modes:
//!
//! - `continuation` ([`continuation`]): a virtual CBC experiment, Newton/Broyden on the
//!   control force's Fourier coefficients, tracing the whole S-curve including the unstable
//!   middle branch;
//! - `frequency_sweep`, `amplitude_sweep` ([`sweep`]): infinitely slow open-loop sweeps up and
//!   down with jumps at the folds;
//! - `exact` ([`exact`]): the true curve by shooting and pseudo-arclength continuation, with
//!   Floquet stability and refined folds.
//!
//! Building blocks: [`model`] (equations of motion and the RK4 period map with variational
//! equations), [`shooting`] (periodic orbits, Floquet multipliers), [`fourier`] (one-period
//! measurements). This module reads the parameters and shapes the result (docs/cbc.md §3, §5);
//! [`stream`] sends each new point with the progress.

pub mod continuation;
pub mod exact;
pub mod fourier;
pub mod model;
pub mod params;
pub mod shooting;
pub mod stream;
pub mod sweep;

use serde_json::Value;

use crate::result::{Series, Table};
use crate::schema::ParamSpec;
use crate::tool::{Category, Parsed, RunResult, ToolMeta, TypedTool};
use crate::ResultSize;
use crate::{Cancel, Progress, ToolError, ToolResult};

use continuation::{run_cbc, CbcPoint};
use exact::{exact_curve, CurveKind, CurvePoint};
use fourier::Amplitudes;
use params::{CbcParams, Curve, Mode};
use stream::Stream;
use sweep::{sweep, SweepPoint};

const FORCING_LABEL: &str = "Forcing amplitude (N)";
const FREQUENCY_LABEL: &str = "Forcing frequency (rad/s)";

fn amplitude_label(k: usize) -> String {
    format!("Amplitude floor {k} (m)")
}

/// Control-based continuation of the Duffing building.
#[derive(Debug, Clone, Copy, Default)]
pub struct CbcTool;

impl TypedTool for CbcTool {
    const META: ToolMeta = ToolMeta {
        id: "cbc",
        title: "Nonlinear control-based continuation",
        category: Category::SelfContainedSimulation,
        description: "The 3-storey building with a hardening cubic spring at floor 1: a virtual \
            control-based continuation experiment that traces the whole S-curve including the \
            unstable branch, slow open-loop sweeps with jumps and hysteresis, and the exact \
            curve by shooting with stability and folds.",
        heavy: false,
    };
    type Params = CbcParams;
    fn param_specs() -> Vec<ParamSpec> {
        params::cbc_params()
    }
    fn parse(raw: &Value, _: &Progress, _: &Cancel) -> Parsed<Self::Params> {
        CbcParams::parse(raw)
    }
    fn run(p: Self::Params, echo: Value, progress: &Progress, cancel: &Cancel) -> RunResult {
        run_cbc_tool(&p, echo, progress, cancel)
    }
    /// Per point of the curve a handful of series values and one table row (at most 40 values
    /// in all): the sweep's grid each way, the CBC branch's `cbc_points`, or the exact curve's
    /// adaptive points (at most [`exact::MAX_POINTS`]); `overlay_exact` adds an exact curve.
    fn result_values(p: &Self::Params) -> ResultSize {
        const PER_POINT: f64 = 40.0;
        let exact = PER_POINT * exact::MAX_POINTS as f64;
        let overlay = if p.overlay_exact && p.mode != params::Mode::Exact {
            exact
        } else {
            0.0
        };
        match p.mode {
            params::Mode::FrequencySweep => ResultSize::linear(
                "frequency_points",
                p.frequency_points as f64,
                2.0 * PER_POINT,
                overlay + 200.0,
            ),
            params::Mode::AmplitudeSweep => ResultSize::linear(
                "forcing_points",
                p.forcing_points as f64,
                2.0 * PER_POINT,
                overlay + 200.0,
            ),
            params::Mode::Continuation => ResultSize::linear(
                "cbc_points",
                p.cbc.points as f64,
                PER_POINT,
                overlay + 200.0,
            ),
            params::Mode::Exact => ResultSize::fixed("mode", exact + 200.0),
        }
    }
}

/// Runs the tool on typed parameters; `echo` becomes the result's `params`.
pub fn run_cbc_tool(
    p: &CbcParams,
    echo: Value,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ToolResult, ToolError> {
    model::check_structure(&p.structure)?;
    let mut result = ToolResult::new("cbc", echo);
    let f = p.structure.linear_natural_frequencies_rad_s();
    for (k, w) in f.iter().enumerate() {
        result.set(&format!("linear_natural_frequency_{}_rad_s", k + 1), *w);
        result.set(
            &format!("linear_natural_frequency_{}_hz", k + 1),
            w / (2.0 * std::f64::consts::PI),
        );
    }
    let stream = Stream::new(progress);
    match p.mode {
        Mode::Exact => run_exact(p, &mut result, &stream, cancel)?,
        Mode::FrequencySweep | Mode::AmplitudeSweep => run_sweep(p, &mut result, &stream, cancel)?,
        Mode::Continuation => run_continuation(p, &mut result, &stream, cancel)?,
    }
    if p.overlay_exact && p.mode != Mode::Exact {
        overlay_exact(p, &mut result, &stream, cancel)?;
    }
    progress.report(1.0, "done");
    Ok(result)
}

fn bool_cell(b: bool) -> Value {
    Value::Bool(b)
}

fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// The exact curve of the structure over `[lo, hi]`, each point streamed as `exact_amplitude`;
/// `describe(count, point, fraction)` gives the progress fraction and message of a point.
fn streamed_exact_curve(
    p: &CbcParams,
    kind: CurveKind,
    (lo, hi): (f64, f64),
    stream: &Stream,
    cancel: &Cancel,
    describe: impl Fn(usize, &CurvePoint, f64) -> (f64, String),
) -> Result<exact::Curve, ToolError> {
    let mut count = 0usize;
    exact_curve(
        p.structure,
        kind,
        lo,
        hi,
        exact::MAX_POINTS,
        cancel,
        &mut |pt, fr| {
            count += 1;
            let (fraction, text) = describe(count, pt, fr);
            stream.points(
                fraction,
                &text,
                "exact_amplitude",
                pt.p,
                &pt.amplitudes.fundamental_m,
            );
        },
    )
}

fn run_exact(
    p: &CbcParams,
    result: &mut ToolResult,
    stream: &Stream,
    cancel: &Cancel,
) -> Result<(), ToolError> {
    let (kind, p_min, p_max, key, label) = match p.curve {
        Curve::SCurve => (
            CurveKind::Forcing {
                omega_rad_s: p.omega_rad_s,
            },
            p.forcing_min_n,
            p.forcing_max_n,
            "forcing_n",
            FORCING_LABEL,
        ),
        Curve::Frc => (
            CurveKind::Frequency {
                forcing_n: p.forcing_n,
            },
            p.frequency_min_rad_s,
            p.frequency_max_rad_s,
            "frequency_rad_s",
            FREQUENCY_LABEL,
        ),
    };
    let curve = streamed_exact_curve(p, kind, (p_min, p_max), stream, cancel, |count, pt, fr| {
        let a1 = pt.amplitudes.fundamental_m[0];
        let text = format!("exact point {count}: {key} = {:.5}, A1 = {a1:.5} m", pt.p);
        (fr, text)
    })?;
    for w in &curve.warnings {
        result.warn(w.clone());
    }
    let pts: &[CurvePoint] = &curve.points;
    result.set_int("fold_count", curve.folds.len() as i64);
    for (k, fold) in curve.folds.iter().enumerate() {
        result.set(&format!("fold_{}_{key}", k + 1), fold.p);
        result.set(&format!("fold_{}_amplitude_1_m", k + 1), fold.amplitude_1_m);
    }
    result.set_int("points_total", pts.len() as i64);
    result.set_int(
        "stable_points",
        pts.iter().filter(|q| q.stable).count() as i64,
    );
    result.set(
        "max_amplitude_1_m",
        pts.iter()
            .map(|q| q.amplitudes.fundamental_m[0])
            .fold(0.0, f64::max),
    );
    push_exact_series(result, label, pts);
    let x: Vec<f64> = pts.iter().map(|q| q.p).collect();
    result.push_series(Series::new(
        "floquet_max",
        label,
        "Largest Floquet multiplier modulus (-)",
        x,
        pts.iter().map(|q| q.floquet_max).collect(),
    ));
    result.push_table(points_table(
        "branch",
        key,
        ["floquet_max", "stable"],
        pts.iter().map(|q| {
            (
                q.p,
                &q.amplitudes,
                [num(q.floquet_max), bool_cell(q.stable)],
            )
        }),
    ));
    let mut folds = Table::new("folds", &["fold", key, "amplitude_1_m"]);
    for (k, fold) in curve.folds.iter().enumerate() {
        folds.push_numbers(1, &[(k + 1) as f64, fold.p, fold.amplitude_1_m]);
    }
    result.push_table(folds);
    Ok(())
}

/// A table of curve points: index, the parameter `key`, the fundamental amplitudes and half
/// peak-to-peak values of the three floors, then two more columns (`extra`) per point.
fn points_table<'a>(
    name: &str,
    key: &str,
    extra: [&str; 2],
    points: impl Iterator<Item = (f64, &'a Amplitudes, [Value; 2])>,
) -> Table {
    let mut t = Table::new(
        name,
        &[
            "point",
            key,
            "amplitude_1_m",
            "amplitude_2_m",
            "amplitude_3_m",
            "half_peak_to_peak_1_m",
            "half_peak_to_peak_2_m",
            "half_peak_to_peak_3_m",
            extra[0],
            extra[1],
        ],
    );
    for (i, (p, a, more)) in points.enumerate() {
        let mut row = vec![Value::from(i as i64), num(p)];
        row.extend(a.fundamental_m.iter().map(|v| num(*v)));
        row.extend(a.half_peak_to_peak_m.iter().map(|v| num(*v)));
        row.extend(more);
        t.rows.push(row);
    }
    t
}

/// The exact curve as series: the whole curve `exact_amplitude_k` and each unstable stretch
/// (with the stable neighbours that close it) `exact_unstable_amplitude_k_segment_j`, which
/// the plots draw dashed over it.
fn push_exact_series(result: &mut ToolResult, label: &str, pts: &[CurvePoint]) {
    let x: Vec<f64> = pts.iter().map(|q| q.p).collect();
    for k in 0..3 {
        result.push_series(Series::new(
            format!("exact_amplitude_{}", k + 1),
            label,
            amplitude_label(k + 1),
            x.clone(),
            pts.iter().map(|q| q.amplitudes.fundamental_m[k]).collect(),
        ));
    }
    for (j, range) in unstable_stretches(pts).into_iter().enumerate() {
        for k in 0..3 {
            result.push_series(Series::new(
                format!("exact_unstable_amplitude_{}_segment_{}", k + 1, j + 1),
                label,
                amplitude_label(k + 1),
                x[range.clone()].to_vec(),
                pts[range.clone()]
                    .iter()
                    .map(|q| q.amplitudes.fundamental_m[k])
                    .collect(),
            ));
        }
    }
}

/// Index ranges of the unstable runs of `pts`, each widened by one point on both sides.
fn unstable_stretches(pts: &[CurvePoint]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < pts.len() {
        if pts[i].stable {
            i += 1;
            continue;
        }
        let start = i;
        while i < pts.len() && !pts[i].stable {
            i += 1;
        }
        out.push(start.saturating_sub(1)..(i + 1).min(pts.len()));
    }
    out
}

/// What an experiment varies: the curve family, its range and grid size, the table key and
/// the axis label. A frequency sweep varies ω at `forcing_n`; the amplitude sweep and CBC vary
/// the forcing at `omega_rad_s`.
fn experiment_axis(p: &CbcParams) -> (CurveKind, f64, f64, usize, &'static str, &'static str) {
    if p.mode == Mode::FrequencySweep {
        (
            CurveKind::Frequency {
                forcing_n: p.forcing_n,
            },
            p.frequency_min_rad_s,
            p.frequency_max_rad_s,
            p.frequency_points,
            "frequency_rad_s",
            FREQUENCY_LABEL,
        )
    } else {
        (
            CurveKind::Forcing {
                omega_rad_s: p.omega_rad_s,
            },
            p.forcing_min_n,
            p.forcing_max_n,
            p.forcing_points,
            "forcing_n",
            FORCING_LABEL,
        )
    }
}

/// The exact curve of the same structure over the experiment's range, drawn under the
/// experiment (docs/cbc.md §10 "Overlay"). Its points stream after the experiment's; if it cannot
/// be computed the experiment's result stands, with a warning.
fn overlay_exact(
    p: &CbcParams,
    result: &mut ToolResult,
    stream: &Stream,
    cancel: &Cancel,
) -> Result<(), ToolError> {
    let (kind, lo, hi, _, key, label) = experiment_axis(p);
    let curve = streamed_exact_curve(p, kind, (lo, hi), stream, cancel, |count, pt, _| {
        let text = format!(
            "exact curve for comparison: point {count}, {key} = {:.5}",
            pt.p
        );
        (1.0, text)
    });
    match curve {
        Ok(curve) => {
            for w in &curve.warnings {
                result.warn(format!("exact curve for comparison: {w}"));
            }
            push_exact_series(result, label, &curve.points);
            Ok(())
        }
        Err(ToolError::Cancelled) => Err(ToolError::Cancelled),
        Err(e) => {
            result.warn(format!(
                "the exact curve for comparison could not be computed: {e}"
            ));
            Ok(())
        }
    }
}

fn run_sweep(
    p: &CbcParams,
    result: &mut ToolResult,
    stream: &Stream,
    cancel: &Cancel,
) -> Result<(), ToolError> {
    let (kind, lo, hi, n, key, label) = experiment_axis(p);
    let grid: Vec<f64> = (0..n)
        .map(|i| {
            if i + 1 == n {
                hi
            } else {
                lo + (hi - lo) * i as f64 / (n - 1) as f64
            }
        })
        .collect();
    let out = sweep(
        p.structure,
        kind,
        &grid,
        sweep::JUMP_MAX_PERIODS,
        cancel,
        &mut |dir, pt, fr| {
            stream.points(
                fr,
                &format!(
                    "{dir} sweep: {key} = {:.5}, A1 = {:.5} m{}",
                    pt.p,
                    pt.amplitudes.fundamental_m[0],
                    if pt.jumped { " (jump)" } else { "" }
                ),
                &format!("{dir}_amplitude"),
                pt.p,
                &pt.amplitudes.fundamental_m,
            );
        },
    )?;
    for w in &out.warnings {
        result.warn(w.clone());
    }
    for (dir, jumps) in [("up", &out.up_jumps), ("down", &out.down_jumps)] {
        result.set_int(&format!("{dir}_jump_count"), jumps.len() as i64);
        for (k, j) in jumps.iter().enumerate() {
            result.set(&format!("{dir}_jump_{}_{key}", k + 1), *j);
        }
    }
    let all = out.up.iter().chain(&out.down);
    result.set(
        "max_amplitude_1_m",
        all.clone()
            .map(|q| q.amplitudes.fundamental_m[0])
            .fold(0.0, f64::max),
    );
    result.set_int(
        "unsettled_points",
        all.filter(|q| !q.settled).count() as i64,
    );
    result.set_int("simulated_periods_total", out.periods as i64);
    for (dir, pts) in [("up", &out.up), ("down", &out.down)] {
        let pts: &[SweepPoint] = pts;
        let x: Vec<f64> = pts.iter().map(|q| q.p).collect();
        for k in 0..3 {
            result.push_series(Series::new(
                format!("{dir}_amplitude_{}", k + 1),
                label,
                amplitude_label(k + 1),
                x.clone(),
                pts.iter().map(|q| q.amplitudes.fundamental_m[k]).collect(),
            ));
        }
    }
    for (dir, pts) in [("up", &out.up), ("down", &out.down)] {
        result.push_table(points_table(
            dir,
            key,
            ["jumped", "settled"],
            pts.iter().map(|q| {
                (
                    q.p,
                    &q.amplitudes,
                    [bool_cell(q.jumped), bool_cell(q.settled)],
                )
            }),
        ));
    }
    Ok(())
}

fn run_continuation(
    p: &CbcParams,
    result: &mut ToolResult,
    stream: &Stream,
    cancel: &Cancel,
) -> Result<(), ToolError> {
    if p.cbc.harmonics < 7 {
        result.warn(format!(
            "target_harmonics = {} < 7: the target cannot cancel the strong higher harmonics of \
             the upper branch, so the control stays invasive there",
            p.cbc.harmonics
        ));
    }
    let total = p.cbc.points;
    let run = run_cbc(p.structure, p.cbc, cancel, &mut |pt: &CbcPoint, fr| {
        let msg = format!(
            "CBC point {}/{total}: target {:.5} m, Φ = {:.5} N, A1 = {:.5} m, {} iterations{}",
            pt.index + 1,
            pt.target_amplitude_m,
            pt.forcing_n,
            pt.amplitude_m[0],
            pt.iterations,
            if pt.converged { "" } else { " (not converged)" }
        );
        if pt.converged {
            stream.points(fr, &msg, "branch_amplitude", pt.forcing_n, &pt.amplitude_m);
        } else {
            stream.message(fr, &msg);
        }
    })?;
    for w in &run.warnings {
        result.warn(w.clone());
    }
    let conv: Vec<&CbcPoint> = run.points.iter().filter(|q| q.converged).collect();
    result.set("seed_amplitude_1_m", run.seed_amplitude_1_m);
    result.set_int("fold_count", run.folds.len() as i64);
    for (k, fold) in run.folds.iter().enumerate() {
        result.set(&format!("fold_{}_forcing_n", k + 1), fold.forcing_n);
        result.set(&format!("fold_{}_amplitude_1_m", k + 1), fold.amplitude_1_m);
    }
    result.set(
        "max_forcing_n",
        conv.iter().map(|q| q.forcing_n).fold(0.0, f64::max),
    );
    result.set_int("points_total", run.points.len() as i64);
    result.set_int("points_converged", conv.len() as i64);
    result.set(
        "max_invasiveness_n",
        conv.iter().map(|q| q.invasiveness_n).fold(0.0, f64::max),
    );
    result.set_int("harmonic_iterations_total", run.harmonic_iterations as i64);
    result.set_int("simulated_periods_total", run.periods as i64);
    let x: Vec<f64> = conv.iter().map(|q| q.forcing_n).collect();
    for k in 0..3 {
        result.push_series(Series::new(
            format!("branch_amplitude_{}", k + 1),
            FORCING_LABEL,
            amplitude_label(k + 1),
            x.clone(),
            conv.iter().map(|q| q.amplitude_m[k]).collect(),
        ));
    }
    let mut branch = Table::new(
        "branch",
        &[
            "point",
            "target_amplitude_m",
            "forcing_n",
            "amplitude_1_m",
            "amplitude_2_m",
            "amplitude_3_m",
            "half_peak_to_peak_1_m",
            "invasiveness_n",
            "iterations",
            "converged",
        ],
    );
    for q in &run.points {
        let mut row = vec![
            Value::from(q.index as i64),
            num(q.target_amplitude_m),
            num(q.forcing_n),
        ];
        row.extend(q.amplitude_m.iter().map(|v| num(*v)));
        row.push(num(q.half_peak_to_peak_1_m));
        row.push(num(q.invasiveness_n));
        row.push(Value::from(q.iterations as i64));
        row.push(bool_cell(q.converged));
        branch.rows.push(row);
    }
    result.push_table(branch);
    let mut folds = Table::new("folds", &["fold", "forcing_n", "amplitude_1_m"]);
    for (k, fold) in run.folds.iter().enumerate() {
        folds.push_numbers(1, &[(k + 1) as f64, fold.forcing_n, fold.amplitude_1_m]);
    }
    result.push_table(folds);
    Ok(())
}
