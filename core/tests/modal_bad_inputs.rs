//! Every `modal`-relevant bad input of docs/simulator.md §7: the run fails with
//! `ToolError::InvalidParam` naming the offending field (dotted path for the profile).

mod common;

use cristallo_core::{run, Cancel, Progress};
use serde_json::{json, Value};

fn field_of(params: Value) -> String {
    common::field_of("modal", &params)
}

/// Asserts that each of `bad` as `profile.{key}` is refused naming that field.
fn assert_profile_refused(key: &str, bad: &[Value]) {
    for value in bad {
        assert_eq!(
            field_of(profile(key, value.clone())),
            format!("profile.{key}"),
            "{value}"
        );
    }
}

fn profile(key: &str, value: Value) -> Value {
    json!({ "profile": { key: value } })
}

#[test]
fn unknown_keys_are_named() {
    assert_eq!(
        field_of(profile("stiff1", json!(43295.9))),
        "profile.stiff1"
    );
    assert_eq!(field_of(json!({"stiff1": 1})), "stiff1");
    assert_eq!(field_of(json!({"force_flor": 1})), "force_flor");
    assert_eq!(field_of(profile("m1", json!(5))), "profile.m1");
}

#[test]
fn params_must_be_objects() {
    assert_eq!(field_of(json!([1, 2])), "params");
    assert_eq!(field_of(json!("modal")), "params");
    assert_eq!(field_of(json!({"profile": 3})), "profile");
    assert_eq!(field_of(json!({"profile": [5, 5, 5]})), "profile");
}

#[test]
fn force_floor_out_of_range() {
    for bad in [
        json!(0),
        json!(4),
        json!(-1),
        json!(1.5),
        json!("1"),
        json!(null),
    ] {
        assert_eq!(
            field_of(json!({ "force_floor": bad })),
            "force_floor",
            "{bad}"
        );
    }
}

#[test]
fn profile_arrays_must_have_three_values() {
    for key in ["masses_kg", "stiffnesses_n_per_m", "dampings_ns_per_m"] {
        for bad in [
            json!([]),
            json!([5]),
            json!([5, 5]),
            json!([5, 5, 5, 5]),
            json!(5),
            json!(null),
        ] {
            assert_eq!(
                field_of(profile(key, bad.clone())),
                format!("profile.{key}"),
                "{key} {bad}"
            );
        }
        assert_eq!(
            field_of(profile(key, json!([5, "5", 5]))),
            format!("profile.{key}")
        );
    }
}

#[test]
fn masses_must_be_positive_and_in_range() {
    assert_profile_refused(
        "masses_kg",
        &[
            json!([0, 5, 5]),
            json!([5, -1, 5]),
            json!([5, 5, 0.0005]),
            json!([5, 5, 1001]),
        ],
    );
}

#[test]
fn stiffnesses_must_be_positive_and_in_range() {
    assert_profile_refused(
        "stiffnesses_n_per_m",
        &[
            json!([0, 1, 1]),
            json!([1, -40000, 1]),
            json!([1, 1, 0.5]),
            json!([2e9, 1, 1]),
        ],
    );
}

#[test]
fn dampings_must_be_non_negative_and_not_all_zero() {
    assert_profile_refused(
        "dampings_ns_per_m",
        &[
            json!([-1, 5, 5]),
            json!([5, 5, -0.001]),
            json!([0, 0, 0]),
            json!([1e6, 0, 0]),
        ],
    );
    // One positive damper is enough.
    for ok in [json!([0, 0, 0.1]), json!([0, 3, 0]), json!([1e5, 0, 0])] {
        let params = profile("dampings_ns_per_m", ok.clone());
        assert!(
            run("modal", &params, &Progress::none(), &Cancel::new()).is_ok(),
            "{ok}"
        );
    }
}

