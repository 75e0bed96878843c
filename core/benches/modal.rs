//! `modal` with all defaults: 9901-point FRF of the three floors plus the modal analysis
//! (docs/simulator.md §8 target ≤ 2 ms, release build, one core). The JSON serialisation of that
//! result is measured separately: it is what an edge adds on top.

use cristallo_core::lumped::{magnitude_db, phase_deg, FrfType};
use cristallo_core::{run, Cancel, Progress};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::json;

// The allocator the server and the desktop app ship with (server/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench_modal(c: &mut Criterion) {
    let params = json!({});
    let (progress, cancel) = (Progress::none(), Cancel::new());
    c.bench_function("modal_default_9901_points", |b| {
        b.iter(|| run("modal", black_box(&params), &progress, &cancel).expect("modal runs"))
    });
    let model = cristallo_core::lumped::Profile::default().model();
    c.bench_function("modal_analysis_only", |b| {
        b.iter(|| black_box(&model).modal_analysis().expect("modes"))
    });
    let freqs: Vec<f64> = (0..9901).map(|i| 1.0 + i as f64 * 0.01).collect();
    c.bench_function("modal_frf_complex_only_9901", |b| {
        b.iter(|| {
            black_box(&model)
                .frf(1, FrfType::Receptance, black_box(&freqs), &cancel)
                .expect("frf")
        })
    });
    c.bench_function("modal_frf_db_phase_9901", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            model
                .frf_each(
                    1,
                    FrfType::Receptance,
                    black_box(&freqs),
                    &cancel,
                    |_, h| {
                        for z in h {
                            acc += magnitude_db(z) + phase_deg(z);
                        }
                    },
                )
                .expect("frf");
            acc
        })
    });
    let result = run("modal", &params, &progress, &cancel).expect("modal runs");
    c.bench_function("modal_default_result_to_json", |b| {
        b.iter(|| serde_json::to_string(black_box(&result)).expect("serialises"))
    });
}

criterion_group!(benches, bench_modal);
criterion_main!(benches);
