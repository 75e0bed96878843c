//! Parameters of `simulator` (docs/simulator.md §3.3): the schema (defaults, ranges, units) and
//! the typed, cross-checked parameters.
//!
//! The schema checks each value on its own; [`SimulatorParams::parse`] adds the rules
//! that involve several fields (all naming the field at fault): `S ≥ 16` (`duration_s`),
//! `S·n_scenarios ≤ 20 000 000` (`n_scenarios` when > 1, else `duration_s`),
//! `harmonic_frequency_hz < fs/2`, a noise band with `lo < hi ≤ fs/2` and at least one FFT
//! bin, sweep frequencies `< fs/2` and different, a table for `excitation: "table"`,
//! percent dispersions ≤ 50 % (damping ≤ 100 %), `welch_segment_s ≤ duration` and ≥ 8
//! samples. Cross-checks that depend on the excitation are applied only for that excitation,
//! so the defaults of unused fields never block a run. `peak_search_max_hz` above fs/2 is
//! clipped to fs/2 (with a warning) rather than rejected.

use serde::Deserialize;
use serde_json::{json, Value};

use super::excitation::{noise_bins, Excitation, SweepKind};
use super::grid::{GridKind, TimeGrid};
use crate::lumped::{profile_params, Profile};
use crate::schema::{self, ParamSpec};
use crate::ToolError;

/// Largest `S · n_scenarios`.
pub const MAX_TOTAL_SAMPLES: f64 = 20_000_000.0;
/// Largest number of force-table values.
pub const MAX_TABLE_LEN: usize = 10_000_000;
/// Smallest number of samples.
pub const MIN_SAMPLES: usize = 16;

/// Response quantity of the series and PSDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Displacement,
    Velocity,
    Acceleration,
}

impl Quantity {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "displacement" => Some(Self::Displacement),
            "velocity" => Some(Self::Velocity),
            "acceleration" => Some(Self::Acceleration),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Displacement => "displacement",
            Self::Velocity => "velocity",
            Self::Acceleration => "acceleration",
        }
    }
    /// Axis label of the time series.
    pub fn label(self) -> &'static str {
        match self {
            Self::Displacement => "Displacement (m)",
            Self::Velocity => "Velocity (m/s)",
            Self::Acceleration => "Acceleration (m/s²)",
        }
    }
    /// Axis label of the PSD.
    pub fn psd_label(self) -> &'static str {
        match self {
            Self::Displacement => "PSD of displacement (m²/Hz)",
            Self::Velocity => "PSD of velocity ((m/s)²/Hz)",
            Self::Acceleration => "PSD of acceleration ((m/s²)²/Hz)",
        }
    }
    /// Unit suffix of scalar keys.
    pub fn key_unit(self) -> &'static str {
        match self {
            Self::Displacement => "m",
            Self::Velocity => "m_per_s",
            Self::Acceleration => "m_per_s2",
        }
    }
    /// Index 0, 1, 2.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Standard deviations of the Monte-Carlo draws, already absolute, per floor/storey.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dispersion {
    pub mass_kg: [f64; 3],
    pub stiffness_n_per_m: [f64; 3],
    pub damping_ns_per_m: [f64; 3],
    pub x0_m: f64,
    pub v0_m_per_s: f64,
}

impl Dispersion {
    pub fn is_zero(&self) -> bool {
        self.mass_kg
            .iter()
            .chain(&self.stiffness_n_per_m)
            .chain(&self.damping_ns_per_m)
            .all(|&s| s == 0.0)
            && self.x0_m == 0.0
            && self.v0_m_per_s == 0.0
    }
}

/// The typed parameters of `simulator`.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatorParams {
    pub profile: Profile,
    pub excitation: Excitation,
    /// The excitation's name as given.
    pub excitation_name: String,
    pub force_floor: usize,
    pub grid: TimeGrid,
    pub response: Quantity,
    pub initial_state: [f64; 6],
    pub n_scenarios: usize,
    pub seed: u64,
    pub dispersion: Dispersion,
    /// Welch segment length in samples.
    pub nperseg: usize,
    /// Upper limit of the peak search (Hz), clipped to fs/2.
    pub peak_search_max_hz: f64,
    /// Notes produced while reading (clipping).
    pub notes: Vec<String>,
}

