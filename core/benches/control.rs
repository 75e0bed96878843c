//! Benchmarks of `vibration-control` (control.md §8): the 9901-point uncontrolled sweep and
//! each strategy's full tool run.

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;

use cristallo_core::control::rig::structure;
use cristallo_core::control::sweep;
use cristallo_core::{run, Cancel, Progress};

fn benches(c: &mut Criterion) {
    let _ = structure();
    c.bench_function("uncontrolled_sweep_9901", |b| {
        b.iter(|| sweep::compute_uncontrolled_uncached().unwrap())
    });
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
