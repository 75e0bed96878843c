//! The 7 golden cases of our result contract (`expected_results.json`) run through the tool.

use super::*;

fn check_case(case: &Value, rep: &mut Report) {
    let id = case["case"].as_str().unwrap();
    let res = run_tool(&case["params"]);
    let exp = &case["expect"];
    for (key, e) in exp["scalars"].as_object().unwrap() {
        match res.scalar(key) {
            Some(got) => rep.check(
                format!("{id} scalar {key}"),
                got,
                f(&e["value"]),
                f(&e["rel"]),
                f(&e["abs"]),
            ),
            None => rep.fail(format!("{id}: scalar {key} missing")),
        }
    }
    if let Some(v) = res.scalars.get("closed_loop_stable") {
        assert!(
            matches!(v, cristallo_core::Scalar::Int(_)),
            "closed_loop_stable must be an integer"
        );
    }
    for key in exp["absent_scalars"].as_array().into_iter().flatten() {
        let key = key.as_str().unwrap();
        if res.scalar(key).is_some() {
            rep.fail(format!("{id}: scalar {key} must be absent"));
        }
    }
    for name in exp["absent_series"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap();
        if res.series_named(name).is_some() {
            rep.fail(format!("{id}: series {name} must be absent"));
        }
    }
    if exp["warnings_nonempty"].as_bool() == Some(true) && res.warnings.is_empty() {
        rep.fail(format!("{id}: warnings expected"));
    }
    for (key, e) in exp["params"].as_object().into_iter().flatten() {
        match res.params[key].as_f64() {
            Some(got) => rep.check(
                format!("{id} param {key}"),
                got,
                f(&e["value"]),
                f(&e["rel"]),
                f(&e["abs"]),
            ),
            None => rep.fail(format!("{id}: echoed param {key} is not a number")),
        }
    }
    for (name, e) in exp["series"].as_object().unwrap() {
        let Some(s) = res.series_named(name) else {
            rep.fail(format!("{id}: series {name} missing"));
            continue;
        };
        let len = e["length"].as_u64().unwrap() as usize;
        if s.x.len() != len || s.y.len() != len {
            rep.fail(format!(
                "{id}: series {name} has {} points, want {len}",
                s.x.len()
            ));
            continue;
        }
        let idx = e["indices"].as_array().unwrap();
        let (xs, ys) = (fv(&e["x"]), fv(&e["y"]));
        let (abs, x_abs) = (f(&e["abs"]), f(&e["x_abs"]));
        for (k, i) in idx.iter().enumerate() {
            let i = i.as_u64().unwrap() as usize;
            rep.check(format!("{id} {name}.x[{i}]"), s.x[i], xs[k], 0.0, x_abs);
            rep.check(format!("{id} {name}.y[{i}]"), s.y[i], ys[k], 0.0, abs);
        }
    }
    for (tkey, e) in exp["tables"].as_object().unwrap() {
        let name = e["table"].as_str().unwrap_or(tkey);
        let (cols, rows) = table_rows(&res, name);
        let (rel, abs) = (f(&e["rel"]), f(&e["abs"]));
        if e["match"] == "nearest" {
            let want_cols: Vec<usize> = e["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| cols.iter().position(|x| x == c.as_str().unwrap()).unwrap())
                .collect();
            let count = e["count"].as_u64().unwrap() as usize;
            if rows.len() != count {
                rep.fail(format!(
                    "{id}: table {name} has {} rows, want {count}",
                    rows.len()
                ));
            }
            for want in e["rows"].as_array().unwrap() {
                let want = fv(want);
                let ok = rows.iter().any(|row| {
                    want_cols
                        .iter()
                        .zip(&want)
                        .all(|(&c, &w)| close(row[c], w, rel, abs))
                });
                if !ok {
                    rep.fail(format!("{id}: table {name} has no row matching {want:?}"));
                }
            }
        } else {
            let kc = cols
                .iter()
                .position(|c| c == e["key_column"].as_str().unwrap())
                .unwrap();
            let vc = cols
                .iter()
                .position(|c| c == e["column"].as_str().unwrap())
                .unwrap();
            for (key, want) in e["rows"].as_object().unwrap() {
                let key: f64 = key.parse().unwrap();
                match rows.iter().find(|r| r[kc] == key) {
                    Some(row) => rep.check(
                        format!("{id} {name}[{key}].{}", cols[vc]),
                        row[vc],
                        f(want),
                        rel,
                        abs,
                    ),
                    None => rep.fail(format!("{id}: table {name} has no row {key}")),
                }
            }
        }
    }
}

#[test]
fn expected_results_all_seven_cases() {
    let d = fixture("expected_results.json");
    let cases = d["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 7);
    let mut rep = Report::default();
    for case in cases {
        check_case(case, &mut rep);
    }
    rep.finish();
}
