//! Golden tests of the `fea` tool against the reference set copied into `fixtures/fea/`
//! (see its README): deck generation line by line, the `.dat` parser, the deck-only result,
//! and real CalculiX solves compared at the spec's tolerances (docs/fea.md §9).
//!
//! The solves need `ccx` (Debian package `calculix-ccx`, installed by scripts/setup.sh). When it
//! is missing they print a SKIPPED line, unless `CRISTALLO_REQUIRE_CCX=1` makes them fail.

mod common;

use common::{calculix as ccx, rel_diff as rel};
use cristallo_core::fea::{self, solver, FeaParams, Model, Solver};
use cristallo_core::{run, Cancel, Progress, ToolResult};
use serde_json::{json, Value};

const DEFAULT_INP: &str = include_str!("fixtures/fea/default_beam_shell.inp");
const H1IN_INP: &str = include_str!("fixtures/fea/beam_shell_h1in.inp");
const DEFAULT_DAT: &str = include_str!("fixtures/fea/default_beam_shell.dat");
const FMAX40_DAT: &str = include_str!("fixtures/fea/beam_shell_fmax40.dat");
const MISSING_INPUT: &str = include_str!("fixtures/fea/ccx_stdout_missing_input.txt");
const CANTILEVER_INP: &str = include_str!("fixtures/fea/cantilever_B32_smoke.inp");
const CANTILEVER_DAT: &str = include_str!("fixtures/fea/cantilever_B32_smoke.dat");

fn fixture_json(name: &str) -> Value {
    common::fixture("fea", name)
}

/// Deck lines that must match: all except `**` comments and the title line after `*HEADING`.
fn significant_lines(deck: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut after_heading = false;
    for line in deck.lines() {
        if after_heading {
            after_heading = false;
            continue;
        }
        if line.starts_with("**") {
            continue;
        }
        after_heading = line.trim().eq_ignore_ascii_case("*HEADING");
        out.push(line.trim_end());
    }
    out
}

fn assert_same_deck(ours: &str, reference: &str) {
    let a = significant_lines(ours);
    let b = significant_lines(reference);
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x, y, "deck line {} (significant lines) differs", i + 1);
    }
    assert_eq!(a.len(), b.len(), "number of deck lines");
}

#[test]
fn default_deck_matches_the_reference_line_by_line() {
    let deck = fea::build_deck(&FeaParams::default()).unwrap();
    assert_same_deck(&deck.text, DEFAULT_INP);
    assert_eq!(deck.node_count, 4939);
    assert_eq!(deck.element_count, 1620);
    assert_eq!(deck.floor_centre_nodes, [1105, 2638, 4171]);
}

#[test]
fn coarse_deck_matches_the_reference_line_by_line() {
    let p = FeaParams {
        element_size_m: 0.0254,
        ..FeaParams::default()
    };
    let deck = fea::build_deck(&p).unwrap();
    assert_same_deck(&deck.text, H1IN_INP);
    assert_eq!(deck.node_count, 1399);
    assert_eq!(deck.element_count, 456);
}

#[test]
fn bounded_request_writes_the_frequency_range() {
    let p = FeaParams {
        num_modes: 20,
        max_frequency_hz: Some(40.0),
        ..FeaParams::default()
    };
    let deck = fea::deck(&p).unwrap();
    assert!(deck.contains("*FREQUENCY\n20, 0., 40\n*NODE FILE"), "step");
}

#[test]
fn node_count_formula_equals_the_built_mesh() {
    for (h, lx, tf, lengths) in [
        (0.0127, 0.254, 0.0254, [0.1524; 3]),
        (0.01, 0.25, 0.01, [0.1, 0.2, 0.15]),
        (0.03, 0.4, 0.005, [0.05, 0.3, 0.02]),
        (0.1, 0.05, 0.1, [1.0, 0.02, 0.5]),
    ] {
        let p = FeaParams {
            element_size_m: h,
            floor_length_x_m: lx,
            floor_thickness_m: tf,
            column_free_length_m: lengths.to_vec(),
            column_width_m: 0.02,
            ..FeaParams::default()
        };
        let deck = fea::build_deck(&p).unwrap();
        assert_eq!(fea::mesh_node_count(&p).unwrap(), deck.node_count, "{p:?}");
        let nodes = deck
            .text
            .lines()
            .skip_while(|l| !l.starts_with("*NODE"))
            .skip(1)
            .take_while(|l| !l.starts_with('*'))
            .count();
        assert_eq!(nodes, deck.node_count);
    }
}

