//! What the platform does to a run's parameters before the core sees them.
//!
//! 1. **No file paths from guests.** On the CLI a tool may read a server-side file named by a
//!    `path` key (`frfs[0].path`); over the LAN that would let a guest read the host's files.
//!    Parameters of a guest session must not contain a key named `path` at any depth (unless it is
//!    null or empty, an unused form field): 403 naming the field ("file paths are accepted only on the host; upload the file instead").
//! 2. **Stored profiles by id.** A tool whose schema has a `profile` object (`modal`,
//!    `simulator`, …) also accepts `"profile_id": "…"` in its place; nested objects holding a
//!    `profile_id` (crossval's `sources[i]`) likewise. The id is looked up among the live
//!    profiles and replaced by the inline `profile` object (`masses_kg`, `stiffnesses_n_per_m`,
//!    `dampings_ns_per_m`, plus the profile's name and `source: "profile <id>"` where the
//!    tool's schema has those keys), so the echoed `params` show the resolved values. Unknown
//!    id, a non-string id, both `profile` and `profile_id`, or a tool without a profile: 400
//!    naming `profile_id` (`sources[1].profile_id`).
//!
//! `vibration-control` models the rig from its geometry (docs/control.md §2.1) unless its optional
//! `profile.*` lists are given; a `profile_id` fills them, so the profile's chain replaces the
//! geometry model.

use cristallo_core::profile_doc::ProfileDoc;
use cristallo_core::ToolError;
use serde_json::{Map, Value};

use crate::access::Role;
use crate::store::Store;
use crate::ApiError;

/// The message of the guest path rule.
pub const GUEST_PATH_MESSAGE: &str =
    "file paths are accepted only on the host; upload the file instead";

