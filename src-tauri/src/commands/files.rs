//! Files the user saves: exports written to the Downloads folder, and the fea deck's text.

use cristallo_core::ErrorBody;
use cristallo_server::ApiError;
use serde_json::Value;
use tauri::{AppHandle, Manager, Runtime, State};

use super::{blocking, invalid, Answer};
use crate::AppOptions;

/// Longest accepted export file name.
const MAX_FILE_NAME: usize = 200;

/// Saves an export (JSON, CSV, PNG, SVG, report, deck) in the Downloads folder and answers its
/// path; the webview alone would drop it silently in the working directory. The raw body is
/// the file, the `x-file-name` header its name: letters, digits, `.`, `-`, `_` and spaces, no
/// path. An existing file is never replaced (" (1)", " (2)", … is appended).
#[tauri::command]
pub async fn save_download<R: Runtime>(
    app: AppHandle<R>,
    options: State<'_, AppOptions>,
    request: tauri::ipc::Request<'_>,
) -> Answer<String> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(invalid("body", "the file must be sent as raw bytes"));
    };
    let bytes = bytes.clone();
    let name = request
        .headers()
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim()
        .to_string();
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ');
    if name.is_empty()
        || name.len() > MAX_FILE_NAME
        || name.starts_with('.')
        || !name.chars().all(safe)
    {
        return Err(invalid(
            "name",
            format!(
                "'{name}' is not a file name (1 to {MAX_FILE_NAME} letters, digits, '.', '-', \
                 '_' or spaces, not starting with '.')"
            ),
        ));
    }
    let dir = match &options.download_dir {
        Some(d) => d.clone(),
        None => app
            .path()
            .download_dir()
            .or_else(|_| app.path().home_dir())
            .map_err(|e| ErrorBody::message(format!("no Downloads folder: {e}")))?,
    };
    blocking(move || {
        let io = |e: std::io::Error| ApiError::Internal {
            reason: format!("cannot save {name} in {}: {e}", dir.display()),
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let (stem, ext) = match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), format!(".{ext}")),
            _ => (name.clone(), String::new()),
        };
        for n in 0..1000 {
            let candidate = if n == 0 {
                dir.join(&name)
            } else {
                dir.join(format!("{stem} ({n}){ext}"))
            };
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&candidate)
            {
                Ok(mut file) => {
                    use std::io::Write;
                    file.write_all(&bytes).map_err(io)?;
                    return Ok(candidate.display().to_string());
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(e)),
            }
        }
        Err(io(std::io::Error::other("1000 files of that name exist")))
    })
    .await
}

/// The CalculiX deck of the `fea` tool for `params` (`POST /api/tools/fea/deck`).
#[tauri::command]
pub async fn fea_deck(params: Value) -> Answer<String> {
    blocking(move || {
        cristallo_core::fea::FeaParams::parse(&params)
            .and_then(|(p, _)| cristallo_core::fea::deck(&p))
            .map_err(ApiError::from)
    })
    .await
}
