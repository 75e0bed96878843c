//! Golden, property and reproducibility tests of the `uncertainty` tool against the original
//! app's reference runs (fixtures in `fixtures/uncertainty/`, see the README there):
//!
//! - `unquant_nominal.json`: nominal FRF on the 350-point grid, excitation 1/2/3, abs 1e-8
//!   in log10 |X| (dB/20), natural frequencies;
//! - `unquant_cartesian.json`: diagonal-grid bands of S1–S4, abs 1e-8;
//! - `unquant_mc_seed0.json`: per-frequency Monte Carlo, seed 0, abs 1e-8 (MT19937 stream and
//!   draw order);
//! - `unquant_true_range.json`: every band is an inner bound (lo ≥ true_lo − 1e-6,
//!   hi ≤ true_hi + 1e-6 decades);
//! - `unquant_mc_convergence.json`: median upper gap of common-sample MC vs the true range.

mod common;

use common::nums as floats;
use cristallo_core::uncertainty::median;
use cristallo_core::{run, Cancel, Progress, ToolError, ToolResult};
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    common::fixture("uncertainty", name)
}

fn run_ok(params: &Value) -> ToolResult {
    common::run_ok("uncertainty", params)
}

fn scenario(name: &str) -> Value {
    fixture("unquant_params.json")["scenarios"][name].clone()
}

const SCENARIOS: [&str; 4] = [
    "S1_all10_exci2",
    "S2_all5_exci3",
    "S3_stiff20_exci1",
    "S4_mixed_exci2",
];

/// log10 |X| of a dB series.
fn log10_of(r: &ToolResult, name: &str) -> Vec<f64> {
    r.series_named(name)
        .unwrap_or_else(|| panic!("missing series {name}"))
        .y
        .iter()
        .map(|y| y / 20.0)
        .collect()
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn nominal_frf_matches_the_original() {
    let nom = fixture("unquant_nominal.json");
    let w = &nom["grid_rad_s"];
    let tau = std::f64::consts::TAU;
    let mut worst: f64 = 0.0;
    for exci in 1..=3 {
        let r = run_ok(&json!({
            "freq_min_hz": w["start"].as_f64().unwrap() / tau,
            "freq_max_hz": w["stop"].as_f64().unwrap() / tau,
            "n_freq": w["n"],
            "refine_peaks": false,
            "excitation_floor": exci,
            "mass_tolerance_percent": [0, 0, 0],
            "stiffness_tolerance_percent": [0, 0, 0],
            "damping_tolerance_percent": [0, 0, 0],
        }));
        assert_eq!(r.series.len(), 3);
        for i in 0..3 {
            let want = floats(&nom["log10_abs_X"][format!("exci{exci}")][i]);
            let got = log10_of(&r, &format!("floor_{}_nominal", i + 1));
            worst = worst.max(max_abs_diff(&got, &want));
        }
        for (n, want) in floats(&nom["natural_freq_Hz_if_rad_s"]).iter().enumerate() {
            let got = r
                .scalar(&format!("natural_frequency_{}_hz", n + 1))
                .unwrap();
            assert!((got - want).abs() < 1e-8 * want, "{got} vs {want}");
        }
        assert!(r
            .warnings
            .iter()
            .any(|w| w.contains("every tolerance is 0")));
    }
    assert!(worst < 1e-8, "nominal worst {worst}");
    eprintln!("nominal worst abs error (log10): {worst:.3e}");
}

#[test]
fn natural_frequencies_and_damping_of_the_spec() {
    let r = run_ok(&json!({}));
    for (n, (f, z)) in [
        (6.3206, 0.0717e-2),
        (17.9496, 0.1865e-2),
        (26.5097, 0.2250e-2),
    ]
    .iter()
    .enumerate()
    {
        let got_f = r
            .scalar(&format!("natural_frequency_{}_hz", n + 1))
            .unwrap();
        let got_z = r.scalar(&format!("damping_ratio_{}", n + 1)).unwrap();
        assert!((got_f - f).abs() < 1e-4, "{got_f}");
        assert!((got_z - z).abs() < 1e-6, "{got_z}");
        let lo = r
            .scalar(&format!("natural_frequency_{}_min_hz", n + 1))
            .unwrap();
        let hi = r
            .scalar(&format!("natural_frequency_{}_max_hz", n + 1))
            .unwrap();
        // ±10 % on k and m: f scales within sqrt(0.9/1.1) .. sqrt(1.1/0.9).
        assert!(lo < got_f && got_f < hi);
        assert!((lo / got_f - (0.9f64 / 1.1).sqrt()).abs() < 1e-9);
        assert!((hi / got_f - (1.1f64 / 0.9).sqrt()).abs() < 1e-9);
    }
    // 400 base points + 3 × 33 refinement points, all inside [0.5, 32] Hz.
    assert_eq!(r.scalar("n_freq_points"), Some(499.0));
    let names: Vec<&str> = r.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        &names[..9],
        [
            "floor_1_nominal",
            "floor_1_diagonal_grid_lower",
            "floor_1_diagonal_grid_upper",
            "floor_1_monte_carlo_lower",
            "floor_1_monte_carlo_upper",
            "floor_1_vertex_lower",
            "floor_1_vertex_upper",
            "floor_1_monte_carlo_q5",
            "floor_1_monte_carlo_q95",
        ]
    );
    assert_eq!(r.series.len(), 27);
    for key in [
        "diagonal_grid_max_width_db",
        "monte_carlo_max_width_db",
        "vertex_max_width_db",
        "monte_carlo_median_gap_upper_db",
        "monte_carlo_median_gap_lower_db",
    ] {
        assert!(r.scalar(key).unwrap() >= 0.0, "{key}");
    }
    let params = r.table_named("parameters").unwrap();
    assert_eq!(params.rows.len(), 9);
    assert_eq!(params.rows[3][0], json!("k1"));
    assert_eq!(r.table_named("modes").unwrap().rows.len(), 3);
    // Quantile curves lie inside the Monte-Carlo band.
    for i in 1..=3 {
        let lo = &r
            .series_named(&format!("floor_{i}_monte_carlo_lower"))
            .unwrap()
            .y;
        let hi = &r
            .series_named(&format!("floor_{i}_monte_carlo_upper"))
            .unwrap()
            .y;
        let q5 = &r
            .series_named(&format!("floor_{i}_monte_carlo_q5"))
            .unwrap()
            .y;
        let q95 = &r
            .series_named(&format!("floor_{i}_monte_carlo_q95"))
            .unwrap()
            .y;
        for j in 0..lo.len() {
            assert!(lo[j] <= q5[j] + 1e-12 && q5[j] <= q95[j] + 1e-12 && q95[j] <= hi[j] + 1e-12);
        }
    }
}

