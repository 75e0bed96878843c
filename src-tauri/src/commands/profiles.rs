//! Saved model profiles (docs/measured.md §7) and the measured files they keep.

use cristallo_server::access::Caller;
use cristallo_server::profiles::{Deleted, ImportOutcome, ImportRequest, ProfileSummary};
use serde_json::Value;

use super::{blocking, Answer, Shared};

/// The saved profiles, newest first.
#[tauri::command]
pub async fn profile_list(platform: Shared<'_>) -> Answer<Vec<ProfileSummary>> {
    let p = platform.inner().clone();
    blocking(move || p.list_profiles()).await
}

/// One profile document; unknown id: `{error: "no such profile …"}`.
#[tauri::command]
pub async fn profile_show(platform: Shared<'_>, id: String) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || p.get_profile(&id).map(|d| d.to_json())).await
}

/// A measured file stored by SHA-256 (`{sha256, name, csv_text}`), as a profile's origin names it.
#[tauri::command]
pub async fn source_file(platform: Shared<'_>, sha256: String) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || p.source_file(&sha256)).await
}

/// The document to write to a file (the UI offers it as a download).
#[tauri::command]
pub async fn profile_export(platform: Shared<'_>, id: String) -> Answer<Value> {
    profile_show(platform, id).await
}

/// Saves a `cristallo.profile/1` document as a new profile; a taken name answers
/// `{error, field: "profile.name"}`.
#[tauri::command]
pub async fn profile_save(platform: Shared<'_>, profile: Value) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || {
        p.save_profile(&Caller::host(), &profile)
            .map(|d| d.to_json())
    })
    .await
}

/// Imports a profile file's text (ours, or the original app's JSON or 8-line CSV).
#[tauri::command]
pub async fn profile_import(
    platform: Shared<'_>,
    text: String,
    name: Option<String>,
    file_name: Option<String>,
) -> Answer<ImportOutcome> {
    let p = platform.inner().clone();
    let req = ImportRequest {
        text,
        name,
        file_name,
    };
    blocking(move || p.import_profile(&Caller::host(), &req)).await
}

/// Renames a profile.
#[tauri::command]
pub async fn profile_rename(platform: Shared<'_>, id: String, name: String) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || {
        p.rename_profile(&Caller::host(), &id, &name)
            .map(|d| d.to_json())
    })
    .await
}

/// Deletes a profile; `profile_restore` undoes it within 30 s.
#[tauri::command]
pub async fn profile_delete(platform: Shared<'_>, id: String) -> Answer<Deleted> {
    let p = platform.inner().clone();
    blocking(move || p.delete_profile(&Caller::host(), &id)).await
}

/// Undoes a deletion made less than 30 s ago.
#[tauri::command]
pub async fn profile_restore(platform: Shared<'_>, id: String) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || p.restore_profile(&Caller::host(), &id).map(|d| d.to_json())).await
}
