//! `frequency_sweep` and `amplitude_sweep` (docs/cbc.md §4.2): infinitely slow open-loop sweeps up
//! and down a grid, recording the stable periodic steady state reached from the previous one.
//!
//! Between grid values the current orbit is continued naturally with sub-steps: predictor
//! z + Δp·dz/dp (dz/dp from the variational equations), shooting Newton at the new value.
//! A sub-step is accepted when Newton converges within 6 iterations to a stable orbit that
//! is close to the predictor; otherwise it is halved. Below 1e-6 of the grid step the
//! stable branch has ended (a fold): the sweep **jumps**. Then the old state is integrated
//! at the new parameter in blocks of 50 periods; after each block shooting Newton is tried,
//! and accepted when it converges to a stable orbit within 1e-6 (relative, velocities scaled
//! by ω) of the integrated state. After 5000 periods the point is recorded unsettled, with
//! the amplitudes of the last integrated period.

use super::exact::{CurveKind, SETTLE_PERIODS};
use super::fourier::{amplitudes, Amplitudes, Trig};
use super::model::{Linearisation, State, Structure};
use super::shooting::{
    branch_tangent, floquet_max, norm, refresh_linearisation, settle_from_rest, shoot, Orbit,
    SHOOT_TOL,
};
use crate::{Cancel, ToolError};

/// Periods per block of a jump transient.
const JUMP_BLOCK_PERIODS: usize = 50;
/// Periods after which a jump transient is given up (docs/cbc.md §4.2).
pub const JUMP_MAX_PERIODS: usize = 5000;
/// Smallest sub-step, relative to the grid step.
const MIN_SUBSTEP: f64 = 1e-6;
/// Largest relative change of the orbit in one accepted sub-step.
const MAX_RELATIVE_CHANGE: f64 = 0.25;

/// One recorded sweep point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepPoint {
    pub p: f64,
    pub amplitudes: Amplitudes,
    pub jumped: bool,
    pub settled: bool,
}

/// Both directions of a sweep.
#[derive(Debug, Clone, Default)]
pub struct Sweep {
    pub up: Vec<SweepPoint>,
    pub down: Vec<SweepPoint>,
    /// Jump locations (midpoints of the two grid values), in sweep order.
    pub up_jumps: Vec<f64>,
    pub down_jumps: Vec<f64>,
    pub warnings: Vec<String>,
    pub periods: usize,
}

/// Scaled norm: velocities divided by ω.
fn scaled_norm(z: &State, omega: f64) -> f64 {
    norm(&[z[0], z[1], z[2], z[3] / omega, z[4] / omega, z[5] / omega])
}

fn omega_of(kind: CurveKind, p: f64) -> f64 {
    match kind {
        CurveKind::Forcing { omega_rad_s } => omega_rad_s,
        CurveKind::Frequency { .. } => p,
    }
}

struct Sweeper<'a> {
    st: Structure,
    kind: CurveKind,
    trig: Trig,
    cancel: &'a Cancel,
    periods: usize,
    jump_max_periods: usize,
}

/// Result of trying to move the orbit to the next grid value.
enum Step {
    Continued(Orbit),
    Jumped {
        orbit: Orbit,
        settled: bool,
        samples: Vec<[f64; 4]>,
    },
    /// The transient ran away (beyond 1e3 m or non-finite).
    Diverged,
}

impl Sweeper<'_> {
    /// Shooting at p from z0 (chord from `lin` when given); the returned orbit carries the
    /// linearisation at its own z, so its stability and tangent are exact.
    fn shoot_at(
        &mut self,
        p: f64,
        z0: &State,
        max_iter: usize,
        lin: Option<Linearisation>,
    ) -> Result<Option<Orbit>, ToolError> {
        let map = self.kind.map(self.st, p);
        let sens = self.kind.sensitivity();
        let o = shoot(&map, z0, sens, SHOOT_TOL, max_iter, lin, self.cancel)?;
        let Some(mut o) = o else {
            self.periods += max_iter + 1;
            return Ok(None);
        };
        let ok = refresh_linearisation(&mut o, &map, sens, 1e-12);
        self.periods += o.periods;
        Ok(ok.then_some(o))
    }

    /// The first point: 200 periods from rest, then shooting Newton. None when the
    /// response runs away (beyond 1e3 m or non-finite).
    fn start(&mut self, p: f64) -> Result<Option<Orbit>, ToolError> {
        let map = self.kind.map(self.st, p);
        let Some(y) = settle_from_rest(&map, SETTLE_PERIODS, self.cancel)? else {
            return Ok(None);
        };
        self.periods += SETTLE_PERIODS;
        let orbit = self.shoot_at(p, &y, 30, None)?.ok_or_else(|| {
            ToolError::failed(format!(
                "shooting Newton failed at the first grid value {p}"
            ))
        })?;
        Ok(Some(orbit))
    }

    fn advance(&mut self, orbit: &Orbit, p_from: f64, p_to: f64) -> Result<Step, ToolError> {
        let full = p_to - p_from;
        let min = MIN_SUBSTEP * full.abs();
        let mut step = full;
        let mut p = p_from;
        let mut cur = orbit.clone();
        while p != p_to {
            let target = if (p_to - p).abs() <= step.abs() {
                p_to
            } else {
                p + step
            };
            let z0 = match branch_tangent(&cur) {
                Some(dzdp) => std::array::from_fn(|i| cur.z[i] + (target - p) * dzdp[i]),
                None => cur.z,
            };
            let ok = match self.shoot_at(target, &z0, 6, Some(cur.lin.clone()))? {
                Some(o) => {
                    let w = omega_of(self.kind, target);
                    let diff: State = std::array::from_fn(|i| o.z[i] - cur.z[i]);
                    let close = scaled_norm(&diff, w)
                        <= MAX_RELATIVE_CHANGE * scaled_norm(&cur.z, w) + 1e-12;
                    (close && floquet_max(&o.lin) < 1.0).then_some(o)
                }
                None => None,
            };
            match ok {
                Some(o) => {
                    p = target;
                    cur = o;
                    step = (step * 2.0).clamp(-full.abs(), full.abs());
                }
                None => {
                    step *= 0.5;
                    if step.abs() < min {
                        return self.jump(&cur, p_to);
                    }
                }
            }
        }
        Ok(Step::Continued(cur))
    }

    fn jump(&mut self, from: &Orbit, p: f64) -> Result<Step, ToolError> {
        let map = self.kind.map(self.st, p);
        let w = omega_of(self.kind, p);
        let mut y = from.z;
        let mut integrated = 0;
        let mut last_samples = from.samples.clone();
        while integrated < self.jump_max_periods {
            self.cancel.check()?;
            let Some((end, samples)) = map.integrate(&y, JUMP_BLOCK_PERIODS) else {
                return Ok(Step::Diverged);
            };
            integrated += JUMP_BLOCK_PERIODS;
            self.periods += JUMP_BLOCK_PERIODS;
            y = end;
            last_samples = samples;
            if let Some(o) = self.shoot_at(p, &y, 8, None)? {
                let diff: State = std::array::from_fn(|i| o.z[i] - y[i]);
                if floquet_max(&o.lin) < 1.0
                    && scaled_norm(&diff, w) <= 1e-6 * scaled_norm(&o.z, w).max(1e-300)
                {
                    return Ok(Step::Jumped {
                        orbit: o,
                        settled: true,
                        samples: Vec::new(),
                    });
                }
            }
        }
        // Unsettled: keep the integrated state as the "orbit" to continue from.
        let mut orbit = from.clone();
        orbit.z = y;
        orbit.samples = last_samples.clone();
        Ok(Step::Jumped {
            orbit,
            settled: false,
            samples: last_samples,
        })
    }
}

