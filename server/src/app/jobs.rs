//! Background runs: start one, follow its events, cancel it. The job table itself is
//! [`crate::jobs`], owned by the platform.

use std::sync::Arc;

use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use crate::access::Caller;
use crate::app::session::known_tool;
use crate::jobs::{JobEvent, Params};
use crate::{ApiError, Platform};

/// Starts `tool` in the background for `caller`; answers the job id.
pub fn start(
    p: &Arc<Platform>,
    caller: &Caller,
    tool: &str,
    params: impl Into<Params>,
) -> Result<String, ApiError> {
    known_tool(tool)?;
    Ok(p.start_job(caller, tool, params, None)?.id.clone())
}

/// The events of job `id`: the latest one, then each following one up to the final one (or
/// until the platform shuts down). Only the job's owner or the host may follow it.
pub fn events(
    p: &Arc<Platform>,
    caller: &Caller,
    id: &str,
) -> Result<impl Stream<Item = JobEvent> + Send + 'static, ApiError> {
    let job = p.jobs.get_visible(id, caller)?;
    let (latest, rx) = job.follow();
    let events = stream::unfold(
        (Some(latest), rx, false),
        |(first, mut rx, done)| async move {
            if done {
                return None;
            }
            let event = match first {
                Some(e) => e,
                None => loop {
                    match rx.recv().await {
                        Ok(e) => break e,
                        Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    }
                },
            };
            let last = event.is_final();
            Some((event, (None, rx, last)))
        },
    );
    Ok(events.take_until(p.closed()))
}

/// Asks job `id` to stop (its owner or the host).
pub fn cancel(p: &Arc<Platform>, caller: &Caller, id: &str) -> Result<(), ApiError> {
    p.jobs.get_visible(id, caller)?.cancel.cancel();
    Ok(())
}

/// Asks the running job `id` (an id the caller chose) to stop; none running: `no such job`,
/// and a job started later under `id` starts cancelled (the cancel overtook its run).
pub fn cancel_or_remember(p: &Arc<Platform>, caller: &Caller, id: &str) -> Result<(), ApiError> {
    if p.jobs.cancel_or_remember(id, caller) {
        Ok(())
    } else {
        Err(ApiError::NotFound {
            what: format!("job {id}"),
        })
    }
}
