//! Embeds the static UI (`frontendDist` = ../ui) and the capabilities into the app, and declares
//! the app's commands so that capabilities govern them (Tauri generates `allow-<command>`).

/// Every command of `with_commands` in `src/lib.rs`. A command missing here cannot be allowed
/// by a capability, so the window may not call it; `tests/acl.rs` checks the three lists agree.
const COMMANDS: &[&str] = &[
    "list_tools",
    "run_tool",
    "cancel_run",
    "session",
    "list_runs",
    "get_run",
    "delete_run",
    "twin",
    "settings_get",
    "tool_artifact",
    "save_download",
    "desktop_settings_get",
    "desktop_settings_set",
    "settings_set",
    "run_figures",
    "run_figure",
    "run_report",
    "share_status",
    "share_start",
    "share_stop",
    "set_guest_access",
    "revoke_session",
    "rotate_token",
    "discover_peers",
    "profile_list",
    "profile_show",
    "profile_export",
    "profile_save",
    "profile_import",
    "profile_rename",
    "profile_delete",
    "profile_restore",
    "source_file",
];

fn main() {
    // The UI is plain files with no build step: without this, new or changed UI files
    // would not be re-embedded on the next `cargo build`.
    println!("cargo:rerun-if-changed=../ui");
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(error) =
        tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
    {
        eprintln!("tauri.conf.json, capabilities or command permissions: {error:#}");
        std::process::exit(1);
    }
}
