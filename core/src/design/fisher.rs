//! Joint CDF, Fisher information and reliability sensitivity of `design`
//! (docs/uncertainty.md §5.3), for d selected outputs on a grid of J points per axis.
//!
//! 1. `t_o = linspace(min x_o, max x_o, J)` per selected output (axis k = output k).
//! 2. `PF(a) = (1/N) #{n : x_o⁽ⁿ⁾ < t_o,a_o ∀o}`, `S_j(a) = (1/N) Σ_{same n} g_j(y⁽ⁿ⁾)`.
//!    Sample n counts at every node with `a_o ≥ c_o(n)`, `c_o(n) = #{a : t_o,a ≤ x_o⁽ⁿ⁾}`: each
//!    sample is added once to its cell `c(n)` and a cumulative sum along every axis gives the
//!    contraction with the indicator matrices in O(N·P + P·d·J^d) (PF exact: integer counts).
//! 3. `p` and `s_j`: differentiated once along every axis with numpy `gradient` rules
//!    (three-point non-uniform interior, one-sided ends; the uniform form when the spacing is
//!    exactly uniform, as numpy does).
//! 4. `p` entries with |p| < 1e-10 become 1e-7; `s_j` entries with |s_j| < 1e-10 become 0.
//! 5. `F_jk = ∫ s_j s_k / p dt` by the trapezoid rule axis by axis (tensor-product weights).
//! 6. `F̃_jk = β_j β_k F_jk`; eigen-decompositions of `(F + Fᵀ)/2` and `F̃` (symmetric),
//!    eigenvalues descending, each eigenvector's largest-magnitude component made positive.
//! 7. At the target node a*: `P = PF(a*)`, `dP/dβ_j = S_j(a*)`,
//!    `ΔP_raw,n = Σ_j S_j(a*) q_jn`, `ΔP_norm,n = Σ_j β_j S_j(a*) q̃_jn`.

use nalgebra::{DMatrix, SymmetricEigen};

use crate::{Cancel, ToolError};

/// Everything the result shows of the Fisher analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Fisher {
    /// Grid per selected output.
    pub grids: Vec<Vec<f64>>,
    /// PF in row-major (ij) order, axis 0 slowest.
    pub pf: Vec<f64>,
    pub target_index: Vec<usize>,
    pub probability_at_target: f64,
    /// dP/dβ_j at the target.
    pub dp_db: Vec<f64>,
    /// F̃ (P×P, row-major).
    pub normalised: DMatrix<f64>,
    pub raw_eigenvalues: Vec<f64>,
    /// Columns: eigenvectors of (F+Fᵀ)/2 in descending eigenvalue order.
    pub raw_eigenvectors: DMatrix<f64>,
    pub normalised_eigenvalues: Vec<f64>,
    pub normalised_eigenvectors: DMatrix<f64>,
    pub delta_p_raw: Vec<f64>,
    pub delta_p_normalised: Vec<f64>,
}

/// Eigenvalues descending and matching unit eigenvectors with their largest-magnitude
/// component positive (first such index on ties).
pub fn sorted_eigen(m: &DMatrix<f64>) -> (Vec<f64>, DMatrix<f64>) {
    let n = m.nrows();
    let eig = SymmetricEigen::new(m.clone());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let values = order.iter().map(|&i| eig.eigenvalues[i]).collect();
    let mut vectors = DMatrix::zeros(n, n);
    for (c, &i) in order.iter().enumerate() {
        let col = eig.eigenvectors.column(i);
        let mut best = 0;
        for r in 1..n {
            if col[r].abs() > col[best].abs() {
                best = r;
            }
        }
        let sign = if col[best] < 0.0 { -1.0 } else { 1.0 };
        for r in 0..n {
            vectors[(r, c)] = sign * col[r];
        }
    }
    (values, vectors)
}

