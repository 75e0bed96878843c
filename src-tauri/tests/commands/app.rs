//! The app itself: a damaged database at start, remote origins and the opener scope, settings and the data directory.

use super::*;

#[test]
fn a_damaged_database_is_an_error_not_a_panic() {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(
        data.path().join("cristallo.sqlite3"),
        b"this is not a SQLite database, it is garbage ".repeat(200),
    )
    .unwrap();
    let error = cristallo_app_lib::run_app(builder(data.path(), Default::default()))
        .expect_err("a damaged database stops the start");
    let message = error.to_string();
    assert!(message.contains("damaged"), "{message}");
    assert!(
        message.contains("cristallo.sqlite3.damaged-"),
        "says where the copy is: {message}"
    );
}

#[test]
fn a_remote_origin_cannot_call_the_commands() {
    let t = TestApp::new();
    // A page from elsewhere (e.g. a link opened inside the window) must not reach the core.
    for cmd in ["list_tools", "share_start", "share_status"] {
        let mut req = request(cmd, json!({"ip": "127.0.0.1", "port": 0}));
        req.url = "https://example.com/".parse().unwrap();
        let error = get_ipc_response(&t.window, req).expect_err("a remote origin is refused");
        assert!(error.to_string().contains("not allowed"), "{cmd}: {error}");
    }
}

#[test]
fn the_opener_may_open_only_http_links() {
    let t = TestApp::new();
    // Refused by the capability's scope before anything is launched.
    for url in [
        "file:///etc/passwd",
        "https://example.com/",
        "javascript:alert(1)",
    ] {
        let error = t
            .invoke("plugin:opener|open_url", json!({"url": url}))
            .expect_err("only http:// links may be opened");
        // The scope refused it ("Not allowed to open url …"): the command itself is permitted.
        assert!(
            error.to_string().contains("Not allowed to open url"),
            "{url}: {error}"
        );
    }
}

#[test]
fn settings_round_trip_and_bad_fields_are_named() {
    let t = TestApp::new();
    let v = t.invoke("settings_get", json!({})).expect("settings");
    assert_eq!(v["share_port"], 0, "{v}");
    assert!(v["data_dir"].as_str().is_some_and(|d| !d.is_empty()), "{v}");
    let err = t
        .invoke(
            "settings_set",
            json!({"settings": {"share_port": "eighty"}}),
        )
        .expect_err("a text port is refused");
    assert_eq!(err["field"], "share_port", "{err}");
    let v = t
        .invoke(
            "settings_set",
            json!({"settings": {"share_interface": "127.0.0.1", "share_port": 9001}}),
        )
        .expect("valid settings are stored");
    assert_eq!(v["share_port"], 9001);
    let v = t.invoke("settings_get", json!({})).unwrap();
    assert_eq!(v["share_interface"], "127.0.0.1");
}

#[test]
fn the_data_directory_chosen_in_settings_is_used_from_the_next_start() {
    let t = TestApp::new();
    let root = t._data.as_ref().unwrap().path().to_path_buf();
    let v = t
        .invoke("desktop_settings_get", json!({}))
        .expect("desktop settings");
    assert_eq!(v["data_dir_next"], Value::Null, "{v}");
    for bad in ["relative/dir", "/proc/version"] {
        let err = t
            .invoke("desktop_settings_set", json!({"dataDir": bad}))
            .expect_err(bad);
        assert_eq!(err["field"], "data_dir", "{bad}: {err}");
    }
    let chosen = root.join("chosen-data");
    let v = t
        .invoke(
            "desktop_settings_set",
            json!({"dataDir": chosen.display().to_string()}),
        )
        .expect("a new directory is accepted");
    assert_eq!(v["data_dir_next"], json!(chosen.display().to_string()));
    assert_ne!(
        v["data_dir"], v["data_dir_next"],
        "the current one stays until a restart"
    );

    // The next start without CRISTALLO_DATA_DIR (data_dir None) opens the chosen directory.
    let app = cristallo_app_lib::run_app(mock_builder().manage(AppOptions {
        data_dir: None,
        mdns: false,
        download_dir: None,
        config_dir: Some(root.join("config")),
    }))
    .expect("the app starts");
    let platform = app.state::<Arc<Platform>>();
    assert_eq!(platform.config.data_dir, chosen);
    assert!(
        chosen.join("cristallo.sqlite3").is_file(),
        "the database is there"
    );
}
