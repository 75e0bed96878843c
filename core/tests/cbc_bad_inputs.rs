//! Every row of docs/cbc.md §7 "bad inputs and suspicious results": validation errors name the
//! dotted field; run-time problems give warnings and partial results, never NaN.

mod common;

use cristallo_core::cbc::exact::{exact_curve, CurveKind};
use cristallo_core::cbc::model::Structure;
use cristallo_core::cbc::sweep::sweep;
use cristallo_core::{run, Cancel, Progress, ToolResult};
use serde_json::{json, Value};

fn field_of(params: Value) -> String {
    common::field_of("cbc", &params)
}

fn run_ok(params: Value) -> ToolResult {
    common::run_ok("cbc", &params)
}

#[test]
fn unknown_keys_are_named() {
    for key in ["kp", "F0", "om0", "profile", "A_max"] {
        assert_eq!(field_of(json!({ key: 1 })), key);
    }
}

#[test]
fn mode_and_curve_must_be_listed() {
    for bad in [json!("sweep"), json!(""), json!(1), json!(null)] {
        assert_eq!(field_of(json!({ "mode": bad })), "mode", "{bad}");
        assert_eq!(field_of(json!({ "curve": bad })), "curve", "{bad}");
    }
}

#[test]
fn per_floor_arrays_need_three_numbers() {
    for key in ["masses_kg", "stiffnesses_n_per_m", "dampings_ns_per_m"] {
        for bad in [
            json!([1.0, 1.0]),
            json!([1.0, 1.0, 1.0, 1.0]),
            json!([1.0, "1", 1.0]),
            json!([1.0, null, 1.0]),
            json!(1.0),
            json!(null),
        ] {
            assert_eq!(field_of(json!({ key: bad })), key, "{key} {bad}");
        }
    }
}

#[test]
fn masses_stiffnesses_and_dampings_must_be_positive() {
    for key in ["masses_kg", "stiffnesses_n_per_m", "dampings_ns_per_m"] {
        for bad in [
            json!([0.2, 0.0, 0.2]),
            json!([-0.2, 0.2, 0.2]),
            json!([0.2, 0.2, -1e-9]),
        ] {
            assert_eq!(field_of(json!({ key: bad })), key, "{key} {bad}");
        }
    }
    assert_eq!(field_of(json!({"masses_kg": [0.2, 0.2, 2e3]})), "masses_kg");
}

#[test]
fn softening_cubic_spring_is_rejected() {
    assert_eq!(
        field_of(json!({"cubic_stiffness_n_per_m3": -1.0})),
        "cubic_stiffness_n_per_m3"
    );
    assert_eq!(
        field_of(json!({"cubic_stiffness_n_per_m3": 2e7})),
        "cubic_stiffness_n_per_m3"
    );
}

#[test]
fn ranges_must_be_increasing_and_name_the_min_field() {
    for (lo, hi) in [(50.0, 50.0), (60.0, 50.0)] {
        assert_eq!(
            field_of(json!({"frequency_min_rad_s": lo, "frequency_max_rad_s": hi})),
            "frequency_min_rad_s"
        );
    }
    for (lo, hi) in [(80.0, 80.0), (90.0, 80.0)] {
        assert_eq!(
            field_of(json!({"forcing_min_n": lo, "forcing_max_n": hi})),
            "forcing_min_n"
        );
    }
    // Checked even when the mode does not use the range.
    assert_eq!(
        field_of(json!({"mode": "exact", "curve": "s_curve", "frequency_min_rad_s": 60.0})),
        "frequency_min_rad_s"
    );
}

#[test]
fn counts_must_be_integers_in_range() {
    let cases: [(&str, &[Value]); 5] = [
        (
            "frequency_points",
            &[json!(1), json!(5001), json!(2.5), json!("200")],
        ),
        (
            "forcing_points",
            &[json!(1), json!(5001), json!(40.5), json!(null)],
        ),
        ("cbc_points", &[json!(2), json!(5001), json!(99.9)]),
        ("target_harmonics", &[json!(0), json!(65), json!(7.5)]),
        ("cbc_max_iterations", &[json!(0), json!(501), json!(1.5)]),
    ];
    for (key, bads) in cases {
        for bad in bads {
            assert_eq!(field_of(json!({ key: bad })), key, "{key} {bad}");
        }
    }
}

