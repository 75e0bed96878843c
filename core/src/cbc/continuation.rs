//! `continuation` mode (docs/cbc.md §4.3): a virtual control-based continuation experiment.
//!
//! A PD controller u = kp·(x* − x1) + kd·(ẋ* − ẋ1) makes floor 1 follow the target
//! x*(τ) = a0/2 + T·cos τ + Σ_{n=2..H} (a_n cos nτ + b_n sin nτ); the feed-forward is
//! f = A*·cos τ + B*·sin τ. For the unknowns w = (A*, B*, a0, a2, b2, …, aH, bH) the residual
//! ρ(w) is the Fourier coefficients (a0, a1, b1, …, aH, bH) of u over one period of the
//! closed-loop steady state (shooting Newton, warm-started). ρ(w) = 0 makes the control
//! non-invasive up to harmonic H, so (Φ = √(A*² + B*²), orbit) is an open-loop orbit.
//!
//! ρ(w) = 0 is solved by Newton with a finite-difference Jacobian (step 1e-7·(1 + |w_i|))
//! computed at the seed, kept up to date with Broyden rank-one updates and recomputed when a
//! step does not halve ‖ρ‖. Targets run over linspace(T_0, A_max, N) with T_0 the seed's
//! fundamental; each point starts from the secant extrapolation of the two previous
//! converged ones. Folds are the interior extrema of Φ along the converged points, refined by
//! the vertex of the parabola Φ(A1) through the extremum and its neighbours.

use nalgebra::{DMatrix, DVector};

use super::exact::SETTLE_PERIODS;
use super::fourier::{amplitudes, Trig};
use super::model::{
    half_step, Linearisation, PeriodMap, Sensitivity, State, Structure, SAMPLES_PER_PERIOD,
};
use super::shooting::{floquet_max, refresh_linearisation, settle_from_rest, shoot, Orbit};
use crate::{Cancel, ToolError};

/// Shooting tolerance inside the CBC loop (tight, so that finite differences are clean).
const CBC_SHOOT_TOL: f64 = 1e-12;
/// Shooting Newton iterations per residual evaluation.
const CBC_SHOOT_ITER: usize = 12;
/// Consecutive unconverged points after which the experiment stops.
const MAX_CONSECUTIVE_FAILURES: usize = 5;

/// Settings of the virtual experiment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CbcSettings {
    pub omega_rad_s: f64,
    pub seed_forcing_n: f64,
    pub amplitude_max_m: f64,
    pub points: usize,
    pub kp_n_per_m: f64,
    pub kd_ns_per_m: f64,
    pub harmonics: usize,
    pub tol_n: f64,
    pub max_iterations: usize,
}

/// One CBC point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CbcPoint {
    pub index: usize,
    pub target_amplitude_m: f64,
    pub forcing_n: f64,
    pub amplitude_m: [f64; 3],
    pub half_peak_to_peak_1_m: f64,
    pub invasiveness_n: f64,
    pub iterations: usize,
    pub converged: bool,
    /// RMS of the control force over harmonics 0..H at the end.
    pub residual_n: f64,
}

/// A fold of the CBC branch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CbcFold {
    pub forcing_n: f64,
    pub amplitude_1_m: f64,
}

/// The experiment's outcome.
#[derive(Debug, Clone, Default)]
pub struct CbcRun {
    pub seed_amplitude_1_m: f64,
    pub points: Vec<CbcPoint>,
    pub folds: Vec<CbcFold>,
    pub harmonic_iterations: usize,
    pub periods: usize,
    pub warnings: Vec<String>,
}

/// What one residual evaluation returns.
#[derive(Debug, Clone)]
struct Eval {
    rho: DVector<f64>,
    orbit: Orbit,
    forcing_n: f64,
    invasiveness_n: f64,
}

struct Experiment<'a> {
    st: Structure,
    s: CbcSettings,
    trig: Trig,
    /// cos/sin of 2πq/(2n) for the half-step drive table.
    half_cos: Vec<f64>,
    half_sin: Vec<f64>,
    sub: usize,
    cancel: &'a Cancel,
    periods: usize,
    /// The closed loop's latest linearisation: the chord Jacobian of every shooting solve
    /// (the monodromy depends on w only through the orbit, which moves little).
    chord: Option<Linearisation>,
}

