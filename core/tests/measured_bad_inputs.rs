//! Every row of docs/measured.md §8 (bad inputs): an error naming the dotted field, never a panic;
//! the "result + warning" rows give a result with the warning.

mod common;

use cristallo_core::{ToolError, ToolResult};
use serde_json::{json, Value};

fn run_tool(tool: &str, params: Value) -> Result<ToolResult, ToolError> {
    common::run_tool(tool, &params)
}

fn field(tool: &str, params: Value) -> (String, String) {
    common::invalid_param(tool, &params)
}

fn rig(name: &str, floor: i64) -> Value {
    json!({"rig_file": format!("frfs/{name}"), "excitation_floor": floor})
}

fn one_file(extra: Value) -> Value {
    let mut p = json!({"frfs": [rig("Experimental.csv", 1)]});
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}

/// A small `;` FRF text: a 3-DOF chain's accelerance at 1/32 Hz lines (so it parses and fits).
fn frf_text(lines: &[String]) -> String {
    lines.join("\n")
}

#[test]
fn unknown_keys_are_named() {
    let (f, _) = field("crossval", json!({"n_peakz": 3}));
    assert_eq!(f, "n_peakz");
    let (f, _) = field("model-update", json!({"f_minn_hz": 3}));
    assert_eq!(f, "f_minn_hz");
    let (f, _) = field(
        "model-update",
        json!({"frfs": [{"rig_file": "frfs/test_2.csv", "floor": 1}]}),
    );
    assert_eq!(f, "frfs[0].floor");
}

#[test]
fn bad_bands_name_f_min() {
    for tool in ["model-update", "crossval"] {
        assert_eq!(
            field(tool, json!({"f_min_hz": 40.0, "f_max_hz": 40.0})).0,
            "f_min_hz"
        );
        assert_eq!(
            field(tool, json!({"f_min_hz": 50.0, "f_max_hz": 40.0})).0,
            "f_min_hz"
        );
        assert_eq!(field(tool, json!({"f_min_hz": -1.0})).0, "f_min_hz");
        assert_eq!(field(tool, json!({"f_min_hz": "NaN"})).0, "f_min_hz");
    }
}

#[test]
fn excitation_floors_and_file_counts() {
    let (f, _) = field(
        "model-update",
        json!({"frfs": [rig("Experimental.csv", 0)]}),
    );
    assert_eq!(f, "frfs[0].excitation_floor");
    let (f, _) = field(
        "model-update",
        json!({"frfs": [rig("Experimental.csv", 4)]}),
    );
    assert_eq!(f, "frfs[0].excitation_floor");
    let dup =
        json!({"frfs": [rig("Experimental.csv", 1), rig("test_2.csv", 1), rig("test_3.csv", 3)]});
    assert_eq!(field("model-update", dup).0, "frfs[1].excitation_floor");
    let two = json!({"frfs": [rig("Experimental.csv", 1), rig("test_2.csv", 2)]});
    let (f, m) = field("model-update", two);
    assert_eq!(f, "frfs");
    assert!(m.contains("three files"), "{m}");
    assert_eq!(field("model-update", json!({"frfs": []})).0, "frfs");
}

#[test]
fn missing_file_names_path_and_prints_it() {
    let (f, m) = field(
        "model-update",
        json!({"frfs": [{"path": "/no/such/dir/frf.csv"}]}),
    );
    assert_eq!(f, "frfs[0].path");
    assert!(m.contains("/no/such/dir/frf.csv"), "{m}");
    let (f, m) = field(
        "crossval",
        json!({"sources": [{"kind": "db_csv", "rig_file": "crossval/ExpDataSw.csv"},
                           {"kind": "db_csv", "path": "/no/such/NumDataBr.csv"}]}),
    );
    assert_eq!(f, "sources[1].path");
    assert!(m.contains("/no/such/NumDataBr.csv"), "{m}");
}

