//! From identified modes to the physical chain (docs/measured.md §4.2 steps 6–10).
//!
//! - Mass-normalised shapes: one file with the force at floor q: `φ_r = a_r,(·,q) / √a_r,qq`;
//!   three files: `S_r` (column q = constants of the file excited at q), symmetrised, largest
//!   eigenpair `(λ, v)`, `φ_r = √λ v`. Sign: the entry of largest modulus is positive.
//! - Masses: `M_f = (Φ Φᵀ)⁻¹` (from `Φᵀ M Φ = I`), `m_i = (M_f)_ii`.
//! - Stiffnesses: `K_f = M_f Φ diag(ω_r²) Φᵀ M_f`, `k⁰` = least squares of `Σ k_i E_i ≈ K_f`
//!   (9 equations); then Newton on the chain's eigenvalues,
//!   `k ← k + G⁻¹ (ω_id² − λ(k))`, `G_ri = v_rᵀ E_i v_r = ∂λ_r/∂k_i` (mass-normalised v_r),
//!   until `max |Δk_i / k_i| < 1e-13` (≤ 50 iterations); failure or a non-positive k keeps k⁰.
//! - Dampers: `Σ_i c_i v_rᵀ E_i v_r = 2 ζ_r ω_r` with the final chain's modes (modal damping
//!   of the real modes of the chain).

use nalgebra::{Matrix3, SymmetricEigen, Vector3};

use crate::ToolError;

/// Largest number of Newton iterations.
pub const NEWTON_MAX_ITERATIONS: usize = 50;
/// Relative Newton step below which the stiffnesses are converged.
pub const NEWTON_TOLERANCE: f64 = 1e-13;

/// `E_i` of the chain: `E1 = e1e1ᵀ`, `E2 = (e1−e2)(e1−e2)ᵀ`, `E3 = (e2−e3)(e2−e3)ᵀ`.
pub fn storey_matrix(i: usize) -> Matrix3<f64> {
    let mut e = [0.0; 3];
    e[i] = 1.0;
    crate::lumped::chain_matrix(&e)
}

/// Makes the entry of largest modulus positive.
fn orient(mut v: [f64; 3]) -> [f64; 3] {
    let big = v
        .iter()
        .copied()
        .fold(0.0_f64, |m, x| if x.abs() > m.abs() { x } else { m });
    if big < 0.0 {
        for x in v.iter_mut() {
            *x = -*x;
        }
    }
    v
}

/// Mass-normalised shapes `shapes[r][j]` from the modal constants `constants[c][r]` of the
/// columns `c = 3 e + j` (file e, floor j) and the excited floors (0-based) of the files.
pub fn mode_shapes(
    constants: &[[f64; 3]],
    excitation: &[usize],
) -> Result<[[f64; 3]; 3], ToolError> {
    let not_positive = |r: usize| {
        ToolError::invalid(
            "frfs",
            format!(
                "the driving-point modal constant of mode {} is not positive: check \
                 excitation_floor (and the sign of the data)",
                r + 1
            ),
        )
    };
    let mut shapes = [[0.0; 3]; 3];
    for (r, shape) in shapes.iter_mut().enumerate() {
        if excitation.len() == 1 {
            let q = excitation[0];
            let app = constants[q][r];
            if app.is_nan() || app <= 0.0 {
                return Err(not_positive(r));
            }
            let s = app.sqrt();
            *shape = orient(std::array::from_fn(|j| constants[j][r] / s));
        } else {
            let mut s = Matrix3::zeros();
            for (e, &q) in excitation.iter().enumerate() {
                for j in 0..3 {
                    s[(j, q)] = constants[3 * e + j][r];
                }
            }
            let s = (s + s.transpose()) * 0.5;
            let eig = SymmetricEigen::new(s);
            let (k, lmax) = eig.eigenvalues.iter().copied().enumerate().fold(
                (0, f64::NEG_INFINITY),
                |b, (i, l)| if l > b.1 { (i, l) } else { b },
            );
            if lmax.is_nan() || lmax <= 0.0 {
                return Err(not_positive(r));
            }
            let v = eig.eigenvectors.column(k) * lmax.sqrt();
            *shape = orient([v[0], v[1], v[2]]);
        }
    }
    Ok(shapes)
}

/// Undamped modes of the chain (M, K(k)): eigenvalues ω² ascending and mass-normalised
/// shapes `v[r]`.
pub fn chain_modes(masses: &[f64; 3], k: &[f64; 3]) -> Option<([f64; 3], [Vector3<f64>; 3])> {
    let s = Vector3::from_fn(|i, _| 1.0 / masses[i].sqrt());
    let kk = crate::lumped::chain_matrix(k);
    let a = Matrix3::from_fn(|i, j| s[i] * kk[(i, j)] * s[j]);
    let eig = SymmetricEigen::try_new(a, f64::EPSILON, 10_000)?;
    let mut order = [0usize, 1, 2];
    order.sort_by(|&i, &j| eig.eigenvalues[i].total_cmp(&eig.eigenvalues[j]));
    let lambda = order.map(|i| eig.eigenvalues[i]);
    let v = order.map(|i| eig.eigenvectors.column(i).component_mul(&s));
    lambda.iter().all(|l| l.is_finite()).then_some((lambda, v))
}

