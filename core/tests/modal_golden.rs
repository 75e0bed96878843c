//! Golden and property tests of the `modal` tool and the lumped model.
//!
//! - `rs_cases.json` (`modal` cases): every listed scalar within `max(abs, rel·|value|)`
//!   (rel 1e-8), series lengths and samples (x within `x_abs`, y within `max(abs, rel·|y|)`),
//!   modes-table cells.
//! - `models_modal_frf.json`: the 7 presets, fn / fd / ζ and the receptance x_j/F_1 at
//!   40 frequencies relative 1e-9 (abs floor 1e-15 m/N; 1e-7 for the receptance of the
//!   Rayleigh preset, whose stored matrices are rounded), shapes absolute 1e-9.
//! - Properties: reciprocity H_ij = H_ji (rel 1e-12), mobility = iω·receptance and
//!   accelerance = −ω²·receptance (rel 1e-12), and each m/k/c value of each floor is used.

mod common;

use common::close;
use cristallo_core::lumped::{FrfType, LumpedModel, Profile};
use cristallo_core::{run, Cancel, Progress, ToolResult};
use nalgebra::Matrix3;
use num_complex::Complex64;
use serde_json::{json, Value};

fn run_modal(params: Value) -> ToolResult {
    common::run_ok("modal", &params)
}

#[test]
fn rs_cases_modal() {
    let cases = common::rs_cases("modal");
    for case in &cases {
        let name = case["case"].as_str().unwrap_or("?");
        let r = run_modal(case["params"].clone());
        assert_eq!(r.tool, "modal");
        assert!(r.warnings.is_empty(), "{name}: {:?}", r.warnings);
        let expect = &case["expect"];
        assert!(!expect["scalars"].as_object().expect("scalars").is_empty());
        assert!(!expect["series"].as_object().expect("series").is_empty());
        common::check_rs_case(name, &r, expect);
        // The scalar set is exactly the contract's.
        assert_eq!(r.scalars.len(), 13, "{name}: {:?}", r.scalars.keys());
    }
    assert_eq!(cases.len(), 2);
}

#[test]
fn result_shape_follows_the_contract() {
    for (frf_type, label) in [
        ("receptance", "Magnitude (dB re 1 m/N)"),
        ("mobility", "Magnitude (dB re 1 m/s/N)"),
        ("accelerance", "Magnitude (dB re 1 m/s²/N)"),
    ] {
        let r = run_modal(json!({ "frf_type": frf_type }));
        let names: Vec<&str> = r.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "frf_floor_1_magnitude_db",
                "frf_floor_1_phase_deg",
                "frf_floor_2_magnitude_db",
                "frf_floor_2_phase_deg",
                "frf_floor_3_magnitude_db",
                "frf_floor_3_phase_deg"
            ]
        );
        for s in &r.series {
            assert_eq!(s.x_label, "Frequency (Hz)");
            assert_eq!(s.x.len(), 9901);
            if s.name.ends_with("_magnitude_db") {
                assert_eq!(s.y_label, label);
            } else {
                assert_eq!(s.y_label, "Phase (deg)");
                assert!(s.y.iter().all(|&p| p > -180.0 && p <= 180.0));
            }
        }
        assert_eq!(r.tables.len(), 1);
        let t = &r.tables[0];
        assert_eq!(t.name, "modes");
        assert_eq!(
            t.columns,
            [
                "mode",
                "natural_frequency_hz",
                "damped_natural_frequency_hz",
                "damping_ratio_percent",
                "shape_floor_1",
                "shape_floor_2",
                "shape_floor_3"
            ]
        );
        assert_eq!(t.rows.len(), 3);
        for (i, row) in t.rows.iter().enumerate() {
            assert_eq!(row[0], json!(i + 1));
        }
        let mut keys: Vec<&str> = r.scalars.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut want = vec!["total_mass_kg".to_string()];
        for n in 1..=3 {
            want.push(format!("natural_frequency_{n}_hz"));
            want.push(format!("damped_natural_frequency_{n}_hz"));
            want.push(format!("damping_ratio_{n}_percent"));
            want.push(format!("modal_mass_{n}_kg"));
        }
        want.sort_unstable();
        assert_eq!(keys, want);
        // The echo has every default filled in, the profile included.
        let p = &r.params;
        assert_eq!(p["frf_type"], json!(frf_type));
        assert_eq!(p["force_floor"], json!(1));
        assert_eq!(p["f_start_hz"], json!(1.0));
        assert_eq!(p["f_stop_hz"], json!(100.0));
        assert_eq!(p["f_step_hz"], json!(0.01));
        assert_eq!(p["frequencies_hz"], Value::Null);
        assert_eq!(p["profile"], Profile::default().to_value());
    }
}

