//! The walk-through (issue 10): in headless Chromium and in the Tauri window (Xvfb), open the
//! home page and every tool page, run each tool with its defaults, and check that a plot and
//! the tool's key scalar (finite) appear. Accessibility basics on every page: each form control
//! has an accessible name (also on the Profiles hub and the compare page), and the Run button is
//! reached and pressed with the keyboard alone.
//! Screenshots of every page go to `docs/screenshots/{front}-{page}.png` (CI keeps them as
//! artifacts; the README shows three of them).

mod common;

use std::time::{Duration, Instant};

use cristallo_tests::{binary, repo_root, Server, WebDriver};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};

/// Every tool of the platform with the scalar that sums up its default run.
const TOOLS: &[(&str, &str)] = &[
    ("modal", "natural_frequency_1_hz"),
    ("simulator", "force_peak_n"),
    ("recordings", "frf_peak_frequency_1_hz"),
    ("vibration-control", "kinetic_energy_reduction_db"),
    ("uncertainty", "monte_carlo_max_width_db"),
    ("design", "probability_at_target"),
    ("cbc", "fold_1_forcing_n"),
    ("fea", "natural_frequency_1_hz"),
    ("model-update", "natural_frequency_1_hz"),
    ("crossval", "source_2_mean_frac"),
];