#[test]
fn profile_texts_and_version() {
    assert_eq!(field_of(profile("name", json!(""))), "profile.name");
    assert_eq!(
        field_of(profile("name", json!("x".repeat(101)))),
        "profile.name"
    );
    assert_eq!(field_of(profile("name", json!(3))), "profile.name");
    assert_eq!(
        field_of(profile("source", json!("s".repeat(1001)))),
        "profile.source"
    );
    assert_eq!(
        field_of(profile("notes", json!("n".repeat(1001)))),
        "profile.notes"
    );
    assert_eq!(field_of(profile("version", json!(2))), "profile.version");
    assert_eq!(field_of(profile("version", json!(0))), "profile.version");
    assert_eq!(field_of(profile("version", json!("1"))), "profile.version");
    // Accepted and echoed.
    let r = run(
        "modal",
        &json!({"profile": {"version": 1, "notes": "n".repeat(1000), "source": "rig"}}),
        &Progress::none(),
        &Cancel::new(),
    )
    .expect("valid");
    assert_eq!(r.params["profile"]["version"], json!(1));
    assert_eq!(r.params["profile"]["source"], json!("rig"));
}

#[test]
fn stop_must_exceed_start() {
    assert_eq!(
        field_of(json!({"f_start_hz": 10, "f_stop_hz": 10})),
        "f_stop_hz"
    );
    assert_eq!(
        field_of(json!({"f_start_hz": 50, "f_stop_hz": 10})),
        "f_stop_hz"
    );
    assert_eq!(field_of(json!({"f_start_hz": 200})), "f_stop_hz");
}

#[test]
fn grid_bounds() {
    for bad in [json!(0), json!(-1), json!(10001), json!("1"), json!(null)] {
        assert_eq!(
            field_of(json!({ "f_start_hz": bad })),
            "f_start_hz",
            "{bad}"
        );
        assert_eq!(field_of(json!({ "f_stop_hz": bad })), "f_stop_hz", "{bad}");
    }
    for bad in [json!(0), json!(-0.01), json!(null)] {
        assert_eq!(field_of(json!({ "f_step_hz": bad })), "f_step_hz", "{bad}");
    }
}

#[test]
fn too_many_points() {
    // 1..10000 Hz at 1e-3 Hz: 9 999 001 points is allowed in principle; 1e-4 Hz is not.
    assert_eq!(
        field_of(json!({"f_start_hz": 1, "f_stop_hz": 10000, "f_step_hz": 1e-4})),
        "f_step_hz"
    );
    assert_eq!(
        field_of(json!({"f_start_hz": 0.001, "f_stop_hz": 10000, "f_step_hz": 1e-300})),
        "f_step_hz"
    );
}

#[test]
fn bad_frf_type() {
    for bad in [
        json!("inertance"),
        json!("Receptance"),
        json!(""),
        json!(1),
        json!(null),
    ] {
        assert_eq!(field_of(json!({ "frf_type": bad })), "frf_type", "{bad}");
    }
}

#[test]
fn bad_frequency_lists() {
    for bad in [
        json!([]),
        json!([0]),
        json!([1, 0, 2]),
        json!([-5]),
        json!([10000.5]),
        json!([1, "2"]),
        json!(5),
        json!("1,2"),
    ] {
        assert_eq!(
            field_of(json!({ "frequencies_hz": bad })),
            "frequencies_hz",
            "{bad}"
        );
    }
    let too_long: Vec<f64> = (1..=100_001).map(|i| i as f64 * 0.01).collect();
    assert_eq!(
        field_of(json!({ "frequencies_hz": too_long })),
        "frequencies_hz"
    );
}

#[test]
fn the_first_error_never_panics_on_odd_json() {
    for params in [
        json!({"profile": {"masses_kg": [1e308, 1e308, 1e308]}}),
        json!({"profile": {"masses_kg": [true, 5, 5]}}),
        json!({"profile": {"dampings_ns_per_m": [{"a": 1}, 0, 0]}}),
        json!({"profile": null, "force_floor": 1e300}),
    ] {
        let e = run("modal", &params, &Progress::none(), &Cancel::new()).unwrap_err();
        assert!(e.field().is_some(), "{params}: {e:?}");
    }
}
