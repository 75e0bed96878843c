//! The profile document (docs/measured.md §7): JSON round trip, every rule naming its field, and the
//! two legacy importers on files of the original app (fixtures/profiles/README.md).

use cristallo_core::profile_doc::{
    import_any, import_legacy_csv, import_legacy_json, OriginKind, ProfileDoc,
    LEGACY_DAMPING_WARNING, PROFILE_SCHEMA,
};
use serde_json::{json, Value};

const LEGACY_CSV: &str = include_str!("fixtures/profiles/profile_Experimental.csv");
const LEGACY_JSON: &str = include_str!("fixtures/profiles/Tester.json");

/// The spec's example document (docs/measured.md §7), complete.
fn full() -> Value {
    json!({
        "schema": "cristallo.profile/1",
        "id": "6f1c2d3e-0000-4000-8000-000000000001",
        "name": "rig 2024-05 after re-tightening",
        "created_utc": "2024-05-02T14:03:11Z",
        "origin": { "kind": "model-update", "tool_run_id": "42", "method": "modal-ls",
                    "settings": { "f_min_hz": 3.0, "f_max_hz": 40.0 },
                    "sources": [ { "name": "Experimental.csv", "sha256": "ab12", "excitation_floor": 1 } ] },
        "masses_kg": [5.189, 4.914, 4.811],
        "stiffnesses_n_per_m": [39301.1, 46715.0, 37332.3],
        "dampings_ns_per_m": [4.917, 0.954, 0.120],
        "modal": { "natural_frequencies_hz": [6.5119, 17.4613, 26.5034],
                   "damping_ratios": [0.00163, 0.00235, 0.00218],
                   "mode_shapes_mass_normalised": [[0.1, 0.2, 0.3], [0.3, 0.1, -0.2], [0.2, -0.3, 0.1]] },
        "std": { "masses_kg": [0.0, 0.0, 0.0], "stiffnesses_n_per_m": [0.0, 0.0, 0.0], "dampings_ns_per_m": [0.0, 0.0, 0.0] },
        "notes": "after re-tightening the bolts"
    })
}

fn minimal() -> Value {
    json!({
        "schema": PROFILE_SCHEMA,
        "name": "minimal",
        "origin": { "kind": "manual" },
        "masses_kg": [5.0, 5.0, 5.0],
        "stiffnesses_n_per_m": [40000.0, 40000.0, 40000.0],
        "dampings_ns_per_m": [0.0, 0.0, 0.0]
    })
}

/// `doc` with `pointer` (a JSON pointer) set to `value`.
fn with(mut doc: Value, pointer: &str, value: Value) -> Value {
    *doc.pointer_mut(pointer).expect("pointer exists") = value;
    doc
}

fn without(mut doc: Value, key: &str) -> Value {
    doc.as_object_mut().unwrap().remove(key);
    doc
}

fn field_of(doc: Value) -> String {
    let err = ProfileDoc::from_json(&doc).expect_err("must be rejected");
    err.field()
        .expect("a validation error names a field")
        .to_string()
}

#[test]
fn full_document_round_trips_exactly() {
    let doc = ProfileDoc::from_json(&full()).unwrap();
    assert_eq!(doc.to_json(), full());
    assert_eq!(doc.origin.kind, OriginKind::ModelUpdate);
    let text = serde_json::to_string(&doc.to_json()).unwrap();
    assert_eq!(ProfileDoc::from_json_text(&text).unwrap(), doc);
}

#[test]
fn minimal_document_is_valid_and_zero_dampers_are_allowed() {
    let doc = ProfileDoc::from_json(&minimal()).unwrap();
    assert_eq!(doc.dampings_ns_per_m, [0.0; 3]);
    assert!(doc.modal.is_none() && doc.std.is_none());
    assert_eq!(ProfileDoc::from_json(&doc.to_json()).unwrap(), doc);
}

#[test]
fn non_positive_masses_and_stiffnesses_name_their_field() {
    for bad in [0.0, -1.0] {
        assert_eq!(
            field_of(with(full(), "/masses_kg/1", json!(bad))),
            "profile.masses_kg"
        );
        assert_eq!(
            field_of(with(full(), "/stiffnesses_n_per_m/2", json!(bad))),
            "profile.stiffnesses_n_per_m"
        );
    }
    assert_eq!(
        field_of(with(full(), "/dampings_ns_per_m/0", json!(-0.1))),
        "profile.dampings_ns_per_m"
    );
}