fn triple(v: &Value) -> [f64; 3] {
    let a = v.as_array().expect("list of 3");
    assert_eq!(a.len(), 3);
    [
        a[0].as_f64().expect("num"),
        a[1].as_f64().expect("num"),
        a[2].as_f64().expect("num"),
    ]
}

fn matrix(v: &Value) -> Matrix3<f64> {
    let rows: Vec<[f64; 3]> = v.as_array().expect("rows").iter().map(triple).collect();
    assert_eq!(rows.len(), 3);
    Matrix3::from_fn(|i, j| rows[i][j])
}

#[test]
fn models_modal_frf_presets() {
    let data = common::fixture("simulator", "models_modal_frf.json");
    let freqs: Vec<f64> = data["frequencies_Hz"]
        .as_array()
        .expect("frequencies")
        .iter()
        .map(|v| v.as_f64().expect("num"))
        .collect();
    assert_eq!(freqs.len(), 40);
    let models = data["models"].as_array().expect("models");
    assert_eq!(models.len(), 7);
    const REL: f64 = 1e-9;
    for m in models {
        let name = m["name"].as_str().expect("name");
        let (mm, kk, cc) = (matrix(&m["M"]), matrix(&m["K"]), matrix(&m["C"]));
        let model = LumpedModel::from_matrices(mm, kk, cc).expect("valid matrices");
        // The chain presets also go through the profile (m, k, c per floor).
        if let Some(c) = m.get("c_Ns_per_m") {
            let chain =
                LumpedModel::chain(&triple(&m["m_kg"]), &triple(&m["k_N_per_m"]), &triple(c));
            assert!((chain.k - kk).amax() <= 1e-9 * kk.amax(), "{name}: K");
            assert!((chain.c - cc).amax() <= 1e-9 * cc.amax(), "{name}: C");
            assert_eq!(chain.m, mm, "{name}: M");
        }
        let a = model.modal_analysis().expect("modal analysis");
        assert!(a.damped.warnings.is_empty());
        let (fnr, fd, zeta) = (
            triple(&m["fn_undamped_Hz"]),
            triple(&m["fd_damped_Hz"]),
            triple(&m["zeta"]),
        );
        for r in 0..3 {
            let got = a.undamped.natural_frequency_hz[r];
            assert!(
                close(got, fnr[r], REL, 0.0),
                "{name}: fn{} {got} vs {}",
                r + 1,
                fnr[r]
            );
            let got = a.damped.damped_frequency_hz[r];
            assert!(
                close(got, fd[r], REL, 0.0),
                "{name}: fd{} {got} vs {}",
                r + 1,
                fd[r]
            );
            let got = a.damped.damping_ratio[r];
            assert!(
                close(got, zeta[r], REL, 0.0),
                "{name}: zeta{} {got} vs {}",
                r + 1,
                zeta[r]
            );
            let want = triple(&m["mode_shapes_maxnorm"][r]);
            for j in 0..3 {
                let got = a.undamped.shapes[r][j];
                assert!(
                    (got - want[j]).abs() <= 1e-9,
                    "{name}: shape mode {} floor {}: {got} vs {}",
                    r + 1,
                    j + 1,
                    want[j]
                );
            }
        }
        let Some(rec) = m.get("receptance_force1") else {
            panic!("{name}: no receptance");
        };
        // The Rayleigh preset's M, K, C are stored rounded to 10 digits while its receptance was
        // computed from the unrounded beam stiffness and Rayleigh coefficients; near its
        // lightly damped resonances (Q ≈ 250) that rounding alone moves H by up to 5e-8
        // relative (same with C rebuilt from a0·M + a1·K). Its modes still meet 1e-9.
        let rec_rel = if m.get("rayleigh_a0").is_some() {
            1e-7
        } else {
            REL
        };
        for j in 0..3 {
            let want = rec[format!("x{}", j + 1)].as_array().expect("receptance");
            assert_eq!(want.len(), freqs.len());
            for (f, w) in freqs.iter().zip(want) {
                let h = model.receptance(1, *f).expect("receptance")[j];
                let (re, im) = (w[0].as_f64().expect("re"), w[1].as_f64().expect("im"));
                assert!(
                    close(h.re, re, rec_rel, 1e-15) && close(h.im, im, rec_rel, 1e-15),
                    "{name}: x{}/F1 at {f} Hz = {h}, want {re}{im:+}i",
                    j + 1
                );
            }
        }
    }
}

