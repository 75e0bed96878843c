//! The matrices of the lumped model and its state-space form (docs/simulator.md §2).
//!
//! A fixed-base chain of three lumped masses: floor 1 (bottom) is tied to the ground by the
//! spring `k1` and the viscous damper `c1`, floor 2 to floor 1 by `k2`/`c2`, floor 3 to floor 2
//! by `k3`/`c3`. With displacements `x = (x1, x2, x3)` relative to the ground and a force `F`
//! on floor `f`:
//!
//! ```text
//! M ẍ + C ẋ + K x = e_f F,   M = diag(m1, m2, m3)
//!
//!     | k1+k2  -k2     0  |
//! K = |  -k2  k2+k3  -k3  |      C: the same pattern with c1, c2, c3
//!     |   0    -k3    k3  |
//! ```
//!
//! State `z = (x, ẋ)`: `ż = A z + B F` with `A = [[0, I], [−M⁻¹K, −M⁻¹C]]`,
//! `B = (0, e_f / m_f)` ([`LumpedModel::state_matrix`], [`LumpedModel::input_vector`]).

use nalgebra::linalg::Cholesky;
use nalgebra::{Matrix3, Matrix6, Vector3, Vector6};

use super::{field, DAMPING_FIELD_SUFFIX, N_FLOORS};
use crate::ToolError;

/// The tridiagonal matrix of a fixed-base chain of storey elements `e` (stiffnesses or dampers).
pub fn chain_matrix(e: &[f64; 3]) -> Matrix3<f64> {
    Matrix3::new(
        e[0] + e[1],
        -e[1],
        0.0,
        -e[1],
        e[1] + e[2],
        -e[2],
        0.0,
        -e[2],
        e[2],
    )
}

/// Mass, stiffness and damping matrices of a 3-DOF model (the chain of §2, or any symmetric
/// M > 0, K > 0, C ≥ 0 such as a Rayleigh damping matrix).
#[derive(Debug, Clone, PartialEq)]
pub struct LumpedModel {
    pub m: Matrix3<f64>,
    pub k: Matrix3<f64>,
    pub c: Matrix3<f64>,
}

impl LumpedModel {
    /// The fixed-base chain of docs/simulator.md §2 from floor masses and storey springs/dampers.
    pub fn chain(masses: &[f64; 3], stiffnesses: &[f64; 3], dampings: &[f64; 3]) -> Self {
        Self {
            m: Matrix3::from_diagonal(&Vector3::from(*masses)),
            k: chain_matrix(stiffnesses),
            c: chain_matrix(dampings),
        }
    }

    /// A model from full matrices. M and K must be symmetric positive definite, C symmetric
    /// with a non-negative diagonal.
    pub fn from_matrices(
        m: Matrix3<f64>,
        k: Matrix3<f64>,
        c: Matrix3<f64>,
    ) -> Result<Self, ToolError> {
        let all_finite = m
            .iter()
            .chain(k.iter())
            .chain(c.iter())
            .all(|x| x.is_finite());
        if !all_finite {
            return Err(ToolError::invalid("profile", "matrices must be finite"));
        }
        let symmetric = |a: &Matrix3<f64>| {
            let scale = a.amax().max(f64::MIN_POSITIVE);
            (a - a.transpose()).amax() <= 1e-12 * scale
        };
        if !symmetric(&m) || Cholesky::new(m).is_none() {
            return Err(ToolError::invalid(
                field("masses_kg"),
                "the mass matrix must be symmetric positive definite",
            ));
        }
        if !symmetric(&k) || Cholesky::new(k).is_none() {
            return Err(ToolError::invalid(
                field("stiffnesses_n_per_m"),
                "the stiffness matrix must be symmetric positive definite",
            ));
        }
        if !symmetric(&c) || c.diagonal().iter().any(|&x| x < 0.0) || c.amax() == 0.0 {
            return Err(ToolError::invalid(
                field(DAMPING_FIELD_SUFFIX),
                "the damping matrix must be symmetric, non-negative on its diagonal and not zero",
            ));
        }
        Ok(Self { m, k, c })
    }

    pub(super) fn cholesky_m(&self) -> Result<Cholesky<f64, nalgebra::U3>, ToolError> {
        Cholesky::new(self.m).ok_or_else(|| {
            ToolError::invalid(
                field("masses_kg"),
                "the mass matrix is not positive definite",
            )
        })
    }

