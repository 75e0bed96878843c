//! The `solid` model (docs/fea.md §2.2 "model B", deck §4.3): one conforming mesh of 20-node
//! hexahedra (C3D20R) on a tensor-product grid covering floors, columns, 16 clamp blocks and
//! 4 L-feet. Shared nodes stand in for the tie constraints of the original ABAQUS model; the
//! foot bottoms are pinned (u = 0).
//!
//! Grid lines per axis: all box bounds, sorted, merged closer than 1e-9 m, each interval split
//! by the segment rule, except the two column-thickness intervals in y, split into
//! `max(2, ceil(t/h − 1e-9))` parts so that the thin columns bend with at least two elements
//! through their thickness. A cell is meshed if its centre lies strictly inside a box.
//! Nodes are identified by integer keys on the doubled grid (corners even, mid-edges odd),
//! never by rounded coordinates.

use std::fmt::Write;

use super::deck::{write_material, write_step, Deck};
use super::format::{write_deck_head, write_id_lines};
use super::geometry::{
    segments, Frame, CLAMP_THICKNESS_M, EPS_M, FOOT_BASE_LENGTH_M, FOOT_FLANGE_THICKNESS_M,
    FOOT_UPRIGHT_HEIGHT_M,
};
use super::params::FeaParams;

const IDS_PER_LINE: usize = 8;

/// An axis-aligned part of the frame with its element set name.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Part {
    set: &'static str,
    lo: [f64; 3],
    hi: [f64; 3],
}

fn part(set: &'static str, x: [f64; 2], y: [f64; 2], z: [f64; 2]) -> Part {
    Part {
        set,
        lo: [x[0], y[0], z[0]],
        hi: [x[1], y[1], z[1]],
    }
}

/// The boxes in the order of docs/fea.md §4.3 (the first box containing a cell names its set).
fn parts(f: &Frame) -> Vec<Part> {
    let (lx, ly, b, t, c) = (f.lx_m, f.ly_m, f.b_m, f.t_m, CLAMP_THICKNESS_M);
    let (fl, ft, fu) = (
        FOOT_BASE_LENGTH_M,
        FOOT_FLANGE_THICKNESS_M,
        FOOT_UPRIGHT_HEIGHT_M,
    );
    let mut v: Vec<Part> = (0..3)
        .map(|k| part("FLOOR", [0.0, lx], [0.0, ly], [f.zb_m[k], f.zt_m[k]]))
        .collect();
    let clamp_z = [
        [0.0, f.zc_m],
        [f.zb_m[0], f.zt_m[0]],
        [f.zb_m[1], f.zt_m[1]],
        [f.zb_m[2], f.zt_m[2]],
    ];
    for xr in [[0.0, b], [lx - b, lx]] {
        // front (y < 0), then back (y > Ly), mirrored.
        let sides = [
            (
                [-t, 0.0],
                [-t - c, -t],
                [-t - c - fl, -t - c],
                [-t - c - ft, -t - c],
            ),
            (
                [ly, ly + t],
                [ly + t, ly + t + c],
                [ly + t + c, ly + t + c + fl],
                [ly + t + c, ly + t + c + ft],
            ),
        ];
        for (leg_y, clamp_y, base_y, upright_y) in sides {
            v.push(part("LEG", xr, leg_y, [0.0, f.zt_m[2]]));
            for z in clamp_z {
                v.push(part("CLAMP", xr, clamp_y, z));
            }
            v.push(part("FOOT", xr, base_y, [-ft, 0.0]));
            v.push(part("FOOT", xr, upright_y, [0.0, fu]));
        }
    }
    v
}

/// The grid lines of the three axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub lines: [Vec<f64>; 3],
    parts: Vec<Part>,
}

