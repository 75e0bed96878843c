//! End to end in headless Chromium: a user imports a recording file on the `recordings` page
//! (the project's own demo noise test, written by `cristallo make-demo-recordings`), runs the
//! H1 estimate and sees the FRF and coherence plotted with the first peak at the model's first
//! natural frequency; a damaged file is refused with the line named next to the field.

mod common;

use std::process::Command;

use common::{
    attr_value, run_and_wait, run_done, scalar_value, screenshot, scroll_to, shows_scalar, text_of,
    wait_for, wait_for_attr, wait_for_plot, BrowserTest,
};
use cristallo_tests::binary;

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

    let test = BrowserTest::start("#/tool/recordings").await;
    let client = &test.client;

    // Import the file through the picker, as a user does.
    let picker = wait_for(client, "#file-csv_text").await;
    picker
        .send_keys(&noise.display().to_string())
        .await
        .expect("choose the recording file");
    wait_for_attr(client, "#file-status-csv_text", "data-state", "loaded").await;
    let status = text_of(client, "#file-status-csv_text").await;
    assert!(status.contains("demo_noise.csv"), "{status:?}");

    run_done(client, "the H1 run").await;
    // The file was analysed (64 s at 512 Hz), not the default hammer demo.
    assert_eq!(scalar_value(client, "sample_count").await, 32768.0);
    let peak = scalar_value(client, "frf_peak_frequency_1_hz").await;
    let resolution = scalar_value(client, "frequency_resolution_hz").await;
    assert!(
        (peak - FIRST_MODE_HZ).abs() <= resolution,
        "first H1 peak {peak} Hz is not within one line ({resolution} Hz) of {FIRST_MODE_HZ} Hz"
    );
    for series in ["h1_floor_1_magnitude_db", "coherence_floor_1", "force"] {
        wait_for_plot(client, series).await;
    }
    scroll_to(
        client,
        r#"figure.plot[data-series~="h1_floor_1_magnitude_db"]"#,
        "center",
    )
    .await;
    // The stored run offers server-drawn figures and the printable report.
    wait_for(client, "#export-report").await;
    wait_for(
        client,
        r#"figure.plot button[aria-label^="SVG"]:not([hidden])"#,
    )
    .await;
    let run_id = attr_value(client, "#run-link", "data-run-id").await;
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
    screenshot(client, "browser-recordings-h1.png").await;

    // A damaged file: refused, the message next to the field names line and column.
    let picker = wait_for(client, "#file-csv_text").await;
    picker
        .send_keys(&broken.display().to_string())
        .await
        .expect("choose the broken file");
    wait_for_attr(client, "#file-status-csv_text", "data-state", "loaded").await;
    assert_eq!(run_and_wait(client).await, "error");
    let message = text_of(client, "#error-csv_text").await;
    assert!(
        message.contains("line 5") && message.contains("column 3"),
        "the error next to the file field does not name line 5, column 3: {message:?}"
    );
    assert!(
        !shows_scalar(client, "frf_peak_frequency_1_hz").await,
        "a stale result is still shown after the refused file"
    );
    test.finish().await;
    let _ = std::fs::remove_dir_all(&files);
}
