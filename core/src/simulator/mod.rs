//! The `simulator` tool (docs/simulator.md §3.3, §4.2–4.6, §5): a virtual test of the 3-storey
//! lumped model in the time domain.
//!
//! One run:
//!
//! 1. parameters ([`params`]) → profile, time grid ([`grid`]), force ([`excitation`]);
//! 2. exact FOH integration of `ż = A z + B F` ([`discretise`], [`integrate`]); displacement
//!    and velocity are the state, the acceleration `ẍ = M⁻¹(e_f F − C ẋ − K x)` is computed from
//!    the state and the force at each sample (never by differentiation);
//! 3. scalars (peak = max |·| over the samples, RMS over all S samples, time of the first
//!    sample of the largest |x|, force peak/RMS/impulse by the trapezoid rule);
//! 4. Welch PSDs of the three floors' response and of the force ([`welch`]) and the three
//!    largest spectral peaks of the floors' summed PSD;
//! 5. with `n_scenarios ≥ 2`, Monte-Carlo scenarios ([`montecarlo`]) run in parallel (rayon)
//!    with progress per scenario and cancellation between scenarios; per-sample 5/50/95 %
//!    bands, natural-frequency and peak statistics, a `scenarios` table.
//!
//! The nominal run always gives the plain scalars and series.

pub mod discretise;
pub mod excitation;
pub mod grid;
pub mod integrate;
pub mod montecarlo;
pub mod params;
pub mod polyhold;
pub mod welch;

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde_json::Value;

use self::discretise::State;
use self::excitation::{multisine, Excitation};
use self::grid::TimeGrid;
use self::integrate::{simulate, Plant};
use self::montecarlo::{
    draw_scenarios, mean, percentile_sorted, percentiles_select, std_pop, Scenario,
};
use self::params::{simulator_params, Quantity, SimulatorParams};
use crate::lumped::LumpedModel;
use crate::result::{Series, Table};
use crate::schema::ParamSpec;
use crate::tool::{Category, Parsed, RunResult, ToolMeta, TypedTool};
use crate::ResultSize;
use crate::{Cancel, Progress, ToolError, ToolResult};

/// Displacement beyond the rig's linear range (m).
pub const LINEAR_RANGE_M: f64 = 0.05;

const TIME_LABEL: &str = "Time (s)";
const FREQ_LABEL: &str = "Frequency (Hz)";

/// Time-domain virtual test of the 3-storey model.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimulatorTool;

/// What one integration keeps: the response series of one quantity, the force samples if
/// asked, and peak / RMS / time-of-peak of all three quantities.
#[derive(Debug, Clone, Default)]
pub struct RunOutput {
    /// The chosen quantity, per floor.
    pub series: [Vec<f64>; 3],
    /// Force samples (empty unless kept).
    pub force_n: Vec<f64>,
    /// `[quantity][floor]` max |·|.
    pub peak: [[f64; 3]; 3],
    /// `[quantity][floor]` RMS.
    pub rms: [[f64; 3]; 3],
    /// First sample of the largest |x| per floor.
    pub peak_index_displacement: [usize; 3],
}

