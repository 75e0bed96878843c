//! Runs a strategy and assembles the result of docs/control.md §5 (scalars, series, tables,
//! warnings). Unstable closed loops get stability data and a warning but no steady-state
//! figures (kinetic energy, reduction, FRFs, effort).

use std::f64::consts::PI;

use num_complex::Complex64;

use super::compensator::Compensator;
use super::device::{Device, DeviceParams};
use super::eigen::eigenvalues;
use super::feedback::{max_stable_gains_on, plant, Feedback, OpenLoop};
use super::lqg::{design, LqgWeights};
use super::margins::{crossings, LoopEval, Margin, BLOCK};
use super::poles::{dvf_ec_matrix, dvf_matrix, max_real_part, pole_table};
use super::rig::{structure, Structure};
use super::sweep::{self, argmax, energy_db, grid, phase_deg, receptance, trapezoid};
use super::{ControlParams, Strategy, TOOL_ID};
use crate::{Cancel, Progress, Series, Table, ToolError, ToolResult};

const FREQ: &str = "Frequency (Hz)";
const KE: &str = "Kinetic energy (dB re 1 J)";
const REC: &str = "Receptance (dB re 1 m/N)";
const PHASE: &str = "Phase (deg)";
/// Above this estimator pole frequency the LQG design is flagged \[Hz\].
const FAST_ESTIMATOR_HZ: f64 = 1000.0;

/// The device part of the parameters.
pub(super) fn device_params(p: &ControlParams) -> DeviceParams {
    DeviceParams {
        floor: p.floor as usize,
        base_mass_kg: p.base_mass_kg,
        proof_mass_kg: p.proof_mass_kg,
        stiffness_n_per_m: p.stiffness_n_per_m,
        damping_ns_per_m: p.damping_ns_per_m,
    }
}

/// The compensator of the (resolved) parameters.
pub(super) fn compensator(p: &ControlParams, dev: &DeviceParams) -> Compensator {
    Compensator::from_hz_percent(
        p.comp_zero_freq_hz
            .unwrap_or_else(|| dev.natural_frequency_hz()),
        p.comp_zero_damping_percent
            .unwrap_or_else(|| dev.damping_ratio() * 100.0),
        p.comp_pole_freq_hz,
        p.comp_pole_damping_percent,
    )
}

fn grid_series(name: &str, y_label: &str, y: Vec<f64>) -> Series {
    Series::new(name, FREQ, y_label, grid().f_hz.clone(), y)
}

