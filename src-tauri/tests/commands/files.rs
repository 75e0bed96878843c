//! Files out of the app: the FEA deck artifact, refused artifact requests and exports saved to the download folder.

use super::*;

#[test]
fn the_fea_deck_artifact_is_the_calculix_input_and_bad_fields_are_named() {
    let t = TestApp::new();
    let deck = t
        .invoke(
            "tool_artifact",
            json!({"tool": "fea", "name": "deck", "params": {}}),
        )
        .expect("the default deck");
    assert_eq!(deck["file_name"], "cristallo_frame.inp");
    assert!(deck["media_type"]
        .as_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = deck["text"].as_str().expect("the deck is text");
    assert!(
        text.contains("*NODE") && text.contains("*FREQUENCY"),
        "{}",
        &text[..200.min(text.len())]
    );
    let (fp, _) = cristallo_core::fea::FeaParams::parse(&json!({})).unwrap();
    assert_eq!(text, cristallo_core::fea::deck(&fp).unwrap());
    let err = t
        .invoke(
            "tool_artifact",
            json!({"tool": "fea", "name": "deck", "params": {"element_size_m": -1.0}}),
        )
        .expect_err("a negative element size is refused");
    assert_eq!(err["field"], "element_size_m", "{err}");
}

#[test]
fn tool_artifact_bad_input_is_refused_naming_what_is_wrong() {
    let t = TestApp::new();
    let refused = |tool: &str, name: &str, params: Value| {
        t.invoke(
            "tool_artifact",
            json!({"tool": tool, "name": name, "params": params}),
        )
        .expect_err("refused")
    };
    let err = refused("nope", "deck", json!({}));
    assert!(err["error"].as_str().unwrap().contains("nope"), "{err}");
    assert_eq!(refused("fea", "mesh", json!({}))["field"], "artifact");
    assert_eq!(refused("modal", "deck", json!({}))["field"], "artifact");
    assert_eq!(
        refused("fea", "deck", json!({"no_such_key": 1}))["field"],
        "no_such_key"
    );
    assert_eq!(refused("fea", "deck", json!([1, 2]))["field"], "params");
    assert_eq!(refused("fea", "deck", json!("text"))["field"], "params");
}

/// `save_download` with raw `bytes` named `name` (as export.js sends it).
fn save(t: &TestApp, name: &str, bytes: &[u8]) -> Result<Value, Value> {
    let mut req = request("save_download", json!({}));
    req.body = InvokeBody::Raw(bytes.to_vec());
    req.headers
        .insert("x-file-name", name.parse().expect("a header value"));
    get_ipc_response(&t.window, req).map(|b| b.deserialize::<Value>().expect("a JSON answer"))
}

#[test]
fn exports_are_saved_in_the_download_folder_without_replacing_files() {
    let t = TestApp::new();
    let dir = t._data.as_ref().unwrap().path().join("downloads");
    let first = save(&t, "modal-run-1.json", b"{\"a\": 1}").expect("saved");
    assert_eq!(
        first,
        json!(dir.join("modal-run-1.json").display().to_string())
    );
    let second = save(&t, "modal-run-1.json", b"{\"a\": 2}").expect("saved again");
    assert_eq!(
        second,
        json!(dir.join("modal-run-1 (1).json").display().to_string())
    );
    assert_eq!(
        std::fs::read(dir.join("modal-run-1.json")).unwrap(),
        b"{\"a\": 1}"
    );
    assert_eq!(
        std::fs::read(dir.join("modal-run-1 (1).json")).unwrap(),
        b"{\"a\": 2}"
    );
    for bad in ["../evil.json", "/etc/passwd", ".hidden", "", "a/b.csv"] {
        let err = save(&t, bad, b"x").expect_err(bad);
        assert_eq!(err["field"], "name", "{bad}: {err}");
    }
    let err = t
        .invoke("save_download", json!({"name": "x.json"}))
        .expect_err("JSON instead of bytes");
    assert_eq!(err["field"], "body", "{err}");
}
