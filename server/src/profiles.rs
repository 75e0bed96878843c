//! Saved model profiles (docs/measured.md §7): the `profiles` table of the store and the operations
//! every edge (HTTP, CLI, desktop commands) shares.
//!
//! * One row per profile: `id` (uuid v4, assigned on save), `name` (unique, case-insensitive),
//!   `created_utc`, `origin_kind`, the whole `cristallo.profile/1` document as `json`, and
//!   `deleted` (0, or the Unix ms of a soft deletion).
//! * Deleting is soft: [`Platform::restore_profile`] undoes it within [`UNDO_WINDOW`]; later the
//!   row is purged (on the next write). Saving a name held by a profile waiting in its undo
//!   window purges that profile first, so a deleted name is free at once.
//! * Saving, importing, renaming, deleting and restoring need `can_modify` (the host, or guests
//!   the host gave full access), like deleting runs; listing, reading, exporting and using
//!   profiles are open to every signed-in caller. Every change is announced as
//!   `profiles_changed`.

use std::time::Duration;

use cristallo_core::profile_doc::{import_any, ProfileDoc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::access::Caller;
use crate::events::ServerEvent;
use crate::store::{now_ms, Store, StoreError};
use crate::{ApiError, Platform};

/// How long a deleted profile can be restored.
pub const UNDO_WINDOW: Duration = Duration::from_secs(30);

/// One line of the profile list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileSummary {
    pub id: String,
    pub name: String,
    pub created_utc: String,
    pub origin_kind: String,
    /// Undamped natural frequencies of the stored chain (what the tools see), Hz.
    pub natural_frequencies_hz: Option<[f64; 3]>,
}

impl ProfileSummary {
    fn of(doc: &ProfileDoc) -> Self {
        Self {
            id: doc.id.clone(),
            name: doc.name.clone(),
            created_utc: doc.created_utc.clone(),
            origin_kind: doc.origin.kind.as_str().to_string(),
            natural_frequencies_hz: doc.model_natural_frequencies_hz(),
        }
    }
}

/// A profile read by an import, as saved, with what the user should know about it.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub profile: ProfileDoc,
    pub warnings: Vec<String>,
}

/// What `POST /api/profiles/import` (and the desktop's `profile_import`) takes: the file's text,
/// optionally a name for the profile and the file's name (a CSV's fallback name).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    pub text: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub file_name: Option<String>,
}

/// What a deletion answers: until when it can be undone.
#[derive(Debug, Clone, Serialize)]
pub struct Deleted {
    pub id: String,
    pub undo_seconds: u64,
}

