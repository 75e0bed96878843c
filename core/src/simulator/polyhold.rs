//! Exact discretisation for a force that is a polynomial of degree 6 on each piece of a sample
//! interval (used for sine sweeps, whose force is smooth but not linear between samples).
//!
//! A sample interval `[t_a, t_a + Δt]` is cut into `m` pieces of length `h = Δt/m`. On each
//! piece the force is replaced by its interpolant `P` of degree `p = 6` through the
//! Chebyshev–Gauss–Lobatto nodes `s_k = h (1 − cos(πk/p))/2`, `k = 0..p` (both piece ends
//! included, so neighbouring pieces share a node). Then
//!
//! ```text
//! z(t_a + h) = e^{Ah} z(t_a) + Σ_k W_k F(t_a + s_k),   W_k = ∫₀ʰ e^{A(h−s)} B ℓ_k(s) ds
//! ```
//!
//! with `ℓ_k` the Lagrange basis of the nodes. Writing `ℓ_k(s) = Σ_j c_jk (s/h)^j` (`c = V⁻¹`,
//! `V_kj = (s_k/h)^j`), `W_k = Σ_j c_jk j!/h^j G_j` where `G_j = ∫₀ʰ e^{A(h−s)} B s^j/j! ds`
//! are the columns `6 + j` of `exp(M h)` for the augmented chain of integrators
//! `M = [[A, B e₀ᵀ], [0, N]]` (`N` the 7×7 shift: `u̇_j = u_{j+1}`), Van Loan's construction
//! as in [`super::discretise`]. The `m` pieces are combined into one set of weights over the
//! `6m + 1` nodes of the interval, so a step costs one 6×6 product and a 6×(6m+1) one.
//!
//! Accuracy: the interpolation error of a sine of angular frequency ω over a piece is about
//! `(ωh)⁷ / (7! · 2⁶)`; choosing `m` so that `ωh ≤ 1/2` keeps it below 1e-8 of the amplitude,
//! two orders below the first-order hold with a thousand sub-steps per period that it
//! replaces, at a seventh of the force evaluations.

use nalgebra::{Matrix6, SMatrix, SVector, Vector6};

use super::discretise::{State, SubStepWeights};
use crate::ToolError;

/// Polynomial degree on each piece.
pub const DEGREE: usize = 6;
const NODES: usize = DEGREE + 1;
const AUG: usize = 6 + NODES;

/// Largest `ω h` (rad) of the fastest force component on one piece.
pub const MAX_PHASE_PER_PIECE: f64 = 0.5;

/// Weights over the nodes of one sample interval and the node offsets from its start (s).
#[derive(Debug, Clone)]
pub struct PolyHold {
    pub weights: SubStepWeights,
    pub nodes_s: Vec<f64>,
}

impl PolyHold {
    /// The hold for intervals of `dt_s` with `pieces ≥ 1` pieces each.
    pub fn new(
        a: &Matrix6<f64>,
        b: &Vector6<f64>,
        dt_s: f64,
        pieces: usize,
    ) -> Result<Self, ToolError> {
        let pieces = pieces.max(1);
        let h = dt_s / pieces as f64;
        let x: [f64; NODES] = std::array::from_fn(|k| {
            0.5 * (1.0 - (std::f64::consts::PI * k as f64 / DEGREE as f64).cos())
        });
        // G_j from one exponential of the augmented chain.
        let mut m = SMatrix::<f64, AUG, AUG>::zeros();
        for r in 0..6 {
            for c in 0..6 {
                m[(r, c)] = a[(r, c)];
            }
            m[(r, 6)] = b[r];
        }
        for j in 0..DEGREE {
            m[(6 + j, 7 + j)] = 1.0;
        }
        let e = (m * h).exp();
        if e.iter().any(|v| !v.is_finite()) {
            return Err(ToolError::failed(format!(
                "the matrix exponential over {h} s is not finite (model too stiff for this rate)"
            )));
        }
        // Vandermonde of the nodes on [0, 1] and its inverse (c = V⁻¹).
        let v = SMatrix::<f64, NODES, NODES>::from_fn(|k, j| x[k].powi(j as i32));
        let c = v.try_inverse().ok_or_else(|| {
            ToolError::failed("internal: the interpolation nodes are not distinct")
        })?;
        // W_k = Σ_j c_jk j!/h^j G_j.
        let mut scale = 1.0;
        let g: [SVector<f64, 6>; NODES] = std::array::from_fn(|j| {
            if j > 0 {
                scale *= j as f64 / h;
            }
            SVector::<f64, 6>::from_fn(|r, _| e[(r, 6 + j)] * scale)
        });
        let piece_w: [State; NODES] = std::array::from_fn(|k| {
            let mut w = [0.0; 6];
            for (j, gj) in g.iter().enumerate() {
                for r in 0..6 {
                    w[r] += c[(j, k)] * gj[r];
                }
            }
            w
        });
        let phi_h: [[f64; 6]; 6] = std::array::from_fn(|r| std::array::from_fn(|c| e[(r, c)]));
        // Combine the pieces: z_end = Φ_h^m z + Σ_q Φ_h^{m−1−q} Σ_k W_k f_{qp+k}.
        let n_nodes = pieces * DEGREE + 1;
        let mut w: [Vec<f64>; 6] = std::array::from_fn(|_| vec![0.0; n_nodes]);
        for q in 0..pieces {
            for (k, wk) in piece_w.iter().enumerate() {
                let mut col = *wk;
                for _ in 0..(pieces - 1 - q) {
                    col = mat_vec(&phi_h, &col);
                }
                for r in 0..6 {
                    w[r][q * DEGREE + k] += col[r];
                }
            }
        }
        let mut phi = [[0.0; 6]; 6];
        for c in 0..6 {
            let mut col = [0.0; 6];
            col[c] = 1.0;
            for _ in 0..pieces {
                col = mat_vec(&phi_h, &col);
            }
            for r in 0..6 {
                phi[r][c] = col[r];
            }
        }
        let nodes_s = (0..n_nodes)
            .map(|i| {
                let (q, k) = (i / DEGREE, i % DEGREE);
                if i + 1 == n_nodes {
                    dt_s
                } else {
                    (q as f64 + x[k]) * h
                }
            })
            .collect();
        Ok(Self {
            weights: SubStepWeights { phi, w },
            nodes_s,
        })
    }

