//! Every bad input of docs/simulator.md §7 for `simulator`: the run fails with
//! `ToolError::InvalidParam` naming the field (nested fields as `profile.masses_kg`), never a
//! panic, a NaN or a result.

mod common;

use cristallo_core::{run, Cancel, Progress};
use serde_json::{json, Value};

fn field(params: Value) -> String {
    common::field_of("simulator", &params)
}

fn check(cases: &[(Value, &str)]) {
    for (params, want) in cases {
        assert_eq!(field(params.clone()), *want, "{params}");
    }
}

#[test]
fn grid_and_limits() {
    check(&[
        (json!({"duration_s": 0}), "duration_s"),
        (json!({"duration_s": -1}), "duration_s"),
        (json!({"duration_s": "5"}), "duration_s"),
        (json!({"duration_s": null}), "duration_s"),
        (json!({"duration_s": 3601}), "duration_s"),
        (
            json!({"duration_s": 0.007, "welch_segment_s": 0.005}),
            "duration_s",
        ),
        (json!({"sample_rate_hz": 15}), "sample_rate_hz"),
        (json!({"sample_rate_hz": 100001}), "sample_rate_hz"),
        (json!({"sample_rate_hz": "fast"}), "sample_rate_hz"),
        (json!({"time_grid": "log"}), "time_grid"),
        // S·n_scenarios > 20 000 000.
        (
            json!({"duration_s": 3600, "sample_rate_hz": 10000}),
            "duration_s",
        ),
        (
            json!({"duration_s": 100, "sample_rate_hz": 2048, "n_scenarios": 100}),
            "n_scenarios",
        ),
        (json!({"welch_segment_s": 6}), "welch_segment_s"),
        (json!({"welch_segment_s": 0.003}), "welch_segment_s"),
        (json!({"welch_segment_s": 0}), "welch_segment_s"),
        (json!({"peak_search_max_hz": 0}), "peak_search_max_hz"),
    ]);
}

#[test]
fn keys_choices_and_floors() {
    check(&[
        (json!({"stiff1": 40000}), "stiff1"),
        (json!({"profile": {"stiff1": 40000}}), "profile.stiff1"),
        (json!({"excitation": "white"}), "excitation"),
        (json!({"excitation": 3}), "excitation"),
        (json!({"response": "jerk"}), "response"),
        (json!({"sweep_type": "quadratic"}), "sweep_type"),
        (json!({"dispersion_unit": "ppm"}), "dispersion_unit"),
        (json!({"force_floor": 0}), "force_floor"),
        (json!({"force_floor": 4}), "force_floor"),
        (json!({"force_floor": 1.5}), "force_floor"),
        (json!([1, 2]), "params"),
    ]);
}

#[test]
fn profile() {
    check(&[
        (
            json!({"profile": {"masses_kg": [5, 5]}}),
            "profile.masses_kg",
        ),
        (
            json!({"profile": {"masses_kg": [5, 5, 5, 5]}}),
            "profile.masses_kg",
        ),
        (
            json!({"profile": {"masses_kg": [5, 0, 5]}}),
            "profile.masses_kg",
        ),
        (
            json!({"profile": {"masses_kg": [5, -1, 5]}}),
            "profile.masses_kg",
        ),
        (
            json!({"profile": {"stiffnesses_n_per_m": [0, 1, 1]}}),
            "profile.stiffnesses_n_per_m",
        ),
        (
            json!({"profile": {"stiffnesses_n_per_m": [1, 1, -5]}}),
            "profile.stiffnesses_n_per_m",
        ),
        (
            json!({"profile": {"dampings_ns_per_m": [1, -1, 1]}}),
            "profile.dampings_ns_per_m",
        ),
        (
            json!({"profile": {"dampings_ns_per_m": [0, 0, 0]}}),
            "profile.dampings_ns_per_m",
        ),
        (json!({"profile": {"name": ""}}), "profile.name"),
        (json!({"profile": 7}), "profile"),
        (
            json!({"initial_displacement_m": [0, 0]}),
            "initial_displacement_m",
        ),
        (
            json!({"initial_displacement_m": [0, 2, 0]}),
            "initial_displacement_m",
        ),
        (
            json!({"initial_velocity_m_per_s": [0, 0, 101]}),
            "initial_velocity_m_per_s",
        ),
    ]);
}

