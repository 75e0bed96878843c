//! Properties of docs/measured.md §9: synthetic FRFs of random chains (m 2–8 kg, k 2e4–8e4 N/m,
//! ζ 0.1–2 %, with measurement noise) are recovered (m, k within 0.5 %); scaling all FRFs by s
//! scales the masses by 1/s; reordering the three files changes nothing; `crossval` of a
//! source with itself gives FRAC 1, RMS 0, errors 0 and MAC 1.

mod common;

use cristallo_core::lumped::{FrfType, LumpedModel};
use cristallo_core::{Cancel, ToolResult};
use num_complex::Complex64;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

fn run_ok(tool: &str, params: Value) -> ToolResult {
    common::run_ok(tool, &params)
}

/// The accelerance of `model` for the force at `floor` on f = k/32 Hz (k = 1..4096) as
/// `;`-separated Python complex numbers, with complex noise of relative size `noise`.
fn frf_csv(model: &LumpedModel, floor: usize, noise: f64, rng: &mut ChaCha8Rng) -> String {
    let freqs: Vec<f64> = (1..=4096).map(|k| f64::from(k) / 32.0).collect();
    let frf = model
        .frf(floor, FrfType::Accelerance, &freqs, &Cancel::new())
        .expect("frf");
    let mut out = String::with_capacity(freqs.len() * 100);
    for (f, h) in freqs.iter().zip(frf) {
        out.push_str(&format!("{f}+0j"));
        for z in h {
            let n = Complex64::new(rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0));
            let z = z * (Complex64::new(1.0, 0.0) + noise * n);
            out.push_str(&format!(";{}{:+}j", z.re, z.im));
        }
        out.push('\n');
    }
    out
}

#[test]
fn random_chains_with_noise_are_recovered() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    for case in 0..6 {
        let m: [f64; 3] = std::array::from_fn(|_| rng.random_range(2.0..8.0));
        let k: [f64; 3] = std::array::from_fn(|_| rng.random_range(2e4..8e4));
        // Stiffness-proportional dampers c = βk with ζ_1 = β ω_1 / 2 in 0.1–1 % (ζ_3 ≲ 2–4 %).
        let w1 = LumpedModel::chain(&m, &k, &[1.0; 3])
            .undamped_modes()
            .expect("modes")
            .natural_frequency_hz[0]
            * std::f64::consts::TAU;
        let zeta1 = rng.random_range(0.001..0.01);
        let beta = 2.0 * zeta1 / w1;
        let c = k.map(|x| beta * x);
        let model = LumpedModel::chain(&m, &k, &c);
        // Noise of 0.1 % per point for three files; one driving point is more sensitive
        // (k1 depends on the difference of two floors' shapes): 0.02 % there.
        let files: Vec<Value> = (1..=3)
            .map(|q| json!({"csv_text": frf_csv(&model, q, 1e-3, &mut rng), "excitation_floor": q}))
            .collect();
        let single = json!({"csv_text": frf_csv(&model, 2, 2e-4, &mut rng), "excitation_floor": 2});
        for params in [
            json!({"frfs": files, "f_min_hz": 1.0, "f_max_hz": 100.0}),
            json!({"frfs": [single], "f_min_hz": 1.0, "f_max_hz": 100.0}),
        ] {
            let n_files = params["frfs"].as_array().map_or(0, Vec::len);
            let r = run_ok("model-update", params);
            for i in 0..3 {
                let n = i + 1;
                let mi = r.scalar(&format!("mass_{n}_kg")).unwrap();
                let ki = r.scalar(&format!("stiffness_{n}_n_per_m")).unwrap();
                assert!(
                    (mi - m[i]).abs() < 5e-3 * m[i],
                    "case {case} ({n_files} files): m{n} {mi} vs {}",
                    m[i]
                );
                assert!(
                    (ki - k[i]).abs() < 5e-3 * k[i],
                    "case {case} ({n_files} files): k{n} {ki} vs {}",
                    k[i]
                );
            }
        }
    }
}

fn rig(name: &str, floor: i64) -> Value {
    json!({"rig_file": format!("frfs/{name}"), "excitation_floor": floor})
}

#[test]
fn scaling_the_frfs_scales_the_masses() {
    let base = run_ok(
        "model-update",
        json!({"frfs": [rig("Experimental.csv", 1)]}),
    );
    let scaled = run_ok(
        "model-update",
        json!({"frfs": [rig("Experimental.csv", 1)], "amplitude_scale": 2.0}),
    );
    for key in [
        "mass_1_kg",
        "mass_3_kg",
        "stiffness_2_n_per_m",
        "damping_1_ns_per_m",
    ] {
        let (a, b) = (base.scalar(key).unwrap(), scaled.scalar(key).unwrap());
        assert!((b - a / 2.0).abs() < 1e-8 * a.abs(), "{key}: {b} vs {a}/2");
    }
    for key in [
        "natural_frequency_2_hz",
        "damping_ratio_1",
        "model_mode_2_mac",
    ] {
        let (a, b) = (base.scalar(key).unwrap(), scaled.scalar(key).unwrap());
        assert!((b - a).abs() < 1e-8 * a.abs(), "{key}: {b} vs {a}");
    }
}

