//! End to end in the desktop app: the real Tauri window (debug build of `cristallo-app`) under
//! Xvfb, driven through tauri-driver + WebKitWebDriver by fantoccini. Run by `make test`
//! (`xvfb-run -a cargo test -p cristallo-tests -- --ignored`). Exports and fea's solver deck
//! are saved through `save_download` into a test folder. Saves the screenshot of the TMD result
//! in e2e-artifacts/ (the README's screenshots come from e2e_walkthrough.rs).

mod common;

use common::{open, screenshot, tmd_flow, TauriTest};
use serde_json::json;

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn tauri_tmd_run_shows_reference_value_and_rejects_bad_mass() {
    // Exports go to this folder instead of ~/Downloads (the app reads it at start).
    let downloads =
        std::env::temp_dir().join(format!("cristallo-e2e-downloads-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&downloads);
    std::env::set_var("CRISTALLO_DOWNLOAD_DIR", &downloads);
    let test = TauriTest::start().await;
    let client = &test.client;

    // The window opens on the home page (tool list, loaded through `invoke('list_tools')`).
    common::wait_for(client, r#"a[data-tool="vibration-control"]"#).await;
    let title = client.title().await.expect("read the title");
    assert!(!title.is_empty(), "the window's document has a title");
    // Inside Tauri the transport must be `invoke`, not fetch: there is no server here.
    let has_tauri = client
        .execute(
            "return Boolean(window.__TAURI__ && window.__TAURI__.core);",
            vec![],
        )
        .await
        .expect("probe window.__TAURI__");
    assert_eq!(
        has_tauri,
        json!(true),
        "window.__TAURI__.core is missing (withGlobalTauri)"
    );

    open(client, "#/tool/vibration-control").await;
    tmd_flow::run_tmd_and_check(client, "tauri-tmd.png").await;
    // `run_tool` answered the binary frame (no JSON result crossed the IPC).
    tmd_flow::check_result_came_as_arrow(client, "ipc").await;

    // Export JSON: the app saves the file in the download folder and says where.
    common::wait_for(client, "#export-json")
        .await
        .click()
        .await
        .expect("click #export-json");
    let saved = saved_file(client, &downloads, ".json").await;
    let exported: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&saved).expect("the exported file"))
            .expect("the export is JSON");
    assert_eq!(exported["tool"], "vibration-control");
    // The export is the JSON form: plain arrays, every point the core computed, bit for bit
    // (the page held them as Float64Arrays decoded from the Arrow stream).
    let direct = cristallo_core::run(
        "vibration-control",
        &json!({"strategy": "tmd"}),
        &cristallo_core::Progress::none(),
        &cristallo_core::Cancel::new(),
    )
    .expect("the core's TMD run");
    let series = exported["series"].as_array().expect("series in the export");
    assert_eq!(series.len(), direct.series.len());
    for (got, want) in series.iter().zip(&direct.series) {
        assert_eq!(got["name"], want.name.as_str());
        for (axis, values) in [("x", &want.x), ("y", &want.y)] {
            let list = got[axis].as_array().unwrap_or_else(|| {
                panic!("{}.{axis} is not a JSON array in the export", want.name)
            });
            let bits: Vec<u64> = list.iter().map(|v| v.as_f64().unwrap().to_bits()).collect();
            let expected: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
            assert!(
                bits == expected,
                "{}.{axis} differs from the core's",
                want.name
            );
        }
    }
    // The stored run's page reads it through `get_run` with format `arrow`.
    let run_id = common::attr_value(client, "#run-link", "data-run-id").await;
    open(client, &format!("#/run/{run_id}")).await;
    common::wait_for(client, "#run-meta").await;
    common::wait_for(client, r#"#result[data-state="done"] tr[data-scalar="kinetic_energy_reduction_db"][data-kind="float"]"#).await;
    common::wait_for(client, "#plots figure.plot").await;
    let last = client
        .execute("return window.__cristalloLastResult;", vec![])
        .await
        .expect("read window.__cristalloLastResult");
    assert_eq!(
        (&last["format"], &last["via"]),
        (&json!("arrow"), &json!("ipc")),
        "{last}"
    );
    println!(
        "stored TMD run read over ipc: {} bytes in {:.1} ms",
        last["bytes"],
        last["ms"].as_f64().unwrap_or(f64::NAN)
    );
    open(client, "#/tool/vibration-control").await;
    common::wait_for(client, "#param-strategy")
        .await
        .select_by_value("tmd")
        .await
        .expect("select strategy tmd");
    tmd_flow::check_out_of_range_proof_mass(client).await;
    screenshot(client, "tauri-out-of-range.png").await;

    // fea's solver deck (an artifact of the catalogue, `tool_artifact`) is saved the same way,
    // and is the core's deck of the default parameters.
    open(client, "#/tool/fea").await;
    common::wait_for(client, "#download-deck")
        .await
        .click()
        .await
        .expect("click #download-deck");
    let saved = saved_file(client, &downloads, ".inp").await;
    assert!(saved.ends_with("cristallo_frame.inp"), "{saved:?}");
    let (fea, _) = cristallo_core::fea::FeaParams::parse(&json!({})).unwrap();
    assert_eq!(
        std::fs::read_to_string(&saved).expect("the saved deck"),
        cristallo_core::fea::deck(&fea).unwrap()
    );
    let _ = std::fs::remove_dir_all(&downloads);
    test.finish().await;
}

/// The file the app says it saved (`#save-notice`: "Saved PATH", PATH ending with `suffix`),
/// checked to be in `downloads`.
async fn saved_file(
    client: &fantoccini::Client,
    downloads: &std::path::Path,
    suffix: &str,
) -> std::path::PathBuf {
    let start = std::time::Instant::now();
    let notice = loop {
        let text = common::text_of(client, "#save-notice").await;
        if text.starts_with("Saved ") && text.trim_end().ends_with(suffix) {
            break text;
        }
        assert!(
            start.elapsed() < common::PAGE_TIMEOUT,
            "no save notice of a {suffix} file (last {text:?})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let saved = std::path::PathBuf::from(notice.trim_start_matches("Saved ").trim());
    assert!(
        saved.starts_with(downloads),
        "{saved:?} is not in {downloads:?}"
    );
    saved
}

/// issue 6 "Must show" in the desktop app (every call through `invoke`): model-update with its
/// defaults, "Save as profile" (`profile_save`), the simulator with that profile picked
/// (`profile_list`, `profile_show`, `run_tool` with `profile_id`), and the Profiles hub
/// listing it.
#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn tauri_saves_a_model_update_result_as_a_profile_and_simulates_it() {
    let test = TauriTest::start().await;
    let client = &test.client;
    common::wait_for(client, r#"a[data-tool="model-update"]"#).await;

    let identified =
        common::profile_flow::model_update_to_simulator(client, "desktop identified rig").await;
    screenshot(client, "tauri-profile-simulator.png").await;
    open(client, "#/profiles").await;
    common::wait_for(
        client,
        &format!(
            r#"tr[data-profile-id="{}"] td[data-origin="model-update"]"#,
            identified.id
        ),
    )
    .await;
    test.finish().await;
}
