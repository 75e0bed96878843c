//! The one set of readers of values out of a JSON parameter object, each error naming the
//! field. Tools read their parameters with serde after [`super::validate`]; these readers
//! serve the parts serde cannot reach: items of object lists read with their own rules,
//! free-form lists given as text or as a JSON list, and objects from outside the schema.
//!
//! `field` is the path the error names (`sources[1].profile.masses_kg`).

use serde_json::{Map, Value};

use crate::ToolError;

/// The caller's parameter object as a map to take keys out of (`null` stands for `{}`), for
/// tools that read some keys apart before [`super::validate`].
pub fn object_or_empty(params: &Value) -> Result<Map<String, Value>, ToolError> {
    match params {
        Value::Object(m) => Ok(m.clone()),
        Value::Null => Ok(Map::new()),
        _ => Err(ToolError::invalid(
            "params",
            "expected a JSON object of parameters",
        )),
    }
}

/// The list of finite numbers `v` of `field`; `None` when it is missing or null.
pub fn numbers(v: Option<&Value>, field: &str) -> Result<Option<Vec<f64>>, ToolError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
                    ToolError::invalid(field, format!("value {}: expected a finite number", i + 1))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(ToolError::invalid(field, "expected a list of numbers")),
    }
}

/// Exactly three finite numbers `v` of `field`.
pub fn triple(v: Option<&Value>, field: &str) -> Result<[f64; 3], ToolError> {
    let list = numbers(v, field)?
        .ok_or_else(|| ToolError::invalid(field, "required: a list of 3 numbers"))?;
    <[f64; 3]>::try_from(list.as_slice()).map_err(|_| {
        ToolError::invalid(
            field,
            format!("must have exactly 3 values, has {}", list.len()),
        )
    })
}

/// The names in `v`, given as a JSON list of strings or as one text separated by commas,
/// spaces or semicolons (a form field); `what` names one item in the messages ("method").
pub fn name_list(v: &Value, field: &str, what: &str) -> Result<Vec<String>, ToolError> {
    match v {
        Value::String(s) => Ok(s
            .split([',', ' ', ';'])
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| ToolError::invalid(field, format!("expected {what} names")))
            })
            .collect(),
        _ => Err(ToolError::invalid(
            field,
            format!("expected a list of {what} names"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn readers_name_the_field() {
        let v = json!({"a": {"b": [1, 2, 3]}, "bad": [1, "2"]});
        assert_eq!(triple(v.pointer("/a/b"), "a.b").unwrap(), [1.0, 2.0, 3.0]);
        for (e, field) in [
            (triple(v.get("bad"), "bad").unwrap_err(), "bad"),
            (triple(None, "missing").unwrap_err(), "missing"),
            (name_list(&json!(3), "m", "method").unwrap_err(), "m"),
            (object_or_empty(&json!([1])).unwrap_err(), "params"),
        ] {
            assert_eq!(e.field(), Some(field));
        }
        assert_eq!(
            triple(Some(&json!([1, 2])), "x").unwrap_err().to_string(),
            "x: must have exactly 3 values, has 2"
        );
        assert_eq!(
            name_list(&json!("a, b;c"), "m", "method").unwrap(),
            ["a", "b", "c"]
        );
        assert!(object_or_empty(&Value::Null).unwrap().is_empty());
    }
}
