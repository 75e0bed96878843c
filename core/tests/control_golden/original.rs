//! Core functions against the original app's numbers: the model, the uncontrolled sweep, and the TMD, DVF and DVF+EC cases.

use super::*;

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

/// A case's integrated kinetic energy (rel 1e-9) and its KE curve against the original's.
fn check_energy(rep: &mut Report, id: &str, ds: &sweep::DeviceSweep, c: &Value, samples: &[usize]) {
    rep.check(
        format!("{id} IntKE"),
        ds.integrated_j_rad_per_s,
        f(&c["IntKE"]),
        1e-9,
        0.0,
    );
    let ke = energy_db(&ds.ke_j).unwrap();
    check_ke_curve(rep, id, &ke, c, samples);
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
        check_energy(&mut rep, id, &ds, c, &samples);
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
        check_energy(&mut rep, id, &ds, c, &samples);
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
