//! Output statistics of `design` (uncertainty.md §5.1): population moments, numpy-rule
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
    let n = sorted.len();
    let h = (n - 1) as f64 * q;
    let k = (h.floor() as usize).min(n - 1);
    if k + 1 >= n {
        return sorted[n - 1];
    }
    let t = h - k as f64;
    let (a, b) = (sorted[k], sorted[k + 1]);
    // numpy's lerp: from the nearer end.
    if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    }
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
        let (m, sd, sk) = moments(&[1.0, 2.0, 3.0, 10.0]);
        assert_eq!(m, 4.0);
        assert!((sd - 3.5355339059327378).abs() < 1e-14);
        assert!(sk > 0.0);
    }
}
