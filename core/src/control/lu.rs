//! Small dense complex LU solves for the per-frequency impedance systems (3×3 and 4×4).
//!
//! Gaussian elimination with partial pivoting (pivot = largest |Re| + |Im| in the column,
//! as LAPACK's `zgetrf` with `izamax`) on a fixed-size array: the same algorithm as
//! `nalgebra::LU`, written out so the compiler keeps everything in registers (the sweep does
//! 9901 of them per run). Returns `None` for an exactly zero pivot or a non-finite result.

use num_complex::Complex64;

#[inline]
fn abs1(z: Complex64) -> f64 {
    z.re.abs() + z.im.abs()
}

/// Solves A·x = b for a small N×N complex A (rows of `a`) by LU with partial pivoting.
#[inline]
pub fn solve<const N: usize>(
    mut a: [[Complex64; N]; N],
    mut b: [Complex64; N],
) -> Option<[Complex64; N]> {
    let mut inv_diag = [Complex64::ZERO; N];
    for k in 0..N {
        let mut p = k;
        let mut best = abs1(a[k][k]);
        for (i, row) in a.iter().enumerate().skip(k + 1) {
            let v = abs1(row[k]);
            if v > best {
                best = v;
                p = i;
            }
        }
        if best == 0.0 || !best.is_finite() {
            return None;
        }
        if p != k {
            a.swap(p, k);
            b.swap(p, k);
        }
        let inv = a[k][k].inv();
        inv_diag[k] = inv;
        let pivot_row = a[k];
        let bk = b[k];
        for i in k + 1..N {
            let f = a[i][k] * inv;
            for j in k + 1..N {
                a[i][j] -= f * pivot_row[j];
            }
            b[i] -= f * bk;
        }
    }
    let mut x = [Complex64::ZERO; N];
    for i in (0..N).rev() {
        let mut s = b[i];
        for j in i + 1..N {
            s -= a[i][j] * x[j];
        }
        x[i] = s * inv_diag[i];
    }
    x.iter()
        .all(|z| z.re.is_finite() && z.im.is_finite())
        .then_some(x)
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
