//! End to end in headless Chromium against `cristallo serve` (debug build): the `uncertainty`
//! tool page. A Monte-Carlo run with 1e6 samples shows real progress (#progress value > 0),
//! Cancel turns it into an error state mentioning the cancellation and nothing is stored;
//! then a default run shows the first natural frequency (docs/uncertainty.md §2.1: 6.3206 Hz) and
//! the band plots.

mod common;

use std::time::{Duration, Instant};

use common::{
    attr_of, click_run, fetch_json, fill, save_failure_evidence, scalar_value, screenshot,
    scroll_to, text_of, wait_for, wait_for_result, BrowserTest, PAGE_TIMEOUT,
};
use fantoccini::{Client, Locator};
use serde_json::Value;

/// Bound on the runs of this page (a Monte-Carlo run in a debug server build).
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// Ids and params of the stored `uncertainty` runs, read through the page's own origin.
async fn stored_runs(client: &Client) -> Vec<(i64, Value)> {
    let v = fetch_json(client, "/api/runs?tool=uncertainty&limit=1000").await;
    let list = v
        .as_array()
        .unwrap_or_else(|| panic!("GET /api/runs answered {v}"));
    list.iter()
        .map(|r| (r["id"].as_i64().unwrap(), r["params"].clone()))
        .collect()
}

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn uncertainty_monte_carlo_progress_cancel_and_default_run() {
    let test = BrowserTest::start("#/tool/uncertainty").await;
    let client = &test.client;
    wait_for(client, "#param-methods").await;
    let before = stored_runs(client)
        .await
        .iter()
        .map(|r| r.0)
        .max()
        .unwrap_or(0);

    // 1. Monte Carlo with 1e6 samples: real progress, then Cancel.
    fill(client, "methods", "monte_carlo").await;
    fill(client, "mc_samples", "1000000").await;
    click_run(client).await;
    let start = Instant::now();
    let fraction = loop {
        let v = attr_of(client, "#progress", "value").await;
        let state = attr_of(client, "#result", "data-state").await;
        assert_ne!(
            state.as_deref(),
            Some("done"),
            "the 1e6-sample run finished before it could be cancelled"
        );
        if state.as_deref() == Some("error") {
            save_failure_evidence(client).await;
            panic!(
                "the run failed: {:?}",
                text_of(client, "#result-status").await
            );
        }
        if let Some(f) = v.and_then(|s| s.parse::<f64>().ok()).filter(|&f| f > 0.0) {
            break f;
        }
        if start.elapsed() > PAGE_TIMEOUT {
            save_failure_evidence(client).await;
            panic!("#progress never got a value > 0");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(fraction < 1.0, "progress {fraction}");
    wait_for(client, "#cancel")
        .await
        .click()
        .await
        .expect("click #cancel");
    assert_eq!(wait_for_result(client, RUN_TIMEOUT).await, "error");
    let status = text_of(client, "#result-status").await;
    assert!(
        status.to_lowercase().contains("cancel"),
        "status {status:?}"
    );

    // Nothing stored: neither through the API nor in the history page.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = stored_runs(client).await;
    assert!(
        after.iter().all(|(id, _)| *id <= before),
        "a run was stored after the cancel: {:?}",
        after
            .iter()
            .filter(|(id, _)| *id > before)
            .collect::<Vec<_>>()
    );
    test.goto("#/history?tool=uncertainty").await;
    let start = Instant::now();
    loop {
        let empty_shown = match client.find(Locator::Css("#history-empty")).await {
            Ok(el) => el.attr("hidden").await.ok().flatten().is_none(),
            Err(_) => false,
        };
        let rows = client
            .find_all(Locator::Css("tr[data-run-id]"))
            .await
            .unwrap_or_default();
        let mut newer = false;
        for r in &rows {
            let id: i64 = r
                .attr("data-run-id")
                .await
                .ok()
                .flatten()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            newer |= id > before;
        }
        assert!(!newer, "the cancelled run appears in the history");
        if empty_shown || !rows.is_empty() || start.elapsed() > Duration::from_secs(5) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // 2. A default run shows the natural frequency and the band plots.
    test.goto("#/tool/uncertainty").await;
    wait_for(client, "#reset-defaults")
        .await
        .click()
        .await
        .expect("reset the form");
    click_run(client).await;
    let state = wait_for_result(client, RUN_TIMEOUT).await;
    assert_eq!(
        state,
        "done",
        "the default run failed: {:?}",
        text_of(client, "#result-status").await
    );
    let value = scalar_value(client, "natural_frequency_1_hz").await;
    assert!(
        (value - 6.3206).abs() < 1e-4,
        "natural_frequency_1_hz {value}"
    );
    let plot = wait_for(client, "figure.plot[data-series]").await;
    let series = plot.attr("data-series").await.unwrap().unwrap_or_default();
    assert!(series.contains("floor_"), "plot series {series:?}");
    wait_for(client, r#"table[data-table="modes"]"#).await;
    scroll_to(client, "figure.plot", "end").await;
    screenshot(client, "browser-uncertainty.png").await;
    test.finish().await;
}
