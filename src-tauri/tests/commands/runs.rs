//! Running tools through the commands: the catalogue, the result contract, progress, the history, bad parameters and cancellation.

use super::*;

#[test]
fn list_tools_returns_the_catalogue() {
    let t = TestApp::new();
    let tools = t
        .invoke("list_tools", json!({}))
        .expect("list_tools resolves");
    let tools = tools.as_array().expect("an array of tools");
    let expected: Vec<String> = cristallo_core::catalogue()
        .iter()
        .map(|t| t.id.to_string())
        .collect();
    let got: Vec<String> = tools
        .iter()
        .map(|t| t["id"].as_str().expect("every tool has an id").to_string())
        .collect();
    assert_eq!(got, expected);
    let vc = tools
        .iter()
        .find(|t| t["id"] == "vibration-control")
        .expect("the vibration-control tool is listed");
    assert!(
        vc["params"].as_array().is_some_and(|p| !p.is_empty()),
        "its parameter schema is listed"
    );
}

#[test]
fn run_tool_returns_the_result_contract() {
    let t = TestApp::new();
    let answer = t
        .run_tool(json!({"tool": "vibration-control", "params": tmd()}))
        .expect("a TMD run with defaults succeeds");
    let result = &answer["result"];
    assert_eq!(result["tool"], "vibration-control");
    assert_eq!(result["params"]["strategy"], "tmd");
    // Defaults are filled in and echoed.
    assert_eq!(result["params"]["proof_mass_kg"], json!(1.0));
    // Reference: the shared reference set, control/expected_results.json (copied in core/tests/fixtures/control), case S2_tmd_default
    // (kinetic_energy_reduction_db = 4.367804770364474, abs tolerance 1e-6).
    let reduction = result["scalars"]["kinetic_energy_reduction_db"]
        .as_f64()
        .expect("the TMD result has kinetic_energy_reduction_db");
    assert!(
        (reduction - 4.367804770364474).abs() <= 1e-6,
        "got {reduction}"
    );
    // Same object as the core returns (and so as the HTTP API and the CLI print).
    let direct = cristallo_core::run(
        "vibration-control",
        &tmd(),
        &cristallo_core::Progress::none(),
        &cristallo_core::Cancel::new(),
    )
    .unwrap();
    assert_eq!(result, &serde_json::to_value(direct).unwrap());
    // The answer names the run's history entry.
    let runs = t.invoke("list_runs", json!({})).expect("list_runs");
    assert_eq!(runs.as_array().unwrap().len(), 1);
    assert_eq!(answer["run_id"], runs[0]["id"], "{answer:?}");
}

#[test]
fn run_tool_answers_the_binary_form_with_the_json_numbers_bit_for_bit() {
    let t = TestApp::new();
    let frame = t
        .invoke_frame(
            "run_tool",
            json!({"tool": "vibration-control", "params": tmd(), "jobId": "bits"}),
        )
        .expect("a TMD run answers raw bytes");
    // The header is the run id alone; the stream starts 8-byte aligned (typed-array views).
    let runs = t.invoke("list_runs", json!({})).expect("list_runs");
    assert_eq!(frame.header, json!({"run_id": runs[0]["id"]}));
    assert_eq!(
        frame.stream_offset % 8,
        0,
        "stream at {}",
        frame.stream_offset
    );
    // The numbers are those of the JSON form of the same run, bit for bit, kinds included.
    let stored = t
        .invoke("get_run", json!({"id": runs[0]["id"]}))
        .expect("get_run as JSON");
    assert_same_numbers(&frame.result, &stored["result"]);
    // And those of the core's own run.
    let direct = cristallo_core::run(
        "vibration-control",
        &tmd(),
        &cristallo_core::Progress::none(),
        &cristallo_core::Cancel::new(),
    )
    .unwrap();
    assert_same_numbers(&frame.result, &serde_json::to_value(&direct).unwrap());
    // A modal run keeps its integer scalars integers.
    let modal = t
        .invoke_frame("run_tool", json!({"tool": "modal", "params": {}}))
        .expect("a modal run");
    let id = modal.header["run_id"].clone();
    let stored = t.invoke("get_run", json!({"id": id})).expect("get_run");
    assert_same_numbers(&modal.result, &stored["result"]);
}

