//! The `beam_shell` model (docs/fea.md §2.2 "model A", deck §4.2).
//!
//! Columns: 3-node B32 Timoshenko beams along the level list `z_c, zb_1, zt_1, …, zt_3`, each
//! interval of length s split into `n(s)` elements. Floors: 8-node S8R shells on a
//! `(2nx+1) × (2ny+1)` grid (serendipity: no node where i and j are both odd) at the floor
//! mid-planes. Each of the 12 column–floor joints is a `*RIGID BODY` over the column nodes
//! inside the floor thickness and a patch of floor nodes next to the column (a line of edge
//! nodes alone would leave the shell rotations free and make the joint a hinge); its
//! reference node carries the clamp block as a point mass. One node per column is clamped
//! in all 6 DOF (fixing DOF 1–3 on several nodes leaves spurious near-zero modes).
//!
//! Node count: `4·(2·N_seg + 1) + 3·((2nx+1)(2ny+1) − nx·ny) + 12` with
//! `N_seg = Σ n(s)` over s ∈ {L1, t_f, L2, t_f, L3, t_f}; elements `4·N_seg + 3·nx·ny + 12`.

use std::fmt::Write;

use super::deck::{write_material, write_step, Deck};
use super::format::{g9, write_deck_head, write_id_lines};
use super::geometry::{segments, Frame, CLAMP_VOLUME_M3, EPS_M};
use super::params::FeaParams;

/// Ids per line of a set list.
const IDS_PER_LINE: usize = 8;

/// The column interval lengths s ∈ {L1, t_f, L2, t_f, L3, t_f}.
fn column_segments(f: &Frame) -> [f64; 6] {
    let l = f.free_length_m;
    [l[0], f.tf_m, l[1], f.tf_m, l[2], f.tf_m]
}

/// Exact (nodes, elements) of the mesh, without building it.
pub fn counts(f: &Frame) -> (usize, usize) {
    let n_seg: usize = column_segments(f).iter().map(|&s| segments(s, f.h_m)).sum();
    let nx = segments(f.lx_m, f.h_m);
    let ny = segments(f.ly_m, f.h_m);
    let nodes = 4 * (2 * n_seg + 1) + 3 * ((2 * nx + 1) * (2 * ny + 1) - nx * ny) + 12;
    let elements = 4 * n_seg + 3 * nx * ny + 12;
    (nodes, elements)
}

