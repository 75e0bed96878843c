//! Tests of the `recordings` tool.
//!
//! - H1 of the simulated white-noise demo recording (multisine 5 N RMS, 64 s at 512 Hz,
//!   accelerations with 0.01 m/s² sensor noise) against the analytic accelerance of
//!   `lumped.rs`: wherever γ² ≥ 0.99 in 2–32 Hz, |H1| within 2.5 % and the phase within 2°
//!   (the bias left is Hann leakage at 0.25 Hz resolution and the force being linear between
//!   samples in the simulation, which lowers the sampled-data FRF by ≈ (πf/fs)²/3: 1.2 % at
//!   32 Hz, 1.7 % at 37 Hz for fs = 512 Hz); the three peaks within one bin of the damped
//!   natural frequencies.
//! - The real rig FRF files (`data/rig/frfs`, BSD-3) parse in the original complex layout,
//!   4096 rows at 1/32 Hz, peaks near 6.50 / 17.47 / 26.50 Hz.
//! - Demo recordings: deterministic, our export header, `%.9e` numbers, every demo analysable.
//! - Every bad input of docs/simulator.md §7 for `recordings`: the error names `csv_text` (or the
//!   parameter), and file errors name the line (and column where there is one).

mod common;

use common::rig_frf_text as rig_file;
use cristallo_core::lumped::{FrfType, Profile};
use cristallo_core::recordings::demo::{demo_recording_csv, DEMOS, HEADER};
use cristallo_core::{ToolError, ToolResult};
use serde_json::{json, Value};

fn ok(params: Value) -> ToolResult {
    common::run_ok("recordings", &params)
}

fn bad(params: Value) -> ToolError {
    common::refused("recordings", &params)
}

/// A valid time history with `n` rows at 100 Hz (a decaying sine response to a sine force).
fn th_rows(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let t = i as f64 / 100.0;
            format!(
                "{t},{},{},{},{}",
                (3.0 * t).sin(),
                (5.0 * t).cos(),
                (7.0 * t).sin(),
                (11.0 * t).sin()
            )
        })
        .collect()
}

fn th_text(rows: &[String]) -> String {
    format!(
        "t (s),a1 (m/s^2),a2 (m/s^2),a3 (m/s^2),force (N)\n{}\n",
        rows.join("\n")
    )
}

#[test]
fn h1_of_simulated_noise_matches_the_analytic_frf() {
    let r = ok(json!({"demo": "noise"}));
    assert_eq!(r.scalar("sample_count"), Some(32768.0));
    assert!((r.scalar("sample_rate_hz").unwrap() - 512.0).abs() < 1e-6);
    assert!((r.scalar("frequency_resolution_hz").unwrap() - 0.25).abs() < 1e-9);
    assert_eq!(r.scalar("averages_count"), Some(31.0));
    assert!((r.scalar("force_rms_n").unwrap() - 5.0).abs() < 1e-6);
    let model = Profile::default().model();
    let mut checked = 0;
    for j in 1..=3 {
        let mag = r
            .series_named(&format!("h1_floor_{j}_magnitude_db"))
            .unwrap();
        let ph = r.series_named(&format!("h1_floor_{j}_phase_deg")).unwrap();
        let coh = r.series_named(&format!("coherence_floor_{j}")).unwrap();
        assert_eq!(mag.x, coh.x);
        for k in 0..mag.x.len() {
            let f = mag.x[k];
            if !(2.0..=32.0).contains(&f) || coh.y[k] < 0.99 {
                continue;
            }
            let h = model.response(1, FrfType::Accelerance, f).unwrap()[j - 1];
            let want_db = 20.0 * h.norm().log10();
            let ratio = 10f64.powf((mag.y[k] - want_db) / 20.0);
            assert!(
                (ratio - 1.0).abs() < 0.025,
                "floor {j} at {f} Hz: ratio {ratio}"
            );
            let want_ph = h.im.atan2(h.re).to_degrees();
            let d = (ph.y[k] - want_ph + 180.0).rem_euclid(360.0) - 180.0;
            assert!(
                d.abs() < 2.0,
                "floor {j} at {f} Hz: phase {} vs {want_ph}",
                ph.y[k]
            );
            checked += 1;
        }
        // Floors 1, 2 are well above the 0.01 m/s² sensor noise over the whole 1–100 Hz band;
        // floor 3's response falls below it above ≈ 40 Hz (mean γ² ≈ 0.58, warned about).
        let mc = r.scalar(&format!("mean_coherence_floor_{j}")).unwrap();
        assert!(
            if j < 3 {
                mc > 0.9
            } else {
                mc > 0.4 && mc < 0.8
            },
            "floor {j}: {mc}"
        );
    }
    assert!(checked > 150, "{checked} bins checked");
    let fd = model.damped_modes().unwrap().damped_frequency_hz;
    for i in 0..3 {
        let got = r
            .scalar(&format!("frf_peak_frequency_{}_hz", i + 1))
            .unwrap();
        assert!(
            (got - fd[i]).abs() <= 0.25,
            "peak {}: {got} vs {}",
            i + 1,
            fd[i]
        );
    }
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("low mean coherence") && r.warnings[0].contains("floor 3"));
}

