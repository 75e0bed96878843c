//! The desktop shell of Cristallo-RS: a Tauri 2 window showing the static UI in `../ui`, with
//! two commands that call the same core functions as the HTTP handlers of `cristallo serve`:
//!
//! - `list_tools` → the tool catalogue (`GET /api/tools`),
//! - `run_tool(tool, params)` → the result object or `{error, field}`
//!   (`POST /api/tools/{id}/run`, platform.md §3).
//!
//! The app is assembled by [`run_app`], generic over the Tauri runtime, so the tests drive the
//! same commands through `tauri::test::mock_builder()` without a display.

use tauri::{Builder, Runtime};

pub mod commands;

/// Registers the commands on `builder` and builds the app with the embedded configuration
/// (window, `../ui` frontend, capabilities).
pub fn run_app<R: Runtime>(builder: Builder<R>) -> tauri::Result<tauri::App<R>> {
    with_commands(builder).build(context())
}

/// `builder` with the app's command handler; shared by [`run_app`] and the tests.
pub fn with_commands<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::list_tools,
        commands::run_tool
    ])
}

/// The compile-time context: `tauri.conf.json`, the embedded UI files, icons and capabilities.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Starts the desktop app and blocks until its last window closes. Returns an error message
/// if the window system cannot be reached (e.g. no display), instead of panicking.
pub fn run() -> Result<(), String> {
    let app = run_app(tauri::Builder::default())
        .map_err(|e| format!("cannot start Cristallo-RS: {e}"))?;
    app.run(|_handle, _event| {});
    Ok(())
}
