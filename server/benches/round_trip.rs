//! What the user waits for, per tool (issue 15's table): a default run's whole round trip
//! in-process through the router (`oneshot`: routing, access guard, the run on the blocking
//! pool, the history write, the encoded body collected), JSON form beside the Arrow form; plus
//! the same over a real loopback socket for the vibration-control TMD run.
//!
//! Two regimes: `round_trip` sends the requests back to back, so each one also pays for the
//! background work the previous ones left (the history's checkpoints, docs/platform.md §4);
//! `click` times one request on an idle server (a pause longer than the checkpoint's quiet spell
//! before each), which is what a user clicking Run waits for.
//!
//! `cargo bench -p cristallo-server --bench round_trip` (or `make bench`).

use axum::body::Body;
use axum::http::{header, Request};
use cristallo_core::result::arrow::ARROW_STREAM_MEDIA_TYPE;
use cristallo_server::router;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use http_body_util::BodyExt;
use tower::ServiceExt;

mod common;
use common::fresh_platform;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The default runs of the issue's table: (bench name, tool id, request body).
const DEFAULT_RUNS: [(&str, &str, &str); 9] = [
    ("passive", "vibration-control", r#"{"strategy":"passive"}"#),
    ("tmd", "vibration-control", r#"{"strategy":"tmd"}"#),
    ("dvf", "vibration-control", r#"{"strategy":"dvf"}"#),
    ("dvf_ec", "vibration-control", r#"{"strategy":"dvf_ec"}"#),
    ("lqg", "vibration-control", r#"{"strategy":"lqg"}"#),
    ("modal", "modal", "{}"),
    (
        "model_update_one_rig_file",
        "model-update",
        r#"{"frfs":[{"rig_file":"frfs/Experimental.csv","excitation_floor":1}]}"#,
    ),
    ("simulator", "simulator", "{}"),
    ("uncertainty", "uncertainty", "{}"),
];

/// The two forms a client may ask for.
const FORMS: [(&str, &str); 2] = [
    ("json", "application/json"),
    ("arrow", ARROW_STREAM_MEDIA_TYPE),
];

fn in_process(c: &mut Criterion) {
    let (_dir, platform, runtime) = fresh_platform();
    let mut group = c.benchmark_group("round_trip");
    group.sample_size(20);
    for (name, tool, body) in DEFAULT_RUNS {
        for (form, accept) in FORMS {
            let app = router(platform.clone());
            group.bench_function(format!("{name}/{form}"), |b| {
                b.to_async(&runtime).iter(|| {
                    let app = app.clone();
                    async move {
                        let req = Request::post(format!("/api/tools/{tool}/run"))
                            .header(header::CONTENT_TYPE, "application/json")
                            .header(header::ACCEPT, accept)
                            .body(Body::from(body))
                            .unwrap();
                        let res = app.oneshot(req).await.unwrap();
                        assert!(res.status().is_success(), "{name}: {}", res.status());
                        res.into_body().collect().await.unwrap().to_bytes().len()
                    }
                })
            });
        }
    }
    group.finish();
}

/// The pause before each `click` request: longer than the history checkpoint's quiet spell.
const IDLE: Duration = Duration::from_millis(700);

fn click(c: &mut Criterion) {
    let (_dir, platform, runtime) = fresh_platform();
    let mut group = c.benchmark_group("click");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(100));
    for (name, tool, body) in DEFAULT_RUNS {
        let app = router(platform.clone());
        group.bench_function(format!("{name}/arrow"), |b| {
            b.iter_custom(|iters| {
                let mut waited = Duration::ZERO;
                for _ in 0..iters {
                    std::thread::sleep(IDLE);
                    let req = Request::post(format!("/api/tools/{tool}/run"))
                        .header(header::CONTENT_TYPE, "application/json")
                        .header(header::ACCEPT, ARROW_STREAM_MEDIA_TYPE)
                        .body(Body::from(body))
                        .unwrap();
                    let started = Instant::now();
                    let bytes = runtime.block_on(async {
                        let res = app.clone().oneshot(req).await.unwrap();
                        assert!(res.status().is_success(), "{name}: {}", res.status());
                        res.into_body().collect().await.unwrap().to_bytes().len()
                    });
                    waited += started.elapsed();
                    assert!(bytes > 0);
                }
                waited
            })
        });
    }
    group.finish();
}

fn loopback(c: &mut Criterion) {
    let (_dir, platform, runtime) = fresh_platform();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!(
        "http://{}/api/tools/vibration-control/run",
        listener.local_addr().unwrap()
    );
    runtime.spawn(async move { axum::serve(listener, router(platform)).await });
    let client = reqwest::Client::new();
    let mut group = c.benchmark_group("loopback");
    group.sample_size(20);
    for (form, accept) in FORMS {
        group.bench_function(format!("tmd/{form}"), |b| {
            b.to_async(&runtime).iter(|| {
                let (client, url) = (client.clone(), url.clone());
                async move {
                    let res = client
                        .post(url)
                        .header(header::CONTENT_TYPE, "application/json")
                        .header(header::ACCEPT, accept)
                        .body(r#"{"strategy":"tmd"}"#)
                        .send()
                        .await
                        .unwrap();
                    assert!(res.status().is_success());
                    res.bytes().await.unwrap().len()
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, in_process, click, loopback);
criterion_main!(benches);
