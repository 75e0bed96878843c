//! The page flow shared by the browser and the Tauri e2e tests: run the vibration-control tool
//! with the TMD strategy, check the number the page shows against the reference, then check
//! that an out-of-range proof mass is refused with a message naming the field or the range.

// Each e2e test binary uses a part of these helpers.
#![allow(dead_code)]

pub mod profile_flow;

use std::time::{Duration, Instant};

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use serde_json::json;

/// Reference: the shared reference set, control/expected_results.json (copied in core/tests/fixtures/control), case `S2_tmd_default`,
/// scalar `kinetic_energy_reduction_db` = 4.367804770364474 (control.md §8 table: 4.367805).
pub const TMD_REDUCTION_DB: f64 = 4.367804770364474;
/// Tolerance of the check on the page (the value is read from `data-value`, full precision).
pub const TMD_TOLERANCE_DB: f64 = 1e-5;

/// Bound on every wait for the page.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// Waits for the element matching `css`, failing with the selector in the message.
pub async fn wait_for(client: &Client, css: &str) -> Element {
    match client
        .wait()
        .at_most(PAGE_TIMEOUT)
        .every(Duration::from_millis(100))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element,
        Err(e) => {
            save_failure_evidence(client).await;
            panic!("no element `{css}` within {PAGE_TIMEOUT:?}: {e} (page saved in e2e-artifacts/failure.*)")
        }
    }
}

/// Saves the page source and a screenshot to `e2e-artifacts/failure.{html,png}`.
pub async fn save_failure_evidence(client: &Client) {
    let dir = cristallo_tests::artifacts_dir();
    if let Ok(source) = client.source().await {
        let _ = std::fs::write(dir.join("failure.html"), source);
    }
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(dir.join("failure.png"), png);
    }
}

/// The current `data-state` of `#result` (None before the first run).
async fn result_state(client: &Client) -> Option<String> {
    match client.find(Locator::Css("#result")).await {
        Ok(el) => el.attr("data-state").await.ok().flatten(),
        Err(_) => None,
    }
}

