//! The 3×3 harmonic solve both uncertainty tools evaluate millions of times.
//!
//! With `A(ω) = K − ω²M + iωC` (tridiagonal, symmetric, complex) the entries are
//!
//! ```text
//! a11 = k1+k2 − ω²m1 + iω(c1+c2)   a12 = −(k2 + iωc2)
//! a22 = k2+k3 − ω²m2 + iω(c2+c3)   a23 = −(k3 + iωc3)
//! a33 = k3    − ω²m3 + iωc3        a13 = 0
//! ```
//!
//! `det A = a11 (a22 a33 − a23²) − a12² a33` and the symmetric adjugate is
//! `adj11 = a22 a33 − a23²`, `adj12 = −a12 a33`, `adj13 = a12 a23`, `adj22 = a11 a33`,
//! `adj23 = −a11 a23`, `adj33 = a11 a22 − a12²`; `X = adj · F / det A`.
//! For a unit force on floor f, `|X_i|² = |adj_if|² / |det A|²`: the bands compare squared
//! moduli and take one logarithm per band point at the end. No allocation, no branches on the
//! data: about 40 flops per evaluation.

use num_complex::Complex64;

/// The nine uncertain parameters in the order of the spec: m1, m2, m3, k1, k2, k3, c1, c2, c3.
pub type Point = [f64; 9];

/// Parameter names in [`Point`] order.
pub const PARAMETER_NAMES: [&str; 9] = ["m1", "m2", "m3", "k1", "k2", "k3", "c1", "c2", "c3"];

/// Adjugate entries (11, 12, 13, 22, 23, 33) and determinant of `A(ω)`.
#[inline(always)]
fn adjugate(p: &Point, omega: f64) -> ([Complex64; 6], Complex64) {
    let w2 = omega * omega;
    let [m1, m2, m3, k1, k2, k3, c1, c2, c3] = *p;
    let a11 = Complex64::new(k1 + k2 - w2 * m1, omega * (c1 + c2));
    let a22 = Complex64::new(k2 + k3 - w2 * m2, omega * (c2 + c3));
    let a33 = Complex64::new(k3 - w2 * m3, omega * c3);
    let a12 = Complex64::new(-k2, -omega * c2);
    let a23 = Complex64::new(-k3, -omega * c3);
    let adj11 = a22 * a33 - a23 * a23;
    let adj12 = -(a12 * a33);
    let adj13 = a12 * a23;
    let adj22 = a11 * a33;
    let adj23 = -(a11 * a23);
    let adj33 = a11 * a22 - a12 * a12;
    let det = a11 * adj11 + a12 * adj12;
    ([adj11, adj12, adj13, adj22, adj23, adj33], det)
}

/// `|X_i|²` (m²/N²) of the three floors for a unit force on floor `floor` (0-based).
#[inline(always)]
pub fn unit_force_norm_sqr(p: &Point, omega: f64, floor: usize) -> [f64; 3] {
    let (a, det) = adjugate(p, omega);
    let inv = 1.0 / det.norm_sqr();
    let col = match floor {
        0 => [a[0], a[1], a[2]],
        1 => [a[1], a[3], a[4]],
        _ => [a[2], a[4], a[5]],
    };
    [
        col[0].norm_sqr() * inv,
        col[1].norm_sqr() * inv,
        col[2].norm_sqr() * inv,
    ]
}

/// Complex displacement amplitudes `X = A(ω)⁻¹ F` (m) for real force amplitudes `F` (N).
#[inline(always)]
pub fn displacement(p: &Point, omega: f64, force: [f64; 3]) -> [Complex64; 3] {
    let (a, det) = adjugate(p, omega);
    let inv = det.inv();
    let [f1, f2, f3] = force;
    [
        (a[0] * f1 + a[1] * f2 + a[2] * f3) * inv,
        (a[1] * f1 + a[3] * f2 + a[4] * f3) * inv,
        (a[2] * f1 + a[4] * f2 + a[5] * f3) * inv,
    ]
}

/// `10 log10 |X|²` = `20 log10 |X|` (dB).
#[inline]
pub fn db_of_norm_sqr(n2: f64) -> f64 {
    10.0 * n2.log10()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lumped::LumpedModel;

    #[test]
    fn closed_form_matches_the_lumped_model() {
        let p: Point = [5.0, 4.9, 4.8, 35e3, 43e3, 43.2e3, 7.9, 4.0, 5.5];
        let model = LumpedModel::chain(
            &[p[0], p[1], p[2]],
            &[p[3], p[4], p[5]],
            &[p[6], p[7], p[8]],
        );
        for f_hz in [0.0, 1.3, 6.2, 17.9, 40.0] {
            let omega = std::f64::consts::TAU * f_hz;
            for floor in 0..3 {
                let h = model.receptance(floor + 1, f_hz).unwrap();
                let n2 = unit_force_norm_sqr(&p, omega, floor);
                let mut force = [0.0; 3];
                force[floor] = 1.0;
                let x = displacement(&p, omega, force);
                for i in 0..3 {
                    assert!((n2[i] / h[i].norm_sqr() - 1.0).abs() < 1e-12);
                    assert!((x[i] - h[i]).norm() <= 1e-12 * h[i].norm());
                }
            }
        }
    }
}
