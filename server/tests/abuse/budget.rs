//! Finding 1 of issue 16: results too big for the platform. A run whose declared result is over
//! the caller's budget (guests 5 M values, the host 50 M, both set in the settings) is a 400
//! naming the parameter that drives the size and its largest allowed value, answered at once
//! (nothing runs).

use std::time::Instant;

use super::admission::sign_in;
use super::*;

/// POSTs `body` to tool `id`'s run route as `who`; the answer must come within a second.
async fn run_fast(
    addr: SocketAddr,
    who: &str,
    id: &str,
    body: &str,
) -> (Answer, serde_json::Value) {
    let started = Instant::now();
    let path = format!("/api/tools/{id}/run");
    let a = tokio::time::timeout(Duration::from_secs(2), send(addr, "POST", &path, who, body))
        .await
        .unwrap_or_else(|_| panic!("{id} {body}: no answer within 2 s (the run was started)"));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{id} {body}: answered after {:?}",
        started.elapsed()
    );
    let v = serde_json::from_str(&a.body).unwrap_or(serde_json::Value::Null);
    (a, v)
}

/// The number after `marker` in `text` (`at most 4166 Hz` → 4166).
fn number_after(text: &str, marker: &str) -> f64 {
    text.split(marker)
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number after '{marker}' in: {text}"))
}

#[tokio::test]
async fn results_over_the_budget_are_refused_naming_the_field_and_its_limit() {
    let (s, guest, host) = shared().await;
    let (guest, host) = (sign_in(s.addr, &guest).await, sign_in(s.addr, &host).await);
    let before = s.platform.store.count_runs().unwrap();

    // The finding: 200 s at 100 kHz (20 M samples, about 160 M values).
    let sim = r#"{"duration_s": 200, "sample_rate_hz": 100000}"#;
    let (a, v) = run_fast(s.addr, &guest, "simulator", sim).await;
    assert_eq!(a.status, 400, "{}", a.brief());
    assert_eq!(v["field"], "sample_rate_hz", "{v}");
    let text = v["error"].as_str().unwrap();
    let limit = number_after(text, "at most ");
    // 5 M values at 8 values per sample over 200 s: at most 3 125 Hz, less the Welch spectra.
    assert!((2500.0..3125.0).contains(&limit), "{text}");
    let allowed = cristallo_core::result_size(
        "simulator",
        &serde_json::json!({"duration_s": 200, "sample_rate_hz": limit}),
    )
    .unwrap();
    assert!(
        allowed.values <= 5e6,
        "the stated limit must fit: {allowed:?}"
    );
    assert!(text.len() < 300, "{text}");

    // The host's own budget (50 M) refuses it too.
    let (a, v) = run_fast(s.addr, &host, "simulator", sim).await;
    assert_eq!(a.status, 400, "{}", a.brief());
    assert_eq!(v["field"], "sample_rate_hz", "{v}");

    // modal with 10 M frequencies: the step is the driver, its smallest value is stated.
    let modal = r#"{"f_start_hz": 1, "f_stop_hz": 100, "f_step_hz": 0.00001}"#;
    let (a, v) = run_fast(s.addr, &guest, "modal", modal).await;
    assert_eq!(a.status, 400, "{}", a.brief());
    assert_eq!(v["field"], "f_step_hz", "{v}");
    let step = number_after(v["error"].as_str().unwrap(), "at least ");
    let fits = cristallo_core::result_size(
        "modal",
        &serde_json::json!({"f_start_hz": 1, "f_stop_hz": 100, "f_step_hz": step}),
    )
    .unwrap();
    assert!(fits.values <= 5e6 && fits.values > 4e6, "{v} {fits:?}");

    // design with 10 M samples kept.
    let design = r#"{"n_samples": 10000000, "include_samples": true}"#;
    let (a, v) = run_fast(s.addr, &guest, "design", design).await;
    assert_eq!(a.status, 400, "{}", a.brief());
    assert_eq!(v["field"], "n_samples", "{v}");

    // The host lowers the guests' budget in the settings: a run that fitted no longer does.
    let caps = r#"{"result_cap_host": 50000000, "result_cap_guest": 1000000}"#;
    let a = send(s.addr, "PUT", "/api/settings", &host, caps).await;
    assert_eq!(a.status, 200, "{}", a.brief());
    let mid = r#"{"f_start_hz": 1, "f_stop_hz": 100, "f_step_hz": 0.0005}"#;
    let (a, v) = run_fast(s.addr, &guest, "modal", mid).await;
    assert_eq!(a.status, 400, "{}", a.brief());
    assert_eq!(v["field"], "f_step_hz", "{v}");
    // Guests cannot change the budgets; bad budgets name their field.
    let a = send(
        s.addr,
        "PUT",
        "/api/settings",
        &guest,
        r#"{"result_cap_guest": 500000000}"#,
    )
    .await;
    assert_eq!(a.status, 403, "{}", a.brief());
    let a = send(
        s.addr,
        "PUT",
        "/api/settings",
        &host,
        r#"{"result_cap_host": 0}"#,
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.brief());
    let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(v["field"], "result_cap_host", "{v}");

    // A small run still goes through, and nothing refused entered the history.
    let (a, _) = run_fast(s.addr, &guest, "modal", r#"{"f_step_hz": 1.0}"#).await;
    assert_eq!(a.status, 200, "{}", a.brief());
    let after = s.platform.store.count_runs().unwrap();
    assert_eq!(after, before + 1);
}