/// A random uuid v4 (RFC 4122 text form).
pub fn new_uuid() -> String {
    let mut b = [0u8; 16];
    rand::fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `ms` since the Unix epoch as ISO 8601 UTC to the second (`2024-05-02T14:03:11Z`).
pub fn utc_iso(ms: i64) -> String {
    let t = crate::utc::UtcDateTime::from_unix_ms(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn duplicate(name: &str) -> ApiError {
    ApiError::Conflict {
        field: "profile.name".into(),
        message: format!("a profile named '{name}' exists already (names are case-insensitive); choose another name"),
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound {
        what: format!("profile {id}"),
    }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ConstraintViolation)
    )
}

fn parse_doc(text: &str) -> Result<ProfileDoc, StoreError> {
    let v: Value = serde_json::from_str(text).map_err(corrupt)?;
    ProfileDoc::from_json(&v).map_err(corrupt)
}

/// The profile table of the store.
impl Store {
    /// Removes profiles whose undo window has passed.
    fn purge_deleted(tx: &rusqlite::Transaction<'_>, now: i64) -> rusqlite::Result<()> {
        let cutoff = now - UNDO_WINDOW.as_millis() as i64;
        tx.execute(
            "DELETE FROM profiles WHERE deleted != 0 AND deleted < ?1",
            [cutoff],
        )?;
        Ok(())
    }

    /// Live profiles, newest first.
    pub fn list_profiles(&self) -> Result<Vec<ProfileSummary>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT json FROM profiles WHERE deleted = 0 ORDER BY created_utc DESC, name",
        )?;
        let texts = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        drop(stmt);
        drop(conn);
        texts
            .iter()
            .map(|t| parse_doc(t).map(|d| ProfileSummary::of(&d)))
            .collect()
    }

    /// A live profile.
    pub fn get_profile(&self, id: &str) -> Result<Option<ProfileDoc>, StoreError> {
        let text: Option<String> = self
            .conn()
            .query_row(
                "SELECT json FROM profiles WHERE id = ?1 AND deleted = 0",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        text.map(|t| parse_doc(&t)).transpose()
    }

    /// Saves `doc` as a new profile: validates it, assigns a fresh id and (if it has none) the
    /// creation time. A taken name (case-insensitive) is a conflict.
    pub fn insert_profile(&self, mut doc: ProfileDoc) -> Result<ProfileDoc, ApiError> {
        doc.validate()?;
        let now = now_ms();
        doc.id = new_uuid();
        if doc.created_utc.is_empty() {
            doc.created_utc = utc_iso(now);
        }
        let json = serde_json::to_string(&doc.to_json()).map_err(corrupt)?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(StoreError::from)?;
        Self::purge_deleted(&tx, now).map_err(StoreError::from)?;
        tx.execute(
            "DELETE FROM profiles WHERE deleted != 0 AND name = ?1",
            [&doc.name],
        )
        .map_err(StoreError::from)?;
        match tx.execute(
            "INSERT INTO profiles (id, name, created_utc, origin_kind, json, deleted)
             VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            params![
                doc.id,
                doc.name,
                doc.created_utc,
                doc.origin.kind.as_str(),
                json
            ],
        ) {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(duplicate(&doc.name)),
            Err(e) => return Err(StoreError::from(e).into()),
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(doc)
    }

    /// Renames a live profile (the name inside its document too).
    pub fn rename_profile(&self, id: &str, name: &str) -> Result<ProfileDoc, ApiError> {
        let mut doc = self.get_profile(id)?.ok_or_else(|| not_found(id))?;
        doc.name = name.to_string();
        doc.validate()?;
        let json = serde_json::to_string(&doc.to_json()).map_err(corrupt)?;
        let now = now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(StoreError::from)?;
        Self::purge_deleted(&tx, now).map_err(StoreError::from)?;
        tx.execute(
            "DELETE FROM profiles WHERE deleted != 0 AND name = ?1 AND id != ?2",
            params![doc.name, id],
        )
        .map_err(StoreError::from)?;
        let n = match tx.execute(
            "UPDATE profiles SET name = ?2, json = ?3 WHERE id = ?1 AND deleted = 0",
            params![id, doc.name, json],
        ) {
            Ok(n) => n,
            Err(e) if is_unique_violation(&e) => return Err(duplicate(&doc.name)),
            Err(e) => return Err(StoreError::from(e).into()),
        };
        if n == 0 {
            return Err(not_found(id));
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(doc)
    }

    /// Soft-deletes a live profile at time `now_ms`.
    pub fn delete_profile(&self, id: &str, now: i64) -> Result<(), ApiError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(StoreError::from)?;
        let n = tx
            .execute(
                "UPDATE profiles SET deleted = ?2 WHERE id = ?1 AND deleted = 0",
                params![id, now.max(1)],
            )
            .map_err(StoreError::from)?;
        if n == 0 {
            return Err(not_found(id));
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }

    /// Undoes a deletion made less than [`UNDO_WINDOW`] before `now`.
    pub fn restore_profile(&self, id: &str, now: i64) -> Result<ProfileDoc, ApiError> {
        {
            let mut conn = self.conn();
            let tx = conn.transaction().map_err(StoreError::from)?;
            let deleted: Option<i64> = tx
                .query_row("SELECT deleted FROM profiles WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(StoreError::from)?;
            match deleted {
                None => return Err(not_found(id)),
                Some(0) => {
                    return Err(ApiError::Conflict {
                        field: "id".into(),
                        message: format!("profile {id} is not deleted"),
                    })
                }
                Some(at) if now - at > UNDO_WINDOW.as_millis() as i64 => {
                    return Err(ApiError::Gone {
                        reason: format!(
                            "profile {id} was deleted more than {} s ago and cannot be restored",
                            UNDO_WINDOW.as_secs()
                        ),
                    })
                }
                Some(_) => {}
            }
            tx.execute("UPDATE profiles SET deleted = 0 WHERE id = ?1", [id])
                .map_err(StoreError::from)?;
            tx.commit().map_err(StoreError::from)?;
        }
        self.get_profile(id)?.ok_or_else(|| not_found(id))
    }
}

/// Reads a profile document given as JSON (the body of a save), naming the field on error.
pub fn doc_from_value(v: &Value) -> Result<ProfileDoc, ApiError> {
    Ok(ProfileDoc::from_json(v)?)
}

impl Platform {
    pub(crate) fn require_modify(caller: &Caller, what: &str) -> Result<(), ApiError> {
        if caller.can_modify {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                reason: format!(
                    "guests with read-only access cannot {what} profiles; ask the host for full access"
                ),
            })
        }
    }

    fn announce_profile(&self, id: &str, action: &str) {
        self.hub.publish(ServerEvent::ProfilesChanged {
            id: id.to_string(),
            action: action.to_string(),
        });
    }

    /// The live profiles, newest first.
    pub fn list_profiles(&self) -> Result<Vec<ProfileSummary>, ApiError> {
        Ok(self.store.list_profiles()?)
    }

    /// One live profile.
    pub fn get_profile(&self, id: &str) -> Result<ProfileDoc, ApiError> {
        self.store.get_profile(id)?.ok_or_else(|| not_found(id))
    }

    /// Saves a profile document (JSON); answers it with its id and date.
    pub fn save_profile(&self, caller: &Caller, doc: &Value) -> Result<ProfileDoc, ApiError> {
        Self::require_modify(caller, "save")?;
        let mut doc = doc_from_value(doc)?;
        // The store assigns both: a saved document is a new profile.
        doc.created_utc.clear();
        let saved = self.store.insert_profile(doc)?;
        self.announce_profile(&saved.id, "saved");
        Ok(saved)
    }

    /// Imports a profile file (ours, or the original app's JSON or CSV). Without an explicit
    /// name, a taken name gets a numeric suffix (`name (2)`).
    pub fn import_profile(
        &self,
        caller: &Caller,
        req: &ImportRequest,
    ) -> Result<ImportOutcome, ApiError> {
        Self::require_modify(caller, "import")?;
        let imported = import_any(&req.text, req.name.as_deref(), req.file_name.as_deref())?;
        let base = imported.profile.clone();
        let mut attempt = 1;
        loop {
            let mut doc = base.clone();
            if attempt > 1 {
                let suffix = format!(" ({attempt})");
                let keep = cristallo_core::profile_doc::NAME_MAX_CHARS - suffix.chars().count();
                doc.name = base.name.chars().take(keep).collect::<String>() + &suffix;
            }
            match self.store.insert_profile(doc) {
                Ok(saved) => {
                    self.announce_profile(&saved.id, "imported");
                    return Ok(ImportOutcome {
                        profile: saved,
                        warnings: imported.warnings,
                    });
                }
                Err(ApiError::Conflict { .. }) if req.name.is_none() && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Renames a profile.
    pub fn rename_profile(
        &self,
        caller: &Caller,
        id: &str,
        name: &str,
    ) -> Result<ProfileDoc, ApiError> {
        Self::require_modify(caller, "rename")?;
        let doc = self.store.rename_profile(id, name)?;
        self.announce_profile(id, "renamed");
        Ok(doc)
    }

    /// Deletes a profile; [`Self::restore_profile`] undoes it within [`UNDO_WINDOW`].
    pub fn delete_profile(&self, caller: &Caller, id: &str) -> Result<Deleted, ApiError> {
        Self::require_modify(caller, "delete")?;
        self.store.delete_profile(id, now_ms())?;
        self.announce_profile(id, "deleted");
        Ok(Deleted {
            id: id.to_string(),
            undo_seconds: UNDO_WINDOW.as_secs(),
        })
    }

    /// Undoes a deletion within [`UNDO_WINDOW`].
    pub fn restore_profile(&self, caller: &Caller, id: &str) -> Result<ProfileDoc, ApiError> {
        Self::require_modify(caller, "restore")?;
        let doc = self.store.restore_profile(id, now_ms())?;
        self.announce_profile(id, "restored");
        Ok(doc)
    }
}

/// A file name for an exported profile: its name with anything but letters, digits, `-`, `_`
/// and `.` replaced by `_`, plus `.profile.json`.
pub fn export_file_name(doc: &ProfileDoc) -> String {
    let stem: String = doc
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}.profile.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates_are_civil() {
        assert_eq!(utc_iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_iso(1_714_658_591_000), "2024-05-02T14:03:11Z");
        assert_eq!(utc_iso(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn uuids_are_version_4() {
        let a = new_uuid();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!("89ab".contains(&a[19..20]));
        assert_ne!(a, new_uuid());
    }
}