/// Bound on a default run (fea solves a CalculiX model; the rest take well under a second).
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// Accessible names of the page's visible form controls: returns those without one.
const UNNAMED_CONTROLS: &str = r#"
const named = (e) => {
  if ((e.getAttribute('aria-label') || '').trim()) return true;
  const by = (e.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
  if (by.some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
  if (e.labels && [...e.labels].some((l) => l.textContent.trim())) return true;
  if (e.tagName === 'BUTTON' && e.textContent.trim()) return true;
  return Boolean((e.getAttribute('title') || '').trim());
};
return [...document.querySelectorAll('input, select, textarea, button')]
  .filter((e) => e.type !== 'hidden' && e.getClientRects().length > 0 && !named(e))
  .map((e) => e.id || e.name || e.outerHTML.slice(0, 100));
"#;

async fn goto_hash(client: &Client, hash: &str) {
    client
        .execute(
            "window.location.hash = arguments[0]; return null;",
            vec![json!(hash)],
        )
        .await
        .unwrap_or_else(|e| panic!("open {hash}: {e}"));
}

async fn assert_controls_named(client: &Client, page: &str) {
    let unnamed = client
        .execute(UNNAMED_CONTROLS, vec![])
        .await
        .expect("evaluate the accessible names");
    assert_eq!(
        unnamed,
        json!([]),
        "{page}: form controls without an accessible name"
    );
}

async fn save_screenshot(client: &Client, front: &str, page: &str) {
    let png = client.screenshot().await.expect("take a screenshot");
    let dir = repo_root().join("docs").join("screenshots");
    std::fs::create_dir_all(&dir).expect("create docs/screenshots");
    std::fs::write(dir.join(format!("{front}-{page}.png")), png).expect("save the screenshot");
}

async fn press(client: &Client, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(keys).await.expect("press a key");
}

/// From the top of the page, Tab until the Run button has focus (bounded), then Enter.
async fn run_with_keyboard(client: &Client, tool: &str) {
    client
        .execute(
            "document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); return null;",
            vec![],
        )
        .await
        .expect("reset the focus");
    let mut tabs = 0;
    loop {
        press(client, '\u{e004}').await;
        tabs += 1;
        let focused = client
            .execute(
                "return document.activeElement ? document.activeElement.id : '';",
                vec![],
            )
            .await
            .expect("read the focused element");
        if focused == json!("run") {
            break;
        }
        assert!(
            tabs < 400,
            "{tool}: the Run button was not reached with 400 Tab presses (last focus {focused})"
        );
    }
    press(client, '\u{e007}').await;
}

/// Waits until `#result` is done (or fails with the status shown).
async fn wait_done(client: &Client, tool: &str) {
    let start = Instant::now();
    loop {
        let state = match client.find(Locator::Css("#result")).await {
            Ok(el) => el.attr("data-state").await.ok().flatten(),
            Err(_) => None,
        };
        match state.as_deref() {
            Some("done") => return,
            Some("error") => {
                common::save_failure_evidence(client).await;
                panic!(
                    "{tool}: the default run failed: {:?} {:?}",
                    common::text_of(client, "#result-status").await,
                    common::text_of(client, "#form-error").await
                );
            }
            _ => {}
        }
        if start.elapsed() > RUN_TIMEOUT {
            common::save_failure_evidence(client).await;
            panic!("{tool}: no result within {RUN_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Home, then every tool: named controls, keyboard run, plot and key scalar, screenshot.
async fn walk_through(client: &Client, front: &str) {
    goto_hash(client, "#/").await;
    common::wait_for(client, "#twin-measured-fn").await;
    let shown = common::text_of(client, "#twin-measured-fn").await;
    assert!(
        shown.contains("6.50 Hz"),
        "home: measured frequencies {shown:?}"
    );
    for (tool, _) in TOOLS {
        common::wait_for(client, &format!(r#"a[data-tool="{tool}"]"#)).await;
    }
    assert_controls_named(client, "home").await;
    save_screenshot(client, front, "home").await;

    for (tool, key) in TOOLS {
        goto_hash(client, &format!("#/tool/{tool}")).await;
        common::wait_for(client, &format!(r#"[data-tool-page="{tool}"] #run"#)).await;
        assert_controls_named(client, tool).await;
        run_with_keyboard(client, tool).await;
        wait_done(client, tool).await;
        let value = common::scalar_value(client, key).await;
        assert!(value.is_finite(), "{tool}: {key} = {value}");
        let plots = client
            .execute(
                "return document.querySelectorAll('#result figure.plot svg, #result figure.plot canvas').length;",
                vec![],
            )
            .await
            .expect("count the plots");
        assert!(
            plots.as_u64().unwrap_or(0) >= 1,
            "{tool}: no plot drawn in the result ({plots})"
        );
        assert_controls_named(client, &format!("{tool} result")).await;
        client
            .execute(
                "document.querySelector('#result figure.plot').scrollIntoView({block: 'center'}); return null;",
                vec![],
            )
            .await
            .expect("scroll to the first plot");
        tokio::time::sleep(Duration::from_millis(300)).await;
        save_screenshot(client, front, tool).await;
    }

    // Settings: named controls; frequencies shown in rad/s convert the modal result.
    let hz = first_frequency(client, "natural_frequency_1_hz").await;
    goto_hash(client, "#/settings").await;
    common::wait_for(client, "#setting-frequency-unit")
        .await
        .select_by_value("rad_s")
        .await
        .expect("choose rad/s");
    common::wait_for(client, "#setting-share-port").await;
    assert_controls_named(client, "settings").await;
    save_screenshot(client, front, "settings").await;
    if front == "app" {
        // The desktop app can move its data directory (from the next start); a relative path
        // is refused at the field.
        let input = common::wait_for(client, "#setting-data-dir-next").await;
        input.clear().await.expect("clear the data directory");
        input.send_keys("relative/dir").await.expect("type a path");
        common::wait_for(client, "#data-dir-save")
            .await
            .click()
            .await
            .expect("save the data directory");
        let start = Instant::now();
        while !common::text_of(client, "#error-data_dir")
            .await
            .contains("absolute")
        {
            assert!(start.elapsed() < common::PAGE_TIMEOUT, "no data_dir error");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let rad = first_frequency(client, "natural_frequency_1_rad_per_s").await;
    assert!(
        (rad - 2.0 * std::f64::consts::PI * hz).abs() < 1e-9 * rad,
        "shown in rad/s: {rad}, computed in Hz: {hz}"
    );
    // The profile pages show their frequencies in the chosen unit as well.
    goto_hash(client, "#/profiles").await;
    let head = common::wait_for(client, "#profiles thead")
        .await
        .prop("textContent")
        .await
        .expect("the profiles table header")
        .unwrap_or_default();
    assert!(
        head.contains("Natural frequencies (rad/s)"),
        "profiles header in rad/s: {head}"
    );
    goto_hash(client, "#/settings").await;
    common::wait_for(client, "#setting-frequency-unit")
        .await
        .select_by_value("computed")
        .await
        .expect("back to the computed units");

    // Profiles: the hub and the compare page have named controls too.
    goto_hash(client, "#/profiles").await;
    common::wait_for(client, "#profile-import").await;
    assert_controls_named(client, "profiles").await;
    goto_hash(client, "#/profiles/compare").await;
    common::wait_for(client, "#compare-run").await;
    assert_controls_named(client, "profile compare").await;
}

/// Runs `modal` with its defaults (mouse) and reads scalar `key`.
async fn first_frequency(client: &Client, key: &str) -> f64 {
    goto_hash(client, "#/tool/modal").await;
    common::wait_for(client, r#"[data-tool-page="modal"] #run"#).await;
    assert_eq!(common::run_and_wait(client).await, "done");
    common::scalar_value(client, key).await
}

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_walks_through_every_tool() {
    let server = Server::start();
    let driver = WebDriver::chromedriver();
    let browser = common::Chromium::start(&driver).await;
    browser
        .client
        .goto(&server.url)
        .await
        .expect("open the host URL");
    walk_through(&browser.client, "browser").await;
    browser.close().await;
    drop(driver);
}

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn tauri_window_walks_through_every_tool() {
    let app = binary("cristallo-app");
    let driver = WebDriver::tauri_driver();
    let client = common::tauri_window(&driver, &app).await;
    walk_through(&client, "app").await;
    let _: Value = client
        .execute("return null;", vec![])
        .await
        .expect("the window is still alive");
    client.close().await.expect("end the session");
    drop(driver);
}
