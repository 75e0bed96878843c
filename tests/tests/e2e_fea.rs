//! End to end in a real browser for the `fea` tool: open `#/tool/fea`, set a coarse element
//! size (h = 1 in, ccx ~1 s), run, and check the mode table and the first y-sway frequency
//! against the reference `beam_shell_h1in.json` (copied in core/tests/fixtures/fea): 7.664179 Hz,
//! tolerance 2e-4 relative (docs/fea.md §9). Needs CalculiX (`calculix-ccx`) on the PATH of the
//! server. Run by `make test` with `--ignored`.

mod common;

use std::time::{Duration, Instant};

use common::{
    field_error, fill, run_done, scalar_value, screenshot, scroll_to, wait_for, BrowserTest,
    PAGE_TIMEOUT,
};
use fantoccini::Locator;

/// Reference: beam_shell_h1in.json, scalar `y_sway_frequency_1_hz`.
const Y_SWAY_1_HZ: f64 = 7.664179;

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_fea_coarse_run_shows_the_mode_table() {
    let test = BrowserTest::start("#/tool/fea").await;
    let client = &test.client;
    fill(client, "element_size_m", "0.0254").await;
    run_done(client, "the fea run").await;

    // The mode table with at least three rows, labelled.
    wait_for(client, r#"table[data-table="modes"]"#).await;
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
    wait_for(client, r#"table[data-table="comparison"]"#).await;

    // The key scalar, at full precision.
    let value = scalar_value(client, "y_sway_frequency_1_hz").await;
    assert!(
        ((value - Y_SWAY_1_HZ) / Y_SWAY_1_HZ).abs() <= 2e-4,
        "y_sway_frequency_1_hz on the page is {value}, expected {Y_SWAY_1_HZ}"
    );
    // The mode-shape plots are there too.
    wait_for(client, r#"figure.plot[data-series*="y_sway_mode_shape_1"]"#).await;

    // The deck of the same parameters downloads without running the solver.
    client
        .execute(
            // The page may not fetch blob: URLs (its CSP's connect-src is 'self'), so the Blob
            // is kept when its URL is made and read when the link is clicked.
            "window.__downloads = []; \
             const blobs = new Map(); \
             const createUrl = URL.createObjectURL.bind(URL); \
             URL.createObjectURL = (blob) => { const url = createUrl(blob); blobs.set(url, blob); return url; }; \
             HTMLAnchorElement.prototype.click = function () { \
               const name = this.download; \
               const blob = blobs.get(this.href); \
               if (blob) blob.text().then((text) => window.__downloads.push({ name, text })); \
             }; return null;",
            vec![],
        )
        .await
        .expect("capture downloads");
    wait_for(client, "#download-deck")
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
    fill(client, "element_size_m", "-1").await;
    wait_for(client, "#download-deck")
        .await
        .click()
        .await
        .expect("click #download-deck");
    field_error(client, "element_size_m").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let count = client
        .execute("return window.__downloads.length;", vec![])
        .await
        .unwrap();
    assert_eq!(count, serde_json::json!(1), "a refused deck was downloaded");

    scroll_to(client, r#"table[data-table="modes"]"#, "center").await;
    screenshot(client, "browser-fea.png").await;
    test.finish().await;
}
