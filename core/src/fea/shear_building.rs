//! The equivalent 3-DOF shear building shown beside the FE modes (docs/fea.md §2.4).
//!
//! Rigid floors on massless columns clamped at both ends: `I = b·t³/12`, storey stiffness
//! `k_i = 4·12·E·I / L_i³` (four columns), floor mass `m = Lx·Ly·t_f·ρ + 4·ρ·V_clamp`,
//! `K = [[k1+k2, −k2, 0], [−k2, k2+k3, −k3], [0, −k3, k3]]`; the eigenvalues λ of `K/m`
//! (symmetric, as all floors weigh the same) ascending give `f = √λ / 2π`. Shapes are
//! normalised so that the entry of largest magnitude is +1.

use nalgebra::{Matrix3, SymmetricEigen};

use super::geometry::CLAMP_VOLUME_M3;
use super::params::FeaParams;

/// The shear building of a geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct ShearBuilding {
    pub storey_stiffness_n_per_m: [f64; 3],
    pub floor_mass_kg: f64,
    /// Ascending.
    pub frequencies_hz: [f64; 3],
    /// Shapes (floors 1–3), peak +1, in the order of `frequencies_hz`.
    pub shapes: [[f64; 3]; 3],
}

impl ShearBuilding {
    pub fn new(p: &FeaParams) -> Self {
        let (b, t, e, rho) = (
            p.column_width_m,
            p.column_thickness_m,
            p.youngs_modulus_pa,
            p.density_kg_m3,
        );
        let i = b * t.powi(3) / 12.0;
        let k: [f64; 3] =
            std::array::from_fn(|s| 4.0 * 12.0 * e * i / p.column_free_length_m[s].powi(3));
        let m = p.floor_length_x_m * p.floor_width_y_m * p.floor_thickness_m * rho
            + 4.0 * rho * CLAMP_VOLUME_M3;
        let km = Matrix3::new(
            k[0] + k[1],
            -k[1],
            0.0,
            -k[1],
            k[1] + k[2],
            -k[2],
            0.0,
            -k[2],
            k[2],
        ) / m;
        let eig = SymmetricEigen::new(km);
        let mut order = [0usize, 1, 2];
        order.sort_by(|&a, &b| eig.eigenvalues[a].total_cmp(&eig.eigenvalues[b]));
        let frequencies_hz =
            order.map(|c| eig.eigenvalues[c].max(0.0).sqrt() / (2.0 * std::f64::consts::PI));
        let shapes = order.map(|c| {
            let v = eig.eigenvectors.column(c);
            normalise_peak([v[0], v[1], v[2]])
        });
        Self {
            storey_stiffness_n_per_m: k,
            floor_mass_kg: m,
            frequencies_hz,
            shapes,
        }
    }
}

/// `v` divided by its entry of largest magnitude (so that entry becomes +1); zeros stay.
pub fn normalise_peak(v: [f64; 3]) -> [f64; 3] {
    let peak = v
        .iter()
        .copied()
        .fold(0.0f64, |acc, x| if x.abs() > acc.abs() { x } else { acc });
    if peak == 0.0 {
        v
    } else {
        v.map(|x| x / peak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matches_the_spec() {
        let sb = ShearBuilding::new(&FeaParams::default());
        let rel = |a: f64, b: f64| ((a - b) / b).abs();
        assert!(rel(sb.storey_stiffness_n_per_m[0], 64_291.716) < 1e-7);
        assert!(rel(sb.floor_mass_kg, 5.397987) < 1e-6);
        for (f, want) in sb
            .frequencies_hz
            .iter()
            .zip([7.730055, 21.659133, 31.298355])
        {
            assert!(rel(*f, want) < 1e-6, "{f} vs {want}");
        }
        assert!((sb.shapes[0][2] - 1.0).abs() < 1e-12);
    }
}