/// Text of the element `css`, or an empty string if it is absent.
pub async fn text_of(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(el) => el.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Clicks Run and waits (bounded) until `#result` is `done` or `error`; returns the state.
pub async fn run_and_wait(client: &Client) -> String {
    wait_for(client, "#run")
        .await
        .click()
        .await
        .expect("click #run");
    let start = Instant::now();
    loop {
        match result_state(client).await.as_deref() {
            Some("done") => return "done".into(),
            Some("error") => return "error".into(),
            _ => {}
        }
        if start.elapsed() > PAGE_TIMEOUT {
            panic!(
                "#result did not reach data-state=done|error within {PAGE_TIMEOUT:?} (state {:?}, status {:?})",
                result_state(client).await,
                text_of(client, "#result-status").await
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs the TMD case on the vibration-control page (already open) and checks the kinetic
/// energy reduction shown. Returns a screenshot (PNG) of the page showing the result.
pub async fn run_tmd_and_check(client: &Client) -> Vec<u8> {
    let strategy = wait_for(client, "#param-strategy").await;
    strategy
        .select_by_value("tmd")
        .await
        .expect("select strategy tmd");
    let state = run_and_wait(client).await;
    assert_eq!(
        state,
        "done",
        "the TMD run failed: status {:?}, form error {:?}",
        text_of(client, "#result-status").await,
        text_of(client, "#form-error").await
    );
    let cell = wait_for(
        client,
        r#"tr[data-scalar="kinetic_energy_reduction_db"] td.scalar-value"#,
    )
    .await;
    let raw = cell
        .attr("data-value")
        .await
        .expect("read data-value")
        .expect("the scalar cell has a data-value attribute");
    let value: f64 = raw
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("data-value {raw:?} is not a number: {e}"));
    assert!(
        (value - TMD_REDUCTION_DB).abs() <= TMD_TOLERANCE_DB,
        "kinetic_energy_reduction_db on the page is {value}, expected {TMD_REDUCTION_DB} ± {TMD_TOLERANCE_DB}"
    );
    // The shown (rounded) text must be the same number too.
    let shown = cell.text().await.expect("read the shown value");
    assert!(
        shown.contains("4.36") || shown.contains("4.37"),
        "shown value {shown:?}"
    );

    // Bring the first plot (kinetic energy) into view for the screenshot, tables above it.
    client
        .execute(
            "(document.querySelector('figure.plot') || document.getElementById('result')).scrollIntoView({block: 'end'}); return null;",
            vec![],
        )
        .await
        .expect("scroll the result into view");
    tokio::time::sleep(Duration::from_millis(300)).await;
    client.screenshot().await.expect("take a screenshot")
}

/// Sets `proof_mass_kg` to -1, runs, and checks that the page refuses it with a message
/// that names the field or its valid range, and shows no result.
pub async fn check_out_of_range_proof_mass(client: &Client) {
    let input = wait_for(client, "#param-proof_mass_kg").await;
    input.clear().await.expect("clear proof_mass_kg");
    input.send_keys("-1").await.expect("type -1");
    let state = run_and_wait(client).await;
    assert_eq!(
        state, "error",
        "a proof mass of -1 kg must not give a result"
    );

    let start = Instant::now();
    let message = loop {
        let field = text_of(client, "#error-proof_mass_kg").await;
        let form = text_of(client, "#form-error").await;
        let message = if field.trim().is_empty() { form } else { field };
        if !message.trim().is_empty() || start.elapsed() > PAGE_TIMEOUT {
            break message;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        !message.trim().is_empty(),
        "no error message shown for proof_mass_kg = -1"
    );
    assert!(
        message.contains("proof_mass") || message.contains("range") || message.contains("(0, 10]"),
        "the error message names neither the field nor its range: {message:?}"
    );
    assert!(
        client
            .find(Locator::Css(
                r#"tr[data-scalar="kinetic_energy_reduction_db"]"#
            ))
            .await
            .is_err(),
        "a stale result is still shown after the refused run"
    );
}

/// A headless Chromium session (own throw-away profile directory, removed on drop).
pub struct Chromium {
    pub client: Client,
    profile: std::path::PathBuf,
}

impl Chromium {
    /// Starts Chromium through `driver` (chromedriver).
    pub async fn start(driver: &cristallo_tests::WebDriver) -> Chromium {
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
        Chromium { client, profile }
    }

    /// Ends the session and removes the profile.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The full-precision value of scalar `key` shown on the page.
pub async fn scalar_value(client: &Client, key: &str) -> f64 {
    let cell = wait_for(
        client,
        &format!(r#"tr[data-scalar="{key}"] td.scalar-value"#),
    )
    .await;
    let raw = cell
        .attr("data-value")
        .await
        .expect("read data-value")
        .unwrap_or_else(|| panic!("scalar {key} has no data-value"));
    raw.trim()
        .parse()
        .unwrap_or_else(|e| panic!("scalar {key}: data-value {raw:?} is not a number: {e}"))
}

/// Waits (bounded) until `css` matches an element whose attribute `attr` equals `value`.
pub async fn wait_for_attr(client: &Client, css: &str, attr: &str, value: &str) {
    let start = Instant::now();
    loop {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            if el.attr(attr).await.ok().flatten().as_deref() == Some(value) {
                return;
            }
        }
        if start.elapsed() > PAGE_TIMEOUT {
            save_failure_evidence(client).await;
            panic!("`{css}` did not get {attr}={value:?} within {PAGE_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A WebDriver session on the desktop app at `application` (through `driver`, tauri-driver).
pub async fn tauri_window(
    driver: &cristallo_tests::WebDriver,
    application: &std::path::Path,
) -> Client {
    let caps = json!({
        "browserName": "wry",
        "tauri:options": { "application": application.to_str().expect("a UTF-8 path") }
    });
    ClientBuilder::rustls()
        .expect("TLS roots for the WebDriver client")
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("start {} through tauri-driver: {e}", application.display()))
}
