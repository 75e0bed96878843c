//! Saved model profiles (docs/measured.md §7): list, read, export, save, import, rename, delete
//! and restore, over the operations in [`crate::profiles`].

use std::sync::Arc;

use serde_json::Value;

use crate::access::Caller;
use crate::app::blocking;
use crate::profiles::{Deleted, ImportOutcome, ImportRequest, ProfileSummary};
use crate::{ApiError, Platform};

/// Profile summaries, newest first.
pub async fn list(p: &Arc<Platform>) -> Result<Vec<ProfileSummary>, ApiError> {
    let p = p.clone();
    blocking(move || p.list_profiles()).await
}

/// The profile document `id`.
pub async fn get(p: &Arc<Platform>, id: String) -> Result<Value, ApiError> {
    let p = p.clone();
    blocking(move || p.get_profile(&id).map(|d| d.to_json())).await
}

/// The profile document `id` and the file name to download it under.
pub async fn export(p: &Arc<Platform>, id: String) -> Result<(Value, String), ApiError> {
    let p = p.clone();
    let doc = blocking(move || p.get_profile(&id)).await?;
    let name = crate::profiles::export_file_name(&doc);
    Ok((doc.to_json(), name))
}

/// Saves a profile document; answers it with its id and date.
pub async fn save(p: &Arc<Platform>, caller: &Caller, doc: Value) -> Result<Value, ApiError> {
    let (p, caller) = (p.clone(), caller.clone());
    blocking(move || p.save_profile(&caller, &doc).map(|d| d.to_json())).await
}

/// Imports a profile file (a document, or the original app's CSV).
pub async fn import(
    p: &Arc<Platform>,
    caller: &Caller,
    request: ImportRequest,
) -> Result<ImportOutcome, ApiError> {
    let (p, caller) = (p.clone(), caller.clone());
    blocking(move || p.import_profile(&caller, &request)).await
}

/// Renames profile `id`; answers the renamed document.
pub async fn rename(
    p: &Arc<Platform>,
    caller: &Caller,
    id: String,
    name: String,
) -> Result<Value, ApiError> {
    let (p, caller) = (p.clone(), caller.clone());
    blocking(move || p.rename_profile(&caller, &id, &name).map(|d| d.to_json())).await
}

/// Deletes profile `id` (undo within the window it answers).
pub async fn delete(p: &Arc<Platform>, caller: &Caller, id: String) -> Result<Deleted, ApiError> {
    let (p, caller) = (p.clone(), caller.clone());
    blocking(move || p.delete_profile(&caller, &id)).await
}

/// Undoes the deletion of profile `id`; answers the restored document.
pub async fn restore(p: &Arc<Platform>, caller: &Caller, id: String) -> Result<Value, ApiError> {
    let (p, caller) = (p.clone(), caller.clone());
    blocking(move || p.restore_profile(&caller, &id).map(|d| d.to_json())).await
}