    /// `A = [[0, I], [−M⁻¹K, −M⁻¹C]]`.
    pub fn state_matrix(&self) -> Result<Matrix6<f64>, ToolError> {
        let minv = self.cholesky_m()?.inverse();
        let mk = -(minv * self.k);
        let mc = -(minv * self.c);
        let mut a = Matrix6::zeros();
        a.fixed_view_mut::<3, 3>(0, 3).fill_with_identity();
        a.fixed_view_mut::<3, 3>(3, 0).copy_from(&mk);
        a.fixed_view_mut::<3, 3>(3, 3).copy_from(&mc);
        Ok(a)
    }

    /// `B = (0, M⁻¹ e_f)` for the force on floor `force_floor` (1..=3); `(0, 0, 0, e_f/m_f)` for
    /// a diagonal M.
    pub fn input_vector(&self, force_floor: usize) -> Result<Vector6<f64>, ToolError> {
        let f = floor_index(force_floor)?;
        let minv = self.cholesky_m()?.inverse();
        let mut b = Vector6::zeros();
        for i in 0..N_FLOORS {
            b[3 + i] = minv[(i, f)];
        }
        Ok(b)
    }

    /// Sum of all masses (kg): `1ᵀ M 1`.
    pub fn total_mass_kg(&self) -> f64 {
        self.m.sum()
    }
}

/// 0-based index of a 1-based floor number, or an error naming `force_floor`.
pub(super) fn floor_index(force_floor: usize) -> Result<usize, ToolError> {
    if (1..=N_FLOORS).contains(&force_floor) {
        Ok(force_floor - 1)
    } else {
        Err(ToolError::invalid(
            "force_floor",
            format!("{force_floor} is outside the valid range 1..=3"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lumped::{Profile, DEFAULT_MASSES_KG};

    #[test]
    fn from_matrices_rejects_invalid_matrices() {
        let p = Profile::default().model();
        let bad_m = Matrix3::new(1.0, 2.0, 0.0, 2.0, 1.0, 0.0, 0.0, 0.0, 1.0);
        let e = LumpedModel::from_matrices(bad_m, p.k, p.c).unwrap_err();
        assert_eq!(e.field(), Some("profile.masses_kg"));
        let e = LumpedModel::from_matrices(p.m, -p.k, p.c).unwrap_err();
        assert_eq!(e.field(), Some("profile.stiffnesses_n_per_m"));
        let e = LumpedModel::from_matrices(p.m, p.k, Matrix3::zeros()).unwrap_err();
        assert_eq!(e.field(), Some("profile.dampings_ns_per_m"));
        let mut asym = p.c;
        asym[(0, 1)] += 1.0;
        let e = LumpedModel::from_matrices(p.m, p.k, asym).unwrap_err();
        assert_eq!(e.field(), Some("profile.dampings_ns_per_m"));
        let mut nan = p.k;
        nan[(2, 2)] = f64::NAN;
        let e = LumpedModel::from_matrices(p.m, nan, p.c).unwrap_err();
        assert_eq!(e.field(), Some("profile"));
        assert!(LumpedModel::from_matrices(p.m, p.k, p.c).is_ok());
    }

    #[test]
    fn state_space_matches_the_second_order_form() {
        let model = Profile::default().model();
        let a = model.state_matrix().unwrap();
        let b = model.input_vector(2).unwrap();
        let x = Vector3::new(1e-3, -2e-3, 3e-3);
        let v = Vector3::new(0.1, 0.2, -0.3);
        let z = Vector6::new(x[0], x[1], x[2], v[0], v[1], v[2]);
        let force = 2.5;
        let dz = a * z + b * force;
        // ẍ = M⁻¹(e_f F − C ẋ − K x)
        let e2 = Vector3::new(0.0, force, 0.0);
        let acc = model.m.try_inverse().unwrap() * (e2 - model.c * v - model.k * x);
        for i in 0..3 {
            assert_eq!(dz[i], v[i]);
            assert!((dz[3 + i] - acc[i]).abs() <= 1e-12 * acc.amax());
        }
        assert_eq!(b[4], 1.0 / DEFAULT_MASSES_KG[1]);
        assert_eq!(
            model.input_vector(0).unwrap_err().field(),
            Some("force_floor")
        );
        assert_eq!(
            model.receptance(4, 1.0).unwrap_err().field(),
            Some("force_floor")
        );
        assert!((model.total_mass_kg() - 15.0006).abs() < 1e-12);
        // Poles come in conjugate pairs and are stable.
        let poles = model.poles().unwrap();
        assert!(poles.iter().all(|p| p.re < 0.0));
        assert_eq!(poles.iter().filter(|p| p.im > 0.0).count(), 3);
    }
}