#[test]
fn demos_are_generated_deterministically() {
    for name in DEMOS {
        let text = demo_recording_csv(name).unwrap();
        assert!(text.starts_with(&format!("{HEADER}\n")));
        let second = text.lines().nth(1).unwrap();
        assert!(second.starts_with("0.000000000e+00,"), "{second}");
        let r = ok(json!({ "demo": name }));
        assert_eq!(r.tool, "recordings");
        assert!(r.series_named("acceleration_floor_3").is_some());
        assert!(r.scalar("rms_acceleration_floor_1_m_per_s2").unwrap() > 0.0);
        // Same text from the CSV path as from the demo path.
        let via_csv = ok(json!({ "csv_text": text }));
        assert_eq!(via_csv.scalars, r.scalars);
    }
    let rows = |n: &str| demo_recording_csv(n).unwrap().lines().count() - 1;
    assert_eq!(rows("hammer"), 5120);
    assert_eq!(rows("noise"), 32768);
    assert_eq!(rows("sweep"), 20480);
    assert_eq!(rows("harmonic"), 15360);
    // The hammer demo: its force peak is the hammer's.
    let r = ok(json!({"demo": "hammer"}));
    assert!((r.scalar("force_peak_n").unwrap() - 300.0).abs() < 1.0);
}

#[test]
fn rig_frf_files_parse() {
    for name in ["Experimental.csv", "test_2.csv", "test_3.csv"] {
        let r = ok(json!({ "csv_text": rig_file(name) }));
        assert_eq!(r.scalar("row_count"), Some(4096.0), "{name}");
        assert_eq!(r.scalar("frequency_resolution_hz"), Some(0.03125));
        for j in 1..=3 {
            let m = r
                .series_named(&format!("frf_floor_{j}_magnitude_db"))
                .unwrap();
            assert_eq!(m.x.len(), 4096);
            assert_eq!(m.x[0], 0.03125);
            assert_eq!(m.x[4095], 128.0);
            assert!(m.y_label.contains("file units"));
        }
        if name == "Experimental.csv" {
            for (i, want) in [6.50, 17.47, 26.50].iter().enumerate() {
                let got = r
                    .scalar(&format!("frf_peak_frequency_{}_hz", i + 1))
                    .unwrap();
                assert!((got - want).abs() < 0.15, "{name} peak {}: {got}", i + 1);
            }
        }
    }
    // Also with kind forced to frf.
    let r = ok(json!({ "csv_text": rig_file("test_2.csv"), "kind": "frf" }));
    assert_eq!(r.scalar("row_count"), Some(4096.0));
}

#[test]
fn our_frf_layout_and_quantities() {
    let text = "frequency_hz,re_1,im_1,re_2,im_2,re_3,im_3\n\
                1,1,0,1,0,1,0\n2,2,1,2,1,2,1\n3,5,0,5,0,5,0\n4,1,0,1,0,1,0\n5,0,0,1,0,1,0\n";
    let r = ok(json!({ "csv_text": text }));
    assert_eq!(r.scalar("row_count"), Some(5.0));
    assert_eq!(r.scalar("frf_peak_frequency_1_hz"), Some(3.0));
    assert!(r.warnings.iter().any(|w| w.contains("omitted")));
    // Units from the header; semicolons; velocity.
    let rows = th_rows(400);
    let semi: Vec<String> = rows.iter().map(|r| r.replace(',', ";")).collect();
    let text = format!(
        "t (s);v1 (m/s);v2 (m/s);v3 (m/s);f (N)\n{}\n",
        semi.join("\n")
    );
    let r = ok(json!({ "csv_text": text, "segment_s": 1.0 }));
    assert!(r.scalar("rms_velocity_floor_1_m_per_s").is_some());
    assert!(r.series_named("velocity_floor_2").is_some());
    // Tabs, displacement given explicitly, legacy header without units in auto mode.
    let tabs: Vec<String> = rows.iter().map(|r| r.replace(',', "\t")).collect();
    let text = format!("t\tx1\tx2\tx3\tfp\n{}\n", tabs.join("\n"));
    let r = ok(json!({ "csv_text": text.clone(), "segment_s": 1.0, "quantity": "displacement" }));
    assert!(r.scalar("rms_displacement_floor_3_m").is_some());
    let r = ok(json!({ "csv_text": text, "segment_s": 1.0 }));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("acceleration is assumed")));
    // Clipped band, rectangular window, overlap.
    let r = ok(
        json!({ "csv_text": th_text(&rows), "segment_s": 1.0, "f_max_hz": 400.0,
                       "window": "rectangular", "overlap_percent": 0 }),
    );
    assert!(r.warnings.iter().any(|w| w.contains("clipped")));
    assert_eq!(r.scalar("averages_count"), Some(4.0));
    assert_eq!(r.params["demo"], Value::Null);
}