/// `G_ri = v_rᵀ E_i v_r`.
fn sensitivity(v: &[Vector3<f64>; 3]) -> Matrix3<f64> {
    Matrix3::from_fn(|r, i| (v[r].transpose() * storey_matrix(i) * v[r])[(0, 0)])
}

/// The identified chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub masses_kg: [f64; 3],
    pub stiffnesses_n_per_m: [f64; 3],
    pub dampings_ns_per_m: [f64; 3],
    /// Whether the Newton update converged (else `k⁰` is kept).
    pub newton_converged: bool,
    /// Mass-normalised modes of the final (M, K).
    pub modes: [Vector3<f64>; 3],
}

/// Masses, stiffnesses and dampers from identified frequencies, damping ratios and
/// mass-normalised shapes.
pub fn identify(
    f_hz: &[f64; 3],
    zeta: &[f64; 3],
    shapes: &[[f64; 3]; 3],
) -> Result<Chain, ToolError> {
    let dependent = || {
        ToolError::invalid(
            "frfs",
            "the identified mode shapes are linearly dependent: no mass matrix follows",
        )
    };
    let phi = Matrix3::from_fn(|j, r| shapes[r][j]);
    let mf = (phi * phi.transpose())
        .try_inverse()
        .ok_or_else(dependent)?;
    let masses_kg: [f64; 3] = std::array::from_fn(|i| mf[(i, i)]);
    if masses_kg.iter().any(|m| !(*m > 0.0 && m.is_finite())) {
        return Err(dependent());
    }
    let w2: [f64; 3] = f_hz.map(|f| (std::f64::consts::TAU * f).powi(2));
    let kf = mf * phi * Matrix3::from_diagonal(&Vector3::from(w2)) * phi.transpose() * mf;
    // Least squares over the 9 entries: (Σ_ab E_i E_l) k = Σ_ab E_i K_f.
    let e: [Matrix3<f64>; 3] = std::array::from_fn(storey_matrix);
    let normal = Matrix3::from_fn(|i, l| e[i].component_mul(&e[l]).sum());
    let rhs = Vector3::from_fn(|i, _| e[i].component_mul(&kf).sum());
    let k0 = normal.lu().solve(&rhs).ok_or_else(dependent)?;
    let k0: [f64; 3] = [k0[0], k0[1], k0[2]];

    let mut k = k0;
    let mut converged = false;
    for _ in 0..NEWTON_MAX_ITERATIONS {
        let Some((lambda, v)) = chain_modes(&masses_kg, &k) else {
            break;
        };
        let g = sensitivity(&v);
        let resid = Vector3::from_fn(|r, _| w2[r] - lambda[r]);
        let Some(dk) = g.lu().solve(&resid) else {
            break;
        };
        let rel = (0..3).map(|i| (dk[i] / k[i]).abs()).fold(0.0, f64::max);
        for i in 0..3 {
            k[i] += dk[i];
        }
        if !rel.is_finite() || k.iter().any(|x| x.is_nan() || *x <= 0.0) {
            break;
        }
        if rel < NEWTON_TOLERANCE {
            converged = true;
            break;
        }
    }
    if !converged {
        k = k0;
    }
    if k.iter().any(|x| !(*x > 0.0 && x.is_finite())) {
        return Err(ToolError::invalid(
            "frfs",
            "the identified stiffnesses are not positive: the data do not describe a shear chain",
        ));
    }
    let (_, modes) = chain_modes(&masses_kg, &k)
        .ok_or_else(|| ToolError::failed("the eigenproblem of the identified chain failed"))?;
    let g = sensitivity(&modes);
    let target = Vector3::from_fn(|r, _| 2.0 * zeta[r] * w2[r].sqrt());
    let c = g
        .lu()
        .solve(&target)
        .ok_or_else(|| ToolError::failed("the damper equations of the chain are singular"))?;
    Ok(Chain {
        masses_kg,
        stiffnesses_n_per_m: k,
        dampings_ns_per_m: [c[0], c[1], c[2]],
        newton_converged: converged,
        modes,
    })
}

/// MAC of two real vectors.
pub fn mac_real(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    let ab: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let aa: f64 = a.iter().map(|x| x * x).sum();
    let bb: f64 = b.iter().map(|x| x * x).sum();
    ab * ab / (aa * bb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_is_recovered_from_its_own_modes() {
        let m = [5.0394, 4.9919, 4.9693];
        let k = [34958.3691, 43195.1237, 43295.9086];
        let (lambda, v) = chain_modes(&m, &k).unwrap();
        let f = lambda.map(|l| l.sqrt() / std::f64::consts::TAU);
        let shapes = [0, 1, 2].map(|r| orient([v[r][0], v[r][1], v[r][2]]));
        let chain = identify(&f, &[0.002, 0.003, 0.004], &shapes).unwrap();
        assert!(chain.newton_converged);
        for i in 0..3 {
            assert!((chain.masses_kg[i] - m[i]).abs() < 1e-9 * m[i]);
            assert!((chain.stiffnesses_n_per_m[i] - k[i]).abs() < 1e-7 * k[i]);
        }
    }
}
