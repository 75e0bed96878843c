//! The host's settings kept between starts (the Settings page): the network interface and port
//! the share dialog offers, and the result budgets (the largest result a run of the host or of a
//! guest may declare, in f64 values; see `cristallo_core::budget`). They live in `settings.json` beside the database, written whole
//! to a temporary file and renamed, so a crash never leaves half a file. The data directory
//! itself is shown, not edited here: it is where this file lives, and it is chosen at start
//! (`--data-dir`, or `CRISTALLO_DATA_DIR` in the desktop app).
//!
//! Display preferences (theme, frequency unit) are per browser and kept by the UI itself, so
//! each colleague on the LAN sees the twin the way they chose.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::access::Caller;
use crate::{ApiError, Platform};
use cristallo_core::hostfile::HostFileError;
use cristallo_core::ToolError;

/// File name of the settings in the data directory.
pub const SETTINGS_FILE: &str = "settings.json";

/// Largest settings file read (a few hundred bytes in practice).
const SETTINGS_MAX_BYTES: u64 = 1 << 20;

/// Default result budget of the host's runs (and the desktop's): 50 M values (400 MB of f64).
pub const DEFAULT_RESULT_CAP_HOST: u64 = 50_000_000;
/// Default result budget of a guest's runs: 5 M values (40 MB of f64).
pub const DEFAULT_RESULT_CAP_GUEST: u64 = 5_000_000;
/// Smallest budget the host may set: every tool's default run fits.
pub const MIN_RESULT_CAP: u64 = 1_000_000;
/// Largest budget the host may set: 500 M values (4 GB of f64).
pub const MAX_RESULT_CAP: u64 = 500_000_000;

fn default_cap_host() -> u64 {
    DEFAULT_RESULT_CAP_HOST
}

fn default_cap_guest() -> u64 {
    DEFAULT_RESULT_CAP_GUEST
}

/// What the host chose; every field has a default, so a missing file means the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostSettings {
    /// IP address of the interface the share dialog preselects (None: the first one found).
    pub share_interface: Option<String>,
    /// Port the share dialog offers; 0 lets the system pick a free one.
    pub share_port: u16,
    /// Largest result (f64 values) a host run may declare.
    #[serde(default = "default_cap_host")]
    pub result_cap_host: u64,
    /// Largest result (f64 values) a guest run may declare.
    #[serde(default = "default_cap_guest")]
    pub result_cap_guest: u64,
}

impl Default for HostSettings {
    fn default() -> Self {
        Self {
            share_interface: None,
            share_port: 0,
            result_cap_host: DEFAULT_RESULT_CAP_HOST,
            result_cap_guest: DEFAULT_RESULT_CAP_GUEST,
        }
    }
}

/// The budget `key` of the settings object (its default when absent or null).
fn read_cap(obj: &Map<String, Value>, key: &str, default: u64) -> Result<u64, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .filter(|c| (MIN_RESULT_CAP..=MAX_RESULT_CAP).contains(c))
            .ok_or_else(|| {
                invalid(
                    key,
                    format!(
                        "must be a whole number of values from {} to {}, not {}",
                        cristallo_core::numfmt::short(MIN_RESULT_CAP as f64),
                        cristallo_core::numfmt::short(MAX_RESULT_CAP as f64),
                        match v.as_f64() {
                            Some(x) => cristallo_core::numfmt::short(x),
                            None => v.to_string().chars().take(40).collect(),
                        }
                    ),
                )
            }),
    }
}

fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::Tool(ToolError::invalid(field, message.into()))
}

impl HostSettings {
    /// Reads the settings object a client sent; errors name the field.
    pub fn from_value(v: &Value) -> Result<Self, ApiError> {
        let obj = v
            .as_object()
            .ok_or_else(|| invalid("settings", "must be a JSON object"))?;
        if let Some(key) = obj.keys().find(|k| {
            !matches!(
                k.as_str(),
                "share_interface" | "share_port" | "result_cap_host" | "result_cap_guest"
            )
        }) {
            return Err(invalid(
                key,
                "is not a setting (known: share_interface, share_port, result_cap_host, \
                 result_cap_guest)",
            ));
        }
        let share_interface = match obj.get("share_interface") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => {
                let ip: IpAddr = s.trim().parse().map_err(|_| {
                    invalid(
                        "share_interface",
                        format!("'{s}' is not an IP address of a network interface"),
                    )
                })?;
                if ip.is_unspecified() {
                    return Err(invalid(
                        "share_interface",
                        format!("{ip} means every interface; choose the address of one"),
                    ));
                }
                Some(ip.to_string())
            }
            Some(other) => {
                return Err(invalid(
                    "share_interface",
                    format!("must be an IP address text or null, not {other}"),
                ))
            }
        };
        let share_port = match obj.get("share_port") {
            None | Some(Value::Null) => 0,
            Some(v) => v
                .as_u64()
                .filter(|p| *p <= u64::from(u16::MAX))
                .map(|p| p as u16)
                .ok_or_else(|| {
                    invalid(
                        "share_port",
                        format!("must be a whole number from 0 to 65535, not {v}"),
                    )
                })?,
        };
        let result_cap_host = read_cap(obj, "result_cap_host", DEFAULT_RESULT_CAP_HOST)?;
        let result_cap_guest = read_cap(obj, "result_cap_guest", DEFAULT_RESULT_CAP_GUEST)?;
        if result_cap_guest > result_cap_host {
            return Err(invalid(
                "result_cap_guest",
                format!(
                    "must not exceed result_cap_host ({})",
                    cristallo_core::numfmt::short(result_cap_host as f64)
                ),
            ));
        }
        Ok(Self {
            share_interface,
            share_port,
            result_cap_host,
            result_cap_guest,
        })
    }

    /// The settings stored in `dir` (defaults when there is no file yet).
    pub fn load(dir: &Path) -> Result<Self, ApiError> {
        let path = dir.join(SETTINGS_FILE);
        match cristallo_core::hostfile::read_text(&path, SETTINGS_MAX_BYTES) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| ApiError::Internal {
                reason: format!("{} is not valid settings: {e}", path.display()),
            }),
            Err(HostFileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Self::default())
            }
            Err(e) => Err(ApiError::Internal {
                reason: format!("{} {e}", path.display()),
            }),
        }
    }

    /// Writes the settings to `dir` atomically (temporary file, then rename).
    pub fn save(&self, dir: &Path) -> Result<(), ApiError> {
        let io = |what: &str, path: &PathBuf, e: std::io::Error| ApiError::Internal {
            reason: format!("cannot {what} {}: {e}", path.display()),
        };
        let path = dir.join(SETTINGS_FILE);
        let tmp = dir.join(format!("{SETTINGS_FILE}.tmp"));
        let text = serde_json::to_string_pretty(self).map_err(|e| ApiError::Internal {
            reason: e.to_string(),
        })?;
        std::fs::write(&tmp, text + "\n").map_err(|e| io("write", &tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io("replace", &path, e))
    }
}

