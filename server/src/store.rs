//! Persistence: one SQLite database (`cristallo.sqlite3` in the data directory) holding the run
//! history and the settings.
//!
//! * Migrations are numbered by `PRAGMA user_version`; each runs in its own transaction.
//! * The journal is a write-ahead log (WAL) with `synchronous = NORMAL`, and every write is one
//!   transaction: a commit appends to the log without waiting for the disk, so recording a run
//!   costs no `fsync`. A run acknowledged to a client survives a crash (`kill -9`) of the server
//!   (the log is in the OS's page cache); an OS crash or a power cut can lose the last runs
//!   committed since the previous checkpoint (which syncs the log), never older ones, and never
//!   leaves the file damaged.
//! * A damaged file is never reset silently: it is copied next to itself as
//!   `cristallo.sqlite3.damaged-<unix ms>` and opening fails with [`StoreError::Damaged`],
//!   naming both paths.
//! * Checkpoints (copying the log into the database, which syncs the disk) run on a thread of
//!   their own ([`checkpoint`]), not inside a run's commit.
//! * Results are stored whole (full-resolution series), zstd-compressed (fast level −1), in the form
//!   `result_format` names ([`crate::stored_result`]): since schema 4 the Arrow IPC stream,
//!   before it the JSON text (those rows are read as they are, never rewritten). A past run's
//!   JSON is the text it was sent as, byte for byte; its Arrow form is the stored stream itself.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

mod checkpoint;

pub use crate::stored_result::{EncodedResult, ResultFormat, StoredRun};
use cristallo_core::ToolResult;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use thiserror::Error;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "cristallo.sqlite3";

/// The schema, one entry per version (index 0 takes the file to version 1).
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE runs (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         tool TEXT NOT NULL,
         params TEXT NOT NULL,
         scalars TEXT NOT NULL,
         warning_count INTEGER NOT NULL,
         result_gz BLOB NOT NULL,
         created_at_ms INTEGER NOT NULL,
         duration_ms REAL NOT NULL,
         who TEXT NOT NULL
     );
     CREATE INDEX runs_tool ON runs(tool, id);
     CREATE TABLE settings (
         key TEXT PRIMARY KEY,
         value TEXT NOT NULL
     );",
    // 2: saved model profiles (docs/measured.md §7; `crate::profiles`). `deleted` is 0 for a live
    // profile, else the Unix time (ms) of its soft deletion (undo window).
    "CREATE TABLE profiles (
         id TEXT PRIMARY KEY,
         name TEXT NOT NULL UNIQUE COLLATE NOCASE,
         created_utc TEXT NOT NULL,
         origin_kind TEXT NOT NULL,
         json TEXT NOT NULL,
         deleted INTEGER NOT NULL DEFAULT 0
     );
     CREATE INDEX profiles_live ON profiles(deleted, created_utc);",
    // 3: the measured files of model-update runs, once each by the SHA-256 of their text
    // (docs/measured.md §7), so a profile saved from a run can always re-plot its data. The text is
    // zstd-compressed like the results.
    "CREATE TABLE source_files (
         sha256 TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         text_zst BLOB NOT NULL,
         created_at_ms INTEGER NOT NULL
     );",
    // 4: results stored as Arrow IPC (`crate::stored_result`); the runs stored before keep their
    // JSON text, marked 'json'.
    "ALTER TABLE runs ADD COLUMN result_format TEXT NOT NULL DEFAULT 'json';",
    // 5: the role of who ran each run ('host' or 'guest'), so a name says nothing about rights;
    // NULL for the runs recorded before (unknown).
    "ALTER TABLE runs ADD COLUMN role TEXT;",
];

/// Why the store failed.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the database {path} is damaged ({reason}); it was left in place and copied to {backup}. Move it away (or choose another --data-dir) to start with an empty history")]
    Damaged {
        path: PathBuf,
        backup: PathBuf,
        reason: String,
    },
    #[error("the database {path} was written by a newer Cristallo-RS (schema {found}, this version knows {known})")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    #[error("format: this run's result has no Arrow form ({0}); export it as json or csv")]
    NoArrowForm(String),
}

