//! What the app is: the tool catalogue, who the desktop user is, and the twin's description.

use cristallo_core::ToolInfo;
use cristallo_server::access::Caller;
use serde_json::{json, Value};

use super::{Answer, Shared};

/// Ids, titles, categories and parameter schemas of all tools; the UI builds its home page and
/// forms from it.
#[tauri::command]
pub fn list_tools() -> Vec<ToolInfo> {
    cristallo_core::catalogue()
}

/// Who the desktop user is: the same JSON as `GET /api/session` answers the host.
#[tauri::command]
pub async fn session(platform: Shared<'_>) -> Answer<Value> {
    let caller = Caller::host();
    Ok(json!({
        "role": caller.role,
        "name": caller.name,
        "session_id": caller.session_id,
        "can_modify": caller.can_modify,
        "sharing": platform.access.is_sharing(),
        "twin_name": platform.config.twin_name,
        "version": cristallo_server::VERSION,
    }))
}

/// The twin's description (`GET /api/twin`).
#[tauri::command]
pub fn twin() -> Value {
    cristallo_server::twin_description()
}
