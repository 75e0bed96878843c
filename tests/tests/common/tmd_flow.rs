//! The vibration-control flow shared by the browser and the Tauri e2e tests: run the tool with
//! the TMD strategy, check the number the page shows against the reference, then check that an
//! out-of-range proof mass is refused with a message naming the field or the range.

use std::time::{Duration, Instant};

use fantoccini::Client;

use super::page::{
    fill, run_and_wait, scalar_cell, scalar_value, screenshot, shows_scalar, text_of, wait_for,
    wait_until, PAGE_TIMEOUT,
};

/// Reference: the shared reference set, control/expected_results.json (copied in core/tests/fixtures/control), case `S2_tmd_default`,
/// scalar `kinetic_energy_reduction_db` = 4.367804770364474 (docs/control.md §8 table: 4.367805).
pub const TMD_REDUCTION_DB: f64 = 4.367804770364474;
/// Tolerance of the check on the page (the value is read from `data-value`, full precision).
pub const TMD_TOLERANCE_DB: f64 = 1e-5;

/// Runs the TMD case on the vibration-control page (already open), checks the kinetic energy
/// reduction shown, and saves a screenshot of the result as `e2e-artifacts/{screenshot_name}`.
pub async fn run_tmd_and_check(client: &Client, screenshot_name: &str) {
    wait_for(client, "#param-strategy")
        .await
        .select_by_value("tmd")
        .await
        .expect("select strategy tmd");
    let state = run_and_wait(client).await;
    assert_eq!(
        state,
        "done",
        "the TMD run failed: status {:?}, form error {:?}",
        text_of(client, "#result-status").await,
        text_of(client, "#form-error").await
    );
    let value = scalar_value(client, "kinetic_energy_reduction_db").await;
    assert!(
        (value - TMD_REDUCTION_DB).abs() <= TMD_TOLERANCE_DB,
        "kinetic_energy_reduction_db on the page is {value}, expected {TMD_REDUCTION_DB} ± {TMD_TOLERANCE_DB}"
    );
    // The shown (rounded) text must be the same number too.
    let shown = text_of(client, &scalar_cell("kinetic_energy_reduction_db")).await;
    assert!(
        shown.contains("4.36") || shown.contains("4.37"),
        "shown value {shown:?}"
    );

    // Bring the first plot (kinetic energy) into view for the screenshot, tables above it.
    client
        .execute(
            "(document.querySelector('figure.plot') || document.getElementById('result')).scrollIntoView({block: 'end'}); return null;",
            vec![],
        )
        .await
        .expect("scroll the result into view");
    tokio::time::sleep(Duration::from_millis(300)).await;
    screenshot(client, screenshot_name).await;
}

/// Sets `proof_mass_kg` to -1, runs, and checks that the page refuses it with a message
/// that names the field or its valid range, and shows no result.
pub async fn check_out_of_range_proof_mass(client: &Client) {
    fill(client, "proof_mass_kg", "-1").await;
    let state = run_and_wait(client).await;
    assert_eq!(
        state, "error",
        "a proof mass of -1 kg must not give a result"
    );

    let start = Instant::now();
    let message = loop {
        let field = text_of(client, "#error-proof_mass_kg").await;
        let form = text_of(client, "#form-error").await;
        let message = if field.trim().is_empty() { form } else { field };
        if !message.trim().is_empty() || start.elapsed() > PAGE_TIMEOUT {
            break message;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        !message.trim().is_empty(),
        "no error message shown for proof_mass_kg = -1"
    );
    assert!(
        message.contains("proof_mass") || message.contains("range") || message.contains("(0, 10]"),
        "the error message names neither the field nor its range: {message:?}"
    );
    assert!(
        !shows_scalar(client, "kinetic_energy_reduction_db").await,
        "a stale result is still shown after the refused run"
    );
}

/// Size of the JSON form of the default TMD result (docs/result-contract.md §6: 5 227 367 bytes;
/// its Arrow form is 1 197 512). A page that read the JSON form would have at least this many.
pub const TMD_JSON_BYTES: f64 = 5_227_367.0;

/// After [`run_tmd_and_check`]: the page read the result in its binary form — the transport's
/// record of the last decoded result says Arrow over `via` (`"http"` | `"ipc"`) and counts the
/// bytes it decoded, far fewer than the JSON form has; the scalars carry the int/float kind
/// only the binary form's metadata gives. Prints the timings the page measured and returns
/// `{format, via, bytes, ms, decodeMs}`.
pub async fn check_result_came_as_arrow(client: &Client, via: &str) -> serde_json::Value {
    let last = client
        .execute("return window.__cristalloLastResult || null;", vec![])
        .await
        .expect("read window.__cristalloLastResult");
    assert_eq!(
        last["format"], "arrow",
        "the result was not decoded from Arrow: {last}"
    );
    assert_eq!(last["via"], via, "{last}");
    let bytes = last["bytes"].as_f64().expect("the decoded byte count");
    assert!(
        bytes > 100_000.0 && bytes < TMD_JSON_BYTES / 3.0,
        "{bytes} bytes decoded: not the Arrow form of a TMD result (JSON: {TMD_JSON_BYTES})"
    );
    let kinds = client
        .execute(
            "return [...document.querySelectorAll('#scalars tr[data-scalar]')].map((r) => r.dataset.kind || '');",
            vec![],
        )
        .await
        .expect("read the scalar kinds");
    let kinds: Vec<&str> = kinds
        .as_array()
        .expect("a list")
        .iter()
        .map(|k| k.as_str().unwrap_or_default())
        .collect();
    assert!(
        !kinds.is_empty() && kinds.iter().all(|k| *k == "int" || *k == "float"),
        "every scalar row has data-kind int|float: {kinds:?}"
    );
    wait_until(
        client,
        "window.__cristalloLastRunTiming",
        "the run's timings",
    )
    .await;
    let timing = client
        .execute("return window.__cristalloLastRunTiming;", vec![])
        .await
        .expect("read window.__cristalloLastRunTiming");
    println!(
        "TMD result over {via}: {bytes} bytes, request → typed arrays {:.1} ms (decoding {:.1} ms); click → result {:.1} ms, → plots drawn {:.1} ms, → next frame {:.1} ms",
        last["ms"].as_f64().unwrap_or(f64::NAN),
        last["decodeMs"].as_f64().unwrap_or(f64::NAN),
        timing["resultMs"].as_f64().unwrap_or(f64::NAN),
        timing["renderedMs"].as_f64().unwrap_or(f64::NAN),
        timing["frameMs"].as_f64().unwrap_or(f64::NAN),
    );
    last
}
