//! Parameter schemas: one list of [`ParamSpec`] per tool is the single source of truth for
//! defaults, ranges, units and descriptions. The UI builds its forms (and mirrors the checks)
//! from it; [`validate`] applies it on the server side before the typed struct is built, so a
//! bad value is reported with the dotted path of its field.
//!
//! Keys are dotted paths into the JSON object: `profile.masses_kg` is `params.profile.masses_kg`.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::ToolError;

mod items;
pub mod read;
mod spec;

pub use read::name_list;
pub use spec::{Bound, ParamKind, ParamSpec};

/// 2^53: from here on a JSON number no longer holds every integer exactly.
const FIRST_INEXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

use crate::numfmt::short as fmt_num;

fn range_text(min: Option<Bound>, max: Option<Bound>) -> String {
    let lo = min.map_or("(-inf".to_string(), |b| {
        format!(
            "{}{}",
            if b.inclusive { "[" } else { "(" },
            fmt_num(b.value)
        )
    });
    let hi = max.map_or("inf)".to_string(), |b| {
        format!(
            "{}{}",
            fmt_num(b.value),
            if b.inclusive { "]" } else { ")" }
        )
    });
    format!("{lo}, {hi}")
}

fn check_number(
    field: &str,
    v: &Value,
    min: Option<Bound>,
    max: Option<Bound>,
) -> Result<f64, ToolError> {
    let x = v.as_f64().ok_or_else(|| {
        ToolError::invalid(field, format!("expected a number, got {}", json_kind(v)))
    })?;
    if !x.is_finite() {
        return Err(ToolError::invalid(field, "must be a finite number"));
    }
    let below = min.is_some_and(|b| x < b.value || (!b.inclusive && x == b.value));
    let above = max.is_some_and(|b| x > b.value || (!b.inclusive && x == b.value));
    if below || above {
        return Err(ToolError::invalid(
            field,
            format!(
                "{} is outside the valid range {}",
                fmt_num(x),
                range_text(min, max)
            ),
        ));
    }
    Ok(x)
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Checks one value against its spec.
fn check_value(spec: &ParamSpec, v: &Value) -> Result<(), ToolError> {
    let field = spec.key.as_str();
    let optional = matches!(spec.kind, ParamKind::Text { .. } | ParamKind::Choice { .. });
    if optional && v.is_null() && spec.default.is_null() {
        return Ok(());
    }
    match &spec.kind {
        ParamKind::Number { min, max, nullable } => {
            if v.is_null() && *nullable {
                return Ok(());
            }
            check_number(field, v, *min, *max).map(|_| ())
        }
        ParamKind::Integer { min, max } => {
            let x = v.as_f64().ok_or_else(|| {
                ToolError::invalid(field, format!("expected an integer, got {}", json_kind(v)))
            })?;
            let not_integer =
                || ToolError::invalid(field, format!("expected an integer, got {}", fmt_num(x)));
            if x.fract() != 0.0 || !x.is_finite() {
                return Err(not_integer());
            }
            if x < *min as f64 || x > *max as f64 {
                return Err(ToolError::invalid(
                    field,
                    format!("{} is outside the valid range {min}..={max}", fmt_num(x)),
                ));
            }
            // Inside the range but from 2^53 on (2^53 + 1 arrives as 2^53), the value may not be
            // the one the caller sent: it is not taken as an integer.
            if x.abs() >= FIRST_INEXACT_INTEGER {
                return Err(not_integer());
            }
            Ok(())
        }
        ParamKind::Choice { options } => {
            let s = v.as_str().ok_or_else(|| {
                ToolError::invalid(field, format!("expected a string, got {}", json_kind(v)))
            })?;
            if options.iter().any(|o| o == s) {
                Ok(())
            } else {
                Err(ToolError::invalid(
                    field,
                    format!("'{s}' is not one of: {}", options.join(", ")),
                ))
            }
        }
        ParamKind::Boolean => v.as_bool().map(|_| ()).ok_or_else(|| {
            ToolError::invalid(
                field,
                format!("expected true or false, got {}", json_kind(v)),
            )
        }),
        ParamKind::Text { min_len, max_len } => {
            let s = v.as_str().ok_or_else(|| {
                ToolError::invalid(field, format!("expected a string, got {}", json_kind(v)))
            })?;
            let n = s.chars().count();
            if n < *min_len || n > *max_len {
                return Err(ToolError::invalid(
                    field,
                    format!("must have {min_len} to {max_len} characters, has {n}"),
                ));
            }
            Ok(())
        }
        ParamKind::NumberList {
            min_len,
            max_len,
            min,
            max,
            nullable,
        } => {
            if v.is_null() && *nullable {
                return Ok(());
            }
            let items = v.as_array().ok_or_else(|| {
                ToolError::invalid(field, format!("expected a list, got {}", json_kind(v)))
            })?;
            if items.len() < *min_len || items.len() > *max_len {
                let want = if min_len == max_len {
                    format!("exactly {min_len}")
                } else {
                    format!("{min_len} to {max_len}")
                };
                return Err(ToolError::invalid(
                    field,
                    format!("must have {want} values, has {}", items.len()),
                ));
            }
            for (i, item) in items.iter().enumerate() {
                check_number(field, item, *min, *max).map_err(|e| match e {
                    ToolError::InvalidParam { field, message } => ToolError::InvalidParam {
                        message: format!("value {} (floor/entry {}): {message}", i + 1, i + 1),
                        field,
                    },
                    other => other,
                })?;
            }
            Ok(())
        }
        ParamKind::ObjectList {
            item,
            min_len,
            max_len,
        } => items::check_object_list(field, v, item, *min_len, *max_len),
    }
}

/// Rejects keys that no spec names, recursing into objects that specs reach into.
fn check_unknown_keys(
    specs: &[ParamSpec],
    obj: &Map<String, Value>,
    prefix: &str,
) -> Result<(), ToolError> {
    for (k, v) in obj {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let exact = specs.iter().any(|s| s.key == path);
        let nested_prefix = format!("{path}.");
        let is_group = specs.iter().any(|s| s.key.starts_with(&nested_prefix));
        if k.contains('.') {
            // One rule: nested fields are objects. A dotted key would match a spec's path here
            // but never be read (values are looked up by object nesting), so it is refused.
            return Err(ToolError::invalid(
                path,
                "unknown parameter: write nested fields as objects, e.g. {\"profile\": {\"masses_kg\": …}}",
            ));
        }
        if exact {
            continue;
        }
        if is_group {
            match v {
                Value::Object(inner) => check_unknown_keys(specs, inner, &path)?,
                Value::Null => {}
                other => {
                    return Err(ToolError::invalid(
                        path,
                        format!("expected an object, got {}", json_kind(other)),
                    ))
                }
            }
            continue;
        }
        return Err(ToolError::invalid(path, "unknown parameter"));
    }
    Ok(())
}

fn get_path<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(obj, |v, k| v.get(k))
}

