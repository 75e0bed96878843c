//! Every bad input of docs/fea.md §7: the run fails with `ToolError::InvalidParam` naming the
//! field, before any deck is written or solver started (these tests pass without ccx and
//! would fail with a solver error if validation let them through).

mod common;

use cristallo_core::fea::{self, FeaParams};
use cristallo_core::{run, Cancel, Progress};
use serde_json::{json, Value};

fn field_of(params: Value) -> (String, String) {
    common::invalid_param("fea", &params)
}

fn assert_field(params: Value, field: &str) {
    assert_eq!(field_of(params.clone()).0, field, "{params}");
}

#[test]
fn lengths_out_of_range() {
    for bad in [json!(-0.01), json!(0), json!(0.0019), json!(0.11)] {
        assert_field(json!({ "floor_thickness_m": bad }), "floor_thickness_m");
    }
    for (key, bad) in [
        ("floor_length_x_m", 0.04),
        ("floor_length_x_m", 1.5),
        ("floor_width_y_m", 0.0),
        ("column_width_m", 0.004),
        ("column_thickness_m", 0.0004),
        ("column_thickness_m", 0.06),
        ("element_size_m", 0.2),
        ("youngs_modulus_pa", 1e8),
        ("density_kg_m3", 30_000.0),
        ("timeout_s", 0.5),
    ] {
        assert_field(json!({ key: bad }), key);
    }
}

#[test]
fn poisson_ratio_of_one_half_is_rejected() {
    assert_field(json!({"poisson_ratio": 0.5}), "poisson_ratio");
    assert_field(json!({"poisson_ratio": 0.6}), "poisson_ratio");
    assert_field(json!({"poisson_ratio": -0.1}), "poisson_ratio");
}

#[test]
fn column_lengths_need_three_numbers() {
    for bad in [
        json!([0.15, 0.15]),
        json!([0.15, 0.15, 0.15, 0.15]),
        json!([0.15, "x", 0.15]),
        json!([0.15, 0.01, 0.15]),
        json!(0.15),
        json!(null),
    ] {
        assert_field(
            json!({ "column_free_length_m": bad }),
            "column_free_length_m",
        );
    }
}

#[test]
fn overlapping_columns_are_rejected() {
    let (field, msg) = field_of(json!({"floor_length_x_m": 0.1, "column_width_m": 0.06}));
    assert_eq!(field, "column_width_m");
    assert!(msg.contains("overlap"), "{msg}");
}

#[test]
fn too_fine_a_mesh_is_refused_with_the_node_count() {
    let (field, msg) = field_of(json!({"element_size_m": 0.002}));
    assert_eq!(field, "element_size_m");
    // The §4.1 formula: 4·(2·270 + 1) + 3·(255·307 − 127·153) + 12 = 178 738 nodes (the spec's
    // example message quotes 176 562, the floor nodes alone).
    assert!(msg.contains("178738 nodes"), "{msg}");
    assert!(msg.contains("limit 60000"), "{msg}");
    // The solid model too (its grid is counted before the mesh is indexed).
    let (field, msg) = field_of(json!({"model": "solid", "element_size_m": 0.002}));
    assert_eq!(field, "element_size_m");
    assert!(msg.contains("limit"), "{msg}");
    // The typed API applies the same rule.
    let p = FeaParams {
        element_size_m: 0.002,
        ..FeaParams::default()
    };
    assert_eq!(fea::deck(&p).unwrap_err().field(), Some("element_size_m"));
}

#[test]
fn integers_and_bounds() {
    for bad in [json!(0), json!(51), json!(6.5), json!("6")] {
        assert_field(json!({ "num_modes": bad }), "num_modes");
    }
    for bad in [json!(0), json!(65), json!(1.5)] {
        assert_field(json!({ "threads": bad }), "threads");
    }
    for bad in [json!(0), json!(-5), json!(20_001), json!("40")] {
        assert_field(json!({ "max_frequency_hz": bad }), "max_frequency_hz");
    }
    assert_field(json!({"solve": "yes"}), "solve");
}

#[test]
fn unknown_keys_and_models() {
    assert_field(json!({"mesh_size": 0.01}), "mesh_size");
    assert_field(json!({"ccx_path": "/bin/sh"}), "ccx_path");
    assert_field(json!({"model": "tet"}), "model");
    assert_field(json!({"model": 1}), "model");
    assert_field(json!([1, 2]), "params");
}

#[test]
fn strings_where_numbers_are_expected() {
    assert_field(json!({"floor_thickness_m": "0.0254"}), "floor_thickness_m");
    assert_field(json!({"youngs_modulus_pa": null}), "youngs_modulus_pa");
    assert_field(json!({"element_size_m": true}), "element_size_m");
}

#[test]
fn integral_floats_are_accepted_as_integers() {
    let r = run(
        "fea",
        &json!({"num_modes": 6.0, "threads": 2.0, "solve": false}),
        &Progress::none(),
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(r.scalar("node_count"), Some(4939.0));
}

#[test]
fn the_typed_api_validates_like_the_json_one() {
    let p = FeaParams {
        poisson_ratio: 0.5,
        ..FeaParams::default()
    };
    assert_eq!(fea::deck(&p).unwrap_err().field(), Some("poisson_ratio"));
    let p = FeaParams {
        column_free_length_m: vec![0.15; 2],
        ..FeaParams::default()
    };
    assert_eq!(
        fea::deck(&p).unwrap_err().field(),
        Some("column_free_length_m")
    );
}
