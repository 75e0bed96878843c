//! Exports of a stored run for `GET /api/runs/{id}?format=`: JSON (the run record), the Arrow
//! IPC stream as stored, Parquet and CSV, each with its media type and download name.

pub mod csv;
pub mod parquet;

use cristallo_core::result::arrow::ARROW_STREAM_MEDIA_TYPE;
use cristallo_core::ToolError;

use crate::store::StoredRun;
use crate::ApiError;

/// What `format=` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The run record: its summary with the result (`GET /api/runs/{id}` as always).
    Json,
    /// The result's Arrow IPC stream (docs/result-contract.md §6).
    Arrow,
    /// The same record batch as a Parquet file.
    Parquet,
    /// The UI's CSV of the result ([`csv::result_to_csv`]).
    Csv,
}

impl ExportFormat {
    /// Every format, in the order the error message lists them.
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::Json,
        ExportFormat::Arrow,
        ExportFormat::Parquet,
        ExportFormat::Csv,
    ];

    /// The `format` value naming this format (also the file extension).
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Arrow => "arrow",
            ExportFormat::Parquet => "parquet",
            ExportFormat::Csv => "csv",
        }
    }

    /// The media type of the download.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Arrow => ARROW_STREAM_MEDIA_TYPE,
            ExportFormat::Parquet => parquet::PARQUET_MEDIA_TYPE,
            ExportFormat::Csv => csv::CSV_MEDIA_TYPE,
        }
    }

    /// Parses the `format` value (none means JSON); anything else is an invalid-parameter
    /// error naming `format` (a 400).
    pub fn parse(value: Option<&str>) -> Result<Self, ToolError> {
        let Some(value) = value else {
            return Ok(ExportFormat::Json);
        };
        Self::ALL
            .into_iter()
            .find(|f| f.name() == value)
            .ok_or_else(|| {
                ToolError::invalid(
                    "format",
                    format!("must be \"json\", \"arrow\", \"parquet\" or \"csv\", not \"{value}\""),
                )
            })
    }
}

/// An export ready to send or save.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
    /// `<tool>-run-<id>.<format>`.
    pub file_name: String,
}

/// `run` exported as `format`. Arrow answers the stored stream itself (a run stored as JSON is
/// encoded); Parquet is written from that stream's record batch; CSV and JSON from the result.
pub fn export(run: StoredRun, format: ExportFormat) -> Result<Export, ApiError> {
    let file_name = format!(
        "{}-run-{}.{}",
        run.summary.tool,
        run.summary.id,
        format.name()
    );
    let bytes = match format {
        ExportFormat::Json => {
            serde_json::to_vec(&run.into_record()?).map_err(|e| ApiError::Internal {
                reason: e.to_string(),
            })?
        }
        ExportFormat::Arrow => run.result.into_arrow()?,
        ExportFormat::Parquet => parquet::arrow_ipc_to_parquet(&run.result.into_arrow()?)
            .map_err(|reason| ApiError::Internal { reason })?,
        ExportFormat::Csv => csv::result_to_csv(&run.result.decode()?).into_bytes(),
    };
    Ok(Export {
        bytes,
        media_type: format.media_type(),
        file_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{EncodedResult, RunSummary};
    use cristallo_core::result::arrow::from_arrow_ipc;
    use cristallo_core::{Series, ToolResult};

    fn run() -> (StoredRun, ToolResult) {
        let mut r = ToolResult::new("modal", serde_json::json!({}));
        r.set("f_1_hz", 7.5);
        r.push_series(Series::new("a", "t", "y", vec![0.0, 1.0], vec![2.0, 3.0]));
        let summary = RunSummary {
            id: 42,
            tool: "modal".into(),
            created_at_ms: 0,
            duration_ms: 1.0,
            who: "host".into(),
            params: serde_json::json!({}),
            scalars: serde_json::json!({"f_1_hz": 7.5}),
            warning_count: 0,
            role: Some("host".into()),
        };
        let result = EncodedResult::encode(&r).unwrap();
        (StoredRun { summary, result }, r)
    }

    #[test]
    fn formats_parse_by_name_and_anything_else_names_format() {
        assert_eq!(ExportFormat::parse(None).unwrap(), ExportFormat::Json);
        for f in ExportFormat::ALL {
            assert_eq!(ExportFormat::parse(Some(f.name())).unwrap(), f);
        }
        for bad in ["", "JSON", "xlsx", "arrow "] {
            let err = ExportFormat::parse(Some(bad)).unwrap_err();
            assert_eq!(
                cristallo_core::ErrorBody::from(&err).field.as_deref(),
                Some("format")
            );
        }
    }

    #[test]
    fn every_format_exports_the_stored_run() {
        let (stored, result) = run();
        let arrow = export(stored.clone(), ExportFormat::Arrow).unwrap();
        assert_eq!(arrow.file_name, "modal-run-42.arrow");
        assert_eq!(
            arrow.bytes,
            stored.result.bytes(),
            "the stored stream itself"
        );
        assert_eq!(from_arrow_ipc(&arrow.bytes).unwrap(), result);
        let parquet = export(stored.clone(), ExportFormat::Parquet).unwrap();
        assert_eq!(parquet.file_name, "modal-run-42.parquet");
        assert_eq!(&parquet.bytes[..4], b"PAR1");
        let csv = export(stored.clone(), ExportFormat::Csv).unwrap();
        assert_eq!(csv.bytes, b"scalar,value\nf_1_hz,7.5\n\nt,a\n0,2\n1,3\n");
        assert_eq!(csv.media_type, "text/csv; charset=utf-8");
        let json = export(stored, ExportFormat::Json).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json.bytes).unwrap();
        assert_eq!(v["id"], 42);
        assert_eq!(v["result"], serde_json::to_value(&result).unwrap());
    }
}
