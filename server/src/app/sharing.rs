//! The host's share dialog: its status, what guests may do, a new guest link, ending a guest
//! session.

use std::sync::Arc;

use crate::access::{Caller, GuestAccess};
use crate::app::blocking;
use crate::{ApiError, Platform, ShareStatus};

/// The share dialog's data (host only).
pub fn status(p: &Arc<Platform>, caller: &Caller) -> Result<ShareStatus, ApiError> {
    Platform::require_host(caller)?;
    Ok(p.share_status())
}

/// Sets what guests may do (host only, persisted); answers the new status.
pub async fn set_guest_access(
    p: &Arc<Platform>,
    caller: &Caller,
    access: GuestAccess,
) -> Result<ShareStatus, ApiError> {
    Platform::require_host(caller)?;
    let (platform, caller) = (p.clone(), caller.clone());
    blocking(move || platform.set_guest_access(&caller, access)).await?;
    Ok(p.share_status())
}

/// A new guest link (host only); the old one stops working.
pub fn rotate_token(p: &Arc<Platform>, caller: &Caller) -> Result<ShareStatus, ApiError> {
    p.rotate_guest_token(caller)
}

/// Ends guest session `id` (host only).
pub fn revoke_session(p: &Arc<Platform>, caller: &Caller, id: &str) -> Result<(), ApiError> {
    p.revoke(caller, id)
}
