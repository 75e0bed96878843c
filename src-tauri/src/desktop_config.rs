//! The desktop app's own settings file, `config.json` in the app's config directory: the data
//! directory to use from the next start (chosen on the Settings page). It cannot live in the
//! data directory it names. `CRISTALLO_DATA_DIR` still wins over it; with neither, the app uses
//! its platform data directory. The file is written whole to a temporary name and renamed.

use std::path::{Path, PathBuf};

use cristallo_core::hostfile::HostFileError;
use serde::{Deserialize, Serialize};

/// File name in the config directory.
pub const CONFIG_FILE: &str = "config.json";

/// What the file holds; a missing file means the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesktopConfig {
    /// Data directory from the next start; None: the platform's app data directory.
    pub data_dir: Option<PathBuf>,
}

/// Why a data directory was refused or the file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("data_dir: '{path}' is not an absolute path")]
    NotAbsolute { path: String },
    #[error("data_dir: '{path}' exists and is not a directory")]
    NotADirectory { path: String },
    #[error("data_dir: cannot create or write in '{path}': {reason}")]
    NotWritable { path: String, reason: String },
    #[error("cannot read or write {path}: {reason}")]
    File { path: String, reason: String },
}

impl ConfigError {
    /// The form field the error is about (for `{error, field}`).
    pub fn field(&self) -> &'static str {
        match self {
            ConfigError::File { .. } => "config",
            _ => "data_dir",
        }
    }
}

impl DesktopConfig {
    /// The configuration in `dir` (defaults when there is no file; a damaged file is an error).
    pub fn load(dir: &Path) -> Result<Self, ConfigError> {
        let path = dir.join(CONFIG_FILE);
        let file_error = |reason: String| ConfigError::File {
            path: path.display().to_string(),
            reason,
        };
        // At most 1 MB, and only a regular file (a named pipe would block the start).
        match cristallo_core::hostfile::read_text(&path, 1 << 20) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| file_error(e.to_string())),
            Err(HostFileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Self::default())
            }
            Err(e) => Err(file_error(e.to_string())),
        }
    }

    /// Writes the configuration to `dir` (created if missing), atomically.
    pub fn save(&self, dir: &Path) -> Result<(), ConfigError> {
        let path = dir.join(CONFIG_FILE);
        let file_error = |e: std::io::Error| ConfigError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(file_error)?;
        let tmp = dir.join(format!("{CONFIG_FILE}.tmp"));
        let text = serde_json::to_string_pretty(self).map_err(|e| ConfigError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        std::fs::write(&tmp, text + "\n").map_err(file_error)?;
        std::fs::rename(&tmp, &path).map_err(file_error)
    }
}

/// Checks a data directory a user typed: absolute, a directory (created if missing) in which
/// a file can be written. Empty text means "the default" (None).
pub fn check_data_dir(text: &str) -> Result<Option<PathBuf>, ConfigError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let path = PathBuf::from(text);
    let shown = || path.display().to_string();
    if !path.is_absolute() {
        return Err(ConfigError::NotAbsolute { path: shown() });
    }
    if path.exists() && !path.is_dir() {
        return Err(ConfigError::NotADirectory { path: shown() });
    }
    let not_writable = |e: std::io::Error| ConfigError::NotWritable {
        path: shown(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(&path).map_err(not_writable)?;
    let probe = path.join(format!(".cristallo-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(not_writable)?;
    let _ = std::fs::remove_file(&probe);
    Ok(Some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dirs_are_checked_and_the_file_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(check_data_dir("  ").unwrap(), None);
        assert!(matches!(
            check_data_dir("relative/dir"),
            Err(ConfigError::NotAbsolute { .. })
        ));
        let file = tmp.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        let e = check_data_dir(file.to_str().unwrap()).unwrap_err();
        assert!(matches!(e, ConfigError::NotADirectory { .. }));
        assert_eq!(e.field(), "data_dir");
        let new_dir = tmp.path().join("new").join("data");
        assert_eq!(
            check_data_dir(new_dir.to_str().unwrap()).unwrap(),
            Some(new_dir.clone())
        );
        assert!(new_dir.is_dir(), "created");

        let config_dir = tmp.path().join("config");
        assert_eq!(
            DesktopConfig::load(&config_dir).unwrap(),
            DesktopConfig::default()
        );
        let c = DesktopConfig {
            data_dir: Some(new_dir),
        };
        c.save(&config_dir).unwrap();
        assert_eq!(DesktopConfig::load(&config_dir).unwrap(), c);
        std::fs::write(config_dir.join(CONFIG_FILE), "{broken").unwrap();
        assert!(matches!(
            DesktopConfig::load(&config_dir),
            Err(ConfigError::File { .. })
        ));
    }
}
