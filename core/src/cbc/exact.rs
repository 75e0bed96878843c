//! `exact` mode (docs/cbc.md §4.1): the true curve of periodic orbits by pseudo-arclength
//! continuation of shooting solutions.
//!
//! Unknowns u = (x1, x2, x3, ẋ1/ω_r, ẋ2/ω_r, ẋ3/ω_r, p/R) (velocities scaled by a reference
//! frequency ω_r, the parameter p = Φ or ω by its range R). With the unit tangent t at the
//! last point u_0 the predictor is u_0 + Δs·t; the corrector is Newton on
//!
//! ```text
//! φ(z, p) − z = 0,      t·(u − u_0 − Δs·t) = 0
//! ```
//!
//! with the Jacobian [Φ − I, ∂φ/∂p] from the variational equations. The new tangent solves
//! [Φ − I, ∂φ/∂p; t_oldᵀ] t = e7. Step control: halve on Newton failure or more than 6
//! iterations, grow (up to 2×, towards 90 % of the output spacing) on 2 or fewer, and reject a point farther than 0.01 from its
//! predecessor in the output metric (Δp/R, ΔA1/max A1). Folds: sign changes of the
//! p-component of t, refined by Illinois regula falsi on that component along the arclength
//! until p changes by less than 1e-8 relative.

use nalgebra::{SMatrix, SVector};

use super::fourier::{amplitudes, Amplitudes, Trig};
use super::model::{Linearisation, PeriodMap, Sensitivity, State, Structure};
use super::shooting::{
    branch_tangent, floquet_max, refresh_linearisation, settle_from_rest, shoot, Orbit, SHOOT_TOL,
};
use crate::{Cancel, ToolError};

/// Largest number of points of one curve (docs/cbc.md §4.1 item 3).
pub const MAX_POINTS: usize = 20_000;
/// Largest distance between consecutive points in the output metric.
const MAX_OUTPUT_STEP: f64 = 0.01;
/// Periods from rest before the first shooting Newton.
pub const SETTLE_PERIODS: usize = 200;

/// Which parameter the curve varies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CurveKind {
    /// S-curve: Φ varies at fixed ω.
    Forcing { omega_rad_s: f64 },
    /// Frequency response curve: ω varies at fixed Φ.
    Frequency { forcing_n: f64 },
}

impl CurveKind {
    /// The open-loop map at parameter value p.
    pub fn map(&self, st: Structure, p: f64) -> PeriodMap {
        match *self {
            CurveKind::Forcing { omega_rad_s } => PeriodMap::open_loop(st, omega_rad_s, p),
            CurveKind::Frequency { forcing_n } => PeriodMap::open_loop(st, p, forcing_n),
        }
    }

    pub fn sensitivity(&self) -> Sensitivity {
        match self {
            CurveKind::Forcing { .. } => Sensitivity::Forcing,
            CurveKind::Frequency { .. } => Sensitivity::Frequency,
        }
    }
}

/// One point of the curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    pub p: f64,
    pub amplitudes: Amplitudes,
    pub floquet_max: f64,
    pub stable: bool,
}

/// A fold of the curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fold {
    pub p: f64,
    pub amplitude_1_m: f64,
}

/// The whole curve.
#[derive(Debug, Clone, Default)]
pub struct Curve {
    pub points: Vec<CurvePoint>,
    pub folds: Vec<Fold>,
    pub warnings: Vec<String>,
}

type U = SVector<f64, 7>;
type M7 = SMatrix<f64, 7, 7>;

struct Continuer<'a> {
    st: Structure,
    kind: CurveKind,
    p_range: f64,
    omega_ref: f64,
    trig: &'a Trig,
    cancel: &'a Cancel,
}

/// A corrected point: orbit, parameter and Newton iterations.
struct Corrected {
    orbit: Orbit,
    p: f64,
    iterations: usize,
}

