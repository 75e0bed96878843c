//! Parameters of `design` (docs/uncertainty.md §3.2): the schema of the scalar settings, the
//! output selection and the typed, cross-checked parameters. The twelve input distributions
//! are read by [`super::inputs`].

use serde::Deserialize;
use serde_json::{json, Value};

use super::inputs::{parse_input_samples, parse_inputs, Dist};
use super::{MAX_JPDF_NODES, OUTPUT_NAMES};
use crate::schema::{self, ParamSpec};
use crate::ToolError;

/// How s1..s3 are formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shear {
    Drift,
    AmplitudeDifference,
}

/// The typed parameters of `design`.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignParams {
    pub inputs: [Dist; 12],
    pub analysis_frequency_hz: f64,
    pub n_samples: usize,
    pub seed: u64,
    /// Samples of the random inputs (input order) replacing the sampling.
    pub input_samples: Option<Vec<Vec<f64>>>,
    /// Selected output indices into [`OUTPUT_NAMES`].
    pub outputs: Vec<usize>,
    pub shear: Shear,
    pub histogram_bins: usize,
    pub jpdf_points: usize,
    pub target_percent: Option<Vec<f64>>,
    pub frf_points: usize,
    pub fisher: bool,
    pub include_samples: bool,
}

/// The schema of `design` (`inputs` and `input_samples` are objects checked by
/// [`DesignParams::parse`]; the form edits the rest).
pub fn design_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::number("analysis_frequency_hz", "Analysis frequency", "Hz", 1.97)
            .min(0.0)
            .max(1000.0)
            .describe("Operating frequency of the harmonic forces."),
        ParamSpec::integer("n_samples", "Samples", 1000, 2, 10_000_000)
            .log()
            .describe("Monte-Carlo samples (ignored when input_samples is given)."),
        ParamSpec::integer("seed", "Seed", 0, 0, 9_007_199_254_740_991)
            .describe("Seed of the ChaCha8 sample stream."),
        ParamSpec::text("outputs", "Outputs", "x1", 2, 40).describe(
            "1–6 distinct of x1, x2, x3, s1, s2, s3 (comma-separated) for the joint CDF and FIM.",
        ),
        ParamSpec::choice(
            "shear_definition",
            "Shear definition",
            "drift",
            &["drift", "amplitude_difference"],
        )
        .describe(
            "drift: k_j·|X_j − X_{j−1}|; amplitude_difference: k_j·(x_j − x_{j−1}) (original).",
        ),
        ParamSpec::integer("histogram_bins", "Histogram bins", 20, 1, 1000)
            .describe("Bins of the output histograms."),
        ParamSpec::integer("jpdf_points", "Joint-CDF grid points", 10, 3, 100)
            .describe("Grid points J per selected output; J^d ≤ 1 000 000."),
        ParamSpec::number_list("target_percent", "Targets", "%", Value::Null, 1, 6)
            .min(0.0)
            .max(100.0)
            .describe("Target per selected output in % of its sample range (empty: middle node)."),
        ParamSpec::integer("frf_points", "FRF points", 10_000, 2, 1_000_000)
            .describe("Points of the nominal FRF from 0 to 1.5 × the third natural frequency."),
        ParamSpec::boolean("fisher", "Fisher analysis", true)
            .describe("Compute the joint CDF, the Fisher information and ΔP."),
        ParamSpec::boolean("include_samples", "Include samples", false)
            .describe("Add the table of all samples and outputs."),
    ]
}

fn parse_outputs(v: &Value) -> Result<Vec<usize>, ToolError> {
    let names = crate::schema::name_list(v, "outputs", "output")?;
    if names.is_empty() || names.len() > 6 {
        return Err(ToolError::invalid("outputs", "select 1 to 6 outputs"));
    }
    let mut out = Vec::new();
    for n in &names {
        let i = OUTPUT_NAMES.iter().position(|o| o == n).ok_or_else(|| {
            ToolError::invalid(
                "outputs",
                format!("'{n}' is not one of: x1, x2, x3, s1, s2, s3"),
            )
        })?;
        if out.contains(&i) {
            return Err(ToolError::invalid(
                "outputs",
                format!("'{n}' is listed twice"),
            ));
        }
        out.push(i);
    }
    Ok(out)
}

/// The scalar parameters as the schema fills them in (`inputs`, `input_samples` and
/// `outputs` are read apart: they are objects or lists the schema does not describe).
#[derive(Debug, Deserialize)]
struct DesignInput {
    analysis_frequency_hz: f64,
    n_samples: usize,
    seed: u64,
    shear_definition: String,
    histogram_bins: usize,
    jpdf_points: usize,
    target_percent: Option<Vec<f64>>,
    frf_points: usize,
    fisher: bool,
    include_samples: bool,
}

impl DesignParams {
    /// Validates `params`; returns the typed parameters and the echo.
    pub fn parse(params: &Value) -> Result<(Self, Value), ToolError> {
        let mut raw = schema::read::object_or_empty(params)?;
        let inputs_raw = raw.remove("inputs");
        let samples_raw = raw.remove("input_samples");
        let outputs = match raw.remove("outputs") {
            Some(v) => parse_outputs(&v)?,
            None => vec![0],
        };
        let specs = design_params();
        let mut filled = schema::validate(&specs, &Value::Object(raw))?;
        let v: DesignInput = schema::deserialize(&specs, &filled)?;
        let (dists, inputs_echo) = parse_inputs(inputs_raw.as_ref())?;
        let input_samples = match &samples_raw {
            None | Some(Value::Null) => None,
            Some(v) => Some(parse_input_samples(v, &dists)?),
        };
        filled["inputs"] = inputs_echo;
        filled["outputs"] = json!(outputs.iter().map(|&i| OUTPUT_NAMES[i]).collect::<Vec<_>>());
        if let Some(v) = samples_raw.filter(|v| !v.is_null()) {
            filled["input_samples"] = v;
        }
        let d = outputs.len();
        let j = v.jpdf_points;
        if j.checked_pow(d as u32).is_none_or(|n| n > MAX_JPDF_NODES) {
            return Err(ToolError::invalid(
                "jpdf_points",
                format!("{j}^{d} grid nodes exceed 1 000 000"),
            ));
        }
        if let Some(t) = &v.target_percent {
            if t.len() != d {
                return Err(ToolError::invalid(
                    "target_percent",
                    format!("needs one value per selected output ({d}), has {}", t.len()),
                ));
            }
        }
        let typed = Self {
            inputs: dists,
            analysis_frequency_hz: v.analysis_frequency_hz,
            n_samples: v.n_samples,
            seed: v.seed,
            input_samples,
            outputs,
            shear: if v.shear_definition == "drift" {
                Shear::Drift
            } else {
                Shear::AmplitudeDifference
            },
            histogram_bins: v.histogram_bins,
            jpdf_points: j,
            target_percent: v.target_percent,
            frf_points: v.frf_points,
            fisher: v.fisher,
            include_samples: v.include_samples,
        };
        Ok((typed, filled))
    }
}
