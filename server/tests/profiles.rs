//! Saved profiles over HTTP (docs/measured.md §7): save/list/get/rename/delete with undo/import/
//! export, the errors of every bad input, `profile_id` resolution in tool runs, the guest rules
//! (read-only guests cannot change profiles; no file paths from guests), persistence across a
//! restart and the schema migration from a database of the previous version.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Request, StatusCode};
use cristallo_server::events::ServerEvent;
use cristallo_server::store::{Store, DB_FILE};
use cristallo_server::{router, AppConfig, Platform};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const LEGACY_CSV: &str =
    include_str!("../../core/tests/fixtures/profiles/profile_Experimental.csv");
const LEGACY_JSON: &str = include_str!("../../core/tests/fixtures/profiles/Tester.json");

fn doc(name: &str) -> Value {
    json!({
        "schema": "cristallo.profile/1",
        "name": name,
        "origin": { "kind": "manual" },
        "masses_kg": [5.1, 5.2, 5.3],
        "stiffnesses_n_per_m": [40000.0, 41000.0, 42000.0],
        "dampings_ns_per_m": [1.0, 0.5, 0.25],
        "notes": "bench"
    })
}

struct Local {
    platform: Arc<Platform>,
    dir: tempfile::TempDir,
}

impl Local {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let platform = Platform::open(AppConfig::new(dir.path().to_path_buf())).unwrap();
        Self { platform, dir }
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        send(&self.platform, None, method, path, body).await
    }

    async fn save(&self, d: Value) -> String {
        let (status, v) = self.send("POST", "/api/profiles", Some(d)).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().to_string()
    }
}

