//! The Arrow IPC form of a result (`cristallo_core::result::arrow`): every tool's default run
//! and the golden-case params of `tests/fixtures` round-trip bit for bit, series with identical
//! x share one axis column, and bad bytes are clear errors.

mod common;

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_ipc::reader::StreamReader;
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{Field, Schema};
use cristallo_core::registry::TOOLS;
use cristallo_core::result::arrow::{
    from_arrow_ipc, to_arrow_ipc, FORMAT_KEY, FORMAT_VERSION, RESULT_KEY,
};
use cristallo_core::{Scalar, ToolError, ToolResult};
use serde_json::{json, Value};

use common::{fixture, repo_path, run_ok};

/// Panics unless `a` and `b` hold the same f64 values bit for bit.
fn assert_same_bits(what: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ");
    for (i, (p, q)) in a.iter().zip(b).enumerate() {
        assert_eq!(p.to_bits(), q.to_bits(), "{what}[{i}]: {p} vs {q}");
    }
}

/// Encodes and decodes `r` and checks the copy equals it, floats compared bit for bit.
fn assert_round_trip(label: &str, r: &ToolResult) {
    let bytes = to_arrow_ipc(r).unwrap_or_else(|e| panic!("{label}: encode: {e}"));
    let back = from_arrow_ipc(&bytes).unwrap_or_else(|e| panic!("{label}: decode: {e}"));
    assert_eq!(back.tool, r.tool, "{label}");
    assert_eq!(back.params, r.params, "{label}: params");
    assert_eq!(back.tables, r.tables, "{label}: tables");
    assert_eq!(back.warnings, r.warnings, "{label}: warnings");
    assert_eq!(back.scalars.len(), r.scalars.len(), "{label}: scalar count");
    for ((k, a), (kb, b)) in r.scalars.iter().zip(&back.scalars) {
        assert_eq!(k, kb, "{label}: scalar keys");
        match (a, b) {
            (Scalar::Int(p), Scalar::Int(q)) => assert_eq!(p, q, "{label}: {k}"),
            (Scalar::Float(p), Scalar::Float(q)) => {
                assert_eq!(p.to_bits(), q.to_bits(), "{label}: {k}")
            }
            _ => panic!("{label}: scalar {k} changed kind: {a:?} vs {b:?}"),
        }
    }
    assert_eq!(back.series.len(), r.series.len(), "{label}: series count");
    for (s, t) in r.series.iter().zip(&back.series) {
        assert_eq!(
            (&s.name, &s.x_label, &s.y_label),
            (&t.name, &t.x_label, &t.y_label),
            "{label}"
        );
        assert_same_bits(&format!("{label} {} x", s.name), &s.x, &t.x);
        assert_same_bits(&format!("{label} {} y", s.name), &s.y, &t.y);
    }
    // Table cells and params hold JSON numbers: equal values are equal bits (float_roundtrip).
    assert_eq!(&back, r, "{label}: whole result");
}

/// The case's params with the rig file paths (relative to the project root) made absolute.
fn with_absolute_paths(params: &Value) -> Value {
    let mut params = params.clone();
    for list in ["frfs", "sources"] {
        if let Some(items) = params.get_mut(list).and_then(Value::as_array_mut) {
            for item in items {
                if let Some(p) = item.get("path").and_then(Value::as_str) {
                    item["path"] = Value::from(repo_path(p));
                }
            }
        }
    }
    params
}

#[test]
fn every_tools_default_run_round_trips_bit_for_bit() {
    assert_eq!(TOOLS.len(), 10, "a new tool: check it here too");
    for tool in TOOLS {
        let r = run_ok(tool.id(), &json!({}));
        assert_round_trip(&format!("{} default", tool.id()), &r);
    }
}

#[test]
fn golden_case_params_round_trip_bit_for_bit() {
    let mut cases: Vec<(String, String, Value)> = Vec::new();
    for name in [
        "golden_S0_amplitude_sweep.json",
        "golden_S0_continuation.json",
        "golden_S0_exact_frc.json",
        "golden_S0_exact_s_curve.json",
        "golden_S0_frequency_sweep.json",
    ] {
        let case = fixture("cbc", name);
        cases.push((format!("cbc {name}"), "cbc".into(), case["params"].clone()));
    }
    let control = fixture("control", "expected_results.json");
    for case in control["cases"].as_array().unwrap() {
        let label = format!("control {}", case["case"]);
        cases.push((label, "vibration-control".into(), case["params"].clone()));
    }
    for case in fixture("simulator", "rs_cases.json")["cases"]
        .as_array()
        .unwrap()
    {
        let tool = case["tool"].as_str().unwrap().to_string();
        cases.push((
            format!("{tool} {}", case["case"]),
            tool,
            case["params"].clone(),
        ));
    }
    for (dir, names) in [
        (
            "measured",
            &[
                "crossval_frf_vs_profile.json",
                "crossval_swansea.json",
                "model_update_experimental.json",
                "model_update_synthetic_exact.json",
                "model_update_three_files.json",
            ][..],
        ),
        (
            "fea",
            &["default_beam_shell.json", "beam_shell_fmax40.json"][..],
        ),
    ] {
        for name in names {
            let case = fixture(dir, name);
            let tool = case["tool"].as_str().unwrap().to_string();
            cases.push((
                format!("{dir} {name}"),
                tool,
                with_absolute_paths(&case["params"]),
            ));
        }
    }
    let tools: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.1.as_str()).collect();
    assert_eq!(tools.len(), 7, "golden params of {tools:?}");
    for (label, tool, params) in &cases {
        assert_round_trip(label, &run_ok(tool, params));
    }
}

