//! The page helpers of every e2e test, in the browser and in the Tauri window alike: open a page,
//! wait for an element, fill a field, run and wait for the result, read a scalar, wait for a
//! plot, read a field's error, and save screenshots. Every wait is bounded and a failed wait
//! saves the page to `e2e-artifacts/failure.*`.

use std::time::{Duration, Instant};

use fantoccini::{elements::Element, Client, Locator};
use serde_json::Value;

/// Bound on every wait for the page.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// Saves the page source and a screenshot to `e2e-artifacts/failure.{html,png}`.
pub async fn save_failure_evidence(client: &Client) {
    let dir = cristallo_tests::artifacts_dir();
    if let Ok(source) = client.source().await {
        let _ = std::fs::write(dir.join("failure.html"), source);
    }
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(dir.join("failure.png"), png);
    }
}

/// Saves a screenshot of the page as `e2e-artifacts/{file_name}`.
pub async fn screenshot(client: &Client, file_name: &str) {
    let png = client.screenshot().await.expect("take a screenshot");
    std::fs::write(cristallo_tests::artifacts_dir().join(file_name), png)
        .unwrap_or_else(|e| panic!("save {file_name}: {e}"));
}

/// Opens page `hash` (`#/tool/simulator`) of the app already loaded, by changing
/// `location.hash` (works in the browser and in the Tauri window).
pub async fn open(client: &Client, hash: &str) {
    client
        .execute(
            "window.location.hash = arguments[0]; return null;",
            vec![Value::from(hash)],
        )
        .await
        .unwrap_or_else(|e| panic!("open {hash}: {e}"));
}

