//! Eigenvalues of real non-symmetric matrices and the modal (partial-fraction) form of a
//! real SISO system.
//!
//! Eigenvalues come from nalgebra's real Schur form T = QᵀAQ: every 1×1 block is a real
//! eigenvalue, every 2×2 block [[a, b], [c, d]] gives (a+d)/2 ± √(((a−d)/2)² + bc) (complex
//! conjugate when the discriminant is negative, two real values otherwise).
//!
//! A strictly proper SISO system G(s) = c (sI − A)⁻¹ b with distinct poles λᵢ is
//!
//! ```text
//! G(s) = Σᵢ rᵢ / (s − λᵢ),   rᵢ = (c vᵢ)(wᵢᵀ b) / (wᵢᵀ vᵢ)
//! ```
//!
//! with right/left eigenvectors A vᵢ = λᵢ vᵢ, Aᵀ wᵢ = λᵢ wᵢ from two steps of inverse
//! iteration. For a real system the terms of a conjugate pair combine into a real section
//!
//! ```text
//! r/(s−λ) + r̄/(s−λ̄) = (2Re r · s − 2Re(r λ̄)) / (s² − 2Re λ · s + |λ|²)
//! ```
//!
//! which is what [`Modal::eval`] sums at s = jω (one real division per section).

use nalgebra::{DMatrix, DVector, Schur};
use num_complex::Complex64;

use super::error::ControlError;

/// Eigenvalues of the square real matrix `a` (conjugate pairs are exact conjugates).
pub fn eigenvalues(a: &DMatrix<f64>, what: &'static str) -> Result<Vec<Complex64>, ControlError> {
    let n = a.nrows();
    if a.iter().any(|x| !x.is_finite()) {
        return Err(ControlError::NonFinite("state matrix entry"));
    }
    let schur = Schur::try_new(a.clone(), f64::EPSILON, 100 * n.max(10))
        .ok_or(ControlError::EigenFailed { what })?;
    let (_, t) = schur.unpack();
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        if i + 1 < n && t[(i + 1, i)] != 0.0 {
            let (p, b, c, d) = (t[(i, i)], t[(i, i + 1)], t[(i + 1, i)], t[(i + 1, i + 1)]);
            let mean = 0.5 * (p + d);
            let half = 0.5 * (p - d);
            let disc = half * half + b * c;
            if disc < 0.0 {
                let im = (-disc).sqrt();
                out.push(Complex64::new(mean, im));
                out.push(Complex64::new(mean, -im));
            } else {
                let r = disc.sqrt();
                out.push(Complex64::new(mean + r, 0.0));
                out.push(Complex64::new(mean - r, 0.0));
            }
            i += 2;
        } else {
            out.push(Complex64::new(t[(i, i)], 0.0));
            i += 1;
        }
    }
    if out.iter().any(|z| !z.re.is_finite() || !z.im.is_finite()) {
        return Err(ControlError::EigenFailed { what });
    }
    Ok(out)
}

/// One real section of a modal form, evaluated at s = jω.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    /// r / (s − σ), σ and r real.
    Real { sigma: f64, r: f64 },
    /// (n1 s + n0) / (s² + d1 s + d0).
    Pair { n1: f64, n0: f64, d1: f64, d0: f64 },
}

/// A strictly proper real SISO transfer function in modal form.
#[derive(Debug, Clone, PartialEq)]
pub struct Modal {
    /// All poles λᵢ (conjugate pairs included).
    pub poles: Vec<Complex64>,
    sections: Vec<Section>,
}

/// x = (A − μI)⁻¹ b by complex LU, normalised to unit 2-norm.
fn shifted_solve(
    a: &DMatrix<f64>,
    mu: Complex64,
    b: &DVector<Complex64>,
) -> Option<DVector<Complex64>> {
    let n = a.nrows();
    let mut m: DMatrix<Complex64> = a.map(|x| Complex64::new(x, 0.0));
    for i in 0..n {
        m[(i, i)] -= mu;
    }
    let x = m.lu().solve(b)?;
    let norm = x.iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt();
    if !norm.is_finite() || norm == 0.0 {
        return None;
    }
    Some(x / Complex64::new(norm, 0.0))
}

