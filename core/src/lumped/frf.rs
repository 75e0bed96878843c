//! The frequency response of the lumped model (docs/simulator.md §4.1): the FRF types, dB and
//! phase, and the closed-form per-frequency kernel.
//!
//! `H(ω) = Z(ω)⁻¹ e_f`, `Z(ω) = K − ω²M + iωC` (dynamic stiffness), solved in closed form per
//! frequency: column `f` of the inverse is `adj(Z)[:, f] / det Z`, `det Z` expanded along row `f`.
//! Receptance `H` (m/N), mobility `iω H` (m/s/N), accelerance `−ω² H` (m/s²/N). Shown as
//! magnitude `20 log10 |·|` in dB re 1 unit and phase `atan2(Im, Re)` in degrees in
//! (−180, 180] (dB via `ln`, phase via the `libm` crate's `atan2`, both within an ulp or two of the
//! libm functions and about twice as fast). `det Z = 0` can only happen at an undamped mode:
//! an error naming `profile.dampings_ns_per_m`. The inner loop is monomorphised per excited
//! floor and streams its values ([`LumpedModel::frf_each`]): 9901 points take well under 1 ms.

use nalgebra::Matrix3;
use num_complex::Complex64;
use serde::{Deserialize, Serialize};

use super::model::floor_index;
use super::{field, LumpedModel, DAMPING_FIELD_SUFFIX};
use crate::{Cancel, ToolError};

/// What the frequency response relates to the force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrfType {
    /// Displacement / force, m/N.
    Receptance,
    /// Velocity / force, m/s/N.
    Mobility,
    /// Acceleration / force, m/s²/N.
    Accelerance,
}

impl FrfType {
    /// All types, in the order of the schema.
    pub const ALL: [FrfType; 3] = [FrfType::Receptance, FrfType::Mobility, FrfType::Accelerance];

    /// Parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            FrfType::Receptance => "receptance",
            FrfType::Mobility => "mobility",
            FrfType::Accelerance => "accelerance",
        }
    }

    /// From a parameter value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// y label of a magnitude plot.
    pub fn magnitude_label(self) -> &'static str {
        match self {
            FrfType::Receptance => "Magnitude (dB re 1 m/N)",
            FrfType::Mobility => "Magnitude (dB re 1 m/s/N)",
            FrfType::Accelerance => "Magnitude (dB re 1 m/s²/N)",
        }
    }

    /// The factor turning a receptance at `omega` (rad/s) into this type: 1, iω or −ω².
    pub fn factor(self, omega: f64) -> Complex64 {
        match self {
            FrfType::Receptance => Complex64::new(1.0, 0.0),
            FrfType::Mobility => Complex64::new(0.0, omega),
            FrfType::Accelerance => Complex64::new(-omega * omega, 0.0),
        }
    }
}

/// `20 log10 |z|` (dB re 1 unit); `-inf` for `z = 0`.
pub fn magnitude_db(z: Complex64) -> f64 {
    // 10/ln 10: ln is markedly faster than log10 in common libms, at ≤ 1 ulp extra error.
    const DB_PER_NEPER_POWER: f64 = 10.0 / std::f64::consts::LN_10;
    let n2 = z.norm_sqr();
    if n2.is_normal() {
        DB_PER_NEPER_POWER * n2.ln()
    } else {
        // |z|² under- or overflowed: take the scaled modulus.
        20.0 * z.norm().log10()
    }
}

/// `atan2(Im z, Re z)` in degrees, in (−180, 180].
pub fn phase_deg(z: Complex64) -> f64 {
    // The `libm` crate's atan2 (fdlibm, pure Rust) inlines into the FRF loop; the platform
    // libm call costs about twice as much here and the phase dominates the FRF time.
    let p = libm::atan2(z.im, z.re).to_degrees();
    if p <= -180.0 {
        p + 360.0
    } else {
        p
    }
}

pub(super) type C3 = [[Complex64; 3]; 3];

