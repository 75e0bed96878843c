//! The binary form of a [`ToolResult`]: an Apache Arrow IPC stream of one record batch with one
//! row, series vectors as `List<Float64>` columns (identical x axes stored once), everything else
//! as JSON in the schema metadata (docs/result-contract.md "Binary form (Arrow IPC)").

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array, ListArray, RecordBatch};
use arrow_buffer::OffsetBuffer;
use arrow_ipc::reader::StreamReader;
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{ArrowError, DataType, Field, Schema};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Scalar, Series, Table, ToolResult};
use crate::ToolError;

/// The media type of the binary form (HTTP `Accept` / `Content-Type`).
pub const ARROW_STREAM_MEDIA_TYPE: &str = "application/vnd.apache.arrow.stream";
/// Schema metadata key naming the format and its version.
pub const FORMAT_KEY: &str = "cristallo.format";
/// The value of [`FORMAT_KEY`] this module writes and reads.
pub const FORMAT_VERSION: &str = "cristallo.result.arrow/1";
/// Schema metadata key of the JSON with everything that is not a series vector.
pub const RESULT_KEY: &str = "cristallo.result";

/// The JSON under [`RESULT_KEY`]: the result without its vectors, each series naming its columns.
#[derive(Serialize, Deserialize)]
struct ResultMeta {
    tool: String,
    params: Value,
    scalars: BTreeMap<String, ScalarMeta>,
    series: Vec<SeriesMeta>,
    tables: Vec<Table>,
    warnings: Vec<String>,
}

/// A scalar with its kind spelt out, so an integer flag stays an integer.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
enum ScalarMeta {
    Int(i64),
    Float(f64),
}

/// A series without its vectors: its labels and the names of its x and y columns.
#[derive(Serialize, Deserialize)]
struct SeriesMeta {
    name: String,
    x_label: String,
    y_label: String,
    x_column: String,
    y_column: String,
}

/// The Arrow error of a failed encode or decode, as a core error.
fn arrow_error(what: &str, e: ArrowError) -> ToolError {
    ToolError::failed(format!("Arrow result {what}: {e}"))
}

/// A decoding error that is not Arrow's own.
fn malformed(message: impl std::fmt::Display) -> ToolError {
    ToolError::failed(format!("Arrow result decode: {message}"))
}

/// Whether two vectors hold the same f64 values bit for bit.
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(p, q)| p.to_bits() == q.to_bits())
}

/// A one-row `List<Float64>` column holding `values`.
fn list_column(values: &[f64]) -> ArrayRef {
    let item = Arc::new(Field::new_list_field(DataType::Float64, false));
    let offsets = OffsetBuffer::<i32>::from_lengths([values.len()]);
    let values: ArrayRef = Arc::new(Float64Array::from(values.to_vec()));
    Arc::new(ListArray::new(item, offsets, values, None))
}

/// Encodes `result` as an Arrow IPC stream. Fails when a vector is too long for `List`'s 32-bit
/// offsets or a scalar is not finite (JSON has no NaN).
pub fn to_arrow_ipc(result: &ToolResult) -> Result<Vec<u8>, ToolError> {
    let mut axes: Vec<&[f64]> = Vec::new();
    let mut columns: Vec<(String, &[f64])> = Vec::new();
    let mut series_meta = Vec::with_capacity(result.series.len());
    for s in &result.series {
        if s.x.len().max(s.y.len()) > i32::MAX as usize {
            return Err(ToolError::failed(format!(
                "series '{}' is too long for the Arrow form",
                s.name
            )));
        }
        let axis = match axes.iter().position(|a| same_bits(a, &s.x)) {
            Some(i) => i,
            None => {
                axes.push(&s.x);
                columns.push((format!("x{}", axes.len() - 1), &s.x));
                axes.len() - 1
            }
        };
        let y_column = format!("y:{}", s.name);
        if columns.iter().any(|(name, _)| *name == y_column) {
            return Err(ToolError::failed(format!(
                "two series are named '{}'; the Arrow form needs unique names",
                s.name
            )));
        }
        columns.push((y_column.clone(), &s.y));
        series_meta.push(SeriesMeta {
            name: s.name.clone(),
            x_label: s.x_label.clone(),
            y_label: s.y_label.clone(),
            x_column: format!("x{axis}"),
            y_column,
        });
    }
    let mut scalars = BTreeMap::new();
    for (key, value) in &result.scalars {
        let meta = match *value {
            Scalar::Int(i) => ScalarMeta::Int(i),
            Scalar::Float(x) if x.is_finite() => ScalarMeta::Float(x),
            Scalar::Float(_) => {
                return Err(ToolError::NonFinite {
                    name: key.clone(),
                    likely_field: None,
                })
            }
        };
        scalars.insert(key.clone(), meta);
    }
    let meta = ResultMeta {
        tool: result.tool.clone(),
        params: result.params.clone(),
        scalars,
        series: series_meta,
        tables: result.tables.clone(),
        warnings: result.warnings.clone(),
    };
    let meta_json = serde_json::to_string(&meta)
        .map_err(|e| ToolError::failed(format!("Arrow result metadata: {e}")))?;

    let list_type = DataType::List(Arc::new(Field::new_list_field(DataType::Float64, false)));
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, _)| Field::new(name, list_type.clone(), false))
        .collect();
    let schema = Arc::new(Schema::new_with_metadata(
        fields,
        [
            (FORMAT_KEY, FORMAT_VERSION.to_string()),
            (RESULT_KEY, meta_json),
        ],
    ));
    let arrays: Vec<ArrayRef> = columns.iter().map(|(_, v)| list_column(v)).collect();
    let batch = if arrays.is_empty() {
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(1));
        RecordBatch::try_new_with_options(schema.clone(), arrays, &options)
    } else {
        RecordBatch::try_new(schema.clone(), arrays)
    }
    .map_err(|e| arrow_error("encode", e))?;

    let bytes_f64: usize = columns.iter().map(|(_, v)| v.len() * 8).sum();
    let mut writer = StreamWriter::try_new(Vec::with_capacity(bytes_f64 + 4096), &schema)
        .map_err(|e| arrow_error("encode", e))?;
    writer.write(&batch).map_err(|e| arrow_error("encode", e))?;
    writer.finish().map_err(|e| arrow_error("encode", e))?;
    writer.into_inner().map_err(|e| arrow_error("encode", e))
}

