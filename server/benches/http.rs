//! HTTP round trips through the whole router (`oneshot`: routing, access guard, JSON parsing,
//! the run on the blocking pool, the history write, serialisation and gzip), in-process.

use axum::body::Body;
use axum::http::{header, Request};
use cristallo_server::router;
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::BodyExt;
use tower::ServiceExt;

mod common;
use common::fresh_platform;

fn round_trips(c: &mut Criterion) {
    let (_dir, platform, runtime) = fresh_platform();
    let mut group = c.benchmark_group("http");
    group.sample_size(20);
    let tmd = r#"{"strategy":"tmd"}"#;
    for (name, tool, body, encoding) in [
        ("tools_list", "", "", None),
        ("modal_100_points", "modal", r#"{"f_step_hz": 1.0}"#, None),
        (
            "vibration_control_tmd_plain",
            "vibration-control",
            tmd,
            None,
        ),
        (
            "vibration_control_tmd_gzip",
            "vibration-control",
            tmd,
            Some("gzip"),
        ),
        (
            "vibration_control_tmd_zstd",
            "vibration-control",
            tmd,
            Some("zstd"),
        ),
    ] {
        let app = router(platform.clone());
        group.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| {
                let app = app.clone();
                async move {
                    let mut req = if tool.is_empty() {
                        Request::get("/api/tools")
                    } else {
                        Request::post(format!("/api/tools/{tool}/run"))
                            .header(header::CONTENT_TYPE, "application/json")
                    };
                    if let Some(encoding) = encoding {
                        req = req.header(header::ACCEPT_ENCODING, encoding);
                    }
                    let res = app
                        .oneshot(req.body(Body::from(body)).unwrap())
                        .await
                        .unwrap();
                    assert!(res.status().is_success());
                    res.into_body().collect().await.unwrap().to_bytes().len()
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, round_trips);
criterion_main!(benches);
