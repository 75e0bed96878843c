//! The sampled inner bounds of docs/uncertainty.md §4.3: for each grid frequency and floor the
//! pointwise min and max of `|X_i|²` over a point set of the parameter box.
//!
//! - [`diagonal_points`]: the original app's correlated grid, 2·n2² points;
//! - [`vertex_points`]: the 2^p corners over the p parameters with non-zero tolerance;
//! - [`monte_carlo`]: uniform samples `v = lo + u (hi − lo)` with u from MT19937
//!   ([`super::mt19937`]), nine per sample in the order m1…c3. `common` draws one set and
//!   reuses it at every frequency; `per_frequency` draws a fresh set at each frequency in
//!   ascending order (the original). The stream is generated sequentially, so sample n is
//!   the same whatever the thread count; the evaluation runs in parallel over chunks of
//!   samples (rayon) and min/max are order-independent, so the bands are bit-identical for
//!   any number of threads. Quantiles keep the N values of one frequency at a time
//!   (numpy's default rule: h = (N−1)q/100, linear between order statistics, in dB).
//!
//! Memory: the common sample set (9 doubles per sample) and one frequency's N×3 values;
//! never N full FRFs.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::kernel::{db_of_norm_sqr, unit_force_norm_sqr, Point};
use super::mt19937::Mt19937;
use crate::{Cancel, Progress, ToolError};

/// Samples per parallel task.
const CHUNK: usize = 2048;
/// Evaluations between cancellation checks of the deterministic sweeps.
const BLOCK_EVALS: usize = 200_000;
/// Smallest interval between progress reports.
const REPORT_EVERY: Duration = Duration::from_millis(50);

/// Lower and upper `|X_i|²` per grid point and floor.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub lower: Vec<[f64; 3]>,
    pub upper: Vec<[f64; 3]>,
}

/// Progress over all methods of a run, throttled, with the cancel check.
pub struct Tracker<'a> {
    progress: &'a Progress,
    cancel: &'a Cancel,
    total: f64,
    done: f64,
    last: Instant,
}

impl<'a> Tracker<'a> {
    pub fn new(progress: &'a Progress, cancel: &'a Cancel, total_evals: f64) -> Self {
        Self {
            progress,
            cancel,
            total: total_evals.max(1.0),
            done: 0.0,
            last: Instant::now(),
        }
    }

    /// Counts `evals` evaluations, reports at most every 50 ms and checks the cancel flag.
    pub fn advance(&mut self, evals: usize, message: &str) -> Result<(), ToolError> {
        self.done += evals as f64;
        self.cancel.check()?;
        if self.last.elapsed() >= REPORT_EVERY {
            self.progress.report(self.done / self.total, message);
            self.last = Instant::now();
        }
        Ok(())
    }
}

#[inline]
fn fold_min_max(acc: ([f64; 3], [f64; 3]), x: [f64; 3]) -> ([f64; 3], [f64; 3]) {
    let (mut lo, mut hi) = acc;
    for i in 0..3 {
        lo[i] = lo[i].min(x[i]);
        hi[i] = hi[i].max(x[i]);
    }
    (lo, hi)
}

fn merge(a: ([f64; 3], [f64; 3]), b: ([f64; 3], [f64; 3])) -> ([f64; 3], [f64; 3]) {
    let lo = std::array::from_fn(|i| a.0[i].min(b.0[i]));
    let hi = std::array::from_fn(|i| a.1[i].max(b.1[i]));
    (lo, hi)
}

const EMPTY: ([f64; 3], [f64; 3]) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);

/// The band of a fixed point set (diagonal grid, vertices), parallel over frequencies.
pub fn fixed_band(
    points: &[Point],
    omegas: &[f64],
    floor: usize,
    tracker: &mut Tracker,
    message: &str,
) -> Result<Band, ToolError> {
    let per_block = (BLOCK_EVALS / points.len().max(1)).max(1);
    let mut lower = Vec::with_capacity(omegas.len());
    let mut upper = Vec::with_capacity(omegas.len());
    for block in omegas.chunks(per_block) {
        let res: Vec<_> = block
            .par_iter()
            .map(|&w| {
                points
                    .iter()
                    .map(|p| unit_force_norm_sqr(p, w, floor))
                    .fold(EMPTY, fold_min_max)
            })
            .collect();
        for (lo, hi) in res {
            lower.push(lo);
            upper.push(hi);
        }
        tracker.advance(block.len() * points.len(), message)?;
    }
    Ok(Band { lower, upper })
}