    /// Pieces per interval of `dt_s` for a force whose fastest angular frequency is `omega`.
    pub fn pieces_for(omega_rad_per_s: f64, dt_s: f64) -> usize {
        ((omega_rad_per_s.abs() * dt_s / MAX_PHASE_PER_PIECE).ceil() as usize).max(1)
    }
}

fn mat_vec(m: &[[f64; 6]; 6], v: &State) -> State {
    std::array::from_fn(|r| (0..6).map(|c| m[r][c] * v[c]).sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lumped::LumpedModel;
    use crate::simulator::discretise::FohStep;

    fn plant() -> (Matrix6<f64>, Vector6<f64>) {
        let model = LumpedModel::chain(
            &[5.2, 5.2, 5.2],
            &[30_000.0, 30_000.0, 30_000.0],
            &[2.0, 2.0, 2.0],
        );
        let a = model.state_matrix().unwrap();
        let b = model.input_vector(1).unwrap();
        (a, b)
    }

    /// Reference: the first-order hold with many sub-steps converges (O(h²)) to the exact
    /// response; a polynomial force of degree ≤ 6 must be integrated exactly by the hold.
    #[test]
    fn polynomial_forces_are_integrated_exactly() {
        let (a, b) = plant();
        let dt = 1.0 / 512.0;
        let force = |t: f64| 3.0 - 2e3 * t + 4e6 * t * t - 1e12 * t.powi(5) + 3e14 * t.powi(6);
        let z0 = [1e-3, -2e-3, 5e-4, 0.1, 0.0, -0.2];
        for pieces in [1, 3] {
            let hold = PolyHold::new(&a, &b, dt, pieces).unwrap();
            let f: Vec<f64> = hold.nodes_s.iter().map(|&s| force(s)).collect();
            let got = hold.weights.apply(&z0, &f);
            // 20 000 FOH sub-steps: error ~ (dt/20 000)² · |F''| — far below the tolerance.
            let n = 20_000;
            let sub = FohStep::new(&a, &b, dt / n as f64).unwrap();
            let mut z = z0;
            for i in 0..n {
                let (ta, tb) = (i as f64 * dt / n as f64, (i + 1) as f64 * dt / n as f64);
                z = sub.apply(&z, force(ta), force(tb));
            }
            for r in 0..6 {
                let scale = z.iter().map(|v| v.abs()).fold(0.0, f64::max);
                assert!(
                    (got[r] - z[r]).abs() <= 1e-8 * scale,
                    "pieces {pieces}, component {r}: {} vs {}",
                    got[r],
                    z[r]
                );
            }
        }
    }

    #[test]
    fn nodes_cover_the_interval_and_pieces_grow_with_frequency() {
        let (a, b) = plant();
        let hold = PolyHold::new(&a, &b, 0.01, 2).unwrap();
        assert_eq!(hold.nodes_s.len(), 2 * DEGREE + 1);
        assert_eq!(hold.nodes_s[0], 0.0);
        assert_eq!(*hold.nodes_s.last().unwrap(), 0.01);
        assert!((hold.nodes_s[DEGREE] - 0.005).abs() < 1e-15);
        assert!(hold.nodes_s.windows(2).all(|w| w[1] > w[0]));
        assert_eq!(
            PolyHold::pieces_for(2.0 * std::f64::consts::PI * 40.0, 1.0 / 2048.0),
            1
        );
        assert_eq!(
            PolyHold::pieces_for(2.0 * std::f64::consts::PI * 40.0, 1.0 / 100.0),
            6
        );
    }
}