/// Eigenvector of `a` for the eigenvalue `lambda` by two steps of inverse iteration.
fn eigenvector(a: &DMatrix<f64>, lambda: Complex64) -> Option<DVector<Complex64>> {
    let n = a.nrows();
    let scale = lambda.norm().max(a.amax()).max(1e-300);
    let mu = lambda + Complex64::new(scale * 1e-13, scale * 1e-13);
    // A start vector with no special structure.
    let start = DVector::from_fn(n, |i, _| {
        Complex64::new(1.0 + 0.37 * i as f64, 0.11 * i as f64)
    });
    let x = shifted_solve(a, mu, &start)?;
    shifted_solve(a, mu, &x)
}

impl Modal {
    /// Modal form of c (sI − A)⁻¹ b. Fails on a defective (repeated, coupled) eigenvalue.
    pub fn new(
        a: &DMatrix<f64>,
        b: &DVector<f64>,
        c: &DVector<f64>,
        what: &'static str,
    ) -> Result<Self, ControlError> {
        let poles = eigenvalues(a, what)?;
        let at = a.transpose();
        let bc = b.map(|x| Complex64::new(x, 0.0));
        let cc = c.map(|x| Complex64::new(x, 0.0));
        let mut sections = Vec::with_capacity(poles.len());
        for &lambda in &poles {
            if lambda.im < 0.0 {
                continue; // represented by its conjugate
            }
            let defective = || ControlError::Defective {
                what,
                pole: format!("{lambda}"),
            };
            let v = eigenvector(a, lambda).ok_or_else(defective)?;
            let w = eigenvector(&at, lambda).ok_or_else(defective)?;
            let wv: Complex64 = w.iter().zip(v.iter()).map(|(x, y)| x * y).sum();
            if wv.norm() < 1e-10 {
                return Err(defective());
            }
            let cv: Complex64 = cc.iter().zip(v.iter()).map(|(x, y)| x * y).sum();
            let wb: Complex64 = w.iter().zip(bc.iter()).map(|(x, y)| x * y).sum();
            let r = cv * wb / wv;
            if lambda.im == 0.0 {
                sections.push(Section::Real {
                    sigma: lambda.re,
                    r: r.re,
                });
            } else {
                sections.push(Section::Pair {
                    n1: 2.0 * r.re,
                    n0: -2.0 * (r * lambda.conj()).re,
                    d1: -2.0 * lambda.re,
                    d0: lambda.norm_sqr(),
                });
            }
        }
        Ok(Self { poles, sections })
    }

    /// Adds G(jω) at every ω of `w` [rad/s] to (`re`, `im`) (equal lengths). The loop over
    /// the points is innermost, without carried dependencies, so it vectorises.
    pub fn add_block(&self, w: &[f64], re: &mut [f64], im: &mut [f64]) {
        for s in &self.sections {
            let points = w.iter().zip(re.iter_mut().zip(im.iter_mut()));
            match *s {
                Section::Pair { n1, n0, d1, d0 } => {
                    for (&w, (re, im)) in points {
                        let dr = d0 - w * w;
                        let di = d1 * w;
                        let ni = n1 * w;
                        let inv = 1.0 / (dr * dr + di * di);
                        *re += (n0 * dr + ni * di) * inv;
                        *im += (ni * dr - n0 * di) * inv;
                    }
                }
                Section::Real { sigma, r } => {
                    for (&w, (re, im)) in points {
                        let inv = r / (sigma * sigma + w * w);
                        *re -= sigma * inv;
                        *im -= w * inv;
                    }
                }
            }
        }
    }

    /// G(jω) for ω in rad/s.
    #[inline]
    pub fn eval(&self, w: f64) -> Complex64 {
        let mut re = 0.0;
        let mut im = 0.0;
        let w2 = w * w;
        for s in &self.sections {
            match *s {
                Section::Pair { n1, n0, d1, d0 } => {
                    // (n0 + j n1 ω) / ((d0 − ω²) + j d1 ω)
                    let dr = d0 - w2;
                    let di = d1 * w;
                    let ni = n1 * w;
                    let inv = 1.0 / (dr * dr + di * di);
                    re += (n0 * dr + ni * di) * inv;
                    im += (ni * dr - n0 * di) * inv;
                }
                Section::Real { sigma, r } => {
                    // r / (jω − σ) = r (−σ − jω) / (σ² + ω²)
                    let inv = r / (sigma * sigma + w2);
                    re -= sigma * inv;
                    im -= w * inv;
                }
            }
        }
        Complex64::new(re, im)
    }
}
