//! Reading and deleting stored runs: the figures and the report drawn from a stored result,
//! and the files runs keep by SHA-256 (`cristallo_core::kept_files`, e.g. measured files).

use cristallo_core::{ToolError, ToolResult};
use serde_json::Value;

use super::Platform;
use crate::access::Caller;
use crate::events::ServerEvent;
use crate::export::{self, Export, ExportFormat};
use crate::figures::{self, Figure, FigureError, Format};
use crate::report;
use crate::store::{RunSummary, StoredRun};
use crate::ApiError;

impl Platform {
    /// Deletes a history entry (host, or guests with full access).
    pub fn delete_run(&self, caller: &Caller, id: i64) -> Result<(), ApiError> {
        if !caller.can_modify {
            return Err(ApiError::Forbidden {
                reason: "guests with read-only access cannot delete history".into(),
            });
        }
        if !self.store.delete_run(id)? {
            return Err(ApiError::NotFound {
                what: format!("run {id}"),
            });
        }
        self.hub.publish(ServerEvent::RunDeleted { id });
        Ok(())
    }

    /// A stored run as it is stored (its result not decoded); unknown id: 404.
    pub fn stored_run(&self, id: i64) -> Result<StoredRun, ApiError> {
        self.store
            .get_stored_run(id)?
            .ok_or_else(|| ApiError::NotFound {
                what: format!("run {id}"),
            })
    }

    /// A stored run's summary and its decoded result.
    fn stored_result(&self, id: i64) -> Result<(RunSummary, ToolResult), ApiError> {
        let stored = self.stored_run(id)?;
        let result = stored.result.decode()?;
        Ok((stored.summary, result))
    }

    /// Stored run `id` exported as `format` (`GET /api/runs/{id}?format=`).
    pub fn run_export(&self, id: i64, format: ExportFormat) -> Result<Export, ApiError> {
        export::export(self.stored_run(id)?, format)
    }

    /// The figures of stored run `id` (what `run_figure` can draw).
    pub fn run_figures(&self, id: i64) -> Result<Vec<Figure>, ApiError> {
        Ok(figures::figures(&self.stored_result(id)?.1))
    }

    /// Figure `index` of stored run `id` as a PNG or SVG file, drawn on the server.
    pub fn run_figure(&self, id: i64, index: usize, format: Format) -> Result<Vec<u8>, ApiError> {
        let (_, result) = self.stored_result(id)?;
        figures::render(&result, index, format).map_err(|e| match e {
            FigureError::NoSuchFigure { .. } => ApiError::NotFound {
                what: format!("figure {index} of run {id}"),
            },
            FigureError::Drawing { .. } => ApiError::Internal {
                reason: e.to_string(),
            },
        })
    }

    /// The one-page HTML report of stored run `id`.
    pub fn run_report(&self, id: i64) -> Result<String, ApiError> {
        let (summary, result) = self.stored_result(id)?;
        Ok(report::report_html(&summary, &result))
    }

    /// A stored measured file: `{sha256, name, csv_text}` (docs/measured.md §7).
    pub fn source_file(&self, sha256: &str) -> Result<Value, ApiError> {
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(ToolError::invalid(
                "sha256",
                format!("'{sha256}' is not a SHA-256 digest (64 lowercase hexadecimal digits)"),
            )
            .into());
        }
        let (name, text) = self
            .store
            .source_file(sha256)?
            .ok_or_else(|| ApiError::NotFound {
                what: format!("measured file {sha256}"),
            })?;
        Ok(serde_json::json!({"sha256": sha256, "name": name, "csv_text": text}))
    }
}