fn rel_err(a: Complex64, b: Complex64) -> f64 {
    (a - b).norm() / b.norm()
}

fn test_profiles() -> Vec<Profile> {
    let tester = Profile {
        name: "Tester.json".into(),
        masses_kg: [5.3, 5.1, 4.9],
        stiffnesses_n_per_m: [40060.0, 40100.0, 42000.0],
        dampings_ns_per_m: [5.0, 3.0, 7.0],
        ..Profile::default()
    };
    let odd = Profile {
        name: "odd".into(),
        masses_kg: [0.5, 12.0, 3.0],
        stiffnesses_n_per_m: [1.0e6, 2.0e3, 5.0e4],
        dampings_ns_per_m: [0.0, 40.0, 0.2],
        ..Profile::default()
    };
    vec![Profile::default(), tester, odd]
}

fn test_frequencies() -> Vec<f64> {
    vec![
        0.1, 1.0, 5.0, 6.2, 6.2036, 10.0, 17.8, 26.4, 50.0, 100.0, 1000.0, 9999.0,
    ]
}

#[test]
fn frf_is_reciprocal() {
    for p in test_profiles() {
        let m = p.model();
        for f in test_frequencies() {
            for i in 1..=3 {
                let hi = m.receptance(i, f).expect("receptance");
                for j in 1..=3 {
                    let hj = m.receptance(j, f).expect("receptance");
                    // x_j / F_i == x_i / F_j
                    let e = rel_err(hi[j - 1], hj[i - 1]);
                    assert!(e <= 1e-12, "{}: H{j}{i} vs H{i}{j} at {f} Hz: {e}", p.name);
                }
            }
        }
    }
    // Through the tool: magnitude of floor 3 for a force on floor 1 equals floor 1 for a force on 3.
    let a = run_modal(json!({"force_floor": 1}));
    let b = run_modal(json!({"force_floor": 3}));
    let (sa, sb) = (
        a.series_named("frf_floor_3_magnitude_db").expect("series"),
        b.series_named("frf_floor_1_magnitude_db").expect("series"),
    );
    for (x, y) in sa.y.iter().zip(&sb.y) {
        assert!((x - y).abs() <= 1e-10, "{x} vs {y}");
    }
}

#[test]
fn mobility_and_accelerance_follow_from_receptance() {
    let tau = std::f64::consts::TAU;
    for p in test_profiles() {
        let m = p.model();
        for f in test_frequencies() {
            let w = tau * f;
            for floor in 1..=3 {
                let h = m
                    .response(floor, FrfType::Receptance, f)
                    .expect("receptance");
                let v = m.response(floor, FrfType::Mobility, f).expect("mobility");
                let a = m
                    .response(floor, FrfType::Accelerance, f)
                    .expect("accelerance");
                for j in 0..3 {
                    let iw = Complex64::new(0.0, w);
                    assert!(rel_err(v[j], iw * h[j]) <= 1e-12, "{}: mobility", p.name);
                    assert!(
                        rel_err(a[j], -w * w * h[j]) <= 1e-12,
                        "{}: accelerance",
                        p.name
                    );
                    assert!(rel_err(a[j], iw * v[j]) <= 1e-12, "{}: a = iω v", p.name);
                }
            }
        }
    }
    // Through the tool: +20·log10(ω) dB and +90° between receptance and mobility.
    let freqs = [1.0, 6.2, 17.8, 40.0];
    let rec = run_modal(json!({"frequencies_hz": freqs}));
    let mob = run_modal(json!({"frequencies_hz": freqs, "frf_type": "mobility"}));
    for j in 1..=3 {
        let (rm, mm) = (
            rec.series_named(&format!("frf_floor_{j}_magnitude_db"))
                .expect("series"),
            mob.series_named(&format!("frf_floor_{j}_magnitude_db"))
                .expect("series"),
        );
        let (rp, mp) = (
            rec.series_named(&format!("frf_floor_{j}_phase_deg"))
                .expect("series"),
            mob.series_named(&format!("frf_floor_{j}_phase_deg"))
                .expect("series"),
        );
        for i in 0..freqs.len() {
            let w = tau * freqs[i];
            assert!((mm.y[i] - rm.y[i] - 20.0 * w.log10()).abs() < 1e-9);
            let d = (mp.y[i] - rp.y[i] - 90.0 + 180.0).rem_euclid(360.0) - 180.0;
            assert!(d.abs() < 1e-9, "phase difference {d}");
        }
    }
}

