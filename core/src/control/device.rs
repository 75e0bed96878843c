//! The device on floor n (docs/control.md §2.2): a mass–spring–damper (TMD, or the proof mass of an
//! inertial actuator whose base m_b is bolted to floor n). Four degrees of freedom
//! x = [x₁, x₂, x₃, x_p]:
//!
//! ```text
//! M* = M + m_b e_n e_nᵀ,  M4 = [[M*, 0], [0, m_p]]
//! K4 = [[K + k_p e_n e_nᵀ, −k_p e_n], [−k_p e_nᵀ, k_p]]
//! C4 = [[C + c_p e_n e_nᵀ, −c_p e_n], [−c_p e_nᵀ, c_p]]
//! p = [1, 0, 0, 0]ᵀ (disturbance on floor 1),  a = [e_n; −1] (actuator pair),  s = [e_n; 0]
//! ```
//!
//! State space with x = [x₁..x_p, ẋ₁..ẋ_p] (8 states, 0-based):
//! A = [[0, I₄], [−M4⁻¹K4, −M4⁻¹C4]], B_u = [0; M4⁻¹a], B_d = [0; M4⁻¹p], and the
//! collocated velocity sensor C_v picks state 3 + n (velocity of floor n).

use std::f64::consts::PI;

use nalgebra::{DMatrix, DVector, Matrix4, Vector4};

use super::rig::{structure, Structure};

/// Mechanical parameters of the device.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeviceParams {
    /// Floor carrying the device, 1..=3.
    pub floor: usize,
    /// Base mass m_b \[kg\].
    pub base_mass_kg: f64,
    /// Proof mass m_p \[kg\].
    pub proof_mass_kg: f64,
    /// Suspension stiffness k_p [N/m].
    pub stiffness_n_per_m: f64,
    /// Suspension damping c_p [N·s/m].
    pub damping_ns_per_m: f64,
}

impl DeviceParams {
    /// Device natural frequency f_p = √(k_p/m_p)/2π \[Hz\].
    pub fn natural_frequency_hz(&self) -> f64 {
        (self.stiffness_n_per_m / self.proof_mass_kg).sqrt() / (2.0 * PI)
    }

    /// Device damping ratio ξ_p = c_p / (2√(k_p m_p)) [-] (fraction).
    pub fn damping_ratio(&self) -> f64 {
        self.damping_ns_per_m / (2.0 * (self.stiffness_n_per_m * self.proof_mass_kg).sqrt())
    }

    /// The same device on another floor.
    pub fn on_floor(&self, floor: usize) -> Self {
        Self { floor, ..*self }
    }
}

/// The structure with the device: 4-DOF matrices and the 8-state model.
#[derive(Debug, Clone)]
pub struct Device {
    pub params: DeviceParams,
    /// Mass matrix M4 (diagonal) \[kg\].
    pub m4: Matrix4<f64>,
    /// Stiffness matrix K4 [N/m].
    pub k4: Matrix4<f64>,
    /// Damping matrix C4 [N·s/m].
    pub c4: Matrix4<f64>,
    /// State matrix A (8×8).
    pub a: DMatrix<f64>,
    /// Actuator-force input B_u (8) [per N].
    pub bu: DVector<f64>,
    /// Disturbance input B_d (8) [per N].
    pub bd: DVector<f64>,
    /// 0-based index of the sensed state (velocity of the device floor): 3 + n.
    pub sensor_index: usize,
}

impl Device {
    /// Builds the model for `params` (floor 1..=3, m_p > 0 checked by the caller).
    pub fn new(params: DeviceParams) -> Self {
        Self::on(structure(), params)
    }

    /// The device on structure `s` (the rig's geometry model or a profile's chain).
    pub fn on(s: &Structure, params: DeviceParams) -> Self {
        let n = params.floor - 1;
        let (mp, kp, cp) = (
            params.proof_mass_kg,
            params.stiffness_n_per_m,
            params.damping_ns_per_m,
        );
        let mut m4 = Matrix4::zeros();
        let mut k4 = Matrix4::zeros();
        let mut c4 = Matrix4::zeros();
        m4.fixed_view_mut::<3, 3>(0, 0).copy_from(&s.m);
        k4.fixed_view_mut::<3, 3>(0, 0).copy_from(&s.k);
        c4.fixed_view_mut::<3, 3>(0, 0).copy_from(&s.c);
        m4[(n, n)] += params.base_mass_kg;
        m4[(3, 3)] = mp;
        for (mat, v) in [(&mut k4, kp), (&mut c4, cp)] {
            mat[(n, n)] += v;
            mat[(n, 3)] -= v;
            mat[(3, n)] -= v;
            mat[(3, 3)] += v;
        }
        let minv = Vector4::from_fn(|i, _| 1.0 / m4[(i, i)]);
        let mut a = DMatrix::zeros(8, 8);
        for i in 0..4 {
            a[(i, 4 + i)] = 1.0;
            for j in 0..4 {
                a[(4 + i, j)] = -minv[i] * k4[(i, j)];
                a[(4 + i, 4 + j)] = -minv[i] * c4[(i, j)];
            }
        }
        let mut bu = DVector::zeros(8);
        bu[4 + n] = minv[n];
        bu[7] = -minv[3];
        let mut bd = DVector::zeros(8);
        bd[4] = minv[0];
        Self {
            params,
            m4,
            k4,
            c4,
            a,
            bu,
            bd,
            sensor_index: 3 + params.floor,
        }
    }

    /// Index (0-based, 0..3) of the device floor among the 4 DOF.
    pub fn dof(&self) -> usize {
        self.params.floor - 1
    }

    /// The sensor row C_v (8) as a vector.
    pub fn cv(&self) -> DVector<f64> {
        let mut c = DVector::zeros(8);
        c[self.sensor_index] = 1.0;
        c
    }
}
