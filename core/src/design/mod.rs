//! The `design` tool (docs/uncertainty.md §2.2, §3.2, §5, §6.2): design under uncertainty of the
//! benchtop rig. Twelve inputs (forces f1..f3, stiffnesses k1..k3, dampers c1..c3, masses
//! m1..m3) have distributions ([`inputs`]); at one analysis frequency ω each sample gives the
//! complex amplitudes `X = (K − ω²M + iωC)⁻¹ F` ([`crate::uncertainty::kernel`]) and six
//! outputs: `x_j = |X_j|` and the storey shears `s_j` — `drift`: `k_j |X_j − X_{j−1}|`
//! (X_0 = 0, a physical force amplitude); `amplitude_difference` (original app):
//! `s1 = k1 x1`, `s2 = k2 (x2 − x1)`, `s3 = k3 (x3 − x2)`.
//!
//! The result: the nominal FRF of the mean structure, output statistics and histograms
//! ([`stats`]), and, with `fisher`, the joint CDF of the selected outputs, the Fisher
//! information of the distribution parameters β and the reliability sensitivities
//! ([`fisher`]). Sampling is one sequential ChaCha8 stream; outputs are evaluated in
//! parallel over sample chunks (rayon) with order-preserving collection, so a seed gives the
//! same result on any number of threads. `input_samples` replaces the sampling (golden tests).

pub mod fisher;
pub mod inputs;
pub mod params;
pub mod stats;

use std::time::Instant;

use rayon::prelude::*;
use serde_json::{json, Value};

use self::fisher::fisher;
use self::inputs::{betas, draw_samples, random_inputs, score, INPUT_NAMES};
use self::stats::{histogram, moments, quantiles_by_selection};
use crate::result::{Series, Table};
use crate::schema::ParamSpec;
use crate::tool::{Category, Parsed, RunResult, ToolMeta, TypedTool};
use crate::uncertainty::grid::{linspace, modes};
use crate::uncertainty::kernel::{displacement, Point};
use crate::ResultSize;
use crate::{Cancel, Progress, ToolError, ToolResult};

/// Output names in order.
pub const OUTPUT_NAMES: [&str; 6] = ["x1", "x2", "x3", "s1", "s2", "s3"];
const QUANTILES: [(f64, &str); 7] = [
    (0.01, "q01"),
    (0.05, "q05"),
    (0.25, "q25"),
    (0.5, "q50"),
    (0.75, "q75"),
    (0.95, "q95"),
    (0.99, "q99"),
];
/// Largest J^d.
pub const MAX_JPDF_NODES: usize = 1_000_000;
/// Samples per parallel evaluation step (cancel/progress granularity).
const STEP: usize = 1 << 16;

/// Design under uncertainty at one operating frequency.
#[derive(Debug, Clone, Copy, Default)]
pub struct DesignTool;

pub use params::{design_params, DesignParams, Shear};

/// The six outputs of one structure at ω.
#[inline]
pub fn outputs_of(values: &[f64; 12], omega: f64, shear: Shear) -> [f64; 6] {
    let force = [values[0], values[1], values[2]];
    let p: Point = [
        values[9], values[10], values[11], values[3], values[4], values[5], values[6], values[7],
        values[8],
    ];
    let x = displacement(&p, omega, force);
    // |z| as √(re² + im²): displacements are far from over/underflow, and libm's hypot
    // cost more than the solve.
    let abs = |z: num_complex::Complex64| z.norm_sqr().sqrt();
    let a = [abs(x[0]), abs(x[1]), abs(x[2])];
    let k = [values[3], values[4], values[5]];
    let s = match shear {
        Shear::Drift => [
            k[0] * a[0],
            k[1] * abs(x[1] - x[0]),
            k[2] * abs(x[2] - x[1]),
        ],
        Shear::AmplitudeDifference => [k[0] * a[0], k[1] * (a[1] - a[0]), k[2] * (a[2] - a[1])],
    };
    [a[0], a[1], a[2], s[0], s[1], s[2]]
}

/// Moments, quantiles, range and histogram of one output's samples.
struct ColumnStats {
    mean: f64,
    sd: f64,
    skew: f64,
    /// At the levels of [`QUANTILES`].
    quantiles: Vec<f64>,
    min: f64,
    /// Bin centres and densities; `None` without spread.
    histogram: Option<(Vec<f64>, Vec<f64>)>,
}

impl ColumnStats {
    fn of(col: &[f64], bins: usize) -> Self {
        let (mean, sd, skew) = moments(col);
        let levels = QUANTILES.map(|(q, _)| q);
        let (min, max) = col
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let quantiles = quantiles_by_selection(col, &levels, min, max);
        Self {
            mean,
            sd,
            skew,
            quantiles,
            min,
            histogram: histogram(col, bins, min, max),
        }
    }
}