#[test]
fn gains_must_be_non_negative_and_not_both_zero() {
    assert_eq!(field_of(json!({"kp_n_per_m": -1.0})), "kp_n_per_m");
    assert_eq!(field_of(json!({"kd_ns_per_m": -0.1})), "kd_ns_per_m");
    assert_eq!(
        field_of(json!({"kp_n_per_m": 0.0, "kd_ns_per_m": 0.0})),
        "kp_n_per_m"
    );
}

#[test]
fn other_ranges_name_their_field() {
    for (key, bad) in [
        ("forcing_n", json!(0.0)),
        ("omega_rad_s", json!(0.05)),
        ("omega_rad_s", json!(1001.0)),
        ("amplitude_max_m", json!(0.0)),
        ("cbc_tol_n", json!(0.0)),
        ("cbc_tol_n", json!(2.0)),
        ("forcing_min_n", json!(-1.0)),
    ] {
        assert_eq!(field_of(json!({ key: bad })), key, "{key} {bad}");
    }
}

#[test]
fn amplitude_max_below_the_seed_names_it_with_the_seed_amplitude() {
    let e = run(
        "cbc",
        &json!({"amplitude_max_m": 0.005}),
        &Progress::none(),
        &Cancel::new(),
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("amplitude_max_m"));
    assert!(e.to_string().contains("0.006608"), "{e}");
}

#[test]
fn weak_gains_on_the_unstable_branch_give_unconverged_points_and_a_partial_result() {
    // kp = 0 and a tiny kd barely act: on the unstable middle branch the closed loop is
    // unstable, every point there is unconverged, and the run stops after 5 in a row.
    let r = run_ok(json!({
        "kp_n_per_m": 0.0, "kd_ns_per_m": 1e-3, "cbc_points": 20, "amplitude_max_m": 0.88
    }));
    let total = r.scalar("points_total").unwrap();
    let converged = r.scalar("points_converged").unwrap();
    assert!(total < 20.0, "{total}");
    assert!(converged < total);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("kp = 0 N/m") && w.contains("kd = 0.001")),
        "{:?}",
        r.warnings
    );
    assert!(
        r.warnings.iter().any(
            |w| w.contains("of") && w.contains("CBC points did not converge (largest residual")
        ),
        "{:?}",
        r.warnings
    );
    assert!(r.warnings.iter().any(|w| w.contains("consecutive")));
    // Unconverged points stay in the table, flagged, and out of the series.
    let t = r.table_named("branch").unwrap();
    let flags: Vec<bool> = t.rows.iter().map(|row| row[9].as_bool().unwrap()).collect();
    assert_eq!(flags.iter().filter(|f| **f).count() as f64, converged);
    assert_eq!(
        r.series_named("branch_amplitude_1").unwrap().x.len() as f64,
        converged
    );
    assert!(r.ensure_finite().is_ok());
}