const EXCITATIONS: [&str; 7] = [
    "hammer", "impulse", "harmonic", "noise", "sweep", "table", "none",
];

/// The Monte-Carlo dispersion of one kind of element: the standard deviation of each `what`,
/// in `unit` or in percent as `dispersion_unit` says (at most `max_percent` in percent).
fn dispersion_spec(key: &str, label: &str, unit: &str, what: &str, max_percent: u32) -> ParamSpec {
    ParamSpec::number(key, label, &format!("{unit} or %"), 0.0)
        .min(0.0)
        .describe(&format!(
            "Standard deviation of each {what} (≤ {max_percent} if percent)."
        ))
}

/// The schema of `simulator`.
pub fn simulator_params() -> Vec<ParamSpec> {
    let mut s = profile_params("profile");
    s.extend([
        ParamSpec::choice("excitation", "Excitation", "hammer", &EXCITATIONS).describe(
            "Force type: hammer (Gaussian pulse), impulse (Dirac), harmonic, noise (random-phase \
             multisine), sweep, table (your samples) or none (free decay).",
        ),
        ParamSpec::integer("force_floor", "Force on floor", 1, 1, 3)
            .describe("Floor (1 = bottom) carrying the force."),
        ParamSpec::number("duration_s", "Duration", "s", 5.0)
            .min_exclusive(0.0)
            .max(3600.0)
            .describe("Record length T."),
        ParamSpec::number("sample_rate_hz", "Sample rate", "Hz", 2048.0)
            .min(16.0)
            .max(100_000.0)
            .describe("Sample rate fs of the outputs."),
        ParamSpec::choice(
            "time_grid",
            "Time grid",
            "uniform",
            &["uniform", "linspace"],
        )
        .describe(
            "uniform: t_i = i/fs exactly; linspace: the original app's grid linspace(0, T, T·fs) \
             (real rate fs − 1/T), for comparison.",
        ),
        ParamSpec::choice(
            "response",
            "Response",
            "displacement",
            &["displacement", "velocity", "acceleration"],
        )
        .describe("Quantity of the floor time series and PSDs (acceleration from the state)."),
        ParamSpec::number("pulse_time_s", "Pulse time", "s", 0.5)
            .min(0.0)
            .max(3600.0)
            .describe("Centre of the hammer pulse / instant of the impulse."),
        ParamSpec::number("hammer_peak_n", "Hammer peak force", "N", 300.0)
            .min_exclusive(0.0)
            .max(1e6)
            .describe("Height P of the Gaussian hammer pulse."),
        ParamSpec::number("hammer_width_s", "Hammer pulse width σ", "s", 0.010)
            .min(1e-5)
            .max(1.0)
            .describe("Standard deviation σ of the Gaussian pulse (impulse P σ √(2π))."),
        ParamSpec::number("impulse_n_s", "Impulse", "N·s", 1.0)
            .min_exclusive(0.0)
            .max(1e5)
            .describe("Size of the ideal impulse (Dirac) for excitation 'impulse'."),
        ParamSpec::number("harmonic_amplitude_n", "Harmonic amplitude", "N", 10.0)
            .min_exclusive(0.0)
            .max(1e6)
            .describe("A in F = A sin(2π f t), from t = 0 (transient included)."),
        ParamSpec::number("harmonic_frequency_hz", "Harmonic frequency", "Hz", 12.0)
            .min_exclusive(0.0)
            .max_exclusive(50_000.0)
            .describe("f in F = A sin(2π f t); below fs/2."),
        ParamSpec::number("noise_rms_n", "Noise RMS", "N", 12.5)
            .min_exclusive(0.0)
            .max(1e6)
            .describe("Exact RMS of the noise force over the record."),
        ParamSpec::number_list(
            "noise_band_hz",
            "Noise band",
            "Hz",
            json!([0.5, 100.0]),
            2,
            2,
        )
        .min(0.0)
        .max(50_000.0)
        .describe(
            "[lo, hi] of the flat noise spectrum; lo < hi ≤ fs/2, at least one FFT bin inside.",
        ),
        ParamSpec::number("sweep_start_hz", "Sweep start", "Hz", 1.0)
            .min_exclusive(0.0)
            .max_exclusive(50_000.0)
            .describe("Start frequency of the sweep (below fs/2)."),
        ParamSpec::number("sweep_end_hz", "Sweep end", "Hz", 40.0)
            .min_exclusive(0.0)
            .max_exclusive(50_000.0)
            .describe("End frequency of the sweep (below fs/2, different from the start)."),
        ParamSpec::number("sweep_amplitude_n", "Sweep amplitude", "N", 10.0)
            .min_exclusive(0.0)
            .max(1e6)
            .describe("Amplitude of the swept sine."),
        ParamSpec::choice(
            "sweep_type",
            "Sweep type",
            "linear",
            &["linear", "logarithmic"],
        )
        .describe("Linear or logarithmic (exponential) frequency law over the whole record."),
        ParamSpec::number_list(
            "force_table_n",
            "Force table",
            "N",
            Value::Null,
            2,
            MAX_TABLE_LEN,
        )
        .describe(
            "Force samples at t_i = i·dt_table (required for excitation 'table'); linear between \
             samples, held at the last value after the table.",
        ),
        ParamSpec::number("force_table_dt_s", "Force table spacing", "s", 0.001)
            .min(1e-6)
            .max(10.0)
            .describe("Time between force-table samples."),
        ParamSpec::number_list(
            "initial_displacement_m",
            "Initial displacements",
            "m",
            json!([0.0, 0.0, 0.0]),
            3,
            3,
        )
        .min(-1.0)
        .max(1.0)
        .describe("x(0) of floors 1..3."),
        ParamSpec::number_list(
            "initial_velocity_m_per_s",
            "Initial velocities",
            "m/s",
            json!([0.0, 0.0, 0.0]),
            3,
            3,
        )
        .min(-100.0)
        .max(100.0)
        .describe("ẋ(0) of floors 1..3."),
        ParamSpec::integer("n_scenarios", "Scenarios", 1, 1, 1000)
            .describe("Number of Monte-Carlo scenarios; 2 or more switches Monte-Carlo on."),
        ParamSpec::integer("seed", "Seed", 0, 0, (1 << 53) - 1)
            .describe("Seeds the noise force and the Monte-Carlo draws (same seed, same result)."),
        ParamSpec::choice(
            "dispersion_unit",
            "Dispersion unit",
            "absolute",
            &["absolute", "percent"],
        )
        .describe("How mass_std, stiffness_std and damping_std are read."),
        dispersion_spec("mass_std", "Mass std-dev", "kg", "mass", 50),
        dispersion_spec("stiffness_std", "Stiffness std-dev", "N/m", "stiffness", 50),
        dispersion_spec("damping_std", "Damping std-dev", "N·s/m", "damper", 100),
        ParamSpec::number("initial_displacement_std_m", "x(0) std-dev", "m", 0.0)
            .min(0.0)
            .max(1.0)
            .describe("Standard deviation of each initial displacement."),
        ParamSpec::number("initial_velocity_std_m_per_s", "ẋ(0) std-dev", "m/s", 0.0)
            .min(0.0)
            .max(100.0)
            .describe("Standard deviation of each initial velocity."),
        ParamSpec::number("welch_segment_s", "Welch segment", "s", 1.0)
            .min_exclusive(0.0)
            .max(3600.0)
            .describe("Welch segment length (≤ duration, ≥ 8 samples); resolution 1/segment."),
        ParamSpec::number("peak_search_max_hz", "Peak search limit", "Hz", 60.0)
            .min_exclusive(0.0)
            .max(50_000.0)
            .describe("Upper limit of the spectral-peak search (clipped to fs/2)."),
    ]);
    s
}

