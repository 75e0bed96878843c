//! What the server benches share: a platform on an empty history and the runtime it runs on.

use std::sync::Arc;

use cristallo_server::{AppConfig, Platform};

/// A platform with an empty history in a temporary directory (kept alive by the returned
/// guard) and the two-worker runtime the server would use on this machine.
pub fn fresh_platform() -> (tempfile::TempDir, Arc<Platform>, tokio::runtime::Runtime) {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::open(AppConfig::new(dir.path().to_path_buf())).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    (dir, platform, runtime)
}
