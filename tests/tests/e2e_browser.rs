//! End to end in a real browser: headless Chromium, driven through chromedriver by fantoccini,
//! against `cristallo serve` (the debug build). Run by `make test` with `--ignored`.

mod common;

use cristallo_tests::{artifacts_dir, Server, WebDriver};
use fantoccini::ClientBuilder;
use serde_json::json;

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_tmd_run_shows_reference_value_and_rejects_bad_mass() {
    let mut server = Server::start();
    let driver = WebDriver::chromedriver();
    let profile = std::env::temp_dir().join(format!(
        "cristallo-e2e-chromium-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1366,900",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let client = ClientBuilder::rustls()
        .expect("TLS roots for the WebDriver client")
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&driver.url)
        .await
        .expect("start a Chromium session");

    client
        .goto(&format!("{}#/tool/vibration-control", server.url))
        .await
        .expect("open the vibration-control page");
    let screenshot = common::run_tmd_and_check(&client).await;
    std::fs::write(artifacts_dir().join("browser-tmd.png"), &screenshot).unwrap();
    common::check_out_of_range_proof_mass(&client).await;
    let refused = client.screenshot().await.unwrap();
    std::fs::write(artifacts_dir().join("browser-out-of-range.png"), &refused).unwrap();

    server.assert_running();
    client.close().await.expect("end the session");
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
}