/// One line of the history list (no series).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: i64,
    pub tool: String,
    pub created_at_ms: i64,
    pub duration_ms: f64,
    pub who: String,
    /// `host` or `guest`; none for runs recorded before schema 4.
    #[serde(default)]
    pub role: Option<String>,
    pub params: Value,
    pub scalars: Value,
    pub warning_count: i64,
}

/// A stored run with its full result as JSON text (the text it was sent as).
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    #[serde(flatten)]
    pub summary: RunSummary,
    pub result: Box<RawValue>,
}

impl RunRecord {
    /// The result parsed back into its type.
    pub fn parsed_result(&self) -> Result<ToolResult, StoreError> {
        serde_json::from_str(self.result.get()).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

/// The run history and settings.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
    checkpointer: checkpoint::Checkpointer,
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// zstd level of stored text (JSON, measured files): the fastest of the regular levels.
const ZSTD_LEVEL: i32 = 1;
/// zstd level of a stored result: a "fast" (negative) level. The f64 bits of a result's Arrow
/// stream hardly compress (level 1: −12 % for 3 ms per vibration-control run; −1: −6 % for
/// 0.4 ms), and this is paid in front of every run's answer.
const RESULT_ZSTD_LEVEL: i32 = -1;

fn compress(bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    compress_at(bytes, ZSTD_LEVEL)
}

fn compress_at(bytes: &[u8], level: i32) -> Result<Vec<u8>, StoreError> {
    zstd::bulk::compress(bytes, level).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decompress(bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    zstd::stream::decode_all(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn json_text(v: &impl Serialize) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_json(text: &str) -> Result<Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        match Self::open_checked(&path) {
            Ok(store) => Ok(store),
            Err(StoreError::Sql(e)) if path.exists() && is_damage(&e) => {
                Err(Self::back_up_damaged(&path, e.to_string()))
            }
            Err(StoreError::Corrupt(reason)) if path.exists() => {
                Err(Self::back_up_damaged(&path, reason))
            }
            Err(other) => Err(other),
        }
    }

    fn back_up_damaged(path: &Path, reason: String) -> StoreError {
        let backup = path.with_file_name(format!("{DB_FILE}.damaged-{}", now_ms()));
        if let Err(e) = std::fs::copy(path, &backup) {
            return StoreError::Corrupt(format!(
                "{reason}; copying it to {} failed too: {e}",
                backup.display()
            ));
        }
        StoreError::Damaged {
            path: path.to_path_buf(),
            backup,
            reason,
        }
    }

    fn open_checked(path: &Path) -> Result<Self, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt(format!("integrity check: {check}")));
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "wal_autocheckpoint", checkpoint::BACKSTOP_PAGES)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let known = MIGRATIONS.len() as i64;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > known {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
            checkpointer: checkpoint::Checkpointer::start(path)?,
        })
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a finished run, its result encoded as `encoded` (see [`EncodedResult::encode`]);
    /// returns its summary.
    pub fn insert_run(
        &self,
        result: &ToolResult,
        encoded: &EncodedResult,
        duration_ms: f64,
        who: &str,
        role: &str,
    ) -> Result<RunSummary, StoreError> {
        let params = json_text(&result.params)?;
        let scalars = json_text(&result.scalars)?;
        let blob = compress_at(encoded.bytes(), RESULT_ZSTD_LEVEL)?;
        let format = encoded.format().as_str();
        let created_at_ms = now_ms();
        let warning_count = result.warnings.len() as i64;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO runs (tool, params, scalars, warning_count, result_gz, result_format,
                               created_at_ms, duration_ms, who, role)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                result.tool,
                params,
                scalars,
                warning_count,
                blob,
                format,
                created_at_ms,
                duration_ms,
                who,
                role
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        drop(conn);
        self.checkpointer.wrote(blob.len());
        Ok(RunSummary {
            id,
            tool: result.tool.clone(),
            created_at_ms,
            duration_ms,
            who: who.to_string(),
            role: Some(role.to_string()),
            params: result.params.clone(),
            scalars: serde_json::to_value(&result.scalars)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            warning_count,
        })
    }

