//! Every bad input of docs/uncertainty.md §8 for `uncertainty` and `design`: the run fails with
//! `ToolError::InvalidParam` naming the offending (dotted) field.

mod common;

use cristallo_core::{run, Cancel, Progress};
use serde_json::{json, Value};

fn field_of(tool: &str, params: Value) -> (String, String) {
    common::invalid_param(tool, &params)
}

fn uq(params: Value) -> String {
    field_of("uncertainty", params).0
}

fn design(params: Value) -> String {
    field_of("design", params).0
}

#[test]
fn uncertainty_tolerances_and_nominal_values() {
    for key in [
        "mass_tolerance_percent",
        "stiffness_tolerance_percent",
        "damping_tolerance_percent",
    ] {
        assert_eq!(uq(json!({ key: [10, 100, 10] })), key);
        assert_eq!(uq(json!({ key: [10, 150, 10] })), key);
        assert_eq!(uq(json!({ key: [-1, 10, 10] })), key);
        assert_eq!(uq(json!({ key: [10, 10] })), key);
        assert_eq!(uq(json!({ key: [10, 10, 10, 10] })), key);
    }
    for key in ["mass_kg", "stiffness_n_per_m", "damping_ns_per_m"] {
        assert_eq!(uq(json!({ key: [1, 0, 1] })), key);
        assert_eq!(uq(json!({ key: [1, -5, 1] })), key);
        assert_eq!(uq(json!({ key: [1, 1] })), key);
        assert_eq!(uq(json!({ key: [1, "x", 1] })), key);
    }
}

#[test]
fn uncertainty_grid_floor_and_samples() {
    for bad in [0, 4, -1] {
        assert_eq!(uq(json!({ "excitation_floor": bad })), "excitation_floor");
    }
    assert_eq!(uq(json!({"excitation_floor": 1.5})), "excitation_floor");
    assert_eq!(uq(json!({"mc_samples": 0})), "mc_samples");
    assert_eq!(uq(json!({"mc_samples": 1_000_001})), "mc_samples");
    assert_eq!(uq(json!({"n_freq": 1})), "n_freq");
    assert_eq!(uq(json!({"freq_max_hz": 0.5})), "freq_max_hz");
    assert_eq!(
        uq(json!({"freq_min_hz": 10, "freq_max_hz": 5})),
        "freq_max_hz"
    );
    assert_eq!(uq(json!({"freq_min_hz": -1})), "freq_min_hz");
    assert_eq!(uq(json!({"seed": -1})), "seed");
    assert_eq!(uq(json!({"seed": 4_294_967_296u64})), "seed");
    assert_eq!(uq(json!({"mc_sampling": "latin"})), "mc_sampling");
    assert_eq!(
        uq(json!({"mc_quantiles_percent": [5, 5]})),
        "mc_quantiles_percent"
    );
    assert_eq!(
        uq(json!({"mc_quantiles_percent": [0]})),
        "mc_quantiles_percent"
    );
    assert_eq!(
        uq(json!({"mc_quantiles_percent": [2.5]})),
        "mc_quantiles_percent"
    );
    // Work limits.
    assert_eq!(
        uq(json!({"n_freq": 100_000, "mc_samples": 1_000_000})),
        "mc_samples"
    );
    assert_eq!(
        uq(json!({"n_freq": 100_000, "diagonal_grid_points": 1000})),
        "diagonal_grid_points"
    );
}