/// numpy `gradient(f, t)` (edge_order 1) of one line.
fn gradient_line(f: &[f64], t: &[f64], out: &mut [f64]) {
    let j = f.len();
    let dx: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    let uniform = dx.iter().all(|&h| h == dx[0]);
    out[0] = (f[1] - f[0]) / dx[0];
    out[j - 1] = (f[j - 1] - f[j - 2]) / dx[j - 2];
    for i in 1..j - 1 {
        out[i] = if uniform {
            (f[i + 1] - f[i - 1]) / (2.0 * dx[0])
        } else {
            let (h1, h2) = (dx[i - 1], dx[i]);
            let a = -h2 / (h1 * (h1 + h2));
            let b = (h2 - h1) / (h1 * h2);
            let c = h1 / (h2 * (h1 + h2));
            a * f[i - 1] + b * f[i] + c * f[i + 1]
        };
    }
}

/// Applies `op` to every line of `data` (shape J^d, row-major) along `axis`.
fn along_axis(data: &mut [f64], j: usize, d: usize, axis: usize, mut op: impl FnMut(&mut [f64])) {
    let stride = j.pow((d - 1 - axis) as u32);
    let block = stride * j;
    let mut line = vec![0.0; j];
    for outer in (0..data.len()).step_by(block) {
        for inner in 0..stride {
            let base = outer + inner;
            for a in 0..j {
                line[a] = data[base + a * stride];
            }
            op(&mut line);
            for a in 0..j {
                data[base + a * stride] = line[a];
            }
        }
    }
}

/// Cumulative sum along every axis.
fn cumsum_all(data: &mut [f64], j: usize, d: usize) {
    for axis in 0..d {
        along_axis(data, j, d, axis, |l| {
            for a in 1..l.len() {
                l[a] += l[a - 1];
            }
        });
    }
}

/// Mixed derivative ∂^d/∂t_1…∂t_d with numpy gradient rules.
fn differentiate_all(data: &mut [f64], grids: &[Vec<f64>]) {
    let j = grids[0].len();
    let d = grids.len();
    let mut out = vec![0.0; j];
    for (axis, t) in grids.iter().enumerate() {
        along_axis(data, j, d, axis, |l| {
            gradient_line(l, t, &mut out);
            l.copy_from_slice(&out);
        });
    }
}

/// 1-D trapezoid weights of a grid.
fn trapezoid_weights(t: &[f64]) -> Vec<f64> {
    let j = t.len();
    let mut w = vec![0.0; j];
    for i in 0..j - 1 {
        let h = t[i + 1] - t[i];
        w[i] += 0.5 * h;
        w[i + 1] += 0.5 * h;
    }
    w
}

