//! Parameters of `simulator` (simulator.md §3.3): the schema (defaults, ranges, units) and
//! the typed, cross-checked parameters.
//!
//! The schema checks each value on its own; [`SimulatorParams::from_filled`] adds the rules
//! that involve several fields (all naming the field at fault): `S ≥ 16` (`duration_s`),
//! `S·n_scenarios ≤ 20 000 000` (`n_scenarios` when > 1, else `duration_s`),
//! `harmonic_frequency_hz < fs/2`, a noise band with `lo < hi ≤ fs/2` and at least one FFT
//! bin, sweep frequencies `< fs/2` and different, a table for `excitation: "table"`,
//! percent dispersions ≤ 50 % (damping ≤ 100 %), `welch_segment_s ≤ duration` and ≥ 8
//! samples. Cross-checks that depend on the excitation are applied only for that excitation,
//! so the defaults of unused fields never block a run. `peak_search_max_hz` above fs/2 is
//! clipped to fs/2 (with a warning) rather than rejected.

use serde_json::{json, Value};

use super::excitation::{noise_bins, Excitation, SweepKind};
use super::grid::{GridKind, TimeGrid};
use crate::lumped::{profile_params, read_integer, Profile};
use crate::schema::{self, ParamSpec};
use crate::schema::{number_at, text_at};
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
        ParamSpec::integer("seed", "Seed", 0, 0, 1 << 53)
            .describe("Seeds the noise force and the Monte-Carlo draws (same seed, same result)."),
        ParamSpec::choice(
            "dispersion_unit",
            "Dispersion unit",
            "absolute",
            &["absolute", "percent"],
        )
        .describe("How mass_std, stiffness_std and damping_std are read."),
        ParamSpec::number("mass_std", "Mass std-dev", "kg or %", 0.0)
            .min(0.0)
            .describe("Standard deviation of each mass (≤ 50 if percent)."),
        ParamSpec::number("stiffness_std", "Stiffness std-dev", "N/m or %", 0.0)
            .min(0.0)
            .describe("Standard deviation of each stiffness (≤ 50 if percent)."),
        ParamSpec::number("damping_std", "Damping std-dev", "N·s/m or %", 0.0)
            .min(0.0)
            .describe("Standard deviation of each damper (≤ 100 if percent)."),
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

fn list(v: &Value, key: &str) -> Result<Option<Vec<f64>>, ToolError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
                    ToolError::invalid(key, format!("value {} is not a finite number", i + 1))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(ToolError::invalid(key, "expected a list of numbers")),
    }
}

fn triple(v: &Value, key: &str) -> Result<[f64; 3], ToolError> {
    let l = list(v, key)?.ok_or_else(|| ToolError::invalid(key, "missing"))?;
    <[f64; 3]>::try_from(l.as_slice())
        .map_err(|_| ToolError::invalid(key, "must have exactly 3 values"))
}

impl SimulatorParams {
    /// Validates `params` and builds the typed parameters; returns them with the echo.
    pub fn parse(params: &Value) -> Result<(Self, Value), ToolError> {
        let filled = schema::validate(&simulator_params(), params)?;
        let p = Self::from_filled(&filled)?;
        Ok((p, filled))
    }

