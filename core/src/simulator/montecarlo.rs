//! Monte-Carlo scatter (docs/simulator.md §4.5) and the statistics it reports.
//!
//! Draws: `ChaCha8Rng::seed_from_u64(seed)`, stream 2, `z ~ StandardNormal`; per scenario, in
//! this order, m1..m3, k1..k3, c1..c3, x1(0)..x3(0), v1(0)..v3(0): `value = nominal + std·z`.
//! Every draw is independent (the original reused the same z for m, k and c). A mass or
//! stiffness ≤ 0 or a damper < 0 is redrawn (at most 100 times per value, else an error naming
//! the std field); the number of redraws is reported.
//!
//! Statistics over the N scenarios: mean, population standard deviation
//! `√(Σ(x − x̄)²/N)`, and percentiles by linear interpolation between order statistics at rank
//! `p/100·(N − 1)` (numpy's default `linear` method).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::discretise::State;
use super::params::Dispersion;
use crate::lumped::Profile;
use crate::ToolError;

/// Largest number of redraws of one value.
pub const MAX_REDRAWS: usize = 100;

/// One drawn scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub masses_kg: [f64; 3],
    pub stiffnesses_n_per_m: [f64; 3],
    pub dampings_ns_per_m: [f64; 3],
    pub initial_state: State,
}

/// Draws `n` scenarios; returns them with the number of redraws.
pub fn draw_scenarios(
    profile: &Profile,
    initial_state: &State,
    d: &Dispersion,
    n: usize,
    seed: u64,
) -> Result<(Vec<Scenario>, usize), ToolError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(2);
    let mut redraws = 0usize;
    let mut draw = |nominal: f64, std: f64, valid: &dyn Fn(f64) -> bool, field: &str| {
        for _ in 0..=MAX_REDRAWS {
            let z: f64 = rng.sample(StandardNormal);
            let x = nominal + std * z;
            if valid(x) {
                return Ok(x);
            }
            redraws += 1;
        }
        Err(ToolError::invalid(
            field,
            format!(
                "the standard deviation {std} gives invalid values (nominal {nominal}) even after \
                 {MAX_REDRAWS} redraws"
            ),
        ))
    };
    let positive = |x: f64| x > 0.0 && x.is_finite();
    let non_negative = |x: f64| x >= 0.0 && x.is_finite();
    let any = |x: f64| x.is_finite();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let mut s = Scenario {
            masses_kg: [0.0; 3],
            stiffnesses_n_per_m: [0.0; 3],
            dampings_ns_per_m: [0.0; 3],
            initial_state: [0.0; 6],
        };
        for j in 0..3 {
            s.masses_kg[j] = draw(profile.masses_kg[j], d.mass_kg[j], &positive, "mass_std")?;
        }
        for j in 0..3 {
            s.stiffnesses_n_per_m[j] = draw(
                profile.stiffnesses_n_per_m[j],
                d.stiffness_n_per_m[j],
                &positive,
                "stiffness_std",
            )?;
        }
        for j in 0..3 {
            s.dampings_ns_per_m[j] = draw(
                profile.dampings_ns_per_m[j],
                d.damping_ns_per_m[j],
                &non_negative,
                "damping_std",
            )?;
        }
        for j in 0..3 {
            s.initial_state[j] =
                draw(initial_state[j], d.x0_m, &any, "initial_displacement_std_m")?;
        }
        for j in 0..3 {
            s.initial_state[3 + j] = draw(
                initial_state[3 + j],
                d.v0_m_per_s,
                &any,
                "initial_velocity_std_m_per_s",
            )?;
        }
        out.push(s);
    }
    Ok((out, redraws))
}

/// Mean of `x` (0 for an empty slice).
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

/// Population standard deviation.
pub fn std_pop(x: &[f64]) -> f64 {
    let m = mean(x);
    if x.is_empty() {
        return 0.0;
    }
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.len() as f64).sqrt()
}

/// Percentile `p` (0..100) of an ascending-sorted slice, numpy `linear`.
pub fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    let rank = p / 100.0 * (n - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = rank - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    // numpy's lerp: a + (b − a)·t, evaluated from the nearer end for t ≥ 0.5.
    if frac >= 0.5 {
        b - (b - a) * (1.0 - frac)
    } else {
        a + (b - a) * frac
    }
}