/// The parameters as the schema fills them in (every range already checked).
#[derive(Debug, Deserialize)]
struct SimulatorInput {
    profile: Profile,
    excitation: String,
    force_floor: usize,
    duration_s: f64,
    sample_rate_hz: f64,
    time_grid: String,
    response: String,
    pulse_time_s: f64,
    hammer_peak_n: f64,
    hammer_width_s: f64,
    impulse_n_s: f64,
    harmonic_amplitude_n: f64,
    harmonic_frequency_hz: f64,
    noise_rms_n: f64,
    noise_band_hz: [f64; 2],
    sweep_start_hz: f64,
    sweep_end_hz: f64,
    sweep_amplitude_n: f64,
    sweep_type: String,
    force_table_n: Option<Vec<f64>>,
    force_table_dt_s: f64,
    initial_displacement_m: [f64; 3],
    initial_velocity_m_per_s: [f64; 3],
    n_scenarios: usize,
    seed: u64,
    dispersion_unit: String,
    mass_std: f64,
    stiffness_std: f64,
    damping_std: f64,
    initial_displacement_std_m: f64,
    initial_velocity_std_m_per_s: f64,
    welch_segment_s: f64,
    peak_search_max_hz: f64,
}

impl SimulatorParams {
    /// Validates `params` and builds the typed parameters; returns them with the echo.
    pub fn parse(params: &Value) -> Result<(Self, Value), ToolError> {
        schema::parse_checked(&simulator_params(), params, |input, _| Self::check(input))
    }