#[test]
fn get_run_answers_the_summary_and_the_binary_form_of_a_stored_run() {
    let t = TestApp::new();
    let answer = t
        .run_tool(json!({"tool": "modal", "params": {"f_stop_hz": 40}}))
        .expect("modal runs");
    let id = answer["run_id"].clone();
    let record = t
        .invoke("get_run", json!({"id": id, "format": "json"}))
        .expect("get_run as JSON");
    let frame = t
        .invoke_frame("get_run", json!({"id": id, "format": "arrow"}))
        .expect("get_run as Arrow");
    // The header is the summary the history list shows; the result is the stored one.
    let runs = t.invoke("list_runs", json!({})).expect("list_runs");
    assert_eq!(frame.header, runs[0]);
    assert_eq!(frame.header["id"], id);
    assert_eq!(frame.stream_offset % 8, 0);
    assert_same_numbers(&frame.result, &record["result"]);
    // Bad input names the field; an unknown run is the usual error.
    let error = t
        .invoke("get_run", json!({"id": id, "format": "parquet"}))
        .expect_err("parquet is not a format of get_run");
    assert_eq!(error["field"], "format", "{error}");
    let error = t
        .invoke_frame("get_run", json!({"id": 999, "format": "arrow"}))
        .err()
        .expect("no run 999");
    assert_eq!(error["error"], "no such run 999", "{error}");
}

#[test]
fn run_tool_is_recorded_announced_and_reports_progress() {
    let t = TestApp::new();
    let events = t.events();
    let answer = t
        .run_tool(json!({
            "tool": "vibration-control",
            "params": tmd(),
            "jobId": "job-1",
            "onProgress": "__CHANNEL__:7",
        }))
        .expect("the run succeeds");
    let result = answer["result"].clone();

    // Progress went to the channel as {fraction, message}; at least "running" at 0.
    let messages = t.channel_messages.lock().unwrap().clone();
    let first = messages.first().expect("progress messages on the channel");
    assert_eq!(first, &json!({"fraction": 0.0, "message": "running"}));
    assert!(
        messages.iter().all(|m| m["fraction"]
            .as_f64()
            .is_some_and(|f| (0.0..=1.0).contains(&f))
            && m["message"].is_string()),
        "every message is {{fraction, message}}: {messages:?}"
    );
    assert!(
        t.app.state::<Arc<Platform>>().jobs.running().is_empty(),
        "the job is unregistered when the run ends"
    );

    // Announced live, like a run from a browser.
    let added = next_event(&events, "run_added");
    assert_eq!(added["run"]["tool"], "vibration-control");
    assert_eq!(added["run"]["who"], "host");
    let id = added["run"]["id"].as_i64().expect("a run id");
    assert_eq!(answer["run_id"], id, "run_tool answers the history id");

    // In the history, with the same parameters.
    let runs = t
        .invoke(
            "list_runs",
            json!({"tool": "vibration-control", "limit": 20, "before": null}),
        )
        .expect("list_runs resolves");
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["id"], id);
    assert_eq!(runs[0]["params"], result["params"]);

    let record = t.invoke("get_run", json!({"id": id})).expect("get_run");
    assert_eq!(record["id"], id);
    assert_eq!(record["result"], result);

    t.invoke("delete_run", json!({"id": id}))
        .expect("delete_run");
    assert_eq!(next_event(&events, "run_deleted")["id"], id);
    assert_eq!(t.invoke("list_runs", json!({})).unwrap(), json!([]));
}

