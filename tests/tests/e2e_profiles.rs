//! End to end in headless Chromium: a user imports a profile file on the Profiles hub, opens the
//! simulator, picks the profile in the "Model profile" select, runs, and the page's echoed
//! parameters show the profile's masses; deleting the profile on the hub can be undone. That
//! profiles survive a server restart is tested in server/tests/profiles.rs.

mod common;

use std::time::{Duration, Instant};

use cristallo_tests::{artifacts_dir, Server, WebDriver};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};

const MASSES_KG: [f64; 3] = [4.25, 4.5, 4.75];

/// Waits (bounded) until `script` (a JS expression) is truthy; panics with `what`.
async fn wait_until(client: &Client, script: &str, what: &str) {
    let start = Instant::now();
    loop {
        let v = client
            .execute(&format!("return Boolean({script});"), vec![])
            .await
            .expect("evaluate a condition");
        if v == Value::Bool(true) {
            return;
        }
        if start.elapsed() > common::PAGE_TIMEOUT {
            common::save_failure_evidence(client).await;
            panic!(
                "{what}: not true within {:?}: {script}",
                common::PAGE_TIMEOUT
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_imports_a_profile_and_runs_the_simulator_with_it() {
    let dir = std::env::temp_dir().join(format!("cristallo-e2e-profiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bench-rig.profile.json");
    let doc = json!({
        "schema": "cristallo.profile/1",
        "name": "e2e bench rig",
        "origin": {"kind": "manual"},
        "masses_kg": MASSES_KG,
        "stiffnesses_n_per_m": [38000.0, 42000.0, 41000.0],
        "dampings_ns_per_m": [3.0, 2.0, 1.0],
    });
    std::fs::write(&file, doc.to_string()).unwrap();

    let mut server = Server::start();
    let driver = WebDriver::chromedriver();
    let browser = common::Chromium::start(&driver).await;
    let client = &browser.client;

    // Import on the hub.
    client
        .goto(&format!("{}#/profiles", server.url))
        .await
        .expect("open the profiles hub");
    common::wait_for(client, r#"a[data-nav="profiles"][aria-current="page"]"#).await;
    let picker = common::wait_for(client, "#profile-import").await;
    picker
        .send_keys(&file.display().to_string())
        .await
        .expect("choose the profile file");
    let row = common::wait_for(client, "#profiles tr[data-profile-id]").await;
    let id = row
        .attr("data-profile-id")
        .await
        .unwrap()
        .expect("the row names its profile");
    assert!(
        common::text_of(client, "#profiles-status")
            .await
            .contains("Imported 'e2e bench rig'"),
        "{}",
        common::text_of(client, "#profiles-status").await
    );
    let name = common::text_of(
        client,
        &format!(r#"tr[data-profile-id="{id}"] .profile-name"#),
    )
    .await;
    assert_eq!(name, "e2e bench rig");

    // Delete, then undo within 30 s.
    common::wait_for(client, &format!(r#"button[data-delete-profile="{id}"]"#))
        .await
        .click()
        .await
        .unwrap();
    wait_until(
        client,
        "!document.querySelector('#profiles tr[data-profile-id]') && !document.getElementById('profile-undo-bar').hidden",
        "the deleted profile leaves the list and Undo is offered",
    )
    .await;
    common::wait_for(client, "#profile-undo")
        .await
        .click()
        .await
        .unwrap();
    common::wait_for(client, &format!(r#"#profiles tr[data-profile-id="{id}"]"#)).await;

    // Use it in the simulator.
    client
        .goto(&format!("{}#/tool/simulator", server.url))
        .await
        .expect("open the simulator");
    common::wait_for(client, &format!(r#"#profile-select option[value="{id}"]"#)).await;
    common::wait_for(client, "#profile-select")
        .await
        .select_by_value(&id)
        .await
        .expect("pick the profile");
    wait_until(
        client,
        &format!("document.getElementById('profile-select').dataset.applied === '{id}'"),
        "the profile fills the form",
    )
    .await;
    let masses = client
        .find(Locator::Css(r#"[id="param-profile.masses_kg"]"#))
        .await
        .expect("the masses field")
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    let shown: Vec<f64> = masses
        .split(',')
        .map(|s| s.trim().parse().expect("a number"))
        .collect();
    assert_eq!(shown, MASSES_KG, "masses field {masses:?}");
    let state = common::run_and_wait(client).await;
    assert_eq!(
        state,
        "done",
        "the simulator run failed: {:?} / {:?}",
        common::text_of(client, "#result-status").await,
        common::text_of(client, "#form-error").await
    );
    let echo = client
        .execute(
            "return document.querySelector('#result details.params-echo pre').textContent;",
            vec![],
        )
        .await
        .expect("read the echoed parameters");
    let params: Value = serde_json::from_str(echo.as_str().expect("text")).expect("JSON echo");
    assert_eq!(params["profile"]["masses_kg"], json!(MASSES_KG), "{params}");
    assert_eq!(params["profile"]["name"], "e2e bench rig");
    std::fs::write(
        artifacts_dir().join("browser-profile-simulator.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    server.assert_running();
    browser.close().await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&dir);
}
