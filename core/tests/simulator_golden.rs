//! Golden and property tests of the `simulator` tool.
//!
//! - `rs_cases.json`, every `simulator` case (docs/simulator.md §9): each listed scalar within
//!   `max(abs, rel·|value|)` (rel 1e-5 for response scalars, 1e-8 for modal ones, time of peak
//!   ±1.5 samples, spectral peaks ±1 bin), series length and samples (x within `x_abs`, y within
//!   `max(abs, rel·|y|)`: abs 1e-5 × floor peak for responses, rel 1e-3 for PSD bins), and the
//!   modes table.
//! - The original app's 13 scenarios (`simulator_threedof.json`: 8 cases, `simulator_cb.json`:
//!   the 4 hammer cases with `exact` blocks, 1 of them with 3 Monte-Carlo scenarios, run one by
//!   one with `n_scenarios: 1`) on the `linspace` grid against the `exact` blocks: peak and RMS
//!   rel 1e-5, samples abs 1e-5 × floor peak, time of peak ±1.5 samples, Welch PSD bins rel 1e-3
//!   where the bin exceeds 1e-6 × max (threedof only: the class-based PSD is not reproduced).
//!   Cases flagged `upstream_missed_hammer` give full-size responses (the original gave ≈1e-9 m).
//! - Seeds: same seed ⇒ identical noise and Monte-Carlo results, different seed ⇒ different.
//! - Monte-Carlo statistics: natural-frequency spread against first-order sensitivity
//!   (±15 %), mean within 4 standard errors, zero dispersion ⇒ every band equals the nominal run.
//! - Noise level against docs/simulator.md §4.4 (20 seeds, ±10 % on the mean displacement RMS).

mod common;

use common::{close, num_at as num, nums};
use cristallo_core::{run, Cancel, Progress, ToolResult};
use serde_json::{json, Value};

fn sim(params: Value) -> ToolResult {
    common::run_ok("simulator", &params)
}

#[test]
fn rs_cases_simulator() {
    let cases = common::rs_cases("simulator");
    for case in &cases {
        let name = case["case"].as_str().unwrap_or("?");
        let r = sim(case["params"].clone());
        assert_eq!(r.tool, "simulator");
        common::check_rs_case(name, &r, &case["expect"]);
    }
    assert_eq!(cases.len(), 6);
}

/// Our parameters for one scenario of the original app.
fn original_params(case: &Value, scenario: &Value) -> Value {
    let inputs = &case["inputs"];
    let x = nums(&scenario["init_state_x_v"]);
    let mut p = json!({
        "profile": {
            "masses_kg": scenario["mass"],
            "stiffnesses_n_per_m": scenario["stiffness"],
            "dampings_ns_per_m": scenario["damping"],
        },
        "time_grid": "linspace",
        "duration_s": inputs["T_s"],
        "sample_rate_hz": inputs["Sf_Hz"],
        "initial_displacement_m": [x[0], x[1], x[2]],
        "initial_velocity_m_per_s": [x[3], x[4], x[5]],
        "response": "displacement",
    });
    match inputs["Excite"].as_str() {
        Some("Hammer") => {
            p["excitation"] = json!("hammer");
        }
        Some("White") => {
            let table = &case["white_noise_table"];
            let amp = num(table, "amplitude_N");
            let values: Vec<f64> = nums(&table["values"]).iter().map(|v| v * amp).collect();
            p["excitation"] = json!("table");
            p["force_table_n"] = json!(values);
            p["force_table_dt_s"] = json!(1.0 / num(table, "fs_Hz"));
        }
        other => panic!("unexpected excitation {other:?}"),
    }
    p
}

