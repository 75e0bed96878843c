//! Exact time integration of the lumped model for each excitation (docs/simulator.md §4.3).
//!
//! Everything is built on the first-order-hold steps of [`super::discretise`]; the force is
//! linear between the knots listed here, so the result is the exact solution for that force:
//!
//! - **none / noise**: knots = samples; one cached `Φ(dt)` step per sample.
//! - **hammer**: inside `[t0 − 8σ, t0 + 8σ]` the part of every sample interval within the
//!   window is cut into `n = ceil(L/(σ/500))` equal sub-steps (all interior intervals share
//!   `dt/n`); the Gaussian is evaluated at every knot. Outside the window, samples only
//!   (FOH error ≈ 2e-7 of the peak).
//! - **impulse**: propagate to `t0` (partial step), add `Δż = B·I` (`Δẋ_f = I/m_f`), then
//!   to the next sample. A sample exactly at `t0` shows the state *before* the kick (the kick
//!   acts in `[t0, t0 + dt)`): this is what the reference `rs_cases.json` encodes (its velocity
//!   peak is the sample after `t0`), although docs/simulator.md §4.3 words it the other way.
//! - **harmonic**: closed form `z(t) = z_p(t) + e^{At}(z(0) − z_p(0))`,
//!   `z_p(t) = Im[(iωI − A)⁻¹ B A_h e^{iωt}]`; the homogeneous part is advanced with `Φ(dt)`.
//! - **sweep**: the force is smooth but not linear between samples, so each sample interval
//!   is integrated with a degree-6 polynomial hold ([`PolyHold`]; `m` pieces with
//!   `2π f_max Δt/m ≤ 1/2`, interpolation error < 1e-8 of the amplitude). For the linear sweep
//!   `e^{iφ}` at the nodes comes from recurrences that are exact in exact arithmetic (the phase
//!   is quadratic) and reseeded every 256 samples; the logarithmic sweep takes one sine per
//!   node, its exponential from a recurrence reseeded as often.
//! - **table**: knots = union of the samples and the table knots `i·dt_table` (many distinct
//!   step lengths): modal propagation ([`ModalPropagator`]), or Van Loan steps if `A` cannot be
//!   diagonalised reliably.
//!
//! The state of every sample is handed to a sink `(index, z, F(t_i))`, so nothing of size
//! `6·S` is stored here.

use nalgebra::{Matrix6, Vector6};
use num_complex::Complex64;

use super::discretise::{modal_apply, FohStep, ModalPropagator, State, StepCache, SubStepWeights};
use super::excitation::{Excitation, SweepKind};
use super::grid::TimeGrid;
use super::polyhold::PolyHold;
use crate::lumped::LumpedModel;
use crate::{Cancel, ToolError};

/// How often (in samples) a long run checks for cancellation.
const CANCEL_EVERY: usize = 1 << 16;
/// Intervals between exact re-evaluations of the linear sweep's phase recurrences.
const RESEED_EVERY: usize = 256;

/// The model in state-space form, with the force on one floor.
#[derive(Debug, Clone)]
pub struct Plant {
    pub model: LumpedModel,
    pub force_floor: usize,
    pub a: Matrix6<f64>,
    pub b: Vector6<f64>,
}

impl Plant {
    pub fn new(model: LumpedModel, force_floor: usize) -> Result<Self, ToolError> {
        let a = model.state_matrix()?;
        let b = model.input_vector(force_floor)?;
        Ok(Self {
            model,
            force_floor,
            a,
            b,
        })
    }

    /// Floor accelerations `ẍ = M⁻¹(e_f F − C ẋ − K x)` from the state (rows 4..6 of `A z + B F`).
    #[inline(always)]
    pub fn acceleration(&self, z: &State, f: f64) -> [f64; 3] {
        let mut out = [0.0; 3];
        for (i, o) in out.iter_mut().enumerate() {
            let r = 3 + i;
            let mut acc = self.b[r] * f;
            for j in 0..6 {
                acc += self.a[(r, j)] * z[j];
            }
            *o = acc;
        }
        out
    }
}