impl Platform {
    /// The Settings page's data: the stored settings plus the data directory (read-only).
    pub fn settings(&self, caller: &Caller) -> Result<Value, ApiError> {
        Self::require_host(caller)?;
        let stored = HostSettings::load(&self.config.data_dir)?;
        Ok(self.settings_view(&stored))
    }

    /// Replaces the stored settings after validating them; answers the new view.
    pub fn set_settings(&self, caller: &Caller, v: &Value) -> Result<Value, ApiError> {
        Self::require_host(caller)?;
        let settings = HostSettings::from_value(v)?;
        settings.save(&self.config.data_dir)?;
        Ok(self.settings_view(&settings))
    }

    fn settings_view(&self, s: &HostSettings) -> Value {
        let mut view = Map::new();
        view.insert(
            "data_dir".into(),
            json!(self.config.data_dir.display().to_string()),
        );
        view.insert("share_interface".into(), json!(s.share_interface));
        view.insert("share_port".into(), json!(s.share_port));
        view.insert("result_cap_host".into(), json!(s.result_cap_host));
        view.insert("result_cap_guest".into(), json!(s.result_cap_guest));
        Value::Object(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(e: ApiError) -> String {
        e.body().field.unwrap_or_default()
    }

    #[test]
    fn bad_values_name_their_field() {
        for (v, field) in [
            (json!([]), "settings"),
            (json!({"share_port": 70000}), "share_port"),
            (json!({"share_port": -1}), "share_port"),
            (json!({"share_port": 80.5}), "share_port"),
            (json!({"share_interface": "eth0"}), "share_interface"),
            (json!({"share_interface": "0.0.0.0"}), "share_interface"),
            (json!({"share_interface": 3}), "share_interface"),
            (json!({"theme": "dark"}), "theme"),
            (json!({"result_cap_host": 0}), "result_cap_host"),
            (json!({"result_cap_host": -5}), "result_cap_host"),
            (json!({"result_cap_host": 2.5e6}), "result_cap_host"),
            (json!({"result_cap_host": 1e12}), "result_cap_host"),
            (json!({"result_cap_guest": "5M"}), "result_cap_guest"),
            (json!({"result_cap_guest": 999}), "result_cap_guest"),
            (
                json!({"result_cap_host": 2_000_000, "result_cap_guest": 3_000_000}),
                "result_cap_guest",
            ),
        ] {
            let e = HostSettings::from_value(&v).expect_err(&v.to_string());
            assert_eq!(field_of(e), field, "{v}");
        }
    }

    #[test]
    fn saved_settings_load_back_and_missing_file_is_defaults() {
        let dir = std::env::temp_dir().join(format!(
            "cristallo-settings-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(HostSettings::load(&dir).unwrap(), HostSettings::default());
        let s =
            HostSettings::from_value(&json!({"share_interface": " 10.0.0.7 ", "share_port": 8123}))
                .unwrap();
        assert_eq!(s.share_interface.as_deref(), Some("10.0.0.7"));
        assert_eq!(s.result_cap_guest, DEFAULT_RESULT_CAP_GUEST);
        s.save(&dir).unwrap();
        assert_eq!(HostSettings::load(&dir).unwrap(), s);
        let caps = HostSettings::from_value(
            &json!({"result_cap_host": 20_000_000, "result_cap_guest": 2_000_000}),
        )
        .unwrap();
        caps.save(&dir).unwrap();
        let back = HostSettings::load(&dir).unwrap();
        assert_eq!(
            (back.result_cap_host, back.result_cap_guest),
            (20_000_000, 2_000_000)
        );
        // A file written before the budgets existed reads with the default budgets.
        std::fs::write(
            dir.join(SETTINGS_FILE),
            r#"{"share_interface": null, "share_port": 0}"#,
        )
        .unwrap();
        assert_eq!(HostSettings::load(&dir).unwrap(), HostSettings::default());
        assert!(!dir.join("settings.json.tmp").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_named_pipe_as_the_settings_file_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(dir.path().join(SETTINGS_FILE))
            .status()
            .unwrap();
        assert!(made.success());
        let (tx, rx) = std::sync::mpsc::channel();
        let path = dir.path().to_path_buf();
        std::thread::spawn(move || {
            let _ = tx.send(HostSettings::load(&path).map_err(|e| e.to_string()));
        });
        let answer = rx
            .recv_timeout(std::time::Duration::from_secs(1))
            .expect("an answer within 1 s");
        assert!(answer.unwrap_err().contains("named pipe"));
    }
}
