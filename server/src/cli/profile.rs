//! `cristallo profile …`: the saved model profiles (docs/measured.md §7), as the local host.

use std::path::PathBuf;

use cristallo_core::ToolError;
use cristallo_server::access::Caller;
use cristallo_server::profiles::ImportRequest;
use cristallo_server::{ApiError, AppConfig, Platform};

use super::flags::ProfileAction;
use super::{read_params, Error};

fn internal(e: serde_json::Error) -> ApiError {
    ApiError::Internal {
        reason: e.to_string(),
    }
}

fn print_json(v: &impl serde::Serialize) -> Result<(), ApiError> {
    let text = serde_json::to_string_pretty(v).map_err(internal)?;
    println!("{text}");
    Ok(())
}

fn read_file_arg(file: &str) -> Result<Vec<u8>, ApiError> {
    read_params(Some(file)).map_err(|message| ApiError::Tool(ToolError::invalid("file", message)))
}

/// Performs `action` on the profile store in `data_dir` (default: the platform's).
pub fn profile(action: ProfileAction, data_dir: Option<PathBuf>) -> Result<(), Error> {
    let dir = data_dir.unwrap_or_else(cristallo_server::store::default_data_dir);
    let platform = Platform::open(AppConfig::new(dir))?;
    Ok(act(&platform, action)?)
}

fn act(platform: &Platform, action: ProfileAction) -> Result<(), ApiError> {
    let host = Caller::host();
    match action {
        ProfileAction::List => {
            for p in &platform.list_profiles()? {
                println!("{}", serde_json::to_string(p).map_err(internal)?);
            }
            Ok(())
        }
        ProfileAction::Show { id } => print_json(&platform.get_profile(&id)?.to_json()),
        ProfileAction::Save { file } => {
            let bytes = read_file_arg(&file)?;
            let v = serde_json::from_slice::<serde_json::Value>(&bytes).map_err(|e| {
                ApiError::Tool(ToolError::invalid(
                    "profile",
                    format!("not valid JSON: {e}"),
                ))
            })?;
            print_json(&platform.save_profile(&host, &v)?.to_json())
        }
        ProfileAction::Delete { id } => {
            let d = platform.delete_profile(&host, &id)?;
            eprintln!(
                "deleted; `cristallo profile restore {}` within {} s undoes it",
                d.id, d.undo_seconds
            );
            print_json(&d)
        }
        ProfileAction::Restore { id } => {
            print_json(&platform.restore_profile(&host, &id)?.to_json())
        }
        ProfileAction::Import { file, name } => {
            let text = String::from_utf8(read_file_arg(&file)?).map_err(|_| {
                ApiError::Tool(ToolError::invalid(
                    "file",
                    format!("{file} is not UTF-8 text"),
                ))
            })?;
            let req = ImportRequest {
                text,
                name,
                file_name: Some(file.clone()),
            };
            let outcome = platform.import_profile(&host, &req)?;
            for w in &outcome.warnings {
                eprintln!("warning: {w}");
            }
            print_json(&outcome)
        }
        ProfileAction::Export { id, out } => {
            let doc = platform.get_profile(&id)?.to_json();
            match out {
                None => print_json(&doc),
                Some(path) => {
                    let text = serde_json::to_string_pretty(&doc).map_err(internal)?;
                    std::fs::write(&path, text + "\n").map_err(|e| {
                        ApiError::Tool(ToolError::invalid(
                            "out",
                            format!("cannot write {}: {e}", path.display()),
                        ))
                    })
                }
            }
        }
    }
}