#[test]
fn solid_default_mesh_has_the_reference_size() {
    let p = FeaParams {
        model: Model::Solid,
        ..FeaParams::default()
    };
    let deck = fea::build_deck(&p).unwrap();
    assert_eq!(deck.node_count, 23_275);
    assert_eq!(deck.element_count, 3_736);
    assert_eq!(fea::mesh_node_count(&p).unwrap(), 23_275);
    let rel = (fea::model_mass_kg(&p) / 16.935_077_965_072_963 - 1.0).abs();
    assert!(rel < 1e-6, "{rel}");
    // Continuation after the 15th node of each C3D20R line.
    let first = deck
        .text
        .lines()
        .skip_while(|l| !l.starts_with("*ELEMENT"))
        .nth(1)
        .unwrap();
    assert_eq!(
        first.split(',').filter(|s| !s.trim().is_empty()).count(),
        16
    );
}

#[test]
fn default_dat_is_parsed() {
    let dat = fea::parse_dat(DEFAULT_DAT, Some(6), 3).unwrap();
    let f: Vec<f64> = dat.eigen.iter().map(|e| e.frequency_hz).collect();
    assert_eq!(
        f,
        [7.450485, 20.93563, 30.37213, 45.27604, 60.9662, 132.8442]
    );
    assert_eq!(dat.effective_mass.len(), 6);
    assert_eq!(dat.effective_mass[0][1], 15.01071);
    assert_eq!(dat.participation[3][0], -3.795948);
    assert_eq!(dat.total_effective_mass.unwrap()[0], 16.65751);
    assert_eq!(
        dat.displacements[&1][2],
        (4171, [-3.504821e-12, -0.3170656, -5.875111e-16])
    );
    assert_eq!(dat.displacements.len(), 6);
    // Asking for more modes than the table holds is a solver failure, not a panic.
    let e = fea::parse_dat(DEFAULT_DAT, Some(7), 3).unwrap_err();
    assert!(e.to_string().contains("job.dat"), "{e}");
}

#[test]
fn bounded_dat_uses_the_eigenvalue_count() {
    let dat = fea::parse_dat(FMAX40_DAT, None, 3).unwrap();
    assert_eq!(dat.eigen.len(), 3);
    assert_eq!(dat.effective_mass.len(), 3);
    assert_eq!(dat.participation.len(), 3);
    assert_eq!(dat.total_effective_mass.unwrap()[0], 16.65751);
}

#[test]
fn broken_dat_files_are_solver_failures() {
    // Drop one eigenvalue row: "fewer rows than announced".
    let short: String = DEFAULT_DAT
        .lines()
        .filter(|l| !l.contains("0.1328442E+03"))
        .map(|l| format!("{l}\n"))
        .collect();
    let e = fea::parse_dat(&short, Some(6), 3).unwrap_err();
    assert_eq!(e.code(), "solver_failed");
    // An unparsable number.
    let bad = DEFAULT_DAT.replace("0.2093563E+02", "0.20935G3E+02");
    assert!(fea::parse_dat(&bad, Some(6), 3).is_err());
    // A missing displacement row.
    let no_disp = DEFAULT_DAT.replace("      4171 -3.504821E-12 -3.170656E-01 -5.875111E-16\n", "");
    assert!(fea::parse_dat(&no_disp, Some(6), 3).is_err());
    // An empty file.
    assert!(fea::parse_dat("", Some(6), 3).is_err());
}

#[test]
fn error_lines_are_found_although_ccx_exits_zero() {
    assert_eq!(
        solver::first_error_line(MISSING_INPUT),
        Some("*ERROR in readinput: cannot open file nosuchjob.inp")
    );
    assert_eq!(solver::first_error_line(DEFAULT_DAT), None);
}

#[test]
fn post_processing_of_the_reference_dat_gives_the_reference_result() {
    let p = FeaParams::default();
    let deck = fea::build_deck(&p).unwrap();
    let dat = fea::parse_dat(DEFAULT_DAT, Some(6), 3).unwrap();
    let r = fea::post::solved_result(
        &p,
        p.to_value(),
        &deck,
        fea::model_mass_kg(&p),
        &dat,
        2.97,
        Vec::new(),
    );
    compare_with_reference(&r, &fixture_json("default_beam_shell.json"));
}

#[test]
fn deck_only_result_matches_the_reference() {
    let r = run(
        "fea",
        &json!({"solve": false}),
        &Progress::none(),
        &Cancel::new(),
    )
    .unwrap();
    compare_with_reference(&r, &fixture_json("deck_only_default.json"));
    assert_eq!(r.tables.len(), 1);
    assert_eq!(r.tables[0].name, "inputs_imperial");
}

