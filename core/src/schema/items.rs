//! Lists of objects (`frfs: [{path, excitation_floor}, …]`): the parameter kind
//! [`ParamKind::ObjectList`]. Each item is checked like a small parameter object of its own
//! (unknown keys, types, ranges) and every error names the item's dotted field,
//! `frfs[1].excitation_floor`. Item keys may be missing or null: the tool decides what is
//! required and fills index-dependent defaults (so the echo is the tool's job).

use serde_json::Value;

use super::{check_unknown_keys, check_value, get_path, json_kind, ParamKind, ParamSpec};
use crate::ToolError;

impl ParamSpec {
    /// A list of objects of `min_len..=max_len` items described by `item`.
    pub fn object_list(
        key: &str,
        label: &str,
        default: Value,
        item: Vec<ParamSpec>,
        min_len: usize,
        max_len: usize,
    ) -> Self {
        let kind = ParamKind::ObjectList {
            item,
            min_len,
            max_len,
        };
        Self::new(key, label, "", kind, default)
    }
}

/// Prefixes the field of a validation error with `prefix` (`frfs[1]`).
fn within(prefix: &str, e: ToolError) -> ToolError {
    match e {
        ToolError::InvalidParam { field, message } => ToolError::InvalidParam {
            field: format!("{prefix}.{field}"),
            message,
        },
        other => other,
    }
}

pub(super) fn check_object_list(
    field: &str,
    v: &Value,
    item: &[ParamSpec],
    min_len: usize,
    max_len: usize,
) -> Result<(), ToolError> {
    let list = v.as_array().ok_or_else(|| {
        ToolError::invalid(field, format!("expected a list, got {}", json_kind(v)))
    })?;
    if list.len() < min_len || list.len() > max_len {
        return Err(ToolError::invalid(
            field,
            format!(
                "must have {min_len} to {max_len} entries, has {}",
                list.len()
            ),
        ));
    }
    for (i, entry) in list.iter().enumerate() {
        let prefix = format!("{field}[{i}]");
        let obj = entry.as_object().ok_or_else(|| {
            ToolError::invalid(
                &prefix,
                format!("expected an object, got {}", json_kind(entry)),
            )
        })?;
        check_unknown_keys(item, obj, "").map_err(|e| within(&prefix, e))?;
        for spec in item {
            match get_path(entry, &spec.key) {
                None | Some(Value::Null) => {}
                Some(value) => check_value(spec, value).map_err(|e| within(&prefix, e))?,
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::validate;
    use super::*;
    use serde_json::json;

    fn specs() -> Vec<ParamSpec> {
        vec![ParamSpec::object_list(
            "frfs",
            "Files",
            json!([{"path": "a.csv"}]),
            vec![
                ParamSpec::text("path", "Path", "", 1, 100),
                ParamSpec::integer("excitation_floor", "Floor", 1, 1, 3),
            ],
            1,
            3,
        )]
    }

    fn field_of(params: Value) -> String {
        let e = validate(&specs(), &params).unwrap_err();
        e.field().unwrap_or("").to_string()
    }

    #[test]
    fn items_are_checked_with_indexed_fields() {
        assert!(validate(&specs(), &Value::Null).is_ok());
        let ok = json!({"frfs": [{"path": "x"}, {"path": "y", "excitation_floor": 2}]});
        assert_eq!(validate(&specs(), &ok).unwrap(), ok);
        assert_eq!(
            field_of(json!({"frfs": [{"path": "x"}, {"excitation_floor": 4}]})),
            "frfs[1].excitation_floor"
        );
        assert_eq!(field_of(json!({"frfs": [{"paht": "x"}]})), "frfs[0].paht");
        assert_eq!(field_of(json!({"frfs": [3]})), "frfs[0]");
        assert_eq!(field_of(json!({"frfs": []})), "frfs");
        assert_eq!(field_of(json!({"frfs": {"path": "x"}})), "frfs");
    }
}
