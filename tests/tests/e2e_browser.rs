//! End to end in a real browser: headless Chromium, driven through chromedriver by fantoccini,
//! against `cristallo serve` (the debug build). Run by `make test` with `--ignored`.

mod common;

use common::{screenshot, tmd_flow, BrowserTest};

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_tmd_run_shows_reference_value_and_rejects_bad_mass() {
    let test = BrowserTest::start("#/tool/vibration-control").await;
    let client = &test.client;
    tmd_flow::run_tmd_and_check(client, "browser-tmd.png").await;
    tmd_flow::check_out_of_range_proof_mass(client).await;
    screenshot(client, "browser-out-of-range.png").await;
    test.finish().await;
}