    /// The typed parameters from the schema-checked input: the cross-field rules of the
    /// module docs.
    fn check(v: SimulatorInput) -> Result<Self, ToolError> {
        v.profile.check_rules("profile")?;
        let (duration, fs) = (v.duration_s, v.sample_rate_hz);
        let kind = GridKind::parse(&v.time_grid)
            .ok_or_else(|| ToolError::invalid("time_grid", "must be uniform or linspace"))?;
        let n_scenarios = v.n_scenarios;
        let s = TimeGrid::sample_count(kind, duration, fs);
        if s < MIN_SAMPLES as f64 {
            return Err(ToolError::invalid(
                "duration_s",
                format!(
                    "{duration} s at {fs} Hz gives {s} samples; at least {MIN_SAMPLES} are needed"
                ),
            ));
        }
        if s * n_scenarios as f64 > MAX_TOTAL_SAMPLES {
            let field = if n_scenarios > 1 {
                "n_scenarios"
            } else {
                "duration_s"
            };
            return Err(ToolError::invalid(
                field,
                format!(
                    "{s} samples × {n_scenarios} scenarios exceeds the limit of {MAX_TOTAL_SAMPLES} \
                     samples"
                ),
            ));
        }
        let grid = TimeGrid::new(kind, duration, fs, s as usize);
        let response = Quantity::parse(&v.response)
            .ok_or_else(|| ToolError::invalid("response", "unknown response"))?;
        let excitation = excitation(&v, &grid)?;
        let stds = dispersion_stds(&v)?;
        let profile = v.profile;
        let scale = |nominal: &[f64; 3], s: f64| -> [f64; 3] {
            if v.dispersion_unit == "percent" {
                nominal.map(|n| n * s / 100.0)
            } else {
                [s; 3]
            }
        };
        let dispersion = Dispersion {
            mass_kg: scale(&profile.masses_kg, stds[0]),
            stiffness_n_per_m: scale(&profile.stiffnesses_n_per_m, stds[1]),
            damping_ns_per_m: scale(&profile.dampings_ns_per_m, stds[2]),
            x0_m: v.initial_displacement_std_m,
            v0_m_per_s: v.initial_velocity_std_m_per_s,
        };
        let ws = v.welch_segment_s;
        if ws > duration {
            return Err(ToolError::invalid(
                "welch_segment_s",
                format!("{ws} s is longer than the record ({duration} s)"),
            ));
        }
        let nperseg = ((ws * grid.effective_rate_hz()).round() as usize).min(grid.len);
        if nperseg < 8 {
            return Err(ToolError::invalid(
                "welch_segment_s",
                format!("{ws} s gives {nperseg} samples; at least 8 are needed"),
            ));
        }
        let mut notes = Vec::new();
        let mut peak_max = v.peak_search_max_hz;
        let eff_nyq = grid.effective_rate_hz() / 2.0;
        if peak_max > eff_nyq {
            notes.push(format!(
                "peak_search_max_hz {peak_max} Hz was clipped to fs/2 = {eff_nyq} Hz"
            ));
            peak_max = eff_nyq;
        }
        let [x1, x2, x3] = v.initial_displacement_m;
        let [v1, v2, v3] = v.initial_velocity_m_per_s;
        Ok(Self {
            profile,
            excitation,
            excitation_name: v.excitation,
            force_floor: v.force_floor,
            grid,
            response,
            initial_state: [x1, x2, x3, v1, v2, v3],
            n_scenarios,
            seed: v.seed,
            dispersion,
            nperseg,
            peak_search_max_hz: peak_max,
            notes,
        })
    }

