//! The 12 probabilistic inputs of `design` (docs/uncertainty.md §3.2, §5.1, §5.2): forces f1..f3,
//! stiffnesses k1..k3, dampers c1..c3 and masses m1..m3, each normal(μ, σ) or gamma(κ, θ).
//!
//! An input is random when it is normal with σ ≠ 0 or gamma. The distribution parameters β
//! are the first parameters (mean or shape) of the random inputs in input order, then their
//! second parameters (sd or scale). Scores `g_j(y) = ∂ ln pdf(y)/∂β_j`:
//! normal `∂/∂μ = (y−μ)/σ²`, `∂/∂σ = ((y−μ)² − σ²)/σ³`;
//! gamma `∂/∂κ = ln(y/θ) − ψ(κ)`, `∂/∂θ = y/θ² − κ/θ` (ψ: [`digamma`]).
//!
//! Sampling: `ChaCha8Rng::seed_from_u64(seed)`, `rand_distr::Normal` / `Gamma`, all N values of
//! one input before the next, in input order (a single sequential stream: the samples do
//! not depend on the thread count).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Normal};
use serde_json::{json, Map, Value};

use crate::{Cancel, ToolError};

/// Input names in input order.
pub const INPUT_NAMES: [&str; 12] = [
    "f1", "f2", "f3", "k1", "k2", "k3", "c1", "c2", "c3", "m1", "m2", "m3",
];

/// Units of the inputs in input order.
pub const INPUT_UNITS: [&str; 12] = [
    "N", "N", "N", "N/m", "N/m", "N/m", "N·s/m", "N·s/m", "N·s/m", "kg", "kg", "kg",
];

/// One input's distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    Normal { mean: f64, sd: f64 },
    Gamma { shape: f64, scale: f64 },
}

impl Dist {
    /// Whether the input is sampled (σ ≠ 0 or gamma).
    pub fn is_random(self) -> bool {
        match self {
            Dist::Normal { sd, .. } => sd != 0.0,
            Dist::Gamma { .. } => true,
        }
    }
    /// The mean value (κθ for gamma).
    pub fn mean(self) -> f64 {
        match self {
            Dist::Normal { mean, .. } => mean,
            Dist::Gamma { shape, scale } => shape * scale,
        }
    }
    /// (first, second) parameter.
    pub fn params(self) -> (f64, f64) {
        match self {
            Dist::Normal { mean, sd } => (mean, sd),
            Dist::Gamma { shape, scale } => (shape, scale),
        }
    }
    /// Names of (first, second) parameter.
    pub fn param_names(self) -> (&'static str, &'static str) {
        match self {
            Dist::Normal { .. } => ("mean", "sd"),
            Dist::Gamma { .. } => ("shape", "scale"),
        }
    }
    fn to_json(self) -> Value {
        match self {
            Dist::Normal { mean, sd } => json!({"distribution": "normal", "mean": mean, "sd": sd}),
            Dist::Gamma { shape, scale } => {
                json!({"distribution": "gamma", "shape": shape, "scale": scale})
            }
        }
    }
}

/// Default distributions (docs/uncertainty.md §3.2) in input order.
pub const DEFAULT_INPUTS: [Dist; 12] = [
    Dist::Normal { mean: 1.0, sd: 0.1 },
    Dist::Normal { mean: 0.0, sd: 0.0 },
    Dist::Normal { mean: 0.0, sd: 0.0 },
    Dist::Normal {
        mean: 4203.0027,
        sd: 83.760278,
    },
    Dist::Normal {
        mean: 4147.6895,
        sd: 69.627281,
    },
    Dist::Normal {
        mean: 5101.4822,
        sd: 56.769849,
    },
    Dist::Normal {
        mean: 2.2007146,
        sd: 0.2589255,
    },
    Dist::Gamma {
        shape: 0.6018186,
        scale: 0.0015333,
    },
    Dist::Gamma {
        shape: 2.3842358,
        scale: 0.0010963,
    },
    Dist::Normal {
        mean: 4.8724882,
        sd: 0.0312982,
    },
    Dist::Normal {
        mean: 5.4758033,
        sd: 0.1002168,
    },
    Dist::Normal {
        mean: 5.6923249,
        sd: 0.1144056,
    },
];

