//! End to end in headless Chromium: a user opens the `cbc` page and runs the virtual CBC
//! experiment with its defaults. While it runs, the progress bar moves and the branch grows
//! point by point in the live plot; at the end the branch plot and the two folds of the
//! S-curve are shown, within 1 % of the exact folds (docs/cbc.md §9: 57.318 N and 13.108 N; the
//! original app put the lower one at 19.3 N).

mod common;

use std::time::{Duration, Instant};

use common::{
    click_run, fill, save_failure_evidence, scalar_value, screenshot, text_of, wait_for,
    wait_for_attr, wait_for_plot, BrowserTest,
};
use fantoccini::Client;
use serde_json::Value;

/// Exact folds of the default S-curve at ω = 16 rad/s (shared reference set, cbc
/// golden_S0_exact_s_curve.json, copied in core/tests/fixtures/cbc).
const UPPER_FOLD_N: f64 = 57.31817;
const LOWER_FOLD_N: f64 = 13.10768;
/// Bound on the whole run in a debug server build.
const RUN_TIMEOUT: Duration = Duration::from_secs(240);

/// (progress value, live points, result state) as the page shows them now.
async fn page_state(client: &Client) -> (Option<f64>, u64, Option<String>) {
    let v = client
        .execute(
            "const p = document.getElementById('progress');
             const live = document.getElementById('live-plot');
             const r = document.getElementById('result');
             return [p && p.hasAttribute('value') ? p.value : null,
                     live ? Number(live.dataset.points || 0) : 0,
                     r ? r.getAttribute('data-state') : null];",
            vec![],
        )
        .await
        .expect("read the page state");
    (
        v[0].as_f64(),
        v[1].as_u64().unwrap_or(0),
        v[2].as_str().map(str::to_string),
    )
}

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_cbc_run_streams_points_and_finds_the_true_folds() {
    let test = BrowserTest::start("#/tool/cbc").await;
    let client = &test.client;
    let mode = wait_for(client, "#param-mode").await;
    assert_eq!(
        mode.prop("value").await.unwrap().as_deref(),
        Some("continuation")
    );

    click_run(client).await;
    let start = Instant::now();
    let (mut max_fraction, mut max_live, mut fractions_seen) = (0.0f64, 0u64, 0usize);
    let mut live_shot = false;
    let state = loop {
        let (fraction, live, state) = page_state(client).await;
        if let Some(f) = fraction {
            if f > 0.0 && f < 1.0 && f > max_fraction {
                fractions_seen += 1;
            }
            max_fraction = max_fraction.max(f);
        }
        max_live = max_live.max(live);
        if live >= 20 && !live_shot {
            live_shot = true;
            screenshot(client, "browser-cbc-live.png").await;
        }
        match state.as_deref() {
            Some("done") | Some("error") => break state.unwrap(),
            _ => {}
        }
        if start.elapsed() > RUN_TIMEOUT {
            save_failure_evidence(client).await;
            panic!("the CBC run did not finish within {RUN_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        state,
        "done",
        "the run failed: {:?}",
        text_of(client, "#result-status").await
    );
    assert!(
        fractions_seen >= 3 && max_fraction > 0.3,
        "#progress did not advance while running (saw {fractions_seen} values, max {max_fraction})"
    );
    assert!(
        max_live >= 20,
        "the live plot showed only {max_live} streamed points"
    );

    wait_for_plot(client, "branch_amplitude_1").await;
    let upper = scalar_value(client, "fold_1_forcing_n").await;
    let lower = scalar_value(client, "fold_2_forcing_n").await;
    assert!(
        (upper - UPPER_FOLD_N).abs() <= 0.01 * UPPER_FOLD_N,
        "upper fold {upper} N vs exact {UPPER_FOLD_N} N"
    );
    assert!(
        (lower - LOWER_FOLD_N).abs() <= 0.01 * LOWER_FOLD_N,
        "lower fold {lower} N vs exact {LOWER_FOLD_N} N (the original app: 19.27 N)"
    );
    let converged = scalar_value(client, "points_converged").await;
    assert!(converged >= 95.0, "{converged} points converged");
    let folds: Value = client
        .execute(
            "return document.querySelectorAll('table[data-table=\"folds\"] tbody tr').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(folds.as_u64(), Some(2));
    screenshot(client, "browser-cbc-result.png").await;
    test.finish().await;
}

/// docs/cbc.md §10 "Both curves at once": from the form's operating point (ω = 16 rad/s, Φ = 30 N,
/// inside the hysteresis), the exact S-curve and FRC are drawn side by side with the orbits at
/// that point marked on both: three orbits, the same floor-1 amplitudes on either curve.
#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_cbc_draws_the_s_curve_and_the_frc_through_one_point() {
    let test = BrowserTest::start("#/tool/cbc").await;
    let client = &test.client;
    fill(client, "forcing_n", "30").await;
    wait_for(client, "#both-curves")
        .await
        .click()
        .await
        .expect("compute both curves");
    wait_for_attr(client, "#both-curves-plots", "data-state", "done").await;
    wait_for(client, "#both-s-curve figure.plot").await;
    wait_for(client, "#both-frc figure.plot").await;
    let amplitudes = |attr: &'static str| async move {
        let text = wait_for(client, "#both-curves-plots")
            .await
            .attr(attr)
            .await
            .expect("read the amplitudes")
            .unwrap_or_default();
        text.split_whitespace()
            .map(|t| t.parse::<f64>().expect("a number"))
            .collect::<Vec<f64>>()
    };
    let mut on_s_curve = amplitudes("data-s-curve-amplitudes").await;
    let mut on_frc = amplitudes("data-frc-amplitudes").await;
    on_s_curve.sort_by(f64::total_cmp);
    on_frc.sort_by(f64::total_cmp);
    assert_eq!(
        on_s_curve.len(),
        3,
        "S-curve orbits at 30 N: {on_s_curve:?}"
    );
    assert_eq!(on_frc.len(), 3, "FRC orbits at 16 rad/s: {on_frc:?}");
    for (a, b) in on_s_curve.iter().zip(&on_frc) {
        assert!(
            (a - b).abs() <= 0.03 * a.max(*b),
            "the same orbits on both curves: {on_s_curve:?} vs {on_frc:?}"
        );
    }
    let status = text_of(client, "#both-curves-status").await;
    assert!(status.contains("Operating point"), "{status}");
    client
        .execute(
            "document.getElementById('both-curves-plots').scrollIntoView(); return null;",
            vec![],
        )
        .await
        .expect("scroll to the curves");
    screenshot(client, "browser-cbc-both-curves.png").await;
    test.finish().await;
}
