//! Peak rules shared by both tools (docs/measured.md §4.6).
//!
//! A local maximum is an index i with `y[i−1] < y[i]` whose first following different value is
//! lower; a flat top of equal values counts once, at its middle index `⌊(first+last)/2⌋`; the end
//! points never count. Prominence: walk left from the peak until a strictly higher value or the
//! start, the lowest value passed is the left base (same to the right); prominence =
//! `y[peak] − max(left base, right base)`. Peaks with prominence ≥ the threshold are sorted by
//! prominence (descending, ties by index) and accepted greedily when at least `min_distance`
//! (in x) from every accepted one, up to `n_peaks`; the result is sorted by x. This equals
//! scipy's `find_peaks` + prominences followed by picking the most prominent.

/// One accepted peak.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak {
    /// Index into the searched slice.
    pub index: usize,
    pub x: f64,
    pub prominence: f64,
}

/// The local maxima of `y` (flat tops at their middle).
pub fn local_maxima(y: &[f64]) -> Vec<usize> {
    let n = y.len();
    let mut out = Vec::new();
    if n < 3 {
        return out;
    }
    let mut i = 1;
    while i < n - 1 {
        if y[i - 1] < y[i] {
            let mut ahead = i + 1;
            while ahead < n - 1 && y[ahead] == y[i] {
                ahead += 1;
            }
            if y[ahead] < y[i] {
                out.push((i + ahead - 1) / 2);
                i = ahead;
                continue;
            }
            i = ahead;
            continue;
        }
        i += 1;
    }
    out
}

/// Prominence of the local maximum at `peak`.
pub fn prominence(y: &[f64], peak: usize) -> f64 {
    let top = y[peak];
    let mut left_min = top;
    for &v in y[..peak].iter().rev() {
        if v > top {
            break;
        }
        left_min = left_min.min(v);
    }
    let mut right_min = top;
    for &v in &y[peak + 1..] {
        if v > top {
            break;
        }
        right_min = right_min.min(v);
    }
    top - left_min.max(right_min)
}

/// The accepted peaks of `y(x)`, sorted by x.
pub fn find_peaks(
    x: &[f64],
    y: &[f64],
    min_prominence: f64,
    min_distance: f64,
    n_peaks: usize,
) -> Vec<Peak> {
    let mut candidates: Vec<Peak> = local_maxima(y)
        .into_iter()
        .map(|i| Peak {
            index: i,
            x: x[i],
            prominence: prominence(y, i),
        })
        .filter(|p| p.prominence >= min_prominence)
        .collect();
    candidates.sort_by(|a, b| {
        b.prominence
            .total_cmp(&a.prominence)
            .then(a.index.cmp(&b.index))
    });
    let mut accepted: Vec<Peak> = Vec::with_capacity(n_peaks);
    for c in candidates {
        if accepted.len() >= n_peaks {
            break;
        }
        if accepted.iter().all(|a| (a.x - c.x).abs() >= min_distance) {
            accepted.push(c);
        }
    }
    accepted.sort_by(|a, b| a.x.total_cmp(&b.x));
    accepted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_tops_ends_and_prominence() {
        let y = [5.0, 1.0, 3.0, 3.0, 3.0, 2.0, 4.0, 0.0, 6.0];
        assert_eq!(local_maxima(&y), vec![3, 6]);
        // Left walk stops at the 5, passing 1; right walk stops at the 4, passing 2.
        assert_eq!(prominence(&y, 3), 1.0);
        // Left base 1 (the walk stops at the 5), right base 0 (stops at the 6).
        assert_eq!(prominence(&y, 6), 3.0);
        // A plateau that rises again is not a maximum.
        assert!(local_maxima(&[0.0, 1.0, 1.0, 2.0, 0.0]) == vec![3]);
    }

    #[test]
    fn selection_by_prominence_distance_and_count() {
        let x: Vec<f64> = (0..9).map(f64::from).collect();
        let y = [0.0, 5.0, 0.0, 3.0, 0.0, 4.0, 1.0, 2.0, 0.0];
        let p = find_peaks(&x, &y, 0.0, 0.0, 10);
        assert_eq!(p.iter().map(|p| p.index).collect::<Vec<_>>(), [1, 3, 5, 7]);
        let p = find_peaks(&x, &y, 0.0, 2.5, 10);
        assert_eq!(p.iter().map(|p| p.index).collect::<Vec<_>>(), [1, 5]);
        let p = find_peaks(&x, &y, 2.5, 0.0, 2);
        assert_eq!(p.iter().map(|p| p.index).collect::<Vec<_>>(), [1, 5]);
    }
}
