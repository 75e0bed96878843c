//! The result contract of docs/platform.md §3: one JSON object per run with the echoed parameters,
//! named scalars (unit in the key), series, tables and warnings. No NaN or infinity may leave
//! the core: [`ToolResult::ensure_finite`] is checked by [`crate::run`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ToolError;

pub mod arrow;
pub mod live;

/// A scalar result: an integer flag (`closed_loop_stable`) or a real number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Int(i64),
    Float(f64),
}

impl Scalar {
    /// The value as a float.
    pub fn as_f64(self) -> f64 {
        match self {
            Scalar::Int(i) => i as f64,
            Scalar::Float(x) => x,
        }
    }
}

/// One plotted curve at full resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    pub x_label: String,
    pub y_label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

impl Series {
    pub fn new(
        name: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
        x: Vec<f64>,
        y: Vec<f64>,
    ) -> Self {
        Self {
            name: name.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            x,
            y,
        }
    }
}

/// A table: named columns, rows of JSON numbers or strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    pub fn new(name: impl Into<String>, columns: &[&str]) -> Self {
        Self {
            name: name.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row of numbers; the first `int_columns` cells are written as integers
    /// (mode or pole numbers).
    pub fn push_numbers(&mut self, int_columns: usize, cells: &[f64]) {
        let row = cells
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                if i < int_columns {
                    Value::from(v as i64)
                } else {
                    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
                }
            })
            .collect();
        self.rows.push(row);
    }

    /// The `modes` table of the three modes of the 3-storey frame: `mode` (1..3), the
    /// `before_shape` columns, `shape_floor_1..3`, then the `after_shape` columns.
    /// `row(r)` gives mode r's (0-based) cells in that order, without the mode number.
    pub fn modes(
        before_shape: &[&str],
        after_shape: &[&str],
        row: impl Fn(usize) -> (Vec<f64>, [f64; 3], Vec<f64>),
    ) -> Self {
        let shape_columns = ["shape_floor_1", "shape_floor_2", "shape_floor_3"];
        let columns: Vec<&str> = std::iter::once("mode")
            .chain(before_shape.iter().copied())
            .chain(shape_columns)
            .chain(after_shape.iter().copied())
            .collect();
        let mut table = Self::new("modes", &columns);
        for r in 0..3 {
            let (before, shape, after) = row(r);
            let cells: Vec<f64> = std::iter::once((r + 1) as f64)
                .chain(before)
                .chain(shape)
                .chain(after)
                .collect();
            table.push_numbers(1, &cells);
        }
        table
    }
}

/// Everything a tool run returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolResult {
    pub tool: String,
    pub params: Value,
    pub scalars: BTreeMap<String, Scalar>,
    pub series: Vec<Series>,
    pub tables: Vec<Table>,
    pub warnings: Vec<String>,
}

impl ToolResult {
    /// An empty result for `tool` echoing `params` (defaults already filled in).
    pub fn new(tool: &str, params: Value) -> Self {
        Self {
            tool: tool.to_string(),
            params,
            scalars: BTreeMap::new(),
            series: Vec::new(),
            tables: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Sets a real-valued scalar.
    pub fn set(&mut self, key: &str, value: f64) {
        self.scalars.insert(key.to_string(), Scalar::Float(value));
    }

    /// Sets an integer scalar (flags such as `closed_loop_stable`).
    pub fn set_int(&mut self, key: &str, value: i64) {
        self.scalars.insert(key.to_string(), Scalar::Int(value));
    }

    /// A scalar by key, as a float.
    pub fn scalar(&self, key: &str) -> Option<f64> {
        self.scalars.get(key).map(|s| s.as_f64())
    }

    /// A series by name.
    pub fn series_named(&self, name: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.name == name)
    }

    /// A table by name.
    pub fn table_named(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    pub fn push_series(&mut self, series: Series) {
        self.series.push(series);
    }

    pub fn push_table(&mut self, table: Table) {
        self.tables.push(table);
    }

    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    /// Fails with the name of the first NaN/infinite scalar, series point or table cell.
    pub fn ensure_finite(&self) -> Result<(), ToolError> {
        for (k, v) in &self.scalars {
            if !v.as_f64().is_finite() {
                return Err(ToolError::NonFinite {
                    name: k.clone(),
                    likely_field: None,
                });
            }
        }
        for s in &self.series {
            if s.x.len() != s.y.len() {
                return Err(ToolError::failed(format!(
                    "series '{}' has {} x values and {} y values",
                    s.name,
                    s.x.len(),
                    s.y.len()
                )));
            }
            if s.x.iter().chain(&s.y).any(|v| !v.is_finite()) {
                return Err(ToolError::NonFinite {
                    name: s.name.clone(),
                    likely_field: None,
                });
            }
        }
        for t in &self.tables {
            // Table::push_numbers writes a non-finite number as null.
            if t.rows.iter().flatten().any(Value::is_null) {
                return Err(ToolError::NonFinite {
                    name: t.name.clone(),
                    likely_field: None,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_matches_the_contract() {
        let mut r = ToolResult::new("demo", serde_json::json!({"a": 1}));
        r.set("natural_frequency_1_hz", 7.5);
        r.set_int("closed_loop_stable", 1);
        r.push_series(Series::new("s", "x", "y", vec![1.0], vec![2.0]));
        let mut t = Table::new("modes", &["mode", "frequency_hz"]);
        t.push_numbers(1, &[1.0, 7.5]);
        r.push_table(t);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["scalars"]["closed_loop_stable"], serde_json::json!(1));
        assert_eq!(
            v["scalars"]["natural_frequency_1_hz"],
            serde_json::json!(7.5)
        );
        assert_eq!(v["tables"][0]["rows"][0], serde_json::json!([1, 7.5]));
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            ["params", "scalars", "series", "tables", "tool", "warnings"]
        );
        let back: ToolResult = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn non_finite_values_are_caught() {
        let mut r = ToolResult::new("demo", Value::Null);
        r.set("x_hz", f64::NAN);
        assert_eq!(
            r.ensure_finite(),
            Err(ToolError::NonFinite {
                name: "x_hz".into(),
                likely_field: None,
            })
        );
        let mut r = ToolResult::new("demo", Value::Null);
        r.push_series(Series::new("s", "x", "y", vec![1.0], vec![f64::INFINITY]));
        assert!(r.ensure_finite().is_err());
        let mut r = ToolResult::new("demo", Value::Null);
        let mut t = Table::new("t", &["a"]);
        t.push_numbers(0, &[f64::NAN]);
        r.push_table(t);
        assert!(r.ensure_finite().is_err());
    }
}