fn number(entry: &Map<String, Value>, key: &str, field: &str) -> Result<Option<f64>, ToolError> {
    match entry.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| {
                ToolError::invalid(format!("{field}.{key}"), "expected a finite number")
            }),
    }
}

/// One `inputs` entry merged onto its default.
fn parse_entry(index: usize, v: &Value) -> Result<Dist, ToolError> {
    let name = INPUT_NAMES[index];
    let field = format!("inputs.{name}");
    let entry = v
        .as_object()
        .ok_or_else(|| ToolError::invalid(&field, "expected an object {distribution, ...}"))?;
    for k in entry.keys() {
        if !["distribution", "mean", "sd", "shape", "scale"].contains(&k.as_str()) {
            return Err(ToolError::invalid(
                format!("{field}.{k}"),
                "unknown parameter",
            ));
        }
    }
    let default = DEFAULT_INPUTS[index];
    let kind = match entry.get("distribution") {
        None => match default {
            Dist::Normal { .. } => "normal",
            Dist::Gamma { .. } => "gamma",
        },
        Some(Value::String(s)) if s == "normal" || s == "gamma" => s.as_str(),
        Some(_) => {
            return Err(ToolError::invalid(
                format!("{field}.distribution"),
                "must be \"normal\" or \"gamma\"",
            ))
        }
    };
    let same = matches!(
        (kind, default),
        ("normal", Dist::Normal { .. }) | ("gamma", Dist::Gamma { .. })
    );
    let (first, second) = if kind == "normal" {
        ("mean", "sd")
    } else {
        ("shape", "scale")
    };
    for k in entry.keys() {
        if k != "distribution" && k != first && k != second {
            return Err(ToolError::invalid(
                format!("{field}.{k}"),
                format!("not a parameter of the {kind} distribution of {name}"),
            ));
        }
    }
    let (d1, d2) = default.params();
    let get = |key: &str, dflt: f64| -> Result<f64, ToolError> {
        match number(entry, key, &field)? {
            Some(x) => Ok(x),
            None if same => Ok(dflt),
            None => Err(ToolError::invalid(
                format!("{field}.{key}"),
                format!("{name}: a changed distribution needs both {first} and {second}"),
            )),
        }
    };
    let a = get(first, d1)?;
    let b = get(second, d2)?;
    let dist = if kind == "normal" {
        Dist::Normal { mean: a, sd: b }
    } else {
        Dist::Gamma { shape: a, scale: b }
    };
    check_dist(index, dist)?;
    Ok(dist)
}

fn check_dist(index: usize, d: Dist) -> Result<(), ToolError> {
    let name = INPUT_NAMES[index];
    let field = |k: &str| format!("inputs.{name}.{k}");
    match d {
        Dist::Normal { mean, sd } => {
            if sd < 0.0 {
                return Err(ToolError::invalid(
                    field("sd"),
                    format!("{name}: the standard deviation must be ≥ 0, is {sd}"),
                ));
            }
            let positive = matches!(name.as_bytes()[0], b'k' | b'm');
            if positive && mean <= 0.0 {
                return Err(ToolError::invalid(
                    field("mean"),
                    format!("{name}: the mean must be > 0, is {mean}"),
                ));
            }
            if name.starts_with('c') && mean < 0.0 {
                return Err(ToolError::invalid(
                    field("mean"),
                    format!("{name}: the mean must be ≥ 0, is {mean}"),
                ));
            }
        }
        Dist::Gamma { shape, scale } => {
            if shape <= 0.0 {
                return Err(ToolError::invalid(
                    field("shape"),
                    format!("{name}: the shape must be > 0, is {shape}"),
                ));
            }
            if scale <= 0.0 {
                return Err(ToolError::invalid(
                    field("scale"),
                    format!("{name}: the scale must be > 0, is {scale}"),
                ));
            }
        }
    }
    Ok(())
}

