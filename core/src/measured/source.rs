//! Where a measured file comes from. A parameter item names exactly one of
//! `path` (a file on the machine running the tool), `csv_text` (the file's contents, how the
//! browser UI uploads) or `rig_file` (one of the rig's shipped files, [`super::rig_data`]).
//! Errors name the item's field, e.g. `frfs[0].path`, and print the path.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::rig_data;
use crate::ToolError;

/// Largest accepted file (bytes): the rig's files are 0.5 MB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The text of one source file and the dotted field it came from.
#[derive(Debug, Clone)]
pub struct FileText {
    /// `frfs[0].path`, `sources[1].csv_text`, … (named by parse errors).
    pub field: String,
    /// A short name for labels: the file name, `uploaded text` or the rig file.
    pub name: String,
    pub text: Cow<'static, str>,
}

/// A per-process cache of what was computed from the shipped files, keyed by the address
/// and length of their embedded text.
pub type ShippedCache<T> = OnceLock<Mutex<HashMap<(usize, usize), T>>>;

/// `compute(text)` for a loaded source. For a shipped rig file (static text) it runs once per
/// process and is then cloned from `cache`: a long-running server would otherwise parse and
/// hash the same embedded files on every run. Uploads and paths are computed every time.
pub fn once_for_shipped<T: Clone>(
    text: &FileText,
    cache: &'static ShippedCache<T>,
    compute: impl FnOnce(&str) -> Result<T, ToolError>,
) -> Result<T, ToolError> {
    let Cow::Borrowed(shipped) = text.text else {
        return compute(&text.text);
    };
    let key = (shipped.as_ptr() as usize, shipped.len());
    let cache = cache.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(hit);
    }
    let value = compute(shipped)?;
    if let Ok(mut c) = cache.lock() {
        c.insert(key, value.clone());
    }
    Ok(value)
}

/// The SHA-256 of a source's text (lowercase hex): the name under which the platform stores
/// a model-update's measured files once, so a profile can re-plot its data (docs/measured.md §7).
pub fn sha256_hex(text: &FileText) -> String {
    static HASHED: ShippedCache<String> = OnceLock::new();
    let hex = |s: &str| {
        Ok(Sha256::digest(s.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    };
    once_for_shipped(text, &HASHED, hex).unwrap_or_default()
}

/// The keys that select a file.
pub const FILE_KEYS: [&str; 3] = ["path", "csv_text", "rig_file"];

/// Reads the file named by `item` (the object at `prefix`, e.g. `frfs[0]`).
pub fn load(item: &Map<String, Value>, prefix: &str) -> Result<FileText, ToolError> {
    let given: Vec<&str> = FILE_KEYS
        .iter()
        .copied()
        .filter(|k| item.get(*k).is_some_and(|v| !v.is_null()))
        .collect();
    if given.len() != 1 {
        return Err(ToolError::invalid(
            prefix,
            format!(
                "give exactly one of path, csv_text or rig_file (got {})",
                if given.is_empty() {
                    "none".to_string()
                } else {
                    given.join(" and ")
                }
            ),
        ));
    }
    let key = given[0];
    let field = format!("{prefix}.{key}");
    let value = item
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| ToolError::invalid(&field, "expected a string"))?;
    match key {
        "path" => {
            let text = crate::hostfile::read_text(std::path::Path::new(value), MAX_FILE_BYTES)
                .map_err(|e| ToolError::invalid(&field, format!("'{value}' {e}")))?;
            let name = std::path::Path::new(value)
                .file_name()
                .map_or_else(|| value.to_string(), |n| n.to_string_lossy().into_owned());
            Ok(FileText {
                field,
                name,
                text: Cow::Owned(text),
            })
        }
        "csv_text" => Ok(FileText {
            field,
            name: "uploaded text".to_string(),
            text: Cow::Owned(value.to_string()),
        }),
        _ => {
            let text = rig_data::rig_file(value).ok_or_else(|| {
                ToolError::invalid(
                    &field,
                    format!(
                        "'{value}' is not a shipped rig file; choose one of: {}",
                        rig_data::names().join(", ")
                    ),
                )
            })?;
            let name = value.rsplit('/').next().unwrap_or(value).to_string();
            Ok(FileText {
                field,
                name,
                text: Cow::Borrowed(text),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn exactly_one_key_and_named_fields() {
        let e = load(&obj(json!({})), "frfs[0]").unwrap_err();
        assert_eq!(e.field(), Some("frfs[0]"));
        let e = load(&obj(json!({"path": "a", "csv_text": "b"})), "frfs[1]").unwrap_err();
        assert_eq!(e.field(), Some("frfs[1]"));
        let e = load(&obj(json!({"path": "/no/such/file.csv"})), "frfs[0]").unwrap_err();
        assert_eq!(e.field(), Some("frfs[0].path"));
        assert!(e.to_string().contains("/no/such/file.csv"));
        let e = load(&obj(json!({"rig_file": "x.csv"})), "sources[2]").unwrap_err();
        assert_eq!(e.field(), Some("sources[2].rig_file"));
        let f = load(&obj(json!({"csv_text": "1;2;3;4"})), "frfs[0]").unwrap();
        assert_eq!(f.field, "frfs[0].csv_text");
        let f = load(&obj(json!({"rig_file": "frfs/test_2.csv"})), "frfs[1]").unwrap();
        assert_eq!(f.name, "test_2.csv");
    }

    /// `load` on `path` in a thread, answered within 1 s (a FIFO used to block `open` forever and
    /// `/dev/zero` used to be read until memory ran out).
    fn load_within_a_second(path: &str) -> Result<FileText, ToolError> {
        let item = obj(json!({ "path": path }));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(load(&item, "frfs[0]"));
        });
        rx.recv_timeout(std::time::Duration::from_secs(1))
            .unwrap_or_else(|_| panic!("reading {path} did not answer within 1 s"))
    }

    #[test]
    fn devices_and_named_pipes_are_refused_at_once_naming_the_field() {
        let e = load_within_a_second("/dev/zero").unwrap_err();
        assert_eq!(e.field(), Some("frfs[0].path"));
        assert!(e.to_string().contains("not a regular file"), "{e}");

        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.csv");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success(), "mkfifo {}", fifo.display());
        let e = load_within_a_second(fifo.to_str().unwrap()).unwrap_err();
        assert_eq!(e.field(), Some("frfs[0].path"));
        assert!(e.to_string().contains("named pipe"), "{e}");
    }
}
