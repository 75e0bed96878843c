//! Golden and statistical tests of the `design` tool (fixtures in `fixtures/uncertainty/`):
//!
//! - `design_fixed_samples.json` with `design_fixed_params.json`: the RNG-free pipeline on the
//!   stored N = 200 samples — outputs rel 1e-10, x1 histogram rel 1e-9, grid/target values,
//!   P exact, S(a*) and F̃ rel 1e-7, eigenvalues rel 1e-7, |ΔP_raw| rel 1e-6 (eigenvalues
//!   above 1e-6 × max);
//! - `design_nominal.json`: nominal FRF (every 25th point) abs 1e-7 dB, natural frequencies
//!   and outputs at the mean parameters rel 1e-9 (`amplitude_difference`);
//! - `design_stats.json`: output moments/quantiles at N = 2e5 (rel 2 %, 5 % for the 1 %/99 %
//!   quantiles) and FIM means over 20 seeds (within 3·sd/√20 of the reference means).

mod common;

use common::{assert_rel_close as rel_close, nums as floats, table_numbers as column};
use cristallo_core::{ToolError, ToolResult};
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    common::fixture("uncertainty", name)
}

fn run_ok(params: &Value) -> ToolResult {
    common::run_ok("design", params)
}

/// Maps the reference names ("mean k1", "sigma k1", "shape c2") to ours.
fn our_name(reference: &str) -> String {
    reference.replace("sigma ", "sd_").replace(' ', "_")
}

