//! Golden tests of `cbc` against the Cristallo reference set (copied into
//! `tests/fixtures/cbc/`, see its README), applied exactly as docs/cbc.md §9 describes: scalars
//! with `rel`/`abs`, bounds, required series and tables, and curve distances in normalised
//! coordinates to a centripetal Catmull–Rom spline through the reference rows.

mod common;

use serde_json::Value;

use common::{column, num as f};
use cristallo_core::ToolResult;

fn fixture(name: &str) -> Value {
    common::fixture("cbc", name)
}

fn run_tool(params: &Value) -> ToolResult {
    common::run_ok("cbc", params)
}

type P = (f64, f64);

/// Centripetal Catmull–Rom spline through `pts`, 12 sub-samples per segment (end segments
/// use mirrored ghost points).
fn catmull_rom(pts: &[P]) -> Vec<P> {
    if pts.len() < 2 {
        return pts.to_vec();
    }
    let n = pts.len();
    let get = |i: isize| -> P {
        if i < 0 {
            (2.0 * pts[0].0 - pts[1].0, 2.0 * pts[0].1 - pts[1].1)
        } else if i as usize >= n {
            (
                2.0 * pts[n - 1].0 - pts[n - 2].0,
                2.0 * pts[n - 1].1 - pts[n - 2].1,
            )
        } else {
            pts[i as usize]
        }
    };
    let knot = |a: P, b: P| ((b.0 - a.0).hypot(b.1 - a.1)).sqrt().max(1e-12);
    let lerp = |a: P, b: P, ta: f64, tb: f64, t: f64| -> P {
        let w = (t - ta) / (tb - ta);
        (a.0 + w * (b.0 - a.0), a.1 + w * (b.1 - a.1))
    };
    let mut out = vec![pts[0]];
    for i in 0..n - 1 {
        let (p0, p1, p2, p3) = (get(i as isize - 1), pts[i], pts[i + 1], get(i as isize + 2));
        let t0 = 0.0;
        let t1 = t0 + knot(p0, p1);
        let t2 = t1 + knot(p1, p2);
        let t3 = t2 + knot(p2, p3);
        for k in 1..=12 {
            let t = t1 + (t2 - t1) * k as f64 / 12.0;
            let a1 = lerp(p0, p1, t0, t1, t);
            let a2 = lerp(p1, p2, t1, t2, t);
            let a3 = lerp(p2, p3, t2, t3, t);
            let b1 = lerp(a1, a2, t0, t2, t);
            let b2 = lerp(a2, a3, t1, t3, t);
            out.push(lerp(b1, b2, t1, t2, t));
        }
    }
    out
}

