//! Property tests: zero gains and compensators reduce to simpler devices, stability limits, CARE residuals, LQG gains and result shapes.

use super::*;

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
