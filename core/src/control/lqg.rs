//! LQG design on the device model (docs/control.md §4.3).
//!
//! * LQR on the actuator force: Q = q·diag(1,1,1,0,1,1,1,0), R = r; X solves
//!   AᵀX + XA − X B_u r⁻¹ B_uᵀ X + Q = 0 and K = B_uᵀX / r (1×8); u = −K x̂ \[N\].
//! * Kalman filter on the collocated velocity y = C_v x with process noise Q_n on the
//!   disturbance input: P solves AP + PAᵀ − P C_vᵀ R_n⁻¹ C_v P + Q_n B_d B_dᵀ = 0
//!   (the dual CARE with Aᵀ), L_k = P C_vᵀ / R_n (8×1).
//! * Controller (force per velocity): K_c(s) = K (sI − A_k)⁻¹ L_k, A_k = A − B_uK − L_kC_v,
//!   kept in modal form. The closed loop's poles are eig(A − B_uK) ∪ eig(A − L_kC_v)
//!   (separation principle).

use nalgebra::{DMatrix, DVector};
use num_complex::Complex64;

use super::care::care;
use super::device::Device;
use super::eigen::{eigenvalues, Modal};
use super::error::ControlError;

/// LQG weights and noise intensities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LqgWeights {
    /// LQR state weight q [-].
    pub state_weight: f64,
    /// LQR input weight r [-].
    pub input_weight: f64,
    /// Disturbance-force noise intensity Q_n [N²·s].
    pub process_noise: f64,
    /// Velocity-sensor noise intensity R_n [(m/s)²·s].
    pub measurement_noise: f64,
}

/// The LQG design.
#[derive(Debug, Clone)]
pub struct LqgDesign {
    /// LQR gain K (8) [N per state unit].
    pub lqr_gain: DVector<f64>,
    /// Kalman gain L_k (8).
    pub kalman_gain: DVector<f64>,
    /// LQR Riccati solution X.
    pub x: DMatrix<f64>,
    /// Kalman Riccati solution P.
    pub p: DMatrix<f64>,
    /// Controller K_c(s) in modal form [N·s/m].
    pub controller: Modal,
    /// eig(A − B_uK).
    pub regulator_poles: Vec<Complex64>,
    /// eig(A − L_kC_v).
    pub estimator_poles: Vec<Complex64>,
}

/// Designs the LQG controller for `dev`.
pub fn design(dev: &Device, w: &LqgWeights) -> Result<LqgDesign, ControlError> {
    let a = &dev.a;
    let bu = &dev.bu;
    let cv = dev.cv();
    let mut q = DMatrix::zeros(8, 8);
    for i in [0, 1, 2, 4, 5, 6] {
        q[(i, i)] = w.state_weight;
    }
    let g = bu * bu.transpose() / w.input_weight;
    let x = care(a, &g, &q)?;
    let k: DVector<f64> = x.transpose() * bu / w.input_weight; // K = B_uᵀX/r, as a column
    let at = a.transpose();
    let gf = &cv * cv.transpose() / w.measurement_noise;
    let qf = &dev.bd * dev.bd.transpose() * w.process_noise;
    let p = care(&at, &gf, &qf)?;
    let lk: DVector<f64> = &p * &cv / w.measurement_noise;
    let reg = a - bu * k.transpose();
    let est = a - &lk * cv.transpose();
    let regulator_poles = eigenvalues(&reg, "LQR closed-loop")?;
    let estimator_poles = eigenvalues(&est, "estimator")?;
    let unstable = regulator_poles
        .iter()
        .chain(&estimator_poles)
        .any(|z| z.re >= 0.0);
    if unstable {
        return Err(ControlError::Riccati(
            "the regulator or estimator is not stable".into(),
        ));
    }
    let ak = &reg - &lk * cv.transpose();
    let controller = Modal::new(&ak, &lk, &k, "LQG controller")
        .map_err(|e| ControlError::Riccati(format!("no modal form of the controller ({e})")))?;
    Ok(LqgDesign {
        lqr_gain: k,
        kalman_gain: lk,
        x,
        p,
        controller,
        regulator_poles,
        estimator_poles,
    })
}