/// The Fisher analysis. `outputs[o][n]`: selected output o of sample n; `score(j, n)`:
/// g_j of sample n (computed on the fly: no P×N array); `beta[j]`: β_j; `target`: node index
/// per axis. The grids must have positive spread (the caller checks).
pub fn fisher(
    outputs: &[&[f64]],
    score: impl Fn(usize, usize) -> f64,
    beta: &[f64],
    j: usize,
    target: &[usize],
    cancel: &Cancel,
) -> Result<Fisher, ToolError> {
    let d = outputs.len();
    let n = outputs[0].len();
    let np = beta.len();
    let nodes = j.pow(d as u32);
    let grids: Vec<Vec<f64>> = outputs
        .iter()
        .map(|x| {
            let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            crate::uncertainty::grid::linspace(lo, hi, j)
        })
        .collect();

    // Cell of each sample (None: above the last grid point on some axis, never counted).
    let mut counts = vec![0.0; nodes];
    let mut sums = vec![vec![0.0; nodes]; np];
    for s in 0..n {
        if s % 65_536 == 0 {
            cancel.check()?;
        }
        let mut cell = 0usize;
        let mut inside = true;
        for (o, x) in outputs.iter().enumerate() {
            let c = grids[o].partition_point(|&t| t <= x[s]);
            if c >= j {
                inside = false;
                break;
            }
            cell = cell * j + c;
        }
        if inside {
            counts[cell] += 1.0;
            for (k, sum) in sums.iter_mut().enumerate() {
                sum[cell] += score(k, s);
            }
        }
    }
    let inv_n = 1.0 / n as f64;
    cumsum_all(&mut counts, j, d);
    let pf: Vec<f64> = counts.iter().map(|c| c * inv_n).collect();
    let mut big_s = sums;
    for s in big_s.iter_mut() {
        cancel.check()?;
        cumsum_all(s, j, d);
        for v in s.iter_mut() {
            *v *= inv_n;
        }
    }
    let target_node = target.iter().fold(0, |acc, &a| acc * j + a);
    let probability_at_target = pf[target_node];
    let dp_db: Vec<f64> = big_s.iter().map(|s| s[target_node]).collect();

    // Densities.
    let mut p = pf.clone();
    differentiate_all(&mut p, &grids);
    for v in p.iter_mut() {
        if v.abs() < 1e-10 {
            *v = 1e-7;
        }
    }
    for s in big_s.iter_mut() {
        cancel.check()?;
        differentiate_all(s, &grids);
        for v in s.iter_mut() {
            if v.abs() < 1e-10 {
                *v = 0.0;
            }
        }
    }

    // F = Σ_nodes w(node)/p(node) s sᵀ.
    let weights: Vec<Vec<f64>> = grids.iter().map(|t| trapezoid_weights(t)).collect();
    let mut f = DMatrix::<f64>::zeros(np, np);
    let mut sv = vec![0.0; np];
    for node in 0..nodes {
        if node % 65_536 == 0 {
            cancel.check()?;
        }
        let mut w = 1.0;
        let mut rest = node;
        for o in (0..d).rev() {
            w *= weights[o][rest % j];
            rest /= j;
        }
        let w = w / p[node];
        let mut any = false;
        for (k, s) in big_s.iter().enumerate() {
            sv[k] = s[node];
            any |= sv[k] != 0.0;
        }
        if !any {
            continue;
        }
        for a in 0..np {
            let wa = w * sv[a];
            if wa == 0.0 {
                continue;
            }
            for b in a..np {
                f[(a, b)] += wa * sv[b];
            }
        }
    }
    for a in 0..np {
        for b in 0..a {
            f[(a, b)] = f[(b, a)];
        }
    }
    let normalised = DMatrix::from_fn(np, np, |a, b| beta[a] * beta[b] * f[(a, b)]);
    let (raw_eigenvalues, raw_eigenvectors) = sorted_eigen(&f);
    let (normalised_eigenvalues, normalised_eigenvectors) = sorted_eigen(&normalised);
    let delta_p_raw = (0..np)
        .map(|c| (0..np).map(|r| dp_db[r] * raw_eigenvectors[(r, c)]).sum())
        .collect();
    let delta_p_normalised = (0..np)
        .map(|c| {
            (0..np)
                .map(|r| beta[r] * dp_db[r] * normalised_eigenvectors[(r, c)])
                .sum()
        })
        .collect();
    Ok(Fisher {
        grids,
        pf,
        target_index: target.to_vec(),
        probability_at_target,
        dp_db,
        normalised,
        raw_eigenvalues,
        raw_eigenvectors,
        normalised_eigenvalues,
        normalised_eigenvectors,
        delta_p_raw,
        delta_p_normalised,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_numpy_rules() {
        let t = [0.0, 1.0, 3.0];
        let f = [0.0, 1.0, 9.0];
        let mut g = [0.0; 3];
        gradient_line(&f, &t, &mut g);
        // numpy.gradient([0,1,9],[0,1,3]) = [1, 2, 4]
        assert_eq!(g[0], 1.0);
        assert!((g[1] - 2.0).abs() < 1e-14);
        assert_eq!(g[2], 4.0);
    }

    #[test]
    fn one_output_cdf_counts_strictly_below() {
        let x = [0.0, 1.0, 2.0, 3.0];
        let f = fisher(&[&x], |_, _| 1.0, &[1.0], 4, &[2], &Cancel::new()).unwrap();
        assert_eq!(f.pf, vec![0.0, 0.25, 0.5, 0.75]);
        assert_eq!(f.probability_at_target, 0.5);
        assert_eq!(f.dp_db, vec![0.5]);
    }
}
