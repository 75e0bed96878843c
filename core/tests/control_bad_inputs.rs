//! Bad and odd inputs of `vibration-control` (docs/control.md §7): every validation error names
//! its field; valid-but-dubious inputs give warnings, never NaN.

mod common;

use serde_json::{json, Value};

use cristallo_core::control::care::care;
use cristallo_core::control::ControlError;
use cristallo_core::{ToolError, ToolResult};

fn run_tool(params: &Value) -> Result<ToolResult, ToolError> {
    common::run_tool("vibration-control", params)
}

fn field_of(params: Value) -> String {
    common::field_of("vibration-control", &params)
}

#[test]
fn unknown_keys_of_the_original_are_rejected() {
    assert_eq!(field_of(json!({"gain": 5})), "gain");
    assert_eq!(field_of(json!({"controltype": "active"})), "controltype");
    assert_eq!(
        field_of(json!({"strategy": "dvf", "controllocation": "1"})),
        "controllocation"
    );
}

#[test]
fn strategy_must_be_one_of_five() {
    assert_eq!(field_of(json!({"strategy": "active"})), "strategy");
    assert_eq!(field_of(json!({"strategy": "DVF"})), "strategy");
    assert_eq!(field_of(json!({"strategy": 1})), "strategy");
    for s in ["passive", "tmd", "dvf", "dvf_ec", "lqg"] {
        assert!(run_tool(&json!({ "strategy": s })).is_ok(), "{s}");
    }
}

#[test]
fn floor_must_be_1_2_or_3() {
    for bad in [
        json!(0),
        json!(4),
        json!(1.5),
        json!("1"),
        json!(null),
        json!(-1),
    ] {
        assert_eq!(field_of(json!({ "floor": bad })), "floor", "{bad}");
    }
    // 2.0 is the integer 2 and is echoed as such.
    let r = run_tool(&json!({"floor": 2.0})).unwrap();
    assert_eq!(r.params["floor"], json!(2));
}

#[test]
fn device_parameters_out_of_range() {
    for (key, bad) in [
        ("proof_mass_kg", 0.0),
        ("proof_mass_kg", -1.0),
        ("proof_mass_kg", 10.5),
        ("stiffness_n_per_m", 0.0),
        ("stiffness_n_per_m", -100.0),
        ("base_mass_kg", -0.1),
        ("damping_ns_per_m", -1.0),
        ("force_factor_n_per_a", 0.0),
        ("coil_resistance_ohm", -1.0),
        ("gain_a_s_per_m", -1.0),
        ("comp_pole_freq_hz", 0.0),
        ("comp_pole_freq_hz", -2.0),
        ("comp_pole_damping_percent", 0.0),
        ("comp_zero_freq_hz", 0.0),
        ("comp_zero_damping_percent", -1.0),
        ("kalman_measurement_noise", 0.0),
        ("kalman_process_noise", 0.0),
        ("lqr_input_weight", 0.0),
        ("lqr_state_weight", 0.0),
        ("lqr_state_weight", 1e10),
    ] {
        // Every field is validated whatever the strategy.
        for strategy in ["passive", "lqg"] {
            assert_eq!(
                field_of(json!({ "strategy": strategy, key: bad })),
                key,
                "{key} = {bad}"
            );
        }
    }
}