#[test]
fn monte_carlo() {
    check(&[
        (json!({"n_scenarios": 0}), "n_scenarios"),
        (json!({"n_scenarios": 1001}), "n_scenarios"),
        (json!({"mass_std": -0.1}), "mass_std"),
        (json!({"stiffness_std": -1}), "stiffness_std"),
        (json!({"damping_std": -1}), "damping_std"),
        (
            json!({"initial_displacement_std_m": -1}),
            "initial_displacement_std_m",
        ),
        (
            json!({"initial_velocity_std_m_per_s": -1}),
            "initial_velocity_std_m_per_s",
        ),
        (
            json!({"dispersion_unit": "percent", "mass_std": 51}),
            "mass_std",
        ),
        (
            json!({"dispersion_unit": "percent", "stiffness_std": 50.5}),
            "stiffness_std",
        ),
        (
            json!({"dispersion_unit": "percent", "damping_std": 101}),
            "damping_std",
        ),
        (json!({"seed": -1}), "seed"),
        (json!({"seed": 1.5}), "seed"),
        (json!({"seed": 9007199254740993.0_f64}), "seed"),
    ]);
    // Within the limits: accepted.
    let ok = run(
        "simulator",
        &json!({"dispersion_unit": "percent", "damping_std": 100, "n_scenarios": 2,
                "duration_s": 1.0}),
        &Progress::none(),
        &Cancel::new(),
    );
    assert!(ok.is_ok());
}

#[test]
fn excitations() {
    check(&[
        (
            json!({"excitation": "harmonic", "harmonic_frequency_hz": 1024}),
            "harmonic_frequency_hz",
        ),
        (
            json!({"excitation": "harmonic", "harmonic_frequency_hz": 0}),
            "harmonic_frequency_hz",
        ),
        (
            json!({"excitation": "harmonic", "sample_rate_hz": 16, "harmonic_frequency_hz": 8}),
            "harmonic_frequency_hz",
        ),
        (
            json!({"excitation": "noise", "noise_band_hz": [100, 10]}),
            "noise_band_hz",
        ),
        (
            json!({"excitation": "noise", "noise_band_hz": [10, 10]}),
            "noise_band_hz",
        ),
        (
            json!({"excitation": "noise", "noise_band_hz": [10, 1025]}),
            "noise_band_hz",
        ),
        // Bins every 0.2 Hz: none in [10.01, 10.1].
        (
            json!({"excitation": "noise", "noise_band_hz": [10.01, 10.1]}),
            "noise_band_hz",
        ),
        (
            json!({"excitation": "noise", "noise_band_hz": [1]}),
            "noise_band_hz",
        ),
        (
            json!({"excitation": "noise", "noise_band_hz": [-1, 5]}),
            "noise_band_hz",
        ),
        (
            json!({"excitation": "noise", "noise_rms_n": 0}),
            "noise_rms_n",
        ),
        (
            json!({"excitation": "sweep", "sweep_start_hz": 5, "sweep_end_hz": 5}),
            "sweep_end_hz",
        ),
        (
            json!({"excitation": "sweep", "sweep_end_hz": 1024}),
            "sweep_end_hz",
        ),
        (
            json!({"excitation": "sweep", "sweep_start_hz": 2000}),
            "sweep_start_hz",
        ),
        (
            json!({"excitation": "sweep", "sweep_amplitude_n": -1}),
            "sweep_amplitude_n",
        ),
        (json!({"excitation": "table"}), "force_table_n"),
        (
            json!({"excitation": "table", "force_table_n": null}),
            "force_table_n",
        ),
        (
            json!({"excitation": "table", "force_table_n": [1.0]}),
            "force_table_n",
        ),
        (
            json!({"excitation": "table", "force_table_n": []}),
            "force_table_n",
        ),
        (
            json!({"excitation": "table", "force_table_n": [1.0, "NaN", 2.0]}),
            "force_table_n",
        ),
        (
            json!({"excitation": "table", "force_table_n": [1.0, null]}),
            "force_table_n",
        ),
        (
            json!({"excitation": "table", "force_table_n": [1, 2], "force_table_dt_s": 0}),
            "force_table_dt_s",
        ),
        (json!({"hammer_peak_n": 0}), "hammer_peak_n"),
        (json!({"hammer_width_s": 1e-6}), "hammer_width_s"),
        (json!({"hammer_width_s": 2}), "hammer_width_s"),
        (json!({"pulse_time_s": -0.1}), "pulse_time_s"),
        (
            json!({"excitation": "impulse", "impulse_n_s": 0}),
            "impulse_n_s",
        ),
        (
            json!({"excitation": "impulse", "impulse_n_s": 1e6}),
            "impulse_n_s",
        ),
        (json!({"harmonic_amplitude_n": -3}), "harmonic_amplitude_n"),
    ]);
}

#[test]
fn unused_excitation_fields_do_not_block_a_run() {
    // The default noise band (up to 100 Hz) and harmonic frequency do not matter for a hammer
    // at 64 Hz sampling.
    let r = run(
        "simulator",
        &json!({"sample_rate_hz": 64, "duration_s": 4.0}),
        &Progress::none(),
        &Cancel::new(),
    )
    .unwrap();
    assert!(r.warnings.iter().any(|w| w.contains("clipped")));
    assert!(r.ensure_finite().is_ok());
}