fn unit_of(o: usize) -> (&'static str, &'static str) {
    if o < 3 {
        ("m", "m")
    } else {
        ("n", "N")
    }
}

/// Runs `design` on typed parameters.
pub fn run_design(
    p: &DesignParams,
    echo: Value,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ToolResult, ToolError> {
    let mut result = ToolResult::new("design", echo);
    let started = Instant::now();
    let random = random_inputs(&p.inputs);
    let means: [f64; 12] = std::array::from_fn(|i| p.inputs[i].mean());
    let omega = std::f64::consts::TAU * p.analysis_frequency_hz;

    // Samples of the random inputs.
    let samples = match &p.input_samples {
        Some(s) => s.clone(),
        None => {
            progress.report(0.0, "sampling");
            draw_samples(&p.inputs, p.n_samples, p.seed, cancel)?
        }
    };
    let n = samples.first().map_or(p.n_samples, Vec::len);
    let slot: [Option<usize>; 12] = std::array::from_fn(|i| random.iter().position(|&r| r == i));
    let value_at = |i: usize, s: usize| slot[i].map_or(means[i], |k| samples[k][s]);

    let non_positive = random
        .iter()
        .filter(|&&i| i >= 3)
        .map(|&i| {
            samples[slot[i].unwrap_or(0)]
                .iter()
                .filter(|&&v| v <= 0.0)
                .count()
        })
        .sum::<usize>();
    if non_positive > 0 {
        result.warn(format!(
            "{non_positive} sampled stiffness, damper or mass values are ≤ 0 (not truncated)"
        ));
    }
    for c in [7, 8] {
        if means[c] < 0.01 * means[6] {
            result.warn(format!(
                "the mean of {} ({:.3e} N·s/m) is below 1 % of c1's: check the distribution",
                INPUT_NAMES[c], means[c]
            ));
        }
    }

    // Outputs, parallel over blocks of samples, each written in place (sample order).
    const BLOCK: usize = 2048;
    let mut outs: Vec<[f64; 6]> = vec![[0.0; 6]; n];
    let mut last = Instant::now();
    for (step, part) in outs.chunks_mut(STEP).enumerate() {
        cancel.check()?;
        let start = step * STEP;
        part.par_chunks_mut(BLOCK)
            .enumerate()
            .for_each(|(b, block)| {
                let first = start + b * BLOCK;
                for (t, out) in block.iter_mut().enumerate() {
                    let v: [f64; 12] = std::array::from_fn(|i| value_at(i, first + t));
                    *out = outputs_of(&v, omega, p.shear);
                }
            });
        if last.elapsed().as_millis() >= 50 {
            let end = start + part.len();
            progress.report(0.8 * end as f64 / n as f64, "evaluating samples");
            last = Instant::now();
        }
    }
    if outs.iter().flatten().any(|v| !v.is_finite()) {
        return Err(ToolError::failed(
            "a sampled structure has a singular dynamic stiffness at the analysis frequency",
        ));
    }
    let at_mean = outputs_of(&means, omega, p.shear);

    // Nominal model and FRF.
    let mean_point: Point = [
        means[9], means[10], means[11], means[3], means[4], means[5], means[6], means[7], means[8],
    ];
    let mean_modes = modes(&mean_point)?;
    for r in 0..3 {
        result.set(
            &format!("natural_frequency_{}_hz", r + 1),
            mean_modes.natural_frequency_hz[r],
        );
    }
    let force = [means[0], means[1], means[2]];
    if force.iter().all(|&f| f == 0.0) {
        result.warn("the mean force vector is zero: the nominal FRF is not drawn");
    } else {
        let f_hz = linspace(0.0, 1.5 * mean_modes.natural_frequency_hz[2], p.frf_points);
        let x: Vec<[f64; 3]> = f_hz
            .par_iter()
            .map(|&f| {
                displacement(&mean_point, std::f64::consts::TAU * f, force)
                    .map(|z| 20.0 * z.norm().log10())
            })
            .collect();
        if x.iter().flatten().all(|v| v.is_finite()) {
            for i in 0..3 {
                result.push_series(Series::new(
                    format!("floor_{}_nominal", i + 1),
                    "Frequency (Hz)",
                    "Amplitude (dB re 1 m)",
                    f_hz.clone(),
                    x.iter().map(|v| v[i]).collect(),
                ));
            }
        } else {
            result.warn("a floor's nominal response is exactly zero somewhere: FRF not drawn");
        }
    }

    // Statistics and histograms.
    let mut stats_table = Table::new(
        "output_statistics",
        &[
            "output",
            "unit",
            "at_mean_params",
            "mean",
            "sd",
            "skewness",
            "q01",
            "q05",
            "q25",
            "q50",
            "q75",
            "q95",
            "q99",
        ],
    );
    let columns: Vec<Vec<f64>> = (0..6)
        .map(|o| outs.iter().map(|v| v[o]).collect())
        .collect();
    cancel.check()?;
    // The six columns' statistics in parallel (each one sequential: the same numbers on any
    // number of threads).
    let column_stats: Vec<ColumnStats> = columns
        .par_iter()
        .map(|col| ColumnStats::of(col, p.histogram_bins))
        .collect();
    for (o, st) in column_stats.into_iter().enumerate() {
        let name = OUTPUT_NAMES[o];
        let (suffix, unit) = unit_of(o);
        let ColumnStats {
            mean,
            sd,
            skew,
            quantiles: q,
            min,
            histogram: hist,
        } = st;
        result.set(&format!("{name}_at_mean_params_{suffix}"), at_mean[o]);
        result.set(&format!("{name}_mean_{suffix}"), mean);
        result.set(&format!("{name}_sd_{suffix}"), sd);
        result.set(&format!("{name}_skewness"), skew);
        result.set(&format!("{name}_q05_{suffix}"), q[1]);
        result.set(&format!("{name}_q50_{suffix}"), q[3]);
        result.set(&format!("{name}_q95_{suffix}"), q[5]);
        let mut row = vec![
            json!(name),
            json!(unit),
            json!(at_mean[o]),
            json!(mean),
            json!(sd),
            json!(skew),
        ];
        row.extend(q.iter().map(|v| json!(v)));
        stats_table.rows.push(row);
        match hist {
            Some((centres, density)) => result.push_series(Series::new(
                format!("histogram_{name}"),
                format!("{name} ({unit})"),
                format!("Probability density (1/{unit})"),
                centres,
                density,
            )),
            None => result.warn(format!(
                "{name} has no spread ({min}): its histogram is not drawn"
            )),
        }
    }
    result.set_int("n_samples", n as i64);
    result.push_table(stats_table);

    if p.fisher {
        fisher_part(p, &mut result, &columns, &samples, &random, cancel)?;
    }
    if p.include_samples {
        let mut cols: Vec<&str> = random.iter().map(|&i| INPUT_NAMES[i]).collect();
        cols.extend(OUTPUT_NAMES);
        let mut t = Table::new("samples", &cols);
        for s in 0..n {
            let mut row: Vec<f64> = random.iter().map(|&i| value_at(i, s)).collect();
            row.extend(outs[s]);
            t.push_numbers(0, &row);
        }
        result.push_table(t);
    }
    if started.elapsed().as_millis() > 500 {
        progress.report(1.0, "done");
    }
    Ok(result)
}

fn fisher_part(
    p: &DesignParams,
    result: &mut ToolResult,
    columns: &[Vec<f64>],
    samples: &[Vec<f64>],
    random: &[usize],
    cancel: &Cancel,
) -> Result<(), ToolError> {
    let beta = betas(&p.inputs);
    let np = beta.len();
    if np == 0 {
        result.warn("no input is random: the Fisher analysis is skipped");
        return Ok(());
    }
    for &o in &p.outputs {
        let c = &columns[o];
        let lo = c.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
            result.warn(format!(
                "{} has no spread: no joint-CDF grid, the Fisher analysis is skipped",
                OUTPUT_NAMES[o]
            ));
            return Ok(());
        }
    }
    let j = p.jpdf_points;
    let d = p.outputs.len();
    let nodes = j.pow(d as u32);
    let n = columns[0].len();
    if n < 10_000 {
        result.warn(format!(
            "FIM is dominated by sampling noise with N = {n} < 10 000 samples"
        ));
    }
    if nodes < np {
        result.warn(format!(
            "the FIM has rank ≤ {nodes} (J^d grid nodes) < {np} parameters: some eigenvalues are 0"
        ));
    }
    let target: Vec<usize> = match &p.target_percent {
        Some(h) => h
            .iter()
            .map(|&h| (h * (j - 1) as f64 / 100.0).round_ties_even() as usize)
            .collect(),
        None => vec![j / 2; d],
    };
    let slot_of = |input: usize| random.iter().position(|&r| r == input).unwrap_or(0);
    let beta_slots: Vec<usize> = beta.iter().map(|b| slot_of(b.input)).collect();
    let outputs: Vec<&[f64]> = p.outputs.iter().map(|&o| columns[o].as_slice()).collect();
    let beta_values: Vec<f64> = beta.iter().map(|b| b.value).collect();
    let f = fisher(
        &outputs,
        |k, s| score(&beta[k], p.inputs[beta[k].input], samples[beta_slots[k]][s]),
        &beta_values,
        j,
        &target,
        cancel,
    )?;

    result.set_int("n_parameters", np as i64);
    result.set_int("jpdf_nodes", nodes as i64);
    result.set("probability_at_target", f.probability_at_target);
    for (axis, &o) in p.outputs.iter().enumerate() {
        let (suffix, _) = unit_of(o);
        result.set(
            &format!("target_{}_{suffix}", OUTPUT_NAMES[o]),
            f.grids[axis][target[axis]],
        );
    }
    for r in 0..np.min(3) {
        result.set(
            &format!("fisher_normalised_eigenvalue_{}", r + 1),
            f.normalised_eigenvalues[r],
        );
        result.set(
            &format!("fisher_raw_eigenvalue_{}", r + 1),
            f.raw_eigenvalues[r],
        );
        result.set(&format!("delta_p_raw_{}", r + 1), f.delta_p_raw[r]);
        result.set(
            &format!("delta_p_normalised_{}", r + 1),
            f.delta_p_normalised[r],
        );
    }
    result.set("fisher_normalised_trace", f.normalised.trace());

    let names: Vec<&str> = beta.iter().map(|b| b.name.as_str()).collect();
    let mut cols = vec!["parameter"];
    cols.extend(&names);
    let mut t = Table::new("fisher_normalised", &cols);
    for r in 0..np {
        let mut row = vec![json!(names[r])];
        row.extend((0..np).map(|c| json!(f.normalised[(r, c)])));
        t.rows.push(row);
    }
    result.push_table(t);
    for (name, values, vectors) in [
        (
            "eigen_normalised",
            &f.normalised_eigenvalues,
            &f.normalised_eigenvectors,
        ),
        ("eigen_raw", &f.raw_eigenvalues, &f.raw_eigenvectors),
    ] {
        let mut cols = vec!["rank", "eigenvalue"];
        cols.extend(&names);
        let mut t = Table::new(name, &cols);
        for r in 0..np {
            let mut row = vec![(r + 1) as f64, values[r]];
            row.extend((0..np).map(|k| vectors[(k, r)]));
            t.push_numbers(1, &row);
        }
        result.push_table(t);
    }
    let mut t = Table::new(
        "sensitivity_at_target",
        &["parameter", "value", "dp_db", "b_dp_db"],
    );
    for k in 0..np {
        t.rows.push(vec![
            json!(names[k]),
            json!(beta[k].value),
            json!(f.dp_db[k]),
            json!(beta[k].value * f.dp_db[k]),
        ]);
    }
    result.push_table(t);
    let mut t = Table::new(
        "delta_p",
        &[
            "rank",
            "eigenvalue_raw",
            "delta_p_raw",
            "eigenvalue_normalised",
            "delta_p_normalised",
        ],
    );
    for r in 0..np {
        t.push_numbers(
            1,
            &[
                (r + 1) as f64,
                f.raw_eigenvalues[r],
                f.delta_p_raw[r],
                f.normalised_eigenvalues[r],
                f.delta_p_normalised[r],
            ],
        );
    }
    result.push_table(t);
    Ok(())
}