fn compare_bands(file: &str, method: &str) -> f64 {
    let reference = fixture(file);
    let mut worst: f64 = 0.0;
    for s in SCENARIOS {
        let r = run_ok(&scenario(s));
        let want = &reference["scenarios"][s];
        for i in 0..3 {
            for (side, key) in [("lower", "log10_lo"), ("upper", "log10_hi")] {
                let got = log10_of(&r, &format!("floor_{}_{method}_{side}", i + 1));
                let d = max_abs_diff(&got, &floats(&want[key][i]));
                assert!(d < 1e-8, "{s} floor {} {side}: {d}", i + 1);
                worst = worst.max(d);
            }
        }
    }
    worst
}

#[test]
fn diagonal_grid_matches_the_original_cartesian_bounds() {
    let worst = compare_bands("unquant_cartesian.json", "diagonal_grid");
    eprintln!("diagonal grid worst abs error (log10): {worst:.3e}");
}

#[test]
fn per_frequency_monte_carlo_reproduces_the_seeded_original() {
    let reference = fixture("unquant_mc_seed0.json");
    for s in SCENARIOS {
        assert_eq!(
            scenario(s)["mc_samples"],
            reference["scenarios"][s]["n_samples_per_freq"]
        );
    }
    let worst = compare_bands("unquant_mc_seed0.json", "monte_carlo");
    eprintln!("monte carlo worst abs error (log10): {worst:.3e}");
}

#[test]
fn every_band_is_an_inner_bound_of_the_true_range() {
    let truth = fixture("unquant_true_range.json");
    for s in SCENARIOS {
        let r = run_ok(&scenario(s));
        let t = &truth["scenarios"][s];
        for i in 0..3 {
            let tlo = floats(&t["log10_lo"][i]);
            let thi = floats(&t["log10_hi"][i]);
            for m in ["diagonal_grid", "monte_carlo", "vertex"] {
                let lo = log10_of(&r, &format!("floor_{}_{m}_lower", i + 1));
                let hi = log10_of(&r, &format!("floor_{}_{m}_upper", i + 1));
                for j in 0..lo.len() {
                    assert!(lo[j] >= tlo[j] - 1e-6, "{s} {m} floor {} lo at {j}", i + 1);
                    assert!(hi[j] <= thi[j] + 1e-6, "{s} {m} floor {} hi at {j}", i + 1);
                    assert!(lo[j] <= hi[j]);
                }
            }
        }
    }
}

