//! `simulator` and `recordings` benches against docs/simulator.md §8 (release build, one core):
//!
//! - FOH integration of 10 240 samples (5 s at 2048 Hz), one scenario, per excitation
//!   (≤ 1 ms; hammer with its pulse sub-steps ≤ 1.5 ms; noise incl. its FFT ≤ 1.5 ms);
//! - the whole default `simulator` run (integration, scalars, Welch, series);
//! - Monte-Carlo with 50 scenarios on one rayon thread (≤ 50 ms);
//! - Welch of 4 channels × 10 240 samples (≤ 0.3 ms);
//! - H1 of 4096 rows (≤ 1 ms) and of a 60 s / 1 kHz / 4-channel recording;
//! - CSV parse of 60 001 rows (≤ 30 ms).

use cristallo_core::recordings::csv::{parse_recording, KindHint, Recording};
use cristallo_core::recordings::demo::format_e9;
use cristallo_core::recordings::h1::h1;
use cristallo_core::simulator::integrate::Plant;
use cristallo_core::simulator::params::SimulatorParams;
use cristallo_core::simulator::welch::{welch_psd, Window};
use cristallo_core::simulator::{prepare_excitation, run_once};
use cristallo_core::{run, Cancel, Progress};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

// The allocator the server and the desktop app ship with (server/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn integration(c: &mut Criterion, name: &str, extra: Value) {
    let mut params = json!({"duration_s": 5.0, "sample_rate_hz": 2048});
    for (k, v) in extra.as_object().expect("object") {
        params[k] = v.clone();
    }
    let (p, _) = SimulatorParams::parse(&params).expect("params");
    let plant = Plant::new(p.profile.model(), p.force_floor).expect("plant");
    let cancel = Cancel::new();
    let is_noise = name == "noise";
    let prepared = prepare_excitation(&p).expect("force");
    c.bench_function(&format!("simulate_10240_{name}"), |b| {
        b.iter(|| {
            // The noise bench includes drawing the multisine (RNG + inverse FFT).
            let exc = if is_noise {
                prepare_excitation(black_box(&p)).expect("force")
            } else {
                prepared.clone()
            };
            run_once(
                &plant,
                &p.grid,
                &exc,
                p.initial_state,
                p.response,
                true,
                &cancel,
            )
            .expect("runs")
        })
    });
}

fn bench_simulator(c: &mut Criterion) {
    let table: Vec<f64> = (0..5000)
        .map(|i| ((i * 7919) % 101) as f64 - 50.0)
        .collect();
    for (name, extra) in [
        ("hammer", json!({"excitation": "hammer"})),
        ("impulse", json!({"excitation": "impulse"})),
        ("harmonic", json!({"excitation": "harmonic"})),
        ("noise", json!({"excitation": "noise"})),
        ("sweep_linear", json!({"excitation": "sweep"})),
        (
            "sweep_log",
            json!({"excitation": "sweep", "sweep_type": "logarithmic"}),
        ),
        (
            "table_5000_at_1khz",
            json!({"excitation": "table", "force_table_n": table}),
        ),
        (
            "none",
            json!({"excitation": "none", "initial_displacement_m": [0.01, 0, 0]}),
        ),
    ] {
        integration(c, name, extra);
    }
    let (progress, cancel) = (Progress::none(), Cancel::new());
    let params = json!({});
    c.bench_function("simulator_default_run", |b| {
        b.iter(|| run("simulator", black_box(&params), &progress, &cancel).expect("runs"))
    });
    let mc = json!({"n_scenarios": 50, "mass_std": 0.05, "stiffness_std": 500.0,
                    "damping_std": 0.5});
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let mut g = c.benchmark_group("monte_carlo");
    g.sample_size(10);
    g.bench_function("simulator_mc50_one_thread", |b| {
        b.iter(|| {
            pool.install(|| run("simulator", black_box(&mc), &progress, &cancel).expect("runs"))
        })
    });
    g.finish();

    let r = run("simulator", &params, &progress, &cancel).expect("runs");
    let ch: Vec<&[f64]> = r.series[..4].iter().map(|s| s.y.as_slice()).collect();
    c.bench_function("welch_4x10240_nperseg2048", |b| {
        b.iter(|| welch_psd(black_box(&ch), 2048.0, 2048).expect("welch"))
    });
}

fn recording_text(rows: usize, fs: f64) -> String {
    let mut s = String::from("t (s),a1 (m/s^2),a2 (m/s^2),a3 (m/s^2),force (N)\n");
    for i in 0..rows {
        let t = i as f64 / fs;
        let v = [
            t,
            (3.1 * t).sin(),
            (7.3 * t).cos(),
            (11.7 * t).sin(),
            ((i * 7919) % 101) as f64 - 50.0,
        ];
        let cells: Vec<String> = v.iter().map(|&x| format_e9(x)).collect();
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    s
}

fn bench_recordings(c: &mut Criterion) {
    let text = recording_text(60_001, 1000.0);
    c.bench_function("csv_parse_60001_rows", |b| {
        b.iter(|| parse_recording(black_box(&text), KindHint::Auto).expect("parses"))
    });
    let Ok(Recording::TimeHistory(th)) = parse_recording(&text, KindHint::Auto) else {
        panic!("time history expected")
    };
    c.bench_function("h1_60s_1khz_4ch_seg4s_50pct", |b| {
        b.iter(|| {
            h1(
                black_box(&th.force_n),
                [&th.response[0], &th.response[1], &th.response[2]],
                1000.0,
                4000,
                2000,
                Window::Hann,
            )
            .expect("h1")
        })
    });
    let n = 4096;
    c.bench_function("h1_4096_rows_seg1024_50pct", |b| {
        b.iter(|| {
            h1(
                black_box(&th.force_n[..n]),
                [
                    &th.response[0][..n],
                    &th.response[1][..n],
                    &th.response[2][..n],
                ],
                1000.0,
                1024,
                512,
                Window::Hann,
            )
            .expect("h1")
        })
    });
    let demo = json!({"demo": "noise"});
    let (progress, cancel) = (Progress::none(), Cancel::new());
    c.bench_function("recordings_demo_noise_run", |b| {
        b.iter(|| run("recordings", black_box(&demo), &progress, &cancel).expect("runs"))
    });
}

criterion_group!(benches, bench_simulator, bench_recordings);
criterion_main!(benches);