#[test]
fn wrong_lengths_and_types_name_their_field() {
    assert_eq!(
        field_of(with(full(), "/masses_kg", json!([5.0, 5.0]))),
        "profile.masses_kg"
    );
    assert_eq!(
        field_of(with(full(), "/masses_kg", json!("heavy"))),
        "profile.masses_kg"
    );
    assert_eq!(
        field_of(with(full(), "/dampings_ns_per_m", json!([1.0, null, 1.0]))),
        "profile.dampings_ns_per_m"
    );
    assert_eq!(field_of(without(full(), "masses_kg")), "profile.masses_kg");
    assert_eq!(
        field_of(with(full(), "/origin/kind", json!("guessed"))),
        "profile.origin.kind"
    );
    assert_eq!(field_of(without(full(), "origin")), "profile.origin");
    assert_eq!(
        field_of(with(full(), "/modal/natural_frequencies_hz/0", json!(0.0))),
        "profile.modal.natural_frequencies_hz"
    );
    assert_eq!(
        field_of(with(full(), "/std/masses_kg/0", json!(-1.0))),
        "profile.std.masses_kg"
    );
    let err = ProfileDoc::from_json(&json!([1, 2])).unwrap_err();
    assert_eq!(err.field(), Some("profile"));
    let err = ProfileDoc::from_json_text("{ not json").unwrap_err();
    assert_eq!(err.field(), Some("profile"));
}

#[test]
fn non_finite_values_are_rejected() {
    // JSON has no NaN: a typed document built in Rust is checked by `validate`.
    let mut doc = ProfileDoc::from_json(&full()).unwrap();
    doc.stiffnesses_n_per_m[0] = f64::INFINITY;
    assert_eq!(
        doc.validate().unwrap_err().field(),
        Some("profile.stiffnesses_n_per_m")
    );
    let mut doc = ProfileDoc::from_json(&full()).unwrap();
    doc.masses_kg[2] = f64::NAN;
    assert_eq!(
        doc.validate().unwrap_err().field(),
        Some("profile.masses_kg")
    );
    let mut doc = ProfileDoc::from_json(&full()).unwrap();
    doc.modal.as_mut().unwrap().mode_shapes_mass_normalised[1][1] = f64::NAN;
    assert_eq!(
        doc.validate().unwrap_err().field(),
        Some("profile.modal.mode_shapes_mass_normalised")
    );
}

#[test]
fn names_must_have_1_to_80_characters() {
    assert_eq!(field_of(with(full(), "/name", json!(""))), "profile.name");
    assert_eq!(
        field_of(with(full(), "/name", json!("   "))),
        "profile.name"
    );
    assert_eq!(
        field_of(with(full(), "/name", json!("x".repeat(81)))),
        "profile.name"
    );
    assert_eq!(field_of(without(full(), "name")), "profile.name");
    // 80 characters, counted as characters not bytes.
    let ok = with(full(), "/name", json!("ü".repeat(80)));
    assert_eq!(ProfileDoc::from_json(&ok).unwrap().name.chars().count(), 80);
}

#[test]
fn unknown_keys_are_rejected_at_every_level() {
    let mut top = full();
    top["mass_kg"] = json!([1, 2, 3]);
    assert_eq!(field_of(top), "profile.mass_kg");
    let mut origin = full();
    origin["origin"]["tool"] = json!("x");
    assert_eq!(field_of(origin), "profile.origin.tool");
    let mut source = full();
    source["origin"]["sources"][0]["file"] = json!("x");
    assert_eq!(field_of(source), "profile.origin.sources[0].file");
    let mut modal = full();
    modal["modal"]["mac"] = json!(1);
    assert_eq!(field_of(modal), "profile.modal.mac");
    let mut std = full();
    std["std"]["extra"] = json!(1);
    assert_eq!(field_of(std), "profile.std.extra");
}