impl Experiment<'_> {
    fn dim(&self) -> usize {
        2 * self.s.harmonics + 1
    }

    /// Target coefficient (a_n, b_n) for n ≥ 0 from the unknowns and the fundamental T.
    fn target(&self, w: &DVector<f64>, t: f64, n: usize) -> (f64, f64) {
        match n {
            0 => (w[2], 0.0),
            1 => (t, 0.0),
            _ => (w[3 + 2 * (n - 2)], w[4 + 2 * (n - 2)]),
        }
    }

    /// Closed-loop map for unknowns w and target fundamental t.
    fn map(&self, w: &DVector<f64>, t: f64) -> PeriodMap {
        let (kp, kd, om) = (self.s.kp_n_per_m, self.s.kd_ns_per_m, self.s.omega_rad_s);
        let len = self.half_cos.len();
        let mut table = vec![0.0; len + 1];
        for (k, c) in table.iter_mut().enumerate() {
            let q = k % len;
            *c = w[0] * self.half_cos[q] + w[1] * self.half_sin[q];
        }
        for n in 0..=self.s.harmonics {
            let (a, b) = self.target(w, t, n);
            if n == 0 {
                table.iter_mut().for_each(|c| *c += kp * a / 2.0);
                continue;
            }
            if a == 0.0 && b == 0.0 {
                continue;
            }
            let nf = n as f64;
            for (k, c) in table.iter_mut().enumerate() {
                let q = (n * k) % len;
                let (cs, sn) = (self.half_cos[q], self.half_sin[q]);
                let x = a * cs + b * sn;
                let dx = om * nf * (-a * sn + b * cs);
                *c += kp * x + kd * dx;
            }
        }
        PeriodMap::with_table(self.st, om, kp, kd, self.sub, table)
    }

    /// ρ(w) with the closed-loop steady state found from `warm`. None when shooting fails.
    fn eval(&mut self, w: &DVector<f64>, t: f64, warm: &State) -> Result<Option<Eval>, ToolError> {
        let map = self.map(w, t);
        let orbit = shoot(
            &map,
            warm,
            Sensitivity::None,
            CBC_SHOOT_TOL,
            CBC_SHOOT_ITER,
            self.chord.clone(),
            self.cancel,
        )?;
        let Some(orbit) = orbit else {
            self.periods += CBC_SHOOT_ITER + 1;
            self.chord = None;
            return Ok(None);
        };
        self.periods += orbit.periods;
        self.chord = Some(orbit.lin.clone());
        let (kp, kd, om) = (self.s.kp_n_per_m, self.s.kd_ns_per_m, self.s.omega_rad_s);
        let n_s = SAMPLES_PER_PERIOD;
        // Target and its time derivative at the samples.
        let mut u = vec![0.0; n_s];
        for (j, uj) in u.iter_mut().enumerate() {
            let mut x = 0.0;
            let mut dx = 0.0;
            for n in 0..=self.s.harmonics {
                let (a, b) = self.target(w, t, n);
                if n == 0 {
                    x += a / 2.0;
                    continue;
                }
                let q = (n * j) % n_s;
                let (cs, sn) = (self.trig.cos[q], self.trig.sin[q]);
                x += a * cs + b * sn;
                dx += om * n as f64 * (-a * sn + b * cs);
            }
            let s = orbit.samples[j];
            *uj = kp * (x - s[0]) + kd * (dx - s[3]);
        }
        let mut rho = DVector::zeros(self.dim());
        let (a0, _) = self.trig.coefficients(u.iter().copied(), 0);
        rho[0] = a0;
        let mut fund = (0.0, 0.0);
        for n in 1..=self.s.harmonics {
            let (a, b) = self.trig.coefficients(u.iter().copied(), n);
            rho[2 * n - 1] = a;
            rho[2 * n] = b;
            if n == 1 {
                fund = (a, b);
            }
        }
        let forcing_n = (w[0] + fund.0).hypot(w[1] + fund.1);
        let invasiveness_n = (u.iter().map(|v| v * v).sum::<f64>() / n_s as f64).sqrt();
        Ok(Some(Eval {
            rho,
            orbit,
            forcing_n,
            invasiveness_n,
        }))
    }

    /// RMS over harmonics 0..H of a signal with coefficients ρ (Parseval).
    fn rms(rho: &DVector<f64>) -> f64 {
        let mut s = (rho[0] / 2.0).powi(2);
        for k in 1..rho.len() {
            s += rho[k] * rho[k] / 2.0;
        }
        s.sqrt()
    }

    /// Finite-difference Jacobian of ρ at w (base evaluation `base`).
    fn jacobian(
        &mut self,
        w: &DVector<f64>,
        t: f64,
        base: &Eval,
    ) -> Result<Option<DMatrix<f64>>, ToolError> {
        let d = self.dim();
        let mut j = DMatrix::zeros(d, d);
        for i in 0..d {
            let h = 1e-7 * (1.0 + w[i].abs());
            let mut wp = w.clone();
            wp[i] += h;
            let Some(e) = self.eval(&wp, t, &base.orbit.z)? else {
                return Ok(None);
            };
            let col = (&e.rho - &base.rho) / h;
            j.set_column(i, &col);
        }
        Ok(Some(j))
    }
}

