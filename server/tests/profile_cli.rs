//! `cristallo profile list|show|save|delete|restore|import|export` and `cristallo run` with a
//! `profile_id`, on a temporary `--data-dir`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_cristallo");
const LEGACY_CSV: &str = "../core/tests/fixtures/profiles/profile_Experimental.csv";

fn cristallo(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Exit 2, nothing on stdout, one stderr line starting with `prefix` (the field and a colon).
fn assert_bad(out: &Output, prefix: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(out.stdout.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with(prefix), "{err}");
}

fn doc(name: &str, masses: [f64; 3]) -> String {
    json!({
        "schema": "cristallo.profile/1", "name": name, "origin": {"kind": "manual"},
        "masses_kg": masses, "stiffnesses_n_per_m": [40000.0, 41000.0, 42000.0],
        "dampings_ns_per_m": [1.0, 1.0, 1.0]
    })
    .to_string()
}

fn list(dir: &Path) -> Vec<Value> {
    let out = cristallo(dir, &["profile", "list"], None);
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn save_show_export_delete_restore() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(list(d).is_empty());
    let saved = ok_json(&cristallo(
        d,
        &["profile", "save", "-"],
        Some(&doc("cli rig", [5.0, 5.1, 5.2])),
    ));
    let id = saved["id"].as_str().unwrap();
    assert_eq!(saved["name"], "cli rig");
    let listed = list(d);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id);
    assert_eq!(listed[0]["origin_kind"], "manual");
    assert_eq!(
        ok_json(&cristallo(d, &["profile", "show", id], None)),
        saved
    );
    let file = d.join("exported.json");
    let out = cristallo(
        d,
        &["profile", "export", id, "--out", file.to_str().unwrap()],
        None,
    );
    assert!(out.status.success());
    let exported: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(exported, saved);
    assert_eq!(
        ok_json(&cristallo(d, &["profile", "export", id], None)),
        saved
    );
    // Delete, then undo.
    let deleted = ok_json(&cristallo(d, &["profile", "delete", id], None));
    assert_eq!(deleted["undo_seconds"], 30);
    assert!(list(d).is_empty());
    assert_bad(
        &cristallo(d, &["profile", "show", id], None),
        "no such profile",
    );
    let restored = ok_json(&cristallo(d, &["profile", "restore", id], None));
    assert_eq!(restored, saved);
    assert_eq!(list(d).len(), 1);
}

#[test]
fn bad_input_exits_2_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok_json(&cristallo(
        d,
        &["profile", "save", "-"],
        Some(&doc("taken", [5.0, 5.0, 5.0])),
    ));
    assert_bad(
        &cristallo(
            d,
            &["profile", "save", "-"],
            Some(&doc("TAKEN", [5.0, 5.0, 5.0])),
        ),
        "profile.name:",
    );
    assert_bad(
        &cristallo(
            d,
            &["profile", "save", "-"],
            Some(&doc("m", [5.0, -5.0, 5.0])),
        ),
        "profile.masses_kg:",
    );
    let mut unknown: Value = serde_json::from_str(&doc("u", [5.0, 5.0, 5.0])).unwrap();
    unknown["m1"] = json!(5);
    assert_bad(
        &cristallo(d, &["profile", "save", "-"], Some(&unknown.to_string())),
        "profile.m1:",
    );
    let newer = doc("n", [5.0, 5.0, 5.0]).replace("profile/1", "profile/3");
    assert_bad(
        &cristallo(d, &["profile", "save", "-"], Some(&newer)),
        "profile.schema:",
    );
    assert_bad(
        &cristallo(d, &["profile", "save", "-"], Some("not json")),
        "profile:",
    );
    assert_bad(
        &cristallo(d, &["profile", "save", "/no/such/file.json"], None),
        "file:",
    );
    assert_bad(
        &cristallo(d, &["profile", "delete", "nope"], None),
        "no such profile",
    );
    assert_eq!(list(d).len(), 1);
}

#[test]
fn legacy_csv_import_warns_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = cristallo(d, &["profile", "import", LEGACY_CSV], None);
    let v = ok_json(&out);
    assert_eq!(v["profile"]["name"], "profile_Experimental");
    assert_eq!(v["profile"]["origin"]["kind"], "imported-legacy-csv");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("warning: legacy dampers about 4× too high"),
        "{err}"
    );
    // Importing the same file again gets a free name.
    let again = ok_json(&cristallo(d, &["profile", "import", LEGACY_CSV], None));
    assert_eq!(again["profile"]["name"], "profile_Experimental (2)");
}

#[test]
fn run_resolves_profile_id_from_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let saved = ok_json(&cristallo(
        d,
        &["profile", "save", "-"],
        Some(&doc("for run", [4.0, 4.5, 5.0])),
    ));
    let id = saved["id"].as_str().unwrap();
    let params = json!({"profile_id": id, "f_step_hz": 1.0}).to_string();
    let result = ok_json(&cristallo(
        d,
        &["run", "modal", "--params", "-"],
        Some(&params),
    ));
    assert_eq!(
        result["params"]["profile"]["masses_kg"],
        json!([4.0, 4.5, 5.0])
    );
    assert_bad(
        &cristallo(
            d,
            &["run", "modal", "--params", "-"],
            Some(r#"{"profile_id": "missing"}"#),
        ),
        "profile_id:",
    );
}
