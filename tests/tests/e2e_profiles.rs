//! End to end in headless Chromium: a user imports a profile file on the Profiles hub, opens the
//! simulator, picks the profile in the "Model profile" select, runs, and the page's echoed
//! parameters show the profile's masses; deleting the profile on the hub can be undone. That
//! profiles survive a server restart is tested in server/tests/profiles/.

mod common;

use common::profile_flow::{assert_close, model_update_to_simulator, pick};
use common::{
    attr_value, click, echoed_params, run_and_wait, run_done, scalar_value, screenshot, text_of,
    wait_for, wait_for_attr, wait_until, BrowserTest,
};
use cristallo_tests::TempDir;
use fantoccini::Locator;
use serde_json::{json, Value};

const MASSES_KG: [f64; 3] = [4.25, 4.5, 4.75];

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_imports_a_profile_and_runs_the_simulator_with_it() {
    let dir = TempDir::new("profiles");
    let file = dir.path().join("bench-rig.profile.json");
    let doc = json!({
        "schema": "cristallo.profile/1",
        "name": "e2e bench rig",
        "origin": {"kind": "manual"},
        "masses_kg": MASSES_KG,
        "stiffnesses_n_per_m": [38000.0, 42000.0, 41000.0],
        "dampings_ns_per_m": [3.0, 2.0, 1.0],
    });
    std::fs::write(&file, doc.to_string()).unwrap();

    // Import on the hub.
    let test = BrowserTest::start("#/profiles").await;
    let client = &test.client;
    wait_for(client, r#"a[data-nav="profiles"][aria-current="page"]"#).await;
    let picker = wait_for(client, "#profile-import").await;
    picker
        .send_keys(&file.display().to_string())
        .await
        .expect("choose the profile file");
    let id = attr_value(client, "#profiles tr[data-profile-id]", "data-profile-id").await;
    assert!(
        text_of(client, "#profiles-status")
            .await
            .contains("Imported 'e2e bench rig'"),
        "{}",
        text_of(client, "#profiles-status").await
    );
    let name = text_of(
        client,
        &format!(r#"tr[data-profile-id="{id}"] .profile-name"#),
    )
    .await;
    assert_eq!(name, "e2e bench rig");

    // Delete, then undo within 30 s.
    wait_for(client, &format!(r#"button[data-delete-profile="{id}"]"#))
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
    wait_for(client, "#profile-undo")
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, &format!(r#"#profiles tr[data-profile-id="{id}"]"#)).await;
    screenshot(client, "browser-profiles-hub.png").await;

    // Use it in the simulator.
    test.goto("#/tool/simulator").await;
    pick(client, &id).await;
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
    run_done(client, "the simulator run").await;
    let params = echoed_params(client).await;
    assert_eq!(params["profile"]["masses_kg"], json!(MASSES_KG), "{params}");
    assert_eq!(params["profile"]["name"], "e2e bench rig");
    let simulated_f1 = scalar_value(client, "natural_frequency_1_hz").await;

    // The same profile in vibration-control replaces the rig's geometry model.
    test.goto("#/tool/vibration-control").await;
    pick(client, &id).await;
    assert_eq!(run_and_wait(client).await, "done");
    let controlled_f1 = scalar_value(client, "natural_frequency_1_hz").await;
    assert!(
        (controlled_f1 - simulated_f1).abs() <= 1e-9 * simulated_f1,
        "vibration-control f1 {controlled_f1} vs simulator f1 {simulated_f1} for one profile"
    );
    screenshot(client, "browser-profile-simulator.png").await;

    test.finish().await;
}

/// issue 6 "Must show": model-update with its defaults, "Save as profile" on the result, the
/// simulator run with that profile picked (the echo holds the identified chain), and the
/// profile compared with a measured FRF on the compare page.
#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_saves_a_model_update_result_as_a_profile_and_simulates_it() {
    // 1. model-update with the defaults, saved as a profile, simulated with it.
    let test = BrowserTest::start("").await;
    let client = &test.client;
    let identified = model_update_to_simulator(client, "e2e identified rig").await;
    let (id, masses) = (identified.id, identified.masses);
    screenshot(client, "browser-profile-from-model-update.png").await;

    // 2. The hub lists it as a model-update profile.
    test.goto("#/profiles").await;
    wait_for(
        client,
        &format!(r#"tr[data-profile-id="{id}"] td[data-origin="model-update"]"#),
    )
    .await;

    // 3. Its page shows the identified chain and modes.
    test.goto(&format!("#/profiles/{id}")).await;
    let m1 = attr_value(
        client,
        r#"#profile-model tr[data-floor="1"] td[data-value]"#,
        "data-value",
    )
    .await;
    assert_close(
        &[m1.parse().unwrap()],
        &masses[..1],
        "m1 on the profile page",
    );
    wait_for(client, r#"#profile-modal tr[data-mode="3"]"#).await;
    screenshot(client, "browser-profile-page.png").await;
    wait_for(client, r##"#profile-origin a[href^="#/run/"]"##).await;
    // Its measured files were kept by SHA-256 (docs/measured.md §7): re-plot it against the first.
    wait_for(client, "#profile-source").await;
    wait_for(client, "#profile-replot")
        .await
        .click()
        .await
        .expect("re-plot against the measured FRF");
    wait_for_attr(client, "#result", "data-state", "done").await;
    wait_for(client, "#result figure.plot").await;
    client
        .execute(
            "document.getElementById('profile-measured-title').scrollIntoView(); return null;",
            vec![],
        )
        .await
        .expect("scroll to the measured data");
    screenshot(client, "browser-profile-measured.png").await;
    let status = text_of(client, "#profile-replot-status").await;
    assert!(
        status.contains("Experimental.csv"),
        "re-plot status: {status}"
    );

    // 4. Compare the profile with the measured FRF it came from (crossval by profile_id).
    test.goto("#/profiles/compare").await;
    wait_for(
        client,
        &format!(r#"input[data-compare-profile="{id}"]:checked"#),
    )
    .await;
    wait_for(client, "#compare-measured")
        .await
        .select_by_value("frfs/Experimental.csv")
        .await
        .expect("choose the measured file");
    click(client, "#compare-run").await;
    wait_until(
        client,
        "['done', 'error'].includes(document.getElementById('result').dataset.state)",
        "the comparison ends",
    )
    .await;
    assert_eq!(
        client
            .execute(
                "return document.getElementById('result').dataset.state;",
                vec![]
            )
            .await
            .unwrap(),
        "done",
        "compare failed: {:?}",
        text_of(client, "#compare-status").await
    );
    wait_for(client, "#plots figure.plot").await;
    wait_for(client, r#"table#profile-diff tr[data-quantity="f1"]"#).await;
    let params = echoed_params(client).await;
    assert_eq!(params["sources"][0]["rig_file"], "frfs/Experimental.csv");
    assert_eq!(params["sources"][1]["kind"], "profile");
    assert_close(
        &params["sources"][1]["profile"]["masses_kg"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect::<Vec<_>>(),
        &masses,
        "compared profile's masses",
    );
    screenshot(client, "browser-profile-compare.png").await;

    test.finish().await;
}

/// Imports two profiles, renames one on the hub (a blank name is refused naming the field) and
/// compares them: the Δ table holds the differences from the reference, crossval the overlay.
#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_renames_and_compares_two_profiles() {
    let dir = TempDir::new("compare");
    let doc = |name: &str, m1: f64| {
        json!({
            "schema": "cristallo.profile/1", "name": name, "origin": {"kind": "manual"},
            "masses_kg": [m1, 5.0, 5.0], "stiffnesses_n_per_m": [40000.0, 40000.0, 40000.0],
            "dampings_ns_per_m": [2.0, 2.0, 2.0],
        })
    };
    let test = BrowserTest::start("#/profiles").await;
    let client = &test.client;
    for (name, m1) in [("base rig", 5.0), ("heavy rig", 5.5)] {
        let file = dir.path().join(format!("{}.json", name.replace(' ', "-")));
        std::fs::write(&file, doc(name, m1).to_string()).unwrap();
        wait_for(client, "#profile-import")
            .await
            .send_keys(&file.display().to_string())
            .await
            .unwrap();
        wait_until(
            client,
            &format!("document.getElementById('profiles-status').textContent.includes(\"Imported '{name}'\")"),
            "the import is reported",
        )
        .await;
    }
    wait_until(
        client,
        "document.querySelectorAll('#profiles tr[data-profile-id]').length === 2",
        "both profiles are listed",
    )
    .await;
    let heavy = client
        .execute(
            "return [...document.querySelectorAll('#profiles tr[data-profile-id]')].find((tr) => tr.textContent.includes('heavy rig')).dataset.profileId;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();

    // Rename: blank is refused naming profile.name, then a new name is saved.
    click(client, &format!(r#"button[data-rename-profile="{heavy}"]"#)).await;
    let input = wait_for(client, &format!(r#"[id="rename-{heavy}"]"#)).await;
    input.clear().await.unwrap();
    input.send_keys("\u{E007}").await.unwrap(); // Enter
    wait_until(
        client,
        &format!(
            "document.getElementById('rename-error-{heavy}').textContent.includes('profile.name')"
        ),
        "a blank name is refused",
    )
    .await;
    input.send_keys("heavy rig v2\u{E007}").await.unwrap();
    wait_until(
        client,
        &format!(r#"document.querySelector('tr[data-profile-id="{heavy}"] .profile-name')?.textContent === 'heavy rig v2'"#),
        "the new name is listed",
    )
    .await;

    // Compare: the first two profiles are ticked; make "base rig" the reference.
    test.goto("#/profiles/compare").await;
    wait_until(
        client,
        "document.querySelectorAll('input[data-compare-profile]:checked').length === 2",
        "both profiles are ticked",
    )
    .await;
    let base = client
        .execute(
            "return [...document.querySelectorAll('input[data-compare-profile]')].find((c) => c.labels[0].textContent.startsWith('base rig')).value;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    wait_for(client, "#compare-reference")
        .await
        .select_by_value(&base)
        .await
        .unwrap();
    click(client, "#compare-run").await;
    wait_until(
        client,
        "document.getElementById('result').dataset.state === 'done'",
        "the comparison ends",
    )
    .await;
    let dm1 = text_of(
        client,
        &format!(r#"#profile-diff tr[data-quantity="m1"] td[data-delta="{heavy}"]"#),
    )
    .await;
    assert_eq!(dm1, "+10", "Δm1 of 5.5 kg vs 5 kg");
    let dk1 = text_of(
        client,
        &format!(r#"#profile-diff tr[data-quantity="k1"] td[data-delta="{heavy}"]"#),
    )
    .await;
    assert_eq!(dk1, "0", "equal stiffnesses");
    let df1: f64 = text_of(
        client,
        &format!(r#"#profile-diff tr[data-quantity="f1"] td[data-delta="{heavy}"]"#),
    )
    .await
    .parse()
    .expect("Δf1 is a number");
    assert!(df1 < 0.0 && df1 > -10.0, "a heavier floor lowers f1: {df1}");
    wait_for(client, "#plots figure.plot").await;
    let params = echoed_params(client).await;
    assert_eq!(params["sources"][0]["label"], "base rig");
    assert_eq!(params["sources"][1]["label"], "heavy rig v2");
    assert_eq!(params["sources"][1]["profile"]["masses_kg"][0], 5.5);
    screenshot(client, "browser-profile-compare-two.png").await;

    // The crossval form offers the saved ids in its sources' profile_id fields.
    test.goto("#/tool/crossval").await;
    wait_for(
        client,
        &format!(r#"datalist#saved-profiles option[value="{heavy}"][label="heavy rig v2"]"#),
    )
    .await;
    wait_for(
        client,
        r#"[id="param-sources[0].profile_id"][list="saved-profiles"]"#,
    )
    .await;

    test.finish().await;
}

/// "Save as profile" of a result with a negative damper (docs/measured.md §7): refused naming
/// `profile.dampings_ns_per_m` until the user ticks the clamp box, then saved with that damper
/// at 0 and the origin (run id, method, band, files) and modes of the run. The result is a real
/// model-update run's, read back from the history with damper c3 set to −0.25 N·s/m in the page.
#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_saves_a_negative_damper_only_when_clamped() {
    let test = BrowserTest::start("#/tool/model-update").await;
    let client = &test.client;
    assert_eq!(run_and_wait(client).await, "done");
    let run_id = attr_value(client, "#run-link", "data-run-id").await;
    let swapped = client
        .execute_async(
            r#"const [runId, done] = arguments;
            (async () => {
              const record = await (await fetch(`/api/runs/${runId}`)).json();
              const result = record.result;
              result.scalars.damping_3_ns_per_m = -0.25;
              const { profileSaveBox } = await import('/profilesave.js');
              document.getElementById('save-profile-box').replaceWith(profileSaveBox(result, Number(runId)));
              return result.scalars;
            })().then(done, (e) => done(String(e)));"#,
            vec![Value::from(run_id.clone())],
        )
        .await
        .expect("replace the save box");
    assert!(swapped.is_object(), "{swapped}");
    let label = text_of(client, r#"label[for="save-profile-clamp"]"#).await;
    assert!(label.contains("c3 = -0.25"), "{label}");

    let name = wait_for(client, "#save-profile-name").await;
    name.clear().await.unwrap();
    name.send_keys("clamped rig").await.unwrap();
    click(client, "#save-profile").await;
    wait_until(
        client,
        "document.getElementById('save-profile-error').textContent.includes('profile.dampings_ns_per_m')",
        "an unclamped negative damper is refused naming the field",
    )
    .await;
    assert!(client
        .find(Locator::Css("#saved-profile-link"))
        .await
        .is_err());
    click(client, "#save-profile-clamp").await;
    click(client, "#save-profile").await;
    let id = attr_value(client, "#saved-profile-link", "data-profile-id").await;
    let doc = client
        .execute_async(
            "const [id, done] = arguments; fetch(`/api/profiles/${id}`).then((r) => r.json()).then(done, (e) => done(String(e)));",
            vec![Value::from(id.clone())],
        )
        .await
        .expect("read the saved profile");
    assert_eq!(doc["origin"]["kind"], "model-update", "{doc}");
    assert_eq!(doc["origin"]["tool_run_id"], run_id.as_str(), "{doc}");
    assert_eq!(doc["origin"]["method"], "modal-ls", "{doc}");
    assert_eq!(doc["origin"]["settings"]["f_min_hz"], 3.0, "{doc}");
    assert_eq!(
        doc["origin"]["sources"][2]["name"], "frfs/test_3.csv",
        "{doc}"
    );
    assert_eq!(doc["dampings_ns_per_m"][2], 0.0, "{doc}");
    assert_eq!(
        doc["dampings_ns_per_m"][0], swapped["damping_1_ns_per_m"],
        "{doc}"
    );
    assert_eq!(doc["masses_kg"][1], swapped["mass_2_kg"], "{doc}");
    assert_eq!(
        doc["modal"]["natural_frequencies_hz"][0], swapped["natural_frequency_1_hz"],
        "{doc}"
    );

    test.finish().await;
}
