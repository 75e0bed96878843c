//! End to end in a real browser for the `fea` tool: open `#/tool/fea`, set a coarse element
//! size (h = 1 in, ccx ~1 s), run, and check the mode table and the first y-sway frequency
//! against the reference `beam_shell_h1in.json` (copied in core/tests/fixtures/fea): 7.664179 Hz,
//! tolerance 2e-4 relative (fea.md §9). Needs CalculiX (`calculix-ccx`) on the PATH of the
//! server. Run by `make test` with `--ignored`.

use std::time::{Duration, Instant};

use cristallo_tests::{artifacts_dir, Server, WebDriver};
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use serde_json::json;

/// Reference: beam_shell_h1in.json, scalar `y_sway_frequency_1_hz`.
const Y_SWAY_1_HZ: f64 = 7.664179;
const PAGE_TIMEOUT: Duration = Duration::from_secs(60);

async fn wait_for(client: &Client, css: &str) -> Element {
    match client
        .wait()
        .at_most(PAGE_TIMEOUT)
        .every(Duration::from_millis(100))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(el) => el,
        Err(e) => {
            save_failure(client).await;
            panic!("no element `{css}` within {PAGE_TIMEOUT:?}: {e} (page saved in e2e-artifacts/fea-failure.*)")
        }
    }
}

async fn save_failure(client: &Client) {
    let dir = artifacts_dir();
    if let Ok(source) = client.source().await {
        let _ = std::fs::write(dir.join("fea-failure.html"), source);
    }
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(dir.join("fea-failure.png"), png);
    }
}

async fn text_of(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(el) => el.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn result_state(client: &Client) -> Option<String> {
    match client.find(Locator::Css("#result")).await {
        Ok(el) => el.attr("data-state").await.ok().flatten(),
        Err(_) => None,
    }
}

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_fea_coarse_run_shows_the_mode_table() {
    let mut server = Server::start();
    let driver = WebDriver::chromedriver();
    let profile = std::env::temp_dir().join(format!(
        "cristallo-e2e-fea-chromium-{}-{}",
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
        .goto(&format!("{}#/tool/fea", server.url))
        .await
        .expect("open the fea page");
    let h = wait_for(&client, "#param-element_size_m").await;
    h.clear().await.expect("clear element_size_m");
    h.send_keys("0.0254").await.expect("type 0.0254");
    wait_for(&client, "#run")
        .await
        .click()
        .await
        .expect("click #run");
    let start = Instant::now();
    let state = loop {
        match result_state(&client).await.as_deref() {
            Some("done") => break "done",
            Some("error") => break "error",
            _ => {}
        }
        if start.elapsed() > PAGE_TIMEOUT {
            save_failure(&client).await;
            panic!(
                "the fea run did not finish within {PAGE_TIMEOUT:?}: {:?}",
                text_of(&client, "#result-status").await
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    if state != "done" {
        save_failure(&client).await;
        panic!(
            "the fea run failed: status {:?}, form error {:?}",
            text_of(&client, "#result-status").await,
            text_of(&client, "#form-error").await
        );
    }

    // The mode table with at least three rows, labelled.
    wait_for(&client, r#"table[data-table="modes"]"#).await;
    let rows = client
        .find_all(Locator::Css(r#"table[data-table="modes"] tbody tr"#))
        .await
        .expect("mode rows");
    assert!(rows.len() >= 3, "{} mode rows", rows.len());
    let first_row = rows[0].text().await.unwrap_or_default();
    assert!(
        first_row.contains("y-sway 1"),
        "first mode row {first_row:?}"
    );
    wait_for(&client, r#"table[data-table="comparison"]"#).await;

    // The key scalar, at full precision.
    let cell = wait_for(
        &client,
        r#"tr[data-scalar="y_sway_frequency_1_hz"] td.scalar-value"#,
    )
    .await;
    let raw = cell
        .attr("data-value")
        .await
        .expect("read data-value")
        .expect("the scalar cell has a data-value attribute");
    let value: f64 = raw.trim().parse().expect("data-value is a number");
    assert!(
        ((value - Y_SWAY_1_HZ) / Y_SWAY_1_HZ).abs() <= 2e-4,
        "y_sway_frequency_1_hz on the page is {value}, expected {Y_SWAY_1_HZ}"
    );
    // The mode-shape plots are there too.
    wait_for(
        &client,
        r#"figure.plot[data-series*="y_sway_mode_shape_1"]"#,
    )
    .await;

    // The deck of the same parameters downloads without running the solver.
    client
        .execute(
            "window.__downloads = []; \
             HTMLAnchorElement.prototype.click = function () { \
               const name = this.download; \
               fetch(this.href).then((r) => r.text()).then((text) => window.__downloads.push({ name, text })); \
             }; return null;",
            vec![],
        )
        .await
        .expect("capture downloads");
    wait_for(&client, "#download-deck")
        .await
        .click()
        .await
        .expect("click #download-deck");
    let start = Instant::now();
    let download = loop {
        let v = client
            .execute("return window.__downloads[0] || null;", vec![])
            .await
            .expect("read the captured download");
        if !v.is_null() {
            break v;
        }
        assert!(start.elapsed() < PAGE_TIMEOUT, "no deck was downloaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(download["name"], "cristallo_frame.inp");
    let deck = download["text"].as_str().unwrap_or_default();
    for keyword in ["*NODE", "*FREQUENCY"] {
        assert!(deck.contains(keyword), "the deck lacks {keyword}");
    }
    // A bad element size is refused at the field, and nothing is downloaded.
    let h = wait_for(&client, "#param-element_size_m").await;
    h.clear().await.expect("clear element_size_m");
    h.send_keys("-1").await.expect("type -1");
    wait_for(&client, "#download-deck")
        .await
        .click()
        .await
        .expect("click #download-deck");
    let start = Instant::now();
    while text_of(&client, "#error-element_size_m")
        .await
        .trim()
        .is_empty()
    {
        assert!(
            start.elapsed() < PAGE_TIMEOUT,
            "no message next to element_size_m"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let count = client
        .execute("return window.__downloads.length;", vec![])
        .await
        .unwrap();
    assert_eq!(count, serde_json::json!(1), "a refused deck was downloaded");

    client
        .execute(
            "document.querySelector('table[data-table=\"modes\"]').scrollIntoView({block: 'center'}); return null;",
            vec![],
        )
        .await
        .expect("scroll to the mode table");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = client.screenshot().await.expect("take a screenshot");
    std::fs::write(artifacts_dir().join("browser-fea.png"), &png).unwrap();

    server.assert_running();
    client.close().await.expect("end the session");
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
}
