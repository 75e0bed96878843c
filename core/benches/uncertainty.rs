//! `uncertainty` and `design` against docs/uncertainty.md §9 (release build, 2 cores):
//! default `uncertainty` run (< 150 ms; original 8.6 s), the S1 workload (< 50 ms), one
//! Monte-Carlo FRF evaluation (≤ 0.1 µs; original 29 µs), 1e6 MC evaluations (≈ 0.1 s),
//! `design` default, N = 1e5 sampling + outputs (< 20 ms) and the FIM with d = 4, J = 10,
//! N = 1e5 (< 0.5 s).

use std::time::Duration;

use cristallo_core::uncertainty::kernel::{unit_force_norm_sqr, Point};
use cristallo_core::{run, Cancel, Progress};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use serde_json::json;

// The allocator the server and the desktop app ship with (server/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench_uncertainty(c: &mut Criterion) {
    let (progress, cancel) = (Progress::none(), Cancel::new());
    let mut g = c.benchmark_group("uncertainty");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    let default = json!({});
    g.bench_function("default_run", |b| {
        b.iter(|| run("uncertainty", black_box(&default), &progress, &cancel).expect("runs"))
    });
    let tau = std::f64::consts::TAU;
    let s1 = json!({
        "freq_min_hz": 5.0 / tau, "freq_max_hz": 200.0 / tau, "n_freq": 200,
        "refine_peaks": false, "mc_samples": 50, "mc_sampling": "per_frequency",
        "methods": ["diagonal_grid", "monte_carlo"], "mc_quantiles_percent": [],
    });
    g.bench_function("s1_workload_diagonal30_mc50_200points", |b| {
        b.iter(|| run("uncertainty", black_box(&s1), &progress, &cancel).expect("runs"))
    });
    let mc = json!({
        "n_freq": 2, "refine_peaks": false, "mc_samples": 500_000,
        "methods": ["monte_carlo"], "mc_quantiles_percent": [],
    });
    g.bench_function("mc_1e6_evaluations", |b| {
        b.iter(|| run("uncertainty", black_box(&mc), &progress, &cancel).expect("runs"))
    });
    g.finish();

    // One evaluation: |X_i|² of the three floors for a unit force (what MC repeats).
    let points: Vec<Point> = (0..10_000)
        .map(|i| {
            let s = 1.0 + 0.1 * ((i as f64) * 0.618).fract() - 0.05;
            [
                53_600.0 * s,
                51_400.0,
                51_400.0 / s,
                3.85e8,
                4.46e8 * s,
                4.59e8,
                17e3,
                10.2e3,
                13.4e3,
            ]
        })
        .collect();
    let mut g = c.benchmark_group("uncertainty_kernel");
    g.throughput(Throughput::Elements(points.len() as u64));
    g.bench_function("frf_evaluation_one_core", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for p in &points {
                let x = unit_force_norm_sqr(p, black_box(112.78), 1);
                acc += x[0] + x[1] + x[2];
            }
            acc
        })
    });
    g.finish();
}

fn bench_design(c: &mut Criterion) {
    let (progress, cancel) = (Progress::none(), Cancel::new());
    let mut g = c.benchmark_group("design");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    let default = json!({});
    g.bench_function("default_run", |b| {
        b.iter(|| run("design", black_box(&default), &progress, &cancel).expect("runs"))
    });
    let sampling = json!({"n_samples": 100_000, "fisher": false, "frf_points": 2});
    g.bench_function("n1e5_sampling_and_outputs", |b| {
        b.iter(|| run("design", black_box(&sampling), &progress, &cancel).expect("runs"))
    });
    let fim = json!({"n_samples": 100_000, "outputs": ["x1", "x2", "x3", "s1"], "frf_points": 2});
    g.bench_function("fim_d4_j10_n1e5", |b| {
        b.iter(|| run("design", black_box(&fim), &progress, &cancel).expect("runs"))
    });
    let frf = json!({"n_samples": 2, "fisher": false});
    g.bench_function("nominal_frf_10000_points_plus_2_samples", |b| {
        b.iter(|| run("design", black_box(&frf), &progress, &cancel).expect("runs"))
    });
    g.finish();
}

criterion_group!(benches, bench_uncertainty, bench_design);
criterion_main!(benches);