fn check_exact(label: &str, case: &Value, scenario: &Value, r: &ToolResult, psd: bool) {
    let exact = &scenario["exact"];
    let peaks = nums(&exact["peak_abs_disp_m"]);
    let rms = nums(&exact["rms_disp_m"]);
    let dt = 1.0 / r.scalar("effective_sample_rate_hz").unwrap();
    for j in 0..3 {
        let f = j + 1;
        let got = r.scalar(&format!("peak_displacement_floor_{f}_m")).unwrap();
        assert!(
            close(got, peaks[j], 1e-5, 0.0),
            "{label}: peak {f} {got} vs {}",
            peaks[j]
        );
        let got = r.scalar(&format!("rms_displacement_floor_{f}_m")).unwrap();
        assert!(
            close(got, rms[j], 1e-5, 0.0),
            "{label}: rms {f} {got} vs {}",
            rms[j]
        );
        if let Some(tp) = exact.get("time_of_peak_s") {
            let want = nums(tp)[j];
            let got = r
                .scalar(&format!("time_of_peak_displacement_floor_{f}_s"))
                .unwrap();
            assert!((got - want).abs() <= 1.5 * dt, "{label}: time of peak {f}");
        }
        if let Some(samples) = exact.get("samples") {
            let s = r.series_named(&format!("displacement_floor_{f}")).unwrap();
            let idx = nums(&case["sample_index"]);
            let want = nums(&samples[format!("x{f}")]);
            assert_eq!(idx.len(), want.len());
            for (i, w) in idx.iter().zip(want) {
                let i = *i as usize;
                assert!(
                    (s.y[i] - w).abs() <= 1e-5 * peaks[j],
                    "{label}: x{f}[{i}] = {}, want {w}",
                    s.y[i]
                );
            }
        }
        if psd {
            if let Some(bins) = exact.get("psd_first_bins") {
                let want = nums(&bins[format!("x{f}")]);
                let s = r.series_named(&format!("psd_floor_{f}")).unwrap();
                let max = s.y.iter().fold(0.0f64, |m, &y| m.max(y));
                let freqs = nums(&case["psd_freq_first_bins"]);
                for (k, w) in want.iter().enumerate() {
                    assert!((s.x[k] - freqs[k]).abs() < 1e-6);
                    if *w > 1e-6 * max {
                        assert!(
                            close(s.y[k], *w, 1e-3, 0.0),
                            "{label}: psd {f} bin {k} = {}, want {w}",
                            s.y[k]
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn original_scenarios_against_exact() {
    let mut scenarios = 0;
    let mut cases = 0;
    let mut missed = 0;
    for (file, psd) in [
        ("simulator_threedof.json", true),
        ("simulator_cb.json", false),
    ] {
        let data = common::fixture("simulator", file);
        for case in data["cases"].as_array().expect("cases") {
            let with_exact: Vec<&Value> = case["scenarios"]
                .as_array()
                .expect("scenarios")
                .iter()
                .filter(|s| s.get("exact").is_some())
                .collect();
            if with_exact.is_empty() {
                continue; // the class-based white-noise case has no exact block
            }
            cases += 1;
            for (k, s) in with_exact.iter().enumerate() {
                scenarios += 1;
                let label = format!("{file} {} #{k}", case["name"]);
                let r = sim(original_params(case, s));
                check_exact(&label, case, s, &r, psd);
                if s["upstream_missed_hammer"].as_bool() == Some(true) {
                    missed += 1;
                    let upstream = nums(&s["upstream_odeint"]["peak_abs_disp_m"]);
                    for j in 0..3 {
                        let ours = r
                            .scalar(&format!("peak_displacement_floor_{}_m", j + 1))
                            .unwrap();
                        assert!(ours > 1e-3, "{label}: full-size response expected");
                        assert!(
                            upstream[j] < 1e-4 * ours,
                            "{label}: upstream lost the pulse"
                        );
                    }
                }
            }
        }
    }
    assert_eq!(cases, 12);
    assert_eq!(scenarios, 18);
    assert_eq!(missed, 5);
}

/// The hammer is captured at every rate, including those the original missed.
#[test]
fn hammer_is_captured_at_every_rate() {
    let reference = sim(json!({"sample_rate_hz": 8192, "duration_s": 2.0}));
    let want = reference.scalar("peak_displacement_floor_3_m").unwrap();
    for fs in [256.0f64, 512.0, 1000.0, 1024.0, 2048.0, 4096.0] {
        let r = sim(json!({"sample_rate_hz": fs, "duration_s": 2.0}));
        // Peak over samples: the coarser the grid, the more the true peak falls between samples.
        let got = r.scalar("peak_displacement_floor_3_m").unwrap();
        assert!((got - want).abs() < 0.02 * want, "fs {fs}: {got} vs {want}");
        let x = &r.series_named("displacement_floor_3").unwrap();
        let fine = reference.series_named("displacement_floor_3").unwrap();
        // Compare at common instants (every sample of the coarse grid is on the fine grid).
        let ratio: f64 = 8192.0 / fs;
        if ratio.fract() == 0.0 {
            for i in (0..x.y.len()).step_by(37) {
                let k = (i as f64 * ratio) as usize;
                assert!(
                    (x.y[i] - fine.y[k]).abs() <= 1e-5 * want,
                    "fs {fs} sample {i}"
                );
            }
        }
    }
}

fn noise(seed: u64, extra: Value) -> ToolResult {
    let mut p = json!({"excitation": "noise", "seed": seed, "duration_s": 5.0});
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    sim(p)
}

#[test]
fn seeds_reproduce_and_differ() {
    let a = noise(11, json!({}));
    let b = noise(11, json!({}));
    let c = noise(12, json!({}));
    assert_eq!(a.series, b.series);
    assert_eq!(a.scalars, b.scalars);
    assert_ne!(a.series_named("force"), c.series_named("force"));
    assert!((a.scalar("force_rms_n").unwrap() - 12.5).abs() < 1e-9);
    let mc = json!({"n_scenarios": 5, "mass_std": 0.1, "stiffness_std": 500.0,
                    "initial_velocity_std_m_per_s": 0.01, "duration_s": 1.0});
    let d = noise(3, mc.clone());
    let e = noise(3, mc.clone());
    let f = noise(4, mc);
    assert_eq!(d.tables, e.tables);
    assert_eq!(d.series, e.series);
    assert_ne!(d.table_named("scenarios"), f.table_named("scenarios"));
}

#[test]
fn noise_level_matches_the_spec() {
    let want = [0.70e-3, 0.91e-3, 1.12e-3];
    let mut sum = [0.0; 3];
    let n = 20;
    for seed in 0..n {
        let r = noise(seed, json!({}));
        for j in 0..3 {
            sum[j] += r
                .scalar(&format!("rms_displacement_floor_{}_m", j + 1))
                .unwrap();
        }
        let psd = r.series_named("psd_force").unwrap();
        // Flat in the band, nothing far above it.
        let inband: Vec<f64> = psd
            .x
            .iter()
            .zip(&psd.y)
            .filter(|(f, _)| **f >= 5.0 && **f <= 95.0)
            .map(|(_, p)| *p)
            .collect();
        let above = psd
            .x
            .iter()
            .zip(&psd.y)
            .filter(|(f, _)| **f >= 150.0)
            .fold(0.0f64, |m, (_, p)| m.max(*p));
        let m = inband.iter().sum::<f64>() / inband.len() as f64;
        assert!(above < 1e-3 * m);
    }
    for j in 0..3 {
        let mean = sum[j] / n as f64;
        assert!(
            (mean - want[j]).abs() < 0.1 * want[j],
            "floor {}: {mean}",
            j + 1
        );
    }
}

#[test]
fn monte_carlo_statistics() {
    // Stiffness scatter 2 % on each storey: σ(fn) from first-order sensitivities.
    let n = 400;
    let r = sim(
        json!({"n_scenarios": n, "dispersion_unit": "percent", "stiffness_std": 2.0,
                        "duration_s": 1.0, "sample_rate_hz": 256, "seed": 5}),
    );
    let base = cristallo_core::lumped::Profile::default();
    let fn_of = |k: [f64; 3]| {
        cristallo_core::lumped::LumpedModel::chain(&base.masses_kg, &k, &base.dampings_ns_per_m)
            .undamped_modes()
            .unwrap()
            .natural_frequency_hz
    };
    let f0 = fn_of(base.stiffnesses_n_per_m);
    for i in 0..3 {
        let mut var = 0.0;
        for s in 0..3 {
            let mut k = base.stiffnesses_n_per_m;
            let dk = 1e-4 * k[s];
            k[s] += dk;
            let d = (fn_of(k)[i] - f0[i]) / dk;
            var += (d * 0.02 * base.stiffnesses_n_per_m[s]).powi(2);
        }
        let sigma = var.sqrt();
        let got_std = r
            .scalar(&format!("mc_natural_frequency_{}_hz_std", i + 1))
            .unwrap();
        let got_mean = r
            .scalar(&format!("mc_natural_frequency_{}_hz_mean", i + 1))
            .unwrap();
        assert!(
            (got_std - sigma).abs() < 0.15 * sigma,
            "mode {}: {got_std} vs {sigma}",
            i + 1
        );
        assert!((got_mean - f0[i]).abs() < 4.0 * sigma / (n as f64).sqrt());
    }
    let t = r.table_named("scenarios").unwrap();
    assert_eq!(t.rows.len(), n);
    assert_eq!(t.columns.len(), 16);
    for j in 1..=3 {
        let p05 = r
            .scalar(&format!("mc_peak_displacement_floor_{j}_m_p05"))
            .unwrap();
        let p95 = r
            .scalar(&format!("mc_peak_displacement_floor_{j}_m_p95"))
            .unwrap();
        let mean = r
            .scalar(&format!("mc_peak_displacement_floor_{j}_m_mean"))
            .unwrap();
        assert!(p05 < mean && mean < p95);
        let lo = r
            .series_named(&format!("displacement_floor_{j}_p05"))
            .unwrap();
        let mid = r
            .series_named(&format!("displacement_floor_{j}_p50"))
            .unwrap();
        let hi = r
            .series_named(&format!("displacement_floor_{j}_p95"))
            .unwrap();
        assert!(lo
            .y
            .iter()
            .zip(&mid.y)
            .zip(&hi.y)
            .all(|((a, b), c)| a <= b && b <= c));
    }
}

#[test]
fn monte_carlo_without_dispersion_equals_the_nominal_run() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let progress = Progress::new(move |f, _| s2.lock().unwrap().push(f));
    let r = run(
        "simulator",
        &json!({"n_scenarios": 4, "duration_s": 1.0, "response": "velocity"}),
        &progress,
        &Cancel::new(),
    )
    .unwrap();
    for j in 1..=3 {
        let nominal = r.series_named(&format!("velocity_floor_{j}")).unwrap();
        for p in ["p05", "p50", "p95"] {
            let band = r.series_named(&format!("velocity_floor_{j}_{p}")).unwrap();
            assert_eq!(band.y, nominal.y);
        }
        let peak = r.scalar(&format!("peak_displacement_floor_{j}_m")).unwrap();
        assert_eq!(
            r.scalar(&format!("mc_peak_displacement_floor_{j}_m_mean")),
            Some(peak)
        );
        assert_eq!(
            r.scalar(&format!("mc_peak_displacement_floor_{j}_m_std")),
            Some(0.0)
        );
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.last(), Some(&1.0));
    assert!(seen.len() >= 5);
    assert!(!r.warnings.iter().any(|w| w.contains("dispersion ignored")));
}

#[test]
fn cancel_stops_monte_carlo() {
    let e = common::run_cancelled("simulator", &json!({"n_scenarios": 10}));
    assert_eq!(e, cristallo_core::ToolError::Cancelled);
}

#[test]
fn result_contract_keys() {
    let r = sim(json!({"response": "acceleration", "duration_s": 2.0}));
    let names: Vec<&str> = r.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "force",
            "acceleration_floor_1",
            "acceleration_floor_2",
            "acceleration_floor_3",
            "psd_floor_1",
            "psd_floor_2",
            "psd_floor_3",
            "psd_force"
        ]
    );
    assert_eq!(r.series[1].y_label, "Acceleration (m/s²)");
    assert_eq!(r.series[4].y_label, "PSD of acceleration ((m/s²)²/Hz)");
    assert_eq!(r.series[7].y_label, "PSD of force (N²/Hz)");
    // 6 modal + 3×7 response + 3 force + 4 grid/Welch + 3 peaks.
    assert_eq!(r.scalars.len(), 37, "{:?}", r.scalars.keys());
    assert_eq!(r.tables.len(), 1);
    assert_eq!(r.params["profile"]["name"], "simulator default");
    assert_eq!(r.params["excitation"], "hammer");
    // Acceleration from the state equals the second difference of the displacement.
    let d = sim(json!({"duration_s": 2.0}));
    let x = &d.series_named("displacement_floor_2").unwrap().y;
    let a = &r.series_named("acceleration_floor_2").unwrap().y;
    let dt = 1.0 / 2048.0;
    let peak = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for i in (1..x.len() - 1).step_by(101) {
        let fd = (x[i + 1] - 2.0 * x[i] + x[i - 1]) / (dt * dt);
        assert!((fd - a[i]).abs() < 2e-3 * peak, "{i}: {fd} vs {}", a[i]);
    }
}

#[test]
fn each_floor_value_is_used() {
    // Changing any one of the 9 m/k/c values (or v3(0)) changes the response: the original
    // froze k3 and v3.
    let base = sim(json!({"duration_s": 1.0}));
    let peak = |r: &ToolResult| r.scalar("rms_displacement_floor_3_m").unwrap();
    let b = peak(&base);
    for key in ["masses_kg", "stiffnesses_n_per_m", "dampings_ns_per_m"] {
        for j in 0..3 {
            let mut v = base.params["profile"][key].clone();
            v[j] = json!(v[j].as_f64().unwrap() * 1.2);
            let r = sim(json!({"duration_s": 1.0, "profile": {key: v}}));
            assert!((peak(&r) - b).abs() > 1e-6 * b, "{key}[{j}] not used");
        }
    }
    let r = sim(json!({"duration_s": 1.0, "initial_velocity_m_per_s": [0, 0, 0.02]}));
    assert!((peak(&r) - b).abs() > 1e-6 * b);
}

#[test]
fn warnings_for_suspicious_inputs() {
    let w = |p: Value| sim(p).warnings.join(" | ");
    assert!(w(json!({"pulse_time_s": 0.01})).contains("cut by the record"));
    assert!(w(json!({"excitation": "impulse", "pulse_time_s": 9.0})).contains("after the end"));
    assert!(w(json!({"mass_std": 0.1})).contains("dispersion ignored"));
    assert!(w(json!({"hammer_peak_n": 5000})).contains("linear range"));
    assert!(w(json!({"excitation": "none"})).contains("spectral peak"));
    assert!(w(json!({"sample_rate_hz": 100, "welch_segment_s": 1.0})).contains("clipped"));
    assert!(
        w(json!({"n_scenarios": 20, "damping_std": 8.0, "duration_s": 1.0})).contains("redrawn")
    );
    assert!(sim(json!({})).warnings.is_empty());
}

#[test]
fn other_excitations_run_and_are_consistent() {
    // Log sweep, uniform table with knots between samples, sweep down.
    for p in [
        json!({"excitation": "sweep", "sweep_type": "logarithmic", "duration_s": 4.0}),
        json!({"excitation": "sweep", "sweep_start_hz": 30, "sweep_end_hz": 2, "duration_s": 4.0}),
        json!({"excitation": "table", "force_table_n": [0, 10, -5, 3], "force_table_dt_s": 0.0123}),
        json!({"excitation": "harmonic", "force_floor": 3, "response": "acceleration"}),
        json!({"excitation": "impulse", "pulse_time_s": 0.0}),
    ] {
        let r = sim(p.clone());
        assert!(
            r.scalar("peak_displacement_floor_1_m").unwrap() > 0.0,
            "{p}"
        );
    }
    // Sweeps (linear, logarithmic up and down) agree between 2048 and 8192 Hz at common
    // instants within 1e-5 of the floor's peak: both are the exact solution for their force.
    for extra in [
        json!({"sweep_type": "linear"}),
        json!({"sweep_type": "logarithmic"}),
        json!({"sweep_type": "logarithmic", "sweep_start_hz": 45, "sweep_end_hz": 3}),
    ] {
        let mut p = json!({"excitation": "sweep", "duration_s": 3.0});
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        let coarse = sim(p.clone());
        p["sample_rate_hz"] = json!(8192);
        let fine = sim(p);
        for j in 1..=3 {
            let c = &coarse
                .series_named(&format!("displacement_floor_{j}"))
                .unwrap()
                .y;
            let f = &fine
                .series_named(&format!("displacement_floor_{j}"))
                .unwrap()
                .y;
            let peak = coarse
                .scalar(&format!("peak_displacement_floor_{j}_m"))
                .unwrap();
            for i in (0..c.len()).step_by(17) {
                assert!(
                    (c[i] - f[4 * i]).abs() <= 1e-5 * peak,
                    "{extra} floor {j} sample {i}"
                );
            }
        }
    }
    // A harmonic force far from resonance reaches the analytic steady state.
    let f = 3.0;
    let r = sim(
        json!({"excitation": "harmonic", "harmonic_frequency_hz": f, "duration_s": 60.0,
                        "sample_rate_hz": 256}),
    );
    let h = cristallo_core::lumped::Profile::default()
        .model()
        .receptance(1, f)
        .unwrap();
    let x = &r.series_named("displacement_floor_1").unwrap().y;
    let tail = &x[x.len() - 256..];
    let amp = tail.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!((amp - 10.0 * h[0].norm()).abs() < 2e-3 * amp, "{amp}");
}

#[test]
fn narrow_hammer_equals_an_impulse_even_between_coarse_samples() {
    // σ = 10 µs at 64 Hz: the whole pulse lies inside one sample interval (window-edge path,
    // 8000 sub-steps). Its response equals that of the same impulse to O((ωσ)²).
    let sigma: f64 = 1e-5;
    let peak = 1.0 / (sigma * (2.0 * std::f64::consts::PI).sqrt());
    let base = json!({"duration_s": 4.0, "sample_rate_hz": 64, "pulse_time_s": 0.51,
                      "force_floor": 2});
    let mut h = base.clone();
    h["hammer_width_s"] = json!(sigma);
    h["hammer_peak_n"] = json!(peak);
    let mut i = base;
    i["excitation"] = json!("impulse");
    i["impulse_n_s"] = json!(1.0);
    let (h, i) = (sim(h), sim(i));
    for j in 1..=3 {
        let a = &h
            .series_named(&format!("displacement_floor_{j}"))
            .unwrap()
            .y;
        let b = &i
            .series_named(&format!("displacement_floor_{j}"))
            .unwrap()
            .y;
        let pk = i.scalar(&format!("peak_displacement_floor_{j}_m")).unwrap();
        assert!(pk > 1e-4);
        for k in 0..a.len() {
            assert!(
                (a[k] - b[k]).abs() <= 1e-6 * pk,
                "floor {j} sample {k}: {} vs {}",
                a[k],
                b[k]
            );
        }
    }
}

#[test]
fn impulse_near_the_end_of_a_linspace_grid() {
    for t0 in [4.9995, 4.99999999, 5.0] {
        let r = sim(json!({"excitation": "impulse", "time_grid": "linspace", "pulse_time_s": t0}));
        assert_eq!(r.scalar("force_impulse_n_s"), Some(1.0));
        assert!(
            r.warnings.iter().all(|w| !w.contains("after the end")),
            "{t0}"
        );
    }
    let r = sim(json!({"excitation": "impulse", "pulse_time_s": 5.0}));
    assert_eq!(r.scalar("force_impulse_n_s"), Some(0.0));
    assert!(r.warnings.iter().any(|w| w.contains("after the end")));
}
