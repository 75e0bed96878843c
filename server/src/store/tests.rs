//! Tests of the store: runs in both stored forms, the schema 3 → 4 → 5 migrations, settings,
//! damaged files, newer schemas and the durability settings.

use super::*;

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cristallo-store-{tag}-{}-{}",
        std::process::id(),
        now_ms()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sample(tool: &str) -> ToolResult {
    let mut r = ToolResult::new(tool, serde_json::json!({"floor": 1}));
    r.set("natural_frequency_1_hz", 7.1);
    r.push_series(cristallo_core::Series::new(
        "s",
        "x",
        "y",
        vec![1.0, 2.0],
        vec![3.0, 4.0],
    ));
    r.warn("careful");
    r
}

#[test]
fn runs_round_trip_and_survive_reopening() {
    let dir = temp_dir("roundtrip");
    let store = Store::open(&dir).unwrap();
    let enc = |r: &ToolResult| EncodedResult::encode(r).unwrap();
    let modal = sample("modal");
    let a = store
        .insert_run(&modal, &enc(&modal), 1.5, "host", "host")
        .unwrap();
    let vc = sample("vibration-control");
    let b = store
        .insert_run(&vc, &enc(&vc), 2.5, "guest-1", "guest")
        .unwrap();
    assert!(b.id > a.id);
    drop(store);
    let store = Store::open(&dir).unwrap();
    assert_eq!(store.count_runs().unwrap(), 2);
    let list = store.list_runs(None, 10, None).unwrap();
    assert_eq!(
        list.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![b.id, a.id]
    );
    assert_eq!(
        store.list_runs(Some("modal"), 10, None).unwrap(),
        vec![a.clone()]
    );
    assert_eq!(
        store.list_runs(None, 10, Some(b.id)).unwrap(),
        vec![a.clone()]
    );
    let stored = store.get_stored_run(b.id).unwrap().unwrap();
    assert_eq!(
        stored.result,
        enc(&vc),
        "the Arrow stream is kept as it was"
    );
    assert_eq!(stored.result.format(), ResultFormat::Arrow);
    let rec = store.get_run(b.id).unwrap().unwrap();
    assert_eq!(rec.parsed_result().unwrap(), sample("vibration-control"));
    assert_eq!(
        rec.result.get().as_bytes(),
        serde_json::to_vec(&vc).unwrap().as_slice()
    );
    assert_eq!(rec.summary, b);
    assert_eq!(rec.summary.warning_count, 1);
    assert!(store.delete_run(a.id).unwrap());
    assert!(!store.delete_run(a.id).unwrap());
    assert!(store.get_run(a.id).unwrap().is_none());
    assert!(store.get_stored_run(a.id).unwrap().is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn writes_use_a_write_ahead_log_without_waiting_for_the_disk() {
    let dir = temp_dir("wal");
    let store = Store::open(&dir).unwrap();
    let conn = store.conn();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let sync: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        (mode.as_str(), sync),
        ("wal", 1),
        "WAL with synchronous = NORMAL (1)"
    );
    drop(conn);
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A database of schema 3 (results as JSON text) written as the previous version did.
fn write_schema_3(dir: &Path, results: &[ToolResult]) -> Vec<Vec<u8>> {
    let mut conn = Connection::open(dir.join(DB_FILE)).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    for (i, sql) in MIGRATIONS[..3].iter().enumerate() {
        let tx = conn.transaction().unwrap();
        tx.execute_batch(sql).unwrap();
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .unwrap();
        tx.commit().unwrap();
    }
    let mut texts = Vec::new();
    for r in results {
        let text = serde_json::to_vec(r).unwrap();
        conn.execute(
            "INSERT INTO runs (tool, params, scalars, warning_count, result_gz, created_at_ms, duration_ms, who)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                r.tool,
                json_text(&r.params).unwrap(),
                json_text(&r.scalars).unwrap(),
                r.warnings.len() as i64,
                compress(&text).unwrap(),
                1_700_000_000_000i64,
                12.5,
                "host"
            ],
        )
        .unwrap();
        texts.push(text);
    }
    texts
}

#[test]
fn a_schema_3_database_with_json_results_opens_and_reads_the_same() {
    let dir = temp_dir("migrate");
    let mut twin = sample("modal");
    // Two series with one name: no Arrow form, so it stays JSON.
    twin.push_series(cristallo_core::Series::new(
        "s",
        "x",
        "y",
        vec![5.0],
        vec![6.0],
    ));
    let olds = [sample("vibration-control"), twin];
    let texts = write_schema_3(&dir, &olds);
    let store = Store::open(&dir).unwrap();
    let version: i64 = store
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, MIGRATIONS.len() as i64);
    for (id, (old, text)) in (1..).zip(olds.iter().zip(&texts)) {
        let rec = store.get_run(id).unwrap().unwrap();
        assert_eq!(rec.result.get().as_bytes(), text.as_slice(), "run {id}");
        assert_eq!(&rec.parsed_result().unwrap(), old);
        assert_eq!(rec.summary.created_at_ms, 1_700_000_000_000);
        let stored = store.get_stored_run(id).unwrap().unwrap();
        assert_eq!(stored.result, EncodedResult::Json(text.clone()));
    }
    // The old runs convert to Arrow on demand, unless they have no Arrow form.
    let arrow = store
        .get_stored_run(1)
        .unwrap()
        .unwrap()
        .result
        .into_arrow();
    let back = cristallo_core::result::arrow::from_arrow_ipc(&arrow.unwrap()).unwrap();
    assert_eq!(back, olds[0]);
    let stored = store.get_stored_run(2).unwrap().unwrap();
    assert!(matches!(
        stored.result.into_arrow(),
        Err(StoreError::NoArrowForm(_))
    ));
    // New runs go in as Arrow next to them.
    let new = sample("modal");
    let s = store
        .insert_run(
            &new,
            &EncodedResult::encode(&new).unwrap(),
            1.0,
            "host",
            "host",
        )
        .unwrap();
    assert_eq!(
        store.get_stored_run(s.id).unwrap().unwrap().result.format(),
        ResultFormat::Arrow
    );
    assert_eq!(store.count_runs().unwrap(), 3);
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_row_in_an_unknown_format_is_reported_not_misread() {
    let dir = temp_dir("unknown-format");
    let store = Store::open(&dir).unwrap();
    let r = sample("modal");
    let s = store
        .insert_run(&r, &EncodedResult::encode(&r).unwrap(), 1.0, "host", "host")
        .unwrap();
    store
        .conn()
        .execute(
            "UPDATE runs SET result_format = 'feather9' WHERE id = ?1",
            [s.id],
        )
        .unwrap();
    let err = store.get_run(s.id).unwrap_err();
    assert!(
        err.to_string().contains("result_format 'feather9'"),
        "{err}"
    );
    store
        .conn()
        .execute(
            "UPDATE runs SET result_format = 'arrow', result_gz = ?2 WHERE id = ?1",
            params![s.id, compress(b"truncated").unwrap()],
        )
        .unwrap();
    assert!(matches!(
        store.get_stored_run(s.id).unwrap().unwrap().result.decode(),
        Err(StoreError::Corrupt(_))
    ));
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn settings_round_trip() {
    let dir = temp_dir("settings");
    let store = Store::open(&dir).unwrap();
    assert_eq!(store.setting("guest_role").unwrap(), None);
    store
        .set_setting("guest_role", &Value::from("full"))
        .unwrap();
    store
        .set_setting("guest_role", &Value::from("read_only"))
        .unwrap();
    assert_eq!(
        store.setting("guest_role").unwrap(),
        Some(Value::from("read_only"))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn damaged_file_is_backed_up_and_reported_not_reset() {
    let dir = temp_dir("damaged");
    let garbage = b"this is not an sqlite database, but somebody's data".repeat(100);
    std::fs::write(dir.join(DB_FILE), &garbage).unwrap();
    let err = Store::open(&dir).unwrap_err();
    let StoreError::Damaged { path, backup, .. } = &err else {
        panic!("expected Damaged, got {err}");
    };
    assert_eq!(
        std::fs::read(path).unwrap(),
        garbage,
        "original must be untouched"
    );
    assert_eq!(std::fs::read(backup).unwrap(), garbage);
    assert!(err.to_string().contains("damaged"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn newer_schema_is_refused() {
    let dir = temp_dir("newer");
    drop(Store::open(&dir).unwrap());
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    assert!(matches!(
        Store::open(&dir),
        Err(StoreError::TooNew { found: 99, .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn runs_recorded_before_the_role_column_are_kept_with_an_unknown_role() {
    let dir = temp_dir("role-migration");
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    for sql in &MIGRATIONS[..4] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", 4).unwrap();
    conn.execute(
        "INSERT INTO runs (tool, params, scalars, warning_count, result_gz, created_at_ms, duration_ms, who)
         VALUES ('modal', '{}', '{}', 0, x'00', 1, 2.0, 'Ann')",
        [],
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&dir).unwrap();
    let old = &store.list_runs(None, 10, None).unwrap()[0];
    assert_eq!((old.who.as_str(), old.role.as_deref()), ("Ann", None));
    let modal = sample("modal");
    let encoded = EncodedResult::encode(&modal).unwrap();
    let new = store
        .insert_run(&modal, &encoded, 1.0, "Ben", "guest")
        .unwrap();
    let listed = store.list_runs(None, 10, None).unwrap();
    assert_eq!(listed[0].id, new.id);
    assert_eq!(listed[0].role.as_deref(), Some("guest"));
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}
