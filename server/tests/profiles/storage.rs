//! Profiles in use and on disk: `profile_id` in tool runs, the schema migration of an old database and the stored measured files.

use super::*;

#[tokio::test]
async fn profile_id_is_resolved_and_echoed_in_tool_runs() {
    let s = Local::new();
    let id = s.save(doc("bench model")).await;
    for tool in ["modal", "simulator"] {
        let params = if tool == "modal" {
            json!({"profile_id": id, "f_step_hz": 1.0})
        } else {
            json!({"profile_id": id})
        };
        let (status, v) = s
            .send("POST", &format!("/api/tools/{tool}/run"), Some(params))
            .await;
        assert_eq!(status, StatusCode::OK, "{tool}: {v}");
        let p = &v["params"]["profile"];
        assert_eq!(p["masses_kg"], json!([5.1, 5.2, 5.3]), "{tool}");
        assert_eq!(p["stiffnesses_n_per_m"], json!([40000.0, 41000.0, 42000.0]));
        assert_eq!(p["dampings_ns_per_m"], json!([1.0, 0.5, 0.25]));
        assert_eq!(p["name"], "bench model");
        assert_eq!(p["source"], format!("profile {id}"));
        assert!(v["params"].get("profile_id").is_none());
    }
    // The resolved model is the one computed: modal's first frequency is the chain's.
    let summary = &s.platform.list_profiles().unwrap()[0];
    let (_, v) = s
        .send(
            "POST",
            "/api/tools/modal/run",
            Some(json!({"profile_id": id, "f_step_hz": 1.0})),
        )
        .await;
    let f1 = v["scalars"]["natural_frequency_1_hz"].as_f64().unwrap();
    assert!(
        (f1 - summary.natural_frequencies_hz.unwrap()[0]).abs() < 1e-9,
        "{f1}"
    );
}

#[tokio::test]
async fn bad_profile_ids_are_400_naming_profile_id() {
    let s = Local::new();
    let id = s.save(doc("m")).await;
    let cases = [
        ("modal", json!({"profile_id": "no-such-id"})),
        ("simulator", json!({"profile_id": 42})),
        (
            "modal",
            json!({"profile_id": id, "profile": {"masses_kg": [1.0, 1.0, 1.0]}}),
        ),
        ("recordings", json!({"profile_id": id})),
    ];
    for (tool, params) in cases {
        let (status, v) = s
            .send(
                "POST",
                &format!("/api/tools/{tool}/run"),
                Some(params.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{tool} {params}: {v}");
        assert_eq!(v["field"], "profile_id", "{v}");
    }
    // vibration-control takes a profile in place of the rig's geometry model.
    let (status, v) = s
        .send(
            "POST",
            "/api/tools/vibration-control/run",
            Some(json!({"profile_id": id, "strategy": "tmd"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["params"]["profile"]["masses_kg"], json!([5.1, 5.2, 5.3]));
    // So does cbc (its structure's masses, stiffnesses and dampers).
    let (status, v) = s
        .send(
            "POST",
            "/api/tools/cbc/run",
            Some(json!({"profile_id": id, "mode": "exact", "forcing_max_n": 5.0})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", v["error"]);
    assert_eq!(v["params"]["masses_kg"], json!([5.1, 5.2, 5.3]));
    // A deleted profile can no longer be used.
    s.send("DELETE", &format!("/api/profiles/{id}"), None).await;
    let (status, v) = s
        .send(
            "POST",
            "/api/tools/modal/run",
            Some(json!({"profile_id": id})),
        )
        .await;
    assert_eq!(
        (status, v["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("profile_id"))
    );
}

#[tokio::test]
async fn profiles_survive_a_restart() {
    let s = Local::new();
    let id = s.save(doc("persistent")).await;
    let before = s.platform.get_profile(&id).unwrap();
    let dir = s.dir.path().to_path_buf();
    drop(s.platform);
    let platform = Platform::open(AppConfig::new(dir)).unwrap();
    assert_eq!(platform.get_profile(&id).unwrap(), before);
    assert_eq!(platform.list_profiles().unwrap().len(), 1);
}

#[test]
fn a_database_of_the_previous_schema_is_migrated_keeping_its_runs() {
    let dir = tempfile::tempdir().unwrap();
    {
        // Schema version 1 exactly as the previous release created it, with one run.
        let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.execute_batch(
            "CREATE TABLE runs (
                 id INTEGER PRIMARY KEY AUTOINCREMENT, tool TEXT NOT NULL, params TEXT NOT NULL,
                 scalars TEXT NOT NULL, warning_count INTEGER NOT NULL, result_gz BLOB NOT NULL,
                 created_at_ms INTEGER NOT NULL, duration_ms REAL NOT NULL, who TEXT NOT NULL);
             CREATE INDEX runs_tool ON runs(tool, id);
             CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             INSERT INTO runs (tool, params, scalars, warning_count, result_gz, created_at_ms, duration_ms, who)
                 VALUES ('modal', '{}', '{}', 0, x'00', 1, 1.0, 'host');
             INSERT INTO settings VALUES ('guest_access', '\"full\"');
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.count_runs().unwrap(), 1);
    assert_eq!(store.setting("guest_access").unwrap(), Some(json!("full")));
    assert!(store.list_profiles().unwrap().is_empty());
    let d = cristallo_core::profile_doc::ProfileDoc::from_json(&doc("after migration")).unwrap();
    store.insert_profile(d).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 5);
    let format: String = conn
        .query_row("SELECT result_format FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        format, "json",
        "a run of the old schema stays marked as JSON"
    );
    let stored_files: i64 = conn
        .query_row("SELECT COUNT(*) FROM source_files", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored_files, 0);
}

/// docs/measured.md §7: the measured files of a model-update run are stored once by SHA-256, so a
/// profile saved from it can re-plot its data; they survive a restart; bad and unknown digests
/// are 400 naming `sha256` and 404.
#[tokio::test]
async fn model_update_files_are_stored_once_by_sha256() {
    let s = Local::new();
    let text = include_str!("../../../data/rig/frfs/test_2.csv");
    let params = json!({"frfs": [{"csv_text": text, "excitation_floor": 2}]});
    let mut digests = Vec::new();
    for _ in 0..2 {
        let (status, v) = s
            .send("POST", "/api/tools/model-update/run", Some(params.clone()))
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let table = v["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "sources")
            .expect("sources table")
            .clone();
        digests.push(table["rows"][0][3].as_str().unwrap().to_string());
    }
    assert_eq!(digests[0], digests[1]);
    let sha = &digests[0];
    assert_eq!(sha.len(), 64);
    let (status, v) = s.send("GET", &format!("/api/sources/{sha}"), None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["sha256"], sha.as_str());
    assert_eq!(v["csv_text"], text);
    {
        let conn = rusqlite::Connection::open(s.dir.path().join(DB_FILE)).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM source_files", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1, "stored once although run twice");
    }
    let (status, v) = s.send("GET", "/api/sources/not-a-digest", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["field"], "sha256", "{v}");
    let unknown = "0".repeat(64);
    let (status, _) = s
        .send("GET", &format!("/api/sources/{unknown}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // After a restart.
    let dir = s.dir.path().to_path_buf();
    drop(s.platform);
    let platform = Platform::open(AppConfig::new(dir)).unwrap();
    let again = platform.source_file(sha).unwrap();
    assert_eq!(again["csv_text"], text);
}
