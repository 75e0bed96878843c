//! Who is calling and what there is: health, the session, the tool catalogue, the twin.

use std::sync::Arc;

use cristallo_core::{ToolError, ToolInfo};
use serde_json::{json, Value};

use crate::access::Caller;
use crate::{ApiError, Platform};

/// `{status, version}`: the server answers.
pub fn health() -> Value {
    json!({ "status": "ok", "version": crate::VERSION })
}

/// Role, name, session id and rights of `caller` (all null when signed out), with whether the
/// twin is shared, its name and the version.
pub fn session(p: &Arc<Platform>, caller: Option<&Caller>) -> Value {
    let mut v = match caller {
        Some(caller) => json!({
            "role": caller.role,
            "name": caller.name,
            "session_id": caller.session_id,
            "can_modify": caller.can_modify,
        }),
        None => json!({ "role": null, "name": null, "session_id": null, "can_modify": false }),
    };
    if let Some(obj) = v.as_object_mut() {
        obj.insert("sharing".into(), json!(p.access.is_sharing()));
        obj.insert("twin_name".into(), json!(p.config.twin_name));
        obj.insert("version".into(), json!(crate::VERSION));
    }
    v
}

/// Ids, titles, categories and parameter schemas of all tools.
pub fn tools() -> Vec<ToolInfo> {
    cristallo_core::catalogue()
}

/// One tool of the catalogue; unknown id: `UnknownTool`.
pub fn tool(id: &str) -> Result<ToolInfo, ApiError> {
    cristallo_core::catalogue()
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ToolError::UnknownTool { id: id.to_string() }.into())
}

/// Refuses an id that names no tool (before a request body is even read).
pub fn known_tool(id: &str) -> Result<(), ApiError> {
    cristallo_core::find(id)
        .map(|_| ())
        .ok_or_else(|| ToolError::UnknownTool { id: id.to_string() }.into())
}

/// The twin's description (`data/twin.json`, built into the binary).
pub fn twin() -> Value {
    crate::twin_description()
}
