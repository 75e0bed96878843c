//! Laws of docs/cbc.md §9 that hold for any structure, plus the live-progress and cancellation
//! contract (§4.3 item 7, §8):
//! (a) with s13 = 0 the exact S-curve is the line A1 = |receptance_11(ω)|·Φ (direct 3×3
//!     complex solve, 1e-8 relative), without folds, and the up and down sweeps coincide;
//! (b) at convergence the CBC control is non-invasive: invasiveness_n ≤ 1e-3·Φ;
//! (c) the same parameters give bit-identical results.

mod common;

use std::sync::{Arc, Mutex};

use nalgebra::Matrix3;
use num_complex::Complex64;
use serde_json::{json, Value};

use common::column;
use cristallo_core::{run, Cancel, Progress, Series, ToolError, ToolResult};

/// One progress report: fraction, message, live data.
type ProgressEvent = (f64, String, Option<Vec<Series>>);

fn run_ok(params: &Value) -> ToolResult {
    common::run_ok("cbc", params)
}

fn numbers(v: &[Value]) -> Vec<f64> {
    v.iter().map(|x| x.as_f64().unwrap()).collect()
}

/// |X1/F1| of M ẍ + B ẋ + S x = e1 F at ω, by a direct complex solve.
fn receptance_11(m: [f64; 3], s: [f64; 3], b: [f64; 3], omega: f64) -> f64 {
    let (sm, bm) = (
        cristallo_core::lumped::chain_matrix(&s),
        cristallo_core::lumped::chain_matrix(&b),
    );
    let d = Matrix3::from_fn(|r, c| {
        let mass = if r == c { m[r] } else { 0.0 };
        Complex64::new(sm[(r, c)] - omega * omega * mass, omega * bm[(r, c)])
    });
    d.try_inverse().unwrap()[(0, 0)].norm()
}

#[test]
fn linear_structure_s_curve_is_the_receptance_line() {
    let (m, s, b) = ([0.3, 0.2, 0.25], [250.0, 200.0, 150.0], [0.2, 0.1, 0.15]);
    let omega = 16.0;
    let r = run_ok(&json!({
        "mode": "exact", "masses_kg": m, "stiffnesses_n_per_m": s, "dampings_ns_per_m": b,
        "cubic_stiffness_n_per_m3": 0.0, "omega_rad_s": omega,
        "forcing_min_n": 1.0, "forcing_max_n": 4.0
    }));
    let slope = receptance_11(m, s, b, omega);
    let phi = numbers(&column(&r, "branch", "forcing_n"));
    let a1 = numbers(&column(&r, "branch", "amplitude_1_m"));
    assert!(phi.len() > 10);
    let mut worst: f64 = 0.0;
    for (p, a) in phi.iter().zip(&a1) {
        worst = worst.max((a / p - slope).abs() / slope);
    }
    assert!(worst <= 1e-8, "worst relative deviation {worst:e}");
    assert!((phi[0] - 1.0).abs() < 1e-12 && (phi[phi.len() - 1] - 4.0).abs() < 1e-9);
    assert_eq!(r.scalar("fold_count"), Some(0.0));
    assert_eq!(r.scalar("stable_points"), Some(phi.len() as f64));
}

#[test]
fn linear_structure_sweeps_coincide_up_and_down() {
    for (mode, key) in [
        ("amplitude_sweep", "forcing_n"),
        ("frequency_sweep", "frequency_rad_s"),
    ] {
        let r = run_ok(&json!({
            "mode": mode, "cubic_stiffness_n_per_m3": 0.0, "forcing_points": 6,
            "frequency_points": 6, "frequency_min_rad_s": 10.0, "frequency_max_rad_s": 20.0
        }));
        let up = numbers(&column(&r, "up", "amplitude_1_m"));
        let mut down = numbers(&column(&r, "down", "amplitude_1_m"));
        down.reverse();
        let (pu, mut pd) = (
            numbers(&column(&r, "up", key)),
            numbers(&column(&r, "down", key)),
        );
        pd.reverse();
        assert_eq!(pu, pd, "{mode}: the down grid is the up grid reversed");
        for (u, d) in up.iter().zip(&down) {
            assert!((u - d).abs() <= 1e-8 * u.abs(), "{mode}: {u} vs {d}");
        }
        assert_eq!(r.scalar("up_jump_count"), Some(0.0));
        assert_eq!(r.scalar("down_jump_count"), Some(0.0));
        assert_eq!(r.scalar("unsettled_points"), Some(0.0));
    }
}