#[test]
fn common_sample_monte_carlo_converges_like_the_reference() {
    let truth = fixture("unquant_true_range.json");
    let conv = fixture("unquant_mc_convergence.json");
    for s in ["S1_all10_exci2", "S3_stiff20_exci1"] {
        for n in [50, 1000] {
            let stats = &conv["scenarios"][s][format!("common_N{n}")];
            let want = stats["hi_median"].as_f64().unwrap();
            let sd = stats["hi_median_sd_over_seeds"].as_f64().unwrap();
            let mut p = scenario(s);
            p["mc_sampling"] = json!("common");
            p["mc_samples"] = json!(n);
            p["methods"] = json!(["monte_carlo"]);
            p["seed"] = json!(12345);
            let r = run_ok(&p);
            let mut gaps = Vec::new();
            for i in 0..3 {
                let thi = floats(&truth["scenarios"][s]["log10_hi"][i]);
                let hi = log10_of(&r, &format!("floor_{}_monte_carlo_upper", i + 1));
                gaps.extend(thi.iter().zip(&hi).map(|(t, h)| t - h));
            }
            let got = median(&mut gaps);
            let tol = (3.0 * sd).max(0.01);
            assert!(
                (got - want).abs() <= tol,
                "{s} N={n}: median gap {got} vs {want} ± {tol}"
            );
        }
    }
}

#[test]
fn same_seed_same_result_and_thread_count_does_not_matter() {
    let p = json!({"mc_samples": 5000, "methods": ["monte_carlo"], "n_freq": 60, "seed": 7});
    let a = run_ok(&p);
    let b = run_ok(&p);
    assert_eq!(a, b);
    let single = common::on_threads(1, || run_ok(&p));
    let three = common::on_threads(3, || run_ok(&p));
    assert_eq!(single, a);
    assert_eq!(three, a);
    let mut other = p.clone();
    other["seed"] = json!(8);
    assert_ne!(run_ok(&other).series, a.series);
    // per-frequency sampling as well
    let mut pf = p.clone();
    pf["mc_sampling"] = json!("per_frequency");
    let one = common::on_threads(1, || run_ok(&pf));
    assert_eq!(one, run_ok(&pf));
}

#[test]
fn coarse_grid_without_refinement_warns() {
    let r = run_ok(&json!({"refine_peaks": false, "n_freq": 50, "methods": ["vertex"]}));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("grid under-resolves mode 1")));
    assert_eq!(r.scalar("n_freq_points"), Some(50.0));
    assert!(r.scalar("monte_carlo_median_gap_upper_db").is_none());
}

#[test]
fn refinement_raises_the_resonance_peak() {
    let r = run_ok(&json!({"methods": ["vertex"]}));
    let coarse = run_ok(&json!({"methods": ["vertex"], "refine_peaks": false}));
    let peak = |r: &ToolResult| {
        r.series_named("floor_3_nominal")
            .unwrap()
            .y
            .iter()
            .copied()
            .fold(f64::MIN, f64::max)
    };
    assert!(peak(&r) > peak(&coarse) + 1.0);
}

#[test]
fn the_rig_profile_can_replace_the_building_model() {
    let r = run_ok(&json!({"use_profile": true, "methods": ["vertex"], "freq_max_hz": 40}));
    let f1 = r.scalar("natural_frequency_1_hz").unwrap();
    assert!((f1 - 6.2).abs() < 0.2, "{f1}");
}

#[test]
fn cancelled_run_returns_cancelled() {
    let cancel = Cancel::new();
    let c2 = cancel.clone();
    let progress = Progress::new(move |f, _| {
        if f > 0.0 {
            c2.cancel();
        }
    });
    let e = run(
        "uncertainty",
        &json!({"mc_samples": 1_000_000, "methods": ["monte_carlo"]}),
        &progress,
        &cancel,
    )
    .unwrap_err();
    assert_eq!(e, ToolError::Cancelled);
}
