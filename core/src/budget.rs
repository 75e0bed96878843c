//! Result budgets: the size a run's result will have, declared by each tool from its parsed
//! parameters before it runs ([`ResultSize`]), and the check against a platform cap that names
//! the parameter driving the size and its largest (or smallest) allowed value.

use crate::numfmt::short;
use crate::{ToolError, ToolResult};

/// How the driving parameter moves the size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scaling {
    /// `values = fixed + per_unit × value` (a count of points, samples, a duration).
    Linear { per_unit: f64 },
    /// `values = fixed + per_unit / value` (a grid step).
    Inverse { per_unit: f64 },
}

/// The number of f64 values a result will hold (series x and y, table cells, scalars) and the
/// parameter that drives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultSize {
    /// Upper bound of the number of values.
    pub values: f64,
    /// The driving parameter, as the schema names it (`sample_rate_hz`, `profile.masses_kg`).
    pub field: String,
    /// Its current value.
    pub value: f64,
    pub scaling: Scaling,
    /// What follows the limit in the message (`" Hz"`, `" lines"`).
    pub unit: &'static str,
}

impl ResultSize {
    /// `fixed + per_unit × value` values, driven by `field`.
    pub fn linear(field: &str, value: f64, per_unit: f64, fixed: f64) -> Self {
        Self {
            values: fixed + per_unit * value,
            field: field.to_string(),
            value,
            scaling: Scaling::Linear { per_unit },
            unit: "",
        }
    }

    /// `fixed + per_unit / value` values, driven by the step `field`.
    pub fn inverse(field: &str, value: f64, per_unit: f64, fixed: f64) -> Self {
        Self {
            values: fixed + per_unit / value,
            field: field.to_string(),
            value,
            scaling: Scaling::Inverse { per_unit },
            unit: "",
        }
    }

    /// The same size with `unit` after the limit in the message.
    pub fn unit(mut self, unit: &'static str) -> Self {
        self.unit = unit;
        self
    }

    /// A size no parameter changes much (a handful of scalars and small tables).
    pub fn fixed(field: &str, values: f64) -> Self {
        Self::linear(field, 0.0, 0.0, values)
    }

    /// Refuses a size above `cap` with an error naming [`Self::field`] and the largest (or, for
    /// a step, the smallest) value that fits.
    pub fn check(&self, cap: u64) -> Result<(), ToolError> {
        let cap_f = cap as f64;
        if self.values <= cap_f {
            return Ok(());
        }
        let fixed_part = match self.scaling {
            Scaling::Linear { per_unit } => self.values - per_unit * self.value,
            Scaling::Inverse { per_unit } => self.values - per_unit / self.value,
        };
        let room = cap_f - fixed_part;
        let over = format!(
            "gives a result of about {} values, over this platform's budget of {}",
            short(self.values.round()),
            short(cap_f)
        );
        let message = match self.scaling {
            Scaling::Linear { per_unit } if room >= per_unit && per_unit > 0.0 => {
                let limit = round_down(room / per_unit, self.value);
                format!(
                    "{over}: at most {}{} with the other parameters as they are",
                    short(limit),
                    self.unit
                )
            }
            Scaling::Inverse { per_unit } if room > 0.0 => {
                let limit = round_up(per_unit / room);
                format!(
                    "{over}: at least {}{} with the other parameters as they are",
                    short(limit),
                    self.unit
                )
            }
            _ => format!("{over}; make the other parameters smaller too"),
        };
        Err(ToolError::invalid(self.field.clone(), message))
    }
}

/// `x` rounded down to a whole number (or to three significant digits below 10), never above
/// `x`.
fn round_down(x: f64, current: f64) -> f64 {
    if x >= 10.0 || current.fract() == 0.0 {
        x.floor()
    } else {
        let scale = 10f64.powi(2 - x.log10().floor() as i32);
        (x * scale).floor() / scale
    }
}

/// `x` rounded up to three significant digits, never below `x`.
fn round_up(x: f64) -> f64 {
    let scale = 10f64.powi(2 - x.log10().floor() as i32);
    let r = (x * scale).ceil() / scale;
    if r < x {
        r + 1.0 / scale
    } else {
        r
    }
}

/// The number of f64 values `result` holds: every series' x and y, every table cell, every
/// scalar (what [`ResultSize::values`] declares beforehand).
pub fn value_count(result: &ToolResult) -> usize {
    result.scalars.len()
        + result
            .series
            .iter()
            .map(|s| s.x.len() + s.y.len())
            .sum::<usize>()
        + result
            .tables
            .iter()
            .map(|t| t.rows.iter().map(Vec::len).sum::<usize>())
            .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_over_cap_size_names_the_field_and_the_largest_value() {
        let s = ResultSize::linear("sample_rate_hz", 100_000.0, 200.0 * 6.0, 100.0);
        let e = s.check(5_000_000).unwrap_err();
        assert_eq!(e.field(), Some("sample_rate_hz"));
        // (5e6 - 100) / 1200 = 4166.58…
        assert!(e.to_string().contains("at most 4166 "), "{e}");
        assert!(ResultSize::linear("x", 4166.0, 1200.0, 100.0)
            .check(5_000_000)
            .is_ok());
        assert!(ResultSize::linear("x", 4167.0, 1200.0, 100.0)
            .check(5_000_000)
            .is_err());
    }

    #[test]
    fn an_over_cap_step_names_the_smallest_step() {
        let s = ResultSize::inverse("f_step_hz", 1e-5, 12.0 * 99.0, 64.0);
        let e = s.check(1_000_000).unwrap_err();
        assert_eq!(e.field(), Some("f_step_hz"));
        let text = e.to_string();
        let limit: f64 = text
            .split("at least ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(ResultSize::inverse("f_step_hz", limit, 12.0 * 99.0, 64.0)
            .check(1_000_000)
            .is_ok());
        assert!(limit < 0.0012, "{text}");
    }

    #[test]
    fn a_fixed_size_over_the_cap_says_so() {
        let e = ResultSize::fixed("profile", 1e9).check(1000).unwrap_err();
        assert_eq!(e.field(), Some("profile"));
        assert!(ResultSize::fixed("profile", 100.0).check(1000).is_ok());
    }
}
