//! The profile library over HTTP: save, list, get, rename, delete with undo, import and export, and the errors of bad input.

use super::*;

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