#[test]
fn runaway_amplitudes_stop_with_a_warning_not_nan() {
    // Linear structure forced at resonance with 10 kN: amplitudes far beyond 1e3 m.
    let r = run_ok(json!({
        "mode": "exact", "cubic_stiffness_n_per_m3": 0.0, "omega_rad_s": 14.07346,
        "forcing_min_n": 1e4, "forcing_max_n": 1e5
    }));
    assert!(
        r.warnings.iter().any(|w| w.contains("1e3 m")),
        "{:?}",
        r.warnings
    );
    assert!(r.ensure_finite().is_ok());
    let r = run_ok(json!({
        "mode": "amplitude_sweep", "cubic_stiffness_n_per_m3": 0.0, "omega_rad_s": 14.07346,
        "forcing_min_n": 1e4, "forcing_max_n": 1e5, "forcing_points": 3
    }));
    assert!(
        r.warnings.iter().any(|w| w.contains("1e3 m")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn sweep_points_that_never_settle_are_flagged() {
    // The tool gives a transient 5000 periods; with 100 the transient after the jump at the
    // upper fold (decay time about 50 periods) is still far above 1e-6.
    let kind = CurveKind::Forcing { omega_rad_s: 16.0 };
    let grid = [1.0, 60.0];
    let out = sweep(
        Structure::default(),
        kind,
        &grid,
        100,
        &Cancel::new(),
        &mut |_, _, _| {},
    )
    .unwrap();
    assert_eq!(out.up_jumps, [30.5]);
    assert!(out.up[1].jumped && !out.up[1].settled);
    assert!(out.up[1].amplitudes.fundamental_m[0] > 0.5);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("did not settle within 100 periods")),
        "{:?}",
        out.warnings
    );
    // Through the tool the same count reaches `unsettled_points` and the `settled` column.
    let r = run_ok(json!({"mode": "amplitude_sweep", "forcing_points": 2,
                          "forcing_min_n": 1.0, "forcing_max_n": 60.0}));
    assert_eq!(r.scalar("unsettled_points"), Some(0.0));
    assert_eq!(r.table_named("up").unwrap().rows[1][9], json!(true));
}

#[test]
fn exact_point_limit_gives_a_partial_curve_with_a_warning() {
    let kind = CurveKind::Forcing { omega_rad_s: 16.0 };
    let curve = exact_curve(
        Structure::default(),
        kind,
        1.0,
        80.0,
        5,
        &Cancel::new(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(curve.points.len(), 5);
    assert!(curve.warnings.iter().any(|w| w.contains("partial")));
}

#[test]
fn few_target_harmonics_warn_that_the_control_stays_invasive() {
    let r = run_ok(json!({"target_harmonics": 3, "cbc_points": 3, "amplitude_max_m": 0.05}));
    assert!(
        r.warnings.iter().any(|w| w.contains("invasive")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn overlay_exact_must_be_a_boolean() {
    for bad in [json!("yes"), json!(1), json!(null)] {
        assert_eq!(
            field_of(json!({ "overlay_exact": bad })),
            "overlay_exact",
            "{bad}"
        );
    }
}

#[test]
fn experiments_carry_the_exact_curve_underneath_unless_turned_off() {
    // The default range (1–80 N at 16 rad/s) holds both folds of the S-curve.
    let sweep = json!({"mode": "amplitude_sweep", "forcing_points": 4});
    let with = run_ok(sweep.clone());
    let exact = run_ok(json!({"mode": "exact"}));
    for k in 1..=3 {
        let name = format!("exact_amplitude_{k}");
        let overlay = with
            .series_named(&name)
            .expect("the overlay is there by default");
        assert_eq!(Some(overlay), exact.series_named(&name), "{name}");
    }
    // Its unstable stretch lies between the folds of the exact run.
    let stretch = with
        .series_named("exact_unstable_amplitude_1_segment_1")
        .expect("the S-curve has an unstable stretch");
    let fold = |k: usize| exact.scalar(&format!("fold_{k}_forcing_n")).unwrap();
    let (lo, hi) = (fold(1).min(fold(2)), fold(1).max(fold(2)));
    assert!(
        stretch.x.iter().all(|&p| p >= lo * 0.95 && p <= hi * 1.05),
        "{lo}..{hi}"
    );
    let mut off = sweep;
    off["overlay_exact"] = json!(false);
    let without = run_ok(off);
    assert!(without.series.iter().all(|s| !s.name.starts_with("exact")));
}

#[test]
fn a_model_profile_replaces_the_structure_and_partial_ones_are_refused() {
    let profile = json!({
        "name": "stiffer",
        "masses_kg": [0.25, 0.2, 0.2],
        "stiffnesses_n_per_m": [300.0, 200.0, 200.0],
        "dampings_ns_per_m": [0.1, 0.1, 0.1],
    });
    let exact = json!({"mode": "exact", "profile": profile});
    let r = run_ok(exact);
    assert_eq!(
        r.params["masses_kg"],
        json!([0.25, 0.2, 0.2]),
        "echo shows the profile"
    );
    let by_hand = run_ok(json!({
        "mode": "exact",
        "masses_kg": [0.25, 0.2, 0.2],
        "stiffnesses_n_per_m": [300.0, 200.0, 200.0],
    }));
    assert_eq!(
        r.scalar("linear_natural_frequency_1_rad_s"),
        by_hand.scalar("linear_natural_frequency_1_rad_s")
    );
    assert_eq!(
        r.series_named("exact_amplitude_1"),
        by_hand.series_named("exact_amplitude_1")
    );
    assert_eq!(
        field_of(json!({"profile": {"masses_kg": [0.2, 0.2, 0.2]}})),
        "profile.stiffnesses_n_per_m"
    );
    assert_eq!(
        field_of(json!({"profile": {
            "masses_kg": [0.2, 0.2, 0.2],
            "stiffnesses_n_per_m": [200.0, 200.0, 200.0],
            "dampings_ns_per_m": [0.0, 0.0, 0.0],
        }})),
        "profile.dampings_ns_per_m"
    );
}
