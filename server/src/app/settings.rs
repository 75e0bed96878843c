//! The host's settings (the Settings page), read and replaced as a whole.

use std::sync::Arc;

use serde_json::Value;

use crate::access::Caller;
use crate::app::blocking;
use crate::{ApiError, Platform};

/// The Settings page's data (host only).
pub async fn get(p: &Arc<Platform>, caller: &Caller) -> Result<Value, ApiError> {
    let (p, caller) = (p.clone(), caller.clone());
    blocking(move || p.settings(&caller)).await
}

/// Replaces the stored settings (host only); an error names the bad field.
pub async fn set(p: &Arc<Platform>, caller: &Caller, settings: Value) -> Result<Value, ApiError> {
    let (p, caller) = (p.clone(), caller.clone());
    blocking(move || p.set_settings(&caller, &settings)).await
}