/// The values of the one-row `List<Float64>` column `name` of `batch`.
fn column_values(batch: &RecordBatch, name: &str) -> Result<Vec<f64>, ToolError> {
    let column = batch
        .column_by_name(name)
        .ok_or_else(|| malformed(format!("no column '{name}'")))?;
    let list = column
        .as_any()
        .downcast_ref::<ListArray>()
        .ok_or_else(|| malformed(format!("column '{name}' is not a list")))?;
    if list.is_null(0) {
        return Err(malformed(format!("column '{name}' is null")));
    }
    let values = list.value(0);
    let values = values
        .as_any()
        .downcast_ref::<Float64Array>()
        .ok_or_else(|| malformed(format!("column '{name}' does not hold Float64 values")))?;
    if values.null_count() > 0 {
        return Err(malformed(format!("column '{name}' has null values")));
    }
    Ok(values.values().to_vec())
}

/// Decodes an Arrow IPC stream written by [`to_arrow_ipc`]. Truncated bytes, another format or
/// a stream whose metadata and columns disagree are a [`ToolError::ComputationFailed`] saying
/// what is wrong.
pub fn from_arrow_ipc(bytes: &[u8]) -> Result<ToolResult, ToolError> {
    let mut reader = StreamReader::try_new(bytes, None).map_err(|e| arrow_error("decode", e))?;
    let schema = reader.schema();
    let metadata = &schema.metadata;
    match metadata.get(FORMAT_KEY) {
        Some(v) if v == FORMAT_VERSION => {}
        Some(v) => {
            return Err(malformed(format!(
                "{FORMAT_KEY} is '{v}', not '{FORMAT_VERSION}'"
            )))
        }
        None => {
            return Err(malformed(format!(
                "no '{FORMAT_KEY}' in the schema metadata"
            )))
        }
    }
    let meta_json = metadata
        .get(RESULT_KEY)
        .ok_or_else(|| malformed(format!("no '{RESULT_KEY}' in the schema metadata")))?;
    let meta: ResultMeta = serde_json::from_str(meta_json)
        .map_err(|e| malformed(format!("'{RESULT_KEY}' is not a result: {e}")))?;

    let batch = reader
        .next()
        .ok_or_else(|| malformed("the stream holds no record batch"))?
        .map_err(|e| arrow_error("decode", e))?;
    if reader.next().is_some() {
        return Err(malformed("the stream holds more than one record batch"));
    }
    if batch.num_rows() != 1 {
        return Err(malformed(format!(
            "the record batch has {} rows, not 1",
            batch.num_rows()
        )));
    }

    let mut axes: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut series = Vec::with_capacity(meta.series.len());
    for s in meta.series {
        let x = match axes.get(&s.x_column) {
            Some(x) => x.clone(),
            None => {
                let x = column_values(&batch, &s.x_column)?;
                axes.insert(s.x_column.clone(), x.clone());
                x
            }
        };
        let y = column_values(&batch, &s.y_column)?;
        series.push(Series::new(s.name, s.x_label, s.y_label, x, y));
    }
    let scalars = meta
        .scalars
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                ScalarMeta::Int(i) => Scalar::Int(i),
                ScalarMeta::Float(x) => Scalar::Float(x),
            };
            (k, v)
        })
        .collect();
    Ok(ToolResult {
        tool: meta.tool,
        params: meta.params,
        scalars,
        series,
        tables: meta.tables,
        warnings: meta.warnings,
    })
}