#[test]
fn list_runs_filters_pages_and_limits() {
    let t = TestApp::new();
    for strategy in ["tmd", "passive", "tmd"] {
        t.run_tool(json!({"tool": "vibration-control", "params": {"strategy": strategy}}))
            .expect("run");
    }
    t.run_tool(json!({"tool": "modal", "params": {}}))
        .expect("modal run");
    let all = t.invoke("list_runs", json!({})).unwrap();
    let ids: Vec<i64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 4);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    let vc = t
        .invoke("list_runs", json!({"tool": "vibration-control"}))
        .unwrap();
    assert_eq!(vc.as_array().unwrap().len(), 3);
    let page = t
        .invoke("list_runs", json!({"limit": 2, "before": ids[0]}))
        .unwrap();
    let page: Vec<i64> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(page, ids[1..3].to_vec());
    // Out-of-range limits are clamped as for GET /api/runs.
    let one = t.invoke("list_runs", json!({"limit": 0})).unwrap();
    assert_eq!(one.as_array().unwrap().len(), 1);
    // A wrong type is refused, not a crash.
    let error = t
        .invoke("list_runs", json!({"before": "yesterday"}))
        .expect_err("a non-numeric `before`");
    assert!(error.to_string().contains("before"), "{error}");
}

#[test]
fn stored_runs_give_server_drawn_figures_and_a_report() {
    let t = TestApp::new();
    t.run_tool(json!({"tool": "modal", "params": {"f_stop_hz": 40}}))
        .expect("modal runs");
    let runs = t
        .invoke("list_runs", json!({"tool": "modal"}))
        .expect("list");
    let id = runs[0]["id"].as_i64().expect("a run id");
    let figures = t.invoke("run_figures", json!({"id": id})).expect("figures");
    assert!(!figures.as_array().unwrap().is_empty(), "{figures}");
    let png = get_ipc_response(
        &t.window,
        request("run_figure", json!({"id": id, "index": 0, "format": "png"})),
    )
    .expect("a PNG");
    match png {
        InvokeResponseBody::Raw(bytes) => assert_eq!(&bytes[..4], b"\x89PNG"),
        other => panic!("expected raw bytes, got {other:?}"),
    }
    let error = t
        .invoke("run_figure", json!({"id": id, "index": 0, "format": "gif"}))
        .expect_err("gif is not a format");
    assert_eq!(error["field"], "format", "{error}");
    let html = t.invoke("run_report", json!({"id": id})).expect("a report");
    let html = html.as_str().expect("HTML text");
    assert!(html.contains("<svg") && html.contains("natural_frequency_1_hz"));
    let error = t
        .invoke("run_report", json!({"id": id + 50}))
        .expect_err("no such run");
    assert!(error["error"].as_str().unwrap().contains("no such run"));
}

#[test]
fn unknown_runs_are_errors() {
    let t = TestApp::new();
    let error = t
        .invoke("get_run", json!({"id": 999}))
        .expect_err("no run 999");
    assert_eq!(error["error"], "no such run 999", "{error}");
    assert_eq!(error["field"], Value::Null);
    let error = t
        .invoke("delete_run", json!({"id": 999}))
        .expect_err("no run 999");
    assert_eq!(error["error"], "no such run 999", "{error}");
}

#[test]
fn run_tool_rejects_an_out_of_range_parameter_naming_the_field() {
    let t = TestApp::new();
    let error = t
        .run_tool(json!({"tool": "vibration-control", "params": {"strategy": "tmd", "proof_mass_kg": -1.0}}),
        )
        .expect_err("a negative proof mass is rejected");
    assert_eq!(error["field"], "proof_mass_kg", "error body: {error}");
    let message = error["error"].as_str().expect("an error message");
    assert!(
        message.contains("proof_mass_kg"),
        "message names the field: {message}"
    );
    // A failed run leaves no history entry.
    assert_eq!(t.invoke("list_runs", json!({})).unwrap(), json!([]));
}

#[test]
fn run_tool_rejects_an_unknown_tool_and_unknown_keys() {
    let t = TestApp::new();
    let error = t
        .run_tool(json!({"tool": "no-such-tool", "params": {}}))
        .expect_err("an unknown tool is rejected");
    assert!(
        error["error"].as_str().unwrap().contains("no-such-tool"),
        "{error}"
    );
    assert_eq!(error["field"], Value::Null);

    let error = t
        .run_tool(json!({"tool": "vibration-control", "params": {"not_a_parameter": 1}}))
        .expect_err("an unknown parameter is rejected");
    assert_eq!(error["field"], "not_a_parameter", "error body: {error}");
}