#[test]
fn reordering_the_three_files_changes_nothing() {
    let a = run_ok(
        "model-update",
        json!({"frfs": [rig("Experimental.csv", 1), rig("test_2.csv", 2), rig("test_3.csv", 3)]}),
    );
    let b = run_ok(
        "model-update",
        json!({"frfs": [rig("test_3.csv", 3), rig("Experimental.csv", 1), rig("test_2.csv", 2)]}),
    );
    for (key, va) in &a.scalars {
        let vb = b.scalars[key].as_f64();
        let va = va.as_f64();
        assert!(
            (va - vb).abs() <= 1e-8 * va.abs().max(1e-6),
            "{key}: {va} vs {vb}"
        );
    }
    assert_eq!(a.table_named("lumped_model").unwrap().rows.len(), 3);
    let names = |r: &ToolResult| {
        let mut n: Vec<String> = r.series.iter().map(|s| s.name.clone()).collect();
        n.sort();
        n
    };
    assert_eq!(names(&a), names(&b));
}

#[test]
fn crossval_of_a_source_with_itself_is_perfect() {
    let profile = json!({"masses_kg": [5.19, 4.91, 4.81], "stiffnesses_n_per_m": [39301.0, 46715.0, 37332.0],
                         "dampings_ns_per_m": [4.9, 0.95, 0.12]});
    for sources in [
        json!([{"kind": "frf_csv", "rig_file": "frfs/Experimental.csv"},
               {"kind": "frf_csv", "rig_file": "frfs/Experimental.csv"}]),
        json!([{"kind": "profile", "profile": profile.clone()}, {"kind": "profile", "profile": profile}]),
    ] {
        let r = run_ok("crossval", json!({"sources": sources}));
        for j in 1..=3 {
            assert!((r.scalar(&format!("source_2_floor_{j}_frac")).unwrap() - 1.0).abs() < 1e-12);
            assert_eq!(
                r.scalar(&format!("source_2_floor_{j}_rms_difference_db"))
                    .unwrap(),
                0.0
            );
            for p in 1..=3 {
                assert_eq!(
                    r.scalar(&format!("source_2_floor_{j}_peak_{p}_error_percent")),
                    Some(0.0)
                );
            }
        }
        for m in 1..=3 {
            assert!((r.scalar(&format!("source_2_mode_{m}_mac")).unwrap() - 1.0).abs() < 1e-12);
        }
    }
}

#[test]
fn defaults_analyse_the_rig_data() {
    let r = run_ok("model-update", json!({}));
    assert_eq!(r.params["frfs"].as_array().map(Vec::len), Some(3));
    let f1 = r.scalar("natural_frequency_1_hz").unwrap();
    assert!((f1 - 6.5119).abs() < 1e-3, "{f1}");
    let r = run_ok("crossval", json!({}));
    assert_eq!(r.params["sources"][3]["label"], "Bristol model");
    assert!(r.scalar("source_4_floor_1_frac").is_some());
    assert!(r.table_named("peaks").is_some_and(|t| !t.rows.is_empty()));
}

/// The result names each measured file by the SHA-256 of its text (docs/measured.md §7): the shipped
/// file and the same text uploaded give the digest `sha256sum data/rig/frfs/Experimental.csv`
/// prints, a changed text another one.
#[test]
fn model_update_names_its_files_by_sha256() {
    const EXPERIMENTAL_SHA256: &str =
        "b864744821c77ad40e5c63237478dff8aa246c8279225bc41b9d740427c9affe";
    let digest = |params: Value| {
        let r = run_ok("model-update", params);
        let t = r
            .tables
            .iter()
            .find(|t| t.name == "sources")
            .expect("sources table");
        assert_eq!(t.columns, ["source", "name", "excitation_floor", "sha256"]);
        assert_eq!(t.rows.len(), 1);
        t.rows[0][3].as_str().expect("hex").to_string()
    };
    assert_eq!(
        digest(json!({"frfs": [rig("Experimental.csv", 1)]})),
        EXPERIMENTAL_SHA256
    );
    let text = std::fs::read_to_string("../data/rig/frfs/Experimental.csv").expect("rig file");
    let uploaded = json!({"frfs": [{"csv_text": text, "excitation_floor": 1}]});
    assert_eq!(digest(uploaded), EXPERIMENTAL_SHA256);
    let changed = json!({"frfs": [{"csv_text": format!("{text}\n"), "excitation_floor": 1}]});
    assert_ne!(digest(changed), EXPERIMENTAL_SHA256);
}
