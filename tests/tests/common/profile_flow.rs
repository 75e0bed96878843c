//! The profile flow shared by the browser and the desktop e2e tests (issue 6 "Must show"):
//! `model-update` with its defaults, "Save as profile" on the result (a blank and a taken name
//! are refused naming `profile.name`), then the simulator with that profile picked in the
//! "Model profile" list: the fields show and lock the identified chain and the run's echoed
//! parameters hold it. Pages are opened by changing `location.hash`, which works in both.

use fantoccini::{Client, Locator};
use serde_json::Value;

use super::page::{
    attr_value, click, echoed_params, open, run_done, scalar_value, wait_for, wait_until,
};

/// Picks saved profile `id` in the tool page's "Model profile" list and waits until it has
/// filled the form.
pub async fn pick(client: &Client, id: &str) {
    wait_for(client, &format!(r#"#profile-select option[value="{id}"]"#)).await;
    wait_for(client, "#profile-select")
        .await
        .select_by_value(id)
        .await
        .expect("pick the profile");
    wait_until(
        client,
        &format!("document.getElementById('profile-select').dataset.applied === '{id}'"),
        "the profile fills the form",
    )
    .await;
}

/// The numbers of the comma-separated list field `param-{key}`.
pub async fn list_field(client: &Client, key: &str) -> Vec<f64> {
    let text = client
        .find(Locator::Css(&format!(r#"[id="param-{key}"]"#)))
        .await
        .unwrap_or_else(|e| panic!("field {key}: {e}"))
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    text.split(',')
        .map(|s| {
            s.trim()
                .parse()
                .unwrap_or_else(|e| panic!("{key} {text:?}: {e}"))
        })
        .collect()
}

/// Asserts `got` equals `want` within 1e-9 relative.
pub fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-9 * w.abs(),
            "{what}: {got:?} vs {want:?}"
        );
    }
}

fn numbers(v: &Value, what: &str) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what}: not a list: {v}"))
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

/// The chain identified by model-update and the id of the profile it was saved as.
pub struct Identified {
    pub id: String,
    pub masses: Vec<f64>,
    pub stiffnesses: Vec<f64>,
    pub dampers: Vec<f64>,
}

/// The whole flow (module docs); the profile is saved as `name`.
pub async fn model_update_to_simulator(client: &Client, name: &str) -> Identified {
    open(client, "#/tool/model-update").await;
    wait_for(client, r#"[id="param-frfs[0].rig_file"]"#).await;
    run_done(client, "model-update").await;
    let mut chain = [Vec::new(), Vec::new(), Vec::new()];
    for n in 1..=3 {
        for (i, key) in ["mass_{}_kg", "stiffness_{}_n_per_m", "damping_{}_ns_per_m"]
            .iter()
            .enumerate()
        {
            chain[i].push(scalar_value(client, &key.replace("{}", &n.to_string())).await);
        }
    }
    let [masses, stiffnesses, dampers] = chain;
    assert!(dampers.iter().all(|&c| c >= 0.0), "{dampers:?}");

    // Save as profile; a blank name is refused naming the field first.
    let input = wait_for(client, "#save-profile-name").await;
    input.clear().await.unwrap();
    click(client, "#save-profile").await;
    wait_until(
        client,
        "document.getElementById('save-profile-error').textContent.includes('profile.name')",
        "a blank name is refused naming profile.name",
    )
    .await;
    input.send_keys(name).await.unwrap();
    click(client, "#save-profile").await;
    let id = attr_value(client, "#saved-profile-link", "data-profile-id").await;
    // The same name again is a conflict shown next to the name.
    click(client, "#save-profile").await;
    wait_until(
        client,
        "document.getElementById('save-profile-error').textContent.includes('exists already')",
        "a taken name is refused",
    )
    .await;

    // The simulator with the profile picked.
    open(client, "#/tool/simulator").await;
    pick(client, &id).await;
    assert_close(
        &list_field(client, "profile.masses_kg").await,
        &masses,
        "masses field",
    );
    let locked = client
        .execute(
            r#"return document.querySelector('[id="param-profile.masses_kg"]').disabled;"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(locked, Value::Bool(true), "the profile's fields are locked");
    run_done(client, "the simulator with the profile").await;
    let params = echoed_params(client).await;
    let profile = &params["profile"];
    assert_close(
        &numbers(&profile["masses_kg"], "masses"),
        &masses,
        "echoed masses",
    );
    assert_close(
        &numbers(&profile["stiffnesses_n_per_m"], "stiffnesses"),
        &stiffnesses,
        "echoed stiffnesses",
    );
    assert_close(
        &numbers(&profile["dampings_ns_per_m"], "dampers"),
        &dampers,
        "echoed dampers",
    );
    assert_eq!(profile["name"], name, "{params}");
    assert_eq!(profile["source"], format!("profile {id}"), "{params}");
    Identified {
        id,
        masses,
        stiffnesses,
        dampers,
    }
}