fn set_path(obj: &mut Value, path: &str, value: Value) {
    let mut cur = obj;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let map = cur.as_object_mut().expect("just made an object");
        if i + 1 == parts.len() {
            map.insert(part.to_string(), value);
            return;
        }
        cur = map
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Validates `params` against `specs` and returns the parameter object with every default
/// filled in (the echo of the result). `null` stands for `{}`.
pub fn validate(specs: &[ParamSpec], params: &Value) -> Result<Value, ToolError> {
    let empty = Map::new();
    let obj = match params {
        Value::Object(m) => m,
        Value::Null => &empty,
        other => {
            return Err(ToolError::invalid(
                "params",
                format!("expected a JSON object, got {}", json_kind(other)),
            ))
        }
    };
    check_unknown_keys(specs, obj, "")?;
    let source = Value::Object(obj.clone());
    let mut filled = Value::Object(Map::new());
    for spec in specs {
        let v = match get_path(&source, &spec.key) {
            Some(v) => {
                check_value(spec, v)?;
                v.clone()
            }
            None => spec.default.clone(),
        };
        set_path(&mut filled, &spec.key, v);
    }
    Ok(filled)
}

/// Validates `params` and deserialises the filled-in object into the tool's typed struct.
/// Returns the struct and the echo.
pub fn parse<P: DeserializeOwned>(
    specs: &[ParamSpec],
    params: &Value,
) -> Result<(P, Value), ToolError> {
    let filled = validate(specs, params)?;
    let typed = deserialize(specs, &filled)?;
    Ok((typed, filled))
}

/// The one way a tool reads its parameters: [`validate`] (defaults, ranges, unknown keys),
/// serde into the input struct `I`, then `check` — the rules the schema cannot express
/// (several fields at once, values derived from others) — which builds the typed parameters
/// and may complete the echo. Returns them with the echo.
pub fn parse_checked<I: DeserializeOwned, P>(
    specs: &[ParamSpec],
    params: &Value,
    check: impl FnOnce(I, &mut Value) -> Result<P, ToolError>,
) -> Result<(P, Value), ToolError> {
    let (input, mut echo) = parse::<I>(specs, params)?;
    let typed = check(input, &mut echo)?;
    Ok((typed, echo))
}

/// Deserialises an object already validated against `specs`. The schema accepts integral
/// floats (`2.0`) for integers; serde gets them as integers, the echo keeps them as given.
pub fn deserialize<P: DeserializeOwned>(
    specs: &[ParamSpec],
    filled: &Value,
) -> Result<P, ToolError> {
    let mut typed_view = filled.clone();
    for spec in specs {
        if let ParamKind::Integer { .. } = spec.kind {
            if let Some(v) = get_path_mut(&mut typed_view, &spec.key) {
                if let Some(x) = v.as_f64().filter(|x| x.fract() == 0.0 && !v.is_i64()) {
                    *v = Value::from(x as i64);
                }
            }
        }
    }
    serde_json::from_value(typed_view).map_err(|e| ToolError::invalid("params", e.to_string()))
}

fn get_path_mut<'a>(obj: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    path.split('.').try_fold(obj, |v, k| v.get_mut(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn specs() -> Vec<ParamSpec> {
        vec![
            ParamSpec::choice("strategy", "Strategy", "tmd", &["tmd", "dvf"]),
            ParamSpec::integer("floor", "Floor", 1, 1, 3),
            ParamSpec::number("mass_kg", "Mass", "kg", 1.0)
                .min_exclusive(0.0)
                .max(10.0),
            ParamSpec::optional_number("zero_hz", "Zero", "Hz").min_exclusive(0.0),
            ParamSpec::number_list(
                "profile.masses_kg",
                "Masses",
                "kg",
                json!([1.0, 2.0, 3.0]),
                3,
                3,
            )
            .min(0.001),
            ParamSpec::text("profile.name", "Name", "x", 1, 10),
        ]
    }

    fn field_of(params: Value) -> String {
        validate(&specs(), &params)
            .unwrap_err()
            .field()
            .unwrap()
            .to_string()
    }

    #[test]
    fn integers_are_range_checked_before_their_exactness() {
        let below = [ParamSpec::integer("seed", "Seed", 0, 0, (1 << 53) - 1)];
        let up_to = [ParamSpec::integer("seed", "Seed", 0, 0, 1 << 53)];
        let err =
            |specs: &[ParamSpec], v: Value| validate(specs, &json!({ "seed": v })).unwrap_err();
        // 2^53 + 1 arrives as 2^53: outside the first range, not an exact integer in the second.
        assert_eq!(
            err(&below, json!(9_007_199_254_740_993_u64)),
            ToolError::invalid(
                "seed",
                "9007199254740992 is outside the valid range 0..=9007199254740991"
            )
        );
        assert_eq!(
            err(&up_to, json!(9_007_199_254_740_993_u64)),
            ToolError::invalid("seed", "expected an integer, got 9007199254740992")
        );
        assert_eq!(
            err(&up_to, json!(1e16)),
            ToolError::invalid(
                "seed",
                "1e16 is outside the valid range 0..=9007199254740992"
            )
        );
        assert!(validate(&up_to, &json!({"seed": 9_007_199_254_740_991_u64})).is_ok());
    }

    #[test]
    fn defaults_are_filled_in() {
        let v = validate(&specs(), &json!({"floor": 2, "profile": {"name": "a"}})).unwrap();
        assert_eq!(
            v,
            json!({"strategy": "tmd", "floor": 2, "mass_kg": 1.0, "zero_hz": null,
                   "profile": {"masses_kg": [1.0, 2.0, 3.0], "name": "a"}})
        );
        assert_eq!(validate(&specs(), &Value::Null).unwrap()["floor"], json!(1));
    }

    #[test]
    fn each_bad_value_names_its_field() {
        assert_eq!(field_of(json!({"gain": 1})), "gain");
        assert_eq!(field_of(json!({"strategy": "active"})), "strategy");
        for bad in [json!(0), json!(4), json!(1.5), json!("1")] {
            assert_eq!(field_of(json!({ "floor": bad })), "floor");
        }
        assert_eq!(field_of(json!({"mass_kg": 0.0})), "mass_kg");
        assert_eq!(field_of(json!({"mass_kg": 10.5})), "mass_kg");
        assert_eq!(field_of(json!({"mass_kg": null})), "mass_kg");
        assert_eq!(field_of(json!({"zero_hz": 0.0})), "zero_hz");
        assert_eq!(
            field_of(json!({"profile": {"stiff1": 3}})),
            "profile.stiff1"
        );
        assert_eq!(
            field_of(json!({"profile": {"masses_kg": [1, 2]}})),
            "profile.masses_kg"
        );
        assert_eq!(
            field_of(json!({"profile": {"masses_kg": [1, 2, 0]}})),
            "profile.masses_kg"
        );
        assert_eq!(field_of(json!({"profile": {"name": ""}})), "profile.name");
        assert_eq!(field_of(json!({"profile": 3})), "profile");
        assert_eq!(field_of(json!([1])), "params");
    }

    #[test]
    fn nullable_accepts_null_and_numbers() {
        let v = validate(&specs(), &json!({"zero_hz": 6.5})).unwrap();
        assert_eq!(v["zero_hz"], json!(6.5));
        let v = validate(&specs(), &json!({"zero_hz": null})).unwrap();
        assert_eq!(v["zero_hz"], Value::Null);
    }

    #[test]
    fn error_message_states_the_range() {
        let e = validate(&specs(), &json!({"mass_kg": 0})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "mass_kg: 0 is outside the valid range (0, 10]"
        );
    }
}