/// Opens tool `tool`'s page and waits until its Run button is there.
pub async fn open_tool(client: &Client, tool: &str) {
    open(client, &format!("#/tool/{tool}")).await;
    wait_for(client, &format!(r#"[data-tool-page="{tool}"] #run"#)).await;
}

/// Waits for the element matching `css`, failing with the selector in the message.
pub async fn wait_for(client: &Client, css: &str) -> Element {
    match client
        .wait()
        .at_most(PAGE_TIMEOUT)
        .every(Duration::from_millis(100))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element,
        Err(e) => {
            save_failure_evidence(client).await;
            panic!("no element `{css}` within {PAGE_TIMEOUT:?}: {e} (page saved in e2e-artifacts/failure.*)")
        }
    }
}

/// Waits (bounded) until `script` (a JS expression) is truthy; panics with `what`.
pub async fn wait_until(client: &Client, script: &str, what: &str) {
    let start = Instant::now();
    loop {
        let v = client
            .execute(&format!("return Boolean({script});"), vec![])
            .await
            .expect("evaluate a condition");
        if v == Value::Bool(true) {
            return;
        }
        if start.elapsed() > PAGE_TIMEOUT {
            save_failure_evidence(client).await;
            panic!("{what}: not true within {PAGE_TIMEOUT:?}: {script}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (bounded) until `css` matches an element whose attribute `attr` equals `value`.
pub async fn wait_for_attr(client: &Client, css: &str, attr: &str, value: &str) {
    let start = Instant::now();
    loop {
        if attr_of(client, css, attr).await.as_deref() == Some(value) {
            return;
        }
        if start.elapsed() > PAGE_TIMEOUT {
            save_failure_evidence(client).await;
            panic!("`{css}` did not get {attr}={value:?} within {PAGE_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Attribute `name` of the element `css`, or `None` if either is absent.
pub async fn attr_of(client: &Client, css: &str, name: &str) -> Option<String> {
    match client.find(Locator::Css(css)).await {
        Ok(el) => el.attr(name).await.ok().flatten(),
        Err(_) => None,
    }
}

/// Attribute `name` of the element `css`, waiting for the element; panics if it lacks one.
pub async fn attr_value(client: &Client, css: &str, name: &str) -> String {
    wait_for(client, css)
        .await
        .attr(name)
        .await
        .unwrap_or_else(|e| panic!("read {name} of `{css}`: {e}"))
        .unwrap_or_else(|| panic!("`{css}` has no {name}"))
}

/// Text of the element `css`, or an empty string if it is absent.
pub async fn text_of(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(el) => el.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// The CSS selector of the element with id `id` (ids hold dots and brackets: `frfs[0].csv`).
pub fn css_id(id: &str) -> String {
    format!(r#"[id="{id}"]"#)
}

/// Clicks the element `css` through the page (a sticky footer may cover it).
pub async fn click(client: &Client, css: &str) {
    wait_for(client, css).await;
    client
        .execute(
            "const b = document.querySelector(arguments[0]); b.scrollIntoView({block: 'center'}); b.click(); return null;",
            vec![Value::from(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Replaces the value of form field `key` (`param-{key}`) with `value`.
pub async fn fill(client: &Client, key: &str, value: &str) {
    let input = wait_for(client, &css_id(&format!("param-{key}"))).await;
    input
        .clear()
        .await
        .unwrap_or_else(|e| panic!("clear {key}: {e}"));
    input
        .send_keys(value)
        .await
        .unwrap_or_else(|e| panic!("type {value:?} into {key}: {e}"));
}

/// Scrolls the first element matching `css` into view (`block`: start, center, end) and lets
/// the page settle, for a screenshot.
pub async fn scroll_to(client: &Client, css: &str, block: &str) {
    client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: arguments[1]}); return null;",
            vec![Value::from(css), Value::from(block)],
        )
        .await
        .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// The current `data-state` of `#result` (None before the first run).
pub async fn result_state(client: &Client) -> Option<String> {
    attr_of(client, "#result", "data-state").await
}

/// Waits (bounded by `timeout`) until `#result` is `done` or `error`; returns the state.
pub async fn wait_for_result(client: &Client, timeout: Duration) -> String {
    let start = Instant::now();
    loop {
        match result_state(client).await.as_deref() {
            Some("done") => return "done".into(),
            Some("error") => return "error".into(),
            _ => {}
        }
        if start.elapsed() > timeout {
            save_failure_evidence(client).await;
            panic!(
                "#result did not reach data-state=done|error within {timeout:?} (state {:?}, status {:?})",
                result_state(client).await,
                text_of(client, "#result-status").await
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks Run and waits (bounded) until `#result` is `done` or `error`; returns the state.
pub async fn run_and_wait(client: &Client) -> String {
    click_run(client).await;
    wait_for_result(client, PAGE_TIMEOUT).await
}

/// Clicks the Run button.
pub async fn click_run(client: &Client) {
    wait_for(client, "#run")
        .await
        .click()
        .await
        .expect("click #run");
}

/// Panics unless `state` is `done`, with `what`, the status and the form error shown.
pub async fn assert_done(client: &Client, state: &str, what: &str) {
    if state != "done" {
        save_failure_evidence(client).await;
        panic!(
            "{what} failed: status {:?}, form error {:?}",
            text_of(client, "#result-status").await,
            text_of(client, "#form-error").await
        );
    }
}

/// Clicks Run and checks that the run ends `done`.
pub async fn run_done(client: &Client, what: &str) {
    let state = run_and_wait(client).await;
    assert_done(client, &state, what).await;
}

/// The full-precision value of scalar `key` shown on the page.
pub async fn scalar_value(client: &Client, key: &str) -> f64 {
    let raw = wait_for(client, &scalar_cell(key))
        .await
        .attr("data-value")
        .await
        .expect("read data-value")
        .unwrap_or_else(|| panic!("scalar {key} has no data-value"));
    raw.trim()
        .parse()
        .unwrap_or_else(|e| panic!("scalar {key}: data-value {raw:?} is not a number: {e}"))
}

/// The selector of the cell showing scalar `key`.
pub fn scalar_cell(key: &str) -> String {
    format!(r#"tr[data-scalar="{key}"] td.scalar-value"#)
}

/// Whether the result shows scalar `key` at all (a refused run must not leave a stale one).
pub async fn shows_scalar(client: &Client, key: &str) -> bool {
    client
        .find(Locator::Css(&format!(r#"tr[data-scalar="{key}"]"#)))
        .await
        .is_ok()
}

/// Waits until the result draws a plot of series `series`.
pub async fn wait_for_plot(client: &Client, series: &str) -> Element {
    wait_for(
        client,
        &format!(r#"#plots figure.plot[data-series~="{series}"]"#),
    )
    .await
}

/// Waits (bounded) until the message next to field `key` (`#error-{key}`) is not empty and
/// returns it.
pub async fn field_error(client: &Client, key: &str) -> String {
    let css = format!("#error-{key}");
    let start = Instant::now();
    loop {
        let message = text_of(client, &css).await;
        if !message.trim().is_empty() {
            return message;
        }
        if start.elapsed() > PAGE_TIMEOUT {
            save_failure_evidence(client).await;
            panic!("no message next to {key} within {PAGE_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The parameters echoed under the result (`#result details.params-echo pre`).
pub async fn echoed_params(client: &Client) -> Value {
    let echo = client
        .execute(
            "return document.querySelector('#result details.params-echo pre').textContent;",
            vec![],
        )
        .await
        .expect("read the echoed parameters");
    serde_json::from_str(echo.as_str().expect("text")).expect("JSON echo")
}

/// The body of `GET path` (JSON) fetched by the page from its own origin.
pub async fn fetch_json(client: &Client, path: &str) -> Value {
    client
        .execute_async(
            "const [path, done] = arguments; \
             fetch(path, {credentials: 'same-origin'}).then((r) => r.json()).then(done, (e) => done({error: String(e)}));",
            vec![Value::from(path)],
        )
        .await
        .unwrap_or_else(|e| panic!("fetch {path} from the page: {e}"))
}

/// Records every Content-Security-Policy violation of the page in its session storage (kept
/// across reloads of the same tab), read by [`csp_violations`].
pub async fn watch_csp(client: &Client) {
    client
        .execute(
            "if (!window.__cspWatched) {
               window.__cspWatched = true;
               document.addEventListener('securitypolicyviolation', (e) => {
                 const seen = JSON.parse(sessionStorage.getItem('cspViolations') || '[]');
                 seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
                 sessionStorage.setItem('cspViolations', JSON.stringify(seen));
               });
             }
             return null;",
            vec![],
        )
        .await
        .expect("watch the Content-Security-Policy");
}

/// What the Content-Security-Policy blocked since [`watch_csp`].
pub async fn csp_violations(client: &Client) -> Vec<String> {
    let text = client
        .execute(
            "return sessionStorage.getItem('cspViolations') || '[]';",
            vec![],
        )
        .await
        .expect("read the CSP violations");
    serde_json::from_str(text.as_str().unwrap_or("[]")).unwrap_or_default()
}