impl Continuer<'_> {
    fn to_u(&self, z: &State, p: f64) -> U {
        let w = 1.0 / self.omega_ref;
        U::from([
            z[0],
            z[1],
            z[2],
            z[3] * w,
            z[4] * w,
            z[5] * w,
            p / self.p_range,
        ])
    }

    fn split_u(&self, u: &U) -> (State, f64) {
        let w = self.omega_ref;
        (
            [u[0], u[1], u[2], u[3] * w, u[4] * w, u[5] * w],
            u[6] * self.p_range,
        )
    }

    /// Jacobian of the periodicity residual w.r.t. u (rows 0..6; row 6 left zero).
    fn jacobian(&self, lin: &Linearisation) -> M7 {
        let mut a = M7::zeros();
        for c in 0..6 {
            let scale = if c < 3 { 1.0 } else { self.omega_ref };
            for r in 0..6 {
                let id = if r == c { 1.0 } else { 0.0 };
                a[(r, c)] = (lin.monodromy[c][r] - id) * scale;
            }
        }
        for r in 0..6 {
            a[(r, 6)] = lin.d_end_dp[r] * self.p_range;
        }
        a
    }

    /// Newton (chord) on the periodicity residual plus t·(u − u_pred) = 0. The Jacobian is
    /// taken at the predictor and recomputed when the residual falls by less than 4×.
    fn correct(&self, u_pred: &U, t: &U) -> Result<Option<Corrected>, ToolError> {
        let sens = self.kind.sensitivity();
        let mut u = *u_pred;
        let mut lin: Option<Linearisation> = None;
        let mut lu = None;
        let mut r_prev = f64::INFINITY;
        let mut periods = 0;
        for it in 0..=7 {
            self.cancel.check()?;
            let (z, p) = self.split_u(&u);
            if p.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return Ok(None);
            }
            let map = self.kind.map(self.st, p);
            let Some((end, samples)) = map.integrate(&z, 1) else {
                return Ok(None);
            };
            periods += 1;
            let mut res = U::zeros();
            for r in 0..6 {
                res[r] = end[r] - z[r];
            }
            let rnorm = (0..6).map(|r| res[r] * res[r]).sum::<f64>().sqrt();
            let znorm = z.iter().map(|e| e * e).sum::<f64>().sqrt();
            if rnorm <= SHOOT_TOL * (1.0 + znorm) {
                let lin = match lin {
                    Some(l) => l,
                    None => match map.linearise(&z, sens) {
                        Some(l) => {
                            periods += 1;
                            l
                        }
                        None => return Ok(None),
                    },
                };
                let orbit = Orbit {
                    z,
                    samples,
                    lin,
                    iterations: it,
                    periods,
                };
                return Ok(Some(Corrected {
                    orbit,
                    p,
                    iterations: it,
                }));
            }
            if lin.is_none() || rnorm > 0.25 * r_prev {
                let Some(l) = map.linearise(&z, sens) else {
                    return Ok(None);
                };
                periods += 1;
                let mut a = self.jacobian(&l);
                for c in 0..7 {
                    a[(6, c)] = t[c];
                }
                lu = Some(a.lu());
                lin = Some(l);
            }
            r_prev = rnorm;
            res[6] = t.dot(&(u - u_pred));
            let Some(du) = lu.as_ref().and_then(|lu| lu.solve(&(-res))) else {
                return Ok(None);
            };
            u += du;
            if u.iter().any(|e| !e.is_finite()) {
                return Ok(None);
            }
        }
        Ok(None)
    }

    /// Unit tangent at a corrected orbit, oriented along `t_old`.
    fn tangent(&self, c: &Corrected, t_old: &U) -> Option<U> {
        let mut a = self.jacobian(&c.orbit.lin);
        for k in 0..7 {
            a[(6, k)] = t_old[k];
        }
        let mut rhs = U::zeros();
        rhs[6] = 1.0;
        let t = a.lu().solve(&rhs)?;
        let n = t.norm();
        if !(n.is_finite() && n > 0.0) {
            return None;
        }
        let t = t / n;
        Some(if t.dot(t_old) < 0.0 { -t } else { t })
    }

    fn point(&self, c: &Corrected) -> CurvePoint {
        let fm = floquet_max(&c.orbit.lin);
        CurvePoint {
            p: c.p,
            amplitudes: amplitudes(self.trig, &c.orbit.samples),
            floquet_max: fm,
            stable: fm < 1.0,
        }
    }

    /// Refines a fold between (u_a, t_a) and a point at arclength `s_b` along t_a whose
    /// tangent's p-component is `f_b`.
    fn refine_fold(
        &self,
        u_a: &U,
        t_a: &U,
        s_b: f64,
        f_b: f64,
        fallback: Fold,
    ) -> Result<Fold, ToolError> {
        let (mut s0, mut f0) = (0.0, t_a[6]);
        let (mut s1, mut f1) = (s_b, f_b);
        let mut best = fallback;
        let mut p_last = f64::NAN;
        for _ in 0..40 {
            if f1 == f0 {
                break;
            }
            let s = s1 - f1 * (s1 - s0) / (f1 - f0);
            let Some(mut c) = self.correct(&(u_a + t_a * s), t_a)? else {
                break;
            };
            // The fold test needs the tangent at the point itself.
            let map = self.kind.map(self.st, c.p);
            if !refresh_linearisation(&mut c.orbit, &map, self.kind.sensitivity(), 1e-12) {
                break;
            }
            let Some(t) = self.tangent(&c, t_a) else {
                break;
            };
            let amps = amplitudes(self.trig, &c.orbit.samples);
            best = Fold {
                p: c.p,
                amplitude_1_m: amps.fundamental_m[0],
            };
            let fs = t[6];
            if (c.p - p_last).abs() <= 1e-8 * c.p.abs() || fs == 0.0 {
                break;
            }
            p_last = c.p;
            if fs * f1 < 0.0 {
                s0 = s1;
                f0 = f1;
            } else {
                f0 *= 0.5;
            }
            s1 = s;
            f1 = fs;
        }
        Ok(best)
    }
}

