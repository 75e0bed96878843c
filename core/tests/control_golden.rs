//! Golden tests of `vibration-control` against the Cristallo reference set
//! (`tests/fixtures/control/`, see its README): the 7 cases of our contract through the tool,
//! and the core functions against the original app's numbers, plus property tests.

mod common;

use std::f64::consts::PI;

use num_complex::Complex64;
use serde_json::{json, Value};

use common::{close, num as f, nums as fv};
use cristallo_core::control::care::{norm1, residual};
use cristallo_core::control::compensator::Compensator;
use cristallo_core::control::device::{Device, DeviceParams};
use cristallo_core::control::eigen::eigenvalues;
use cristallo_core::control::feedback::{max_stable_gains, plant};
use cristallo_core::control::lqg::{design, LqgWeights};
use cristallo_core::control::margins::crossings;
use cristallo_core::control::poles::{
    dvf_ec_matrix, dvf_matrix, lqg_matrix, max_real_part, pole_table,
};
use cristallo_core::control::rig::structure;
use cristallo_core::control::sweep::{self, energy_db, grid};
use cristallo_core::ToolResult;

fn fixture(name: &str) -> Value {
    common::fixture("control", name)
}

fn run_tool(params: &Value) -> ToolResult {
    common::run_ok("vibration-control", params)
}

/// Collects mismatches so one run reports all of them.
#[derive(Default)]
struct Report(Vec<String>);

