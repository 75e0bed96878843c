//! The host chooses the solver program through `CRISTALLO_CCX` (never a tool parameter).
//! This is the only test of this binary, so setting the process-wide variable races with
//! nothing.

mod common;

use cristallo_core::{run, Cancel, Progress, ToolError};
use serde_json::json;

#[test]
fn cristallo_ccx_selects_the_solver_program() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = common::fake_program(
        tmp.path(),
        "fake-ccx.sh",
        "echo ' *ERROR in fake-ccx: chosen by CRISTALLO_CCX'\nexit 0",
    );
    std::env::set_var("CRISTALLO_CCX", &fake);
    let e = run(
        "fea",
        &json!({"element_size_m": 0.0254}),
        &Progress::none(),
        &Cancel::new(),
    )
    .unwrap_err();
    match e {
        ToolError::Solver { code, message } => {
            assert_eq!(code, "solver_failed");
            assert!(message.contains("chosen by CRISTALLO_CCX"), "{message}")
        }
        other => panic!("expected solver_failed, got {other:?}"),
    }
    // A program that does not exist: solver_missing with the install hint.
    std::env::set_var("CRISTALLO_CCX", tmp.path().join("no-such-ccx"));
    let e = run("fea", &json!({}), &Progress::none(), &Cancel::new()).unwrap_err();
    assert_eq!(e.code(), Some("solver_missing"));
    assert!(e.to_string().contains("calculix-ccx"), "{e}");
    // No parameter can name a program.
    let e = run(
        "fea",
        &json!({"ccx": "/bin/sh"}),
        &Progress::none(),
        &Cancel::new(),
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("ccx"));
    std::env::remove_var("CRISTALLO_CCX");
}
