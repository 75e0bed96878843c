//! The walk-through (issue 10): in headless Chromium and in the Tauri window (Xvfb), open the
//! home page and every tool page, run each tool with its defaults, and check that a plot and
//! the tool's key scalar (finite) appear. The tools are those of the catalogue
//! (`cristallo_core::catalogue()`, and the server's `GET /api/tools` agrees): a new tool is
//! visited by itself. Accessibility basics on every page: each form control has an accessible
//! name (also on the Profiles hub and the compare page), and the Run button is reached and
//! pressed with the keyboard alone.
//! Screenshots of every page go to `docs/screenshots/{front}-{page}.png` (CI keeps them as
//! artifacts; the README shows three of them).

mod common;

use std::time::Duration;

use common::{
    assert_done, fetch_json, field_error, open, open_tool, run_done, scalar_value, scroll_to,
    text_of, wait_for, wait_for_result, BrowserTest, TauriTest,
};
use cristallo_tests::repo_root;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::Client;
use serde_json::{json, Value};

/// The scalar that sums up a tool's default run, by tool id. A tool of the catalogue missing
/// here is still visited: its first scalar shown must then be finite.
const KEY_SCALARS: &[(&str, &str)] = &[
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

/// Ids of the catalogue's tools, in the catalogue's order.
fn catalogue_ids() -> Vec<&'static str> {
    cristallo_core::catalogue().iter().map(|t| t.id).collect()
}

/// The scalar read after the default run of `tool`: its key scalar, or for a tool without one
/// in `KEY_SCALARS` the first scalar the page shows.
async fn key_scalar(client: &Client, tool: &str) -> String {
    if let Some((_, key)) = KEY_SCALARS.iter().find(|(id, _)| *id == tool) {
        return (*key).to_string();
    }
    wait_for(client, "#result tr[data-scalar]")
        .await
        .attr("data-scalar")
        .await
        .expect("read data-scalar")
        .unwrap_or_else(|| panic!("{tool}: a scalar row without its key"))
}

/// Opens `tool`, checks its named controls, runs it with its defaults from the keyboard, and
/// checks its key scalar (finite), its first plot and the named controls of the result.
async fn visit_tool(client: &Client, front: &str, tool: &str) {
    open_tool(client, tool).await;
    assert_controls_named(client, tool).await;
    run_with_keyboard(client, tool).await;
    let state = wait_for_result(client, RUN_TIMEOUT).await;
    assert_done(client, &state, &format!("{tool}: the default run")).await;
    let key = key_scalar(client, tool).await;
    let value = scalar_value(client, &key).await;
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
    scroll_to(client, "#result figure.plot", "center").await;
    save_screenshot(client, front, tool).await;
}

/// Home, then every tool: named controls, keyboard run, plot and key scalar, screenshot.
async fn walk_through(client: &Client, front: &str) {
    open(client, "#/").await;
    wait_for(client, "#twin-measured-fn").await;
    let shown = text_of(client, "#twin-measured-fn").await;
    assert!(
        shown.contains("6.50 Hz"),
        "home: measured frequencies {shown:?}"
    );
    let tools = catalogue_ids();
    for (id, _) in KEY_SCALARS {
        assert!(
            tools.contains(id),
            "KEY_SCALARS names {id}, not a tool of the catalogue"
        );
    }
    for tool in &tools {
        wait_for(client, &format!(r#"a[data-tool="{tool}"]"#)).await;
    }
    assert_controls_named(client, "home").await;
    save_screenshot(client, front, "home").await;

    // Every tool of the catalogue, KEY_SCALARS or not: a new tool is visited by itself.
    for tool in &tools {
        visit_tool(client, front, tool).await;
    }

    // Settings: named controls; frequencies shown in rad/s convert the modal result.
    let hz = first_frequency(client, "natural_frequency_1_hz").await;
    open(client, "#/settings").await;
    wait_for(client, "#setting-frequency-unit")
        .await
        .select_by_value("rad_s")
        .await
        .expect("choose rad/s");
    wait_for(client, "#setting-share-port").await;
    assert_controls_named(client, "settings").await;
    save_screenshot(client, front, "settings").await;
    if front == "app" {
        // The desktop app can move its data directory (from the next start); a relative path
        // is refused at the field.
        let input = wait_for(client, "#setting-data-dir-next").await;
        input.clear().await.expect("clear the data directory");
        input.send_keys("relative/dir").await.expect("type a path");
        wait_for(client, "#data-dir-save")
            .await
            .click()
            .await
            .expect("save the data directory");
        let message = field_error(client, "data_dir").await;
        assert!(message.contains("absolute"), "data_dir error {message:?}");
    }
    let rad = first_frequency(client, "natural_frequency_1_rad_per_s").await;
    assert!(
        (rad - 2.0 * std::f64::consts::PI * hz).abs() < 1e-9 * rad,
        "shown in rad/s: {rad}, computed in Hz: {hz}"
    );
    // The profile pages show their frequencies in the chosen unit as well.
    open(client, "#/profiles").await;
    let head = wait_for(client, "#profiles thead")
        .await
        .prop("textContent")
        .await
        .expect("the profiles table header")
        .unwrap_or_default();
    assert!(
        head.contains("Natural frequencies (rad/s)"),
        "profiles header in rad/s: {head}"
    );
    open(client, "#/settings").await;
    wait_for(client, "#setting-frequency-unit")
        .await
        .select_by_value("computed")
        .await
        .expect("back to the computed units");

    // Profiles: the hub and the compare page have named controls too.
    open(client, "#/profiles").await;
    wait_for(client, "#profile-import").await;
    assert_controls_named(client, "profiles").await;
    open(client, "#/profiles/compare").await;
    wait_for(client, "#compare-run").await;
    assert_controls_named(client, "profile compare").await;
}

/// Runs `modal` with its defaults (mouse) and reads scalar `key`.
async fn first_frequency(client: &Client, key: &str) -> f64 {
    open_tool(client, "modal").await;
    run_done(client, "modal").await;
    scalar_value(client, key).await
}

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_walks_through_every_tool() {
    let test = BrowserTest::start("").await;
    // The server serves the same catalogue the walk-through visits.
    let served = fetch_json(&test.client, "/api/tools").await;
    let served: Vec<&str> = served
        .as_array()
        .unwrap_or_else(|| panic!("GET /api/tools answered {served}"))
        .iter()
        .map(|t| t["id"].as_str().expect("a tool id"))
        .collect();
    assert_eq!(served, catalogue_ids(), "GET /api/tools");
    walk_through(&test.client, "browser").await;
    test.finish().await;
}

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn tauri_window_walks_through_every_tool() {
    let test = TauriTest::start().await;
    walk_through(&test.client, "app").await;
    let _: Value = test
        .client
        .execute("return null;", vec![])
        .await
        .expect("the window is still alive");
    test.finish().await;
}
