//! End to end in a real browser: headless Chromium, driven through chromedriver by fantoccini,
//! against `cristallo serve` (the debug build). Run by `make test` with `--ignored`.

mod common;

use cristallo_tests::{artifacts_dir, Server, WebDriver};

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_tmd_run_shows_reference_value_and_rejects_bad_mass() {
    let mut server = Server::start();
    let driver = WebDriver::chromedriver();
    let browser = common::Chromium::start(&driver).await;
    let client = &browser.client;
    client
        .goto(&format!("{}#/tool/vibration-control", server.url))
        .await
        .expect("open the vibration-control page");
    let screenshot = common::run_tmd_and_check(client).await;
    std::fs::write(artifacts_dir().join("browser-tmd.png"), &screenshot).unwrap();
    common::check_out_of_range_proof_mass(client).await;
    let refused = client.screenshot().await.unwrap();
    std::fs::write(artifacts_dir().join("browser-out-of-range.png"), &refused).unwrap();

    server.assert_running();
    browser.close().await;
    drop(driver);
}