/// Integrates one model and collects a [`RunOutput`].
pub fn run_once(
    plant: &Plant,
    grid: &TimeGrid,
    exc: &Excitation,
    z0: State,
    quantity: Quantity,
    keep_force: bool,
    cancel: &Cancel,
) -> Result<RunOutput, ToolError> {
    let n = grid.len;
    let mut out = RunOutput {
        series: std::array::from_fn(|_| vec![0.0; n]),
        force_n: if keep_force { vec![0.0; n] } else { Vec::new() },
        ..Default::default()
    };
    let mut sumsq = [[0.0f64; 3]; 3];
    let qi = quantity.index();
    // Rows 4..6 of [A | B] as plain arrays for the per-sample acceleration.
    let arow: [[f64; 7]; 3] = std::array::from_fn(|i| {
        std::array::from_fn(|j| {
            if j < 6 {
                plant.a[(3 + i, j)]
            } else {
                plant.b[3 + i]
            }
        })
    });
    let (series, force_n, peak, peak_index) = (
        &mut out.series,
        &mut out.force_n,
        &mut out.peak,
        &mut out.peak_index_displacement,
    );
    simulate(plant, grid, exc, z0, cancel, |i, z, f| {
        let acc: [f64; 3] = std::array::from_fn(|r| {
            let a = &arow[r];
            a[0] * z[0]
                + a[1] * z[1]
                + a[2] * z[2]
                + a[3] * z[3]
                + a[4] * z[4]
                + a[5] * z[5]
                + a[6] * f
        });
        let vals = [[z[0], z[1], z[2]], [z[3], z[4], z[5]], acc];
        for (k, row) in vals.iter().enumerate() {
            for j in 0..3 {
                let a = row[j].abs();
                if a > peak[k][j] {
                    peak[k][j] = a;
                    if k == 0 {
                        peak_index[j] = i;
                    }
                }
                sumsq[k][j] += row[j] * row[j];
            }
        }
        if i < n {
            for j in 0..3 {
                series[j][i] = vals[qi][j];
            }
            if keep_force {
                force_n[i] = f;
            }
        }
    })?;
    for k in 0..3 {
        for j in 0..3 {
            out.rms[k][j] = (sumsq[k][j] / n as f64).sqrt();
        }
    }
    let finite = out.series.iter().flatten().all(|x| x.is_finite())
        && out.peak.iter().flatten().all(|x| x.is_finite())
        && out.rms.iter().flatten().all(|x| x.is_finite());
    if !finite {
        return Err(ToolError::failed(
            "the response is not finite (model too stiff for this sample rate)",
        ));
    }
    Ok(out)
}

/// The force with its noise samples drawn (other excitations unchanged).
pub fn prepare_excitation(p: &SimulatorParams) -> Result<Excitation, ToolError> {
    match &p.excitation {
        Excitation::Noise { band_hz, rms_n } => Ok(Excitation::Samples(multisine(
            p.grid.len,
            p.grid.effective_rate_hz(),
            *band_hz,
            *rms_n,
            p.seed,
        )?)),
        other => Ok(other.clone()),
    }
}

fn scenario_model(s: &Scenario) -> LumpedModel {
    LumpedModel::chain(&s.masses_kg, &s.stiffnesses_n_per_m, &s.dampings_ns_per_m)
}

