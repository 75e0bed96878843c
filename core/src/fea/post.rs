//! From the parsed `job.dat` to the result of docs/fea.md §5 (post-processing §4.7).
//!
//! * Frequencies: the f column of ccx (7 digits, not recomputed); a negative eigenvalue gives
//!   frequency 0 and a warning.
//! * Floor-centre shapes: floors 1–3 × (ux, uy, uz) of `NFLOORC`, multiplied by −1 when the
//!   entry of largest magnitude is negative.
//! * Label: `a_c = Σ_floors |u_c|`, `s = max(a)·√M / 3` with the model mass M; `s ≥ 0.05` →
//!   `x-sway`, `y-sway` or `vertical` by the largest `a_c`, else `torsion` (the floor centres
//!   stand still). Families are numbered in ascending frequency.
//! * Effective mass %: `100·m_eff,c / TOTAL EFFECTIVE MASS_c`.
//! * Comparison: y-sway k against the measured peak k, `100·(f_fe − f_meas)/f_meas`.

use serde_json::{json, Value};

use super::dat::DatOutput;
use super::deck::Deck;
use super::geometry::Frame;
use super::params::FeaParams;
use super::shear_building::{normalise_peak, ShearBuilding};
use crate::result::{Series, Table};
use crate::ToolResult;

/// Measured peaks of the Southampton rig (Hz), the platform's reference.
pub const MEASURED_PEAKS_HZ: [f64; 3] = [6.50, 17.47, 26.50];
/// Label threshold on `s = max(a)·√M/3`.
const SWAY_THRESHOLD: f64 = 0.05;
/// Below this a mode is a mechanism (Hz).
const MECHANISM_HZ: f64 = 0.1;
/// Relative difference of solver and analytic mass that triggers a warning.
const MASS_TOLERANCE: f64 = 0.01;

const HEIGHT_LABEL: &str = "Height above base clamp (m)";
const SHAPE_LABEL: &str = "Normalised floor displacement (-)";
const MODE_LABEL: &str = "Mode number (y-sway)";
const FREQ_LABEL: &str = "Frequency (Hz)";

const IN_M: f64 = 0.0254;
const PSI_PA: f64 = 6894.757293168;
/// 1 slinch = 175.126835 kg; the density unit is slinch/in³ (= 10 686 895 kg/m³).
const SLINCH_KG: f64 = 175.126835;

/// One FE mode after post-processing.
#[derive(Debug, Clone, PartialEq)]
pub struct Mode {
    pub number: usize,
    pub frequency_hz: f64,
    pub negative_eigenvalue: bool,
    pub label: String,
    /// Floors 1–3 × (ux, uy, uz), sign rule applied.
    pub floor_shape: [[f64; 3]; 3],
    pub effective_mass_kg: [f64; 3],
}

/// Label families of the modes, numbered in ascending frequency (the modes come sorted).
pub fn label_modes(shapes: &[[[f64; 3]; 3]], model_mass_kg: f64) -> Vec<String> {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    shapes
        .iter()
        .map(|shape| {
            let a: [f64; 3] = std::array::from_fn(|c| shape.iter().map(|f| f[c].abs()).sum());
            let amax = a.iter().copied().fold(0.0, f64::max);
            let s = amax * model_mass_kg.sqrt() / 3.0;
            let family = if s >= SWAY_THRESHOLD {
                let c = (0..3).fold(0, |best, c| if a[c] > a[best] { c } else { best });
                ["x-sway", "y-sway", "vertical"][c]
            } else {
                "torsion"
            };
            let n = counts.entry(family).or_insert(0);
            *n += 1;
            format!("{family} {n}")
        })
        .collect()
}