impl Grid {
    pub fn new(f: &Frame) -> Self {
        let parts = parts(f);
        let thin = [[-f.t_m, 0.0], [f.ly_m, f.ly_m + f.t_m]];
        let lines = std::array::from_fn(|axis| {
            let mut bounds: Vec<f64> = parts
                .iter()
                .flat_map(|p| [p.lo[axis], p.hi[axis]])
                .collect();
            bounds.sort_by(f64::total_cmp);
            let mut merged: Vec<f64> = Vec::with_capacity(bounds.len());
            for v in bounds {
                if merged.last().is_none_or(|&last| v - last >= EPS_M) {
                    merged.push(v);
                }
            }
            let mut lines = vec![merged[0]];
            for w in merged.windows(2) {
                let s = w[1] - w[0];
                let is_thin = axis == 1
                    && thin
                        .iter()
                        .any(|r| (r[0] - w[0]).abs() < EPS_M && (r[1] - w[1]).abs() < EPS_M);
                let n = if is_thin {
                    let m = (f.t_m / f.h_m - 1e-9).ceil();
                    if m.is_finite() && m > 2.0 {
                        m as usize
                    } else {
                        2
                    }
                } else {
                    segments(s, f.h_m)
                };
                for q in 1..n {
                    lines.push(w[0] + s * q as f64 / n as f64);
                }
                lines.push(w[1]);
            }
            lines
        });
        Self { lines, parts }
    }

    /// Cells of the full tensor-product grid (meshed or not).
    pub fn cell_count(&self) -> usize {
        self.lines
            .iter()
            .map(|l| l.len().saturating_sub(1))
            .product()
    }

    /// Coordinate of doubled-grid index `d` on `axis` (odd: the midpoint of two lines).
    fn coord(&self, axis: usize, d: usize) -> f64 {
        let l = &self.lines[axis];
        if d.is_multiple_of(2) {
            l[d / 2]
        } else {
            0.5 * (l[d / 2] + l[d / 2 + 1])
        }
    }
}

/// Corner offsets of a C3D20R element (local i, j, k), ABAQUS order.
const CORNERS: [[usize; 3]; 8] = [
    [0, 0, 0],
    [1, 0, 0],
    [1, 1, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 0, 1],
    [1, 1, 1],
    [0, 1, 1],
];
/// Corner pairs (0-based) whose midpoints are nodes 9–20.
const EDGES: [[usize; 2]; 12] = [
    [0, 1],
    [1, 2],
    [2, 3],
    [3, 0],
    [4, 5],
    [5, 6],
    [6, 7],
    [7, 4],
    [0, 4],
    [1, 5],
    [2, 6],
    [3, 7],
];

/// The meshed cells and their nodes.
#[derive(Debug, Clone)]
pub struct Mesh {
    /// Doubled-grid keys of the nodes; id = index + 1.
    pub nodes: Vec<[usize; 3]>,
    /// (set index, 20 node ids) per element, in cell order.
    pub elements: Vec<(usize, [usize; 20])>,
    /// Set names in order of first appearance.
    pub sets: Vec<&'static str>,
}