/// The percentiles `ps` (ascending, 0..100) of `x` by selection (reorders `x`); same values
/// as sorting and [`percentile_sorted`].
pub fn percentiles_select<const K: usize>(x: &mut [f64], ps: [f64; K]) -> [f64; K] {
    let n = x.len();
    let mut out = [0.0; K];
    if n == 0 {
        return out;
    }
    // Everything left of `done` is ≤ everything right of it (previous selections).
    let mut done = 0usize;
    for (o, p) in out.iter_mut().zip(ps) {
        let rank = p / 100.0 * (n - 1) as f64;
        let lo = (rank.floor() as usize).min(n - 1);
        let frac = rank - lo as f64;
        let k = lo.max(done);
        let (_, a, right) = x[done..].select_nth_unstable_by(k - done, f64::total_cmp);
        let a = *a;
        let b = if lo + 1 < n {
            right.iter().copied().fold(f64::INFINITY, f64::min)
        } else {
            a
        };
        done = k;
        *o = if frac >= 0.5 {
            b - (b - a) * (1.0 - frac)
        } else if frac > 0.0 {
            a + (b - a) * frac
        } else {
            a
        };
    }
    out
}

/// Percentile `p` of an unsorted slice.
pub fn percentile(x: &[f64], p: f64) -> f64 {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    percentile_sorted(&s, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy() {
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        // numpy.percentile(x, [5, 50, 95]) = [1.0, 3.5, 7.95]
        assert!((percentile(&x, 5.0) - 1.0).abs() < 1e-12);
        assert!((percentile(&x, 50.0) - 3.5).abs() < 1e-12);
        assert!((percentile(&x, 95.0) - 7.95).abs() < 1e-12);
        assert!((std_pop(&[1.0, 3.0]) - 1.0).abs() < 1e-15);
        let mut y = x;
        assert_eq!(
            percentiles_select(&mut y, [5.0, 50.0, 95.0]),
            [
                percentile(&x, 5.0),
                percentile(&x, 50.0),
                percentile(&x, 95.0)
            ]
        );
        for n in [1usize, 2, 3, 7, 50, 51] {
            let v: Vec<f64> = (0..n)
                .map(|i| ((i * 37) % 11) as f64 * 0.3 - (i as f64).sqrt())
                .collect();
            let mut w = v.clone();
            let got = percentiles_select(&mut w, [5.0, 50.0, 95.0]);
            for (g, p) in got.iter().zip([5.0, 50.0, 95.0]) {
                assert_eq!(*g, percentile(&v, p), "n {n} p {p}");
            }
        }
    }

    #[test]
    fn draws_are_independent_and_reproducible() {
        let p = Profile::default();
        let d = Dispersion {
            mass_kg: [0.1; 3],
            stiffness_n_per_m: [1000.0; 3],
            damping_ns_per_m: [0.5; 3],
            x0_m: 0.0,
            v0_m_per_s: 0.0,
        };
        let (a, r) = draw_scenarios(&p, &[0.0; 6], &d, 200, 3).unwrap();
        assert_eq!(r, 0);
        let (b, _) = draw_scenarios(&p, &[0.0; 6], &d, 200, 3).unwrap();
        assert_eq!(a, b);
        let (c, _) = draw_scenarios(&p, &[0.0; 6], &d, 200, 4).unwrap();
        assert_ne!(a, c);
        // z-scores of m1 and k1 are not the same (the original's bug) and are uncorrelated.
        let zm: Vec<f64> = a
            .iter()
            .map(|s| (s.masses_kg[0] - p.masses_kg[0]) / 0.1)
            .collect();
        let zk: Vec<f64> = a
            .iter()
            .map(|s| (s.stiffnesses_n_per_m[0] - p.stiffnesses_n_per_m[0]) / 1000.0)
            .collect();
        let cov = zm.iter().zip(&zk).map(|(x, y)| x * y).sum::<f64>() / 200.0;
        assert!(cov.abs() < 0.25, "{cov}");
        assert!((std_pop(&zm) - 1.0).abs() < 0.2);
        // Damping std far above nominal needs redraws.
        let d2 = Dispersion {
            damping_ns_per_m: [10.0; 3],
            ..d
        };
        let (_, r2) = draw_scenarios(&p, &[0.0; 6], &d2, 50, 1).unwrap();
        assert!(r2 > 0);
    }
}
