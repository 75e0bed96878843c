//! Schema and readers agree on every bound: each numeric parameter of every tool is fed its
//! bounds and the values one step inside and outside them, through the tool's own reading of
//! its parameters (`Tool::check`: schema, serde, the tool's rules). Outside is refused naming the
//! field; inside is never refused for that field by a reader; nothing panics. Plus the rules
//! of keys: a dotted key is an unknown parameter.

use cristallo_core::registry::TOOLS;
use cristallo_core::{ParamKind, ParamSpec, ToolError};
use serde_json::{json, Map, Value};

/// `params` with `key` (a dotted path) set to `value`.
fn with(key: &str, value: Value) -> Value {
    let mut root = Value::Object(Map::new());
    let mut cur = &mut root;
    let parts: Vec<&str> = key.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let map = cur.as_object_mut().expect("objects all the way down");
        if i + 1 == parts.len() {
            map.insert(part.to_string(), value);
            break;
        }
        cur = map
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    root
}

/// One value to try and whether the schema's range holds it.
struct Probe {
    value: f64,
    inside: bool,
}

/// The bounds of `spec` and the values one step inside and outside them.
fn probes(spec: &ParamSpec) -> Vec<Probe> {
    let mut out = Vec::new();
    match &spec.kind {
        ParamKind::Integer { min, max } => {
            for (b, dir) in [(*min, -1i64), (*max, 1)] {
                out.push(Probe {
                    value: b as f64,
                    inside: true,
                });
                if min < max {
                    out.push(Probe {
                        value: (b - dir) as f64,
                        inside: true,
                    });
                }
                // Integers from 2^53 on are not exact in JSON: the schema refuses them whatever
                // the range says (their own test is in core/src/schema.rs).
                if (b + dir).unsigned_abs() < (1u64 << 53) {
                    out.push(Probe {
                        value: (b + dir) as f64,
                        inside: false,
                    });
                }
            }
        }
        ParamKind::Number { min, max, .. } | ParamKind::NumberList { min, max, .. } => {
            for (bound, dir) in [(min, -1.0), (max, 1.0)] {
                let Some(b) = bound else { continue };
                let step = (b.value.abs() * 1e-6).max(1e-9);
                out.push(Probe {
                    value: b.value,
                    inside: b.inclusive,
                });
                let inner = b.value - dir * step;
                let other = if dir < 0.0 { max } else { min };
                if !matches!(other, Some(o) if (inner - o.value) * dir <= 0.0) {
                    out.push(Probe {
                        value: inner,
                        inside: true,
                    });
                }
                out.push(Probe {
                    value: b.value + dir * step,
                    inside: false,
                });
            }
        }
        _ => {}
    }
    out
}

/// The JSON value of `x` for `spec` (a list: its default with the first entry set to `x`).
fn value_for(spec: &ParamSpec, x: f64) -> Value {
    let number = if x.fract() == 0.0 && x.abs() < 9e15 {
        json!(x as i64)
    } else {
        json!(x)
    };
    match &spec.kind {
        ParamKind::NumberList { min_len, .. } => {
            let mut list = spec.default.as_array().cloned().unwrap_or_default();
            list.resize((*min_len).max(list.len()).max(1), json!(1));
            list[0] = number;
            Value::Array(list)
        }
        _ => number,
    }
}

/// Inside values some readers refuse by a rule across several fields or a limit on the size of
/// the run (stated in each tool's page), naming the field; each entry: tool, key, the rule.
const CROSS_FIELD: &[(&str, &str, &str)] = &[
    ("modal", "f_stop_hz", "above f_start_hz"),
    ("modal", "f_step_hz", "at most 10 M frequencies"),
    ("simulator", "duration_s", "at least 16 samples"),
    (
        "simulator",
        "welch_segment_s",
        "at least 8 samples, not longer than the record",
    ),
    ("recordings", "f_max_hz", "above f_min_hz"),
    ("uncertainty", "freq_max_hz", "above freq_min_hz"),
    // The schema has no integer lists: the reader refuses fractional percentiles.
    ("uncertainty", "mc_quantiles_percent", "integer percentiles"),
    ("cbc", "frequency_min_rad_s", "below frequency_max_rad_s"),
    ("cbc", "forcing_min_n", "below forcing_max_n"),
    ("fea", "element_size_m", "at most 60 000 mesh nodes"),
    ("crossval", "f_min_hz", "inside every source's band"),
    ("crossval", "f_max_hz", "inside every source's band"),
];

#[test]
fn every_bound_of_every_tool_is_read_as_the_schema_states() {
    let mut problems = Vec::new();
    let mut probed = 0;
    for tool in TOOLS {
        for spec in tool.params() {
            for probe in probes(&spec) {
                probed += 1;
                let params = with(&spec.key, value_for(&spec, probe.value));
                let answer =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tool.check(&params)));
                let what = format!("{} {} = {}", tool.id(), spec.key, probe.value);
                match (probe.inside, answer) {
                    (_, Err(_)) => problems.push(format!("{what}: panicked")),
                    (true, Ok(Ok(_))) => {}
                    (true, Ok(Err(e))) => {
                        let cross = CROSS_FIELD
                            .iter()
                            .any(|(t, k, _)| *t == tool.id() && *k == spec.key);
                        if !matches!(e, ToolError::InvalidParam { .. })
                            || (e.field() == Some(spec.key.as_str()) && !cross)
                            || e.field() == Some("params")
                        {
                            problems.push(format!("{what}: inside the range but refused: {e}"));
                        }
                    }
                    (false, Ok(Ok(_))) => {
                        problems.push(format!("{what}: outside the range but accepted"))
                    }
                    (false, Ok(Err(e))) => {
                        if e.field() != Some(spec.key.as_str()) {
                            problems.push(format!("{what}: refused without naming it: {e}"));
                        } else if e.to_string().len() > 300 {
                            problems.push(format!("{what}: message too long: {e}"));
                        }
                    }
                }
            }
        }
    }
    assert!(
        probed > 100,
        "only {probed} probes: the walk found no bounds"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn dotted_keys_are_unknown_parameters() {
    for (tool, key) in [
        ("modal", "profile.masses_kg"),
        ("simulator", "profile.masses_kg"),
    ] {
        let tool = cristallo_core::find(tool).unwrap();
        let e = tool
            .check(&json!({ key: [1.0, 2.0, 3.0] }))
            .expect_err("a dotted key must not be silently ignored");
        assert_eq!(e.field(), Some(key), "{e}");
        assert!(e.to_string().contains("unknown parameter"), "{e}");
    }
}

#[test]
fn huge_numbers_are_printed_short_in_messages() {
    let tool = cristallo_core::find("simulator").unwrap();
    let e = tool.check(&json!({ "duration_s": 1e308 })).unwrap_err();
    assert_eq!(e.field(), Some("duration_s"));
    let text = e.to_string();
    assert!(text.contains("1e308") && text.len() < 120, "{text}");
}
