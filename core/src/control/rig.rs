//! The fixed 3-storey benchtop rig (docs/control.md §2.1).
//!
//! Storey mass m = 5.201 kg; each storey has 4 aluminium legs (E = 70 GPa, b = 25 mm,
//! t = 3 mm, l = 153.3 mm) clamped at both ends, so the storey shear stiffness is
//!
//! ```text
//! J = b t³ / 12,   k = 4 · 12 E J / l³ = 52 460.852 N/m
//! M = m I₃,        K = k [[2, −1, 0], [−1, 2, −1], [0, −1, 1]]   (floor 1 = bottom)
//! ```
//!
//! Undamped modes solve K φ = ω² M φ (symmetric, so `SymmetricEigen` of K/m), sorted
//! ascending. Rayleigh damping C = α M + β K is fitted to ξ = 0.2 % on modes 1 and 2:
//!
//! ```text
//! α = 2ξ ω₁ω₂ / (ω₁ + ω₂),   β = 2ξ / (ω₁ + ω₂),   ξᵢ = α / (2ωᵢ) + β ωᵢ / 2
//! ```

use std::f64::consts::PI;
use std::sync::OnceLock;

use nalgebra::{Matrix3, SymmetricEigen};

/// Storey (floor) mass \[kg\].
pub const FLOOR_MASS_KG: f64 = 5.201;
/// Young's modulus of the aluminium legs \[Pa\].
pub const YOUNG_MODULUS_PA: f64 = 70e9;
/// Leg width \[m\].
pub const LEG_WIDTH_M: f64 = 0.025;
/// Leg thickness \[m\].
pub const LEG_THICKNESS_M: f64 = 0.003;
/// Leg length \[m\].
pub const LEG_LENGTH_M: f64 = 0.1533;
/// Legs per storey.
pub const LEGS_PER_STOREY: f64 = 4.0;
/// Rayleigh damping ratio fitted on modes 1 and 2 [-].
pub const RAYLEIGH_XI: f64 = 0.002;

/// The bare structure: matrices, Rayleigh coefficients and modes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Structure {
    /// Storey stiffness k [N/m] of the geometry model; None for a profile's chain.
    pub storey_stiffness_n_per_m: Option<f64>,
    /// Mass matrix M \[kg\].
    pub m: Matrix3<f64>,
    /// Stiffness matrix K [N/m].
    pub k: Matrix3<f64>,
    /// Rayleigh damping matrix C = αM + βK [N·s/m].
    pub c: Matrix3<f64>,
    /// Rayleigh α [1/s] (0 for a profile: its dampers are the storeys' own).
    pub alpha_1_per_s: f64,
    /// Rayleigh β \[s\] (0 for a profile).
    pub beta_s: f64,
    /// Undamped natural frequencies, ascending \[Hz\].
    pub natural_frequencies_hz: [f64; 3],
    /// Modal damping ratios of the Rayleigh model [-] (fraction, not %).
    pub damping_ratios: [f64; 3],
}

impl Structure {
    fn build() -> Self {
        let j = LEG_WIDTH_M * LEG_THICKNESS_M.powi(3) / 12.0;
        let k = LEGS_PER_STOREY * 12.0 * YOUNG_MODULUS_PA * j / LEG_LENGTH_M.powi(3);
        let m = Matrix3::identity() * FLOOR_MASS_KG;
        let kmat = Matrix3::new(2.0, -1.0, 0.0, -1.0, 2.0, -1.0, 0.0, -1.0, 1.0) * k;
        let eig = SymmetricEigen::new(kmat / FLOOR_MASS_KG);
        let mut w2: Vec<f64> = eig.eigenvalues.iter().copied().collect();
        w2.sort_by(f64::total_cmp);
        let w: Vec<f64> = w2.iter().map(|x| x.max(0.0).sqrt()).collect();
        let alpha = 2.0 * RAYLEIGH_XI * w[0] * w[1] / (w[0] + w[1]);
        let beta = 2.0 * RAYLEIGH_XI / (w[0] + w[1]);
        let c = m * alpha + kmat * beta;
        let f = [w[0] / (2.0 * PI), w[1] / (2.0 * PI), w[2] / (2.0 * PI)];
        let z = [0, 1, 2].map(|i| alpha / (2.0 * w[i]) + beta * w[i] / 2.0);
        Self {
            storey_stiffness_n_per_m: Some(k),
            m,
            k: kmat,
            c,
            alpha_1_per_s: alpha,
            beta_s: beta,
            natural_frequencies_hz: f,
            damping_ratios: z,
        }
    }
}

impl Structure {
    /// A model profile's chain (docs/measured.md §7): M = diag(m), K and C the fixed-base chains of
    /// the storey springs and dampers; natural frequencies of the undamped model and damping
    /// ratios from the damped poles (the lumped model of `modal`).
    pub fn from_chain(
        masses_kg: &[f64; 3],
        stiffnesses_n_per_m: &[f64; 3],
        dampings_ns_per_m: &[f64; 3],
    ) -> Result<Self, crate::ToolError> {
        let model =
            crate::lumped::LumpedModel::chain(masses_kg, stiffnesses_n_per_m, dampings_ns_per_m);
        let modes = model.modal_analysis()?;
        Ok(Self {
            storey_stiffness_n_per_m: None,
            m: model.m,
            k: model.k,
            c: model.c,
            alpha_1_per_s: 0.0,
            beta_s: 0.0,
            natural_frequencies_hz: modes.undamped.natural_frequency_hz,
            damping_ratios: modes.damped.damping_ratio,
        })
    }
}

/// The rig's structure, computed once.
pub fn structure() -> &'static Structure {
    static S: OnceLock<Structure> = OnceLock::new();
    S.get_or_init(Structure::build)
}
