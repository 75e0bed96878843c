//! The `uncertainty` tool (docs/uncertainty.md §2, §3.1, §4, §6.1): how far each floor's frequency
//! response can move when every mass, stiffness and damper is only known to ±x %.
//!
//! Model: ground –k1,c1– floor 1 –k2,c2– floor 2 –k3,c3– floor 3, a unit harmonic force on
//! one floor, `X(ω) = (K − ω²M + iωC)⁻¹ e_f` ([`kernel`], closed-form adjugate).
//! Parameter p lies in `[c_p(1 − e_p), c_p(1 + e_p)]`, e_p = tolerance/100.
//!
//! One run:
//! 1. nominal modes and modal damping at the centre, exact natural-frequency intervals
//!    (monotonicity in K and M, [`grid`]);
//! 2. the frequency grid, refined around the resonances ([`grid::frequency_grid`]);
//! 3. the nominal FRF and, per selected method, the inner band (pointwise min/max of
//!    `|X_i|` over a point set of the box, [`bands`]): `diagonal_grid`, `monte_carlo`
//!    (seeded MT19937, common or per-frequency samples, quantile curves), `vertex`;
//! 4. scalars: `{method}_max_width_db` (widest band over grid and floors) and, when Monte
//!    Carlo ran with another method, the median gaps between the Monte-Carlo band and the
//!    union of all bands (how much the random band under-covers).
//!
//! Every band is an inner bound: each value is the response of a real structure in the box.
//! Long runs report progress at most every 50 ms and stop within one frequency's work
//! (≤ 1e6 evaluations) after a cancel.

pub mod bands;
pub mod grid;
pub mod kernel;
pub mod mt19937;
pub mod params;

use serde_json::{json, Value};

use self::bands::{diagonal_points, fixed_band, monte_carlo, vertex_points, Band, Tracker};
use self::grid::{frequency_grid, modes};
use self::kernel::{db_of_norm_sqr, unit_force_norm_sqr, PARAMETER_NAMES};
pub use self::params::{uncertainty_params, Method, Sampling, UncertaintyParams};
use crate::result::{Series, Table};
use crate::schema::ParamSpec;
use crate::tool::{Category, Parsed, RunResult, ToolMeta, TypedTool};
use crate::ResultSize;
use crate::{Cancel, Progress, ToolError, ToolResult};

const X_LABEL: &str = "Frequency (Hz)";
const Y_LABEL: &str = "Amplitude (dB re 1 m/N)";
const UNITS: [&str; 9] = [
    "kg", "kg", "kg", "N/m", "N/m", "N/m", "N·s/m", "N·s/m", "N·s/m",
];

/// A method's band in dB: (method, lower, upper) per grid point and floor.
type DbBand = (Method, Vec<[f64; 3]>, Vec<[f64; 3]>);

/// Interval / sampling propagation of parameter tolerances through the FRF.
#[derive(Debug, Clone, Copy, Default)]
pub struct UncertaintyTool;

