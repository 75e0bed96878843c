//! Files the user saves: exports written to the Downloads folder, and a tool's artifacts (the
//! fea deck) for the UI to save.

use cristallo_core::ErrorBody;
use cristallo_server::ApiError;
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Manager, Runtime, State};

use super::{blocking, body, invalid, Answer};
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

/// A produced artifact as the UI receives it: `text` when the bytes are UTF-8 (the fea deck),
/// `bytes` otherwise; the UI saves either with [`save_download`].
#[derive(Debug, Serialize)]
pub struct ArtifactAnswer {
    file_name: String,
    media_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<Vec<u8>>,
}

/// Artifact `name` of `tool` for `params` (`POST /api/tools/{id}/artifacts/{name}`): the same
/// checks and errors (`artifact`, or the parameter's field).
#[tauri::command]
pub async fn tool_artifact(tool: String, name: String, params: Value) -> Answer<ArtifactAnswer> {
    let artifact = cristallo_server::app::runs::artifact(tool, name, params)
        .await
        .map_err(body)?;
    let (text, bytes) = match String::from_utf8(artifact.bytes) {
        Ok(text) => (Some(text), None),
        Err(e) => (None, Some(e.into_bytes())),
    };
    Ok(ArtifactAnswer {
        file_name: artifact.file_name,
        media_type: artifact.media_type,
        text,
        bytes,
    })
}