/// The 12 distributions from the optional `inputs` object, and its echo (all 12 entries).
pub fn parse_inputs(v: Option<&Value>) -> Result<([Dist; 12], Value), ToolError> {
    let mut dists = DEFAULT_INPUTS;
    match v {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (k, entry) in map {
                let i = INPUT_NAMES.iter().position(|n| n == k).ok_or_else(|| {
                    ToolError::invalid(
                        format!("inputs.{k}"),
                        "unknown input (f1..f3, k1..k3, c1..c3, m1..m3)",
                    )
                })?;
                dists[i] = parse_entry(i, entry)?;
            }
        }
        Some(_) => return Err(ToolError::invalid("inputs", "expected an object")),
    }
    let echo = Value::Object(
        INPUT_NAMES
            .iter()
            .zip(dists)
            .map(|(n, d)| (n.to_string(), d.to_json()))
            .collect(),
    );
    Ok((dists, echo))
}

/// Indices of the random inputs.
pub fn random_inputs(dists: &[Dist; 12]) -> Vec<usize> {
    (0..12).filter(|&i| dists[i].is_random()).collect()
}

/// User-supplied samples: exactly the random inputs, equal lengths ≥ 2, finite, gamma > 0.
pub fn parse_input_samples(v: &Value, dists: &[Dist; 12]) -> Result<Vec<Vec<f64>>, ToolError> {
    let map = v
        .as_object()
        .ok_or_else(|| ToolError::invalid("input_samples", "expected an object of sample lists"))?;
    let random = random_inputs(dists);
    for k in map.keys() {
        let known = INPUT_NAMES.iter().position(|n| n == k);
        if !known.is_some_and(|i| random.contains(&i)) {
            return Err(ToolError::invalid(
                format!("input_samples.{k}"),
                format!("{k} is not a random input of this run"),
            ));
        }
    }
    let mut out = Vec::with_capacity(random.len());
    let mut len = None;
    for &i in &random {
        let name = INPUT_NAMES[i];
        let field = format!("input_samples.{name}");
        let items = map
            .get(name)
            .ok_or_else(|| ToolError::invalid(&field, format!("samples of {name} are missing")))?
            .as_array()
            .ok_or_else(|| ToolError::invalid(&field, "expected a list of numbers"))?;
        if items.len() < 2 {
            return Err(ToolError::invalid(&field, "needs at least 2 samples"));
        }
        if *len.get_or_insert(items.len()) != items.len() {
            return Err(ToolError::invalid(
                &field,
                format!(
                    "has {} samples, the first input has {}",
                    items.len(),
                    len.unwrap_or(0)
                ),
            ));
        }
        let mut values = Vec::with_capacity(items.len());
        for (n, x) in items.iter().enumerate() {
            let x = x.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
                ToolError::invalid(&field, format!("sample {} is not a finite number", n + 1))
            })?;
            if matches!(dists[i], Dist::Gamma { .. }) && x <= 0.0 {
                return Err(ToolError::invalid(
                    &field,
                    format!("sample {} = {x} is outside the gamma support (> 0)", n + 1),
                ));
            }
            values.push(x);
        }
        out.push(values);
    }
    Ok(out)
}

