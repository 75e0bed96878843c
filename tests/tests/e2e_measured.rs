//! End to end in a real browser (headless Chromium via chromedriver, `cristallo serve` debug
//! build): `model-update` with its defaults (the rig's three FRF files embedded in the binary),
//! then with a user's own FRF file uploaded through the file input of the first entry, and
//! `crossval` with its defaults. Run by `make test` with `--ignored`.
//!
//! Reference values (measured.md §4.4, shared reference set `measured/`, copied in
//! core/tests/fixtures/measured): `natural_frequency_1_hz` = 6.511879182 Hz from the three
//! files, 6.512211187 Hz from Experimental.csv alone; tolerance 1e-5 relative (§9).

#[allow(dead_code)]
mod common;

use std::time::{Duration, Instant};

use common::{save_failure_evidence, wait_for, PAGE_TIMEOUT};
use cristallo_tests::{repo_root, Server, WebDriver};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const F1_THREE_FILES_HZ: f64 = 6.511879182;
const F1_ONE_FILE_HZ: f64 = 6.512211187;
const F_REL_TOL: f64 = 1e-5;

async fn result_state(client: &Client) -> Option<String> {
    match client.find(Locator::Css("#result")).await {
        Ok(el) => el.attr("data-state").await.ok().flatten(),
        Err(_) => None,
    }
}

async fn text_of(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(el) => el.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Clicks Run and waits for `#result[data-state=done]`, failing with the page's messages.
async fn run_until_done(client: &Client) {
    // A previous result must not satisfy the wait: wait for the new run to start.
    wait_for(client, "#run")
        .await
        .click()
        .await
        .expect("click #run");
    let start = Instant::now();
    loop {
        match result_state(client).await.as_deref() {
            Some("done") => return,
            Some("error") => {
                save_failure_evidence(client).await;
                panic!(
                    "the run failed: status {:?}, form error {:?}",
                    text_of(client, "#result-status").await,
                    text_of(client, "#form-error").await
                );
            }
            _ => {}
        }
        if start.elapsed() > PAGE_TIMEOUT * 2 {
            save_failure_evidence(client).await;
            panic!("#result did not reach done within {:?}", PAGE_TIMEOUT * 2);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn scalar_on_page(client: &Client, key: &str) -> f64 {
    let cell = wait_for(
        client,
        &format!(r#"tr[data-scalar="{key}"] td.scalar-value"#),
    )
    .await;
    let raw = cell
        .attr("data-value")
        .await
        .expect("read data-value")
        .expect("the scalar cell has a data-value");
    raw.trim()
        .parse()
        .unwrap_or_else(|e| panic!("{key}: data-value {raw:?} is not a number: {e}"))
}

async fn click(client: &Client, css: &str) {
    wait_for(client, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

fn css_id(id: &str) -> String {
    format!(r#"[id="{id}"]"#)
}

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_model_update_and_crossval_on_rig_data() {
    let mut server = Server::start();
    let driver = WebDriver::chromedriver();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let profile = std::env::temp_dir().join(format!(
        "cristallo-e2e-measured-{}-{stamp}",
        std::process::id()
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

    // 1. model-update with the defaults: the rig's three files.
    client
        .goto(&format!("{}#/tool/model-update", server.url))
        .await
        .expect("open the model-update page");
    wait_for(&client, &css_id("param-frfs[2].excitation_floor")).await;
    run_until_done(&client).await;
    let f1 = scalar_on_page(&client, "natural_frequency_1_hz").await;
    assert!(
        (f1 - F1_THREE_FILES_HZ).abs() <= F_REL_TOL * F1_THREE_FILES_HZ,
        "natural_frequency_1_hz on the page is {f1}, expected {F1_THREE_FILES_HZ} (three rig files)"
    );
    wait_for(&client, "#plots figure.plot[data-series]").await;
    wait_for(&client, r#"table[data-table="lumped_model"]"#).await;

    // 2. A user's own file: a temporary copy of the rig's Experimental.csv, uploaded through the
    //    file input of entry 1 after removing entries 2 and 3 and clearing the rig-file choice.
    let upload = std::env::temp_dir().join(format!("cristallo-e2e-frf-{stamp}.csv"));
    std::fs::copy(repo_root().join("data/rig/frfs/Experimental.csv"), &upload).expect("temp copy");
    click(&client, &css_id("remove-frfs[2]")).await;
    click(&client, &css_id("remove-frfs[1]")).await;
    wait_for(&client, &css_id("param-frfs[0].rig_file"))
        .await
        .select_by_value("")
        .await
        .expect("clear the rig file of entry 1");
    let file_input = wait_for(
        &client,
        &format!(
            r#"{} input[type="file"], input[type="file"]{}"#,
            css_id("field-frfs[0].csv_text"),
            css_id("param-frfs[0].csv_text")
        ),
    )
    .await;
    file_input
        .send_keys(upload.to_str().expect("utf-8 temp path"))
        .await
        .expect("choose the file");
    // The file is read asynchronously into the parameter value.
    tokio::time::sleep(Duration::from_millis(500)).await;
    run_until_done(&client).await;
    let start = Instant::now();
    let f1 = loop {
        let f1 = scalar_on_page(&client, "natural_frequency_1_hz").await;
        if (f1 - F1_ONE_FILE_HZ).abs() <= F_REL_TOL * F1_ONE_FILE_HZ
            || start.elapsed() > PAGE_TIMEOUT
        {
            break f1;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        (f1 - F1_ONE_FILE_HZ).abs() <= F_REL_TOL * F1_ONE_FILE_HZ,
        "natural_frequency_1_hz after the upload is {f1}, expected {F1_ONE_FILE_HZ} (one file)"
    );
    wait_for(&client, "#plots figure.plot[data-series]").await;
    let _ = std::fs::remove_file(&upload);

    // 3. crossval with the defaults: the peaks table appears.
    client
        .goto(&format!("{}#/tool/crossval", server.url))
        .await
        .expect("open the crossval page");
    wait_for(&client, &css_id("param-sources[3].label")).await;
    run_until_done(&client).await;
    wait_for(&client, r#"table[data-table="peaks"]"#).await;
    wait_for(&client, r#"table[data-table="metrics"]"#).await;

    server.assert_running();
    client.close().await.expect("end the session");
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
}