#[test]
fn both_or_neither_file_keys_name_the_source() {
    let (f, _) = field(
        "model-update",
        json!({"frfs": [{"path": "a.csv", "csv_text": "1;2;3;4"}]}),
    );
    assert_eq!(f, "frfs[0]");
    let (f, _) = field("model-update", json!({"frfs": [{"excitation_floor": 1}]}));
    assert_eq!(f, "frfs[0]");
    let (f, _) = field(
        "crossval",
        json!({"sources": [{"kind": "db_csv", "rig_file": "crossval/ExpDataSw.csv"}, {"kind": "db_csv"}]}),
    );
    assert_eq!(f, "sources[1]");
}

#[test]
fn bad_file_contents_name_source_and_line() {
    let good = |k: usize| format!("{};0.1+0.2j;0.3-0.1j;0.2+0j", k as f64 / 32.0);
    let mut lines: Vec<String> = (1..100).map(good).collect();
    lines[41] = "1.34375;abc;0;0".into();
    let (f, m) = field(
        "model-update",
        json!({"frfs": [{"csv_text": frf_text(&lines)}]}),
    );
    assert_eq!(f, "frfs[0].csv_text");
    assert!(m.contains("line 42"), "{m}");
    let mut lines: Vec<String> = (1..100).map(good).collect();
    lines[9] = "0.3125;nan+1j;0;0".into();
    let (f, m) = field(
        "model-update",
        json!({"frfs": [{"csv_text": frf_text(&lines)}]}),
    );
    assert_eq!(f, "frfs[0].csv_text");
    assert!(m.contains("line 10") && m.contains("NaN"), "{m}");
    let mut lines: Vec<String> = (1..100).map(good).collect();
    lines[5] = "0.1;0;0;0".into();
    let (f, m) = field(
        "model-update",
        json!({"frfs": [{"csv_text": frf_text(&lines)}]}),
    );
    assert_eq!(f, "frfs[0].csv_text");
    assert!(m.contains("line 6") && m.contains("increasing"), "{m}");
    let (f, m) = field(
        "crossval",
        json!({"sources": [{"kind": "db_csv", "rig_file": "crossval/ExpDataSw.csv"},
                           {"kind": "db_csv", "csv_text": "0,1,2,3\n50,inf,2,3\n"}]}),
    );
    assert_eq!(f, "sources[1].csv_text");
    assert!(m.contains("line 2"), "{m}");
}

#[test]
fn different_frequency_columns_are_rejected() {
    let text: String = (1..200)
        .map(|k| format!("{};0.1+0.2j;0.3-0.1j;0.2+0j\n", k as f64 / 16.0))
        .collect();
    let p = json!({"frfs": [rig("Experimental.csv", 1), rig("test_2.csv", 2), {"csv_text": text, "excitation_floor": 3}]});
    assert_eq!(field("model-update", p).0, "frfs[2].csv_text");
}

#[test]
fn narrow_band_or_too_few_resonances_name_f_min() {
    let (f, m) = field(
        "model-update",
        one_file(json!({"f_min_hz": 10.0, "f_max_hz": 10.5})),
    );
    assert_eq!(f, "f_min_hz");
    assert!(m.contains("at least 20"), "{m}");
    // Rig data of 3–12 Hz: noise maxima give start values, but modes 2 and 3 are not there.
    let (f, _) = field(
        "model-update",
        one_file(json!({"f_min_hz": 3.0, "f_max_hz": 12.0})),
    );
    assert_eq!(f, "f_min_hz");
}

#[test]
fn wrong_excitation_floor_gives_a_non_positive_driving_point_constant() {
    let (f, m) = field(
        "model-update",
        json!({"frfs": [rig("Experimental.csv", 2)]}),
    );
    assert_eq!(f, "frfs");
    assert!(m.contains("check excitation_floor"), "{m}");
}