/// Integrates from `z0` over `grid` with `exc`, calling `sink(i, z_i, F(t_i))` for every sample.
pub fn simulate(
    plant: &Plant,
    grid: &TimeGrid,
    exc: &Excitation,
    z0: State,
    cancel: &Cancel,
    mut sink: impl FnMut(usize, &State, f64),
) -> Result<(), ToolError> {
    let n = grid.len;
    let dt = grid.dt_s;
    let full = FohStep::new(&plant.a, &plant.b, dt)?;
    match exc {
        Excitation::None => {
            let mut z = z0;
            sink(0, &z, 0.0);
            for i in 1..n {
                z = full.free(&z);
                sink(i, &z, 0.0);
                if i % CANCEL_EVERY == 0 {
                    cancel.check()?;
                }
            }
        }
        Excitation::Noise { .. } => {
            return Err(ToolError::failed(
                "internal: the noise force must be sampled before the integration",
            ))
        }
        Excitation::Samples(f) => {
            if f.len() != n {
                return Err(ToolError::failed("force samples do not match the grid"));
            }
            let mut z = z0;
            sink(0, &z, f[0]);
            for i in 1..n {
                z = full.apply(&z, f[i - 1], f[i]);
                sink(i, &z, f[i]);
                if i % CANCEL_EVERY == 0 {
                    cancel.check()?;
                }
            }
        }
        Excitation::Hammer { t0_s, sigma_s, .. } => {
            let ws = t0_s - 8.0 * sigma_s;
            let we = t0_s + 8.0 * sigma_s;
            let hmax = sigma_s / 500.0;
            let n_full = (dt / hmax).ceil().max(1.0) as usize;
            let h_full = dt / n_full as f64;
            let sub_full = FohStep::new(&plant.a, &plant.b, h_full)?;
            // Interior intervals: the n sub-steps precombined (bounded memory: n ≤ 4096).
            let weights = (n_full <= 4096).then(|| SubStepWeights::new(&sub_full, n_full));
            let mut fk = vec![0.0; if weights.is_some() { n_full + 1 } else { 0 }];
            let mut cache = StepCache::new(&plant.a, &plant.b);
            let mut z = z0;
            let mut fa = exc.value(grid.t(0));
            sink(0, &z, fa);
            for i in 1..n {
                let ta = grid.t(i - 1);
                let tb = grid.t(i);
                let fb = exc.value(tb);
                if tb <= ws || ta >= we {
                    z = full.apply(&z, fa, fb);
                } else if ta >= ws && tb <= we {
                    if let Some(w) = &weights {
                        fk[0] = fa;
                        fk[n_full] = fb;
                        for (j, f) in fk.iter_mut().enumerate().take(n_full).skip(1) {
                            *f = exc.value(ta + j as f64 * h_full);
                        }
                        z = w.apply(&z, &fk);
                    } else {
                        let mut fp = fa;
                        for j in 1..=n_full {
                            let fq = if j == n_full {
                                fb
                            } else {
                                exc.value(ta + j as f64 * h_full)
                            };
                            z = sub_full.apply(&z, fp, fq);
                            fp = fq;
                        }
                    }
                } else {
                    // An interval cut by a window edge: [ta, lo], sub-steps on [lo, hi], [hi, tb].
                    let lo = ta.max(ws);
                    let hi = tb.min(we);
                    let mut fp = fa;
                    if lo > ta {
                        let f_lo = exc.value(lo);
                        z = cache.get(lo - ta)?.apply(&z, fp, f_lo);
                        fp = f_lo;
                    }
                    let len = hi - lo;
                    if len > 0.0 {
                        let m = (len / hmax).ceil().max(1.0) as usize;
                        let h = len / m as f64;
                        let step = cache.get(h)?.clone();
                        for j in 1..=m {
                            let fq = if j == m {
                                exc.value(hi)
                            } else {
                                exc.value(lo + j as f64 * h)
                            };
                            z = step.apply(&z, fp, fq);
                            fp = fq;
                        }
                    }
                    if tb > hi {
                        z = cache.get(tb - hi)?.apply(&z, fp, fb);
                    }
                }
                sink(i, &z, fb);
                fa = fb;
                if i % CANCEL_EVERY == 0 {
                    cancel.check()?;
                }
            }
        }
        Excitation::Impulse { t0_s, impulse_n_s } => {
            let kick: State = std::array::from_fn(|j| plant.b[j] * impulse_n_s);
            // The kick acts in the interval [t_k, t_k+1) that holds t0; sample k (even when
            // t_k = t0) still shows the state before it (the reference data's convention).
            let k = grid.index_at_or_before(*t0_s).unwrap_or(0);
            let mut z = z0;
            for i in 0..n {
                if i > 0 {
                    if i - 1 == k {
                        let delta = (t0_s - grid.t(k)).clamp(0.0, dt);
                        let first = FohStep::new(&plant.a, &plant.b, delta)?;
                        let second = FohStep::new(&plant.a, &plant.b, dt - delta)?;
                        z = first.free(&z);
                        for j in 0..6 {
                            z[j] += kick[j];
                        }
                        z = second.free(&z);
                    } else {
                        z = full.free(&z);
                    }
                }
                sink(i, &z, 0.0);
                if i % CANCEL_EVERY == 0 {
                    cancel.check()?;
                }
            }
        }
        Excitation::Harmonic {
            amplitude_n,
            frequency_hz,
        } => {
            let omega = std::f64::consts::TAU * frequency_hz;
            let m = plant.a.map(|x| Complex64::new(-x, 0.0))
                + Matrix6::<Complex64>::identity() * Complex64::new(0.0, omega);
            let rhs = plant.b.map(|x| Complex64::new(x * amplitude_n, 0.0));
            let g = m
                .lu()
                .solve(&rhs)
                .filter(|g| g.iter().all(|c| c.is_finite()))
                .ok_or_else(|| {
                    ToolError::invalid(
                        "harmonic_frequency_hz",
                        "the excitation frequency coincides with an undamped mode",
                    )
                })?;
            // z_p(t) = Re G sin ωt + Im G cos ωt
            let zp = |t: f64| -> State {
                let (s, c) = (omega * t).sin_cos();
                std::array::from_fn(|j| g[j].re * s + g[j].im * c)
            };
            let zp0 = zp(0.0);
            let mut w: State = std::array::from_fn(|j| z0[j] - zp0[j]);
            for i in 0..n {
                if i > 0 {
                    w = full.free(&w);
                }
                let t = grid.t(i);
                let p = zp(t);
                let z: State = std::array::from_fn(|j| p[j] + w[j]);
                sink(i, &z, exc.value(t));
                if i % CANCEL_EVERY == 0 {
                    cancel.check()?;
                }
            }
        }
        Excitation::Sweep {
            kind,
            f0_hz,
            f1_hz,
            amplitude_n,
            duration_s,
        } => {
            let tau = std::f64::consts::TAU;
            let hold = PolyHold::new(
                &plant.a,
                &plant.b,
                dt,
                PolyHold::pieces_for(tau * f0_hz.max(*f1_hz), dt),
            )?;
            let nodes = &hold.nodes_s;
            let last = nodes.len() - 1;
            let mut fk = vec![0.0; nodes.len()];
            let mut z = z0;
            let mut fa = exc.value(grid.t(0));
            sink(0, &z, fa);
            match kind {
                SweepKind::Linear => {
                    // φ(t_a + s) = φ_a + φ'_a s + ½ φ'' s² exactly (φ'' constant), and φ'_a
                    // grows by φ''Δt per interval: with R = e^{iφ_a} and
                    // E_k = e^{i(φ'_a s_k + ½φ'' s_k²)}, F(t_a + s_k) = A Im(R E_k), the next
                    // R is R E_last and each E_k is multiplied by e^{iφ''Δt s_k}. Both are
                    // reseeded exactly every RESEED_EVERY intervals, so rounding cannot build up.
                    let d2 = tau * (f1_hz - f0_hz) / duration_s;
                    let turn: Vec<Complex64> = nodes
                        .iter()
                        .map(|&s| Complex64::from_polar(1.0, d2 * dt * s))
                        .collect();
                    let mut e = vec![Complex64::new(0.0, 0.0); nodes.len()];
                    let mut r = Complex64::new(0.0, 0.0);
                    for i in 1..n {
                        if (i - 1) % RESEED_EVERY == 0 {
                            let ta = grid.t(i - 1);
                            let d1 = tau * (f0_hz + (f1_hz - f0_hz) * ta / duration_s);
                            r = Complex64::from_polar(1.0, exc.sweep_phase(ta));
                            for (ek, &s) in e.iter_mut().zip(nodes) {
                                *ek = Complex64::from_polar(1.0, d1 * s + 0.5 * d2 * s * s);
                            }
                        }
                        fk[0] = fa;
                        for k in 1..=last {
                            fk[k] = amplitude_n * (r * e[k]).im;
                        }
                        r *= e[last];
                        for (ek, t) in e.iter_mut().zip(&turn) {
                            *ek *= t;
                        }
                        z = hold.weights.apply(&z, &fk);
                        fa = fk[last];
                        sink(i, &z, fa);
                        if i % CANCEL_EVERY == 0 {
                            cancel.check()?;
                        }
                    }
                }
                SweepKind::Logarithmic => {
                    // φ(t) = K (e^{αt} − 1): at the nodes e^{α(t_a + s_k)} = E_a g_k with
                    // g_k = e^{α s_k} fixed and E_a multiplied by e^{αΔt} per interval
                    // (reseeded every RESEED_EVERY intervals): one sine per node, no exp/ln.
                    let alpha = (f1_hz / f0_hz).ln() / duration_s;
                    let k_rad = tau * f0_hz / alpha;
                    let g: Vec<f64> = nodes.iter().map(|&s| (alpha * s).exp()).collect();
                    let grow = (alpha * dt).exp();
                    let mut ea = 1.0;
                    for i in 1..n {
                        if (i - 1) % RESEED_EVERY == 0 {
                            ea = (alpha * grid.t(i - 1)).exp();
                        }
                        fk[0] = fa;
                        for k in 1..=last {
                            fk[k] = amplitude_n * (k_rad * (ea * g[k] - 1.0)).sin();
                        }
                        ea *= grow;
                        z = hold.weights.apply(&z, &fk);
                        fa = fk[last];
                        sink(i, &z, fa);
                        if i % CANCEL_EVERY == 0 {
                            cancel.check()?;
                        }
                    }
                }
            }
        }
        Excitation::Table { dt_s, values_n } => {
            simulate_table(
                plant,
                grid,
                exc,
                *dt_s,
                values_n.len(),
                z0,
                cancel,
                &mut sink,
            )?;
        }
    }
    Ok(())
}

