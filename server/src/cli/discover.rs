//! `cristallo discover`: the shared twins found on the local network by mDNS.

/// Prints one JSON line per twin found within `timeout_s` (only on interface `on` if given);
/// finding none is an error.
pub fn discover(on: Option<std::net::IpAddr>, timeout_s: f64, first: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        timeout_s.is_finite() && timeout_s > 0.0 && timeout_s <= 600.0,
        "--timeout-s must be in (0, 600]"
    );
    let peers = cristallo_server::share::discover(
        on,
        std::time::Duration::from_secs_f64(timeout_s),
        first,
    )?;
    for p in &peers {
        println!("{}", serde_json::to_string(p)?);
    }
    anyhow::ensure!(
        !peers.is_empty(),
        "no shared Cristallo twin found within {timeout_s} s"
    );
    Ok(())
}