/// Runs the experiment. `on_point(point, fraction, message)` sees each point as recorded.
/// Errors with `amplitude_max_m` when the last target does not exceed the seed amplitude.
pub fn run_cbc(
    st: Structure,
    s: CbcSettings,
    cancel: &Cancel,
    on_point: &mut dyn FnMut(&CbcPoint, f64),
) -> Result<CbcRun, ToolError> {
    let sub = st.sub_steps(s.omega_rad_s, s.kp_n_per_m, s.kd_ns_per_m);
    let len = 2 * SAMPLES_PER_PERIOD * sub;
    let half = half_step(sub);
    let mut ex = Experiment {
        st,
        s,
        trig: Trig::default(),
        half_cos: (0..len).map(|k| (k as f64 * half).cos()).collect(),
        half_sin: (0..len).map(|k| (k as f64 * half).sin()).collect(),
        sub,
        cancel,
        periods: 0,
        chord: None,
    };
    let mut run = CbcRun::default();

    // Seed: the open-loop steady state at Φ = forcing_min.
    let open = PeriodMap::open_loop(st, s.omega_rad_s, s.seed_forcing_n);
    let y = settle_from_rest(&open, SETTLE_PERIODS, cancel)?.ok_or_else(|| {
        ToolError::failed(
            "the seed response from rest grew beyond 1e3 m or became non-finite: no seed orbit",
        )
    })?;
    ex.periods += SETTLE_PERIODS;
    let seed = shoot(
        &open,
        &y,
        Sensitivity::None,
        CBC_SHOOT_TOL,
        30,
        None,
        cancel,
    )?
    .ok_or_else(|| ToolError::failed("shooting Newton failed for the seed orbit"))?;
    ex.periods += seed.periods;
    let x1: Vec<f64> = seed.samples.iter().map(|v| v[0]).collect();
    let (a1, b1) = ex.trig.coefficients(x1.iter().copied(), 1);
    let t0 = a1.hypot(b1);
    run.seed_amplitude_1_m = t0;
    if s.amplitude_max_m.partial_cmp(&t0) != Some(std::cmp::Ordering::Greater) {
        return Err(ToolError::invalid(
            "amplitude_max_m",
            format!(
                "must exceed the seed amplitude {t0:.7} m found at forcing_min_n = {} N, is {} m",
                s.seed_forcing_n, s.amplitude_max_m
            ),
        ));
    }
    // Shift time so that the seed's x1 fundamental is a pure cosine.
    let theta = b1.atan2(a1);
    let dim = ex.dim();
    let mut w = DVector::zeros(dim);
    w[0] = s.seed_forcing_n * theta.sin();
    w[1] = s.seed_forcing_n * theta.cos();
    let (a0, _) = ex.trig.coefficients(x1.iter().copied(), 0);
    w[2] = a0;
    for n in 2..=s.harmonics {
        let (an, bn) = ex.trig.coefficients(x1.iter().copied(), n);
        let (c, sn) = ((n as f64 * theta).cos(), (n as f64 * theta).sin());
        w[3 + 2 * (n - 2)] = an * c + bn * sn;
        w[4 + 2 * (n - 2)] = -an * sn + bn * c;
    }
    let mut warm = seed.z;
    let targets: Vec<f64> = (0..s.points)
        .map(|j| t0 + (s.amplitude_max_m - t0) * j as f64 / (s.points - 1) as f64)
        .collect();

    let mut jac: Option<DMatrix<f64>> = None;
    let mut history: Vec<DVector<f64>> = Vec::new();
    let mut consecutive_failures = 0;
    for (j, &t) in targets.iter().enumerate() {
        cancel.check()?;
        let guess = match history.len() {
            0 => w.clone(),
            1 => history[0].clone(),
            n => &history[n - 1] * 2.0 - &history[n - 2],
        };
        let mut wj = guess;
        let mut ev = match ex.eval(&wj, t, &warm)? {
            Some(e) => Some(e),
            None => {
                // Fall back to the last converged unknowns.
                wj = history.last().cloned().unwrap_or_else(|| w.clone());
                ex.eval(&wj, t, &warm)?
            }
        };
        let mut iterations = 0;
        let mut converged = false;
        let mut fresh_jacobian = false;
        if let Some(e) = ev.as_ref() {
            if jac.is_none() {
                jac = ex.jacobian(&wj, t, e)?;
                fresh_jacobian = true;
            }
        }
        while let Some(e) = ev.as_ref() {
            if Experiment::rms(&e.rho) <= s.tol_n {
                converged = true;
                break;
            }
            if iterations >= s.max_iterations {
                break;
            }
            let Some(jm) = jac.as_ref() else { break };
            let Some(dw) = jm.clone().lu().solve(&(-&e.rho)) else {
                if fresh_jacobian {
                    break;
                }
                jac = ex.jacobian(&wj, t, e)?;
                fresh_jacobian = true;
                iterations += 1;
                continue;
            };
            let w_new = &wj + &dw;
            iterations += 1;
            let Some(e_new) = ex.eval(&w_new, t, &e.orbit.z)? else {
                break;
            };
            let (r_old, r_new) = (e.rho.norm(), e_new.rho.norm());
            if r_new > r_old && fresh_jacobian {
                // Newton with a fresh Jacobian made things worse: no solution near this
                // target (e.g. beyond the largest amplitude of the branch). Keep the better
                // iterate and give up on the point.
                break;
            }
            fresh_jacobian = false;
            if r_new <= 0.5 * r_old {
                let jm = jac.as_mut().expect("checked above");
                let dr = &e_new.rho - &e.rho - &*jm * &dw;
                let denom = dw.dot(&dw);
                if denom > 0.0 {
                    *jm += dr * dw.transpose() / denom;
                }
            } else {
                jac = ex.jacobian(&w_new, t, &e_new)?;
                fresh_jacobian = true;
            }
            if r_new > r_old {
                // Keep the better iterate; the fresh Jacobian gets another try from it.
                continue;
            }
            wj = w_new;
            ev = Some(e_new);
        }
        run.harmonic_iterations += iterations;
        let Some(e) = ev else {
            consecutive_failures += 1;
            run.points.push(CbcPoint {
                index: j,
                target_amplitude_m: t,
                forcing_n: 0.0,
                amplitude_m: [0.0; 3],
                half_peak_to_peak_1_m: 0.0,
                invasiveness_n: 0.0,
                iterations,
                converged: false,
                residual_n: f64::INFINITY,
            });
            run.warnings.push(format!(
                "CBC point {j} (target {t:.6} m): the closed loop has no steady state (shooting \
                 failed) with kp = {} N/m, kd = {} N·s/m",
                s.kp_n_per_m, s.kd_ns_per_m
            ));
            if consecutive_failures >= MAX_CONSECUTIVE_FAILURES {
                break;
            }
            continue;
        };
        // Stability of the closed loop at the point itself.
        let map = ex.map(&wj, t);
        let mut orbit = e.orbit.clone();
        let periods_before = orbit.periods;
        let fresh = refresh_linearisation(&mut orbit, &map, Sensitivity::None, 1e-12);
        ex.periods += orbit.periods - periods_before;
        let loop_floquet = if fresh {
            ex.chord = Some(orbit.lin.clone());
            floquet_max(&orbit.lin)
        } else {
            f64::INFINITY
        };
        let gains = format!("kp = {} N/m, kd = {} N·s/m", s.kp_n_per_m, s.kd_ns_per_m);
        if loop_floquet >= 1.0 {
            converged = false;
            run.warnings.push(format!(
                "CBC point {j} (target {t:.6} m): the closed loop is not stable (largest Floquet \
                 multiplier {loop_floquet:.4} ≥ 1) with {gains}; the point is unconverged"
            ));
        } else if !converged {
            run.warnings.push(format!(
                "CBC point {j} (target {t:.6} m) did not converge in {iterations} iterations \
                 (residual {:.3e} N) with {gains}",
                Experiment::rms(&e.rho)
            ));
        }
        let amps = amplitudes(&ex.trig, &e.orbit.samples);
        let point = CbcPoint {
            index: j,
            target_amplitude_m: t,
            forcing_n: e.forcing_n,
            amplitude_m: amps.fundamental_m,
            half_peak_to_peak_1_m: amps.half_peak_to_peak_m[0],
            invasiveness_n: e.invasiveness_n,
            iterations,
            converged,
            residual_n: Experiment::rms(&e.rho),
        };
        on_point(&point, (j + 1) as f64 / s.points as f64);
        run.points.push(point);
        if converged {
            consecutive_failures = 0;
            history.push(wj);
            warm = e.orbit.z;
        } else {
            consecutive_failures += 1;
            if consecutive_failures >= MAX_CONSECUTIVE_FAILURES {
                break;
            }
        }
    }
    if run.points.len() < s.points {
        run.warnings.push(format!(
            "the CBC experiment stopped after {MAX_CONSECUTIVE_FAILURES} consecutive \
             unconverged points; {} of {} points were attempted (partial result)",
            run.points.len(),
            s.points
        ));
    }
    let bad: Vec<&CbcPoint> = run.points.iter().filter(|p| !p.converged).collect();
    if !bad.is_empty() {
        let worst = bad
            .iter()
            .map(|p| p.residual_n)
            .filter(|r| r.is_finite())
            .fold(0.0, f64::max);
        run.warnings.push(format!(
            "{} of {} CBC points did not converge (largest residual {worst:.3e} N)",
            bad.len(),
            run.points.len()
        ));
    }
    run.folds = folds(&run.points);
    run.periods = ex.periods;
    Ok(run)
}

