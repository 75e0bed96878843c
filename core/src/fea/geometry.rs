//! The frame's dimensions derived from the parameters (docs/fea.md §2.1) and the segment rule.
//!
//! Levels of storey k (1..3) with free column lengths `L_k`, floor thickness `t_f` and base
//! clamp height `z_c`: `zb_k = z_c + Σ_{i≤k} L_i + (k−1)·t_f`, `zt_k = zb_k + t_f`,
//! `zf_k = zb_k + t_f/2`. Columns sit outside the y-faces at the four corners, leg order
//! (b/2, −t/2), (Lx−b/2, −t/2), (b/2, Ly+t/2), (Lx−b/2, Ly+t/2).

use super::params::FeaParams;

/// Height of the base clamp block (1 in).
pub const BASE_CLAMP_HEIGHT_M: f64 = 0.0254;
/// Volume of one clamp block, 1 × 1 × 0.5 in.
pub const CLAMP_VOLUME_M3: f64 = 0.0254 * 0.0254 * 0.0127;
/// Clamp block thickness along y in the solid model (0.5 in).
pub const CLAMP_THICKNESS_M: f64 = 0.0127;
/// L-foot: base flange length (y) and thickness, upright flange thickness and height.
pub const FOOT_BASE_LENGTH_M: f64 = 0.0508;
pub const FOOT_FLANGE_THICKNESS_M: f64 = 0.00635;
pub const FOOT_UPRIGHT_HEIGHT_M: f64 = 0.04445;
/// Coordinate tolerance of the set selections (m).
pub const EPS_M: f64 = 1e-9;

/// Number of equal elements for a length `s` with target size `h`:
/// `max(1, ceil(s/h − 1e-9))` (the guard keeps 0.25/0.01 = 25.000000000000004 at 25).
pub fn segments(s: f64, h: f64) -> usize {
    let n = (s / h - 1e-9).ceil();
    if n.is_finite() && n >= 1.0 {
        n as usize
    } else {
        1
    }
}

/// Derived dimensions of the frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub lx_m: f64,
    pub ly_m: f64,
    pub tf_m: f64,
    pub free_length_m: [f64; 3],
    pub b_m: f64,
    pub t_m: f64,
    pub h_m: f64,
    pub zc_m: f64,
    /// Floor bottoms, tops and mid-planes.
    pub zb_m: [f64; 3],
    pub zt_m: [f64; 3],
    pub zf_m: [f64; 3],
}

impl Frame {
    pub fn new(p: &FeaParams) -> Self {
        let mut free_length_m = [0.0; 3];
        for (dst, src) in free_length_m.iter_mut().zip(&p.column_free_length_m) {
            *dst = *src;
        }
        let tf = p.floor_thickness_m;
        let zc = BASE_CLAMP_HEIGHT_M;
        let mut zb = [0.0; 3];
        let mut sum = 0.0;
        for k in 0..3 {
            sum += free_length_m[k];
            zb[k] = zc + sum + k as f64 * tf;
        }
        Self {
            lx_m: p.floor_length_x_m,
            ly_m: p.floor_width_y_m,
            tf_m: tf,
            free_length_m,
            b_m: p.column_width_m,
            t_m: p.column_thickness_m,
            h_m: p.element_size_m,
            zc_m: zc,
            zb_m: zb,
            zt_m: zb.map(|z| z + tf),
            zf_m: zb.map(|z| z + tf / 2.0),
        }
    }

    /// Column centre lines (x, y), legs 1–4.
    pub fn legs(&self) -> [(f64, f64); 4] {
        let (b, t, lx, ly) = (self.b_m, self.t_m, self.lx_m, self.ly_m);
        [
            (b / 2.0, -t / 2.0),
            (lx - b / 2.0, -t / 2.0),
            (b / 2.0, ly + t / 2.0),
            (lx - b / 2.0, ly + t / 2.0),
        ]
    }

    /// The column levels `z_c, zb_1, zt_1, zb_2, zt_2, zb_3, zt_3`.
    pub fn column_levels(&self) -> [f64; 7] {
        [
            self.zc_m,
            self.zb_m[0],
            self.zt_m[0],
            self.zb_m[1],
            self.zt_m[1],
            self.zb_m[2],
            self.zt_m[2],
        ]
    }

    /// Heights of the floor mid-planes above the base clamp, with 0 for the clamp itself.
    pub fn shape_heights_m(&self) -> Vec<f64> {
        let mut h = vec![0.0];
        h.extend(self.zf_m.iter().map(|z| z - self.zc_m));
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_rule_guards_rounding() {
        assert_eq!(segments(0.25, 0.01), 25);
        assert_eq!(segments(0.1524, 0.0127), 12);
        assert_eq!(segments(0.001, 0.0127), 1);
        assert_eq!(segments(0.0254, 0.0127), 2);
    }

    #[test]
    fn default_levels() {
        let f = Frame::new(&FeaParams::default());
        for (z, want) in f.zb_m.iter().zip([0.1778, 0.3556, 0.5334]) {
            assert!((z - want).abs() < 1e-12);
        }
        assert!((f.zt_m[2] - 0.5588).abs() < 1e-12);
    }
}
