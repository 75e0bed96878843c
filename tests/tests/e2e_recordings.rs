//! End to end in headless Chromium: a user imports a recording file on the `recordings` page
//! (the project's own demo noise test, written by `cristallo make-demo-recordings`), runs the
//! H1 estimate and sees the FRF and coherence plotted with the first peak at the model's first
//! natural frequency; a damaged file is refused with the line named next to the field.

mod common;

use std::process::Command;

use cristallo_tests::{artifacts_dir, binary, Server, WebDriver};
use fantoccini::Locator;

/// First natural frequency of the default profile (modal golden tests: 6.2036 Hz; the same
/// value the LAN e2e test reads off the modal page).
const FIRST_MODE_HZ: f64 = 6.2036;

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_imports_a_recording_and_sees_the_h1_frf() {
    let files =
        std::env::temp_dir().join(format!("cristallo-e2e-recordings-{}", std::process::id()));
    let made = Command::new(binary("cristallo"))
        .args(["make-demo-recordings", "--out"])
        .arg(&files)
        .output()
        .expect("run cristallo make-demo-recordings");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let noise = files.join("demo_noise.csv");
    let broken = files.join("broken.csv");
    let mut text = std::fs::read_to_string(&noise).unwrap();
    // Line 5 (the 4th data row) gets a NaN in column 3.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[4].split(',').map(str::to_string).collect();
    cells[2] = "NaN".into();
    lines[4] = cells.join(",");
    std::fs::write(&broken, lines.join("\n")).unwrap();
    text.clear();

    let mut server = Server::start();
    let driver = WebDriver::chromedriver();
    let browser = common::Chromium::start(&driver).await;
    let client = &browser.client;
    client
        .goto(&format!("{}#/tool/recordings", server.url))
        .await
        .expect("open the recordings page");

    // Import the file through the picker, as a user does.
    let picker = common::wait_for(client, "#file-csv_text").await;
    picker
        .send_keys(&noise.display().to_string())
        .await
        .expect("choose the recording file");
    common::wait_for_attr(client, "#file-status-csv_text", "data-state", "loaded").await;
    let status = common::text_of(client, "#file-status-csv_text").await;
    assert!(status.contains("demo_noise.csv"), "{status:?}");

    let state = common::run_and_wait(client).await;
    assert_eq!(
        state,
        "done",
        "the H1 run failed: {:?} / {:?}",
        common::text_of(client, "#result-status").await,
        common::text_of(client, "#form-error").await
    );
    // The file was analysed (64 s at 512 Hz), not the default hammer demo.
    assert_eq!(common::scalar_value(client, "sample_count").await, 32768.0);
    let peak = common::scalar_value(client, "frf_peak_frequency_1_hz").await;
    let resolution = common::scalar_value(client, "frequency_resolution_hz").await;
    assert!(
        (peak - FIRST_MODE_HZ).abs() <= resolution,
        "first H1 peak {peak} Hz is not within one line ({resolution} Hz) of {FIRST_MODE_HZ} Hz"
    );
    for series in ["h1_floor_1_magnitude_db", "coherence_floor_1", "force"] {
        let css = format!(r#"#plots figure.plot[data-series~="{series}"]"#);
        common::wait_for(client, &css).await;
    }
    client
        .execute(
            "document.querySelector('figure.plot[data-series~=\"h1_floor_1_magnitude_db\"]').scrollIntoView({block: 'center'}); return null;",
            vec![],
        )
        .await
        .unwrap();
    // The stored run offers server-drawn figures and the printable report.
    common::wait_for(client, "#export-report").await;
    common::wait_for(
        client,
        r#"figure.plot button[aria-label^="SVG"]:not([hidden])"#,
    )
    .await;
    let run_id = common::wait_for(client, "#run-link")
        .await
        .attr("data-run-id")
        .await
        .unwrap()
        .expect("the run link names its run");
    let checks = client
        .execute_async(
            "const [id, done] = arguments; \
             Promise.all([fetch(`/api/runs/${id}/report.html`).then(r => r.text()), \
                          fetch(`/api/runs/${id}/figures/0.svg`).then(r => r.headers.get('content-type'))]) \
             .then(([html, kind]) => done([html.includes('<svg') && html.includes('frf_peak_frequency_1_hz'), kind]));",
            vec![serde_json::json!(run_id)],
        )
        .await
        .expect("fetch the report and a figure");
    assert_eq!(
        checks,
        serde_json::json!([true, "image/svg+xml"]),
        "report/figure of run {run_id}"
    );
    std::fs::write(
        artifacts_dir().join("browser-recordings-h1.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    // A damaged file: refused, the message next to the field names line and column.
    let picker = common::wait_for(client, "#file-csv_text").await;
    picker
        .send_keys(&broken.display().to_string())
        .await
        .expect("choose the broken file");
    common::wait_for_attr(client, "#file-status-csv_text", "data-state", "loaded").await;
    assert_eq!(common::run_and_wait(client).await, "error");
    let message = common::text_of(client, "#error-csv_text").await;
    assert!(
        message.contains("line 5") && message.contains("column 3"),
        "the error next to the file field does not name line 5, column 3: {message:?}"
    );
    assert!(
        client
            .find(Locator::Css(r#"tr[data-scalar="frf_peak_frequency_1_hz"]"#))
            .await
            .is_err(),
        "a stale result is still shown after the refused file"
    );

    server.assert_running();
    browser.close().await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&files);
}