/// Signed cofactor (row `r`, column `c`) of a 3×3 complex matrix.
#[inline(always)]
pub(super) fn cofactor(z: &C3, r: usize, c: usize) -> Complex64 {
    let (r1, r2) = match r {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    let (c1, c2) = match c {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    let minor = z[r1][c1] * z[r2][c2] - z[r1][c2] * z[r2][c1];
    if (r + c) & 1 == 0 {
        minor
    } else {
        -minor
    }
}

/// Solves `z h = e_f` in closed form: `h_i = cof(z)[f][i] / det z`. `None` when `det z = 0`
/// or the result is not finite.
#[inline(always)]
fn solve_unit_column(z: &C3, f: usize) -> Option<[Complex64; 3]> {
    let cof = [cofactor(z, f, 0), cofactor(z, f, 1), cofactor(z, f, 2)];
    let det = z[f][0] * cof[0] + z[f][1] * cof[1] + z[f][2] * cof[2];
    if (det.re == 0.0 && det.im == 0.0) || !det.is_finite() {
        return None;
    }
    let inv = det.inv();
    let h = [cof[0] * inv, cof[1] * inv, cof[2] * inv];
    h.iter().all(|x| x.is_finite()).then_some(h)
}

/// The model as plain arrays for the per-frequency inner loop.
#[derive(Debug, Clone, Copy)]
struct FrfKernel {
    k: [[f64; 3]; 3],
    m: [[f64; 3]; 3],
    c: [[f64; 3]; 3],
    /// 0-based excited floor.
    f: usize,
    frf_type: FrfType,
}

impl FrfKernel {
    fn new(model: &LumpedModel, f: usize, frf_type: FrfType) -> Self {
        let arr = |a: &Matrix3<f64>| -> [[f64; 3]; 3] {
            std::array::from_fn(|i| std::array::from_fn(|j| a[(i, j)]))
        };
        Self {
            k: arr(&model.k),
            m: arr(&model.m),
            c: arr(&model.c),
            f,
            frf_type,
        }
    }

    /// The FRF of the three floors at `f_hz`, `None` at a singular point.
    #[inline]
    fn eval(&self, f_hz: f64) -> Option<[Complex64; 3]> {
        match self.f {
            0 => self.eval_at::<0>(f_hz),
            1 => self.eval_at::<1>(f_hz),
            _ => self.eval_at::<2>(f_hz),
        }
    }

    /// [`Self::eval`] with the excited floor `F` (0-based) known at compile time.
    #[inline(always)]
    fn eval_at<const F: usize>(&self, f_hz: f64) -> Option<[Complex64; 3]> {
        let omega = std::f64::consts::TAU * f_hz;
        let w2 = omega * omega;
        let z: C3 = std::array::from_fn(|i| {
            std::array::from_fn(|j| {
                Complex64::new(self.k[i][j] - w2 * self.m[i][j], omega * self.c[i][j])
            })
        });
        let h = solve_unit_column(&z, F)?;
        Some(match self.frf_type {
            FrfType::Receptance => h,
            FrfType::Mobility => h.map(|x| Complex64::new(-omega * x.im, omega * x.re)),
            FrfType::Accelerance => h.map(|x| x * -w2),
        })
    }

    /// The loop of [`LumpedModel::frf_each`], monomorphised per excited floor.
    fn stream<const F: usize>(
        &self,
        freqs_hz: &[f64],
        cancel: &Cancel,
        mut sink: impl FnMut(usize, [Complex64; 3]),
    ) -> Result<(), ToolError> {
        for (block, chunk) in freqs_hz.chunks(8192).enumerate() {
            cancel.check()?;
            for (i, &fr) in chunk.iter().enumerate() {
                let h = self.eval_at::<F>(fr).ok_or_else(|| Self::singular(fr))?;
                sink(block * 8192 + i, h);
            }
        }
        Ok(())
    }

    fn singular(f_hz: f64) -> ToolError {
        ToolError::invalid(
            field(DAMPING_FIELD_SUFFIX),
            format!(
                "the dynamic stiffness is singular at {f_hz} Hz (an undamped mode): add damping"
            ),
        )
    }
}

impl LumpedModel {
    /// Receptances `x_j / F_f` (m/N) of the three floors at `f_hz` for a force on floor
    /// `force_floor` (1..=3).
    pub fn receptance(&self, force_floor: usize, f_hz: f64) -> Result<[Complex64; 3], ToolError> {
        self.response(force_floor, FrfType::Receptance, f_hz)
    }

    /// The FRF of the three floors at `f_hz` for a force on floor `force_floor` (1..=3).
    pub fn response(
        &self,
        force_floor: usize,
        frf_type: FrfType,
        f_hz: f64,
    ) -> Result<[Complex64; 3], ToolError> {
        let f = floor_index(force_floor)?;
        self.response_at(f, frf_type, f_hz)
    }

    fn response_at(
        &self,
        f: usize,
        frf_type: FrfType,
        f_hz: f64,
    ) -> Result<[Complex64; 3], ToolError> {
        FrfKernel::new(self, f, frf_type)
            .eval(f_hz)
            .ok_or_else(|| FrfKernel::singular(f_hz))
    }

    /// The FRF of the three floors at every frequency of `freqs_hz`, `out[i][j]` = floor j+1 at
    /// frequency i. Checks `cancel` every few thousand points.
    pub fn frf(
        &self,
        force_floor: usize,
        frf_type: FrfType,
        freqs_hz: &[f64],
        cancel: &Cancel,
    ) -> Result<Vec<[Complex64; 3]>, ToolError> {
        let mut out = Vec::with_capacity(freqs_hz.len());
        self.frf_each(force_floor, frf_type, freqs_hz, cancel, |_, h| out.push(h))?;
        Ok(out)
    }

    /// Streams the FRF of the three floors at every frequency of `freqs_hz` into `sink`
    /// (index, values) without storing it. Checks `cancel` every few thousand points.
    pub fn frf_each(
        &self,
        force_floor: usize,
        frf_type: FrfType,
        freqs_hz: &[f64],
        cancel: &Cancel,
        sink: impl FnMut(usize, [Complex64; 3]),
    ) -> Result<(), ToolError> {
        let kernel = FrfKernel::new(self, floor_index(force_floor)?, frf_type);
        match kernel.f {
            0 => kernel.stream::<0>(freqs_hz, cancel, sink),
            1 => kernel.stream::<1>(freqs_hz, cancel, sink),
            _ => kernel.stream::<2>(freqs_hz, cancel, sink),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lumped::Profile;

    #[test]
    fn phase_is_in_the_half_open_interval() {
        for (re, im, want) in [
            (1.0, 0.0, 0.0),
            (0.0, 1.0, 90.0),
            (-1.0, 0.0, 180.0),
            (-1.0, -0.0, 180.0),
            (0.0, -1.0, -90.0),
            (-1.0, -1e-300, 180.0),
            (-1.0, -1e-3, -180.0 + 1e-3f64.atan().to_degrees()),
        ] {
            let p = phase_deg(Complex64::new(re, im));
            assert!(
                (p - want).abs() < 1e-12 && p > -180.0 && p <= 180.0,
                "{re} {im}: {p}"
            );
        }
        // −180° is folded to exactly +180°.
        assert_eq!(phase_deg(Complex64::new(-1.0, -0.0)), 180.0);
        assert_eq!(phase_deg(Complex64::new(-1.0, 0.0)), 180.0);
    }

    #[test]
    fn singular_frf_names_the_dampers() {
        // Undamped chain hit exactly at a natural frequency: 1 kg / 1 N/m single mode analogue.
        let m = LumpedModel {
            m: Matrix3::identity(),
            k: Matrix3::identity() * 4.0 * std::f64::consts::PI.powi(2),
            c: Matrix3::zeros(),
        };
        let e = m.receptance(1, 1.0).unwrap_err();
        assert_eq!(e.field(), Some("profile.dampings_ns_per_m"));
    }

    #[test]
    fn frf_types_and_labels() {
        for t in FrfType::ALL {
            assert_eq!(FrfType::parse(t.as_str()), Some(t));
        }
        assert_eq!(FrfType::parse("inertance"), None);
        assert_eq!(
            FrfType::Accelerance.magnitude_label(),
            "Magnitude (dB re 1 m/s²/N)"
        );
        let model = Profile::default().model();
        let all = model
            .frf(1, FrfType::Receptance, &[1.0, 2.0], &Cancel::new())
            .unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1], model.receptance(1, 2.0).unwrap());
        let c = Cancel::new();
        c.cancel();
        let many = vec![1.0; 20_000];
        assert_eq!(
            model.frf(1, FrfType::Receptance, &many, &c).unwrap_err(),
            ToolError::Cancelled
        );
    }
}
