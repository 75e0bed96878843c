//! The `cristallo` binary: output and exit-code rules of docs/platform.md §3.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_cristallo");

#[test]
fn tools_lists_the_ids() {
    let out = Command::new(BIN).arg("tools").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<&str> = text.lines().collect();
    assert!(
        ids.contains(&"vibration-control") && ids.contains(&"modal"),
        "{ids:?}"
    );
}

fn run_with_stdin(args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn run_prints_exactly_one_json_object() {
    let dir = std::env::temp_dir().join(format!("cristallo-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("p.json");
    std::fs::write(&file, r#"{"strategy": "tmd", "floor": 2}"#).unwrap();
    let out = Command::new(BIN)
        .args([
            "run",
            "vibration-control",
            "--params",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut stream =
        serde_json::Deserializer::from_slice(&out.stdout).into_iter::<serde_json::Value>();
    let v = stream.next().unwrap().unwrap();
    assert!(
        stream.next().is_none(),
        "more than one JSON value on stdout"
    );
    assert_eq!(v["tool"], "vibration-control");
    assert_eq!(v["params"]["floor"], 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn run_reads_params_from_stdin() {
    let out = run_with_stdin(&["run", "modal", "--params", "-"], r#"{"force_floor": 3}"#);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["params"]["force_floor"], 3);
}

#[test]
fn invalid_params_exit_2_naming_the_field_with_empty_stdout() {
    for (params, field) in [
        (r#"{"floor": 0}"#, "floor"),
        (r#"{"controltype": "dvf"}"#, "controltype"),
        (r#"{"proof_mass_kg": -1}"#, "proof_mass_kg"),
        ("{not json", "params"),
    ] {
        let out = run_with_stdin(&["run", "vibration-control", "--params", "-"], params);
        assert_eq!(out.status.code(), Some(2), "{params}");
        assert!(out.stdout.is_empty(), "{params}: stdout not empty");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(field), "{params}: {err}");
    }
}

#[test]
fn unknown_tool_and_missing_file_exit_2() {
    let out = Command::new(BIN).args(["run", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let out = Command::new(BIN)
        .args(["run", "modal", "--params", "/nonexistent/p.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("params"));
}

#[test]
fn serve_prints_the_url_first_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("url: ")
        .expect(&first)
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    let addr = url.trim_start_matches("http://").trim_end_matches('/');

    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /api/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "serve exited with {exit}");
}

#[test]
fn serve_refuses_a_lan_address_without_share() {
    let out = Command::new(BIN)
        .args(["serve", "--bind", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--share"));
}

#[test]
fn serve_reports_a_damaged_database_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cristallo.sqlite3");
    std::fs::write(&db, b"not a database at all, but someone's file".repeat(50)).unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("damaged") && err.contains("copied to"),
        "{err}"
    );
    let backups = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("damaged")
        })
        .count();
    assert_eq!(backups, 1);
    assert!(std::fs::read(&db).unwrap().starts_with(b"not a database"));
}

#[test]
fn make_demo_recordings_writes_the_demo_files_that_recordings_reads() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("data").join("recordings");
    let out = Command::new(BIN)
        .args(["make-demo-recordings", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listing = String::from_utf8(out.stdout).unwrap();
    for name in cristallo_core::recordings::demo::DEMOS {
        let path = out_dir.join(format!("demo_{name}.csv"));
        let text = std::fs::read_to_string(&path).unwrap();
        // Byte for byte what the in-memory demo is, so `demo: name` and the file agree.
        assert_eq!(
            text,
            cristallo_core::recordings::demo::demo_recording_csv(name).unwrap()
        );
        assert!(listing.contains(&format!("demo_{name}.csv")), "{listing}");
    }
    // No partial files are left behind, and running it again replaces the files.
    let names: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    let again = Command::new(BIN)
        .args(["make-demo-recordings", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(again.status.success());
    // The hammer file through `run recordings` gives what `demo: hammer` gives.
    let hammer = std::fs::read_to_string(out_dir.join("demo_hammer.csv")).unwrap();
    let from_file = run_with_stdin(
        &["run", "recordings", "--params", "-"],
        &serde_json::json!({ "csv_text": hammer }).to_string(),
    );
    let from_demo = run_with_stdin(
        &["run", "recordings", "--params", "-"],
        r#"{"demo": "hammer"}"#,
    );
    assert!(from_file.status.success() && from_demo.status.success());
    let scalars = |o: &std::process::Output| {
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["scalars"].clone()
    };
    assert_eq!(scalars(&from_file), scalars(&from_demo));
}

#[test]
fn make_demo_recordings_into_an_unwritable_place_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let out = Command::new(BIN)
        .args(["make-demo-recordings", "--out"])
        .arg(blocker.join("sub"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("a-file"), "{err}");
}

#[test]
fn artifact_writes_the_fea_deck_to_stdout_or_a_file() {
    let params = r#"{"element_size_m": 0.0254}"#;
    let (fp, _) =
        cristallo_core::fea::FeaParams::parse(&serde_json::from_str(params).unwrap()).unwrap();
    let expected = cristallo_core::fea::deck(&fp).unwrap();
    let out = run_with_stdin(&["artifact", "fea", "deck", "--params", "-"], params);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("frame.inp");
    let out = run_with_stdin(
        &[
            "artifact",
            "fea",
            "deck",
            "--params",
            "-",
            "--output",
            file.to_str().unwrap(),
        ],
        params,
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
}

#[test]
fn artifact_bad_input_exits_2_naming_the_field_with_empty_stdout() {
    for (args, params, named) in [
        (["artifact", "nope", "deck"], "{}", "nope"),
        (["artifact", "fea", "mesh"], "{}", "artifact"),
        (["artifact", "modal", "deck"], "{}", "artifact"),
        (
            ["artifact", "fea", "deck"],
            r#"{"poisson_ratio": 0.5}"#,
            "poisson_ratio",
        ),
        (["artifact", "fea", "deck"], "[1, 2]", "params"),
        (["artifact", "fea", "deck"], "{not json", "params"),
    ] {
        let mut argv = args.to_vec();
        argv.extend(["--params", "-"]);
        let out = run_with_stdin(&argv, params);
        assert_eq!(out.status.code(), Some(2), "{args:?} {params}");
        assert!(out.stdout.is_empty(), "{args:?} {params}: stdout not empty");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(named), "{args:?} {params}: {err}");
    }
}

#[test]
fn artifact_into_an_unwritable_place_exits_1() {
    let out = Command::new(BIN)
        .args([
            "artifact",
            "fea",
            "deck",
            "--output",
            "/nonexistent/dir/frame.inp",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write the deck"), "{err}");
}
