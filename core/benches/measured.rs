//! `model-update` and `crossval` (docs/measured.md §10 targets, release build): parse a 4096-line
//! FRF file < 2 ms; model-update on one file (1 185 bins) < 5 ms, on three files < 15 ms;
//! crossval with three 4000-line sources < 3 ms; a profile FRF of 3 801 points < 1 ms.
//! The original app's whole `/lpm_update` request took 78 ms. Shipped rig files are parsed once
//! per process; `model_update_one_uploaded_file` includes the parse.

use cristallo_core::lumped::{FrfType, LumpedModel};
use cristallo_core::measured::{files, rig_data};
use cristallo_core::{run, Cancel, Progress};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::json;

// The allocator the server and the desktop app ship with (server/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench_measured(c: &mut Criterion) {
    let (progress, cancel) = (Progress::none(), Cancel::new());
    let text = rig_data::rig_file("frfs/Experimental.csv").expect("embedded");
    c.bench_function("parse_frf_file_4096_lines", |b| {
        b.iter(|| files::parse_frf(black_box(text), "frfs[0].csv_text").expect("parses"))
    });
    let one = json!({"frfs": [{"rig_file": "frfs/Experimental.csv", "excitation_floor": 1}]});
    c.bench_function("model_update_one_file", |b| {
        b.iter(|| run("model-update", black_box(&one), &progress, &cancel).expect("runs"))
    });
    // The same file uploaded: parsed on every run (the shipped files are parsed once per
    // process).
    let uploaded = json!({"frfs": [{"csv_text": text, "excitation_floor": 1}]});
    c.bench_function("model_update_one_uploaded_file", |b| {
        b.iter(|| run("model-update", black_box(&uploaded), &progress, &cancel).expect("runs"))
    });
    let three = json!({});
    c.bench_function("model_update_three_files", |b| {
        b.iter(|| run("model-update", black_box(&three), &progress, &cancel).expect("runs"))
    });
    let cv_default = json!({});
    c.bench_function("crossval_default_four_sources", |b| {
        b.iter(|| run("crossval", black_box(&cv_default), &progress, &cancel).expect("runs"))
    });
    let cv_three = json!({"sources": [
        {"kind": "db_csv", "rig_file": "crossval/ExpDataSo.csv"},
        {"kind": "db_csv", "rig_file": "crossval/NumDataSw.csv"},
        {"kind": "db_csv", "rig_file": "crossval/NumDataSh.csv"},
    ]});
    c.bench_function("crossval_three_4000_line_sources", |b| {
        b.iter(|| run("crossval", black_box(&cv_three), &progress, &cancel).expect("runs"))
    });
    let model = LumpedModel::chain(
        &[5.189, 4.914, 4.811],
        &[39301.1, 46715.0, 37332.3],
        &[4.917, 0.954, 0.120],
    );
    let grid: Vec<f64> = (0..3801).map(|i| 2.0 + i as f64 * 0.01).collect();
    c.bench_function("profile_frf_3801_points", |b| {
        b.iter(|| {
            model
                .frf(1, FrfType::Accelerance, black_box(&grid), &cancel)
                .expect("frf")
        })
    });
}

criterion_group!(benches, bench_measured);
criterion_main!(benches);