/// Runs the tool on parsed parameters.
pub(super) fn run(
    p: &ControlParams,
    echo: serde_json::Value,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ToolResult, ToolError> {
    let mut res = ToolResult::new(TOOL_ID, echo);
    // The rig's geometry model (its sweep cached), or a profile's chain.
    let s: &Structure = p.structure.as_ref().unwrap_or_else(|| structure());
    let unc_of_profile;
    let unc = match &p.structure {
        Some(custom) => {
            unc_of_profile = sweep::compute_uncontrolled(custom)?;
            &unc_of_profile
        }
        None => sweep::uncontrolled()?,
    };
    for i in 0..3 {
        res.set(
            &format!("natural_frequency_{}_hz", i + 1),
            s.natural_frequencies_hz[i],
        );
        res.set(
            &format!("damping_ratio_{}_percent", i + 1),
            s.damping_ratios[i] * 100.0,
        );
    }
    if let Some(k) = s.storey_stiffness_n_per_m {
        res.set("storey_stiffness_n_per_m", k);
    }
    res.set(
        "integrated_kinetic_energy_uncontrolled_j_rad_per_s",
        unc.integrated_j_rad_per_s,
    );
    res.set("max_kinetic_energy_uncontrolled_db", argmax(&unc.ke_db).1);
    res.push_series(grid_series("ke_uncontrolled", KE, unc.ke_db.clone()));
    let mut modes = Table::new("modes", &["mode", "frequency_hz", "damping_ratio_percent"]);
    for i in 0..3 {
        modes.push_numbers(
            1,
            &[
                (i + 1) as f64,
                s.natural_frequencies_hz[i],
                s.damping_ratios[i] * 100.0,
            ],
        );
    }
    let strategy = p.strategy;
    if strategy == Strategy::Passive {
        push_frfs(&mut res, "uncontrolled", &unc.frf_db, &unc.frf_phase_deg);
        res.push_table(modes);
        return Ok(res);
    }
    progress.report(0.1, "device model");
    cancel.check()?;

    let dp = device_params(p);
    let dev = Device::on(s, dp);
    res.set("device_natural_frequency_hz", dp.natural_frequency_hz());
    res.set("device_damping_ratio_percent", dp.damping_ratio() * 100.0);
    let bl = p.force_factor_n_per_a;
    let g0 = bl * p.gain_a_s_per_m;
    let comp = compensator(p, &dp);

    // Feedback law and closed-loop poles.
    let (feedback, poles) = match strategy {
        Strategy::Passive | Strategy::Tmd => (Feedback::None, eigenvalues(&dev.a, "device")?),
        Strategy::Dvf => (
            Feedback::Dvf { g0 },
            eigenvalues(&dvf_matrix(&dev, g0), "DVF closed-loop")?,
        ),
        Strategy::DvfEc => (
            Feedback::DvfEc { g0, comp },
            eigenvalues(&dvf_ec_matrix(&dev, g0, &comp), "DVF+EC closed-loop")?,
        ),
        Strategy::Lqg => {
            progress.report(0.2, "LQG design");
            let weights = LqgWeights {
                state_weight: p.lqr_state_weight,
                input_weight: p.lqr_input_weight,
                process_noise: p.kalman_process_noise,
                measurement_noise: p.kalman_measurement_noise,
            };
            let d = design(&dev, &weights)?;
            let mut all = d.regulator_poles.clone();
            all.extend_from_slice(&d.estimator_poles);
            (Feedback::Lqg(Box::new(d)), all)
        }
    };
    let max_re = max_real_part(&poles);
    let stable = max_re < 0.0;
    cancel.check()?;

    // Stability data of active strategies.
    let mut gm: Option<Margin> = None;
    let mut pm: Option<Margin> = None;
    let mut hmax: [Option<f64>; 3] = [None; 3];
    let mut open_loop: Option<Vec<Complex64>> = None;
    if strategy.is_active() {
        progress.report(0.3, "stability margins");
        res.set_int("closed_loop_stable", i64::from(stable));
        res.set("max_closed_loop_pole_real_part_1_per_s", max_re);
        let pl = plant(&dev)?;
        let mut own_hmax = None;
        if !feedback.is_zero() {
            let l = OpenLoop {
                plant: &pl,
                feedback: &feedback,
            };
            let c = crossings(&l, true);
            gm = c.gain_margin();
            pm = c.phase_margin();
            if matches!(strategy, Strategy::Dvf | Strategy::DvfEc) {
                // L = h·L₁: the same negative-real crossings, h_max = h·min 1/|L|.
                let h = p.gain_a_s_per_m;
                own_hmax = Some((dp.floor, c.gain_factor_to_instability().map(|k| k * h)));
            }
            let (mut re, mut im) = ([0.0; BLOCK], [0.0; BLOCK]);
            let mut values = Vec::with_capacity(grid().w_rad_s.len());
            for w in grid().w_rad_s.chunks(BLOCK) {
                let n = w.len();
                l.eval_block(w, &mut re[..n], &mut im[..n]);
                values.extend(
                    re[..n]
                        .iter()
                        .zip(&im[..n])
                        .map(|(&a, &b)| Complex64::new(a, b)),
                );
            }
            open_loop = Some(values);
        }
        cancel.check()?;
        if matches!(strategy, Strategy::Dvf | Strategy::DvfEc) {
            progress.report(0.5, "largest stable gains");
            let c = (strategy == Strategy::DvfEc).then_some(&comp);
            hmax = max_stable_gains_on(s, &dp, bl, c, own_hmax)?;
        }
        if let Some(m) = gm {
            res.set("gain_margin_db", m.value);
            res.set("gain_margin_frequency_hz", m.frequency_hz());
        }
        if let Some(m) = pm {
            res.set("phase_margin_deg", m.value);
            res.set("phase_margin_frequency_hz", m.frequency_hz());
        }
        for (i, h) in hmax.iter().enumerate() {
            if let Some(h) = h {
                res.set(&format!("max_stable_gain_floor_{}_a_s_per_m", i + 1), *h);
            }
        }
        warn_stability(&mut res, p, stable, max_re, gm, pm, &hmax, &feedback);
    }
    cancel.check()?;

    // Steady state (only when it exists).
    let mut ctrl_frf = None;
    let mut force_series = None;
    if stable {
        progress.report(0.7, "frequency sweep");
        let ds = sweep::with_device(&dev, |_, w| feedback.coefficient(w))?;
        let ke_db = energy_db(&ds.ke_j)?;
        let it = ds.integrated_j_rad_per_s;
        res.set("integrated_kinetic_energy_controlled_j_rad_per_s", it);
        res.set(
            "kinetic_energy_reduction_db",
            -10.0 * (it / unc.integrated_j_rad_per_s).log10(),
        );
        let (imax, kmax) = argmax(&ke_db);
        res.set("max_kinetic_energy_controlled_db", kmax);
        res.set(
            "max_kinetic_energy_controlled_frequency_hz",
            grid().f_hz[imax],
        );
        res.push_series(grid_series("ke_controlled", KE, ke_db));
        let frf = [0, 1, 2].map(|k| receptance(ds.velocity.iter().map(|v| v[k])));
        let [(d1, p1), (d2, p2), (d3, p3)] = frf;
        ctrl_frf = Some(([d1, d2, d3], [p1, p2, p3]));
        if strategy.is_active() {
            let w = &grid().w_rad_s;
            let force: Vec<f64> = ds.force.iter().map(|f| f.norm_sqr().sqrt()).collect();
            let power: Vec<f64> = force
                .iter()
                .map(|f| 0.5 * p.coil_resistance_ohm * (f / bl).powi(2))
                .collect();
            let fmax = argmax(&force).1;
            res.set("max_control_force_n", fmax);
            res.set("max_coil_current_a", fmax / bl);
            res.set("max_electrical_power_w", argmax(&power).1);
            let band = w[w.len() - 1] - w[0];
            res.set("band_mean_electrical_power_w", trapezoid(&power, w) / band);
            force_series = Some(force);
        }
    }

    push_frfs(&mut res, "uncontrolled", &unc.frf_db, &unc.frf_phase_deg);
    if let Some((db, ph)) = &ctrl_frf {
        push_frfs(&mut res, "controlled", db, ph);
    }
    if let Some(l) = open_loop {
        res.push_series(Series::new(
            "nyquist",
            "Re L (-)",
            "Im L (-)",
            l.iter().map(|z| z.re).collect(),
            l.iter().map(|z| z.im).collect(),
        ));
        res.push_series(grid_series(
            "open_loop_magnitude_db",
            "|L| (dB)",
            l.iter()
                .map(|z| 10.0 * z.norm_sqr().max(f64::MIN_POSITIVE).log10())
                .collect(),
        ));
        res.push_series(grid_series(
            "open_loop_phase_deg",
            "Phase of L (deg)",
            l.iter().map(|z| phase_deg(*z)).collect(),
        ));
    }
    if let Some(f) = force_series {
        res.push_series(grid_series(
            "control_force_n",
            "Control force amplitude (N per N)",
            f,
        ));
    }

    res.push_table(modes);
    let mut pt = Table::new(
        "poles",
        &[
            "pole",
            "real_1_per_s",
            "imag_rad_per_s",
            "frequency_hz",
            "damping_ratio_percent",
        ],
    );
    for (i, r) in pole_table(&poles).iter().enumerate() {
        pt.push_numbers(
            1,
            &[
                (i + 1) as f64,
                r.real_1_per_s,
                r.imag_rad_per_s,
                r.frequency_hz,
                r.damping_ratio_percent,
            ],
        );
    }
    res.push_table(pt);
    if let Feedback::Lqg(d) = &feedback {
        let mut t = Table::new("lqg_gains", &["state", "lqr_gain", "kalman_gain"]);
        for i in 0..8 {
            t.push_numbers(1, &[(i + 1) as f64, d.lqr_gain[i], d.kalman_gain[i]]);
        }
        res.push_table(t);
        let fastest = d
            .estimator_poles
            .iter()
            .map(|z| z.norm() / (2.0 * PI))
            .fold(0.0, f64::max);
        if fastest > FAST_ESTIMATOR_HZ {
            res.warn(format!(
                "fast estimator: R_n very small, results sensitive to the solver (estimator pole at {fastest:.0} Hz)"
            ));
        }
    }
    progress.report(1.0, "done");
    Ok(res)
}

fn push_frfs(res: &mut ToolResult, kind: &str, db: &[Vec<f64>; 3], ph: &[Vec<f64>; 3]) {
    for i in 0..3 {
        res.push_series(grid_series(
            &format!("frf_floor_{}_{kind}_db", i + 1),
            REC,
            db[i].clone(),
        ));
        res.push_series(grid_series(
            &format!("frf_floor_{}_{kind}_phase_deg", i + 1),
            PHASE,
            ph[i].clone(),
        ));
    }
}

#[allow(clippy::too_many_arguments)]
fn warn_stability(
    res: &mut ToolResult,
    p: &ControlParams,
    stable: bool,
    max_re: f64,
    gm: Option<Margin>,
    pm: Option<Margin>,
    hmax: &[Option<f64>; 3],
    feedback: &Feedback,
) {
    let floor = p.floor as usize;
    if feedback.is_zero() {
        res.warn(
            "the feedback gain is zero: the actuator acts as a passive TMD (no margins or open-loop curves)",
        );
    }
    if !stable {
        let mut msg = format!("closed loop is unstable (largest pole real part {max_re:+.3} 1/s)");
        if let Some(m) = gm {
            msg.push_str(&format!(": gain margin {:.2} dB", m.value));
        }
        if let Some(h) = hmax[floor - 1] {
            msg.push_str(&format!(
                "; the largest stable gain on floor {floor} is {h:.2} A·s/m"
            ));
        }
        msg.push_str(
            "; no kinetic-energy reduction, FRF or effort figures (the steady state does not exist)",
        );
        res.warn(msg);
        return;
    }
    let small_gm = gm.is_some_and(|m| m.value < 6.0);
    let small_pm = pm.is_some_and(|m| m.value < 30.0);
    if small_gm || small_pm {
        let gm_txt = gm.map_or("none".to_string(), |m| format!("{:.2} dB", m.value));
        let pm_txt = pm.map_or("none".to_string(), |m| format!("{:.1}°", m.value));
        res.warn(format!(
            "small stability margin: gain margin {gm_txt}, phase margin {pm_txt}"
        ));
    }
}
