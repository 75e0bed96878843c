//! Helpers shared by the core integration tests: the reference fixtures under `tests/fixtures/`
//! and the rig's data files, running a tool and reading its scalars, series and tables,
//! closeness checks, the field named by a refused input, and fake solver programs.

// Each test binary uses a part of these helpers.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use cristallo_core::{run, Cancel, Progress, Table, ToolError, ToolResult};
use serde_json::Value;

/// The path of `tests/fixtures/{dir}/{name}` (the reference set copied into the crate).
pub fn fixture_path(dir: &str, name: &str) -> String {
    format!("{}/tests/fixtures/{dir}/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The JSON fixture `tests/fixtures/{dir}/{name}`; panics naming the file when it is missing or
/// not JSON.
pub fn fixture(dir: &str, name: &str) -> Value {
    let path = fixture_path(dir, name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The absolute path of `relative`, a path from the repository root (`data/rig/...`).
pub fn repo_path(relative: &str) -> String {
    format!("{}/../{relative}", env!("CARGO_MANIFEST_DIR"))
}

/// The text of the rig's measured FRF file `data/rig/frfs/{name}`.
pub fn rig_frf_text(name: &str) -> String {
    let path = repo_path(&format!("data/rig/frfs/{name}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs tool `tool` with `params`, without progress reports or cancellation.
pub fn run_tool(tool: &str, params: &Value) -> Result<ToolResult, ToolError> {
    run(tool, params, &Progress::none(), &Cancel::new())
}

/// Runs tool `tool`, panicking with the tool, the params and the error when it fails.
pub fn run_ok(tool: &str, params: &Value) -> ToolResult {
    run_tool(tool, params).unwrap_or_else(|e| panic!("{tool} {params}: {e}"))
}

/// The error of a run that must be refused; panics when `tool` accepts `params`.
pub fn refused(tool: &str, params: &Value) -> ToolError {
    match run_tool(tool, params) {
        Ok(_) => panic!("{tool} accepted {params}"),
        Err(e) => e,
    }
}

/// The field and the message of the `InvalidParam` that `tool` answers to `params`; panics
/// when the run is accepted or fails otherwise, or when the message is empty.
pub fn invalid_param(tool: &str, params: &Value) -> (String, String) {
    match refused(tool, params) {
        e @ ToolError::InvalidParam { .. } => {
            let message = e.to_string();
            assert!(!message.is_empty(), "{tool} {params}: empty message");
            (e.field().unwrap_or_default().to_string(), message)
        }
        e => panic!("{tool} {params}: expected InvalidParam, got {e:?}"),
    }
}

/// The field named by the `InvalidParam` that `tool` answers to `params`.
pub fn field_of(tool: &str, params: &Value) -> String {
    invalid_param(tool, params).0
}

/// |got − want| ≤ max(abs, rel·|want|).
pub fn close(got: f64, want: f64, rel: f64, abs: f64) -> bool {
    (got - want).abs() <= abs.max(rel * want.abs())
}

/// |a − b| / |b|, or |a| when b is 0.
pub fn rel_diff(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        a.abs()
    } else {
        ((a - b) / b).abs()
    }
}

/// Asserts |got − want| ≤ rel·|want|, naming `what`.
pub fn assert_rel_close(got: f64, want: f64, rel: f64, what: &str) {
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "{what}: {got} vs {want} (rel {:.2e})",
        ((got - want) / want).abs()
    );
}

/// A JSON number, panicking on anything else.
pub fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The number under `key` of the JSON object `v`.
pub fn num_at(v: &Value, key: &str) -> f64 {
    v.get(key)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("missing number '{key}' in {v}"))
}

/// A JSON list of numbers.
pub fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected a list: {v}"))
        .iter()
        .map(num)
        .collect()
}

/// Column `col` of table `table` of a result, as JSON values.
pub fn column(r: &ToolResult, table: &str, col: &str) -> Vec<Value> {
    let t = r
        .table_named(table)
        .unwrap_or_else(|| panic!("no table {table}"));
    let i = t
        .columns
        .iter()
        .position(|c| c == col)
        .unwrap_or_else(|| panic!("table {table} has no column {col}"));
    t.rows.iter().map(|row| row[i].clone()).collect()
}

/// Column `name` of table `t`, as numbers.
pub fn table_numbers(t: &Table, name: &str) -> Vec<f64> {
    let c = t
        .columns
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    t.rows.iter().map(|r| num(&r[c])).collect()
}

/// A fake solver program: an executable shell script `dir/name` running `body`.
pub fn fake_program(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The CalculiX program, or `None` (the caller skips its solve) when it is not installed and
/// `CRISTALLO_REQUIRE_CCX` is unset; with it set, a missing solver fails the test.
pub fn calculix() -> Option<PathBuf> {
    match cristallo_core::fea::Solver::locate() {
        Ok(p) => Some(p),
        Err(e) => {
            if std::env::var_os("CRISTALLO_REQUIRE_CCX").is_some() {
                panic!("{e}");
            }
            eprintln!("SKIPPED (CalculiX missing): {e}");
            None
        }
    }
}

/// The cases of tool `tool` in the shared reference file `simulator/rs_cases.json`.
pub fn rs_cases(tool: &str) -> Vec<Value> {
    let cases = fixture("simulator", "rs_cases.json");
    let cases = cases["cases"].as_array().expect("cases");
    cases
        .iter()
        .filter(|c| c["tool"] == tool)
        .cloned()
        .collect()
}

/// Checks result `r` of case `name` against the case's `expect`: every scalar, the sampled
/// points of every series (a phase of ±180° is one and the same angle) and the keyed rows of
/// every table, each at its own `rel`/`abs` tolerance.
pub fn check_rs_case(name: &str, r: &ToolResult, expect: &Value) {
    for (key, e) in expect["scalars"].as_object().expect("scalars") {
        let got = r
            .scalar(key)
            .unwrap_or_else(|| panic!("{name}: scalar {key} missing"));
        let (want, rel, abs) = (num_at(e, "value"), num_at(e, "rel"), num_at(e, "abs"));
        assert!(
            close(got, want, rel, abs),
            "{name}: {key} = {got}, want {want} (rel {rel}, abs {abs})"
        );
    }
    for (sname, e) in expect["series"].as_object().expect("series") {
        let s = r
            .series_named(sname)
            .unwrap_or_else(|| panic!("{name}: series {sname} missing"));
        let len = num_at(e, "length") as usize;
        assert_eq!(s.x.len(), len, "{name}: {sname} length");
        assert_eq!(s.y.len(), len, "{name}: {sname} length");
        let (x_abs, abs, rel) = (num_at(e, "x_abs"), num_at(e, "abs"), num_at(e, "rel"));
        let idx = e["indices"].as_array().expect("indices");
        for ((i, x), y) in idx.iter().zip(nums(&e["x"])).zip(nums(&e["y"])) {
            let i = i.as_u64().expect("index") as usize;
            assert!(
                (s.x[i] - x).abs() <= x_abs,
                "{name}: {sname} x[{i}] = {}, want {x}",
                s.x[i]
            );
            let d = s.y[i] - y;
            let d = if sname.ends_with("_phase_deg") {
                (d + 180.0).rem_euclid(360.0) - 180.0
            } else {
                d
            };
            assert!(
                d.abs() <= abs.max(rel * y.abs()),
                "{name}: {sname} y[{i}] = {}, want {y} (abs {abs}, rel {rel})",
                s.y[i]
            );
        }
    }
    for (tname, e) in expect["tables"].as_object().expect("tables") {
        let t = r
            .table_named(e["table"].as_str().expect("table"))
            .unwrap_or_else(|| panic!("{name}: table for {tname} missing"));
        let position = |what: &str| {
            let col = e[what].as_str().unwrap_or_else(|| panic!("{what}"));
            t.columns
                .iter()
                .position(|c| c == col)
                .unwrap_or_else(|| panic!("{name}: {tname} has no column {col}"))
        };
        let (key_col, col) = (position("key_column"), position("column"));
        let (rel, abs) = (num_at(e, "rel"), num_at(e, "abs"));
        for (key, want) in e["rows"].as_object().expect("rows") {
            let row = t
                .rows
                .iter()
                .find(|row| {
                    row[key_col].as_u64().is_some()
                        && row[key_col].as_u64() == key.parse::<u64>().ok()
                })
                .unwrap_or_else(|| panic!("{name}: row {key} of {tname} missing"));
            let got = num(&row[col]);
            let want = num(want);
            assert!(
                close(got, want, rel, abs),
                "{name}: {tname} row {key} = {got}, want {want}"
            );
        }
    }
}

/// The error of a run of `tool` cancelled before it starts.
pub fn run_cancelled(tool: &str, params: &Value) -> ToolError {
    let cancel = Cancel::new();
    cancel.cancel();
    match run(tool, params, &Progress::none(), &cancel) {
        Ok(_) => panic!("{tool} {params}: a cancelled run gave a result"),
        Err(e) => e,
    }
}

/// `f` run in a rayon pool of `threads` threads (results must not depend on the count).
pub fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}
