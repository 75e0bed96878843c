//! Continuous algebraic Riccati equation (docs/control.md §4.3)
//!
//! ```text
//! AᵀX + XA − X G X + Q = 0,   G = B R⁻¹ Bᵀ  (symmetric, ⪰ 0),  Q = Qᵀ ⪰ 0
//! ```
//!
//! solved for the stabilising X (eig(A − GX) in the open left half-plane) by the matrix sign
//! function of the Hamiltonian H = [[A, −G], [−Q, −Aᵀ]] (2n×2n): Z₀ = H,
//! Z ← (Z/c + c·Z⁻¹)/2 with determinant scaling c = |det Z|^(1/2n) until
//! ‖Z_new − Z‖₁ ≤ 1e-13·‖Z‖₁. With W = sign(H) in n×n blocks, X solves the (consistent)
//! least-squares problem [W₁₂; W₂₂ + I]·X = −[W₁₁ + I; W₂₁] (QR), and is symmetrised.
//! Up to three Newton–Kleinman steps (Aₖ = A − GXₖ; Aₖᵀ X + X Aₖ = −Q − XₖGXₖ, solved as a
//! Kronecker system) polish X; a step is kept only when it lowers the residual.
//! Accepted when ‖Riccati(X)‖₁ ≤ 1e-8·‖Q‖₁ and max Re eig(A − GX) < 0; otherwise an error.

use nalgebra::DMatrix;

use super::eigen::eigenvalues;
use super::error::ControlError;