/// Builds the mesh and writes the deck.
pub fn build(p: &FeaParams, f: &Frame) -> Deck {
    let h = f.h_m;
    let legs = f.legs();
    let levels = f.column_levels();
    let segs = column_segments(f);
    let mut nodes: Vec<[f64; 3]> = Vec::new();
    let push = |nodes: &mut Vec<[f64; 3]>, q: [f64; 3]| {
        nodes.push(q);
        nodes.len()
    };

    // 1. Column nodes, leg by leg, bottom to top.
    let mut leg_ids: Vec<Vec<usize>> = Vec::with_capacity(4);
    for &(x, y) in &legs {
        let mut ids = vec![push(&mut nodes, [x, y, levels[0]])];
        for (w, &s) in levels.windows(2).zip(&segs) {
            let n = segments(s, h);
            let step = (w[1] - w[0]) / (2 * n) as f64;
            for q in 1..=2 * n {
                ids.push(push(&mut nodes, [x, y, w[0] + q as f64 * step]));
            }
        }
        leg_ids.push(ids);
    }

    // 2. Floors: grid nodes (i outer, j inner, no node at i and j both odd), then the joints'
    //    reference nodes.
    let nx = segments(f.lx_m, h);
    let ny = segments(f.ly_m, h);
    let (hx, hy) = (f.lx_m / nx as f64, f.ly_m / ny as f64);
    let (gx, gy) = (2 * nx + 1, 2 * ny + 1);
    let mut floor_grids: Vec<Vec<usize>> = Vec::with_capacity(3);
    let mut ref_nodes: Vec<[usize; 4]> = Vec::with_capacity(3);
    for k in 0..3 {
        let mut grid = vec![0usize; gx * gy];
        for i in 0..gx {
            for j in 0..gy {
                if i % 2 == 1 && j % 2 == 1 {
                    continue;
                }
                let q = [i as f64 * hx / 2.0, j as f64 * hy / 2.0, f.zf_m[k]];
                grid[i * gy + j] = push(&mut nodes, q);
            }
        }
        floor_grids.push(grid);
        let mut refs = [0usize; 4];
        for (l, &(x, y)) in legs.iter().enumerate() {
            refs[l] = push(&mut nodes, [x, y, f.zf_m[k]]);
        }
        ref_nodes.push(refs);
    }

    // 3. Rigid sets of the 12 joints, floor-major, leg-minor.
    let dx = (f.b_m / 2.0).max(hx / 2.0);
    let dy = (f.b_m / 2.0).max(hy / 2.0);
    let mut rigid_sets: Vec<Vec<usize>> = Vec::with_capacity(12);
    for k in 0..3 {
        for (l, &(xl, yl)) in legs.iter().enumerate() {
            let mut set: Vec<usize> = leg_ids[l]
                .iter()
                .copied()
                .filter(|&id| {
                    let z = nodes[id - 1][2];
                    z >= f.zb_m[k] - EPS_M && z <= f.zt_m[k] + EPS_M
                })
                .collect();
            for &id in floor_grids[k].iter().filter(|&&id| id != 0) {
                let [x, y, _] = nodes[id - 1];
                let near_edge = if yl < 0.0 {
                    y <= dy + EPS_M
                } else {
                    f.ly_m - y <= dy + EPS_M
                };
                if (x - xl).abs() <= dx + EPS_M && near_edge {
                    set.push(id);
                }
            }
            set.sort_unstable();
            set.dedup();
            rigid_sets.push(set);
        }
    }

    // 4. Floor-centre nodes: the grid node nearest to the plate centre (ties: smaller id).
    let mut floor_centre_nodes = [0usize; 3];
    for k in 0..3 {
        let c = [f.lx_m / 2.0, f.ly_m / 2.0, f.zf_m[k]];
        let mut ids: Vec<usize> = floor_grids[k].iter().copied().filter(|&i| i != 0).collect();
        ids.sort_unstable();
        let mut best = (f64::INFINITY, 0usize);
        for id in ids {
            let q = nodes[id - 1];
            let d2 = (q[0] - c[0]).powi(2) + (q[1] - c[1]).powi(2) + (q[2] - c[2]).powi(2);
            if d2 < best.0 {
                best = (d2, id);
            }
        }
        floor_centre_nodes[k] = best.1;
    }

    // 5. Cards.
    let mut out = String::with_capacity(nodes.len() * 48 + 64 * 1024);
    write_deck_head(
        &mut out,
        "beam_shell",
        "B32 columns, S8R floors, rigid joints",
        &nodes,
    );
    let mut eid = 0usize;
    let _ = writeln!(out, "*ELEMENT, TYPE=B32, ELSET=LEGS");
    for ids in &leg_ids {
        for e in 0..(ids.len() - 1) / 2 {
            eid += 1;
            let _ = writeln!(
                out,
                "{eid}, {}, {}, {}",
                ids[2 * e],
                ids[2 * e + 1],
                ids[2 * e + 2]
            );
        }
    }
    let _ = writeln!(out, "*ELEMENT, TYPE=S8R, ELSET=FLOORS");
    for grid in &floor_grids {
        let at = |i: usize, j: usize| grid[i * gy + j];
        for i in 0..nx {
            for j in 0..ny {
                let (a, c) = (2 * i, 2 * j);
                eid += 1;
                let _ = writeln!(
                    out,
                    "{eid}, {}, {}, {}, {}, {}, {}, {}, {}",
                    at(a, c),
                    at(a + 2, c),
                    at(a + 2, c + 2),
                    at(a, c + 2),
                    at(a + 1, c),
                    at(a + 2, c + 1),
                    at(a + 1, c + 2),
                    at(a, c + 1)
                );
            }
        }
    }
    let _ = writeln!(out, "*ELEMENT, TYPE=MASS, ELSET=CLAMPS");
    for refs in &ref_nodes {
        for &r in refs {
            eid += 1;
            let _ = writeln!(out, "{eid}, {r}");
        }
    }
    let _ = writeln!(out, "*NSET, NSET=NBASE");
    let bases: Vec<usize> = leg_ids.iter().map(|ids| ids[0]).collect();
    write_id_lines(&mut out, &bases, IDS_PER_LINE);
    let _ = writeln!(out, "*NSET, NSET=NFLOORC");
    write_id_lines(&mut out, &floor_centre_nodes, IDS_PER_LINE);
    write_material(&mut out, p);
    let _ = writeln!(
        out,
        "*BEAM SECTION, ELSET=LEGS, MATERIAL=AL6082, SECTION=RECT"
    );
    let _ = writeln!(out, "{}, {}", g9(f.b_m), g9(f.t_m));
    let _ = writeln!(out, "1., 0., 0.");
    let _ = writeln!(out, "*SHELL SECTION, ELSET=FLOORS, MATERIAL=AL6082");
    let _ = writeln!(out, "{}", g9(f.tf_m));
    let _ = writeln!(out, "*MASS, ELSET=CLAMPS");
    let _ = writeln!(out, "{}", g9(p.density_kg_m3 * CLAMP_VOLUME_M3));
    for (n, set) in rigid_sets.iter().enumerate() {
        let _ = writeln!(out, "*NSET, NSET=RB{n}");
        write_id_lines(&mut out, set, IDS_PER_LINE);
        let r = ref_nodes[n / 4][n % 4];
        let _ = writeln!(out, "*RIGID BODY, NSET=RB{n}, REF NODE={r}");
    }
    let _ = writeln!(out, "*BOUNDARY");
    let _ = writeln!(out, "NBASE, 1, 6");
    write_step(&mut out, p);

    Deck {
        text: out,
        node_count: nodes.len(),
        element_count: eid,
        floor_centre_nodes,
    }
}