/// Multiplies a shape by −1 if its entry of largest magnitude is negative.
pub fn apply_sign_rule(shape: [[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let peak =
        shape
            .iter()
            .flatten()
            .copied()
            .fold(0.0f64, |acc, x| if x.abs() > acc.abs() { x } else { acc });
    if peak < 0.0 {
        shape.map(|f| f.map(|x| -x))
    } else {
        shape
    }
}

/// The modes of a parsed `job.dat`; `floor_nodes` are the `NFLOORC` ids, floors 1–3.
pub fn modes(dat: &DatOutput, floor_nodes: [usize; 3], model_mass_kg: f64) -> Vec<Mode> {
    let shapes: Vec<[[f64; 3]; 3]> = dat
        .eigen
        .iter()
        .map(|e| {
            let rows = dat.displacements.get(&e.mode).cloned().unwrap_or_default();
            let shape = floor_nodes.map(|node| {
                rows.iter()
                    .find(|(id, _)| *id == node)
                    .map_or([0.0; 3], |(_, u)| *u)
            });
            apply_sign_rule(shape)
        })
        .collect();
    let labels = label_modes(&shapes, model_mass_kg);
    dat.eigen
        .iter()
        .zip(shapes)
        .zip(labels)
        .enumerate()
        .map(|(i, ((e, floor_shape), label))| {
            let negative = e.eigenvalue < 0.0;
            let m = dat.effective_mass.get(i).copied().unwrap_or([0.0; 6]);
            Mode {
                number: e.mode,
                frequency_hz: if negative { 0.0 } else { e.frequency_hz },
                negative_eigenvalue: negative,
                label,
                floor_shape,
                effective_mass_kg: [m[0], m[1], m[2]],
            }
        })
        .collect()
}

/// Scalars, series and tables shared by solved and deck-only results.
pub fn base_result(p: &FeaParams, echo: Value, deck: &Deck, model_mass_kg: f64) -> ToolResult {
    let mut r = ToolResult::new("fea", echo);
    r.set_int("node_count", deck.node_count as i64);
    r.set_int("element_count", deck.element_count as i64);
    r.set("model_mass_kg", model_mass_kg);
    let sb = ShearBuilding::new(p);
    for k in 0..3 {
        r.set(
            &format!("shear_building_frequency_{}_hz", k + 1),
            sb.frequencies_hz[k],
        );
        r.set(
            &format!("storey_stiffness_{}_n_per_m", k + 1),
            sb.storey_stiffness_n_per_m[k],
        );
    }
    r.set("shear_building_floor_mass_kg", sb.floor_mass_kg);
    r
}

/// Appends the shear-building and measured series (after any FE series).
fn push_reference_series(r: &mut ToolResult, p: &FeaParams) {
    let sb = ShearBuilding::new(p);
    let heights = Frame::new(p).shape_heights_m();
    for (k, shape) in sb.shapes.iter().enumerate() {
        r.push_series(Series::new(
            format!("shear_building_mode_shape_{}", k + 1),
            HEIGHT_LABEL,
            SHAPE_LABEL,
            heights.clone(),
            vec![0.0, shape[0], shape[1], shape[2]],
        ));
    }
    r.push_series(Series::new(
        "frequencies_shear_building",
        MODE_LABEL,
        FREQ_LABEL,
        vec![1.0, 2.0, 3.0],
        sb.frequencies_hz.to_vec(),
    ));
    r.push_series(Series::new(
        "frequencies_measured",
        MODE_LABEL,
        FREQ_LABEL,
        vec![1.0, 2.0, 3.0],
        MEASURED_PEAKS_HZ.to_vec(),
    ));
}

/// The result of `solve: false`.
pub fn deck_only_result(p: &FeaParams, echo: Value, deck: &Deck, model_mass_kg: f64) -> ToolResult {
    let mut r = base_result(p, echo, deck, model_mass_kg);
    push_reference_series(&mut r, p);
    r.push_table(inputs_imperial(p));
    r.warn("solve is false: the deck was generated but not solved");
    r
}

/// The full result of a solved job.
pub fn solved_result(
    p: &FeaParams,
    echo: Value,
    deck: &Deck,
    model_mass_kg: f64,
    dat: &DatOutput,
    wall_time_s: f64,
    solver_warnings: Vec<String>,
) -> ToolResult {
    let mut r = base_result(p, echo, deck, model_mass_kg);
    let modes = modes(dat, deck.floor_centre_nodes, model_mass_kg);
    let sb = ShearBuilding::new(p);
    r.set_int("mode_count", modes.len() as i64);
    for m in &modes {
        r.set(
            &format!("natural_frequency_{}_hz", m.number),
            m.frequency_hz,
        );
    }
    let family = |name: &str| -> Vec<&Mode> {
        modes
            .iter()
            .filter(|m| m.label.rsplit_once(' ').is_some_and(|(f, _)| f == name))
            .collect()
    };
    let y_sway = family("y-sway");
    for (k, m) in y_sway.iter().take(3).enumerate() {
        r.set(&format!("y_sway_frequency_{}_hz", k + 1), m.frequency_hz);
    }
    for (k, m) in family("x-sway").iter().take(3).enumerate() {
        r.set(&format!("x_sway_frequency_{}_hz", k + 1), m.frequency_hz);
    }
    if let Some(m) = family("torsion").first() {
        r.set("torsion_frequency_1_hz", m.frequency_hz);
    }
    let total = dat.total_effective_mass;
    if let Some(t) = total {
        r.set("solver_total_mass_kg", t[0]);
    }
    r.set("solver_wall_time_s", wall_time_s);
    for (k, m) in y_sway.iter().take(3).enumerate() {
        r.set(
            &format!("difference_from_measured_{}_pct", k + 1),
            difference_pct(m.frequency_hz, MEASURED_PEAKS_HZ[k]),
        );
    }

    // Series: FE y-sway shapes first, then the shear building and the measured peaks.
    let heights = Frame::new(p).shape_heights_m();
    for (k, m) in y_sway.iter().take(3).enumerate() {
        let uy = normalise_peak(m.floor_shape.map(|f| f[1]));
        r.push_series(Series::new(
            format!("y_sway_mode_shape_{}", k + 1),
            HEIGHT_LABEL,
            SHAPE_LABEL,
            heights.clone(),
            vec![0.0, uy[0], uy[1], uy[2]],
        ));
    }
    let sb_series_at = r.series.len();
    push_reference_series(&mut r, p);
    if !y_sway.is_empty() {
        let n = y_sway.len().min(3);
        r.series.insert(
            sb_series_at + 3,
            Series::new(
                "frequencies_fe",
                MODE_LABEL,
                FREQ_LABEL,
                (1..=n).map(|k| k as f64).collect(),
                y_sway.iter().take(3).map(|m| m.frequency_hz).collect(),
            ),
        );
    }

    // Tables.
    let mut t = Table::new(
        "modes",
        &[
            "mode",
            "frequency_hz",
            "label",
            "effective_mass_x_kg",
            "effective_mass_y_kg",
            "effective_mass_z_kg",
            "effective_mass_x_pct",
            "effective_mass_y_pct",
            "effective_mass_z_pct",
        ],
    );
    for m in &modes {
        let mut row = vec![json!(m.number), num(m.frequency_hz), json!(m.label)];
        row.extend(m.effective_mass_kg.iter().map(|&x| num(x)));
        for c in 0..3 {
            let pct = match total {
                Some(t) if t[c] != 0.0 => 100.0 * m.effective_mass_kg[c] / t[c],
                _ => 0.0,
            };
            row.push(num(pct));
        }
        t.rows.push(row);
    }
    r.push_table(t);
    let mut t = Table::new(
        "floor_centre_mode_shapes",
        &["mode", "floor", "ux", "uy", "uz"],
    );
    for m in &modes {
        for (f, u) in m.floor_shape.iter().enumerate() {
            t.push_numbers(2, &[m.number as f64, (f + 1) as f64, u[0], u[1], u[2]]);
        }
    }
    r.push_table(t);
    let mut t = Table::new(
        "comparison",
        &[
            "mode",
            "fe_hz",
            "shear_building_hz",
            "measured_hz",
            "difference_pct",
        ],
    );
    for k in 0..3 {
        // A missing y-sway mode is written as text: the result contract has no null numbers.
        let (fe, diff) = match y_sway.get(k) {
            Some(m) => (
                num(m.frequency_hz),
                num(difference_pct(m.frequency_hz, MEASURED_PEAKS_HZ[k])),
            ),
            None => (json!("not found"), json!("not found")),
        };
        t.rows.push(vec![
            json!(k + 1),
            fe,
            num(sb.frequencies_hz[k]),
            num(MEASURED_PEAKS_HZ[k]),
            diff,
        ]);
    }
    r.push_table(t);
    r.push_table(inputs_imperial(p));

    // Warnings.
    if let Some(fmax) = p.max_frequency_hz {
        if modes.is_empty() {
            r.warn(format!(
                "no mode below max_frequency_hz = {fmax} Hz: raise max_frequency_hz"
            ));
        } else if modes.len() >= p.num_modes as usize {
            r.warn(format!(
                "all {} requested modes lie below max_frequency_hz = {fmax} Hz; there may be \
                 more: raise num_modes",
                p.num_modes
            ));
        }
    }
    if y_sway.len() < 3 {
        r.warn(format!(
            "only {} y-sway mode(s) found: the comparison with the measured peaks is incomplete \
             (raise num_modes or max_frequency_hz)",
            y_sway.len()
        ));
    }
    for m in &modes {
        if m.negative_eigenvalue || m.frequency_hz < MECHANISM_HZ {
            r.warn(format!(
                "mode {} has {} : a mechanism; check the supports",
                m.number,
                if m.negative_eigenvalue {
                    "a negative eigenvalue (frequency reported as 0)".to_string()
                } else {
                    format!("f = {} Hz < {MECHANISM_HZ} Hz", m.frequency_hz)
                }
            ));
        }
    }
    if let Some(t) = total {
        if model_mass_kg > 0.0 && (t[0] / model_mass_kg - 1.0).abs() > MASS_TOLERANCE {
            r.warn(format!(
                "the solver's total mass {} kg differs from the model mass {model_mass_kg:.6} kg \
                 by more than 1 %: deck or solver problem",
                t[0]
            ));
        }
    }
    for w in solver_warnings {
        r.warn(format!("ccx: {w}"));
    }
    r
}

fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// `100·(f_fe − f_meas)/f_meas`.
pub fn difference_pct(fe_hz: f64, measured_hz: f64) -> f64 {
    100.0 * (fe_hz - measured_hz) / measured_hz
}

/// The geometry in SI and in the blueprint units (informative).
pub fn inputs_imperial(p: &FeaParams) -> Table {
    let mut t = Table::new(
        "inputs_imperial",
        &[
            "parameter",
            "si_value",
            "si_unit",
            "imperial_value",
            "imperial_unit",
        ],
    );
    let mut row = |name: String, si: f64, si_unit: &str, imp: f64, imp_unit: &str| {
        t.rows.push(vec![
            json!(name),
            num(si),
            json!(si_unit),
            num(imp),
            json!(imp_unit),
        ]);
    };
    let len = |row: &mut dyn FnMut(String, f64, &str, f64, &str), name: &str, v: f64| {
        row(name.to_string(), v, "m", v / IN_M, "in")
    };
    len(&mut row, "floor_length_x_m", p.floor_length_x_m);
    len(&mut row, "floor_width_y_m", p.floor_width_y_m);
    len(&mut row, "floor_thickness_m", p.floor_thickness_m);
    for (k, l) in p.column_free_length_m.iter().enumerate() {
        len(&mut row, &format!("column_free_length_m[{}]", k + 1), *l);
    }
    len(&mut row, "column_width_m", p.column_width_m);
    len(&mut row, "column_thickness_m", p.column_thickness_m);
    len(&mut row, "element_size_m", p.element_size_m);
    row(
        "youngs_modulus_pa".into(),
        p.youngs_modulus_pa,
        "Pa",
        p.youngs_modulus_pa / PSI_PA,
        "psi",
    );
    row(
        "density_kg_m3".into(),
        p.density_kg_m3,
        "kg/m^3",
        p.density_kg_m3 * IN_M.powi(3) / SLINCH_KG,
        "slinch/in^3",
    );
    t
}