    /// The typed parameters from a validated object (cross-checks of the module docs).
    pub fn from_filled(v: &Value) -> Result<Self, ToolError> {
        let profile = Profile::from_params(v, "profile")?;
        let force_floor = read_integer(v, "force_floor")?;
        if !(1..=3).contains(&force_floor) {
            return Err(ToolError::invalid("force_floor", "must be 1, 2 or 3"));
        }
        let duration = number_at(v, "duration_s")?;
        let fs = number_at(v, "sample_rate_hz")?;
        if !(duration > 0.0 && duration <= 3600.0) {
            return Err(ToolError::invalid("duration_s", "must be in (0, 3600] s"));
        }
        if !(16.0..=100_000.0).contains(&fs) {
            return Err(ToolError::invalid(
                "sample_rate_hz",
                "must be in [16, 100000] Hz",
            ));
        }
        let kind = GridKind::parse(text_at(v, "time_grid")?)
            .ok_or_else(|| ToolError::invalid("time_grid", "must be uniform or linspace"))?;
        let n_scenarios = read_integer(v, "n_scenarios")?;
        if !(1..=1000).contains(&n_scenarios) {
            return Err(ToolError::invalid("n_scenarios", "must be in 1..=1000"));
        }
        let n_scenarios = n_scenarios as usize;
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
        let nyquist = fs / 2.0;
        let response = Quantity::parse(text_at(v, "response")?)
            .ok_or_else(|| ToolError::invalid("response", "unknown response"))?;
        let name = text_at(v, "excitation")?.to_string();
        let t0 = number_at(v, "pulse_time_s")?;
        let excitation = match name.as_str() {
            "none" => Excitation::None,
            "hammer" => Excitation::Hammer {
                t0_s: t0,
                peak_n: number_at(v, "hammer_peak_n")?,
                sigma_s: number_at(v, "hammer_width_s")?,
            },
            "impulse" => Excitation::Impulse {
                t0_s: t0,
                impulse_n_s: number_at(v, "impulse_n_s")?,
            },
            "harmonic" => {
                let f = number_at(v, "harmonic_frequency_hz")?;
                if !(f > 0.0 && f < nyquist) {
                    return Err(ToolError::invalid(
                        "harmonic_frequency_hz",
                        format!("{f} Hz must be in (0, fs/2 = {nyquist}) Hz"),
                    ));
                }
                Excitation::Harmonic {
                    amplitude_n: number_at(v, "harmonic_amplitude_n")?,
                    frequency_hz: f,
                }
            }
            "noise" => {
                let band = list(v, "noise_band_hz")?
                    .ok_or_else(|| ToolError::invalid("noise_band_hz", "missing"))?;
                if band.len() != 2 {
                    return Err(ToolError::invalid("noise_band_hz", "must have 2 values"));
                }
                let band = [band[0], band[1]];
                if !(band[0] >= 0.0 && band[0] < band[1]) {
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
                    rms_n: number_at(v, "noise_rms_n")?,
                }
            }
            "sweep" => {
                let f0 = number_at(v, "sweep_start_hz")?;
                let f1 = number_at(v, "sweep_end_hz")?;
                for (key, f) in [("sweep_start_hz", f0), ("sweep_end_hz", f1)] {
                    if !(f > 0.0 && f < nyquist) {
                        return Err(ToolError::invalid(
                            key,
                            format!("{f} Hz must be in (0, fs/2 = {nyquist}) Hz"),
                        ));
                    }
                }
                if f0 == f1 {
                    return Err(ToolError::invalid(
                        "sweep_end_hz",
                        "must differ from sweep_start_hz",
                    ));
                }
                let kind = match text_at(v, "sweep_type")? {
                    "linear" => SweepKind::Linear,
                    "logarithmic" => SweepKind::Logarithmic,
                    _ => return Err(ToolError::invalid("sweep_type", "unknown sweep type")),
                };
                Excitation::Sweep {
                    kind,
                    f0_hz: f0,
                    f1_hz: f1,
                    amplitude_n: number_at(v, "sweep_amplitude_n")?,
                    duration_s: duration,
                }
            }
            "table" => {
                let values = list(v, "force_table_n")?.ok_or_else(|| {
                    ToolError::invalid(
                        "force_table_n",
                        "excitation 'table' needs force_table_n (at least 2 values)",
                    )
                })?;
                if values.len() < 2 || values.len() > MAX_TABLE_LEN {
                    return Err(ToolError::invalid(
                        "force_table_n",
                        format!(
                            "must have 2 to {MAX_TABLE_LEN} values, has {}",
                            values.len()
                        ),
                    ));
                }
                Excitation::Table {
                    dt_s: number_at(v, "force_table_dt_s")?,
                    values_n: values,
                }
            }
            other => {
                return Err(ToolError::invalid(
                    "excitation",
                    format!("'{other}' is not one of: {}", EXCITATIONS.join(", ")),
                ))
            }
        };
        let x0 = triple(v, "initial_displacement_m")?;
        let v0 = triple(v, "initial_velocity_m_per_s")?;
        let seed = read_integer(v, "seed")?;
        if !(0..=(1i64 << 53)).contains(&seed) {
            return Err(ToolError::invalid("seed", "must be in 0..=2^53"));
        }
        let percent = match text_at(v, "dispersion_unit")? {
            "absolute" => false,
            "percent" => true,
            _ => return Err(ToolError::invalid("dispersion_unit", "unknown unit")),
        };
        let mut stds = [0.0; 3];
        for (i, (key, max_pct)) in [
            ("mass_std", 50.0),
            ("stiffness_std", 50.0),
            ("damping_std", 100.0),
        ]
        .into_iter()
        .enumerate()
        {
            let x = number_at(v, key)?;
            if x < 0.0 {
                return Err(ToolError::invalid(key, "must not be negative"));
            }
            if percent && x > max_pct {
                return Err(ToolError::invalid(
                    key,
                    format!("{x} % is above the limit of {max_pct} %"),
                ));
            }
            stds[i] = x;
        }
        let scale = |nominal: &[f64; 3], s: f64| -> [f64; 3] {
            if percent {
                nominal.map(|n| n * s / 100.0)
            } else {
                [s; 3]
            }
        };
        let dispersion = Dispersion {
            mass_kg: scale(&profile.masses_kg, stds[0]),
            stiffness_n_per_m: scale(&profile.stiffnesses_n_per_m, stds[1]),
            damping_ns_per_m: scale(&profile.dampings_ns_per_m, stds[2]),
            x0_m: number_at(v, "initial_displacement_std_m")?,
            v0_m_per_s: number_at(v, "initial_velocity_std_m_per_s")?,
        };
        let ws = number_at(v, "welch_segment_s")?;
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
        let mut peak_max = number_at(v, "peak_search_max_hz")?;
        let eff_nyq = grid.effective_rate_hz() / 2.0;
        if peak_max > eff_nyq {
            notes.push(format!(
                "peak_search_max_hz {peak_max} Hz was clipped to fs/2 = {eff_nyq} Hz"
            ));
            peak_max = eff_nyq;
        }
        Ok(Self {
            profile,
            excitation,
            excitation_name: name,
            force_floor: force_floor as usize,
            grid,
            response,
            initial_state: [x0[0], x0[1], x0[2], v0[0], v0[1], v0[2]],
            n_scenarios,
            seed: seed as u64,
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