/// The diagonal grid: masses all at `a/(n2−1)` of their intervals, stiffnesses all at
/// `b/(n2−1)`, dampers all at the lower or all at the upper bound.
pub fn diagonal_points(lo: &Point, hi: &Point, n2: usize) -> Vec<Point> {
    let at = |p: usize, j: usize| {
        if j + 1 == n2 {
            hi[p]
        } else {
            lo[p] + j as f64 * ((hi[p] - lo[p]) / (n2 - 1) as f64)
        }
    };
    let mut out = Vec::with_capacity(2 * n2 * n2);
    for damp_hi in [false, true] {
        for a in 0..n2 {
            for b in 0..n2 {
                out.push(std::array::from_fn(|p| match p {
                    0..=2 => at(p, a),
                    3..=5 => at(p, b),
                    _ => {
                        if damp_hi {
                            hi[p]
                        } else {
                            lo[p]
                        }
                    }
                }));
            }
        }
    }
    out
}

/// All corners over the parameters whose interval is not a point (others at the centre).
pub fn vertex_points(centre: &Point, lo: &Point, hi: &Point) -> Vec<Point> {
    let free: Vec<usize> = (0..9).filter(|&p| hi[p] > lo[p]).collect();
    (0..1usize << free.len())
        .map(|mask| {
            let mut v = *centre;
            for (bit, &p) in free.iter().enumerate() {
                v[p] = if (mask >> bit) & 1 == 1 { hi[p] } else { lo[p] };
            }
            v
        })
        .collect()
}

/// Draws `n` samples of the box: nine u per sample in the order m1…c3.
pub fn draw(rng: &mut Mt19937, lo: &Point, hi: &Point, n: usize, out: &mut Vec<Point>) {
    out.clear();
    out.extend((0..n).map(|_| std::array::from_fn(|p| lo[p] + rng.next_f64() * (hi[p] - lo[p]))));
}

/// numpy's default (linear) quantile of sorted-rank values, in dB: `q` percent of `n2`
/// (squared moduli, reordered in place).
pub fn quantile_db(values: &mut [f64], q_percent: f64) -> f64 {
    let n = values.len();
    let h = (n - 1) as f64 * q_percent / 100.0;
    let k = (h.floor() as usize).min(n - 1);
    let (_, &mut a, right) = values.select_nth_unstable_by(k, f64::total_cmp);
    let a = db_of_norm_sqr(a);
    if k + 1 >= n {
        return a;
    }
    let b = right.iter().copied().fold(f64::INFINITY, f64::min);
    let b = db_of_norm_sqr(b);
    a + (h - k as f64) * (b - a)
}

/// Monte-Carlo result: the band and, per requested quantile, the dB curve per floor.
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarlo {
    pub band: Band,
    pub quantiles_db: Vec<Vec<[f64; 3]>>,
}