#[test]
fn converged_cbc_points_are_non_invasive() {
    let r = run_ok(&json!({"cbc_points": 6, "amplitude_max_m": 0.4}));
    let phi = numbers(&column(&r, "branch", "forcing_n"));
    let inv = numbers(&column(&r, "branch", "invasiveness_n"));
    let conv = column(&r, "branch", "converged");
    assert_eq!(r.scalar("points_converged"), Some(6.0));
    for ((p, i), c) in phi.iter().zip(&inv).zip(&conv) {
        assert_eq!(c, &json!(true));
        assert!(*i <= 1e-3 * p, "invasiveness {i} N at Φ = {p} N");
    }
    // On the lower branch the S-curve's Φ grows with A1.
    assert!(phi.windows(2).all(|w| w[1] > w[0]));
}

#[test]
fn same_parameters_give_bit_identical_results() {
    for params in [
        json!({"mode": "amplitude_sweep", "forcing_points": 4, "forcing_max_n": 20.0}),
        json!({"cbc_points": 3, "amplitude_max_m": 0.1}),
    ] {
        let a = serde_json::to_string(&run_ok(&params)).unwrap();
        let b = serde_json::to_string(&run_ok(&params)).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn every_point_is_streamed_with_the_progress() {
    let events: Arc<Mutex<Vec<ProgressEvent>>> = Arc::default();
    let sink = events.clone();
    let progress = Progress::with_points(move |f, m, d| {
        sink.lock()
            .unwrap()
            .push((f, m.to_string(), d.map(<[_]>::to_vec)))
    });
    let params = json!({"mode": "amplitude_sweep", "forcing_points": 4, "forcing_max_n": 20.0});
    let r = run("cbc", &params, &progress, &Cancel::new()).unwrap();
    let events = events.lock().unwrap();
    let mut streamed: Vec<(String, f64, f64)> = Vec::new();
    for points in events.iter().filter_map(|(_, _, d)| d.as_ref()) {
        for s in points {
            assert_eq!(
                (s.x.len(), s.y.len()),
                (1, 1),
                "one point per series and event"
            );
            streamed.push((s.name.clone(), s.x[0], s.y[0]));
        }
    }
    // The unstable stretches repeat points of the exact curve, which is streamed whole.
    for s in r
        .series
        .iter()
        .filter(|s| !s.name.starts_with("exact_unstable_"))
    {
        let got: Vec<(f64, f64)> = streamed
            .iter()
            .filter(|(name, _, _)| *name == s.name)
            .map(|(_, x, y)| (*x, *y))
            .collect();
        let want: Vec<(f64, f64)> = s.x.iter().copied().zip(s.y.iter().copied()).collect();
        assert_eq!(got, want, "series {}", s.name);
    }
    let fractions: Vec<f64> = events.iter().map(|e| e.0).collect();
    assert!(fractions.windows(2).all(|w| w[1] >= w[0]));
    assert_eq!(fractions.last(), Some(&1.0));
    assert!(events.iter().any(|e| e.1.contains("up sweep")));
}

#[test]
fn cancellation_is_honoured_during_a_run() {
    for params in [
        json!({}),
        json!({"mode": "exact"}),
        json!({"mode": "frequency_sweep"}),
    ] {
        let cancel = Cancel::new();
        let c = cancel.clone();
        let progress = Progress::new(move |_, _| c.cancel());
        let e = run("cbc", &params, &progress, &cancel).unwrap_err();
        assert_eq!(e, ToolError::Cancelled, "{params}");
    }
}
