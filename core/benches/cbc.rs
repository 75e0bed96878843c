//! `cbc` with default parameters per mode (docs/cbc.md §8 targets, release build, one core):
//! exact S-curve ≤ 150 ms, exact FRC 4–50 rad/s ≤ 300 ms, continuation ≤ 0.7 s (ceiling 2 s),
//! frequency sweep ≤ 0.3 s, amplitude sweep ≤ 0.1 s, one shooting Newton iteration (one
//! period: the exact 512-step map plus, when the chord Jacobian is refreshed, the 128-step
//! variational equations) ≤ 100 µs. The original app took 71 s (CBC), 17 s
//! (frequency sweep) and 12 s (amplitude sweep). The default runs add the exact curve under the
//! experiment (`overlay_exact`), measured separately.

use std::time::Duration;

use cristallo_core::cbc::model::{PeriodMap, Sensitivity, Structure};
use cristallo_core::{run, Cancel, Progress};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

// The allocator the server and the desktop app ship with (server/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn run_cbc(params: &Value) {
    run("cbc", params, &Progress::none(), &Cancel::new()).expect("cbc runs");
}

fn bench_period(c: &mut Criterion) {
    let map = PeriodMap::open_loop(Structure::default(), 16.0, 65.0);
    let y0 = [0.9, 1.5, 2.0, 1.0, -2.0, 0.5];
    c.bench_function("cbc_one_period_plain_512_steps", |b| {
        b.iter(|| map.integrate(black_box(&y0), 1).expect("finite"))
    });
    c.bench_function("cbc_jacobian_period_with_variational", |b| {
        b.iter(|| {
            map.linearise(black_box(&y0), Sensitivity::Forcing)
                .expect("finite")
        })
    });
}

fn bench_modes(c: &mut Criterion) {
    let mut g = c.benchmark_group("cbc_default_runs");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for (name, params) in [
        ("exact_s_curve", json!({"mode": "exact"})),
        (
            "exact_frc_4_50",
            json!({"mode": "exact", "curve": "frc", "frequency_min_rad_s": 4.0}),
        ),
        // The experiments alone (the spec's targets), then with the exact overlay (default).
        ("continuation", json!({"overlay_exact": false})),
        (
            "frequency_sweep",
            json!({"mode": "frequency_sweep", "overlay_exact": false}),
        ),
        (
            "amplitude_sweep",
            json!({"mode": "amplitude_sweep", "overlay_exact": false}),
        ),
        ("continuation_with_exact_overlay", json!({})),
        (
            "frequency_sweep_with_exact_overlay",
            json!({"mode": "frequency_sweep"}),
        ),
    ] {
        g.bench_function(name, |b| b.iter(|| run_cbc(black_box(&params))));
    }
    g.finish();
}

criterion_group!(benches, bench_period, bench_modes);
criterion_main!(benches);