impl TypedTool for DesignTool {
    const META: ToolMeta = ToolMeta {
        id: "design",
        title: "Design under uncertainty",
        category: Category::SelfContainedSimulation,
        description:
            "Distribution of the rig's response at one operating frequency for scattered forces, \
             stiffnesses, dampers and masses, with the Fisher information of the distribution \
             parameters and the sensitivity of the probability of staying below a target.",
        heavy: false,
    };
    type Params = DesignParams;
    fn param_specs() -> Vec<ParamSpec> {
        design_params()
    }
    fn parse(raw: &Value, _: &Progress, _: &Cancel) -> Parsed<Self::Params> {
        DesignParams::parse(raw)
    }
    fn run(p: Self::Params, echo: Value, progress: &Progress, cancel: &Cancel) -> RunResult {
        run_design(&p, echo, progress, cancel)
    }
    /// Three nominal FRF series of `frf_points`, six histograms of `histogram_bins`, the
    /// statistics and Fisher tables (at most 12 parameters) and about 100 scalars; with
    /// `include_samples` one row of at most 12 inputs and 6 outputs per sample. The driver is
    /// the samples when they are kept, else `frf_points`.
    fn result_values(p: &Self::Params) -> ResultSize {
        let frf = 6.0 * p.frf_points as f64;
        let fixed = 12.0 * p.histogram_bins as f64 + 3000.0;
        if p.include_samples {
            let (field, n) = match &p.input_samples {
                Some(s) => ("input_samples", s.first().map_or(0, Vec::len)),
                None => ("n_samples", p.n_samples),
            };
            let random = p.inputs.iter().filter(|d| d.is_random()).count() as f64;
            ResultSize::linear(field, n as f64, random + 6.0, fixed + frf)
        } else {
            ResultSize::linear("frf_points", p.frf_points as f64, 6.0, fixed)
        }
    }
}