#[test]
fn run_tool_without_arguments_is_rejected_not_a_crash() {
    let t = TestApp::new();
    // Missing `tool`/`params`: Tauri rejects the call with a message, the app keeps running.
    let error = t
        .run_tool(json!({}))
        .expect_err("missing arguments are rejected");
    assert!(!error.to_string().is_empty());
    assert!(t.invoke("list_tools", json!({})).is_ok());
}

/// Parameters of a run that takes many seconds in a debug build (and checks for cancellation
/// all along); its 191 M values need the host's result budget raised ([`allow_long_runs`]).
fn long_run() -> Value {
    json!({"tool": "simulator", "params": {"duration_s": 3600.0, "n_scenarios": 2}, "jobId": "long"})
}

/// Raises the host's result budget to its maximum (500 M values) so [`long_run`] is admitted.
fn allow_long_runs(t: &TestApp) {
    t.invoke(
        "settings_set",
        json!({"settings": {"result_cap_host": 500_000_000}}),
    )
    .expect("the budget is stored");
}

#[test]
fn a_run_over_the_hosts_result_budget_names_the_field_at_once() {
    let t = TestApp::new();
    let started = Instant::now();
    let error = t
        .run_tool(
            json!({"tool": "simulator", "params": {"duration_s": 200, "sample_rate_hz": 100000}}),
        )
        .expect_err("160 M values are over the host's 50 M");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error["field"], "sample_rate_hz", "{error}");
    assert!(
        error["error"].as_str().unwrap().contains("at most "),
        "{error}"
    );
    let runs = t.invoke("list_runs", json!({})).unwrap_or(Value::Null);
    assert!(runs.as_array().is_none_or(|r| r.is_empty()), "{runs}");
}

#[test]
fn cancel_run_stops_a_running_tool_and_leaves_no_history() {
    let t = TestApp::new();
    allow_long_runs(&t);
    let window = t.window.clone();
    let run = std::thread::spawn(move || run_tool(&window, long_run()));
    let platform = t.app.state::<Arc<Platform>>();
    let jobs = &platform.jobs;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !jobs.running().contains(&"long".to_string()) {
        assert!(Instant::now() < deadline, "the run never registered");
        std::thread::sleep(Duration::from_millis(5));
    }
    // A second run with the same job id is refused while the first runs.
    let error = t.run_tool(long_run()).expect_err("a duplicate job id");
    assert_eq!(error["field"], "job_id", "{error}");

    let started = Instant::now();
    t.invoke("cancel_run", json!({"jobId": "long"}))
        .expect("cancel_run resolves for a running job");
    let error = run
        .join()
        .unwrap()
        .expect_err("a cancelled run is an error");
    assert!(
        error["error"].as_str().unwrap().contains("cancel"),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the run stopped soon after the cancel"
    );
    assert!(jobs.running().is_empty());
    assert_eq!(t.invoke("list_runs", json!({})).unwrap(), json!([]));
}

#[test]
fn a_cancel_that_overtakes_its_run_still_cancels_it() {
    let t = TestApp::new();
    let error = t
        .invoke("cancel_run", json!({"jobId": "early"}))
        .expect_err("no such job yet");
    assert_eq!(error["error"], "no such job early", "{error}");
    let error = t
        .run_tool(json!({"tool": "vibration-control", "params": tmd(), "jobId": "early"}))
        .expect_err("the run starts cancelled");
    assert!(
        error["error"].as_str().unwrap().contains("cancel"),
        "{error}"
    );
    assert_eq!(t.invoke("list_runs", json!({})).unwrap(), json!([]));
    // The id is used up: the next run with it runs normally.
    t.run_tool(json!({"tool": "vibration-control", "params": tmd(), "jobId": "early"}))
        .expect("a later run with the same id");
}