#[test]
fn newer_and_foreign_schemas_are_refused_clearly() {
    let err =
        ProfileDoc::from_json(&with(full(), "/schema", json!("cristallo.profile/2"))).unwrap_err();
    assert_eq!(err.field(), Some("profile.schema"));
    assert!(err.to_string().contains("newer"), "{err}");
    for bad in [json!("cristallo.profile/0"), json!("something/1"), json!(1)] {
        assert_eq!(field_of(with(full(), "/schema", bad)), "profile.schema");
    }
    assert_eq!(field_of(without(full(), "schema")), "profile.schema");
}

#[test]
fn to_params_gives_the_tools_inline_profile() {
    let mut doc = ProfileDoc::from_json(&full()).unwrap();
    doc.id = "abc".into();
    let arrays = doc.to_params(None);
    assert_eq!(
        arrays,
        json!({"masses_kg": [5.189, 4.914, 4.811], "stiffnesses_n_per_m": [39301.1, 46715.0, 37332.3],
               "dampings_ns_per_m": [4.917, 0.954, 0.120]})
    );
    let keys: Vec<String> = [
        "name",
        "masses_kg",
        "stiffnesses_n_per_m",
        "dampings_ns_per_m",
        "source",
        "notes",
    ]
    .map(String::from)
    .to_vec();
    let p = doc.to_params(Some(&keys));
    assert_eq!(p["name"], "rig 2024-05 after re-tightening");
    assert_eq!(p["source"], "profile abc");
    assert!(p.get("notes").is_none());
    // The stored chain's natural frequencies are what every tool sees.
    let f = doc.model_natural_frequencies_hz().unwrap();
    assert!(f[0] > 5.0 && f[0] < f[1] && f[1] < f[2], "{f:?}");
}

#[test]
fn legacy_csv_import_reads_the_original_file() {
    let imported = import_legacy_csv(LEGACY_CSV, "profile_Experimental").unwrap();
    let p = &imported.profile;
    assert_eq!(imported.warnings, vec![LEGACY_DAMPING_WARNING.to_string()]);
    assert!(LEGACY_DAMPING_WARNING.contains("4× too high"));
    assert_eq!(p.origin.kind, OriginKind::ImportedLegacyCsv);
    assert_eq!(p.name, "profile_Experimental");
    assert_eq!(p.masses_kg, [5.0383, 4.9944, 4.9679]);
    assert_eq!(p.stiffnesses_n_per_m, [34892.4632, 43232.1047, 43265.5137]);
    assert_eq!(p.dampings_ns_per_m, [7.8887, 4.0171, 5.4871]);
    let modal = p.modal.as_ref().unwrap();
    assert_eq!(modal.natural_frequencies_hz, [6.5, 17.4688, 26.5]);
    // Loss factor η → viscous ratio η/2.
    assert_eq!(
        modal.damping_ratios,
        [0.0107 / 2.0, 0.0104 / 2.0, 0.0093 / 2.0]
    );
    // Shapes are mass-normalised with the file's masses, directions kept.
    for (r, shape) in modal.mode_shapes_mass_normalised.iter().enumerate() {
        let modal_mass: f64 = shape.iter().zip(&p.masses_kg).map(|(x, m)| m * x * x).sum();
        assert!(
            (modal_mass - 1.0).abs() < 1e-12,
            "mode {}: {modal_mass}",
            r + 1
        );
    }
    let s = modal.mode_shapes_mass_normalised[0];
    assert!((s[0] / s[2] - 0.4796).abs() < 1e-12);
    assert!(p.notes.contains("0.0107"));
    // The import is a valid document and survives the JSON round trip.
    assert_eq!(ProfileDoc::from_json(&p.to_json()).unwrap(), *p);
}

