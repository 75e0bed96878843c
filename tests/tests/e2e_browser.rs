//! End to end in a real browser: headless Chromium, driven through chromedriver by fantoccini,
//! against `cristallo serve` (the debug build). Run by `make test` with `--ignored`.

mod common;

use common::{screenshot, tmd_flow, BrowserTest};

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_tmd_run_shows_reference_value_and_rejects_bad_mass() {
    let test = BrowserTest::start("#/tool/vibration-control").await;
    let client = &test.client;
    tmd_flow::run_tmd_and_check(client, "browser-tmd.png").await;
    tmd_flow::check_out_of_range_proof_mass(client).await;
    screenshot(client, "browser-out-of-range.png").await;
    test.finish().await;
}

/// The page runs under the server's Content-Security-Policy: what an injected snippet tries
/// (an inline script, a picture from another site) is blocked and reported, and the page
/// refuses to be framed by another one.
#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_page_is_held_to_its_content_security_policy() {
    let test = BrowserTest::start("").await;
    let client = &test.client;
    client
        .execute(
            "window.__inlineRan = false;
             const s = document.createElement('script');
             s.textContent = 'window.__inlineRan = true;';
             document.body.append(s);
             const img = document.createElement('img');
             img.src = 'http://evil.example/pixel.png';
             document.body.append(img);
             return null;",
            vec![],
        )
        .await
        .expect("inject the snippet");
    let inline_ran = client
        .execute("return window.__inlineRan;", vec![])
        .await
        .expect("read the flag");
    assert_eq!(inline_ran, serde_json::json!(false), "an inline script ran");
    // The violations are reported after the events are dispatched: wait for both.
    let mut blocked = Vec::new();
    for _ in 0..50 {
        blocked = common::csp_violations(client).await;
        if blocked.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        blocked.iter().any(|v| v.starts_with("script-src"))
            && blocked.iter().any(|v| v.starts_with("img-src")),
        "violations reported: {blocked:?}"
    );
    client
        .execute(
            "sessionStorage.removeItem('cspViolations'); return null;",
            vec![],
        )
        .await
        .expect("clear the record");
    test.finish().await;
}
