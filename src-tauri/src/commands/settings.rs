//! Settings: the stored ones the Settings page edits, and the desktop's own (data directory).

use cristallo_core::ErrorBody;
use cristallo_server::access::Caller;
use cristallo_server::Platform;
use serde_json::{json, Value};
use tauri::{AppHandle, Runtime, State};

use super::{blocking, Answer, Shared};
use crate::AppOptions;

/// The Settings page's data (`GET /api/settings`).
#[tauri::command]
pub async fn settings_get(platform: Shared<'_>) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || p.settings(&Caller::host())).await
}

/// Replaces the stored settings (`PUT /api/settings`); errors name the field.
#[tauri::command]
pub async fn settings_set(platform: Shared<'_>, settings: Value) -> Answer<Value> {
    let p = platform.inner().clone();
    blocking(move || p.set_settings(&Caller::host(), &settings)).await
}

/// The desktop part of the Settings page: the data directory in use, the one configured for
/// the next start (null: the default), and whether `CRISTALLO_DATA_DIR` overrides it.
fn desktop_settings_view(
    platform: &Platform,
    next: Option<&std::path::Path>,
    file: Option<&std::path::Path>,
) -> Value {
    json!({
        "data_dir": platform.config.data_dir.display().to_string(),
        "data_dir_next": next.map(|p| p.display().to_string()),
        "env_override": std::env::var_os("CRISTALLO_DATA_DIR").is_some_and(|d| !d.is_empty()),
        "config_file": file.map(|p| p.display().to_string()),
    })
}

fn config_error(e: crate::desktop_config::ConfigError) -> ErrorBody {
    ErrorBody {
        error: e.to_string(),
        field: Some(e.field().into()),
        code: None,
    }
}

/// The desktop settings ([`crate::desktop_config`]).
#[tauri::command]
pub async fn desktop_settings_get<R: Runtime>(
    app: AppHandle<R>,
    platform: Shared<'_>,
    options: State<'_, AppOptions>,
) -> Answer<Value> {
    let dir = crate::config_dir(&app, &options);
    let next = match &dir {
        Some(d) => {
            crate::desktop_config::DesktopConfig::load(d)
                .map_err(config_error)?
                .data_dir
        }
        None => None,
    };
    let file = dir.map(|d| d.join(crate::desktop_config::CONFIG_FILE));
    Ok(desktop_settings_view(
        &platform,
        next.as_deref(),
        file.as_deref(),
    ))
}

/// Sets the data directory for the next start (`""`: the default); checked first (absolute, a
/// directory that can be created and written). The directory in use stays until the restart.
#[tauri::command]
pub async fn desktop_settings_set<R: Runtime>(
    app: AppHandle<R>,
    platform: Shared<'_>,
    options: State<'_, AppOptions>,
    data_dir: String,
) -> Answer<Value> {
    let dir = crate::config_dir(&app, &options)
        .ok_or_else(|| ErrorBody::message("the app has no config directory"))?;
    let next = crate::desktop_config::check_data_dir(&data_dir).map_err(config_error)?;
    let config = crate::desktop_config::DesktopConfig {
        data_dir: next.clone(),
    };
    config.save(&dir).map_err(config_error)?;
    let file = dir.join(crate::desktop_config::CONFIG_FILE);
    Ok(desktop_settings_view(
        &platform,
        next.as_deref(),
        Some(&file),
    ))
}
