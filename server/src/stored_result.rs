//! The form a run's result is kept in by the history ([`crate::store`]): the Arrow IPC stream
//! (`cristallo_core::result::arrow`), or the JSON text of runs stored before schema 4 and of the
//! rare result that has no Arrow form (two series with one name).

use cristallo_core::result::arrow::{from_arrow_ipc, to_arrow_ipc};
use cristallo_core::ToolResult;
use serde_json::value::RawValue;

use crate::store::{RunRecord, RunSummary, StoreError};

/// How a stored result is encoded: the `result_format` column of `runs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultFormat {
    /// The result's JSON text (every run stored before schema 4).
    Json,
    /// The Arrow IPC stream of `cristallo_core::result::arrow`.
    Arrow,
}

impl ResultFormat {
    /// The column value.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultFormat::Json => "json",
            ResultFormat::Arrow => "arrow",
        }
    }

    /// The format a column value names; an unknown one is a [`StoreError::Corrupt`].
    pub fn parse(value: &str) -> Result<Self, StoreError> {
        match value {
            "json" => Ok(ResultFormat::Json),
            "arrow" => Ok(ResultFormat::Arrow),
            other => Err(StoreError::Corrupt(format!(
                "unknown result_format '{other}' (this version reads 'json' and 'arrow')"
            ))),
        }
    }
}

/// A result's bytes in one of the [`ResultFormat`]s (uncompressed).
#[derive(Debug, Clone, PartialEq)]
pub enum EncodedResult {
    Json(Vec<u8>),
    Arrow(Vec<u8>),
}

impl EncodedResult {
    /// The Arrow form of `result`, or its JSON text when it has none (two series sharing a
    /// name, which the Arrow columns cannot tell apart), so every run can be stored.
    pub fn encode(result: &ToolResult) -> Result<Self, StoreError> {
        match to_arrow_ipc(result) {
            Ok(bytes) => Ok(EncodedResult::Arrow(bytes)),
            Err(_) => serde_json::to_vec(result)
                .map(EncodedResult::Json)
                .map_err(|e| StoreError::Corrupt(e.to_string())),
        }
    }

    /// Which form this is.
    pub fn format(&self) -> ResultFormat {
        match self {
            EncodedResult::Json(_) => ResultFormat::Json,
            EncodedResult::Arrow(_) => ResultFormat::Arrow,
        }
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            EncodedResult::Json(b) | EncodedResult::Arrow(b) => b,
        }
    }

    /// The result decoded.
    pub fn decode(&self) -> Result<ToolResult, StoreError> {
        match self {
            EncodedResult::Json(text) => {
                serde_json::from_slice(text).map_err(|e| StoreError::Corrupt(e.to_string()))
            }
            EncodedResult::Arrow(bytes) => {
                from_arrow_ipc(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
            }
        }
    }

    /// The result's JSON text: the stored text itself, or the Arrow stream decoded and
    /// serialised (the same text the run answered, as the Arrow form is lossless).
    pub fn into_json(self) -> Result<Vec<u8>, StoreError> {
        match self {
            EncodedResult::Json(text) => Ok(text),
            arrow @ EncodedResult::Arrow(_) => {
                serde_json::to_vec(&arrow.decode()?).map_err(|e| StoreError::Corrupt(e.to_string()))
            }
        }
    }

    /// The result's Arrow IPC stream: the stored bytes themselves (no re-encoding), or the
    /// stored JSON decoded and encoded. A result without an Arrow form is a
    /// [`StoreError::NoArrowForm`].
    pub fn into_arrow(self) -> Result<Vec<u8>, StoreError> {
        match self {
            EncodedResult::Arrow(bytes) => Ok(bytes),
            json @ EncodedResult::Json(_) => {
                to_arrow_ipc(&json.decode()?).map_err(|e| StoreError::NoArrowForm(e.to_string()))
            }
        }
    }
}

/// A stored run with its result as it is stored (decompressed, not decoded).
#[derive(Debug, Clone)]
pub struct StoredRun {
    pub summary: RunSummary,
    pub result: EncodedResult,
}

impl StoredRun {
    /// The run as [`RunRecord`] (its result as JSON text).
    pub fn into_record(self) -> Result<RunRecord, StoreError> {
        let text = String::from_utf8(self.result.into_json()?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let result = RawValue::from_string(text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(RunRecord {
            summary: self.summary,
            result,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cristallo_core::Series;

    fn sample() -> ToolResult {
        let mut r = ToolResult::new("modal", serde_json::json!({"floor": 1, "zeta": 0.02}));
        r.set("natural_frequency_1_hz", 7.1);
        r.set_int("closed_loop_stable", 1);
        r.push_series(Series::new(
            "a",
            "t",
            "y",
            vec![0.0, 0.1],
            vec![-0.0, 1e-300],
        ));
        r.push_series(Series::new("b", "t", "y", vec![0.0, 0.1], vec![3.0, 4.5]));
        r.warn("careful");
        r
    }

    #[test]
    fn arrow_is_preferred_and_gives_back_the_same_json_text() {
        let result = sample();
        let encoded = EncodedResult::encode(&result).unwrap();
        assert_eq!(encoded.format(), ResultFormat::Arrow);
        assert_eq!(encoded.decode().unwrap(), result);
        assert_eq!(
            encoded.clone().into_json().unwrap(),
            serde_json::to_vec(&result).unwrap()
        );
        assert_eq!(
            encoded.clone().into_arrow().unwrap(),
            encoded.bytes().to_vec()
        );
    }

    #[test]
    fn a_result_without_arrow_form_is_kept_as_json() {
        let mut result = sample();
        result.push_series(Series::new("a", "t", "y", vec![1.0], vec![2.0]));
        let encoded = EncodedResult::encode(&result).unwrap();
        assert_eq!(encoded.format(), ResultFormat::Json);
        assert_eq!(encoded.decode().unwrap(), result);
        let err = encoded.into_arrow().unwrap_err();
        assert!(
            matches!(&err, StoreError::NoArrowForm(m) if m.contains("'a'")),
            "{err}"
        );
    }

    #[test]
    fn json_rows_convert_to_arrow_and_bad_bytes_are_corrupt() {
        let result = sample();
        let json = EncodedResult::Json(serde_json::to_vec(&result).unwrap());
        let arrow = json.into_arrow().unwrap();
        assert_eq!(from_arrow_ipc(&arrow).unwrap(), result);
        for bad in [
            EncodedResult::Json(b"{\"tool\":".to_vec()),
            EncodedResult::Arrow(b"not arrow".to_vec()),
        ] {
            assert!(matches!(bad.decode(), Err(StoreError::Corrupt(_))));
        }
        assert!(ResultFormat::parse("parquet")
            .unwrap_err()
            .to_string()
            .contains("result_format 'parquet'"));
        for f in [ResultFormat::Json, ResultFormat::Arrow] {
            assert_eq!(ResultFormat::parse(f.as_str()).unwrap(), f);
        }
    }
}
