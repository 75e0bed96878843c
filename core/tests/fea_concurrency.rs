//! Two CalculiX jobs at once: each runs in its own temporary directory, so two different
//! geometries solved simultaneously on two threads each get their own frequencies (the
//! original's process-wide `chdir` mixed them up). Needs `ccx`; prints SKIPPED without it
//! unless `CRISTALLO_REQUIRE_CCX=1`.

mod common;

use cristallo_core::fea::{self, FeaParams};
use cristallo_core::{Cancel, Progress, ToolResult};
use serde_json::json;

const H1IN_F_HZ: [f64; 6] = [7.664179, 21.68789, 31.82928, 45.94653, 61.96189, 134.7085];

fn solve(params: serde_json::Value, program: &std::path::Path) -> ToolResult {
    let (p, echo) = FeaParams::parse(&params).unwrap();
    fea::analyse(&p, echo, Some(program), &Progress::none(), &Cancel::new()).unwrap()
}

fn frequencies(r: &ToolResult) -> Vec<f64> {
    (1..=6)
        .map(|k| r.scalar(&format!("natural_frequency_{k}_hz")).unwrap())
        .collect()
}

#[test]
fn two_geometries_solved_at_once_keep_their_own_results() {
    let Some(program) = common::calculix() else {
        return;
    };
    let a = json!({"element_size_m": 0.0254});
    // Thicker columns: a stiffer frame with clearly higher frequencies.
    let b = json!({"element_size_m": 0.0254, "column_thickness_m": 0.00635});
    let (ra, rb) = std::thread::scope(|s| {
        let ta = s.spawn(|| solve(a.clone(), &program));
        let tb = s.spawn(|| solve(b.clone(), &program));
        (ta.join().unwrap(), tb.join().unwrap())
    });
    for (f, want) in frequencies(&ra).iter().zip(H1IN_F_HZ) {
        assert!(((f - want) / want).abs() <= 2e-4, "{f} vs {want}");
    }
    let fb = frequencies(&rb);
    assert!(fb[0] > 1.5 * H1IN_F_HZ[0], "{fb:?}");
    // The concurrent result of b equals b solved alone.
    let alone = solve(b, &program);
    assert_eq!(frequencies(&alone), fb);
    assert_eq!(ra.params["column_thickness_m"], json!(0.003175));
    assert_eq!(rb.params["column_thickness_m"], json!(0.00635));
}
