//! End to end in a real browser (headless Chromium via chromedriver, `cristallo serve` debug
//! build): `model-update` with its defaults (the rig's three FRF files embedded in the binary),
//! then with a user's own FRF file uploaded through the file picker of the first entry, and
//! `crossval` with its defaults. Run by `make test` with `--ignored`.
//!
//! Reference values (docs/measured.md §4.4, shared reference set `measured/`, copied in
//! core/tests/fixtures/measured): `natural_frequency_1_hz` = 6.511879182 Hz from the three
//! files, 6.512211187 Hz from Experimental.csv alone; tolerance 1e-5 relative (§9).

mod common;

use std::time::{Duration, Instant};

use common::{
    click, css_id, run_done, scalar_value, text_of, wait_for, wait_for_attr, wait_for_plot,
    BrowserTest, PAGE_TIMEOUT,
};
use cristallo_tests::repo_root;
use fantoccini::Client;

const F1_THREE_FILES_HZ: f64 = 6.511879182;
const F1_ONE_FILE_HZ: f64 = 6.512211187;
const F_REL_TOL: f64 = 1e-5;

/// Polls scalar `key` until it is within the tolerance of `want` (a new run replaces the
/// previous result), then asserts.
async fn expect_frequency(client: &Client, key: &str, want: f64) {
    let start = Instant::now();
    loop {
        let got = scalar_value(client, key).await;
        if (got - want).abs() <= F_REL_TOL * want {
            return;
        }
        assert!(
            start.elapsed() < PAGE_TIMEOUT,
            "{key} on the page is {got}, expected {want} ± {} (relative)",
            F_REL_TOL
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_model_update_and_crossval_on_rig_data() {
    // 1. model-update with the defaults: the rig's three files.
    let test = BrowserTest::start("#/tool/model-update").await;
    let client = &test.client;
    wait_for(client, &css_id("param-frfs[2].excitation_floor")).await;
    run_done(client, "model-update with defaults").await;
    expect_frequency(client, "natural_frequency_1_hz", F1_THREE_FILES_HZ).await;
    wait_for_plot(client, "model_exc_1_floor_1_magnitude").await;
    wait_for(client, r#"table[data-table="lumped_model"]"#).await;
    wait_for(client, r#"table[data-table="modes"]"#).await;

    // 2. A user's own file: a temporary copy of the rig's Experimental.csv, chosen in the file
    //    picker of entry 1 after removing entries 2 and 3 and choosing no rig file.
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let upload = std::env::temp_dir().join(format!("cristallo-e2e-frf-{stamp}.csv"));
    std::fs::copy(repo_root().join("data/rig/frfs/Experimental.csv"), &upload).expect("temp copy");
    click(client, &css_id("remove-frfs[2]")).await;
    click(client, &css_id("remove-frfs[1]")).await;
    assert!(
        client
            .find(fantoccini::Locator::Css(&css_id("param-frfs[1].rig_file")))
            .await
            .is_err(),
        "entry 2 is still there after Remove"
    );
    wait_for(client, &css_id("param-frfs[0].rig_file"))
        .await
        .select_by_value("")
        .await
        .expect("choose no rig file for entry 1");
    wait_for(client, &css_id("file-frfs[0].csv_text"))
        .await
        .send_keys(upload.to_str().expect("utf-8 temp path"))
        .await
        .expect("choose the file");
    wait_for_attr(
        client,
        &css_id("file-status-frfs[0].csv_text"),
        "data-state",
        "loaded",
    )
    .await;
    run_done(client, "model-update with an uploaded file").await;
    expect_frequency(client, "natural_frequency_1_hz", F1_ONE_FILE_HZ).await;
    wait_for_plot(client, "measured_exc_1_floor_1_magnitude").await;
    // The original app's circle fit on the same file, for comparison (docs/measured.md §4.5): f1 is
    // the peak line, 6.5 Hz; the circle fits are tabulated and its damping warning shown.
    wait_for(client, "#param-method")
        .await
        .select_by_value("legacy-circle-fit")
        .await
        .expect("choose the legacy method");
    run_done(client, "model-update with legacy-circle-fit").await;
    expect_frequency(client, "natural_frequency_1_hz", 6.5).await;
    wait_for(client, r#"table[data-table="circle_fits"]"#).await;
    let warnings = text_of(client, "#warnings").await;
    assert!(warnings.contains("4× too high"), "warnings: {warnings}");
    let _ = std::fs::remove_file(&upload);

    // 3. crossval with the defaults: the peaks and metrics tables appear.
    test.goto("#/tool/crossval").await;
    wait_for(client, &css_id("param-sources[3].label")).await;
    run_done(client, "crossval with defaults").await;
    wait_for(client, r#"table[data-table="peaks"]"#).await;
    wait_for(client, r#"table[data-table="metrics"]"#).await;
    let frac = scalar_value(client, "source_2_floor_1_frac").await;
    assert!((0.0..=1.0).contains(&frac), "FRAC {frac}");

    test.finish().await;
}