/// Interior extrema of Φ along the converged points, each refined by the vertex of the
/// parabola Φ(A1) through it and its two neighbours.
pub fn folds(points: &[CbcPoint]) -> Vec<CbcFold> {
    let c: Vec<&CbcPoint> = points.iter().filter(|p| p.converged).collect();
    let mut out = Vec::new();
    for i in 1..c.len().saturating_sub(1) {
        let (l, m, r) = (c[i - 1], c[i], c[i + 1]);
        let is_max = m.forcing_n > l.forcing_n && m.forcing_n >= r.forcing_n;
        let is_min = m.forcing_n < l.forcing_n && m.forcing_n <= r.forcing_n;
        if !(is_max || is_min) {
            continue;
        }
        let (x0, x1, x2) = (l.amplitude_m[0], m.amplitude_m[0], r.amplitude_m[0]);
        let (y0, y1, y2) = (l.forcing_n, m.forcing_n, r.forcing_n);
        out.push(
            parabola_vertex([x0, x1, x2], [y0, y1, y2]).unwrap_or(CbcFold {
                forcing_n: y1,
                amplitude_1_m: x1,
            }),
        );
    }
    out
}

/// Vertex of the parabola through three points (None when degenerate or outside the span).
fn parabola_vertex(x: [f64; 3], y: [f64; 3]) -> Option<CbcFold> {
    let d1 = (y[1] - y[0]) / (x[1] - x[0]);
    let d2 = (y[2] - y[1]) / (x[2] - x[1]);
    let a = (d2 - d1) / (x[2] - x[0]);
    if !(a.is_finite() && a != 0.0) {
        return None;
    }
    let b = d1 - a * (x[0] + x[1]);
    let xv = -b / (2.0 * a);
    let (lo, hi) = (x[0].min(x[2]), x[0].max(x[2]));
    if !(xv >= lo && xv <= hi) {
        return None;
    }
    // Newton form through (x0, y0), (x1, y1): y = y0 + d1 (x − x0) + a (x − x0)(x − x1).
    let yv = y[0] + d1 * (xv - x[0]) + a * (xv - x[0]) * (xv - x[1]);
    Some(CbcFold {
        forcing_n: yv,
        amplitude_1_m: xv,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parabola_vertex_of_an_exact_parabola() {
        let f = |x: f64| 3.0 - 2.0 * (x - 0.4).powi(2);
        let v = parabola_vertex([0.2, 0.35, 0.6], [f(0.2), f(0.35), f(0.6)]).unwrap();
        assert!((v.amplitude_1_m - 0.4).abs() < 1e-12);
        assert!((v.forcing_n - 3.0).abs() < 1e-12);
    }
}
