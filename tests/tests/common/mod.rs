//! The fixtures of the e2e tests: a `BrowserTest` (`cristallo serve` with a fresh data
//! directory, chromedriver and headless Chromium on the page) and a `TauriTest` (the desktop
//! window through tauri-driver), both closed on drop, also when the test fails, or through
//! `finish()`; plus the page helpers and the flows that several tests share.

// Each e2e test binary uses a part of these helpers.
#![allow(dead_code)]

pub mod page;
pub mod profile_flow;
pub mod tmd_flow;
pub mod wire;

use std::path::Path;

use cristallo_tests::{binary, chromium_capabilities, Server, TempDir, WebDriver};
use fantoccini::{Client, ClientBuilder};
use serde_json::json;

pub use page::*;

/// `cristallo serve` (debug build, on loopback, with a data directory of its own), chromedriver
/// and a headless Chromium session on one of its pages.
pub struct BrowserTest {
    /// The WebDriver session of the browser.
    pub client: Client,
    // Fields drop in order: the session, then chromedriver (its process group takes Chromium
    // along), then Chromium's profile, then the server and its data directory.
    _driver: WebDriver,
    _profile: TempDir,
    server: Server,
    /// Where pages are opened: the server's URL, or a relay in front of it.
    base: String,
}

impl BrowserTest {
    /// Starts everything and opens `page` (`""` for home, `#/tool/cbc`, …).
    pub async fn start(page: &str) -> BrowserTest {
        BrowserTest::start_with(page, false).await.0
    }

    /// As [`BrowserTest::start`], with the browser talking to the server through a
    /// [`wire::WireRecorder`] that keeps every request it sends.
    pub async fn start_recorded(page: &str) -> (BrowserTest, wire::WireRecorder) {
        let (test, wire) = BrowserTest::start_with(page, true).await;
        (test, wire.expect("a relay was started"))
    }

    async fn start_with(page: &str, recorded: bool) -> (BrowserTest, Option<wire::WireRecorder>) {
        let server = Server::start();
        let wire = recorded.then(|| wire::WireRecorder::start(server.addr()));
        let base = wire
            .as_ref()
            .map_or_else(|| server.url.clone(), |w| w.url.clone());
        let driver = WebDriver::chromedriver();
        let profile = TempDir::new("chromium");
        let client = ClientBuilder::rustls()
            .expect("TLS roots for the WebDriver client")
            .capabilities(chromium_capabilities(profile.path()))
            .connect(&driver.url)
            .await
            .expect("start a Chromium session");
        let test = BrowserTest {
            client,
            _driver: driver,
            _profile: profile,
            server,
            base,
        };
        test.goto(page).await;
        (test, wire)
    }

    /// The server's URL of `page`.
    pub fn url(&self, page: &str) -> String {
        format!("{}{page}", self.base)
    }

    /// Loads `page` of the server (`#/profiles`, `#/tool/crossval`, …) in the browser, and
    /// records what the Content-Security-Policy blocks on it from then on.
    pub async fn goto(&self, page: &str) {
        self.client
            .goto(&self.url(page))
            .await
            .unwrap_or_else(|e| panic!("open {page:?}: {e}"));
        watch_csp(&self.client).await;
    }

    /// Checks that the server is still running and that the page broke no rule of the
    /// Content-Security-Policy, ends the browser session and stops everything.
    pub async fn finish(mut self) {
        self.server.assert_running();
        let blocked = csp_violations(&self.client).await;
        let _ = self.client.clone().close().await;
        assert!(
            blocked.is_empty(),
            "the Content-Security-Policy blocked: {blocked:?}"
        );
    }
}

/// The desktop app's window under tauri-driver (needs a display: `xvfb-run -a`). Unless
/// `CRISTALLO_DATA_DIR` is set, the app gets a fresh data directory.
pub struct TauriTest {
    /// The WebDriver session of the window.
    pub client: Client,
    // Dropped after the session: tauri-driver's process group takes WebKitWebDriver and the app.
    _driver: WebDriver,
}

impl TauriTest {
    /// Opens the window of the debug build of `cristallo-app`.
    pub async fn start() -> TauriTest {
        TauriTest::start_app(&binary("cristallo-app")).await
    }

    /// Opens the window of the app at `application`.
    pub async fn start_app(application: &Path) -> TauriTest {
        let driver = WebDriver::tauri_driver();
        let caps = json!({
            "browserName": "wry",
            "tauri:options": { "application": application.to_str().expect("a UTF-8 path") }
        });
        let client = ClientBuilder::rustls()
            .expect("TLS roots for the WebDriver client")
            .capabilities(caps.as_object().cloned().unwrap_or_default())
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| {
                panic!("start {} through tauri-driver: {e}", application.display())
            });
        TauriTest {
            client,
            _driver: driver,
        }
    }

    /// Ends the session (it must end cleanly) and stops the driver and the app.
    pub async fn finish(self) {
        self.client.clone().close().await.expect("end the session");
    }
}
