//! Benchmarks of `vibration-control` (docs/control.md §8): the 9901-point uncontrolled sweep,
//! the parts of a run (device sweep, margin scan, LQG design) and each strategy's full
//! tool run.

use criterion::{criterion_group, criterion_main, Criterion};
use num_complex::Complex64;
use serde_json::json;

use cristallo_core::control::device::{Device, DeviceParams};
use cristallo_core::control::feedback::{max_stable_gains, plant, Feedback, OpenLoop};
use cristallo_core::control::lqg::{design, LqgWeights};
use cristallo_core::control::margins::crossings;
use cristallo_core::control::rig::structure;
use cristallo_core::control::sweep;
use cristallo_core::{run, Cancel, Progress};

// The allocator the server and the desktop app ship with (server/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn benches(c: &mut Criterion) {
    let _ = structure();
    let dp = DeviceParams {
        floor: 1,
        base_mass_kg: 0.5,
        proof_mass_kg: 1.0,
        stiffness_n_per_m: 1670.0,
        damping_ns_per_m: 5.0,
    };
    let dev = Device::new(dp);
    c.bench_function("uncontrolled_sweep_9901", |b| {
        b.iter(|| sweep::compute_uncontrolled_uncached().unwrap())
    });
    c.bench_function("device_sweep_9901", |b| {
        b.iter(|| sweep::with_device(&dev, |_, _| Complex64::new(50.0, 0.0)).unwrap())
    });
    let p = plant(&dev).unwrap();
    let fb = Feedback::Dvf { g0: 50.0 };
    let open_loop = OpenLoop {
        plant: &p,
        feedback: &fb,
    };
    c.bench_function("margin_scan_200001", |b| {
        b.iter(|| crossings(&open_loop, true))
    });
    c.bench_function("max_stable_gains_3_floors", |b| {
        b.iter(|| max_stable_gains(&dp, 10.0, None, None).unwrap())
    });
    let weights = LqgWeights {
        state_weight: 200.0,
        input_weight: 0.1,
        process_noise: 1.0,
        measurement_noise: 1e-8,
    };
    c.bench_function("lqg_design", |b| b.iter(|| design(&dev, &weights).unwrap()));
    for strategy in ["passive", "tmd", "dvf", "dvf_ec", "lqg"] {
        let params = json!({ "strategy": strategy });
        c.bench_function(&format!("run_{strategy}"), |b| {
            b.iter(|| {
                run(
                    "vibration-control",
                    &params,
                    &Progress::none(),
                    &Cancel::new(),
                )
                .unwrap()
            })
        });
    }
}

criterion_group!(control, benches);
criterion_main!(control);
