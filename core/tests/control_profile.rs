//! `vibration-control` on a model profile (docs/measured.md §7: profiles are accepted by the
//! consumers of a model): the profile's chain replaces the rig's geometry model, and the tool
//! then reports the modes `modal` reports for the same profile; partial or bad profiles are
//! refused naming the field.

mod common;

use common::run_tool;
use serde_json::{json, Value};

/// The rig identified by model-update from the three measured files (docs/measured.md §7 example).
fn identified() -> Value {
    json!({
        "name": "identified rig",
        "masses_kg": [5.189, 4.914, 4.811],
        "stiffnesses_n_per_m": [39301.1, 46715.0, 37332.3],
        "dampings_ns_per_m": [4.917, 0.954, 0.120],
    })
}

#[test]
fn a_profile_gives_the_modes_modal_gives_for_it() {
    for strategy in ["passive", "tmd", "dvf", "lqg"] {
        let vc = run_tool(
            "vibration-control",
            &json!({"strategy": strategy, "profile": identified()}),
        )
        .unwrap();
        let modal = run_tool("modal", &json!({"profile": identified()})).unwrap();
        for k in 1..=3 {
            for key in [
                format!("natural_frequency_{k}_hz"),
                format!("damping_ratio_{k}_percent"),
            ] {
                let (a, b) = (vc.scalar(&key).unwrap(), modal.scalar(&key).unwrap());
                assert!(
                    (a - b).abs() <= 1e-9 * b.abs(),
                    "{strategy} {key}: {a} vs {b}"
                );
            }
        }
        assert!(
            vc.scalar("storey_stiffness_n_per_m").is_none(),
            "a chain has no single storey stiffness"
        );
        assert_eq!(
            vc.params["profile"]["masses_kg"],
            json!([5.189, 4.914, 4.811])
        );
    }
    // The geometry model is still the default, and a profile changes the answer.
    let rig = run_tool("vibration-control", &json!({"strategy": "tmd"})).unwrap();
    let prof = run_tool(
        "vibration-control",
        &json!({"strategy": "tmd", "profile": identified()}),
    )
    .unwrap();
    assert!(rig.scalar("storey_stiffness_n_per_m").is_some());
    let (a, b) = (
        rig.scalar("kinetic_energy_reduction_db").unwrap(),
        prof.scalar("kinetic_energy_reduction_db").unwrap(),
    );
    assert!(
        a.is_finite() && b.is_finite() && (a - b).abs() > 1e-3,
        "{a} vs {b}"
    );
}

#[test]
fn partial_or_bad_profiles_name_the_field() {
    let mut partial = identified();
    partial
        .as_object_mut()
        .unwrap()
        .remove("stiffnesses_n_per_m");
    for (profile, field) in [
        (partial, "profile.stiffnesses_n_per_m"),
        (
            json!({"masses_kg": [5.0, -1.0, 5.0], "stiffnesses_n_per_m": [1e4, 1e4, 1e4], "dampings_ns_per_m": [1.0, 1.0, 1.0]}),
            "profile.masses_kg",
        ),
        (
            json!({"masses_kg": [5.0, 5.0, 5.0], "stiffnesses_n_per_m": [1e4, 1e4, 1e4], "dampings_ns_per_m": [0.0, 0.0, 0.0]}),
            "profile.dampings_ns_per_m",
        ),
        (
            json!({"masses_kg": [5.0, 5.0], "stiffnesses_n_per_m": [1e4, 1e4, 1e4], "dampings_ns_per_m": [1.0, 1.0, 1.0]}),
            "profile.masses_kg",
        ),
        (json!({"colour": "red"}), "profile.colour"),
    ] {
        let err = run_tool("vibration-control", &json!({ "profile": profile }))
            .expect_err(&profile.to_string());
        assert_eq!(err.field(), Some(field), "{profile}: {err}");
    }
}