/// The knots `i·dt_table` strictly inside `(ta, tb)`.
fn table_knots(dt_table: f64, len: usize, ta: f64, tb: f64, out: &mut Vec<f64>) {
    out.clear();
    if len < 2 {
        return;
    }
    let last = len - 1;
    let mut k = ((ta / dt_table).floor().max(0.0) as usize).min(last);
    while k > 0 && k as f64 * dt_table > ta {
        k -= 1;
    }
    while k <= last {
        let tk = k as f64 * dt_table;
        if tk >= tb {
            break;
        }
        if tk > ta {
            out.push(tk);
        }
        k += 1;
    }
}

fn simulate_table(
    plant: &Plant,
    grid: &TimeGrid,
    exc: &Excitation,
    dt_table: f64,
    len: usize,
    z0: State,
    cancel: &Cancel,
    sink: &mut impl FnMut(usize, &State, f64),
) -> Result<(), ToolError> {
    let n = grid.len;
    let dt = grid.dt_s;
    let mut knots = Vec::new();
    let mut fa = exc.value(grid.t(0));
    sink(0, &z0, fa);
    if let Some(mp) = ModalPropagator::new(&plant.model, plant.force_floor) {
        let full = mp.step(dt);
        let mut q = mp.to_modal(&z0);
        for i in 1..n {
            let ta = grid.t(i - 1);
            let tb = grid.t(i);
            let fb = exc.value(tb);
            table_knots(dt_table, len, ta, tb, &mut knots);
            if knots.is_empty() {
                modal_apply(&full, &mut q, fa, fb);
            } else {
                let (mut tp, mut fp) = (ta, fa);
                for &tk in &knots {
                    let fk = exc.value(tk);
                    modal_apply(&mp.step(tk - tp), &mut q, fp, fk);
                    tp = tk;
                    fp = fk;
                }
                modal_apply(&mp.step(tb - tp), &mut q, fp, fb);
            }
            sink(i, &mp.to_state(&q), fb);
            fa = fb;
            if i % CANCEL_EVERY == 0 {
                cancel.check()?;
            }
        }
    } else {
        let full = FohStep::new(&plant.a, &plant.b, dt)?;
        let mut z = z0;
        for i in 1..n {
            let ta = grid.t(i - 1);
            let tb = grid.t(i);
            let fb = exc.value(tb);
            table_knots(dt_table, len, ta, tb, &mut knots);
            if knots.is_empty() {
                z = full.apply(&z, fa, fb);
            } else {
                let (mut tp, mut fp) = (ta, fa);
                for &tk in &knots {
                    let fk = exc.value(tk);
                    z = FohStep::new(&plant.a, &plant.b, tk - tp)?.apply(&z, fp, fk);
                    tp = tk;
                    fp = fk;
                }
                z = FohStep::new(&plant.a, &plant.b, tb - tp)?.apply(&z, fp, fb);
            }
            sink(i, &z, fb);
            fa = fb;
            if i % 1024 == 0 {
                cancel.check()?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::grid::GridKind;
    use super::*;
    use crate::lumped::Profile;

    fn run(exc: &Excitation, grid: &TimeGrid, z0: State) -> Vec<State> {
        let plant = Plant::new(Profile::default().model(), 1).unwrap();
        let mut out = Vec::new();
        simulate(&plant, grid, exc, z0, &Cancel::new(), |_, z, _| {
            out.push(*z)
        })
        .unwrap();
        out
    }

    #[test]
    fn table_on_the_sample_grid_equals_noise_samples() {
        let grid = TimeGrid::new(GridKind::Uniform, 1.0, 256.0, 256);
        let f: Vec<f64> = (0..256).map(|i| ((i * 7919) % 13) as f64 - 6.0).collect();
        let a = run(&Excitation::Samples(f.clone()), &grid, [0.0; 6]);
        let b = run(
            &Excitation::Table {
                dt_s: 1.0 / 256.0,
                values_n: f,
            },
            &grid,
            [0.0; 6],
        );
        let peak = a.iter().map(|z| z[2].abs()).fold(0.0, f64::max);
        for (x, y) in a.iter().zip(&b) {
            for j in 0..6 {
                assert!((x[j] - y[j]).abs() < 1e-9 * peak.max(1e-12) * 1e3);
            }
        }
    }

    #[test]
    fn impulse_equals_initial_velocity() {
        // A kick at t = 0 is the free decay from ẋ_1 = I/m_1 (from sample 1 on).
        let grid = TimeGrid::new(GridKind::Uniform, 1.0, 512.0, 512);
        let a = run(
            &Excitation::Impulse {
                t0_s: 0.0,
                impulse_n_s: 2.0,
            },
            &grid,
            [0.0; 6],
        );
        let v0 = 2.0 / crate::lumped::DEFAULT_MASSES_KG[0];
        let b = run(&Excitation::None, &grid, [0.0, 0.0, 0.0, v0, 0.0, 0.0]);
        assert_eq!(a[0], [0.0; 6]);
        for (x, y) in a.iter().zip(&b).skip(1) {
            for j in 0..6 {
                assert!((x[j] - y[j]).abs() < 1e-15);
            }
        }
    }
}