/// The column names of an Arrow stream, read with arrow's own reader.
fn column_names(bytes: &[u8]) -> Vec<String> {
    let reader = StreamReader::try_new(bytes, None).unwrap();
    let schema = reader.schema();
    schema.fields().iter().map(|f| f.name().clone()).collect()
}

#[test]
fn tmd_frequency_series_share_one_axis_column() {
    let r = run_ok("vibration-control", &json!({"strategy": "tmd"}));
    assert!(r.series.len() >= 2, "tmd has {} series", r.series.len());
    let freq_axis = &r.series[0].x;
    let sharing = r
        .series
        .iter()
        .filter(|s| {
            s.x.len() == freq_axis.len()
                && s.x
                    .iter()
                    .zip(freq_axis)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
        })
        .count();
    assert!(sharing >= 2, "only {sharing} series on the frequency axis");
    let bytes = to_arrow_ipc(&r).unwrap();
    let names = column_names(&bytes);
    let axes: Vec<&String> = names.iter().filter(|n| n.starts_with('x')).collect();
    let ys = names.iter().filter(|n| n.starts_with("y:")).count();
    assert_eq!(ys, r.series.len(), "{names:?}");
    assert_eq!(names.len(), ys + axes.len(), "{names:?}");
    assert!(
        r.series.iter().all(|s| s.x.len() == freq_axis.len()),
        "tmd has a series off the frequency axis"
    );
    assert_eq!(
        axes,
        ["x0"],
        "one frequency column for {} series",
        r.series.len()
    );
    let json_len = serde_json::to_vec(&r).unwrap().len();
    println!(
        "vibration-control tmd default: JSON {json_len} bytes, Arrow {} bytes ({:.3} of JSON)",
        bytes.len(),
        bytes.len() as f64 / json_len as f64
    );
}

#[test]
fn a_result_without_series_round_trips() {
    let mut r = ToolResult::new("demo", json!({"a": 1}));
    r.set_int("count", 3);
    r.set("ratio", 0.1 + 0.2);
    r.warn("no curves");
    assert_round_trip("no series", &r);
}

/// The message of a decode error; panics when `bytes` decode.
fn decode_error(bytes: &[u8]) -> String {
    match from_arrow_ipc(bytes) {
        Ok(_) => panic!("{} bytes decoded", bytes.len()),
        Err(e @ ToolError::ComputationFailed { .. }) => e.to_string(),
        Err(e) => panic!("unexpected error kind {e:?}"),
    }
}

/// A one-row stream with one list column and `metadata` in its schema.
fn stream_with_metadata(metadata: &[(&str, &str)]) -> Vec<u8> {
    let r = run_ok("modal", &json!({}));
    let good = to_arrow_ipc(&r).unwrap();
    let mut reader = StreamReader::try_new(&good[..], None).unwrap();
    let batch = reader.next().unwrap().unwrap();
    let fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| (**f).clone())
        .collect();
    let schema = Arc::new(Schema::new_with_metadata(
        fields,
        metadata
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<std::collections::HashMap<_, _>>(),
    ));
    let batch = RecordBatch::try_new(schema.clone(), batch.columns().to_vec()).unwrap();
    let mut w = StreamWriter::try_new(Vec::new(), &schema).unwrap();
    w.write(&batch).unwrap();
    w.finish().unwrap();
    w.into_inner().unwrap()
}

#[test]
fn bad_bytes_are_clear_errors() {
    let r = run_ok("modal", &json!({}));
    let good = to_arrow_ipc(&r).unwrap();
    assert!(decode_error(&[]).contains("Arrow result decode"));
    assert!(decode_error(b"{\"tool\": \"modal\"}").contains("Arrow result decode"));
    for cut in [8, good.len() / 2, good.len() - 9] {
        decode_error(&good[..cut]);
    }

    let meta = StreamReader::try_new(&good[..], None)
        .unwrap()
        .schema()
        .metadata[RESULT_KEY]
        .clone();
    let e = decode_error(&stream_with_metadata(&[(RESULT_KEY, &meta)]));
    assert!(e.contains(FORMAT_KEY), "{e}");
    let e = decode_error(&stream_with_metadata(&[
        (FORMAT_KEY, "cristallo.result.arrow/9"),
        (RESULT_KEY, &meta),
    ]));
    assert!(e.contains("cristallo.result.arrow/9"), "{e}");
    let e = decode_error(&stream_with_metadata(&[(FORMAT_KEY, FORMAT_VERSION)]));
    assert!(e.contains(RESULT_KEY), "{e}");
    let e = decode_error(&stream_with_metadata(&[
        (FORMAT_KEY, FORMAT_VERSION),
        (RESULT_KEY, "{\"tool\": 3}"),
    ]));
    assert!(e.contains(RESULT_KEY), "{e}");
    let renamed = meta.replacen("\"y_column\":\"y:", "\"y_column\":\"z:", 1);
    let e = decode_error(&stream_with_metadata(&[
        (FORMAT_KEY, FORMAT_VERSION),
        (RESULT_KEY, &renamed),
    ]));
    assert!(e.contains("no column 'z:"), "{e}");
}