/// The curve from p = `p_min` to `p_max`, at most `max_points` points ([`MAX_POINTS`] in the
/// tool). `on_point` sees every point as it is found, with a progress fraction.
pub fn exact_curve(
    st: Structure,
    kind: CurveKind,
    p_min: f64,
    p_max: f64,
    max_points: usize,
    cancel: &Cancel,
    on_point: &mut dyn FnMut(&CurvePoint, f64),
) -> Result<Curve, ToolError> {
    let trig = Trig::default();
    let omega_ref = match kind {
        CurveKind::Forcing { omega_rad_s } => omega_rad_s,
        CurveKind::Frequency { .. } => 0.5 * (p_min + p_max),
    };
    let cont = Continuer {
        st,
        kind,
        p_range: p_max - p_min,
        omega_ref,
        trig: &trig,
        cancel,
    };
    let mut curve = Curve::default();

    // Start: 200 periods from rest, then shooting Newton.
    let map = kind.map(st, p_min);
    let Some(settled) = settle_from_rest(&map, SETTLE_PERIODS, cancel)? else {
        curve.warnings.push(format!(
            "the response from rest at the start of the curve ({p_min}) grew beyond 1e3 m or \
             became non-finite; no curve"
        ));
        return Ok(curve);
    };
    cancel.check()?;
    let orbit = shoot(
        &map,
        &settled,
        kind.sensitivity(),
        SHOOT_TOL,
        30,
        None,
        cancel,
    )?
    .ok_or_else(|| ToolError::failed("shooting Newton failed at the start of the curve"))?;
    let mut cur = Corrected {
        p: p_min,
        iterations: orbit.iterations,
        orbit,
    };
    let mut e7 = U::zeros();
    e7[6] = 1.0;
    let mut t = cont
        .tangent(&cur, &e7)
        .ok_or_else(|| ToolError::failed("no tangent at the start of the curve"))?;
    let first = cont.point(&cur);
    let mut a1_max = first.amplitudes.fundamental_m[0].max(1e-300);
    let mut fraction = 0.0;
    on_point(&first, fraction);
    curve.points.push(first);

    let mut ds = MAX_OUTPUT_STEP * 0.5;
    let ds_min = 1e-10;
    loop {
        if curve.points.len() >= max_points {
            curve.warnings.push(format!(
                "the exact continuation stopped after {max_points} points before leaving the \
                 parameter range; the curve is partial"
            ));
            break;
        }
        let u0 = cont.to_u(&cur.orbit.z, cur.p);
        let prev = *curve.points.last().expect("at least the start point");
        let next = match cont.correct(&(u0 + t * ds), &t)? {
            Some(c) if c.iterations <= 6 => c,
            _ => {
                ds *= 0.5;
                if ds < ds_min {
                    curve.warnings.push(format!(
                        "the exact continuation could not step on from {:.6} (step size \
                         underflow: the orbit grows beyond 1e3 m, becomes non-finite or Newton \
                         fails); the curve is partial",
                        cur.p
                    ));
                    break;
                }
                continue;
            }
        };
        if next.p > p_max || next.p < p_min {
            // Close the curve exactly at the boundary by natural continuation.
            let bound = if next.p > p_max { p_max } else { p_min };
            if let Some(dzdp) = branch_tangent(&cur.orbit) {
                let z0: State = std::array::from_fn(|i| cur.orbit.z[i] + (bound - cur.p) * dzdp[i]);
                let map = kind.map(st, bound);
                let lin = Some(cur.orbit.lin.clone());
                if let Some(orbit) =
                    shoot(&map, &z0, kind.sensitivity(), SHOOT_TOL, 10, lin, cancel)?
                {
                    let c = Corrected {
                        p: bound,
                        iterations: orbit.iterations,
                        orbit,
                    };
                    let pt = cont.point(&c);
                    on_point(&pt, 1.0);
                    curve.points.push(pt);
                }
            }
            break;
        }
        let pt = cont.point(&next);
        let a1 = pt.amplitudes.fundamental_m[0];
        let scale = a1_max.max(a1);
        let dist = ((next.p - prev.p) / cont.p_range)
            .hypot((a1 - prev.amplitudes.fundamental_m[0]) / scale);
        if dist > MAX_OUTPUT_STEP {
            ds *= 0.8 * MAX_OUTPUT_STEP / dist;
            continue;
        }
        let Some(t_new) = cont.tangent(&next, &t) else {
            ds *= 0.5;
            continue;
        };
        if t_new[6] * t[6] < 0.0 {
            let s_b = t.dot(&(cont.to_u(&next.orbit.z, next.p) - u0));
            let fallback = Fold {
                p: next.p,
                amplitude_1_m: a1,
            };
            curve
                .folds
                .push(cont.refine_fold(&u0, &t, s_b, t_new[6], fallback)?);
        }
        a1_max = scale;
        fraction = f64::max(fraction, 0.99 * (next.p - p_min) / cont.p_range);
        on_point(&pt, fraction);
        curve.points.push(pt);
        // Grow towards the output spacing when Newton was easy, shrink when it struggled.
        if next.iterations <= 2 {
            ds *= (0.9 * MAX_OUTPUT_STEP / dist.max(1e-300)).clamp(1.0, 2.0);
        } else if next.iterations > 4 {
            ds *= 0.7;
        }
        cur = next;
        t = t_new;
    }
    Ok(curve)
}
