//! Every tool's declared result size (TypedTool::result_values) against the real result's value
//! count: never under it, and not wildly over it (≤ 4×), for the defaults and a larger case.

use cristallo_core::{find, result_size, run, value_count, Cancel, Progress};
use serde_json::{json, Value};

/// Runs `tool` with `params` and checks the declared size against the result.
fn check(tool: &str, params: Value, max_ratio: f64) {
    let size = result_size(tool, &params).unwrap_or_else(|e| panic!("{tool} {params}: {e}"));
    let result = run(tool, &params, &Progress::none(), &Cancel::new())
        .unwrap_or_else(|e| panic!("{tool} {params}: {e}"));
    let actual = value_count(&result) as f64;
    eprintln!(
        "{tool} {params}: declared {} actual {actual} ({:.2}×)",
        size.values,
        size.values / actual
    );
    assert!(
        size.values >= actual,
        "{tool} {params}: declared {} < actual {actual}",
        size.values
    );
    assert!(
        size.values <= max_ratio * actual,
        "{tool} {params}: declared {} > {max_ratio} × actual {actual}",
        size.values
    );
    let specs = find(tool).unwrap().params();
    assert!(
        specs.iter().any(|s| s.key == size.field),
        "{tool}: the driver '{}' is not a parameter",
        size.field
    );
}

#[test]
fn modal_declares_its_size() {
    check("modal", json!({}), 4.0);
    check("modal", json!({"f_step_hz": 0.0005}), 4.0);
    check(
        "modal",
        json!({"frequencies_hz": [1.0, 2.0, 3.0, 5.0, 8.0]}),
        4.0,
    );
}

#[test]
fn simulator_declares_its_size() {
    check("simulator", json!({}), 4.0);
    check("simulator", json!({"duration_s": 40}), 4.0);
    check("simulator", json!({"n_scenarios": 4}), 4.0);
}

#[test]
fn recordings_declares_its_size() {
    check("recordings", json!({}), 4.0);
    check("recordings", json!({"demo": "noise"}), 4.0);
}

#[test]
fn control_declares_its_size() {
    check("vibration-control", json!({}), 4.0);
    for strategy in ["passive", "tmd", "dvf", "dvf_ec", "lqg"] {
        check("vibration-control", json!({"strategy": strategy}), 4.0);
    }
}

#[test]
fn uncertainty_declares_its_size() {
    check("uncertainty", json!({}), 4.0);
    check(
        "uncertainty",
        json!({"n_freq": 3000, "mc_samples": 50}),
        4.0,
    );
}

#[test]
fn design_declares_its_size() {
    check("design", json!({}), 4.0);
    check(
        "design",
        json!({"n_samples": 20000, "include_samples": true}),
        4.0,
    );
}

#[test]
fn cbc_declares_its_size() {
    // The exact curve is adaptive (its length is known only once traced): it declares its hard
    // cap of exact::MAX_POINTS points, under 1 M values, so the ratio is loose there.
    check("cbc", json!({}), 200.0);
    check("cbc", json!({"mode": "exact"}), 200.0);
    check("cbc", json!({"overlay_exact": false}), 4.0);
    check(
        "cbc",
        json!({"overlay_exact": false, "cbc_points": 300}),
        4.0,
    );
    check(
        "cbc",
        json!({"mode": "frequency_sweep", "overlay_exact": false}),
        4.0,
    );
}

#[test]
fn fea_declares_its_size() {
    check("fea", json!({"solve": false}), 4.0);
    // A real CalculiX solve (ccx is installed by scripts/setup.sh; fea_golden needs it too).
    check("fea", json!({"num_modes": 12}), 4.0);
}

#[test]
fn model_update_declares_its_size() {
    check("model-update", json!({}), 4.0);
    check(
        "model-update",
        json!({"f_min_hz": 1.0, "f_max_hz": 80.0}),
        4.0,
    );
}

#[test]
fn crossval_declares_its_size() {
    check("crossval", json!({}), 4.0);
    check("crossval", json!({"n_peaks": 10, "f_min_hz": 5.0}), 4.0);
}