/// Runs the up and down sweeps over `grid`, giving up a jump transient after
/// `jump_max_periods` periods ([`JUMP_MAX_PERIODS`] in the tool). `on_point(direction, point,
/// fraction)` sees each recorded point.
pub fn sweep(
    st: Structure,
    kind: CurveKind,
    grid: &[f64],
    jump_max_periods: usize,
    cancel: &Cancel,
    on_point: &mut dyn FnMut(&str, &SweepPoint, f64),
) -> Result<Sweep, ToolError> {
    let mut s = Sweeper {
        st,
        kind,
        trig: Trig::default(),
        cancel,
        periods: 0,
        jump_max_periods,
    };
    let mut out = Sweep::default();
    let total = 2 * grid.len();
    let Some(mut orbit) = s.start(grid[0])? else {
        out.warnings.push(format!(
            "the response from rest at the first grid value {} grew beyond 1e3 m or became \
             non-finite; no sweep",
            grid[0]
        ));
        return Ok(out);
    };
    if floquet_max(&orbit.lin) >= 1.0 {
        out.warnings.push(format!(
            "the steady state reached from rest at the first grid value {} is not stable",
            grid[0]
        ));
    }
    let first = SweepPoint {
        p: grid[0],
        amplitudes: amplitudes(&s.trig, &orbit.samples),
        jumped: false,
        settled: true,
    };
    on_point("up", &first, 1.0 / total as f64);
    out.up.push(first);
    let down_grid: Vec<f64> = grid.iter().rev().copied().collect();
    let mut p_cur = grid[0];
    let mut done = 1;
    'sweeps: for (dir, values) in [("up", &grid[1..]), ("down", &down_grid[..])] {
        for &p in values {
            let point = if p == p_cur {
                SweepPoint {
                    p,
                    amplitudes: amplitudes(&s.trig, &orbit.samples),
                    jumped: false,
                    settled: true,
                }
            } else {
                match s.advance(&orbit, p_cur, p)? {
                    Step::Diverged => {
                        out.warnings.push(format!(
                            "the {dir} sweep stopped at {p}: the response after a jump grew \
                             beyond 1e3 m or became non-finite (partial sweep)"
                        ));
                        break 'sweeps;
                    }
                    Step::Continued(o) => {
                        orbit = o;
                        SweepPoint {
                            p,
                            amplitudes: amplitudes(&s.trig, &orbit.samples),
                            jumped: false,
                            settled: true,
                        }
                    }
                    Step::Jumped {
                        orbit: o,
                        settled,
                        samples,
                    } => {
                        let jumps = if dir == "up" {
                            &mut out.up_jumps
                        } else {
                            &mut out.down_jumps
                        };
                        jumps.push(0.5 * (p + p_cur));
                        let amps = if settled {
                            amplitudes(&s.trig, &o.samples)
                        } else {
                            out.warnings.push(format!(
                                "the {dir} sweep point at {p} did not settle within \
                                 {jump_max_periods} periods after a jump; its amplitude is \
                                 that of the last integrated period"
                            ));
                            amplitudes(&s.trig, &samples)
                        };
                        orbit = o;
                        SweepPoint {
                            p,
                            amplitudes: amps,
                            jumped: true,
                            settled,
                        }
                    }
                }
            };
            p_cur = p;
            done += 1;
            on_point(dir, &point, done as f64 / total as f64);
            if dir == "up" {
                out.up.push(point);
            } else {
                out.down.push(point);
            }
        }
    }
    out.periods = s.periods;
    Ok(out)
}