#[test]
fn legacy_csv_bad_files_name_the_line() {
    let short: String = LEGACY_CSV.lines().take(7).collect::<Vec<_>>().join("\n");
    assert_eq!(
        import_legacy_csv(&short, "x").unwrap_err().field(),
        Some("profile")
    );
    let bad = LEGACY_CSV.replace("34892.4632", "stiff");
    let err = import_legacy_csv(&bad, "x").unwrap_err();
    assert_eq!(err.field(), Some("profile.stiffnesses_n_per_m"));
    assert!(err.to_string().contains("line 2"), "{err}");
    let two = LEGACY_CSV.replace("7.8887;4.0171;5.4871", "7.8887;4.0171");
    assert_eq!(
        import_legacy_csv(&two, "x").unwrap_err().field(),
        Some("profile.dampings_ns_per_m")
    );
    let zero_mass = LEGACY_CSV.replace("5.0383;", "0;");
    assert_eq!(
        import_legacy_csv(&zero_mass, "x").unwrap_err().field(),
        Some("profile.masses_kg")
    );
    let neg_k = LEGACY_CSV.replace("34892.4632", "-34892.4632");
    assert_eq!(
        import_legacy_csv(&neg_k, "x").unwrap_err().field(),
        Some("profile.stiffnesses_n_per_m")
    );
    let nan = LEGACY_CSV.replace("6.5000", "NaN");
    assert_eq!(
        import_legacy_csv(&nan, "x").unwrap_err().field(),
        Some("profile.modal.natural_frequencies_hz")
    );
    let zero_shape = LEGACY_CSV.replace("0.4796;0.8264;1.0000", "0;0;0");
    assert_eq!(
        import_legacy_csv(&zero_shape, "x").unwrap_err().field(),
        Some("profile.modal.mode_shapes_mass_normalised")
    );
}

#[test]
fn legacy_json_import_reuses_the_original_reader() {
    let v: Value = serde_json::from_str(LEGACY_JSON).unwrap();
    let imported = import_legacy_json(&v, None).unwrap();
    let p = &imported.profile;
    assert_eq!(imported.warnings, vec![LEGACY_DAMPING_WARNING.to_string()]);
    assert_eq!(p.origin.kind, OriginKind::ImportedLegacyJson);
    assert_eq!(p.name, "Default Values");
    assert_eq!(p.masses_kg, [5.3, 5.1, 4.9]);
    assert_eq!(p.stiffnesses_n_per_m, [40060.0, 40100.0, 42000.0]);
    assert_eq!(p.dampings_ns_per_m, [5.0, 3.0, 7.0]);
    let std = p.std.as_ref().unwrap();
    assert_eq!(std.masses_kg, [0.1; 3]);
    assert_eq!(std.dampings_ns_per_m, [0.3; 3]);
    assert_eq!(
        import_legacy_json(&v, Some("Tester")).unwrap().profile.name,
        "Tester"
    );
    // Missing and non-numeric keys name the profile field; a zero mass is refused.
    let mut missing = v.clone();
    missing.as_object_mut().unwrap().remove("k2");
    assert_eq!(
        import_legacy_json(&missing, None).unwrap_err().field(),
        Some("profile.stiffnesses_n_per_m")
    );
    let zero = with(v.clone(), "/m1", json!(0));
    assert_eq!(
        import_legacy_json(&zero, None).unwrap_err().field(),
        Some("profile.masses_kg")
    );
}

#[test]
fn import_any_detects_the_format() {
    let csv = import_any(LEGACY_CSV, None, Some("/tmp/profile_Experimental.csv")).unwrap();
    assert_eq!(csv.profile.origin.kind, OriginKind::ImportedLegacyCsv);
    assert_eq!(csv.profile.name, "profile_Experimental");
    let json = import_any(LEGACY_JSON, Some("mine"), Some("Tester.json")).unwrap();
    assert_eq!(json.profile.origin.kind, OriginKind::ImportedLegacyJson);
    assert_eq!(json.profile.name, "mine");
    let ours = import_any(&full().to_string(), None, None).unwrap();
    assert!(ours.warnings.is_empty());
    assert_eq!(ours.profile.to_json(), full());
    let renamed = import_any(&full().to_string(), Some("copy"), None).unwrap();
    assert_eq!(renamed.profile.name, "copy");
    let newer = with(full(), "/schema", json!("cristallo.profile/7")).to_string();
    assert_eq!(
        import_any(&newer, None, None).unwrap_err().field(),
        Some("profile.schema")
    );
    assert_eq!(
        import_any("", None, None).unwrap_err().field(),
        Some("profile")
    );
}