// ---------------------------------------------------------------------------------------
// Comparison of a result with a reference result at the spec's tolerances.

fn scalar_tolerance(key: &str) -> Option<(bool, f64)> {
    // (relative?, tolerance); None = not compared.
    if key == "solver_wall_time_s" {
        None
    } else if key.ends_with("_count") {
        Some((false, 0.0))
    } else if key == "solver_total_mass_kg" {
        Some((true, 1e-3))
    } else if key.starts_with("difference_from_measured") {
        Some((false, 0.02))
    } else if key.starts_with("shear_building")
        || key.starts_with("storey")
        || key == "model_mass_kg"
    {
        Some((true, 1e-6))
    } else {
        Some((true, 2e-4))
    }
}

fn compare_with_reference(r: &ToolResult, reference: &Value) {
    let v = serde_json::to_value(r).unwrap();
    assert_eq!(v["tool"], json!("fea"));
    // Scalars: the same keys, each within its tolerance.
    let want = reference["scalars"].as_object().unwrap();
    let got = v["scalars"].as_object().unwrap();
    let mut want_keys: Vec<&String> = want.keys().collect();
    let mut got_keys: Vec<&String> = got.keys().collect();
    want_keys.sort();
    got_keys.sort();
    assert_eq!(got_keys, want_keys, "scalar keys");
    for (k, w) in want {
        let (g, w) = (got[k].as_f64().unwrap(), w.as_f64().unwrap());
        match scalar_tolerance(k) {
            None => {}
            Some((true, tol)) => assert!(rel(g, w) <= tol, "{k}: {g} vs {w}"),
            Some((false, tol)) => assert!((g - w).abs() <= tol, "{k}: {g} vs {w}"),
        }
    }
    // Series: same names in the same order; shapes ±2e-3, frequencies 2e-4.
    let names = |x: &Value| -> Vec<String> {
        x["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&v), names(reference), "series");
    for (s, w) in v["series"]
        .as_array()
        .unwrap()
        .iter()
        .zip(reference["series"].as_array().unwrap())
    {
        assert_eq!(s["x_label"], w["x_label"]);
        assert_eq!(s["y_label"], w["y_label"]);
        let xy = |s: &Value, c: &str| -> Vec<f64> {
            s[c].as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        };
        let name = s["name"].as_str().unwrap();
        for c in ["x", "y"] {
            let (a, b) = (xy(s, c), xy(w, c));
            assert_eq!(a.len(), b.len(), "{name}.{c}");
            for (p, q) in a.iter().zip(&b) {
                let ok = if name.starts_with("frequencies") && c == "y" {
                    rel(*p, *q) <= 2e-4
                } else {
                    (p - q).abs() <= 2e-3
                };
                assert!(ok, "{name}.{c}: {p} vs {q}");
            }
        }
    }
    // Tables.
    let table = |x: &Value, n: &str| -> Option<Value> {
        x["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == n)
            .cloned()
    };
    let tnames = |x: &Value| -> Vec<String> {
        x["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(tnames(&v), tnames(reference), "tables");
    let mut torsion_modes = Vec::new();
    if let (Some(a), Some(b)) = (table(&v, "modes"), table(reference, "modes")) {
        assert_eq!(a["columns"], b["columns"]);
        let (ra, rb) = (a["rows"].as_array().unwrap(), b["rows"].as_array().unwrap());
        assert_eq!(ra.len(), rb.len(), "mode rows");
        for (x, y) in ra.iter().zip(rb) {
            assert_eq!(x[0], y[0]);
            assert_eq!(x[2], y[2], "label of mode {}", y[0]);
            if y[2].as_str().unwrap().starts_with("torsion") {
                torsion_modes.push(y[0].as_i64().unwrap());
            }
            assert!(
                rel(x[1].as_f64().unwrap(), y[1].as_f64().unwrap()) <= 2e-4,
                "mode {}",
                y[0]
            );
            // Effective masses that matter (> 1 % of the total) within 1e-3.
            for c in 3..9 {
                let (p, q) = (x[c].as_f64().unwrap(), y[c].as_f64().unwrap());
                let significant = if c < 6 { q > 0.16 } else { q > 1.0 };
                if significant {
                    assert!(rel(p, q) <= 1e-3, "mode {} column {c}: {p} vs {q}", y[0]);
                }
            }
        }
    }
    if let (Some(a), Some(b)) = (
        table(&v, "floor_centre_mode_shapes"),
        table(reference, "floor_centre_mode_shapes"),
    ) {
        let (ra, rb) = (a["rows"].as_array().unwrap(), b["rows"].as_array().unwrap());
        assert_eq!(ra.len(), rb.len());
        for (x, y) in ra.iter().zip(rb) {
            assert_eq!((&x[0], &x[1]), (&y[0], &y[1]));
            if torsion_modes.contains(&y[0].as_i64().unwrap()) {
                continue;
            }
            for c in 2..5 {
                let (p, q) = (x[c].as_f64().unwrap(), y[c].as_f64().unwrap());
                assert!((p - q).abs() <= 2e-3, "shape {x} vs {y}");
            }
        }
    }
    if let (Some(a), Some(b)) = (table(&v, "comparison"), table(reference, "comparison")) {
        for (x, y) in a["rows"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["rows"].as_array().unwrap())
        {
            assert_eq!(x[0], y[0]);
            assert!(rel(x[1].as_f64().unwrap(), y[1].as_f64().unwrap()) <= 2e-4);
            assert!(rel(x[2].as_f64().unwrap(), y[2].as_f64().unwrap()) <= 1e-6);
            assert_eq!(x[3], y[3]);
            assert!((x[4].as_f64().unwrap() - y[4].as_f64().unwrap()).abs() <= 0.02);
        }
    }
    if let (Some(a), Some(b)) = (
        table(&v, "inputs_imperial"),
        table(reference, "inputs_imperial"),
    ) {
        assert_eq!(
            a["rows"].as_array().unwrap().len(),
            b["rows"].as_array().unwrap().len()
        );
        for (x, y) in a["rows"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["rows"].as_array().unwrap())
        {
            assert_eq!((&x[0], &x[2], &x[4]), (&y[0], &y[2], &y[4]));
            assert!(
                rel(x[3].as_f64().unwrap(), y[3].as_f64().unwrap()) <= 1e-6,
                "{x} vs {y}"
            );
        }
    }
    assert_eq!(v["warnings"], reference["warnings"], "warnings");
}

// ---------------------------------------------------------------------------------------
// Real solves (need ccx).

fn solve_and_compare(reference: &str) {
    let Some(program) = ccx() else { return };
    let want = fixture_json(reference);
    let (p, echo) = FeaParams::parse(&want["params"]).unwrap();
    let r = fea::analyse(&p, echo, Some(&program), &Progress::none(), &Cancel::new()).unwrap();
    r.ensure_finite().unwrap();
    compare_with_reference(&r, &want);
}

#[test]
fn ccx_coarse_beam_shell_matches_the_reference() {
    solve_and_compare("beam_shell_h1in.json");
}

#[test]
fn ccx_default_beam_shell_matches_the_reference() {
    solve_and_compare("default_beam_shell.json");
}

#[test]
fn ccx_bounded_request_matches_the_reference() {
    solve_and_compare("beam_shell_fmax40.json");
}

#[test]
// The solid model takes ~10 s of ccx: part of every `cargo test`, as make test runs it.
fn ccx_solid_matches_the_reference() {
    solve_and_compare("solid_default.json");
}

#[test]
fn ccx_cantilever_smoke_solve() {
    let Some(program) = ccx() else { return };
    let solver = Solver::new(program, std::time::Duration::from_secs(60), 1);
    let run = solver
        .run(CANTILEVER_INP, &Progress::none(), &Cancel::new())
        .unwrap();
    let ours = fea::parse_dat(&run.dat, Some(3), 0).unwrap();
    let reference = fea::parse_dat(CANTILEVER_DAT, Some(3), 0).unwrap();
    for (a, b) in ours.eigen.iter().zip(&reference.eigen) {
        assert!(rel(a.frequency_hz, b.frequency_hz) <= 2e-4);
    }
    assert!(rel(ours.eigen[0].frequency_hz, 9.252) < 1e-3);
}

#[test]
fn no_mode_below_the_bound_gives_an_empty_result_with_a_warning() {
    let Some(program) = ccx() else { return };
    let (p, echo) =
        FeaParams::parse(&json!({"element_size_m": 0.0254, "max_frequency_hz": 1.0})).unwrap();
    let r = fea::analyse(&p, echo, Some(&program), &Progress::none(), &Cancel::new()).unwrap();
    assert_eq!(r.scalar("mode_count"), Some(0.0));
    assert!(r.scalar("natural_frequency_1_hz").is_none());
    assert!(
        r.warnings.iter().any(|w| w.contains("no mode below")),
        "{:?}",
        r.warnings
    );
    r.ensure_finite().unwrap();
}
