//! The feedback of every strategy as one velocity-feedback coefficient g(ω) [N·s/m]
//! (docs/control.md §4.1): the actuator force is f_c = −g(ω)·v_n, so
//!
//! ```text
//! tmd: g = 0    dvf: g = Bl·h    dvf_ec: g = Bl·h·C_p(jω)    lqg: g = K_c(jω)
//! ```
//!
//! The open loop broken at the actuator force is L(jω) = g(ω)·P(jω) with
//! P(jω) = C_v (jωI − A)⁻¹ B_u (floor-n velocity per unit actuator force, modal form);
//! the closed loop's characteristic equation is 1 + L = 0.

use num_complex::Complex64;

use super::compensator::Compensator;
use super::device::{Device, DeviceParams};
use super::eigen::Modal;
use super::error::ControlError;
use super::lqg::LqgDesign;
use super::margins::{crossings, LoopEval, BLOCK};
use super::rig::{structure, Structure};

/// The feedback law of a strategy.
#[derive(Debug, Clone)]
pub enum Feedback {
    /// No feedback (TMD, or an actuator with zero gain).
    None,
    /// g = g₀ = Bl·h.
    Dvf { g0: f64 },
    /// g = g₀·C_p(jω).
    DvfEc { g0: f64, comp: Compensator },
    /// g = K_c(jω).
    Lqg(Box<LqgDesign>),
}

impl Feedback {
    /// g(ω) [N·s/m] at ω [rad/s].
    #[inline]
    pub fn coefficient(&self, w: f64) -> Complex64 {
        match self {
            Feedback::None => Complex64::ZERO,
            Feedback::Dvf { g0 } => Complex64::new(*g0, 0.0),
            Feedback::DvfEc { g0, comp } => comp.eval(w) * *g0,
            Feedback::Lqg(d) => d.controller.eval(w),
        }
    }

    /// Whether the loop is identically zero.
    pub fn is_zero(&self) -> bool {
        match self {
            Feedback::None => true,
            Feedback::Dvf { g0 } | Feedback::DvfEc { g0, .. } => *g0 == 0.0,
            Feedback::Lqg(_) => false,
        }
    }
}

/// The open loop L(jω) = g(ω)·P(jω).
#[derive(Debug, Clone, Copy)]
pub struct OpenLoop<'a> {
    /// P(s) = C_v (sI − A)⁻¹ B_u.
    pub plant: &'a Modal,
    /// The feedback law g.
    pub feedback: &'a Feedback,
}

impl LoopEval for OpenLoop<'_> {
    #[inline]
    fn eval(&self, w: f64) -> Complex64 {
        self.feedback.coefficient(w) * self.plant.eval(w)
    }

    fn eval_block(&self, w: &[f64], re: &mut [f64], im: &mut [f64]) {
        re.fill(0.0);
        im.fill(0.0);
        self.plant.add_block(w, re, im);
        match self.feedback {
            Feedback::None => {
                re.fill(0.0);
                im.fill(0.0);
            }
            Feedback::Dvf { g0 } => {
                re.iter_mut().for_each(|x| *x *= g0);
                im.iter_mut().for_each(|x| *x *= g0);
            }
            Feedback::DvfEc { g0, comp } => {
                comp.mul_block(w, re, im);
                re.iter_mut().for_each(|x| *x *= g0);
                im.iter_mut().for_each(|x| *x *= g0);
            }
            Feedback::Lqg(d) => {
                let n = w.len().min(BLOCK);
                let (mut kr, mut ki) = ([0.0; BLOCK], [0.0; BLOCK]);
                d.controller.add_block(&w[..n], &mut kr[..n], &mut ki[..n]);
                for j in 0..n {
                    let (a, b) = (re[j], im[j]);
                    re[j] = a * kr[j] - b * ki[j];
                    im[j] = a * ki[j] + b * kr[j];
                }
            }
        }
    }
}

/// The plant P(s) = C_v (sI − A)⁻¹ B_u of a device model, in modal form.
pub fn plant(dev: &Device) -> Result<Modal, ControlError> {
    Modal::new(&dev.a, &dev.bu, &dev.cv(), "device model")
}

/// Largest stable DVF gain h_max [A·s/m] on each floor 1..=3 for the same device, Bl and
/// optional compensator: min 1/|L₁(jωᵢ)| over the negative-real crossings of
/// L₁ = Bl·C_p·P_f (None: stable for every gain). `known` = (floor, h_max) skips a floor whose
/// value the caller already has (from the crossings of its own loop h·L₁).
pub fn max_stable_gains(
    params: &DeviceParams,
    force_factor_n_per_a: f64,
    comp: Option<&Compensator>,
    known: Option<(usize, Option<f64>)>,
) -> Result<[Option<f64>; 3], ControlError> {
    max_stable_gains_on(structure(), params, force_factor_n_per_a, comp, known)
}

/// [`max_stable_gains`] on structure `s`.
pub fn max_stable_gains_on(
    s: &Structure,
    params: &DeviceParams,
    force_factor_n_per_a: f64,
    comp: Option<&Compensator>,
    known: Option<(usize, Option<f64>)>,
) -> Result<[Option<f64>; 3], ControlError> {
    let mut out = [None; 3];
    for (f, slot) in out.iter_mut().enumerate() {
        match known {
            Some((floor, h)) if floor == f + 1 => *slot = h,
            _ => {
                let dev = Device::on(s, params.on_floor(f + 1));
                let p = plant(&dev)?;
                *slot = max_stable_gain(&p, force_factor_n_per_a, comp);
            }
        }
    }
    Ok(out)
}

/// h_max for one plant (see [`max_stable_gains`]).
pub fn max_stable_gain(
    p: &Modal,
    force_factor_n_per_a: f64,
    comp: Option<&Compensator>,
) -> Option<f64> {
    let feedback = match comp {
        Some(c) => Feedback::DvfEc {
            g0: force_factor_n_per_a,
            comp: *c,
        },
        None => Feedback::Dvf {
            g0: force_factor_n_per_a,
        },
    };
    let c = crossings(
        &OpenLoop {
            plant: p,
            feedback: &feedback,
        },
        false,
    );
    c.gain_factor_to_instability()
}