/// The original froze k3 and overwrote k1 (duplicate `stiff1` field): prove every value of
/// every floor changes the result.
fn assert_each_value_used(kind: &str, floor: usize) {
    let base = Profile::default();
    let mut p = base.clone();
    let arr = match kind {
        "masses_kg" => &mut p.masses_kg,
        "stiffnesses_n_per_m" => &mut p.stiffnesses_n_per_m,
        _ => &mut p.dampings_ns_per_m,
    };
    arr[floor - 1] *= 1.1;
    let changed_value = arr[floor - 1];
    let params =
        |p: &Profile| json!({"profile": p.to_value(), "frequencies_hz": [3.0, 12.0, 22.0]});
    let a = run_modal(params(&base));
    let b = run_modal(params(&p));
    assert_eq!(b.params["profile"][kind][floor - 1], json!(changed_value));
    let keys: Vec<String> = if kind == "dampings_ns_per_m" {
        (1..=3)
            .map(|r| format!("damping_ratio_{r}_percent"))
            .collect()
    } else {
        (1..=3)
            .map(|r| format!("natural_frequency_{r}_hz"))
            .collect()
    };
    let changed = keys.iter().any(|k| {
        let (x, y) = (a.scalar(k).expect("scalar"), b.scalar(k).expect("scalar"));
        (x - y).abs() > 1e-6 * x.abs()
    });
    assert!(changed, "{kind}[{floor}] has no effect on {keys:?}");
    // Every floor's FRF reacts as well.
    for j in 1..=3 {
        let name = format!("frf_floor_{j}_magnitude_db");
        let (sa, sb) = (
            a.series_named(&name).expect("s"),
            b.series_named(&name).expect("s"),
        );
        assert!(
            sa.y.iter().zip(&sb.y).any(|(x, y)| (x - y).abs() > 1e-9),
            "{kind}[{floor}] has no effect on {name}"
        );
    }
    // The change of one value is not the change of another (e.g. k3 vs k1).
    for other in (1..=3).filter(|&o| o != floor) {
        let mut q = base.clone();
        let arr = match kind {
            "masses_kg" => &mut q.masses_kg,
            "stiffnesses_n_per_m" => &mut q.stiffnesses_n_per_m,
            _ => &mut q.dampings_ns_per_m,
        };
        arr[other - 1] *= 1.1;
        let c = run_modal(params(&q));
        let same = keys
            .iter()
            .all(|k| (b.scalar(k).expect("s") - c.scalar(k).expect("s")).abs() <= 1e-12);
        assert!(!same, "{kind}[{floor}] acts like {kind}[{other}]");
    }
}

#[test]
fn floor_1_values_are_used() {
    for kind in ["masses_kg", "stiffnesses_n_per_m", "dampings_ns_per_m"] {
        assert_each_value_used(kind, 1);
    }
}

#[test]
fn floor_2_values_are_used() {
    for kind in ["masses_kg", "stiffnesses_n_per_m", "dampings_ns_per_m"] {
        assert_each_value_used(kind, 2);
    }
}

#[test]
fn floor_3_values_are_used() {
    for kind in ["masses_kg", "stiffnesses_n_per_m", "dampings_ns_per_m"] {
        assert_each_value_used(kind, 3);
    }
}