impl Mesh {
    pub fn new(g: &Grid) -> Self {
        let n = g.lines.each_ref().map(|l| l.len() - 1);
        let dims = n.map(|c| 2 * c + 1);
        let mut index = vec![0u32; dims[0] * dims[1] * dims[2]];
        let mut nodes: Vec<[usize; 3]> = Vec::new();
        let mut elements = Vec::new();
        let mut sets: Vec<&'static str> = Vec::new();
        for i in 0..n[0] {
            let xc = 0.5 * (g.lines[0][i] + g.lines[0][i + 1]);
            for j in 0..n[1] {
                let yc = 0.5 * (g.lines[1][j] + g.lines[1][j + 1]);
                for k in 0..n[2] {
                    let zc = 0.5 * (g.lines[2][k] + g.lines[2][k + 1]);
                    let c = [xc, yc, zc];
                    let Some(p) = g
                        .parts
                        .iter()
                        .find(|p| (0..3).all(|a| c[a] > p.lo[a] && c[a] < p.hi[a]))
                    else {
                        continue;
                    };
                    let set = match sets.iter().position(|s| *s == p.set) {
                        Some(s) => s,
                        None => {
                            sets.push(p.set);
                            sets.len() - 1
                        }
                    };
                    let base = [2 * i, 2 * j, 2 * k];
                    let mut keys = [[0usize; 3]; 20];
                    for (q, off) in CORNERS.iter().enumerate() {
                        keys[q] = std::array::from_fn(|a| base[a] + 2 * off[a]);
                    }
                    for (q, e) in EDGES.iter().enumerate() {
                        keys[8 + q] = std::array::from_fn(|a| (keys[e[0]][a] + keys[e[1]][a]) / 2);
                    }
                    let mut ids = [0usize; 20];
                    for (q, key) in keys.iter().enumerate() {
                        let at = (key[0] * dims[1] + key[1]) * dims[2] + key[2];
                        if index[at] == 0 {
                            nodes.push(*key);
                            index[at] = nodes.len() as u32;
                        }
                        ids[q] = index[at] as usize;
                    }
                    elements.push((set, ids));
                }
            }
        }
        Self {
            nodes,
            elements,
            sets,
        }
    }
}

/// Builds the mesh and writes the deck.
pub fn build(p: &FeaParams, f: &Frame, grid: &Grid, mesh: &Mesh) -> Deck {
    let coords: Vec<[f64; 3]> = mesh
        .nodes
        .iter()
        .map(|k| std::array::from_fn(|a| grid.coord(a, k[a])))
        .collect();

    let mut out = String::with_capacity(coords.len() * 48 + mesh.elements.len() * 140);
    write_deck_head(&mut out, "solid", "C3D20R hexahedra, shared nodes", &coords);
    let mut eid = 0usize;
    for (s, name) in mesh.sets.iter().enumerate() {
        let _ = writeln!(out, "*ELEMENT, TYPE=C3D20R, ELSET={name}");
        for (_, ids) in mesh.elements.iter().filter(|(set, _)| *set == s) {
            eid += 1;
            // ABAQUS data lines: continuation after the 15th node.
            let _ = write!(out, "{eid}");
            for (q, id) in ids.iter().enumerate() {
                if q == 15 {
                    let _ = write!(out, ",\n{id}");
                } else {
                    let _ = write!(out, ", {id}");
                }
            }
            out.push('\n');
        }
    }
    let _ = writeln!(out, "*ELSET, ELSET=EALL");
    let _ = writeln!(out, "{}", mesh.sets.join(", "));

    let pins: Vec<usize> = mesh
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, k)| k[2] == 0)
        .map(|(i, _)| i + 1)
        .collect();
    let _ = writeln!(out, "*NSET, NSET=NPIN");
    write_id_lines(&mut out, &pins, IDS_PER_LINE);

    let mut floor_centre_nodes = [0usize; 3];
    for k in 0..3 {
        let c = [f.lx_m / 2.0, f.ly_m / 2.0, f.zf_m[k]];
        let mut best = (f64::INFINITY, 0usize);
        for (i, q) in coords.iter().enumerate() {
            let d2 = (q[0] - c[0]).powi(2) + (q[1] - c[1]).powi(2) + (q[2] - c[2]).powi(2);
            if d2 < best.0 {
                best = (d2, i + 1);
            }
        }
        floor_centre_nodes[k] = best.1;
    }
    let _ = writeln!(out, "*NSET, NSET=NFLOORC");
    write_id_lines(&mut out, &floor_centre_nodes, IDS_PER_LINE);
    write_material(&mut out, p);
    let _ = writeln!(out, "*SOLID SECTION, ELSET=EALL, MATERIAL=AL6082");
    let _ = writeln!(out, "*BOUNDARY");
    let _ = writeln!(out, "NPIN, 1, 3");
    write_step(&mut out, p);

    Deck {
        text: out,
        node_count: coords.len(),
        element_count: eid,
        floor_centre_nodes,
    }
}