    /// The newest runs first, optionally of one tool, at most `limit`, older than `before_id`.
    pub fn list_runs(
        &self,
        tool: Option<&str>,
        limit: usize,
        before_id: Option<i64>,
    ) -> Result<Vec<RunSummary>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM runs
             WHERE (?1 IS NULL OR tool = ?1) AND (?2 IS NULL OR id < ?2)
             ORDER BY id DESC LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![tool, before_id, limit as i64], summary_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Number of stored runs.
    pub fn count_runs(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))?)
    }

    /// One run with its full result as JSON text.
    pub fn get_run(&self, id: i64) -> Result<Option<RunRecord>, StoreError> {
        self.get_stored_run(id)?
            .map(StoredRun::into_record)
            .transpose()
    }

    /// One run with its result as stored (decompressed, not decoded).
    pub fn get_stored_run(&self, id: i64) -> Result<Option<StoredRun>, StoreError> {
        let row: Option<(Vec<u8>, String)> = self
            .conn()
            .query_row(
                "SELECT result_gz, result_format FROM runs WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((blob, format)) = row else {
            return Ok(None);
        };
        let bytes = decompress(&blob)?;
        let result = match ResultFormat::parse(&format)? {
            ResultFormat::Json => EncodedResult::Json(bytes),
            ResultFormat::Arrow => EncodedResult::Arrow(bytes),
        };
        let summary = self
            .summary(id)?
            .ok_or_else(|| StoreError::Corrupt(format!("run {id} vanished")))?;
        Ok(Some(StoredRun { summary, result }))
    }

    fn summary(&self, id: i64) -> Result<Option<RunSummary>, StoreError> {
        let conn = self.conn();
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM runs WHERE id = ?1");
        Ok(conn.query_row(&sql, [id], summary_from_row).optional()?)
    }

    /// Deletes a run; `false` when there was none.
    pub fn delete_run(&self, id: i64) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute("DELETE FROM runs WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(n > 0)
    }

    /// Stores a measured file's text under its SHA-256 (once: a known digest is left as it is).
    pub fn put_source_file(&self, sha256: &str, name: &str, text: &str) -> Result<(), StoreError> {
        // Every model-update run of a known file lands here: don't compress it again.
        let known: Option<i64> = self
            .conn()
            .query_row(
                "SELECT 1 FROM source_files WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()?;
        if known.is_some() {
            return Ok(());
        }
        let packed = compress(text.as_bytes())?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO source_files (sha256, name, text_zst, created_at_ms)
             VALUES (?1, ?2, ?3, ?4)",
            params![sha256, name, packed, now_ms()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The name and text of the measured file stored under `sha256`.
    pub fn source_file(&self, sha256: &str) -> Result<Option<(String, String)>, StoreError> {
        let row: Option<(String, Vec<u8>)> = self
            .conn()
            .query_row(
                "SELECT name, text_zst FROM source_files WHERE sha256 = ?1",
                [sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(name, packed)| {
            let text = String::from_utf8(decompress(&packed)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok((name, text))
        })
        .transpose()
    }

    /// A setting's stored JSON value.
    pub fn setting(&self, key: &str) -> Result<Option<Value>, StoreError> {
        let text: Option<String> = self
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?;
        text.map(|t| parse_json(&t)).transpose()
    }

    /// Stores a setting.
    pub fn set_setting(&self, key: &str, value: &Value) -> Result<(), StoreError> {
        let text = json_text(value)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, text],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// The columns [`summary_from_row`] reads, in its order.
const SUMMARY_COLUMNS: &str =
    "id, tool, created_at_ms, duration_ms, who, params, scalars, warning_count, role";

fn summary_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunSummary> {
    let json = |i: usize| -> rusqlite::Result<Value> {
        let text: String = r.get(i)?;
        serde_json::from_str(&text).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    Ok(RunSummary {
        id: r.get(0)?,
        tool: r.get(1)?,
        created_at_ms: r.get(2)?,
        duration_ms: r.get(3)?,
        who: r.get(4)?,
        params: json(5)?,
        scalars: json(6)?,
        warning_count: r.get(7)?,
        role: r.get(8)?,
    })
}

fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

/// The platform data directory (`~/.local/share/cristallo-rs` on Linux).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("cristallo-rs")
}

#[cfg(test)]
mod tests;
