//! End to end in a real browser: headless Chromium, driven through chromedriver by fantoccini,
//! against `cristallo serve` (the debug build). Run by `make test` with `--ignored`. The TMD run
//! also checks that the page reads results in their binary form (Arrow IPC): on the wire, in
//! the transport's record and bit for bit against the JSON form.

mod common;

use common::{attr_value, screenshot, tmd_flow, BrowserTest};
use serde_json::{json, Value};

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn browser_tmd_run_shows_reference_value_and_rejects_bad_mass() {
    let (test, wire) = BrowserTest::start_recorded("#/tool/vibration-control").await;
    let client = &test.client;
    tmd_flow::run_tmd_and_check(client, "browser-tmd.png").await;
    let last = tmd_flow::check_result_came_as_arrow(client, "http").await;
    let run_id = attr_value(client, "#run-link", "data-run-id").await;

    // On the wire: the browser asked for the stored run's result as the Arrow stream, and never
    // for its JSON form.
    let heads = wire.request_heads();
    let arrow_get = format!("get /api/runs/{run_id}?format=arrow http/1.1");
    let asked = heads
        .iter()
        .filter(|h| h.starts_with(&arrow_get))
        .collect::<Vec<_>>();
    assert_eq!(
        asked.len(),
        1,
        "one GET of the result as Arrow; requests: {heads:#?}"
    );
    assert!(
        asked[0]
            .lines()
            .any(|l| l.starts_with("accept:") && l.contains("application/vnd.apache.arrow.stream")),
        "the result request does not accept the Arrow stream: {}",
        asked[0]
    );
    assert!(
        !heads
            .iter()
            .any(|h| h.starts_with(&format!("get /api/runs/{run_id} "))),
        "the page read the JSON form of run {run_id}: {heads:#?}"
    );
    // The browser's own record of that response: the decoded bytes are the response body.
    let entry = client
        .execute(
            "return performance.getEntriesByType('resource').filter((e) => e.name.endsWith(arguments[0]))
               .map((e) => ({name: e.name, size: e.decodedBodySize}));",
            vec![Value::from(format!("/api/runs/{run_id}?format=arrow"))],
        )
        .await
        .expect("read the resource timings");
    assert_eq!(entry[0]["size"], last["bytes"], "{entry} vs {last}");

    decoder_matches_the_json_form(client, &run_id).await;
    tmd_flow::check_out_of_range_proof_mass(client).await;
    screenshot(client, "browser-out-of-range.png").await;
    test.finish().await;
}

/// In the page: `ui/arrowresult.js` decodes the stored run's Arrow stream into the JSON form's
/// object — every series point bit for bit (`Object.is`), x/y as Float64Array views into the
/// received buffer, one typed array per shared axis, the JSON export text identical — and
/// refuses a truncated stream and a stream that is not a result with a message saying so.
async fn decoder_matches_the_json_form(client: &fantoccini::Client, run_id: &str) {
    let report = client
        .execute_async(
            r#"const [runId, done] = arguments;
            (async () => {
              const { decodeResult, resultJson } = await import('/arrowresult.js');
              const bin = await (await fetch(`/api/runs/${runId}?format=arrow`,
                { headers: { Accept: 'application/vnd.apache.arrow.stream' } })).arrayBuffer();
              const json = (await (await fetch(`/api/runs/${runId}`)).json()).result;
              const r = decodeResult(bin);
              let differing = 0;
              json.series.forEach((s, i) => {
                const d = r.series[i];
                if (d.name !== s.name || d.x.length !== s.x.length || d.y.length !== s.y.length) differing++;
                else if (s.x.some((v, k) => !Object.is(v, d.x[k])) || s.y.some((v, k) => !Object.is(v, d.y[k]))) differing++;
              });
              const failure = (bytes) => { try { decodeResult(bytes); return null; } catch (e) { return e.message; } };
              const other = new Uint8Array(bin.byteLength);
              return {
                series: r.series.length,
                jsonSeries: json.series.length,
                differing,
                typed: r.series.every((s) => s.x instanceof Float64Array && s.y instanceof Float64Array),
                views: r.series.every((s) => s.x.buffer === bin && s.y.buffer === bin),
                sharedAxis: r.series.every((s) => s.x === r.series[0].x),
                sameJson: resultJson(r) === JSON.stringify(json),
                scalarsEqual: JSON.stringify(r.scalars) === JSON.stringify(json.scalars),
                truncated: failure(bin.slice(0, 4000)),
                notAResult: failure(other.buffer),
              };
            })().then(done, (e) => done({ error: String(e) }));"#,
            vec![Value::from(run_id)],
        )
        .await
        .expect("run the decoder in the page");
    assert_eq!(report.get("error"), None, "{report}");
    assert_eq!(report["series"], report["jsonSeries"], "{report}");
    assert!(report["series"].as_u64().unwrap_or(0) > 1, "{report}");
    for key in ["typed", "views", "sharedAxis", "sameJson", "scalarsEqual"] {
        assert_eq!(report[key], json!(true), "{key}: {report}");
    }
    assert_eq!(report["differing"], 0, "{report}");
    let truncated = report["truncated"].as_str().unwrap_or_default();
    assert!(
        truncated.starts_with("Arrow result: not a readable Arrow IPC stream"),
        "{report}"
    );
    let not_a_result = report["notAResult"].as_str().unwrap_or_default();
    assert!(not_a_result.starts_with("Arrow result: "), "{report}");
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