/// The Monte-Carlo band (§4.3) over `omegas`.
pub fn monte_carlo(
    lo: &Point,
    hi: &Point,
    n: usize,
    seed: u32,
    per_frequency: bool,
    quantiles_percent: &[u32],
    omegas: &[f64],
    floor: usize,
    tracker: &mut Tracker,
) -> Result<MonteCarlo, ToolError> {
    let mut rng = Mt19937::new(seed);
    let mut samples = Vec::with_capacity(n);
    if !per_frequency {
        draw(&mut rng, lo, hi, n, &mut samples);
    }
    let want_q = !quantiles_percent.is_empty();
    let mut values: Vec<[f64; 3]> = if want_q {
        vec![[0.0; 3]; n]
    } else {
        Vec::new()
    };
    let mut column = if want_q { vec![0.0; n] } else { Vec::new() };
    let mut band = Band {
        lower: Vec::with_capacity(omegas.len()),
        upper: Vec::with_capacity(omegas.len()),
    };
    let mut quantiles_db = vec![Vec::with_capacity(omegas.len()); quantiles_percent.len()];
    if !per_frequency && n < 2 * CHUNK {
        // Few common samples: parallel over frequencies instead (same values, same order).
        let per_block = (BLOCK_EVALS / n).max(1);
        for block in omegas.chunks(per_block) {
            let res: Vec<_> = block
                .par_iter()
                .map(|&w| {
                    let mut vals = vec![[0.0; 3]; if want_q { n } else { 0 }];
                    let mut acc = EMPTY;
                    for (k, p) in samples.iter().enumerate() {
                        let x = unit_force_norm_sqr(p, w, floor);
                        acc = fold_min_max(acc, x);
                        if want_q {
                            vals[k] = x;
                        }
                    }
                    let mut per_q = vec![[0.0; 3]; quantiles_percent.len()];
                    if want_q {
                        let mut col = vec![0.0; n];
                        for i in 0..3 {
                            for (c, v) in col.iter_mut().zip(&vals) {
                                *c = v[i];
                            }
                            for (j, &q) in quantiles_percent.iter().enumerate() {
                                per_q[j][i] = quantile_db(&mut col, f64::from(q));
                            }
                        }
                    }
                    (acc, per_q)
                })
                .collect();
            for ((l, u), per_q) in res {
                band.lower.push(l);
                band.upper.push(u);
                for (j, v) in per_q.into_iter().enumerate() {
                    quantiles_db[j].push(v);
                }
            }
            tracker.advance(block.len() * n, "Monte Carlo")?;
        }
        return Ok(MonteCarlo { band, quantiles_db });
    }
    for &w in omegas {
        if per_frequency {
            draw(&mut rng, lo, hi, n, &mut samples);
        }
        let (l, u) = if want_q {
            samples
                .par_chunks(CHUNK)
                .zip(values.par_chunks_mut(CHUNK))
                .map(|(s, v)| {
                    let mut acc = EMPTY;
                    for (p, out) in s.iter().zip(v.iter_mut()) {
                        *out = unit_force_norm_sqr(p, w, floor);
                        acc = fold_min_max(acc, *out);
                    }
                    acc
                })
                .reduce(|| EMPTY, merge)
        } else {
            samples
                .par_chunks(CHUNK)
                .map(|s| {
                    s.iter()
                        .map(|p| unit_force_norm_sqr(p, w, floor))
                        .fold(EMPTY, fold_min_max)
                })
                .reduce(|| EMPTY, merge)
        };
        band.lower.push(l);
        band.upper.push(u);
        if want_q {
            let mut per_q = vec![[0.0; 3]; quantiles_percent.len()];
            for i in 0..3 {
                for (c, v) in column.iter_mut().zip(&values) {
                    *c = v[i];
                }
                for (j, &q) in quantiles_percent.iter().enumerate() {
                    per_q[j][i] = quantile_db(&mut column, f64::from(q));
                }
            }
            for (j, v) in per_q.into_iter().enumerate() {
                quantiles_db[j].push(v);
            }
        }
        tracker.advance(n, "Monte Carlo")?;
    }
    Ok(MonteCarlo { band, quantiles_db })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_follows_numpy_linear_rule() {
        // values 10^(k/10) → dB k for k = 0..4; numpy.percentile([0,1,2,3,4], 30) = 1.2
        let mut v: Vec<f64> = [3.0, 0.0, 4.0, 1.0, 2.0]
            .iter()
            .map(|k: &f64| 10f64.powf(k / 10.0))
            .collect();
        assert!((quantile_db(&mut v, 30.0) - 1.2).abs() < 1e-12);
        assert!((quantile_db(&mut v, 99.0) - 3.96).abs() < 1e-12);
        let mut one = vec![10.0];
        assert!((quantile_db(&mut one, 50.0) - 10.0).abs() < 1e-12);
    }

    #[test]
    fn vertices_skip_point_intervals() {
        let c = [1.0; 9];
        let mut lo = c;
        let mut hi = c;
        lo[4] = 0.9;
        hi[4] = 1.1;
        lo[8] = 0.5;
        hi[8] = 1.5;
        let v = vertex_points(&c, &lo, &hi);
        assert_eq!(v.len(), 4);
        assert!(v.iter().all(|p| p[0] == 1.0));
        let d = diagonal_points(&lo, &hi, 3);
        assert_eq!(d.len(), 18);
        assert_eq!(d[0][4], 0.9);
        assert_eq!(d[17][4], 1.1);
        assert_eq!(d[17][8], 1.5);
    }
}