    /// Whether any dispersion is non-zero.
    pub fn has_dispersion(&self) -> bool {
        !self.dispersion.is_zero()
    }
}

/// The excitation the input names, with the rules that depend on the grid (fs/2, FFT bins).
fn excitation(v: &SimulatorInput, grid: &TimeGrid) -> Result<Excitation, ToolError> {
    let nyquist = v.sample_rate_hz / 2.0;
    let below_nyquist = |key: &str, f: f64| {
        if f > 0.0 && f < nyquist {
            Ok(f)
        } else {
            Err(ToolError::invalid(
                key,
                format!("{f} Hz must be in (0, fs/2 = {nyquist}) Hz"),
            ))
        }
    };
    Ok(match v.excitation.as_str() {
        "none" => Excitation::None,
        "hammer" => Excitation::Hammer {
            t0_s: v.pulse_time_s,
            peak_n: v.hammer_peak_n,
            sigma_s: v.hammer_width_s,
        },
        "impulse" => Excitation::Impulse {
            t0_s: v.pulse_time_s,
            impulse_n_s: v.impulse_n_s,
        },
        "harmonic" => Excitation::Harmonic {
            amplitude_n: v.harmonic_amplitude_n,
            frequency_hz: below_nyquist("harmonic_frequency_hz", v.harmonic_frequency_hz)?,
        },
        "noise" => {
            let band = v.noise_band_hz;
            if band[0] >= band[1] {
                return Err(ToolError::invalid(
                    "noise_band_hz",
                    format!("lo {} must be ≥ 0 and below hi {}", band[0], band[1]),
                ));
            }
            if band[1] > nyquist {
                return Err(ToolError::invalid(
                    "noise_band_hz",
                    format!("hi {} Hz is above fs/2 = {nyquist} Hz", band[1]),
                ));
            }
            if noise_bins(grid.len, grid.effective_rate_hz(), band).is_empty() {
                return Err(ToolError::invalid(
                    "noise_band_hz",
                    format!(
                        "no FFT bin (spacing {} Hz) lies inside [{}, {}] Hz",
                        grid.effective_rate_hz() / grid.len as f64,
                        band[0],
                        band[1]
                    ),
                ));
            }
            // The samples are drawn by the runner (they depend on the seed).
            Excitation::Noise {
                band_hz: band,
                rms_n: v.noise_rms_n,
            }
        }
        "sweep" => {
            let f0 = below_nyquist("sweep_start_hz", v.sweep_start_hz)?;
            let f1 = below_nyquist("sweep_end_hz", v.sweep_end_hz)?;
            if f0 == f1 {
                return Err(ToolError::invalid(
                    "sweep_end_hz",
                    "must differ from sweep_start_hz",
                ));
            }
            let kind = match v.sweep_type.as_str() {
                "linear" => SweepKind::Linear,
                "logarithmic" => SweepKind::Logarithmic,
                _ => return Err(ToolError::invalid("sweep_type", "unknown sweep type")),
            };
            Excitation::Sweep {
                kind,
                f0_hz: f0,
                f1_hz: f1,
                amplitude_n: v.sweep_amplitude_n,
                duration_s: v.duration_s,
            }
        }
        "table" => Excitation::Table {
            dt_s: v.force_table_dt_s,
            values_n: v.force_table_n.clone().ok_or_else(|| {
                ToolError::invalid(
                    "force_table_n",
                    "excitation 'table' needs force_table_n (at least 2 values)",
                )
            })?,
        },
        other => {
            return Err(ToolError::invalid(
                "excitation",
                format!("'{other}' is not one of: {}", EXCITATIONS.join(", ")),
            ))
        }
    })
}

/// The mass, stiffness and damping standard deviations as given, with the percent limits.
fn dispersion_stds(v: &SimulatorInput) -> Result<[f64; 3], ToolError> {
    let stds = [v.mass_std, v.stiffness_std, v.damping_std];
    if v.dispersion_unit == "percent" {
        let limits = [
            ("mass_std", 50.0),
            ("stiffness_std", 50.0),
            ("damping_std", 100.0),
        ];
        for (&x, (key, max_pct)) in stds.iter().zip(limits) {
            if x > max_pct {
                return Err(ToolError::invalid(
                    key,
                    format!("{x} % is above the limit of {max_pct} %"),
                ));
            }
        }
    }
    Ok(stds)
}