#[test]
fn fixed_samples_pipeline_is_reproduced_exactly() {
    let fixed = fixture("design_fixed_samples.json");
    let cases = fixture("design_fixed_params.json");
    let names: Vec<String> = fixed["param_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| our_name(v.as_str().unwrap()))
        .collect();
    let (mut worst_f, mut worst_eig, mut worst_dp) = (0.0f64, 0.0f64, 0.0f64);
    for (case, params) in cases["cases"].as_object().unwrap() {
        let mut p = params.clone();
        p["input_samples"] = fixed["inputs_samples"].clone();
        p["include_samples"] = json!(true);
        let r = run_ok(&p);
        let want = &fixed["cases"][case];
        assert_eq!(r.scalar("n_samples"), Some(200.0));

        // Outputs per sample.
        let samples = r.table_named("samples").unwrap();
        for o in ["x1", "x2", "x3", "s1", "s2", "s3"] {
            let got = column(samples, o);
            for (g, w) in got.iter().zip(floats(&fixed["outputs_samples"][o])) {
                rel_close(*g, w, 1e-10, o);
            }
        }
        // x1 histogram.
        let h = r.series_named("histogram_x1").unwrap();
        let href = &fixed["histogram_x1_20bins_density"];
        for (g, w) in h.x.iter().zip(floats(&href["centres"])) {
            rel_close(*g, w, 1e-9, "histogram centre");
        }
        for (g, w) in h.y.iter().zip(floats(&href["density"])) {
            rel_close(*g, w, 1e-9, "histogram density");
        }
        // Target values and P (exact).
        let outputs: Vec<String> = want["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        for (axis, o) in outputs.iter().enumerate() {
            let unit = if o.starts_with('x') { "m" } else { "n" };
            let idx = want["target_index"][axis].as_u64().unwrap() as usize;
            let t = want["x_target"][axis][idx].as_f64().unwrap();
            rel_close(
                r.scalar(&format!("target_{o}_{unit}")).unwrap(),
                t,
                1e-12,
                "target",
            );
        }
        assert_eq!(
            r.scalar("probability_at_target").unwrap(),
            want["P_at_target"].as_f64().unwrap(),
            "{case}: P"
        );
        // Sensitivities at the target.
        let sens = r.table_named("sensitivity_at_target").unwrap();
        let got_names: Vec<&str> = sens.rows.iter().map(|r| r[0].as_str().unwrap()).collect();
        assert_eq!(got_names, names);
        let dp = column(sens, "dp_db");
        let s_ref = floats(&want["S_at_target"]);
        let s_max = s_ref.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (g, w) in dp.iter().zip(&s_ref) {
            assert!(
                (g - w).abs() <= 1e-7 * w.abs().max(1e-6 * s_max),
                "{case} S: {g} vs {w}"
            );
        }
        // F̃.
        let f = r.table_named("fisher_normalised").unwrap();
        let f_ref: Vec<Vec<f64>> = want["F_normalised"]
            .as_array()
            .unwrap()
            .iter()
            .map(floats)
            .collect();
        let f_max = f_ref.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        for (row, wrow) in f.rows.iter().zip(&f_ref) {
            for (k, w) in wrow.iter().enumerate() {
                let g = row[k + 1].as_f64().unwrap();
                let err = (g - w).abs() / w.abs().max(1e-6 * f_max);
                assert!(err <= 1e-7, "{case} F̃: {g} vs {w}");
                worst_f = worst_f.max(err);
            }
        }
        // Eigenvalues (above 1e-6 × max) and |ΔP_raw|.
        for (table, key) in [
            ("eigen_normalised", "eig_F_normalised_desc"),
            ("eigen_raw", "eig_F_raw_desc"),
        ] {
            let got = column(r.table_named(table).unwrap(), "eigenvalue");
            let wv = floats(&want[key]);
            for (g, w) in got.iter().zip(&wv) {
                if *w > 1e-6 * wv[0].max(0.0) {
                    let err = ((g - w) / w).abs();
                    assert!(err <= 1e-7, "{case} {table}: {g} vs {w}");
                    worst_eig = worst_eig.max(err);
                }
            }
        }
        let dtab = r.table_named("delta_p").unwrap();
        let raw_eig = column(dtab, "eigenvalue_raw");
        let dp_raw = column(dtab, "delta_p_raw");
        let dp_ref = floats(&want["abs_DeltaP_by_raw_eig_desc"]);
        for k in 0..dp_ref.len() {
            if raw_eig[k] > 1e-6 * raw_eig[0] {
                let err = (dp_raw[k].abs() - dp_ref[k]).abs() / dp_ref[k];
                assert!(err <= 1e-6, "{case} ΔP {k}: {} vs {}", dp_raw[k], dp_ref[k]);
                worst_dp = worst_dp.max(err);
            }
        }
    }
    eprintln!(
        "worst rel errors: F̃ {worst_f:.2e}, eigenvalues {worst_eig:.2e}, |ΔP_raw| {worst_dp:.2e}"
    );
}

fn setting_params(name: &str) -> Value {
    let mut p = json!({"shear_definition": "amplitude_difference", "fisher": false});
    match name {
        "D1_freq1.5Hz" => p["analysis_frequency_hz"] = json!(1.5),
        "D2_freq5.93Hz" => p["analysis_frequency_hz"] = json!(5.93),
        "D3_gaussian_damping" => {
            p["inputs"] = json!({
                "c2": {"distribution": "normal", "mean": 0.6018186, "sd": 0.0015333},
                "c3": {"distribution": "normal", "mean": 2.3842358, "sd": 0.0010963},
            })
        }
        _ => {}
    }
    p
}

#[test]
fn nominal_frf_and_outputs_at_the_mean_match() {
    let nominal = fixture("design_nominal.json");
    for (name, s) in nominal["settings"].as_object().unwrap() {
        let r = run_ok(&setting_params(name));
        for (n, w) in floats(&s["natural_freq_Hz"]).iter().enumerate() {
            rel_close(
                r.scalar(&format!("natural_frequency_{}_hz", n + 1))
                    .unwrap(),
                *w,
                1e-9,
                "natural frequency",
            );
        }
        let hz = floats(&s["Hz_every_25th"]);
        for i in 0..3 {
            let series = r.series_named(&format!("floor_{}_nominal", i + 1)).unwrap();
            assert_eq!(series.x.len(), 10_000);
            let db = floats(&s["dB_every_25th"][i]);
            for (k, (h, d)) in hz.iter().zip(&db).enumerate() {
                assert!((series.x[25 * k] - h).abs() <= 1e-9 * h.max(1.0));
                assert!(
                    (series.y[25 * k] - d).abs() <= 1e-7,
                    "{name} floor {i} point {k}"
                );
            }
        }
        for (o, w) in s["outputs_at_analysis_freq_mean_params"]
            .as_object()
            .unwrap()
        {
            let unit = if o.starts_with('x') { "m" } else { "n" };
            let got = r.scalar(&format!("{o}_at_mean_params_{unit}")).unwrap();
            rel_close(got, w.as_f64().unwrap(), 1e-9, o);
        }
    }
}

#[test]
fn output_distributions_match_the_million_sample_reference() {
    let stats = fixture("design_stats.json");
    for (name, s) in stats["settings"].as_object().unwrap() {
        let mut p = setting_params(name);
        p["n_samples"] = json!(200_000);
        p["seed"] = json!(3);
        let r = run_ok(&p);
        for (o, want) in s["output_distributions_N1e6"].as_object().unwrap() {
            let unit = if o.starts_with('x') { "m" } else { "n" };
            let mean = want["mean"].as_f64().unwrap();
            let sd = want["sd"].as_f64().unwrap();
            rel_close(
                r.scalar(&format!("{o}_mean_{unit}")).unwrap(),
                mean,
                0.01,
                "mean",
            );
            rel_close(r.scalar(&format!("{o}_sd_{unit}")).unwrap(), sd, 0.02, "sd");
            let t = r.table_named("output_statistics").unwrap();
            let row = t.rows.iter().find(|row| row[0] == json!(o)).unwrap();
            for (k, (q, col)) in [
                ("0.01", 6),
                ("0.05", 7),
                ("0.25", 8),
                ("0.5", 9),
                ("0.75", 10),
                ("0.95", 11),
                ("0.99", 12),
            ]
            .iter()
            .enumerate()
            {
                let w = want["quantiles"][q].as_f64().unwrap();
                let tol = if k == 0 || k == 6 { 0.05 } else { 0.02 };
                rel_close(
                    row[*col].as_f64().unwrap(),
                    w,
                    tol,
                    &format!("{name} {o} q{q}"),
                );
            }
        }
    }
}

#[test]
fn fisher_statistics_over_twenty_seeds_match() {
    let stats = fixture("design_stats.json");
    let want = &stats["settings"]["D0_default"]["fisher"]["x1"];
    let seeds = 20;
    let mut eig = [0.0; 6];
    let mut prob = 0.0;
    let mut trace = 0.0;
    for seed in 0..seeds {
        let r = run_ok(&json!({"seed": 1000 + seed, "shear_definition": "amplitude_difference"}));
        let e = column(r.table_named("eigen_normalised").unwrap(), "eigenvalue");
        for k in 0..6 {
            eig[k] += e[k] / seeds as f64;
        }
        prob += r.scalar("probability_at_target").unwrap() / seeds as f64;
        trace += r.scalar("fisher_normalised_trace").unwrap() / seeds as f64;
        assert!(r.warnings.iter().any(|w| w.contains("sampling noise")));
        assert!(r.warnings.iter().any(|w| w.contains("rank")));
    }
    let se = |sd: f64| 3.0 * sd / (seeds as f64).sqrt();
    let m = floats(&want["eig_norm_top6_mean"]);
    let sd = floats(&want["eig_norm_top6_sd"]);
    for k in 0..6 {
        assert!(
            (eig[k] - m[k]).abs() <= se(sd[k]),
            "eigenvalue {k}: {} vs {} ± {}",
            eig[k],
            m[k],
            se(sd[k])
        );
    }
    let pm = want["P_at_default_target_mean"].as_f64().unwrap();
    let psd = want["P_at_default_target_sd"].as_f64().unwrap();
    assert!((prob - pm).abs() <= se(psd), "P {prob} vs {pm}");
    let tm = want["trace_norm_mean"].as_f64().unwrap();
    let tsd = want["trace_norm_sd"].as_f64().unwrap();
    assert!((trace - tm).abs() <= se(tsd), "trace {trace} vs {tm}");
}

#[test]
fn same_seed_same_result_on_any_thread_count() {
    let p = json!({"n_samples": 20_000, "seed": 42, "outputs": ["x1", "s2"]});
    let a = run_ok(&p);
    let one = common::on_threads(1, || run_ok(&p));
    let three = common::on_threads(3, || run_ok(&p));
    assert_eq!(a, one);
    assert_eq!(a, three);
    let mut q = p.clone();
    q["seed"] = json!(43);
    assert_ne!(run_ok(&q).scalars, a.scalars);
}

#[test]
fn six_outputs_and_drift_shears_work() {
    let r = run_ok(&json!({
        "outputs": ["x1", "x2", "x3", "s1", "s2", "s3"],
        "jpdf_points": 6,
        "n_samples": 2000,
    }));
    assert_eq!(r.scalar("jpdf_nodes"), Some(46_656.0));
    assert_eq!(r.scalar("n_parameters"), Some(20.0));
    let p = r.scalar("probability_at_target").unwrap();
    assert!((0.0..=1.0).contains(&p));
    // Drift shears are force amplitudes: never negative.
    for o in ["s1", "s2", "s3"] {
        assert!(r.scalar(&format!("{o}_q05_n")).unwrap() >= 0.0);
    }
    let e = column(r.table_named("eigen_raw").unwrap(), "eigenvalue");
    assert!(e.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(
        r.series
            .iter()
            .filter(|s| s.name.starts_with("histogram_"))
            .count(),
        6
    );
}

#[test]
fn fixed_inputs_and_zero_spread_outputs_warn_instead_of_failing() {
    // Only f1 random: x's vary, but with f2 = f3 = 0 … all outputs scale with f1.
    let all_fixed_but_f1 = json!({
        "inputs": {
            "k1": {"sd": 0}, "k2": {"sd": 0}, "k3": {"sd": 0}, "c1": {"sd": 0},
            "c2": {"distribution": "normal", "mean": 0.001, "sd": 0},
            "c3": {"distribution": "normal", "mean": 0.003, "sd": 0},
            "m1": {"sd": 0}, "m2": {"sd": 0}, "m3": {"sd": 0},
        },
        "n_samples": 500,
    });
    let r = run_ok(&all_fixed_but_f1);
    assert_eq!(r.scalar("n_parameters"), Some(2.0));
    // Nothing random: zero spread, no Fisher keys, warnings.
    let mut none = all_fixed_but_f1.clone();
    none["inputs"]["f1"] = json!({"sd": 0});
    let r = run_ok(&none);
    assert!(r.scalar("probability_at_target").is_none());
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("no spread") || w.contains("no input")));
    assert!(r.series_named("histogram_x1").is_none());
}

#[test]
fn cancelled_run_returns_cancelled() {
    let e = common::run_cancelled("design", &json!({"n_samples": 1_000_000}));
    assert_eq!(e, ToolError::Cancelled);
}