#[test]
fn uncertainty_methods() {
    assert_eq!(uq(json!({"methods": ["subinterval"]})), "methods");
    assert_eq!(uq(json!({"methods": []})), "methods");
    assert_eq!(uq(json!({"methods": ""})), "methods");
    assert_eq!(uq(json!({"methods": ["vertex", "vertex"]})), "methods");
    assert_eq!(uq(json!({"methods": [1]})), "methods");
    assert_eq!(uq(json!({"methods": 3})), "methods");
    // The form's comma-separated text is accepted.
    let r = run(
        "uncertainty",
        &json!({"methods": "vertex, monte_carlo", "n_freq": 20, "mc_samples": 10}),
        &Progress::none(),
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(r.params["methods"], json!(["monte_carlo", "vertex"]));
}

#[test]
fn uncertainty_unknown_keys_and_shapes() {
    assert_eq!(uq(json!({"maxU": 10.5})), "maxU");
    assert_eq!(uq(json!({"subinterval": 3})), "subinterval");
    assert_eq!(uq(json!([1])), "params");
    assert_eq!(
        uq(json!({"use_profile": true, "profile": {"masses_kg": [1, 2]}})),
        "profile.masses_kg"
    );
    assert_eq!(uq(json!({"profile": {"m1": 3}})), "profile.m1");
    let (_, msg) = field_of(
        "uncertainty",
        json!({"stiffness_tolerance_percent": [10, 100, 10]}),
    );
    assert!(msg.contains("stiffness_tolerance_percent"), "{msg}");
}

#[test]
fn design_distribution_parameters() {
    let (field, msg) = field_of("design", json!({"inputs": {"k2": {"sd": -1}}}));
    assert_eq!(field, "inputs.k2.sd");
    assert!(msg.contains("k2"), "{msg}");
    assert_eq!(
        design(json!({"inputs": {"c3": {"shape": 0}}})),
        "inputs.c3.shape"
    );
    assert_eq!(
        design(json!({"inputs": {"c3": {"shape": -2}}})),
        "inputs.c3.shape"
    );
    assert_eq!(
        design(json!({"inputs": {"c2": {"scale": 0}}})),
        "inputs.c2.scale"
    );
    assert_eq!(
        design(json!({"inputs": {"c2": {"distribution": "normal", "mean": 1}}})),
        "inputs.c2.sd"
    );
    assert_eq!(
        design(json!({"inputs": {"k1": {"distribution": "gamma", "shape": 2}}})),
        "inputs.k1.scale"
    );
    assert_eq!(
        design(json!({"inputs": {"k1": {"mean": 0}}})),
        "inputs.k1.mean"
    );
    assert_eq!(
        design(json!({"inputs": {"m3": {"mean": -5}}})),
        "inputs.m3.mean"
    );
    assert_eq!(
        design(json!({"inputs": {"c1": {"mean": -1}}})),
        "inputs.c1.mean"
    );
    assert_eq!(
        design(json!({"inputs": {"k1": {"shape": 1}}})),
        "inputs.k1.shape"
    );
    assert_eq!(
        design(json!({"inputs": {"k1": {"mean": "a"}}})),
        "inputs.k1.mean"
    );
    assert_eq!(
        design(json!({"inputs": {"k1": {"distribution": "beta"}}})),
        "inputs.k1.distribution"
    );
    assert_eq!(
        design(json!({"inputs": {"k1": {"median": 1}}})),
        "inputs.k1.median"
    );
    assert_eq!(design(json!({"inputs": {"k4": {"mean": 1}}})), "inputs.k4");
    assert_eq!(design(json!({"inputs": {"k1": 5}})), "inputs.k1");
    assert_eq!(design(json!({"inputs": 5})), "inputs");
}

#[test]
fn design_outputs_counts_and_grid() {
    assert_eq!(design(json!({"outputs": ["x4"]})), "outputs");
    assert_eq!(design(json!({"outputs": ["x1", "x1"]})), "outputs");
    assert_eq!(design(json!({"outputs": []})), "outputs");
    assert_eq!(design(json!({"outputs": "x1, y2"})), "outputs");
    assert_eq!(design(json!({"n_samples": 1})), "n_samples");
    assert_eq!(design(json!({"n_samples": 10_000_001})), "n_samples");
    assert_eq!(design(json!({"histogram_bins": 0})), "histogram_bins");
    assert_eq!(design(json!({"jpdf_points": 2})), "jpdf_points");
    assert_eq!(
        design(json!({"jpdf_points": 11, "outputs": ["x1", "x2", "x3", "s1", "s2", "s3"]})),
        "jpdf_points"
    );
    assert_eq!(
        design(json!({"target_percent": [50, 50]})),
        "target_percent"
    );
    assert_eq!(design(json!({"target_percent": [101]})), "target_percent");
    assert_eq!(design(json!({"target_percent": [-1]})), "target_percent");
    assert_eq!(
        design(json!({"analysis_frequency_hz": -1})),
        "analysis_frequency_hz"
    );
    assert_eq!(
        design(json!({"analysis_frequency_hz": 1001})),
        "analysis_frequency_hz"
    );
    assert_eq!(design(json!({"frf_points": 1})), "frf_points");
    assert_eq!(design(json!({"shear": "drift"})), "shear");
    assert_eq!(
        design(json!({"shear_definition": "force"})),
        "shear_definition"
    );
}

fn default_samples() -> Value {
    let names = ["f1", "k1", "k2", "k3", "c1", "c2", "c3", "m1", "m2", "m3"];
    let mut m = serde_json::Map::new();
    for n in names {
        let v = match n {
            "f1" => 1.0,
            "c2" | "c3" => 0.001,
            "c1" => 2.0,
            n if n.starts_with('k') => 4000.0,
            _ => 5.0,
        };
        m.insert(n.into(), json!([v, v * 1.01, v * 0.99]));
    }
    Value::Object(m)
}

#[test]
fn design_input_samples() {
    // The valid set runs.
    assert!(run(
        "design",
        &json!({"input_samples": default_samples()}),
        &Progress::none(),
        &Cancel::new()
    )
    .is_ok());
    let mut missing = default_samples();
    missing.as_object_mut().unwrap().remove("k2");
    assert_eq!(
        design(json!({ "input_samples": missing })),
        "input_samples.k2"
    );
    let mut extra = default_samples();
    extra["f2"] = json!([0, 0, 0]);
    assert_eq!(
        design(json!({ "input_samples": extra })),
        "input_samples.f2"
    );
    let mut unequal = default_samples();
    unequal["m1"] = json!([5, 5]);
    assert_eq!(
        design(json!({ "input_samples": unequal })),
        "input_samples.m1"
    );
    let mut short = default_samples();
    for v in short.as_object_mut().unwrap().values_mut() {
        *v = json!([1.0]);
    }
    assert_eq!(
        design(json!({ "input_samples": short })),
        "input_samples.f1"
    );
    let mut non_finite = default_samples();
    non_finite["k3"] = json!([4000, "inf", 4000]);
    assert_eq!(
        design(json!({ "input_samples": non_finite })),
        "input_samples.k3"
    );
    let mut gamma_neg = default_samples();
    gamma_neg["c3"] = json!([0.001, -0.001, 0.002]);
    assert_eq!(
        design(json!({ "input_samples": gamma_neg })),
        "input_samples.c3"
    );
    assert_eq!(design(json!({"input_samples": [1, 2]})), "input_samples");
    assert_eq!(design(json!({"nope": 1})), "nope");
}