#[test]
fn grid_and_explicit_list() {
    let r = run_modal(json!({"f_start_hz": 2.0, "f_stop_hz": 3.0, "f_step_hz": 0.1}));
    let s = &r.series[0];
    assert_eq!(s.x.len(), 11);
    assert!((s.x[10] - 3.0).abs() < 1e-12);
    // The stop frequency off the grid is not included.
    let r = run_modal(json!({"f_start_hz": 2.0, "f_stop_hz": 3.05, "f_step_hz": 0.1}));
    assert_eq!(r.series[0].x.len(), 11);
    // A step wider than the range gives the start alone.
    let r = run_modal(json!({"f_start_hz": 2.0, "f_stop_hz": 3.0, "f_step_hz": 5.0}));
    assert_eq!(r.series[0].x, vec![2.0]);
    // The list overrides the grid (whose fields are then not cross-checked).
    let r =
        run_modal(json!({"frequencies_hz": [10000, 0.001, 7], "f_start_hz": 50, "f_stop_hz": 10}));
    assert_eq!(r.series[0].x, vec![10000.0, 0.001, 7.0]);
    for s in &r.series {
        assert!(s.y.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn overdamped_mode_gives_a_warning_and_finite_result() {
    let p = json!({"profile": {"masses_kg": [1, 1, 1], "stiffnesses_n_per_m": [100, 100, 100],
                               "dampings_ns_per_m": [100000, 0, 0]}});
    let r = run_modal(p);
    assert!(!r.warnings.is_empty());
    assert!(r.warnings.iter().any(|w| w.contains("overdamped")));
    let zero = (1..=3).any(|n| r.scalar(&format!("damped_natural_frequency_{n}_hz")) == Some(0.0));
    assert!(zero);
}

#[test]
fn extreme_profiles_stay_finite() {
    for (m, k, c) in [
        ([0.001; 3], [1e9; 3], [1e5; 3]),
        ([1000.0; 3], [1.0; 3], [0.0, 0.0, 1e-9]),
        ([0.001, 1000.0, 0.001], [1.0, 1e9, 1.0], [1e5, 0.0, 0.0]),
    ] {
        let params = json!({"profile": {"masses_kg": m, "stiffnesses_n_per_m": k,
                                        "dampings_ns_per_m": c},
                            "frequencies_hz": [0.001, 1.0, 100.0, 10000.0]});
        let r = run("modal", &params, &Progress::none(), &Cancel::new());
        match r {
            Ok(r) => assert!(r.ensure_finite().is_ok()),
            // Allowed: an explicit, named error, never a panic or a NaN.
            Err(e) => assert!(
                e.field().is_some()
                    || matches!(e, cristallo_core::ToolError::ComputationFailed { .. }),
                "{e:?}"
            ),
        }
    }
}

#[test]
fn cancel_is_honoured() {
    let e = common::run_cancelled("modal", &json!({}));
    assert_eq!(e, cristallo_core::ToolError::Cancelled);
}

#[test]
fn original_json_profiles_import() {
    use cristallo_core::lumped::import_original_profile;
    let data = common::fixture("simulator", "profiles.json");
    let shipped = data["json_profile"]["shipped"]
        .as_object()
        .expect("shipped");
    let d = &shipped["default.json"];
    let (p, disp) = import_original_profile(d).expect("default.json");
    assert_eq!(p.name, "Default Values");
    assert_eq!(p.masses_kg, [5.0; 3]);
    assert_eq!(p.stiffnesses_n_per_m, [40000.0; 3]);
    assert_eq!(p.dampings_ns_per_m, [6.0; 3]);
    assert_eq!(
        (disp.mass_std, disp.stiffness_std, disp.damping_std),
        (0.0, 0.0, 0.0)
    );
    p.check("profile").expect("valid");
    // It is the default.json preset of the modal reference: same natural frequencies.
    let r = run_modal(json!({"profile": p.to_value(), "frequencies_hz": [1.0]}));
    assert!(close(
        r.scalar("natural_frequency_1_hz").unwrap(),
        6.335282636652474,
        1e-12,
        0.0
    ));

    let (p, disp) = import_original_profile(&shipped["Tester.json"]).expect("Tester.json");
    assert_eq!(p.masses_kg, [5.3, 5.1, 4.9]);
    assert_eq!(p.stiffnesses_n_per_m, [40060.0, 40100.0, 42000.0]);
    assert_eq!(p.dampings_ns_per_m, [5.0, 3.0, 7.0]);
    // "Percent" in disp_units is ignored: the values are absolute std-devs.
    assert_eq!(
        (disp.mass_std, disp.stiffness_std, disp.damping_std),
        (0.1, 0.2, 0.3)
    );
    assert_eq!(disp.to_params()["dispersion_unit"], json!("absolute"));
    p.check("profile").expect("valid");
    // Our format round-trips through the schema (export writes our format).
    let r = run_modal(json!({"profile": p.to_value(), "frequencies_hz": [1.0]}));
    assert_eq!(r.params["profile"], p.to_value());

    // user_submitted.json carries m1 = 0, which the original silently replaced: we import it
    // as read and the range check names the field.
    let (p, _) = import_original_profile(&shipped["user_submitted.json"]).expect("imports");
    assert_eq!(p.name, "user");
    assert_eq!(
        p.check("profile").unwrap_err().field(),
        Some("profile.masses_kg")
    );

    // Broken files name the field.
    let e = import_original_profile(&json!({"m1": 5, "m2": 5})).unwrap_err();
    assert_eq!(e.field(), Some("profile.masses_kg"));
    let e = import_original_profile(&json!({"m1": 5, "m2": 5, "m3": 5, "k1": "x"})).unwrap_err();
    assert_eq!(e.field(), Some("profile.stiffnesses_n_per_m"));
    let mut bad = d.clone();
    bad["disp_c"] = json!("lots");
    assert_eq!(
        import_original_profile(&bad).unwrap_err().field(),
        Some("damping_std")
    );
    assert_eq!(
        import_original_profile(&json!([1])).unwrap_err().field(),
        Some("profile")
    );
}