async fn send(
    platform: &Arc<Platform>,
    auth: Option<(&str, &str)>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut b = Request::builder().method(method).uri(path);
    if let Some((name, value)) = auth {
        b = b.header(name, value).header(header::HOST, SHARE_HOST);
    }
    let req = b
        .body(body.map_or(Body::empty(), |v| Body::from(v.to_string())))
        .unwrap();
    let app = router(platform.clone()).layer(MockConnectInfo(SocketAddr::from((
        [198, 51, 100, 7],
        50000,
    ))));
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn save_list_get_export_round_trip() {
    let s = Local::new();
    let mut events = s.platform.hub.subscribe();
    let id = s.save(doc("rig A")).await;
    assert!(matches!(
        events.try_recv().unwrap(),
        ServerEvent::ProfilesChanged { id: ref got, ref action } if *got == id && action == "saved"
    ));
    let (status, list) = s.send("GET", "/api/profiles", None).await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "rig A");
    assert_eq!(list[0]["origin_kind"], "manual");
    let fn_hz = list[0]["natural_frequencies_hz"].as_array().unwrap();
    assert!(fn_hz[0].as_f64().unwrap() > 5.0, "{fn_hz:?}");
    let created = list[0]["created_utc"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
    let (status, got) = s.send("GET", &format!("/api/profiles/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    let mut expected = doc("rig A");
    expected["id"] = json!(id);
    expected["created_utc"] = json!(created);
    assert_eq!(got, expected);
    let res = router(s.platform.clone())
        .oneshot(
            Request::get(format!("/api/profiles/{id}/export"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        res.headers()[header::CONTENT_DISPOSITION],
        "attachment; filename=\"rig_A.profile.json\""
    );
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), expected);
    // An exported profile imports again as a new profile (with a free name).
    let (status, v) = s
        .send(
            "POST",
            "/api/profiles/import",
            Some(json!({"text": expected.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["profile"]["name"], "rig A (2)");
    assert_ne!(v["profile"]["id"], json!(id));
    assert_eq!(v["profile"]["masses_kg"], expected["masses_kg"]);
}

#[tokio::test]
async fn duplicate_names_are_409_case_insensitively() {
    let s = Local::new();
    s.save(doc("Rig A")).await;
    let (status, v) = s.send("POST", "/api/profiles", Some(doc("rig a"))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(v["field"], "profile.name");
    assert!(v["error"].as_str().unwrap().contains("exists"), "{v}");
    // Renaming onto a taken name too.
    let other = s.save(doc("rig B")).await;
    let (status, v) = s
        .send(
            "PATCH",
            &format!("/api/profiles/{other}"),
            Some(json!({"name": "RIG A"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(v["field"], "profile.name");
    // An import with an explicit taken name is refused, not renamed.
    let (status, v) = s
        .send(
            "POST",
            "/api/profiles/import",
            Some(json!({"text": LEGACY_CSV, "name": "rig a"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
}

#[tokio::test]
async fn bad_documents_are_400_naming_the_field() {
    let s = Local::new();
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut d = doc("x");
                d["masses_kg"] = json!([5.0, 0.0, 5.0]);
                d
            },
            "profile.masses_kg",
        ),
        (
            {
                let mut d = doc("x");
                d["stiffnesses_n_per_m"] = json!([-1.0, 1.0, 1.0]);
                d
            },
            "profile.stiffnesses_n_per_m",
        ),
        (
            {
                let mut d = doc("x");
                d["dampings_ns_per_m"] = json!([-1.0, 1.0, 1.0]);
                d
            },
            "profile.dampings_ns_per_m",
        ),
        (
            {
                let mut d = doc("x");
                d["colour"] = json!("red");
                d
            },
            "profile.colour",
        ),
        (
            {
                let mut d = doc("x");
                d["schema"] = json!("cristallo.profile/2");
                d
            },
            "profile.schema",
        ),
        (doc(""), "profile.name"),
        (doc(&"n".repeat(81)), "profile.name"),
    ];
    for (d, field) in cases {
        let (status, v) = s.send("POST", "/api/profiles", Some(d)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {v}");
        assert_eq!(v["field"], field, "{v}");
    }
    let (status, v) = s
        .send(
            "POST",
            "/api/profiles/import",
            Some(json!({"text": "1;2;3\n"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["field"], "profile");
    let (status, v) = s
        .send("POST", "/api/profiles/import", Some(json!({"txt": "x"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["field"], "text");
    let (status, _) = s.send("GET", "/api/profiles/nope", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(s.platform.list_profiles().unwrap().is_empty());
}

#[tokio::test]
async fn legacy_imports_are_flagged_with_the_damping_warning() {
    let s = Local::new();
    let (status, v) = s
        .send(
            "POST",
            "/api/profiles/import",
            Some(json!({"text": LEGACY_CSV, "file_name": "profile_Experimental.csv"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["profile"]["origin"]["kind"], "imported-legacy-csv");
    assert_eq!(v["profile"]["name"], "profile_Experimental");
    assert!(v["warnings"][0].as_str().unwrap().contains("4× too high"));
    let (status, v) = s
        .send(
            "POST",
            "/api/profiles/import",
            Some(json!({"text": LEGACY_JSON, "name": "Tester"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["profile"]["origin"]["kind"], "imported-legacy-json");
    assert_eq!(v["profile"]["masses_kg"], json!([5.3, 5.1, 4.9]));
    assert!(v["warnings"][0].as_str().unwrap().contains("4× too high"));
}

#[tokio::test]
async fn rename_delete_and_undo_within_30_s() {
    let s = Local::new();
    let id = s.save(doc("old name")).await;
    let (status, v) = s
        .send(
            "PATCH",
            &format!("/api/profiles/{id}"),
            Some(json!({"name": "new name"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "new name");
    let (status, v) = s
        .send(
            "PATCH",
            &format!("/api/profiles/{id}"),
            Some(json!({"name": ""})),
        )
        .await;
    assert_eq!(
        (status, v["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("profile.name"))
    );
    let (status, v) = s.send("DELETE", &format!("/api/profiles/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["undo_seconds"], 30);
    assert!(s.platform.list_profiles().unwrap().is_empty());
    let (status, _) = s.send("GET", &format!("/api/profiles/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s.send("DELETE", &format!("/api/profiles/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, v) = s
        .send("POST", &format!("/api/profiles/{id}/restore"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "new name");
    assert_eq!(s.platform.list_profiles().unwrap().len(), 1);
    let (status, _) = s
        .send("POST", &format!("/api/profiles/{id}/restore"), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[test]
fn undo_is_refused_after_30_s_and_a_deleted_name_is_free_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let doc_a = cristallo_core::profile_doc::ProfileDoc::from_json(&doc("a")).unwrap();
    let saved = store.insert_profile(doc_a.clone()).unwrap();
    let t0 = 1_000_000_000_000;
    store.delete_profile(&saved.id, t0).unwrap();
    let err = store.restore_profile(&saved.id, t0 + 30_001).unwrap_err();
    assert_eq!(err.status(), StatusCode::GONE);
    assert!(store.restore_profile(&saved.id, t0 + 29_000).is_ok());
    // Deleted again: the name can be reused at once (the deleted one is then purged).
    store.delete_profile(&saved.id, t0).unwrap();
    let again = store.insert_profile(doc_a).unwrap();
    assert_ne!(again.id, saved.id);
    assert_eq!(
        store
            .restore_profile(&saved.id, t0 + 1)
            .unwrap_err()
            .status(),
        StatusCode::NOT_FOUND
    );
}

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
    assert_eq!(version, 3);
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
    let text = include_str!("../../data/rig/frfs/test_2.csv");
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

// ---- LAN guests ----

const SHARE_HOST: &str = "192.0.2.10:4000";

fn sharing() -> (Arc<Platform>, String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::open(AppConfig::new(dir.path().to_path_buf())).unwrap();
    platform
        .enable_sharing(SHARE_HOST.parse().unwrap(), false)
        .unwrap();
    let secrets = platform.access.secrets().unwrap();
    (platform, secrets.guest_token, secrets.host_token, dir)
}

#[tokio::test]
async fn read_only_guests_use_profiles_but_cannot_change_them() {
    let (p, guest, host, _dir) = sharing();
    let g = format!("Bearer {guest}");
    let h = format!("Bearer {host}");
    let guest_auth = Some((header::AUTHORIZATION.as_str(), g.as_str()));
    let host_auth = Some((header::AUTHORIZATION.as_str(), h.as_str()));
    let (status, v) = send(&p, host_auth, "POST", "/api/profiles", Some(doc("hosted"))).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    // Guests list, read, export and run with it.
    let (status, list) = send(&p, guest_auth, "GET", "/api/profiles", None).await;
    assert_eq!(
        (status, list.as_array().unwrap().len()),
        (StatusCode::OK, 1)
    );
    let (status, _) = send(
        &p,
        guest_auth,
        "GET",
        &format!("/api/profiles/{id}/export"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, v) = send(
        &p,
        guest_auth,
        "POST",
        "/api/tools/modal/run",
        Some(json!({"profile_id": id, "f_step_hz": 1.0})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["params"]["profile"]["masses_kg"], json!([5.1, 5.2, 5.3]));
    // … but cannot save, import, rename, delete or restore.
    let forbidden = [
        ("POST", "/api/profiles".to_string(), Some(doc("guest's"))),
        (
            "POST",
            "/api/profiles/import".to_string(),
            Some(json!({"text": LEGACY_CSV})),
        ),
        (
            "PATCH",
            format!("/api/profiles/{id}"),
            Some(json!({"name": "x"})),
        ),
        ("DELETE", format!("/api/profiles/{id}"), None),
        ("POST", format!("/api/profiles/{id}/restore"), None),
    ];
    for (method, path, body) in forbidden.clone() {
        let (status, v) = send(&p, guest_auth, method, &path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {v}");
    }
    assert_eq!(p.list_profiles().unwrap()[0].name, "hosted");
    // With full access granted, a guest may delete.
    let (status, _) = send(
        &p,
        host_auth,
        "PUT",
        "/api/share/settings",
        Some(json!({"guest_access": "full"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(
        &p,
        guest_auth,
        "DELETE",
        &format!("/api/profiles/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn guests_may_not_send_file_paths_at_any_depth() {
    let (p, guest, host, _dir) = sharing();
    let g = format!("Bearer {guest}");
    let h = format!("Bearer {host}");
    let guest_auth = Some((header::AUTHORIZATION.as_str(), g.as_str()));
    let host_auth = Some((header::AUTHORIZATION.as_str(), h.as_str()));
    for (params, field) in [
        (json!({"path": "/etc/passwd"}), "path"),
        (
            json!({"frfs": [{"csv_text": "1;2;3;4"}, {"path": "/etc/passwd"}]}),
            "frfs[1].path",
        ),
        (
            json!({"profile": {"notes": {"path": "x"}}}),
            "profile.notes.path",
        ),
    ] {
        let (status, v) = send(&p, guest_auth, "POST", "/api/tools/modal/run", Some(params)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(v["field"], field);
        assert!(
            v["error"].as_str().unwrap().contains("upload the file"),
            "{v}"
        );
    }
    // The host's own call goes to the tool (which rejects the unknown key itself: 400, not 403).
    let (status, v) = send(
        &p,
        host_auth,
        "POST",
        "/api/tools/modal/run",
        Some(json!({"path": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(p.store.count_runs().unwrap(), 0);
}