/// Maximum absolute column sum.
pub fn norm1(m: &DMatrix<f64>) -> f64 {
    m.column_iter()
        .map(|c| c.iter().map(|x| x.abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// The Riccati residual AᵀX + XA − XGX + Q.
pub fn residual(
    a: &DMatrix<f64>,
    g: &DMatrix<f64>,
    q: &DMatrix<f64>,
    x: &DMatrix<f64>,
) -> DMatrix<f64> {
    a.transpose() * x + x * a - x * g * x + q
}

/// sign(H) by the scaled Newton iteration.
fn matrix_sign(h: DMatrix<f64>) -> Result<DMatrix<f64>, ControlError> {
    let dim = h.nrows() as f64;
    let mut z = h;
    let mut last_diff = f64::INFINITY;
    for _ in 0..100 {
        let lu = z.clone().lu();
        let u = lu.u();
        let logdet: f64 = u.diagonal().iter().map(|d| d.abs().ln()).sum();
        if !logdet.is_finite() {
            return Err(ControlError::Riccati(
                "the Hamiltonian iterate is singular".into(),
            ));
        }
        let c = (logdet / dim).exp();
        let zinv = lu
            .try_inverse()
            .ok_or_else(|| ControlError::Riccati("the Hamiltonian iterate is singular".into()))?;
        let znew = (&z / c + zinv * c) * 0.5;
        if znew.iter().any(|x| !x.is_finite()) {
            return Err(ControlError::Riccati("the sign iteration diverged".into()));
        }
        let diff = norm1(&(&znew - &z));
        let scale = norm1(&z);
        z = znew;
        if diff <= 1e-13 * scale {
            return Ok(z);
        }
        // Rounding floor reached: the iterates no longer improve.
        if diff <= 1e-9 * scale && diff >= last_diff {
            return Ok(z);
        }
        last_diff = diff;
    }
    Err(ControlError::Riccati(
        "the matrix sign iteration did not converge".into(),
    ))
}

/// Solves Aᵀ Y + Y A = C by the Kronecker form (small n only).
fn lyapunov(a: &DMatrix<f64>, c: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let n = a.nrows();
    let mut k = DMatrix::zeros(n * n, n * n);
    // Column-major vec: vec(AᵀY) = (I⊗Aᵀ) vec Y, vec(YA) = (Aᵀ⊗I) vec Y.
    for j in 0..n {
        for i in 0..n {
            let row = j * n + i;
            for kk in 0..n {
                k[(row, j * n + kk)] += a[(kk, i)];
            }
            for l in 0..n {
                k[(row, l * n + i)] += a[(l, j)];
            }
        }
    }
    let rhs = nalgebra::DVector::from_column_slice(c.as_slice());
    let y = k.lu().solve(&rhs)?;
    let y = DMatrix::from_column_slice(n, n, y.as_slice());
    Some((&y + y.transpose()) * 0.5)
}

/// The stabilising solution of AᵀX + XA − XGX + Q = 0 (see the module docs).
pub fn care(
    a: &DMatrix<f64>,
    g: &DMatrix<f64>,
    q: &DMatrix<f64>,
) -> Result<DMatrix<f64>, ControlError> {
    let n = a.nrows();
    if [a, g, q].iter().any(|m| m.iter().any(|x| !x.is_finite())) {
        return Err(ControlError::Riccati("non-finite data".into()));
    }
    let mut h = DMatrix::zeros(2 * n, 2 * n);
    h.view_mut((0, 0), (n, n)).copy_from(a);
    h.view_mut((0, n), (n, n)).copy_from(&(-g));
    h.view_mut((n, 0), (n, n)).copy_from(&(-q));
    h.view_mut((n, n), (n, n)).copy_from(&(-a.transpose()));
    let w = matrix_sign(h)?;
    let id = DMatrix::<f64>::identity(n, n);
    let mut lhs = DMatrix::zeros(2 * n, n);
    lhs.view_mut((0, 0), (n, n))
        .copy_from(&w.view((0, n), (n, n)));
    lhs.view_mut((n, 0), (n, n))
        .copy_from(&(w.view((n, n), (n, n)) + &id));
    let mut rhs = DMatrix::zeros(2 * n, n);
    rhs.view_mut((0, 0), (n, n))
        .copy_from(&(-(w.view((0, 0), (n, n)) + &id)));
    rhs.view_mut((n, 0), (n, n))
        .copy_from(&(-w.view((n, 0), (n, n))));
    let qr = lhs.qr();
    let qt_rhs = qr.q().transpose() * rhs;
    let x = qr
        .r()
        .solve_upper_triangular(&qt_rhs)
        .ok_or_else(|| ControlError::Riccati("the least-squares system is singular".into()))?;
    let mut x = (&x + x.transpose()) * 0.5;
    let mut res = norm1(&residual(a, g, q, &x));
    for _ in 0..3 {
        let ak = a - g * &x;
        let c = -(q + &x * g * &x);
        let Some(xn) = lyapunov(&ak, &c) else { break };
        let rn = norm1(&residual(a, g, q, &xn));
        if rn.is_finite() && rn < res {
            x = xn;
            res = rn;
        } else {
            break;
        }
    }
    let qn = norm1(q);
    if res.is_nan() || res > 1e-8 * qn {
        return Err(ControlError::Riccati(format!(
            "Riccati residual {res:.3e} exceeds 1e-8·‖Q‖ = {:.3e}",
            1e-8 * qn
        )));
    }
    let closed = eigenvalues(&(a - g * &x), "Riccati closed-loop")?;
    let max_re = closed
        .iter()
        .map(|z| z.re)
        .fold(f64::NEG_INFINITY, f64::max);
    if max_re.is_nan() || max_re >= 0.0 {
        return Err(ControlError::Riccati(format!(
            "the solution is not stabilising (max Re λ = {max_re:.3e})"
        )));
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_care_matches_closed_form() {
        // a x + x a − x² g + q = 0 → x = (a + √(a² + g q)) / g
        let (a, g, q) = (-0.5, 2.0, 3.0);
        let x = care(
            &DMatrix::from_element(1, 1, a),
            &DMatrix::from_element(1, 1, g),
            &DMatrix::from_element(1, 1, q),
        )
        .unwrap();
        let want = (a + (a * a + g * q).sqrt()) / g;
        assert!((x[(0, 0)] - want).abs() < 1e-12 * want);
    }
}