/// The accelerance of a modal model with arbitrary (non-chain) shapes as FRF text.
fn modal_text(
    f_hz: [f64; 3],
    zeta: [f64; 3],
    shapes: [[f64; 3]; 3],
    q: usize,
    noise: f64,
) -> String {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut out = String::new();
    for k in 1..1400 {
        let f = k as f64 / 32.0;
        let w = std::f64::consts::TAU * f;
        out.push_str(&format!("{f}"));
        for j in 0..3 {
            let mut a = num_complex::Complex64::new(0.0, 0.0);
            for r in 0..3 {
                let wr = std::f64::consts::TAU * f_hz[r];
                let d = num_complex::Complex64::new(wr * wr - w * w, 2.0 * zeta[r] * wr * w);
                a += -w * w * shapes[r][j] * shapes[r][q] / d;
            }
            let n = num_complex::Complex64::new(
                rng.random_range(-1.0..1.0),
                rng.random_range(-1.0..1.0),
            );
            a += noise * n;
            out.push_str(&format!(";{}{:+}j", a.re, a.im));
        }
        out.push('\n');
    }
    out
}

/// Mass-normalised shapes of the simulator-default chain with modes 2 and 3 rotated into each
/// other by `angle` (the masses stay those of the chain, the shapes are no chain's).
fn rotated_default_shapes(angle: f64) -> ([f64; 3], [[f64; 3]; 3]) {
    let modes = cristallo_core::lumped::Profile::default()
        .model()
        .undamped_modes()
        .expect("modes");
    let phi: Vec<[f64; 3]> = (0..3)
        .map(|r| modes.shapes[r].map(|x| x / modes.modal_mass_kg[r].sqrt()))
        .collect();
    let (c, s) = (angle.cos(), angle.sin());
    let rot = |j: usize| {
        (
            c * phi[1][j] + s * phi[2][j],
            -s * phi[1][j] + c * phi[2][j],
        )
    };
    let shapes = [
        phi[0],
        std::array::from_fn(|j| rot(j).0),
        std::array::from_fn(|j| rot(j).1),
    ];
    (modes.natural_frequency_hz, shapes)
}