fn distance_to_polyline(p: P, line: &[P]) -> f64 {
    let mut best = f64::INFINITY;
    for w in line.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        let s = if len2 > 0.0 {
            (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (qx, qy) = (a.0 + s * dx, a.1 + s * dy);
        best = best.min((p.0 - qx).hypot(p.1 - qy));
    }
    if line.len() == 1 {
        best = (p.0 - line[0].0).hypot(p.1 - line[0].1);
    }
    best
}

/// Checks a golden case; returns the list of failures and a summary of worst errors.
fn check_case(name: &str) -> (Vec<String>, Vec<String>) {
    let case = fixture(name);
    let r = run_tool(&case["params"]);
    let e = &case["expect"];
    let mut fails = Vec::new();
    let mut notes = Vec::new();
    for (k, spec) in e["scalars"].as_object().unwrap() {
        let (want, rel, abs) = (f(&spec["value"]), f(&spec["rel"]), f(&spec["abs"]));
        match r.scalar(k) {
            Some(got) => {
                let tol = abs.max(rel * want.abs());
                notes.push(format!(
                    "{k}: {got} vs {want} (err {:.3e}, tol {tol:.3e})",
                    (got - want).abs()
                ));
                if (got - want).abs() > tol {
                    fails.push(format!("{name}: {k} = {got}, want {want} ± {tol}"));
                }
            }
            None => fails.push(format!("{name}: missing scalar {k}")),
        }
    }
    for (k, bound) in e["scalars_min"].as_object().unwrap() {
        match r.scalar(k) {
            Some(got) if got >= f(bound) => {}
            got => fails.push(format!("{name}: {k} = {got:?} below {bound}")),
        }
    }
    for (k, bound) in e["scalars_max"].as_object().unwrap() {
        match r.scalar(k) {
            Some(got) if got <= f(bound) => {}
            got => fails.push(format!("{name}: {k} = {got:?} above {bound}")),
        }
    }
    for s in e["required_series"].as_array().unwrap() {
        if r.series_named(s.as_str().unwrap()).is_none() {
            fails.push(format!("{name}: missing series {s}"));
        }
    }
    for (t, cols) in e["required_tables"].as_object().unwrap() {
        match r.table_named(t) {
            Some(table) => {
                let want: Vec<String> = cols
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect();
                if table.columns != want {
                    fails.push(format!("{name}: table {t} columns {:?}", table.columns));
                }
            }
            None => fails.push(format!("{name}: missing table {t}")),
        }
    }
    for c in e["curves"].as_array().unwrap() {
        let table = c["table"].as_str().unwrap();
        let xs = column(&r, table, c["x_column"].as_str().unwrap());
        let ys = column(&r, table, c["y_column"].as_str().unwrap());
        let keep: Vec<bool> = match c["only_if_column"].as_str() {
            Some(col) => column(&r, table, col)
                .iter()
                .map(|v| v.as_bool().unwrap())
                .collect(),
            None => vec![true; xs.len()],
        };
        let got: Vec<P> = xs
            .iter()
            .zip(&ys)
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|((x, y), _)| (f(x), f(y)))
            .collect();
        let rows = c["reference"]["rows"].as_array().unwrap();
        let reference: Vec<(f64, f64, bool)> = rows
            .iter()
            .map(|row| (f(&row[0]), f(&row[1]), row[2].as_bool().unwrap()))
            .collect();
        let (xmin, xmax) = reference
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                (a.min(p.0), b.max(p.0))
            });
        let (ymin, ymax) = reference
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                (a.min(p.1), b.max(p.1))
            });
        let (sx, sy) = (xmax - xmin, ymax);
        let norm = |p: P| (p.0 / sx, p.1 / sy);
        let ref_line = catmull_rom(
            &reference
                .iter()
                .map(|p| norm((p.0, p.1)))
                .collect::<Vec<_>>(),
        );
        let tol = f(&c["tol"]);
        let mut worst: f64 = 0.0;
        let mut checked = 0;
        for &p in &got {
            if p.0 < xmin || p.0 > xmax || p.1 < ymin || p.1 > ymax {
                continue;
            }
            checked += 1;
            worst = worst.max(distance_to_polyline(norm(p), &ref_line));
        }
        notes.push(format!(
            "{table} {}: {checked} points, worst distance {worst:.3e} (tol {tol})",
            c["y_column"]
        ));
        if worst > tol || checked == 0 {
            fails.push(format!(
                "{name}: curve {table} worst distance {worst} > {tol} ({checked} points)"
            ));
        }
        if c["two_sided"].as_bool() == Some(true) {
            let (gx0, gx1) = got
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                    (a.min(p.0), b.max(p.0))
                });
            let got_line = catmull_rom(&got.iter().map(|p| norm(*p)).collect::<Vec<_>>());
            let mut worst2: f64 = 0.0;
            for p in &reference {
                if p.0 < gx0 || p.0 > gx1 {
                    continue;
                }
                worst2 = worst2.max(distance_to_polyline(norm((p.0, p.1)), &got_line));
            }
            notes.push(format!("{table}: reference-to-result worst {worst2:.3e}"));
            if worst2 > tol {
                fails.push(format!(
                    "{name}: reference to result distance {worst2} > {tol}"
                ));
            }
        }
        if let Some(col) = c["stable_column"].as_str() {
            let stable: Vec<bool> = column(&r, table, col)
                .iter()
                .map(|v| v.as_bool().unwrap())
                .collect();
            let mut agree = 0;
            for (p, s) in got.iter().zip(&stable) {
                let q = norm(*p);
                let nearest = reference
                    .iter()
                    .min_by(|a, b| {
                        let da = (norm((a.0, a.1)).0 - q.0).hypot(norm((a.0, a.1)).1 - q.1);
                        let db = (norm((b.0, b.1)).0 - q.0).hypot(norm((b.0, b.1)).1 - q.1);
                        da.total_cmp(&db)
                    })
                    .unwrap();
                agree += usize::from(nearest.2 == *s);
            }
            let share = agree as f64 / got.len() as f64;
            let min = f(&c["stable_agreement_min"]);
            notes.push(format!("stability agreement {share:.4} (min {min})"));
            if share < min {
                fails.push(format!("{name}: stability agreement {share} < {min}"));
            }
        }
    }
    (fails, notes)
}

fn assert_case(name: &str) {
    let (fails, notes) = check_case(name);
    for n in &notes {
        eprintln!("{name}: {n}");
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

#[test]
fn golden_exact_s_curve() {
    assert_case("golden_S0_exact_s_curve.json");
}

#[test]
fn golden_exact_frc() {
    assert_case("golden_S0_exact_frc.json");
}

#[test]
fn golden_continuation() {
    assert_case("golden_S0_continuation.json");
}

#[test]
fn golden_frequency_sweep() {
    assert_case("golden_S0_frequency_sweep.json");
}

#[test]
fn golden_amplitude_sweep() {
    assert_case("golden_S0_amplitude_sweep.json");
}

#[test]
fn spline_reproduces_a_straight_line_and_distance_is_euclidean() {
    let line = catmull_rom(&[(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)]);
    assert!(line.iter().all(|p| (p.0 - p.1).abs() < 1e-12));
    assert!((distance_to_polyline((0.0, 1.0), &line) - 0.5f64.sqrt()).abs() < 1e-12);
}