fn child(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The dotted field of the first key named `path` in `v` holding something (not null or `""`).
pub fn find_path_key(v: &Value, prefix: &str) -> Option<String> {
    match v {
        Value::Object(obj) => obj.iter().find_map(|(k, x)| {
            // A form's unused path field (null or "") names no file.
            let names_a_file = !matches!(x, Value::Null) && x.as_str() != Some("");
            if k == "path" && names_a_file {
                Some(child(prefix, k))
            } else {
                find_path_key(x, &child(prefix, k))
            }
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| find_path_key(x, &format!("{prefix}[{i}]"))),
        _ => None,
    }
}

/// Refuses file paths in a guest's parameters.
pub fn check_guest_paths(role: Role, params: &Value) -> Result<(), ApiError> {
    if role != Role::Guest {
        return Ok(());
    }
    match find_path_key(params, "") {
        Some(field) => Err(ApiError::ForbiddenParam {
            field,
            reason: GUEST_PATH_MESSAGE.to_string(),
        }),
        None => Ok(()),
    }
}

/// Whether `v` holds a `profile_id` key anywhere (only then is the store consulted).
pub fn mentions_profile_id(v: &Value) -> bool {
    match v {
        Value::Object(obj) => {
            obj.contains_key("profile_id") || obj.values().any(mentions_profile_id)
        }
        Value::Array(items) => items.iter().any(mentions_profile_id),
        _ => false,
    }
}

/// The keys of the `profile` object in tool `tool`'s schema (empty: the tool takes none).
fn profile_keys(tool: &str) -> Vec<String> {
    cristallo_core::catalogue()
        .into_iter()
        .find(|t| t.id == tool)
        .map(|t| {
            t.params
                .iter()
                .filter_map(|p| p.key.strip_prefix("profile.").map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `obj` names a stored profile: a `profile_id` that is not null or empty. A null or
/// empty one (a form's unused field) is dropped.
fn wants_profile(obj: &mut Map<String, Value>) -> bool {
    match obj.get("profile_id") {
        None => false,
        Some(Value::Null) => {
            obj.remove("profile_id");
            false
        }
        Some(Value::String(s)) if s.is_empty() => {
            obj.remove("profile_id");
            false
        }
        Some(_) => true,
    }
}

fn lookup(store: &Store, obj: &Map<String, Value>, field: &str) -> Result<ProfileDoc, ApiError> {
    if obj.get("profile").is_some_and(|p| !p.is_null()) {
        return Err(
            ToolError::invalid(field, "give either 'profile' or 'profile_id', not both").into(),
        );
    }
    let id = obj
        .get("profile_id")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ToolError::invalid(field, "expected the id (a string) of a saved profile")
        })?;
    store
        .get_profile(id)?
        .ok_or_else(|| {
            ToolError::invalid(
                field,
                format!("no saved profile has the id '{id}' (see the Profiles page or `cristallo profile list`)"),
            )
            .into()
        })
}

fn resolve_nested(store: &Store, v: &mut Value, prefix: &str) -> Result<(), ApiError> {
    match v {
        Value::Object(obj) => {
            if wants_profile(obj) {
                let doc = lookup(store, obj, &child(prefix, "profile_id"))?;
                obj.remove("profile_id");
                obj.insert("profile".into(), doc.to_params(None));
            }
            for (k, x) in obj.iter_mut() {
                resolve_nested(store, x, &child(prefix, k))?;
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .try_for_each(|(i, x)| resolve_nested(store, x, &format!("{prefix}[{i}]"))),
        _ => Ok(()),
    }
}

/// Replaces every `profile_id` in `params` of tool `tool` by the stored profile (module docs).
pub fn resolve_profile_ids(store: &Store, tool: &str, params: &mut Value) -> Result<(), ApiError> {
    if !mentions_profile_id(params) {
        return Ok(());
    }
    if let Some(obj) = params.as_object_mut() {
        if wants_profile(obj) {
            let keys = profile_keys(tool);
            if keys.is_empty() {
                let why = format!("tool '{tool}' takes no model profile");
                return Err(ToolError::invalid("profile_id", why).into());
            }
            let doc = lookup(store, obj, "profile_id")?;
            obj.remove("profile_id");
            obj.insert("profile".into(), doc.to_params(Some(&keys)));
        }
        for (k, x) in obj.iter_mut() {
            if k != "profile" {
                resolve_nested(store, x, k)?;
            }
        }
    }
    Ok(())
}

/// Both steps, in order, for a caller of role `role`.
pub fn prepare_params(
    store: &Store,
    role: Role,
    tool: &str,
    mut params: Value,
) -> Result<Value, ApiError> {
    check_guest_paths(role, &params)?;
    resolve_profile_ids(store, tool, &mut params)?;
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn path_keys_are_found_at_any_depth() {
        assert_eq!(find_path_key(&json!({"a": 1}), ""), None);
        assert_eq!(
            find_path_key(&json!({"path": "x"}), ""),
            Some("path".into())
        );
        assert_eq!(
            find_path_key(
                &json!({"frfs": [{"csv_text": "1"}, {"path": "/etc/passwd"}]}),
                ""
            ),
            Some("frfs[1].path".into())
        );
        assert_eq!(
            find_path_key(&json!({"a": {"b": [[{"path": 1}]]}}), ""),
            Some("a.b[0][0].path".into())
        );
        // Only the key counts, not a value that happens to be "path".
        assert_eq!(
            find_path_key(&json!({"kind": "path", "paths": []}), ""),
            None
        );
    }

    #[test]
    fn hosts_may_give_paths_guests_may_not() {
        let p = json!({"frfs": [{"path": "data/x.csv"}]});
        assert!(check_guest_paths(Role::Host, &p).is_ok());
        let err = check_guest_paths(Role::Guest, &p).unwrap_err();
        assert_eq!(err.status(), axum::http::StatusCode::FORBIDDEN);
        assert_eq!(err.body().field.as_deref(), Some("frfs[0].path"));
        assert_eq!(err.body().error, GUEST_PATH_MESSAGE);
    }

    #[test]
    fn null_or_empty_profile_ids_are_dropped_without_a_lookup() {
        let dir = std::env::temp_dir().join(format!("cristallo-resolve-{}", std::process::id()));
        let store = Store::open(&dir).unwrap();
        let mut p =
            json!({"sources": [{"kind": "db_csv", "profile_id": null}, {"profile_id": ""}]});
        resolve_profile_ids(&store, "crossval", &mut p).unwrap();
        assert_eq!(p, json!({"sources": [{"kind": "db_csv"}, {}]}));
        let mut p = json!({"sources": [{"kind": "profile", "profile_id": "gone"}]});
        let err = resolve_profile_ids(&store, "crossval", &mut p).unwrap_err();
        assert_eq!(err.body().field.as_deref(), Some("sources[0].profile_id"));
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn profile_keys_come_from_the_schema() {
        let keys = profile_keys("simulator");
        assert!(keys.contains(&"masses_kg".to_string()), "{keys:?}");
        let vc = profile_keys("vibration-control");
        assert!(vc.contains(&"dampings_ns_per_m".to_string()), "{vc:?}");
        assert!(profile_keys("recordings").is_empty());
    }
}