#[test]
fn negative_damper_poor_mac_and_poor_fit_are_warnings() {
    let (f, shapes) = rotated_default_shapes(0.8);
    let text = modal_text(f, [0.002, 0.002, 0.002], shapes, 0, 0.0);
    let r = run_tool("model-update", json!({"frfs": [{"csv_text": text}]})).expect("result");
    let all = r.warnings.join("\n");
    assert!(all.contains("is negative"), "{all}");
    assert!(
        all.contains("MAC between the chain's and the identified shape"),
        "{all}"
    );
    assert!(
        all.contains("Newton update of the stiffnesses did not converge"),
        "{all}"
    );
    // Heavy noise: the fit explains little of the data.
    let (f, shapes) = rotated_default_shapes(0.0);
    let text = modal_text(f, [0.01, 0.01, 0.01], shapes, 0, 0.5);
    let r = run_tool("model-update", json!({"frfs": [{"csv_text": text}]})).expect("result");
    assert!(
        r.warnings.iter().any(|w| w.contains("unexplained")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn one_resonance_in_the_band_names_f_min() {
    let (f, shapes) = rotated_default_shapes(0.0);
    let text = modal_text(f, [0.01, 0.01, 0.01], shapes, 0, 0.0);
    let (field_, m) = field(
        "model-update",
        json!({"frfs": [{"csv_text": text}], "f_min_hz": 3.0, "f_max_hz": 10.0}),
    );
    assert_eq!(field_, "f_min_hz");
    assert!(m.contains("fewer than three resonances"), "{m}");
}

#[test]
fn crossval_source_counts() {
    let s = json!({"kind": "db_csv", "rig_file": "crossval/ExpDataSw.csv"});
    assert_eq!(
        field("crossval", json!({"sources": [s.clone()]})).0,
        "sources"
    );
    assert_eq!(
        field("crossval", json!({"sources": vec![s; 7]})).0,
        "sources"
    );
}

#[test]
fn sources_must_cover_the_band() {
    let two = |a: &str, b: &str| json!([{"kind": "db_csv", "rig_file": a}, {"kind": "db_csv", "rig_file": b}]);
    let (f, m) = field(
        "crossval",
        json!({"sources": two("crossval/ExpDataSw.csv", "crossval/NumDataBr.csv"), "f_max_hz": 50.0}),
    );
    assert_eq!(f, "f_max_hz");
    assert!(m.contains("source 2") && m.contains("40"), "{m}");
    let (f, m) = field(
        "crossval",
        json!({"sources": two("crossval/ExpDataSw.csv", "crossval/NumDataSh.csv"), "f_min_hz": 0.5}),
    );
    assert_eq!(f, "f_min_hz");
    assert!(m.contains("source 2"), "{m}");
}

#[test]
fn bad_profiles_name_their_field() {
    let src = |profile: Value| {
        json!({"sources": [{"kind": "frf_csv", "rig_file": "frfs/Experimental.csv"},
                           {"kind": "profile", "profile": profile}]})
    };
    let p = |m: [f64; 3], k: [f64; 3]| {
        src(json!({"masses_kg": m, "stiffnesses_n_per_m": k, "dampings_ns_per_m": [1.0, 1.0, 1.0]}))
    };
    let (f, _) = field("crossval", p([0.0, 5.0, 5.0], [4e4; 3]));
    assert_eq!(f, "sources[1].profile.masses_kg");
    let (f, _) = field("crossval", p([5.0, -5.0, 5.0], [4e4; 3]));
    assert_eq!(f, "sources[1].profile.masses_kg");
    let (f, _) = field("crossval", p([5.0; 3], [4e4, 0.0, 4e4]));
    assert_eq!(f, "sources[1].profile.stiffnesses_n_per_m");
    let (f, _) = field("crossval", src(json!({"masses_kg": [5.0, 5.0, 5.0]})));
    assert_eq!(f, "sources[1].profile.stiffnesses_n_per_m");
    let (f, m) = field(
        "crossval",
        json!({"sources": [{"kind": "frf_csv", "rig_file": "frfs/Experimental.csv"},
                           {"kind": "profile", "profile_id": "6f1c0000-0000-4000-8000-000000000000"}]}),
    );
    assert_eq!(f, "sources[1].profile_id");
    assert!(m.contains("resolved by the platform"), "{m}");
    let (f, _) = field(
        "crossval",
        json!({"sources": [{"kind": "frf_csv", "rig_file": "frfs/Experimental.csv"}, {"kind": "profile"}]}),
    );
    assert_eq!(f, "sources[1]");
}

/// `legacy-circle-fit` (§4.5) works on fixed bands up to 27.5 Hz: a file that stops short, or
/// whose largest mobility in a band sits at the band's edge, is refused naming `method`; an
/// unknown method names `method` too.
#[test]
fn legacy_circle_fit_refuses_files_without_its_bands() {
    let legacy = |text: String| {
        field(
            "model-update",
            json!({"method": "legacy-circle-fit", "f_min_hz": 0.5, "f_max_hz": 9.0,
                   "frfs": [{"csv_text": text, "excitation_floor": 1}]}),
        )
    };
    // 1/32 Hz lines up to 10 Hz: the 17–19 and 25–27.5 Hz bands are missing.
    let short: Vec<String> = (1..=320)
        .map(|k| {
            let f = f64::from(k) / 32.0;
            format!("{f};{}+0.1j;0.5+0.2j;0.25+0.1j", 1.0 / (1.0 + f))
        })
        .collect();
    let (f, m) = legacy(frf_text(&short));
    assert_eq!(f, "method");
    assert!(m.contains("17–19 Hz"), "{m}");
    // Up to 32 Hz but a mobility that only falls with frequency: no peak inside a band.
    let falling: Vec<String> = (1..=1024)
        .map(|k| {
            let f = f64::from(k) / 32.0;
            format!(
                "{f};{}+{}j;0.5+0.2j;0.25+0.1j",
                1.0 / (1.0 + f),
                0.3 / (1.0 + f * f)
            )
        })
        .collect();
    let (f, m) = legacy(frf_text(&falling));
    assert_eq!(f, "method");
    assert!(m.contains("edge") || m.contains("circle"), "{m}");
    let (f, _) = field("model-update", one_file(json!({"method": "circle"})));
    assert_eq!(f, "method");
}