/// Runs `simulator` on typed parameters; `echo` becomes the result's `params`.
pub fn run_simulator(
    p: &SimulatorParams,
    echo: Value,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ToolResult, ToolError> {
    let grid = p.grid;
    let model = p.profile.model();
    let analysis = model.modal_analysis()?;
    let plant = Plant::new(model, p.force_floor)?;
    let exc = prepare_excitation(p)?;
    let mc = p.n_scenarios >= 2;
    let total_runs = if mc { p.n_scenarios + 1 } else { 1 };
    if mc {
        progress.report(0.0, "nominal run");
    }
    let nominal = run_once(
        &plant,
        &grid,
        &exc,
        p.initial_state,
        p.response,
        true,
        cancel,
    )?;
    cancel.check()?;

    let mut r = ToolResult::new("simulator", echo);
    for n in &p.notes {
        r.warn(n.clone());
    }
    for w in &analysis.damped.warnings {
        r.warn(w.clone());
    }
    let t_last = grid.t_last();
    match &p.excitation {
        Excitation::Hammer { t0_s, sigma_s, .. }
            if t0_s - 4.0 * sigma_s < 0.0 || t0_s + 4.0 * sigma_s > t_last =>
        {
            r.warn(format!(
                "the hammer pulse (t0 = {t0_s} s, σ = {sigma_s} s) is cut by the record \
                     [0, {t_last}] s"
            ));
        }
        Excitation::Impulse { t0_s, .. } if *t0_s > t_last => {
            r.warn(format!(
                "the impulse at {t0_s} s is after the end of the record ({t_last} s): no force"
            ));
        }
        _ => {}
    }
    if !mc && p.has_dispersion() {
        r.warn("dispersion ignored (n_scenarios = 1)");
    }

    // Scalars of the nominal run.
    for i in 0..3 {
        let n = i + 1;
        r.set(
            &format!("natural_frequency_{n}_hz"),
            analysis.undamped.natural_frequency_hz[i],
        );
        r.set(
            &format!("damping_ratio_{n}_percent"),
            analysis.damped.damping_ratio[i] * 100.0,
        );
    }
    let names = [
        ("displacement", "m"),
        ("velocity", "m_per_s"),
        ("acceleration", "m_per_s2"),
    ];
    for j in 0..3 {
        let f = j + 1;
        for (k, (q, unit)) in names.iter().enumerate() {
            r.set(&format!("peak_{q}_floor_{f}_{unit}"), nominal.peak[k][j]);
            r.set(&format!("rms_{q}_floor_{f}_{unit}"), nominal.rms[k][j]);
        }
        r.set(
            &format!("time_of_peak_displacement_floor_{f}_s"),
            grid.t(nominal.peak_index_displacement[j]),
        );
    }
    let force = &nominal.force_n;
    let force_peak = force.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let force_rms = (force.iter().map(|x| x * x).sum::<f64>() / force.len() as f64).sqrt();
    let force_impulse = match &p.excitation {
        Excitation::Impulse { t0_s, impulse_n_s } => {
            if *t0_s <= t_last {
                *impulse_n_s
            } else {
                0.0
            }
        }
        _ => force.windows(2).map(|w| 0.5 * (w[0] + w[1])).sum::<f64>() * grid.dt_s,
    };
    r.set("force_peak_n", force_peak);
    r.set("force_rms_n", force_rms);
    r.set("force_impulse_n_s", force_impulse);
    r.set_int("sample_count", grid.len as i64);
    let fs_eff = grid.effective_rate_hz();
    r.set("effective_sample_rate_hz", fs_eff);
    let peak_x = nominal.peak[0].iter().fold(0.0f64, |m, &x| m.max(x));
    if peak_x > LINEAR_RANGE_M {
        r.warn(format!(
            "the displacement peak {peak_x:.4} m exceeds {LINEAR_RANGE_M} m, beyond the rig's \
             linear range"
        ));
    }

    // Welch.
    let channels: Vec<&[f64]> = nominal
        .series
        .iter()
        .map(Vec::as_slice)
        .chain(std::iter::once(force.as_slice()))
        .collect();
    let welch::Psd {
        frequency_hz: freqs,
        density: psd,
        segments: nseg,
    } = welch::welch_psd(&channels, fs_eff, p.nperseg)?;
    r.set("psd_resolution_hz", fs_eff / p.nperseg as f64);
    r.set_int("welch_segment_count", nseg as i64);
    let sum: Vec<f64> = (0..freqs.len())
        .map(|k| psd[0][k] + psd[1][k] + psd[2][k])
        .collect();
    let peaks = welch::spectral_peaks(&freqs, &sum, |f| f <= p.peak_search_max_hz);
    for (i, f) in peaks.iter().enumerate() {
        r.set(&format!("spectral_peak_frequency_{}_hz", i + 1), *f);
    }
    if peaks.len() < 3 {
        r.warn(format!(
            "only {} spectral peak(s) found below {} Hz; the missing keys are omitted",
            peaks.len(),
            p.peak_search_max_hz
        ));
    }

    // Series.
    let times = grid.times();
    let q = p.response;
    r.push_series(Series::new(
        "force",
        TIME_LABEL,
        "Force (N)",
        times.clone(),
        force.clone(),
    ));
    for j in 0..3 {
        r.push_series(Series::new(
            format!("{}_floor_{}", q.as_str(), j + 1),
            TIME_LABEL,
            q.label(),
            times.clone(),
            nominal.series[j].clone(),
        ));
    }
    for (j, pj) in psd.iter().enumerate().take(3) {
        r.push_series(Series::new(
            format!("psd_floor_{}", j + 1),
            FREQ_LABEL,
            q.psd_label(),
            freqs.clone(),
            pj.clone(),
        ));
    }
    r.push_series(Series::new(
        "psd_force",
        FREQ_LABEL,
        "PSD of force (N²/Hz)",
        freqs.clone(),
        psd[3].clone(),
    ));
    r.push_table(crate::modal::modes_table(&analysis));

    if mc {
        monte_carlo(p, &exc, &times, total_runs, &mut r, progress, cancel)?;
        progress.report(1.0, "done");
    }
    Ok(r)
}

fn monte_carlo(
    p: &SimulatorParams,
    exc: &Excitation,
    times: &[f64],
    total_runs: usize,
    r: &mut ToolResult,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<(), ToolError> {
    let n = p.n_scenarios;
    let (scenarios, redraws) =
        draw_scenarios(&p.profile, &p.initial_state, &p.dispersion, n, p.seed)?;
    if redraws > 0 {
        r.warn(format!(
            "{redraws} Monte-Carlo draw(s) gave a non-positive mass/stiffness or a negative \
             damper and were redrawn"
        ));
    }
    let done = AtomicUsize::new(1);
    progress.report(1.0 / total_runs as f64, "nominal run done");
    let runs: Vec<(RunOutput, [f64; 3])> = scenarios
        .par_iter()
        .map(|s| {
            cancel.check()?;
            let model = scenario_model(s);
            let fnr = model.undamped_modes()?.natural_frequency_hz;
            let plant = Plant::new(model, p.force_floor)?;
            let out = run_once(
                &plant,
                &p.grid,
                exc,
                s.initial_state,
                p.response,
                false,
                cancel,
            )?;
            let k = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress.report(
                k as f64 / total_runs as f64,
                &format!("scenario {} of {n}", k - 1),
            );
            Ok((out, fnr))
        })
        .collect::<Result<Vec<_>, ToolError>>()?;
    cancel.check()?;

    for i in 0..3 {
        let f: Vec<f64> = runs.iter().map(|(_, fnr)| fnr[i]).collect();
        r.set(&format!("mc_natural_frequency_{}_hz_mean", i + 1), mean(&f));
        r.set(
            &format!("mc_natural_frequency_{}_hz_std", i + 1),
            std_pop(&f),
        );
    }
    let mut max_peak = 0.0f64;
    for j in 0..3 {
        let pk: Vec<f64> = runs.iter().map(|(o, _)| o.peak[0][j]).collect();
        let mut sorted = pk.clone();
        sorted.sort_by(f64::total_cmp);
        max_peak = max_peak.max(*sorted.last().unwrap_or(&0.0));
        let key = format!("mc_peak_displacement_floor_{}_m", j + 1);
        r.set(&format!("{key}_mean"), mean(&pk));
        r.set(&format!("{key}_std"), std_pop(&pk));
        r.set(&format!("{key}_p05"), percentile_sorted(&sorted, 5.0));
        r.set(&format!("{key}_p95"), percentile_sorted(&sorted, 95.0));
    }
    if max_peak > LINEAR_RANGE_M {
        r.warn(format!(
            "a Monte-Carlo scenario reaches a displacement peak of {max_peak:.4} m, beyond the \
             rig's linear range ({LINEAR_RANGE_M} m)"
        ));
    }

    // Per-sample percentile bands.
    let len = p.grid.len;
    let bands: Vec<[Vec<f64>; 3]> = (0..3)
        .into_par_iter()
        .map(|j| {
            let mut lo = Vec::with_capacity(len);
            let mut mid = Vec::with_capacity(len);
            let mut hi = Vec::with_capacity(len);
            let mut buf = vec![0.0; runs.len()];
            for i in 0..len {
                for (b, (o, _)) in buf.iter_mut().zip(&runs) {
                    *b = o.series[j][i];
                }
                let [a, b, c] = percentiles_select(&mut buf, [5.0, 50.0, 95.0]);
                lo.push(a);
                mid.push(b);
                hi.push(c);
            }
            [lo, mid, hi]
        })
        .collect();
    let q = p.response;
    for (j, b) in bands.into_iter().enumerate() {
        for (suffix, y) in ["p05", "p50", "p95"].iter().zip(b) {
            r.push_series(Series::new(
                format!("{}_floor_{}_{suffix}", q.as_str(), j + 1),
                TIME_LABEL,
                q.label(),
                times.to_vec(),
                y,
            ));
        }
    }

    let mut t = Table::new(
        "scenarios",
        &[
            "scenario",
            "mass_1_kg",
            "mass_2_kg",
            "mass_3_kg",
            "stiffness_1_n_per_m",
            "stiffness_2_n_per_m",
            "stiffness_3_n_per_m",
            "damping_1_ns_per_m",
            "damping_2_ns_per_m",
            "damping_3_ns_per_m",
            "natural_frequency_1_hz",
            "natural_frequency_2_hz",
            "natural_frequency_3_hz",
            "peak_displacement_floor_1_m",
            "peak_displacement_floor_2_m",
            "peak_displacement_floor_3_m",
        ],
    );
    for (k, (s, (o, fnr))) in scenarios.iter().zip(&runs).enumerate() {
        let mut row = vec![(k + 1) as f64];
        row.extend(s.masses_kg);
        row.extend(s.stiffnesses_n_per_m);
        row.extend(s.dampings_ns_per_m);
        row.extend(fnr);
        row.extend(o.peak[0]);
        t.push_numbers(1, &row);
    }
    r.push_table(t);
    Ok(())
}

impl TypedTool for SimulatorTool {
    const META: ToolMeta = ToolMeta {
        id: "simulator",
        title: "Simulator (virtual test)",
        category: Category::SelfContainedSimulation,
        description: "Time-domain virtual test of the 3-storey model: hammer, impulse, harmonic, \
            noise, sweep, force table or free decay, exact integration, floor responses and \
            Welch spectra, with optional Monte-Carlo scatter of masses, stiffnesses, dampers and \
            initial state.",
        heavy: false,
    };
    type Params = SimulatorParams;
    fn param_specs() -> Vec<ParamSpec> {
        simulator_params()
    }
    fn parse(raw: &Value, _: &Progress, _: &Cancel) -> Parsed<Self::Params> {
        SimulatorParams::parse(raw)
    }
    fn run(p: Self::Params, echo: Value, progress: &Progress, cancel: &Cancel) -> RunResult {
        run_simulator(&p, echo, progress, cancel)
    }
    /// Per sample: force and three floor responses (x and y: 8 values), plus three floors ×
    /// three percentile bands (18) with Monte-Carlo; four Welch PSDs of `nperseg / 2 + 1`
    /// points; about 60 scalars, the modes table and one 16-cell row per scenario. The driver is
    /// whichever of `duration_s` and `sample_rate_hz` is further above its default.
    fn result_values(p: &Self::Params) -> ResultSize {
        let mc = p.n_scenarios >= 2;
        let per_sample = if mc { 26.0 } else { 8.0 };
        let samples = p.grid.len as f64;
        let fixed = 8.0 * (p.nperseg as f64 / 2.0 + 1.0)
            + 100.0
            + if mc {
                16.0 * (p.n_scenarios as f64) + 30.0
            } else {
                0.0
            };
        let (d, fs) = (p.grid.duration_s, p.grid.fs_hz);
        if fs / 2048.0 >= d / 5.0 {
            ResultSize::linear("sample_rate_hz", fs, per_sample * samples / fs, fixed).unit(" Hz")
        } else {
            ResultSize::linear("duration_s", d, per_sample * samples / d, fixed).unit(" s")
        }
    }
}