/// Draws `n` samples of each random input (input order, one input after the other).
pub fn draw_samples(
    dists: &[Dist; 12],
    n: usize,
    seed: u64,
    cancel: &Cancel,
) -> Result<Vec<Vec<f64>>, ToolError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for i in random_inputs(dists) {
        let mut v = Vec::with_capacity(n);
        match dists[i] {
            Dist::Normal { mean, sd } => {
                let d = Normal::new(mean, sd).map_err(|e| ToolError::failed(e.to_string()))?;
                for chunk in 0..n.div_ceil(1 << 20) {
                    cancel.check()?;
                    let m = (n - (chunk << 20)).min(1 << 20);
                    v.extend((0..m).map(|_| d.sample(&mut rng)));
                }
            }
            Dist::Gamma { shape, scale } => {
                let d = Gamma::new(shape, scale).map_err(|e| ToolError::failed(e.to_string()))?;
                for chunk in 0..n.div_ceil(1 << 20) {
                    cancel.check()?;
                    let m = (n - (chunk << 20)).min(1 << 20);
                    v.extend((0..m).map(|_| d.sample(&mut rng)));
                }
            }
        }
        out.push(v);
    }
    Ok(out)
}

/// ψ(x), x > 0: recurrence up to x ≥ 10, then the asymptotic series (error < 1e-14).
pub fn digamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 10.0 {
        r -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    let series = f
        * (1.0 / 12.0
            - f * (1.0 / 120.0
                - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f * (1.0 / 132.0 - f * 691.0 / 32760.0)))));
    r + x.ln() - 0.5 / x - series
}

/// One distribution parameter β_j: which input, first (mean/shape) or second (sd/scale).
#[derive(Debug, Clone, PartialEq)]
pub struct Beta {
    pub input: usize,
    pub second: bool,
    pub value: f64,
    pub name: String,
    /// ψ(κ) for a gamma shape (computed once).
    digamma_shape: f64,
}

/// β in the order of §5.2.
pub fn betas(dists: &[Dist; 12]) -> Vec<Beta> {
    let random = random_inputs(dists);
    let mut out = Vec::with_capacity(2 * random.len());
    for second in [false, true] {
        for &i in &random {
            let d = dists[i];
            let (a, b) = d.params();
            let (na, nb) = d.param_names();
            let (value, pname) = if second { (b, nb) } else { (a, na) };
            out.push(Beta {
                input: i,
                second,
                value,
                name: format!("{pname}_{}", INPUT_NAMES[i]),
                digamma_shape: match d {
                    Dist::Gamma { shape, .. } if !second => digamma(shape),
                    _ => 0.0,
                },
            });
        }
    }
    out
}

/// The score `∂ ln pdf(y)/∂β` of one sample value `y` of β's input.
#[inline]
pub fn score(beta: &Beta, dist: Dist, y: f64) -> f64 {
    match (dist, beta.second) {
        (Dist::Normal { mean, sd }, false) => (y - mean) / (sd * sd),
        (Dist::Normal { mean, sd }, true) => ((y - mean) * (y - mean) - sd * sd) / (sd * sd * sd),
        (Dist::Gamma { scale, .. }, false) => (y / scale).ln() - beta.digamma_shape,
        (Dist::Gamma { shape, scale }, true) => y / (scale * scale) - shape / scale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digamma_known_values() {
        // ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, ψ(10) = H_9 − γ.
        let gamma = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + gamma).abs() < 1e-14);
        assert!((digamma(0.5) + gamma + 2.0 * 2f64.ln()).abs() < 1e-14);
        let h9: f64 = (1..=9).map(|k| 1.0 / f64::from(k)).sum();
        assert!((digamma(10.0) - (h9 - gamma)).abs() < 1e-14);
    }

    #[test]
    fn default_betas_follow_the_spec_order() {
        let names: Vec<String> = betas(&DEFAULT_INPUTS).into_iter().map(|b| b.name).collect();
        assert_eq!(names.len(), 20);
        assert_eq!(names[0], "mean_f1");
        assert_eq!(names[5], "shape_c2");
        assert_eq!(names[10], "sd_f1");
        assert_eq!(names[15], "scale_c2");
        assert_eq!(names[19], "sd_m3");
    }
}