impl Report {
    fn check(&mut self, what: impl std::fmt::Display, got: f64, want: f64, rel: f64, abs: f64) {
        if !close(got, want, rel, abs) {
            self.0.push(format!(
                "{what}: got {got:.12e}, want {want:.12e} (rel {rel:e}, abs {abs:e}, diff {:.3e})",
                got - want
            ));
        }
    }
    fn fail(&mut self, msg: String) {
        self.0.push(msg);
    }
    fn finish(self) {
        assert!(
            self.0.is_empty(),
            "{} mismatches:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

fn table_rows(r: &ToolResult, name: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let t = r
        .table_named(name)
        .unwrap_or_else(|| panic!("table {name} missing"));
    let rows = t
        .rows
        .iter()
        .map(|row| row.iter().map(f).collect())
        .collect();
    (t.columns.clone(), rows)
}

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

// ---------------------------------------------------------------------------------------
// Core functions against the original app's numbers.

#[test]
fn structure_matches_the_original_model() {
    let m = fixture("model_and_original.json");
    let sd = &m["structure_derived"];
    let s = structure();
    let mut rep = Report::default();
    rep.check(
        "k",
        s.storey_stiffness_n_per_m
            .expect("the geometry model has a storey stiffness"),
        f(&sd["k_storey_N_per_m"]),
        1e-11,
        0.0,
    );
    rep.check(
        "alpha",
        s.alpha_1_per_s,
        f(&sd["rayleigh_alpha_1_per_s"]),
        1e-11,
        0.0,
    );
    rep.check("beta", s.beta_s, f(&sd["rayleigh_beta_s"]), 1e-11, 0.0);
    for (i, w) in fv(&sd["undamped_fn_hz"]).iter().enumerate() {
        rep.check(format!("f{i}"), s.natural_frequencies_hz[i], *w, 1e-11, 0.0);
    }
    for (name, mat) in [("M", &s.m), ("K", &s.k), ("C", &s.c)] {
        for (i, row) in sd[name].as_array().unwrap().iter().enumerate() {
            for (j, v) in fv(row).iter().enumerate() {
                rep.check(format!("{name}[{i},{j}]"), mat[(i, j)], *v, 1e-11, 1e-12);
            }
        }
    }
    let g = grid();
    assert_eq!(g.f_hz.len(), 9901);
    rep.check("f_last", g.f_hz[9900], f(&m["grid"]["f_last"]), 0.0, 1e-12);
    for (name, dev_json) in m["with_actuator_default"].as_object().unwrap() {
        let floor: usize = name.parse().unwrap();
        let dev = Device::new(default_device(floor));
        assert_eq!(
            dev.sensor_index as u64,
            dev_json["collocated_velocity_state_index_0based"]
                .as_u64()
                .unwrap()
        );
        for (key, mat) in [("M4", &dev.m4), ("K4", &dev.k4), ("C4", &dev.c4)] {
            for (i, row) in dev_json[key].as_array().unwrap().iter().enumerate() {
                for (j, v) in fv(row).iter().enumerate() {
                    rep.check(
                        format!("{floor} {key}[{i},{j}]"),
                        mat[(i, j)],
                        *v,
                        1e-11,
                        1e-12,
                    );
                }
            }
        }
        for (i, row) in dev_json["A"].as_array().unwrap().iter().enumerate() {
            for (j, v) in fv(row).iter().enumerate() {
                rep.check(
                    format!("{floor} A[{i},{j}]"),
                    dev.a[(i, j)],
                    *v,
                    1e-10,
                    1e-12,
                );
            }
        }
        for (i, v) in fv(&dev_json["Bu"]).iter().enumerate() {
            rep.check(format!("{floor} Bu[{i}]"), dev.bu[i], *v, 1e-10, 1e-12);
        }
        let poles = eigenvalues(&dev.a, "test").unwrap();
        check_poles(
            &mut rep,
            &format!("passive device floor {floor}"),
            &poles,
            &dev_json["poles_passive_with_actuator"],
        );
    }
    rep.finish();
}

fn default_device(floor: usize) -> DeviceParams {
    DeviceParams {
        floor,
        base_mass_kg: 0.5,
        proof_mass_kg: 1.0,
        stiffness_n_per_m: 1670.0,
        damping_ns_per_m: 5.0,
    }
}

/// Pole f (Hz) and ζ (fraction) against the stored set, rel 1e-6 (stored with 8 digits).
fn check_poles(rep: &mut Report, what: &str, poles: &[Complex64], e: &Value) {
    let rows = pole_table(poles);
    let (fs, zs) = (fv(&e["fn_hz"]), fv(&e["zeta"]));
    if rows.len() != fs.len() {
        rep.fail(format!("{what}: {} poles, want {}", rows.len(), fs.len()));
        return;
    }
    for (fw, zw) in fs.iter().zip(&zs) {
        let ok = rows.iter().any(|r| {
            close(r.frequency_hz, *fw, 1e-6, 0.0)
                && close(r.damping_ratio_percent / 100.0, *zw, 1e-6, 1e-9)
        });
        if !ok {
            rep.fail(format!("{what}: no pole with f {fw} Hz, zeta {zw}"));
        }
    }
    rep.check(
        format!("{what} max Re"),
        max_real_part(poles),
        f(&e["max_real_part"]),
        1e-6,
        1e-8,
    );
    assert_eq!(
        max_real_part(poles) < 0.0,
        e["stable"].as_bool().unwrap(),
        "{what}"
    );
}

/// KE samples, first/last and every stored extremum (÷2: the original plotted 20·log10 T).
fn check_ke_curve(rep: &mut Report, what: &str, ke_db: &[f64], e: &Value, samples: &[usize]) {
    for (k, &i) in samples.iter().enumerate() {
        rep.check(
            format!("{what} ke[{i}]"),
            ke_db[i],
            f(&e["ke_db_at_samples"][k]) / 2.0,
            0.0,
            1e-6,
        );
    }
    rep.check(
        format!("{what} ke first"),
        ke_db[0],
        f(&e["ke_db_first"]) / 2.0,
        0.0,
        1e-6,
    );
    rep.check(
        format!("{what} ke last"),
        ke_db[9900],
        f(&e["ke_db_last"]) / 2.0,
        0.0,
        1e-6,
    );
    let (imax, vmax) = sweep::argmax(ke_db);
    assert_eq!(
        imax as u64,
        e["max"]["index"].as_u64().unwrap(),
        "{what} max index"
    );
    rep.check(
        format!("{what} max"),
        vmax,
        f(&e["max"]["ke_db"]) / 2.0,
        0.0,
        1e-6,
    );
    for (kind, is_max) in [("local_maxima", true), ("local_minima", false)] {
        for x in e[kind].as_array().unwrap() {
            let i = x["index"].as_u64().unwrap() as usize;
            let local = if is_max {
                ke_db[i] > ke_db[i - 1] && ke_db[i] > ke_db[i + 1]
            } else {
                ke_db[i] < ke_db[i - 1] && ke_db[i] < ke_db[i + 1]
            };
            if !local {
                rep.fail(format!("{what}: index {i} is not a {kind} entry"));
            }
            rep.check(
                format!("{what} {kind}[{i}]"),
                ke_db[i],
                f(&x["ke_db"]) / 2.0,
                0.0,
                1e-6,
            );
        }
    }
}

fn sample_indices() -> Vec<usize> {
    let m = fixture("model_and_original.json");
    m["sample_points"]["index"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect()
}

#[test]
fn uncontrolled_sweep_matches_the_original() {
    let m = fixture("model_and_original.json");
    let o = &m["original"];
    let u = sweep::uncontrolled().unwrap();
    let mut rep = Report::default();
    rep.check("IntKE", u.integrated_j_rad_per_s, f(&o["IntKE"]), 1e-9, 0.0);
    check_ke_curve(&mut rep, "uncontrolled", &u.ke_db, o, &sample_indices());
    for (k, v) in fv(&o["ke_db_decimated"]).iter().enumerate() {
        // stored with 8 significant digits
        rep.check(
            format!("decimated[{}]", 20 * k),
            u.ke_db[20 * k],
            v / 2.0,
            0.0,
            1e-4,
        );
    }
    rep.finish();
}

fn inputs_device(i: &Value) -> DeviceParams {
    DeviceParams {
        floor: i["nfs"].as_u64().unwrap() as usize,
        base_mass_kg: f(&i["mb"]),
        proof_mass_kg: f(&i["mp"]),
        stiffness_n_per_m: f(&i["kp"]),
        damping_ns_per_m: f(&i["cp"]),
    }
}

#[test]
fn tmd_cases_match_the_original() {
    let d = fixture("tmd.json");
    let samples = sample_indices();
    let mut rep = Report::default();
    for c in d["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let dp = inputs_device(&c["inputs"]);
        rep.check(
            format!("{id} f_p"),
            dp.natural_frequency_hz(),
            f(&c["wp_hz"]),
            1e-9,
            0.0,
        );
        rep.check(
            format!("{id} xi_p"),
            dp.damping_ratio() * 100.0,
            f(&c["xip_pct"]),
            1e-9,
            0.0,
        );
        let dev = Device::new(dp);
        let ds = sweep::with_device(&dev, |_, _| Complex64::ZERO).unwrap();
        rep.check(
            format!("{id} IntKE"),
            ds.integrated_j_rad_per_s,
            f(&c["IntKE"]),
            1e-9,
            0.0,
        );
        let ke = energy_db(&ds.ke_j).unwrap();
        check_ke_curve(&mut rep, id, &ke, c, &samples);
        let poles = eigenvalues(&dev.a, "test").unwrap();
        check_poles(&mut rep, id, &poles, &c["derived_not_displayed"]["poles"]);
    }
    rep.finish();
}

/// DVF and DVF+EC cases: KE (also for unstable loops), L at the samples, the correct
/// collocated gain margin and the closed-loop poles.
fn check_active_file(file: &str, with_comp: bool) {
    let d = fixture(file);
    let samples = sample_indices();
    let w = &grid().w_rad_s;
    let mut rep = Report::default();
    for c in d["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let i = &c["inputs"];
        let dp = inputs_device(i);
        let dev = Device::new(dp);
        let g0 = f(&i["Bl"]) * f(&i["h"]);
        let comp = with_comp.then(|| {
            Compensator::from_hz_percent(
                f(&i["wpest_hz"]),
                f(&i["xipest_pct"]),
                f(&i["wc_hz"]),
                f(&i["xic_pct"]),
            )
        });
        let g = |w: f64| match &comp {
            Some(cp) => cp.eval(w) * g0,
            None => Complex64::new(g0, 0.0),
        };
        let ds = sweep::with_device(&dev, |_, w| g(w)).unwrap();
        rep.check(
            format!("{id} IntKE"),
            ds.integrated_j_rad_per_s,
            f(&c["IntKE"]),
            1e-9,
            0.0,
        );
        let ke = energy_db(&ds.ke_j).unwrap();
        check_ke_curve(&mut rep, id, &ke, c, &samples);
        // Open loop at the samples.
        let p = plant(&dev).unwrap();
        let lmax = f(&c["L_max_abs"]);
        let (re, im) = (fv(&c["L_at_samples"]["re"]), fv(&c["L_at_samples"]["im"]));
        for (k, &idx) in samples.iter().enumerate() {
            let l = g(w[idx]) * p.eval(w[idx]);
            rep.check(format!("{id} Re L[{idx}]"), l.re, re[k], 0.0, 1e-8 * lmax);
            rep.check(format!("{id} Im L[{idx}]"), l.im, im[k], 0.0, 1e-8 * lmax);
        }
        // Correct collocated gain margin.
        let gm_ref = &c["derived_not_displayed"]["collocated_gain_margin_correct"];
        let cr = crossings(&|w: f64| g(w) * p.eval(w), true);
        match (gm_ref["GM_db"].as_f64(), cr.gain_margin()) {
            (Some(want), Some(got)) => {
                rep.check(format!("{id} GM dB"), got.value, want, 0.0, 1e-6);
                rep.check(
                    format!("{id} GM f"),
                    got.frequency_hz(),
                    f(&gm_ref["f_hz"]),
                    1e-8,
                    0.0,
                );
            }
            (None, None) => {}
            (want, got) => rep.fail(format!("{id}: gain margin {got:?}, want {want:?}")),
        }
        // Closed-loop poles of the simulated loop.
        let a = match &comp {
            Some(cp) => dvf_ec_matrix(&dev, g0, cp),
            None => dvf_matrix(&dev, g0),
        };
        let poles = eigenvalues(&a, "test").unwrap();
        check_poles(
            &mut rep,
            id,
            &poles,
            &c["derived_not_displayed"]["closed_loop_poles_of_simulated_loop"],
        );
    }
    rep.finish();
}

#[test]
fn dvf_cases_match_the_original() {
    check_active_file("dvf.json", false);
}

#[test]
fn dvf_ec_cases_match_the_original() {
    check_active_file("dvf_ec.json", true);
}

// ---------------------------------------------------------------------------------------
// Properties.

#[test]
fn zero_gain_is_exactly_the_tmd() {
    let tmd = run_tool(&json!({"strategy": "tmd", "floor": 2}));
    for strategy in ["dvf", "dvf_ec"] {
        let act = run_tool(&json!({"strategy": strategy, "floor": 2, "gain_a_s_per_m": 0.0}));
        for key in [
            "integrated_kinetic_energy_controlled_j_rad_per_s",
            "kinetic_energy_reduction_db",
            "max_kinetic_energy_controlled_db",
        ] {
            assert_eq!(act.scalar(key), tmd.scalar(key), "{strategy} {key}");
        }
        assert_eq!(
            act.series_named("ke_controlled").unwrap().y,
            tmd.series_named("ke_controlled").unwrap().y
        );
        assert_eq!(act.scalar("max_control_force_n"), Some(0.0));
        assert_eq!(act.scalar("closed_loop_stable"), Some(1.0));
        assert!(act.scalar("gain_margin_db").is_none());
        assert!(act.scalar("phase_margin_deg").is_none());
        assert!(act.series_named("open_loop_magnitude_db").is_none());
        assert!(act.series_named("nyquist").is_none());
        assert!(!act.warnings.is_empty());
        // h_max does not depend on h.
        assert!(act.scalar("max_stable_gain_floor_2_a_s_per_m").is_some());
    }
}

#[test]
fn compensator_with_zero_equal_to_pole_is_dvf() {
    for floor in 1..=3 {
        let dvf = run_tool(&json!({"strategy": "dvf", "floor": floor, "gain_a_s_per_m": 1.0}));
        let ec = run_tool(
            &json!({"strategy": "dvf_ec", "floor": floor, "gain_a_s_per_m": 1.0,
            "comp_zero_freq_hz": 6.0, "comp_zero_damping_percent": 4.0,
            "comp_pole_freq_hz": 6.0, "comp_pole_damping_percent": 4.0}),
        );
        for key in [
            "integrated_kinetic_energy_controlled_j_rad_per_s",
            "gain_margin_db",
            "phase_margin_deg",
            "max_stable_gain_floor_1_a_s_per_m",
            "max_stable_gain_floor_2_a_s_per_m",
            "max_stable_gain_floor_3_a_s_per_m",
            "max_closed_loop_pole_real_part_1_per_s",
        ] {
            match (dvf.scalar(key), ec.scalar(key)) {
                (Some(a), Some(b)) => {
                    assert!(close(b, a, 1e-9, 1e-12), "floor {floor} {key}: {a} vs {b}")
                }
                (None, None) => assert!(key.starts_with("phase"), "floor {floor} {key} absent"),
                (a, b) => panic!("floor {floor} {key}: {a:?} vs {b:?}"),
            }
        }
    }
}

fn stable_at(dp: &DeviceParams, bl: f64, h: f64, comp: Option<&Compensator>) -> bool {
    let dev = Device::new(*dp);
    let a = match comp {
        Some(c) => dvf_ec_matrix(&dev, bl * h, c),
        None => dvf_matrix(&dev, bl * h),
    };
    max_real_part(&eigenvalues(&a, "test").unwrap()) < 0.0
}

#[test]
fn max_stable_gain_agrees_with_eigenvalues() {
    let dp = default_device(1);
    let s5 = Compensator::from_hz_percent(6.5, 6.12, 2.0, 50.0);
    let default_ec = Compensator::from_hz_percent(
        dp.natural_frequency_hz(),
        dp.damping_ratio() * 100.0,
        4.0,
        20.0,
    );
    for comp in [None, Some(&s5), Some(&default_ec)] {
        let h = max_stable_gains(&dp, 10.0, comp, None).unwrap();
        for floor in 1..=3 {
            let hm = h[floor - 1].expect("bounded gain");
            let fp = dp.on_floor(floor);
            assert!(
                stable_at(&fp, 10.0, hm * (1.0 - 1e-6), comp),
                "floor {floor} below h_max"
            );
            assert!(
                !stable_at(&fp, 10.0, hm * (1.0 + 1e-6), comp),
                "floor {floor} above h_max"
            );
        }
    }
    // Bisection on the eigenvalues reproduces h_max of floor 2 (DVF).
    let fp = dp.on_floor(2);
    let (mut lo, mut hi) = (0.0, 100.0);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if stable_at(&fp, 10.0, mid, None) {
            lo = mid
        } else {
            hi = mid
        }
    }
    let h = max_stable_gains(&dp, 10.0, None, None).unwrap()[1].unwrap();
    assert!(close(h, 0.5 * (lo + hi), 1e-9, 0.0), "{h} vs {lo}");
    assert!(close(h, 2.4761237518488786, 1e-7, 0.0));
}

fn lqg_weights(rn: f64) -> LqgWeights {
    LqgWeights {
        state_weight: 200.0,
        input_weight: 0.1,
        process_noise: 1.0,
        measurement_noise: rn,
    }
}

#[test]
fn care_residuals_and_separation() {
    for floor in 1..=3 {
        for rn in [1e-8, 1e-12, 1e-4] {
            let dev = Device::new(default_device(floor));
            let d = design(&dev, &lqg_weights(rn)).unwrap();
            // LQR Riccati residual.
            let mut q = nalgebra::DMatrix::zeros(8, 8);
            for i in [0, 1, 2, 4, 5, 6] {
                q[(i, i)] = 200.0;
            }
            let g = &dev.bu * dev.bu.transpose() / 0.1;
            let r = norm1(&residual(&dev.a, &g, &q, &d.x));
            assert!(
                r <= 1e-8 * norm1(&q),
                "floor {floor} rn {rn}: LQR residual {r}"
            );
            // Kalman Riccati residual (dual).
            let cv = dev.cv();
            let gf = &cv * cv.transpose() / rn;
            let qf = &dev.bd * dev.bd.transpose();
            let rk = norm1(&residual(&dev.a.transpose(), &gf, &qf, &d.p));
            assert!(
                rk <= 1e-8 * norm1(&qf),
                "floor {floor} rn {rn}: Kalman residual {rk}"
            );
            assert!((&d.x - d.x.transpose()).amax() == 0.0);
            // The 16×16 closed loop has the poles of regulator and estimator.
            let full = eigenvalues(&lqg_matrix(&dev, &d), "test").unwrap();
            let mut sep = d.regulator_poles.clone();
            sep.extend_from_slice(&d.estimator_poles);
            assert_eq!(full.len(), 16);
            if rn >= 1e-8 {
                for z in &sep {
                    let nearest = full
                        .iter()
                        .map(|y| (y - z).norm())
                        .fold(f64::INFINITY, f64::min);
                    assert!(
                        nearest <= 1e-6 * z.norm().max(1.0),
                        "floor {floor}: pole {z} ({nearest})"
                    );
                }
            }
            assert!(max_real_part(&full) < 0.0);
        }
    }
}

#[test]
fn lqg_gains_match_python_control() {
    let d = fixture("expected_results.json");
    let case = &d["cases"][6];
    assert_eq!(case["case"], "S7_lqg_default");
    let dev = Device::new(default_device(1));
    let des = design(&dev, &lqg_weights(1e-8)).unwrap();
    let t = &case["expect"]["tables"];
    for i in 0..8 {
        let k = f(&t["lqg_gains_lqr"]["rows"][(i + 1).to_string()]);
        let l = f(&t["lqg_gains_kalman"]["rows"][(i + 1).to_string()]);
        assert!(
            close(des.lqr_gain[i], k, 1e-8, 1e-9 * 1406.0),
            "K[{i}] {} vs {k}",
            des.lqr_gain[i]
        );
        assert!(
            close(des.kalman_gain[i], l, 1e-6, 1e-7 * 1751.0),
            "L[{i}] {} vs {l}",
            des.kalman_gain[i]
        );
    }
}

#[test]
fn warnings_and_units_of_the_unstable_case() {
    let r = run_tool(&json!({"strategy": "dvf", "floor": 2}));
    assert_eq!(r.scalar("closed_loop_stable"), Some(0.0));
    let w = r.warnings.join(" | ");
    assert!(w.contains("unstable"), "{w}");
    assert!(w.contains("-6.10 dB"), "{w}");
    assert!(w.contains("2.48 A·s/m"), "{w}");
    for name in [
        "ke_controlled",
        "control_force_n",
        "frf_floor_1_controlled_db",
    ] {
        assert!(r.series_named(name).is_none(), "{name}");
    }
    assert!(r.series_named("nyquist").is_some());
    assert!(r.series_named("open_loop_phase_deg").is_some());
    assert_eq!(r.table_named("poles").unwrap().rows.len(), 4);
    // DVF floor 1 at the defaults has GM 0.75 dB: stable but a small margin.
    let r = run_tool(&json!({"strategy": "dvf"}));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("small stability margin")),
        "{:?}",
        r.warnings
    );
    // Defaults: nothing to warn about for TMD and DVF+EC.
    assert!(run_tool(&json!({})).warnings.is_empty());
    assert!(run_tool(&json!({"strategy": "dvf_ec"})).warnings.is_empty());
}

#[test]
fn result_shape_per_strategy() {
    let names = |r: &ToolResult| r.series.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    let passive = run_tool(&json!({"strategy": "passive"}));
    assert_eq!(passive.series.len(), 7);
    assert!(passive.table_named("poles").is_none());
    assert!(passive.scalar("device_natural_frequency_hz").is_none());
    let tmd = run_tool(&json!({"strategy": "tmd"}));
    assert_eq!(tmd.series.len(), 14, "{:?}", names(&tmd));
    assert!(tmd.scalar("closed_loop_stable").is_none());
    let lqg = run_tool(&json!({"strategy": "lqg"}));
    assert_eq!(lqg.series.len(), 18, "{:?}", names(&lqg));
    assert_eq!(lqg.table_named("lqg_gains").unwrap().rows.len(), 8);
    assert!(lqg.scalar("max_stable_gain_floor_1_a_s_per_m").is_none());
    let dvf = run_tool(&json!({"strategy": "dvf"}));
    let s = dvf.series_named("ke_controlled").unwrap();
    assert_eq!(s.x_label, "Frequency (Hz)");
    assert_eq!(s.y_label, "Kinetic energy (dB re 1 J)");
    let phase = dvf
        .series_named("frf_floor_1_controlled_phase_deg")
        .unwrap();
    assert!(phase.y.iter().all(|p| *p > -180.0 && *p <= 180.0));
    // The echo re-runs to the same result.
    let again = run_tool(&dvf.params);
    assert_eq!(again.scalars, dvf.scalars);
    // Echo of a resolved compensator zero.
    let ec = run_tool(&json!({"strategy": "dvf_ec", "proof_mass_kg": 2.0}));
    let fp = (1670.0f64 / 2.0).sqrt() / (2.0 * PI);
    assert!(close(f(&ec.params["comp_zero_freq_hz"]), fp, 1e-12, 0.0));
    assert!(ec.params["comp_zero_damping_percent"].is_number());
    assert_eq!(ec.params["floor"], json!(1));
}