#[test]
fn non_numbers_and_huge_numbers_are_rejected() {
    assert_eq!(
        field_of(json!({"stiffness_n_per_m": "abc"})),
        "stiffness_n_per_m"
    );
    assert_eq!(field_of(json!({"base_mass_kg": ""})), "base_mass_kg");
    assert_eq!(field_of(json!({"proof_mass_kg": null})), "proof_mass_kg");
    assert_eq!(field_of(json!({"gain_a_s_per_m": 1e308})), "gain_a_s_per_m");
    assert_eq!(
        field_of(json!({"damping_ns_per_m": [1.0]})),
        "damping_ns_per_m"
    );
    // serde_json cannot even build NaN/inf values: the JSON text is rejected before us.
    assert!(serde_json::from_str::<Value>(r#"{"gain_a_s_per_m": NaN}"#).is_err());
    assert_eq!(field_of(json!([1, 2])), "params");
}

#[test]
fn null_compensator_zero_is_allowed_and_resolved() {
    let r = run_tool(&json!({"strategy": "dvf_ec", "comp_zero_freq_hz": null,
        "comp_zero_damping_percent": null}))
    .unwrap();
    assert!(r.params["comp_zero_freq_hz"].as_f64().unwrap() > 6.5);
    assert!(r.params["comp_zero_damping_percent"].as_f64().unwrap() > 6.1);
}

#[test]
fn zero_gain_is_valid_with_a_warning_and_no_margins() {
    let r = run_tool(&json!({"strategy": "dvf", "gain_a_s_per_m": 0.0})).unwrap();
    assert!(
        r.warnings.iter().any(|w| w.contains("passive TMD")),
        "{:?}",
        r.warnings
    );
    for key in [
        "gain_margin_db",
        "gain_margin_frequency_hz",
        "phase_margin_deg",
        "phase_margin_frequency_hz",
    ] {
        assert!(r.scalar(key).is_none(), "{key}");
    }
    for name in ["nyquist", "open_loop_magnitude_db", "open_loop_phase_deg"] {
        assert!(r.series_named(name).is_none(), "{name}");
    }
    assert_eq!(r.scalar("closed_loop_stable"), Some(1.0));
    assert!(r.scalar("kinetic_energy_reduction_db").unwrap() > 4.0);
}

#[test]
fn unstable_loop_is_a_valid_result_without_reduction() {
    for params in [
        json!({"strategy": "dvf", "floor": 3}),
        json!({"strategy": "dvf", "gain_a_s_per_m": 50.0}),
        json!({"strategy": "dvf_ec", "floor": 2, "gain_a_s_per_m": 100.0}),
    ] {
        let r = run_tool(&params).unwrap();
        assert_eq!(r.scalar("closed_loop_stable"), Some(0.0), "{params}");
        assert!(r.scalar("max_closed_loop_pole_real_part_1_per_s").unwrap() > 0.0);
        assert!(
            r.warnings.iter().any(|w| w.contains("unstable")),
            "{params}"
        );
        for key in [
            "kinetic_energy_reduction_db",
            "integrated_kinetic_energy_controlled_j_rad_per_s",
            "max_kinetic_energy_controlled_db",
            "max_control_force_n",
            "max_coil_current_a",
            "max_electrical_power_w",
            "band_mean_electrical_power_w",
        ] {
            assert!(r.scalar(key).is_none(), "{params}: {key}");
        }
        assert!(r.series_named("ke_controlled").is_none());
        assert!(r.scalar("gain_margin_db").unwrap() < 0.0, "{params}");
    }
}

#[test]
fn extreme_but_valid_inputs_stay_finite() {
    for params in [
        json!({"strategy": "tmd", "damping_ns_per_m": 0.0, "base_mass_kg": 0.0}),
        json!({"strategy": "tmd", "stiffness_n_per_m": 1e6, "proof_mass_kg": 1e-3}),
        json!({"strategy": "dvf", "damping_ns_per_m": 1000.0, "proof_mass_kg": 0.01}),
        json!({"strategy": "dvf_ec", "comp_zero_damping_percent": 0.0, "gain_a_s_per_m": 1000.0}),
        json!({"strategy": "dvf", "gain_a_s_per_m": 1000.0, "floor": 3}),
        json!({"strategy": "lqg", "kalman_measurement_noise": 1e-12}),
        json!({"strategy": "lqg", "kalman_measurement_noise": 1.0, "floor": 3}),
        json!({"strategy": "lqg", "lqr_input_weight": 1e-9}),
        json!({"strategy": "lqg", "lqr_input_weight": 1e6, "lqr_state_weight": 1e-6}),
    ] {
        // Either a finite result (checked by `run`) or a computation error, never a panic.
        match run_tool(&params) {
            Ok(r) => assert!(r.ensure_finite().is_ok()),
            Err(e) => assert!(
                matches!(e, ToolError::ComputationFailed { .. }),
                "{params}: {e}"
            ),
        }
    }
}

#[test]
fn fast_estimator_is_flagged() {
    let r = run_tool(&json!({"strategy": "lqg", "kalman_measurement_noise": 1e-12})).unwrap();
    assert!(
        r.warnings.iter().any(|w| w.contains("fast estimator")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn riccati_failure_is_an_error_not_a_panic() {
    use nalgebra::DMatrix;
    // A = 1 (unstable), B = 0: no stabilising solution exists.
    let a = DMatrix::from_element(1, 1, 1.0);
    let g = DMatrix::from_element(1, 1, 0.0);
    let q = DMatrix::from_element(1, 1, 1.0);
    let e = care(&a, &g, &q).unwrap_err();
    assert!(matches!(e, ControlError::Riccati(_)), "{e}");
    assert!(e.to_string().starts_with("LQG design failed"));
    let te: ToolError = e.into();
    assert!(matches!(te, ToolError::ComputationFailed { .. }));
}