/// numpy `median`: the mean of the two middle values for an even count.
pub fn median(values: &mut [f64]) -> f64 {
    let n = values.len();
    values.sort_by(f64::total_cmp);
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

fn db_band(b: &Band) -> (Vec<[f64; 3]>, Vec<[f64; 3]>) {
    let conv = |v: &Vec<[f64; 3]>| v.iter().map(|x| x.map(db_of_norm_sqr)).collect();
    (conv(&b.lower), conv(&b.upper))
}

fn column(v: &[[f64; 3]], i: usize) -> Vec<f64> {
    v.iter().map(|x| x[i]).collect()
}

/// Runs `uncertainty` on typed parameters.
pub fn run_uncertainty(
    p: &UncertaintyParams,
    echo: Value,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ToolResult, ToolError> {
    let mut result = ToolResult::new("uncertainty", echo);
    let lo = p.lower();
    let hi = p.upper();
    let nominal = modes(&p.centre)?;
    let low_corner: [f64; 9] = std::array::from_fn(|i| if i < 3 { hi[i] } else { lo[i] });
    let high_corner: [f64; 9] = std::array::from_fn(|i| if i < 3 { lo[i] } else { hi[i] });
    let f_lo = modes(&low_corner)?.natural_frequency_hz;
    let f_hi = modes(&high_corner)?.natural_frequency_hz;

    let (freqs, grid_warnings) = frequency_grid(
        p.freq_min_hz,
        p.freq_max_hz,
        p.n_freq,
        p.refine_peaks,
        &nominal,
    );
    p.check_work(freqs.len())?;
    for w in grid_warnings {
        result.warn(w);
    }
    let omegas: Vec<f64> = freqs.iter().map(|f| std::f64::consts::TAU * f).collect();

    let mut modes_table = Table::new(
        "modes",
        &[
            "mode",
            "natural_frequency_hz",
            "natural_frequency_min_hz",
            "natural_frequency_max_hz",
            "damping_ratio",
        ],
    );
    for r in 0..3 {
        let n = r + 1;
        result.set(
            &format!("natural_frequency_{n}_hz"),
            nominal.natural_frequency_hz[r],
        );
        result.set(&format!("natural_frequency_{n}_min_hz"), f_lo[r]);
        result.set(&format!("natural_frequency_{n}_max_hz"), f_hi[r]);
        result.set(&format!("damping_ratio_{n}"), nominal.damping_ratio[r]);
        modes_table.push_numbers(
            1,
            &[
                n as f64,
                nominal.natural_frequency_hz[r],
                f_lo[r],
                f_hi[r],
                nominal.damping_ratio[r],
            ],
        );
    }
    result.set_int("n_freq_points", freqs.len() as i64);

    let floor = p.excitation_floor;
    let nominal_db: Vec<[f64; 3]> = omegas
        .iter()
        .map(|&w| unit_force_norm_sqr(&p.centre, w, floor).map(db_of_norm_sqr))
        .collect();
    let all_zero = p.rel_tolerance.iter().all(|&t| t == 0.0);

    // (method, lower dB, upper dB) in result order, plus the MC quantile curves.
    let mut bands: Vec<DbBand> = Vec::new();
    let mut quantiles: Vec<Vec<[f64; 3]>> = Vec::new();
    if all_zero {
        result.warn("every tolerance is 0: only the nominal response and the modes are shown");
    } else {
        let n2 = p.diagonal_grid_points;
        let n_vertex = 1usize << (0..9).filter(|&i| hi[i] > lo[i]).count();
        let per_freq = |m: Method| match m {
            Method::DiagonalGrid => 2 * n2 * n2,
            Method::MonteCarlo => p.mc_samples,
            Method::Vertex => n_vertex,
        };
        let total: usize = p.methods.iter().map(|&m| per_freq(m) * omegas.len()).sum();
        let mut tracker = Tracker::new(progress, cancel, total as f64);
        for &m in &p.methods {
            let band = match m {
                Method::DiagonalGrid => {
                    let pts = diagonal_points(&lo, &hi, n2);
                    fixed_band(&pts, &omegas, floor, &mut tracker, "diagonal grid")?
                }
                Method::Vertex => {
                    let pts = vertex_points(&p.centre, &lo, &hi);
                    fixed_band(&pts, &omegas, floor, &mut tracker, "vertices")?
                }
                Method::MonteCarlo => {
                    let mc = monte_carlo(
                        &lo,
                        &hi,
                        p.mc_samples,
                        p.seed,
                        p.sampling == Sampling::PerFrequency,
                        &p.quantiles_percent,
                        &omegas,
                        floor,
                        &mut tracker,
                    )?;
                    quantiles = mc.quantiles_db;
                    mc.band
                }
            };
            let (l, u) = db_band(&band);
            bands.push((m, l, u));
        }
        progress.report(1.0, "bands done");
    }

    for (m, l, u) in &bands {
        let width = l
            .iter()
            .zip(u)
            .flat_map(|(a, b)| (0..3).map(move |i| b[i] - a[i]))
            .fold(0.0, f64::max);
        result.set(&format!("{}_max_width_db", m.as_str()), width);
    }
    if let Some((_, mc_l, mc_u)) = bands.iter().find(|b| b.0 == Method::MonteCarlo) {
        if bands.len() >= 2 {
            let mut gap_u = Vec::with_capacity(3 * freqs.len());
            let mut gap_l = Vec::with_capacity(3 * freqs.len());
            for j in 0..freqs.len() {
                for i in 0..3 {
                    let big_u = bands.iter().map(|b| b.2[j][i]).fold(f64::MIN, f64::max);
                    let big_l = bands.iter().map(|b| b.1[j][i]).fold(f64::MAX, f64::min);
                    gap_u.push(big_u - mc_u[j][i]);
                    gap_l.push(mc_l[j][i] - big_l);
                }
            }
            result.set("monte_carlo_median_gap_upper_db", median(&mut gap_u));
            result.set("monte_carlo_median_gap_lower_db", median(&mut gap_l));
        }
    }

    for i in 0..3 {
        let n = i + 1;
        let series =
            |name: String, y: Vec<f64>| Series::new(name, X_LABEL, Y_LABEL, freqs.clone(), y);
        result.push_series(series(format!("floor_{n}_nominal"), column(&nominal_db, i)));
        for (m, l, u) in &bands {
            result.push_series(series(
                format!("floor_{n}_{}_lower", m.as_str()),
                column(l, i),
            ));
            result.push_series(series(
                format!("floor_{n}_{}_upper", m.as_str()),
                column(u, i),
            ));
        }
        for (q, curve) in p.quantiles_percent.iter().zip(&quantiles) {
            result.push_series(series(
                format!("floor_{n}_monte_carlo_q{q}"),
                column(curve, i),
            ));
        }
    }

    result.push_table(modes_table);
    if !all_zero {
        let mut t = Table::new(
            "parameters",
            &["parameter", "nominal", "lower", "upper", "unit"],
        );
        for k in 0..9 {
            t.rows.push(vec![
                json!(PARAMETER_NAMES[k]),
                json!(p.centre[k]),
                json!(lo[k]),
                json!(hi[k]),
                json!(UNITS[k]),
            ]);
        }
        result.push_table(t);
    }
    Ok(result)
}

impl TypedTool for UncertaintyTool {
    const META: ToolMeta = ToolMeta {
        id: "uncertainty",
        title: "Uncertainty propagation",
        category: Category::SelfContainedSimulation,
        description:
            "Bands of each floor's frequency response when masses, stiffnesses and dampers are \
             only known to ±x %: diagonal grid, seeded Monte Carlo and box vertices, with exact \
             natural-frequency intervals.",
        heavy: false,
    };
    type Params = UncertaintyParams;
    fn param_specs() -> Vec<ParamSpec> {
        uncertainty_params()
    }
    fn parse(raw: &Value, _: &Progress, _: &Cancel) -> Parsed<Self::Params> {
        UncertaintyParams::parse(raw)
    }
    fn run(p: Self::Params, echo: Value, progress: &Progress, cancel: &Cancel) -> RunResult {
        run_uncertainty(&p, echo, progress, cancel)
    }
    /// Per floor, the nominal curve, a lower and an upper band per method and one curve per
    /// Monte-Carlo quantile, each of x and y on the grid of `n_freq` points (plus at most 99
    /// refined around the peaks); scalars and two small tables.
    fn result_values(p: &Self::Params) -> ResultSize {
        let mc = p.methods.contains(&params::Method::MonteCarlo);
        let quantiles = if mc { p.quantiles_percent.len() } else { 0 };
        let curves = 3.0 * (1.0 + 2.0 * p.methods.len() as f64 + quantiles as f64);
        let extra = if p.refine_peaks { 99.0 } else { 0.0 };
        ResultSize::linear(
            "n_freq",
            p.n_freq as f64,
            2.0 * curves,
            2.0 * curves * extra + 150.0,
        )
    }
}
