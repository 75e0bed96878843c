//! Small dense complex LU solves for the per-frequency impedance systems (3×3 and 4×4).
//!
//! Gaussian elimination with threshold partial pivoting (pivot size |Re| + |Im|, as LAPACK's
//! `izamax`) on fixed-size split real/imaginary arrays: the algorithm of `nalgebra::LU`,
//! written out so the row updates stay in registers and vectorise (the sweep does 9901 of
//! them per run). Returns `None` for an exactly zero pivot or a non-finite result.

use num_complex::Complex64;

/// Pivot threshold τ: the diagonal is kept as pivot while |a_kk| ≥ τ·max_i |a_ik| (threshold
/// partial pivoting, growth ≤ (1 + 1/τ)^(N−1)); otherwise the largest entry is taken, as in
/// plain partial pivoting. It keeps the elimination branch-predictable on the smooth
/// frequency sweep.
pub const PIVOT_THRESHOLD: f64 = 0.25;

/// A small dense complex system A·x = b in split real/imaginary form (rows of A).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Split<const N: usize> {
    pub ar: [[f64; N]; N],
    pub ai: [[f64; N]; N],
    pub br: [f64; N],
    pub bi: [f64; N],
}

impl<const N: usize> Split<N> {
    /// From complex rows.
    pub fn new(a: [[Complex64; N]; N], b: [Complex64; N]) -> Self {
        Self {
            ar: a.map(|r| r.map(|z| z.re)),
            ai: a.map(|r| r.map(|z| z.im)),
            br: b.map(|z| z.re),
            bi: b.map(|z| z.im),
        }
    }

    /// Solves by LU with (threshold) partial pivoting; `None` for a zero pivot or a
    /// non-finite solution.
    #[inline]
    pub fn solve(self) -> Option<[Complex64; N]> {
        let Self {
            mut ar,
            mut ai,
            mut br,
            mut bi,
        } = self;
        let mut inv_r = [0.0; N];
        let mut inv_i = [0.0; N];
        for k in 0..N {
            let diag = ar[k][k].abs() + ai[k][k].abs();
            let mut col_max = diag;
            for i in k + 1..N {
                col_max = col_max.max(ar[i][k].abs() + ai[i][k].abs());
            }
            if !(col_max > 0.0 && col_max.is_finite()) {
                return None;
            }
            if diag < PIVOT_THRESHOLD * col_max {
                let mut p = k;
                let mut best = diag;
                for i in k + 1..N {
                    let v = ar[i][k].abs() + ai[i][k].abs();
                    if v > best {
                        best = v;
                        p = i;
                    }
                }
                ar.swap(p, k);
                ai.swap(p, k);
                br.swap(p, k);
                bi.swap(p, k);
            }
            // 1 / pivot
            let (pr, pi) = (ar[k][k], ai[k][k]);
            let d = 1.0 / (pr * pr + pi * pi);
            let (qr, qi) = (pr * d, -pi * d);
            inv_r[k] = qr;
            inv_i[k] = qi;
            for i in k + 1..N {
                // f = a[i][k] / pivot
                let fr = ar[i][k] * qr - ai[i][k] * qi;
                let fi = ar[i][k] * qi + ai[i][k] * qr;
                for j in k + 1..N {
                    let (xr, xi) = (ar[k][j], ai[k][j]);
                    ar[i][j] -= fr * xr - fi * xi;
                    ai[i][j] -= fr * xi + fi * xr;
                }
                let (xr, xi) = (br[k], bi[k]);
                br[i] -= fr * xr - fi * xi;
                bi[i] -= fr * xi + fi * xr;
            }
        }
        let mut x = [Complex64::ZERO; N];
        for i in (0..N).rev() {
            let (mut sr, mut si) = (br[i], bi[i]);
            for j in i + 1..N {
                let (xr, xi) = (x[j].re, x[j].im);
                sr -= ar[i][j] * xr - ai[i][j] * xi;
                si -= ar[i][j] * xi + ai[i][j] * xr;
            }
            x[i] = Complex64::new(sr * inv_r[i] - si * inv_i[i], sr * inv_i[i] + si * inv_r[i]);
        }
        x.iter()
            .all(|z| z.re.is_finite() && z.im.is_finite())
            .then_some(x)
    }
}

/// Solves A·x = b for a small N×N complex A (rows of `a`), see [`Split::solve`].
#[inline]
pub fn solve<const N: usize>(a: [[Complex64; N]; N], b: [Complex64; N]) -> Option<[Complex64; N]> {
    Split::new(a, b).solve()
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{Matrix4, Vector4};

    #[test]
    fn agrees_with_nalgebra_lu() {
        // A deterministic, non-symmetric, pivoting-heavy matrix.
        let a: [[Complex64; 4]; 4] = std::array::from_fn(|i| {
            std::array::from_fn(|j| {
                let t = (i * 4 + j) as f64;
                Complex64::new(
                    (t * 1.7).sin(),
                    (t * 0.3).cos() * if i == j { 1e-3 } else { 1.0 },
                )
            })
        });
        let b: [Complex64; 4] = std::array::from_fn(|i| Complex64::new(i as f64 + 1.0, -0.5));
        let x = solve(a, b).unwrap();
        let m = Matrix4::from_fn(|i, j| a[i][j]);
        let y = m.lu().solve(&Vector4::from_fn(|i, _| b[i])).unwrap();
        for i in 0..4 {
            assert!((x[i] - y[i]).norm() < 1e-12 * y.norm());
        }
        assert!(solve([[Complex64::ZERO; 2]; 2], [Complex64::ONE; 2]).is_none());
    }
}
