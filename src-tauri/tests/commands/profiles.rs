//! The profile commands: save, list, rename, delete and restore, their announcements, and their error shape.

use super::*;

fn profile_doc(name: &str) -> Value {
    json!({
        "schema": "cristallo.profile/1", "name": name, "origin": {"kind": "manual"},
        "masses_kg": [5.1, 5.2, 5.3], "stiffnesses_n_per_m": [40000.0, 41000.0, 42000.0],
        "dampings_ns_per_m": [1.0, 0.5, 0.25]
    })
}

#[test]
fn profile_commands_save_list_rename_delete_restore_and_are_announced() {
    let t = TestApp::new();
    let events = t.events();
    let saved = t
        .invoke("profile_save", json!({"profile": profile_doc("desk rig")}))
        .expect("profile_save");
    let id = saved["id"].as_str().unwrap().to_string();
    let changed = next_event(&events, "profiles_changed");
    assert_eq!(
        (changed["id"].as_str(), changed["action"].as_str()),
        (Some(id.as_str()), Some("saved"))
    );
    let list = t.invoke("profile_list", json!({})).unwrap();
    assert_eq!(list[0]["name"], "desk rig");
    assert_eq!(t.invoke("profile_show", json!({"id": id})).unwrap(), saved);
    assert_eq!(
        t.invoke("profile_export", json!({"id": id})).unwrap(),
        saved
    );
    let renamed = t
        .invoke("profile_rename", json!({"id": id, "name": "desk rig 2"}))
        .unwrap();
    assert_eq!(renamed["name"], "desk rig 2");
    let deleted = t.invoke("profile_delete", json!({"id": id})).unwrap();
    assert_eq!(deleted["undo_seconds"], 30);
    assert_eq!(t.invoke("profile_list", json!({})).unwrap(), json!([]));
    t.invoke("profile_restore", json!({"id": id})).unwrap();
    assert_eq!(t.invoke("profile_list", json!({})).unwrap()[0]["id"], id);
    // A run by profile id echoes the resolved model.
    let result = t
        .run_tool(json!({"tool": "modal", "params": {"profile_id": id, "f_step_hz": 1.0}}))
        .expect("run with profile_id");
    assert_eq!(
        result["result"]["params"]["profile"]["masses_kg"],
        json!([5.1, 5.2, 5.3])
    );
}

#[test]
fn profile_commands_answer_the_error_shape() {
    let t = TestApp::new();
    t.invoke("profile_save", json!({"profile": profile_doc("one")}))
        .unwrap();
    let dup = t
        .invoke("profile_save", json!({"profile": profile_doc("ONE")}))
        .expect_err("duplicate name");
    assert_eq!(dup["field"], "profile.name", "{dup}");
    let mut bad = profile_doc("two");
    bad["masses_kg"] = json!([1.0, 0.0, 1.0]);
    let err = t
        .invoke("profile_save", json!({"profile": bad}))
        .expect_err("zero mass");
    assert_eq!(err["field"], "profile.masses_kg");
    let err = t
        .invoke(
            "profile_import",
            json!({"text": "1;2;3", "fileName": "x.csv"}),
        )
        .expect_err("short CSV");
    assert_eq!(err["field"], "profile");
    let imported = t
        .invoke(
            "profile_import",
            json!({"text": include_str!("../../../core/tests/fixtures/profiles/profile_Experimental.csv"),
                   "fileName": "profile_Experimental.csv"}),
        )
        .expect("legacy CSV import");
    assert_eq!(imported["profile"]["origin"]["kind"], "imported-legacy-csv");
    assert!(imported["warnings"][0]
        .as_str()
        .unwrap()
        .contains("4× too high"));
    let err = t
        .invoke("profile_show", json!({"id": "nope"}))
        .expect_err("unknown id");
    assert_eq!(err["error"], "no such profile nope");
    let err = t
        .run_tool(json!({"tool": "simulator", "params": {"profile_id": "nope"}}))
        .expect_err("unknown profile_id");
    assert_eq!(err["field"], "profile_id");
}
