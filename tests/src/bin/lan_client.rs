//! The guest side of the two-host LAN test (`tests/e2e_lan.rs`), run inside the client's network
//! namespace. It is given only the share token: it finds the host by mDNS, then drives two
//! headless Chromium sessions through a chromedriver on the namespace's loopback — guest A runs
//! a tool, guest B watches the history page and must see A's run appear live.
//!
//! Prints one JSON line with the measurements and exits 0 on success; any failure exits 1
//! with the reason on stderr.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cristallo_tests::{
    chromium_capabilities, free_port, wait_until_ready, ChildGuard, STARTUP_TIMEOUT,
};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// The default profile's first natural frequency (docs/simulator.md §2; core/tests/fixtures).
const EXPECTED_FN1_HZ: f64 = 6.2036;

async fn browser(driver: &str, tag: &str) -> Client {
    let profile = std::env::temp_dir().join(format!("cristallo-lan-{tag}-{}", std::process::id()));
    ClientBuilder::rustls()
        .expect("TLS roots")
        .capabilities(chromium_capabilities(&profile))
        .connect(driver)
        .await
        .unwrap_or_else(|e| fail(&format!("cannot start Chromium ({tag}): {e}")))
}

fn fail(msg: &str) -> ! {
    eprintln!("lan-client: {msg}");
    std::process::exit(1)
}

async fn wait_for(client: &Client, css: &str, what: &str) -> fantoccini::elements::Element {
    match client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element,
        Err(e) => {
            let state = page_state(client).await;
            fail(&format!(
                "{what} did not appear ({css}): {e}\npage state: {state}"
            ))
        }
    }
}

/// What the page was doing when a wait failed: its URL, visible text and the requests it made
/// (with their durations), so a failure says where the page stopped.
async fn page_state(client: &Client) -> String {
    const SCRIPT: &str = "return JSON.stringify({url: location.href, \
        text: (document.body ? document.body.innerText : '').slice(0, 400), \
        resources: performance.getEntriesByType('resource').map(r => \
            [r.name, Math.round(r.startTime), Math.round(r.duration), r.responseStatus])});";
    match client.execute(SCRIPT, vec![]).await {
        Ok(v) => v.as_str().unwrap_or_default().to_string(),
        Err(e) => format!("(cannot read the page: {e})"),
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let token = match args
        .iter()
        .position(|a| a == "--token")
        .and_then(|i| args.get(i + 1))
    {
        Some(t) => t.clone(),
        None => fail("usage: lan-client --token TOKEN"),
    };

    // 1. Discovery by mDNS only: no address is given to this program.
    let started = Instant::now();
    let peers = cristallo_server::share::discover(None, Duration::from_secs(30), true)
        .unwrap_or_else(|e| fail(&format!("discovery failed: {e}")));
    let discovery_ms = started.elapsed().as_secs_f64() * 1e3;
    let peer = peers
        .first()
        .unwrap_or_else(|| fail("no shared twin found by mDNS within 30 s"));

    // 2. A chromedriver on this namespace's loopback.
    let port = free_port();
    let mut driver = ChildGuard::spawn(
        "chromedriver",
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    wait_until_ready(&mut driver, addr, "/status", STARTUP_TIMEOUT);
    let driver_url = format!("http://{addr}");

    // 3. Guest B signs in with the link and watches the history.
    let b = browser(&driver_url, "b").await;
    b.goto(&format!("{}?token={token}&name=guest-b", peer.url))
        .await
        .unwrap_or_else(|e| fail(&format!("guest B cannot open the share link: {e}")));
    b.goto(&format!("{}#/history", peer.url))
        .await
        .unwrap_or_else(|e| fail(&e.to_string()));
    wait_for(&b, "#history", "guest B's history table").await;
    let rows_before = b
        .find_all(Locator::Css("#history tr[data-run-id]"))
        .await
        .map(|r| r.len())
        .unwrap_or(0);

    // 4. Guest A runs `modal` and reads the first natural frequency off the page.
    let a = browser(&driver_url, "a").await;
    a.goto(&format!("{}?token={token}&name=guest-a", peer.url))
        .await
        .unwrap_or_else(|e| fail(&format!("guest A cannot open the share link: {e}")));
    a.goto(&format!("{}#/tool/modal", peer.url))
        .await
        .unwrap_or_else(|e| fail(&e.to_string()));
    let run_started = Instant::now();
    wait_for(&a, "#run", "the Run button")
        .await
        .click()
        .await
        .unwrap_or_else(|e| fail(&e.to_string()));
    wait_for(&a, "#result[data-state=done]", "guest A's result").await;
    let run_ms = run_started.elapsed().as_secs_f64() * 1e3;
    let cell = wait_for(
        &a,
        "tr[data-scalar=natural_frequency_1_hz] td.scalar-value",
        "the fn1 value",
    )
    .await;
    let fn1: f64 = cell
        .attr("data-value")
        .await
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| fail("fn1 has no numeric data-value"));
    if (fn1 - EXPECTED_FN1_HZ).abs() > 1e-3 {
        fail(&format!(
            "guest A sees fn1 = {fn1} Hz, expected {EXPECTED_FN1_HZ}"
        ));
    }

    // 5. Guest B sees the new run without reloading.
    let seen_started = Instant::now();
    let mut rows_after = rows_before;
    while seen_started.elapsed() < Duration::from_secs(20) {
        rows_after = b
            .find_all(Locator::Css("#history tr[data-run-id]"))
            .await
            .map(|r| r.len())
            .unwrap_or(0);
        if rows_after > rows_before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if rows_after <= rows_before {
        fail("guest B's live history did not show guest A's run");
    }
    let live_ms = seen_started.elapsed().as_secs_f64() * 1e3;
    let row_text = b.find(Locator::Css("#history tr[data-run-id]")).await.ok();
    let row_text = match row_text {
        Some(r) => r.text().await.unwrap_or_default(),
        None => String::new(),
    };
    if !row_text.contains("guest-a") {
        fail(&format!(
            "the newest history row does not name guest-a: {row_text:?}"
        ));
    }
    if let Ok(png) = b.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("cristallo-lan-guest-b.png"), png);
    }
    let _ = a.close().await;
    let _ = b.close().await;
    println!(
        "{}",
        json!({
            "peer": peer.name, "url": peer.url, "discovery_ms": discovery_ms,
            "run_ms": run_ms, "live_update_ms": live_ms, "fn1_hz": fn1,
        })
    );
}
