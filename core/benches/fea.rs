//! Benchmarks of the `fea` tool (docs/fea.md §8): deck generation (beam_shell and solid defaults),
//! `job.dat` parsing, and one full solve of the coarse beam_shell model (h = 1 in) when
//! CalculiX is installed. Targets: deck ≤ 2 ms (beam_shell) / ≤ 30 ms (solid), parsing ≤ 0.1 ms.

use std::hint::black_box;

use cristallo_core::fea::{self, FeaParams, Model, Solver};
use cristallo_core::{Cancel, Progress};
use criterion::{criterion_group, criterion_main, Criterion};

// The allocator the server and the desktop app ship with (server/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DAT: &str = include_str!("../tests/fixtures/fea/default_beam_shell.dat");

fn decks(c: &mut Criterion) {
    let beam = FeaParams::default();
    c.bench_function("fea_deck_beam_shell", |b| {
        b.iter(|| fea::build_deck(black_box(&beam)).unwrap())
    });
    let solid = FeaParams {
        model: Model::Solid,
        ..FeaParams::default()
    };
    let mut g = c.benchmark_group("fea_solid");
    g.sample_size(20);
    g.bench_function("fea_deck_solid", |b| {
        b.iter(|| fea::build_deck(black_box(&solid)).unwrap())
    });
    g.finish();
}

fn parse(c: &mut Criterion) {
    c.bench_function("fea_parse_dat", |b| {
        b.iter(|| fea::parse_dat(black_box(DAT), Some(6), 3).unwrap())
    });
}

fn solve(c: &mut Criterion) {
    let Ok(program) = Solver::locate() else {
        eprintln!("fea_solve_h1in: CalculiX (ccx) not found, solve benchmark not run");
        return;
    };
    let p = FeaParams {
        element_size_m: 0.0254,
        ..FeaParams::default()
    };
    let echo = p.to_value();
    let mut g = c.benchmark_group("fea_solve");
    g.sample_size(10);
    g.bench_function("fea_solve_h1in", |b| {
        b.iter(|| {
            fea::analyse(
                &p,
                echo.clone(),
                Some(&program),
                &Progress::none(),
                &Cancel::new(),
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, decks, parse, solve);
criterion_main!(benches);
