//! Output statistics of `design` (docs/uncertainty.md §5.1): population moments, numpy-rule
//! quantiles and numpy `histogram(density=True)` bins.

/// Mean, population standard deviation and skewness `m3 / m2^1.5` (0 for zero spread).
pub fn moments(x: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let (mut m2, mut m3) = (0.0, 0.0);
    for &v in x {
        let d = v - mean;
        m2 += d * d;
        m3 += d * d * d;
    }
    m2 /= n;
    m3 /= n;
    let skew = if m2 > 0.0 { m3 / m2.powf(1.5) } else { 0.0 };
    (mean, m2.sqrt(), skew)
}

/// numpy's default (linear) quantile of sorted values: `h = (N−1)q`, linear between the
/// neighbouring order statistics.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    quantile_of(sorted.len(), q, |i| sorted[i])
}

/// Order-statistic index k and fraction t of quantile q among n values (`h = (N−1)q`).
fn position(n: usize, q: f64) -> (usize, f64) {
    let h = (n - 1) as f64 * q;
    let k = (h.floor() as usize).min(n - 1);
    (k, h - k as f64)
}

/// The numpy quantile from the order statistics `at(i)` (i-th smallest).
fn quantile_of(n: usize, q: f64, at: impl Fn(usize) -> f64) -> f64 {
    let (k, t) = position(n, q);
    if k + 1 >= n {
        return at(n - 1);
    }
    let (a, b) = (at(k), at(k + 1));
    // numpy's lerp: from the nearer end.
    if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    }
}

/// The numpy quantiles `qs` of finite values `x` (range `min..=max`) without sorting: the
/// values are counted into ~N/16 equal buckets of the range (the bucket index is monotone in
/// the value), the buckets holding the needed order statistics are gathered, and each order
/// statistic is placed by `select_nth_unstable` inside its bucket. Two passes over `x` plus a
/// few small selections; the values equal [`quantile_sorted`] of the sorted data exactly.
pub fn quantiles_by_selection(x: &[f64], qs: &[f64], min: f64, max: f64) -> Vec<f64> {
    let n = x.len();
    if n == 0 {
        return vec![f64::NAN; qs.len()];
    }
    if max.partial_cmp(&min) != Some(std::cmp::Ordering::Greater) {
        return vec![min; qs.len()];
    }
    let buckets = (n / 16).clamp(1, 1 << 16);
    let scale = buckets as f64 / (max - min);
    let bucket_of = |v: f64| (((v - min) * scale) as usize).min(buckets - 1);
    let mut counts = vec![0usize; buckets];
    for &v in x {
        counts[bucket_of(v)] += 1;
    }
    // first[b]: how many values lie in buckets before b.
    let mut first = Vec::with_capacity(buckets);
    let mut total = 0;
    for &c in &counts {
        first.push(total);
        total += c;
    }
    let mut needed: Vec<usize> = qs
        .iter()
        .flat_map(|&q| {
            let (k, _) = position(n, q);
            [k, (k + 1).min(n - 1)]
        })
        .collect();
    needed.sort_unstable();
    needed.dedup();
    // The bucket of each needed order statistic, and a gathering slot per such bucket.
    let home: Vec<usize> = needed
        .iter()
        .map(|&k| first.partition_point(|&f| f <= k) - 1)
        .collect();
    let mut slot_of = vec![usize::MAX; buckets];
    let mut gathered: Vec<Vec<f64>> = Vec::new();
    for &b in &home {
        if slot_of[b] == usize::MAX {
            slot_of[b] = gathered.len();
            gathered.push(Vec::with_capacity(counts[b]));
        }
    }
    for &v in x {
        let slot = slot_of[bucket_of(v)];
        if slot != usize::MAX {
            gathered[slot].push(v);
        }
    }
    let order_stats: Vec<f64> = needed
        .iter()
        .zip(&home)
        .map(|(&k, &b)| {
            let values = &mut gathered[slot_of[b]];
            *values
                .select_nth_unstable_by(k - first[b], f64::total_cmp)
                .1
        })
        .collect();
    let at = |i: usize| order_stats[needed.partition_point(|&k| k < i)];
    qs.iter().map(|&q| quantile_of(n, q, at)).collect()
}

/// Bin centres and densities of numpy `histogram(x, bins, density=True)`; `None` when all
/// values are equal (a bin of width 0).
pub fn histogram(x: &[f64], bins: usize, min: f64, max: f64) -> Option<(Vec<f64>, Vec<f64>)> {
    if max.partial_cmp(&min) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let edges = crate::uncertainty::grid::linspace(min, max, bins + 1);
    let norm = bins as f64 / (max - min);
    let mut counts = vec![0u64; bins];
    for &v in x {
        let mut i = (((v - min) * norm) as usize).min(bins);
        if i == bins {
            i -= 1;
        }
        if v < edges[i] && i > 0 {
            i -= 1;
        } else if i + 1 < bins && v >= edges[i + 1] {
            i += 1;
        }
        counts[i] += 1;
    }
    let total = x.len() as f64;
    let centres = (0..bins).map(|i| 0.5 * (edges[i] + edges[i + 1])).collect();
    let density = (0..bins)
        .map(|i| counts[i] as f64 / (edges[i + 1] - edges[i]) / total)
        .collect();
    Some((centres, density))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_examples() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&s, 0.5), 2.5);
        assert_eq!(quantile_sorted(&s, 1.0), 4.0);
        assert!((quantile_sorted(&s, 0.05) - 1.15).abs() < 1e-15);
        // numpy.histogram([1, 2, 2, 3], 2, density=True) → [0.25, 0.75] at centres [1.5, 2.5]
        let (c, d) = histogram(&[1.0, 2.0, 2.0, 3.0], 2, 1.0, 3.0).unwrap();
        assert_eq!(c, vec![1.5, 2.5]);
        assert_eq!(d, vec![0.25, 0.75]);
        assert!(histogram(&[1.0, 1.0], 3, 1.0, 1.0).is_none());
        let qs = [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0];
        // Scrambled sequences with repeats, all equal, and one far outlier (one full bucket).
        let scrambled = |n: usize| (0..n).map(|i| ((i * 7919) % 97) as f64 * 0.5).collect();
        let cases: Vec<Vec<f64>> = [1usize, 2, 3, 7, 100, 1001, 5000]
            .into_iter()
            .map(scrambled)
            .chain([vec![2.5; 40], {
                let mut v: Vec<f64> = scrambled(3000);
                v[17] = 1e9;
                v
            }])
            .collect();
        for x in cases {
            let n = x.len();
            let mut sorted = x.clone();
            sorted.sort_by(f64::total_cmp);
            let by_selection = quantiles_by_selection(&x, &qs, sorted[0], sorted[n - 1]);
            for (q, v) in qs.iter().zip(&by_selection) {
                assert_eq!(*v, quantile_sorted(&sorted, *q), "n = {n}, q = {q}");
            }
        }
        let (m, sd, sk) = moments(&[1.0, 2.0, 3.0, 10.0]);
        assert_eq!(m, 4.0);
        assert!((sd - 3.5355339059327378).abs() < 1e-14);
        assert!(sk > 0.0);
    }
}