#[test]
fn low_coherence_and_dropped_bins_warn() {
    // Responses unrelated to the force: low coherence. Force is a pure 11/(2π) Hz sine: most
    // bins have no force power and are dropped.
    let r = ok(json!({ "csv_text": th_text(&th_rows(800)), "segment_s": 2.0 }));
    let w = r.warnings.join(" | ");
    assert!(w.contains("coherence"), "{w}");
    assert!(w.contains("dropped") || w.contains("peak"), "{w}");
}

fn file_err(text: &str) -> String {
    let e = bad(json!({ "csv_text": text }));
    assert_eq!(e.field(), Some("csv_text"), "{e}");
    e.to_string()
}

#[test]
fn bad_inputs_name_the_field_and_line() {
    // Neither input; a bad file is reported even when a demo is named too (the file wins).
    assert_eq!(
        bad(json!({"csv_text": null, "demo": null})).field(),
        Some("demo")
    );
    assert_eq!(
        bad(json!({"csv_text": "a", "demo": "noise"})).field(),
        Some("csv_text")
    );
    assert_eq!(bad(json!({"demo": "white"})).field(), Some("demo"));
    assert_eq!(
        bad(json!({"demo": "noise", "stiff1": 1})).field(),
        Some("stiff1")
    );
    assert_eq!(
        bad(json!({"demo": "noise", "kind": "x"})).field(),
        Some("kind")
    );
    assert_eq!(
        bad(json!({"demo": "noise", "window": "flat"})).field(),
        Some("window")
    );
    assert_eq!(
        bad(json!({"demo": "noise", "overlap_percent": 96})).field(),
        Some("overlap_percent")
    );
    assert_eq!(
        bad(json!({"demo": "noise", "segment_s": 0})).field(),
        Some("segment_s")
    );
    assert_eq!(
        bad(json!({"demo": "noise", "segment_s": 100})).field(),
        Some("segment_s")
    );
    assert_eq!(
        bad(json!({"demo": "noise", "segment_s": 0.01})).field(),
        Some("segment_s")
    );
    assert_eq!(
        bad(json!({"demo": "noise", "f_min_hz": 50, "f_max_hz": 20})).field(),
        Some("f_max_hz")
    );
    assert_eq!(
        bad(json!({"demo": "noise", "f_min_hz": 300, "f_max_hz": 400})).field(),
        Some("f_min_hz")
    );
    assert_eq!(
        bad(json!({"demo": "noise", "f_min_hz": -1})).field(),
        Some("f_min_hz")
    );
    assert_eq!(bad(json!({"csv_text": 5})).field(), Some("csv_text"));

    let rows = th_rows(40);
    // Empty, header only.
    assert!(file_err("").contains("line 1"));
    assert!(file_err("\n\n").contains("empty"));
    assert!(file_err("t (s),a1,a2,a3,f\n").contains("line 1: the file has a header but no data"));
    // Wrong column count.
    let mut r = rows.clone();
    r[4] = "0.04,1,2,3".into();
    let m = file_err(&th_text(&r));
    assert!(
        m.contains("line 6") && m.contains("expected 5 columns") && m.contains("found 4"),
        "{m}"
    );
    let mut r = rows.clone();
    r[2] = "0.02,1,2,3,4,5".into();
    assert!(file_err(&th_text(&r)).contains("line 4"));
    // Non-numeric, NaN, infinite.
    for (cell, what) in [
        ("abc", "not a number"),
        ("NaN", "NaN"),
        ("inf", "infinite"),
        ("", "not a number"),
    ] {
        let mut r = rows.clone();
        r[9] = format!("0.09,1,{cell},3,4");
        let m = file_err(&th_text(&r));
        assert!(m.contains("line 11, column 3") && m.contains(what), "{m}");
    }
    // Time not strictly increasing.
    let mut r = rows.clone();
    r[20] = r[19].clone();
    let m = file_err(&th_text(&r));
    assert!(
        m.contains("line 22, column 1") && m.contains("increase"),
        "{m}"
    );
    let mut r = rows.clone();
    r[20] = "0.1,0,0,0,0".into();
    assert!(file_err(&th_text(&r)).contains("line 22"));
    // Non-uniform spacing.
    let mut r = rows.clone();
    r[30] = "0.3015,0,0,0,0".into();
    let m = file_err(&th_text(&r));
    assert!(m.contains("line 32") && m.contains("non-uniform"), "{m}");
    // Fewer than 16 rows.
    let m = file_err(&th_text(&rows[..15]));
    assert!(m.contains("line 16") && m.contains("at least 16"), "{m}");
    // Too large: bytes, then rows.
    let big = "x".repeat(50 * 1024 * 1024 + 1);
    assert!(file_err(&big).contains("characters"));
    let big = "é".repeat(26 * 1024 * 1024);
    assert!(file_err(&big).contains("50 MB"));
    let mut many = String::with_capacity(40_000_000);
    many.push_str("t,a,b,c,f\n");
    for i in 0..2_000_001u32 {
        many.push_str(&i.to_string());
        many.push_str(",0,0,0,0\n");
    }
    let m = file_err(&many);
    assert!(m.contains("line 2000002") && m.contains("2000000"), "{m}");

    // FRF files: non-increasing or non-positive frequency, bad complex, wrong columns.
    let frf = rig_file("Experimental.csv");
    let mut lines: Vec<&str> = frf.lines().collect();
    let dup = lines[99];
    lines[100] = dup;
    let m = file_err(&lines.join("\n"));
    assert!(
        m.contains("line 101, column 1") && m.contains("increase"),
        "{m}"
    );
    let mut lines: Vec<String> = frf.lines().map(str::to_string).collect();
    lines[5] = lines[5].replacen("0.1875+0j", "0.1875+1j", 1);
    assert!(file_err(&lines.join("\n")).contains("line 6, column 1"));
    let mut lines: Vec<String> = frf.lines().map(str::to_string).collect();
    lines[7] = "0.25+0j;(1+2j);oops;3".into();
    let m = file_err(&lines.join("\n"));
    assert!(m.contains("line 8, column 3"), "{m}");
    let mut lines: Vec<String> = frf.lines().map(str::to_string).collect();
    lines[8] = "0.28125+0j;(1+2j);2j".into();
    assert!(file_err(&lines.join("\n")).contains("line 9: expected 4"));
    let m = file_err("(0+0j);1j;1j;1j\n");
    assert!(
        m.contains("line 1, column 1") && m.contains("not positive"),
        "{m}"
    );
    let ours = "frequency_hz,re_1,im_1,re_2,im_2,re_3,im_3\n1,1,0,1,0,1,0\n1,1,0,1,0,1,0\n";
    assert!(file_err(ours).contains("line 3, column 1"));
    let ours = "frequency_hz,re_1,im_1,re_2,im_2,re_3,im_3\n1,1,0,1,0,1,0\n2,1,0,1,0,1\n";
    let e = bad(json!({"csv_text": ours, "kind": "frf"}));
    assert!(e.to_string().contains("line 3: expected 7 columns"), "{e}");
    let ours = "frequency_hz,re_1,im_1,re_2,im_2,re_3,im_3\n1,1,0,1,0,1,0\n2,1,x,1,0,1,0\n";
    assert!(file_err(ours).contains("line 3, column 3 (im_1)"));
    // A time history forced as such with an FRF file: column count error.
    let e = bad(json!({"csv_text": rig_file("test_3.csv"), "kind": "time_history"}));
    assert_eq!(e.field(), Some("csv_text"));
    assert!(e.to_string().contains("line 2"), "{e}");
}

#[test]
fn defaults_analyse_the_hammer_demo_and_a_file_replaces_the_demo() {
    let r = ok(json!({}));
    assert_eq!(r.params["demo"], json!("hammer"));
    assert_eq!(r.params["csv_text"], Value::Null);
    // A file named alongside a demo is what gets analysed; the echo says so.
    let rows = th_rows(4096);
    let r = ok(json!({ "csv_text": th_text(&rows), "demo": "noise", "segment_s": 1.0 }));
    assert_eq!(r.params["demo"], Value::Null);
}
