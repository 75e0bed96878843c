//! LAN guests and profiles: read-only guests use but cannot change them, full access may, and no file paths from guests.

use super::*;

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
