//! Live points of a desktop run: a cbc run's progress channel carries each new point in the
//! result's binary form (`append_arrow`, base64), the same numbers as the final result.

use cristallo_core::result::live::live_points_from_base64;

use super::*;

#[test]
fn cbc_points_reach_the_channel_in_the_binary_form() {
    let t = TestApp::new();
    let params = json!({"mode": "amplitude_sweep", "forcing_points": 4, "forcing_max_n": 20.0});
    t.invoke(
        "run_tool",
        json!({"tool": "cbc", "params": params, "onProgress": "__CHANNEL__:9"}),
    )
    .expect("the cbc run succeeds");
    let result = cristallo_core::run(
        "cbc",
        &params,
        &cristallo_core::Progress::none(),
        &cristallo_core::Cancel::new(),
    )
    .expect("the same run in-process");

    let messages = t.channel_messages.lock().unwrap().clone();
    let mut streamed = 0;
    for text in messages.iter().filter_map(|m| m["append_arrow"].as_str()) {
        for point in live_points_from_base64(text).expect("a live-points stream") {
            let series = result
                .series
                .iter()
                .find(|s| s.name == point.name)
                .unwrap_or_else(|| panic!("streamed series {} is in the result", point.name));
            let at = series
                .x
                .iter()
                .position(|x| x.to_bits() == point.x[0].to_bits())
                .unwrap_or_else(|| panic!("x {} of {} is in the result", point.x[0], point.name));
            assert_eq!(
                series.y[at].to_bits(),
                point.y[0].to_bits(),
                "{}",
                point.name
            );
            streamed += 1;
        }
    }
    assert!(streamed >= 12, "only {streamed} points were streamed");
    assert!(
        messages.iter().all(|m| m.get("data").is_none()),
        "no JSON point arrays any more"
    );
}
