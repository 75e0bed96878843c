//! The history's WAL checkpoints on a thread of their own, so recording a run never waits for
//! the disk.
//!
//! With `synchronous = NORMAL` a commit only appends to the write-ahead log; copying the log
//! into the database (a checkpoint, which syncs the disk) is what takes time. SQLite would run it
//! inside the commit that crosses its threshold, in front of that run's answer. Here the
//! request's connection only checkpoints as a backstop ([`BACKSTOP_PAGES`]); a thread with its
//! own connection runs a `PASSIVE` checkpoint (which never blocks writers) once
//! [`CHECKPOINT_BYTES`] were written or the writes paused for [`QUIET`]. It ends when the store
//! is dropped, after a last checkpoint.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::StoreError;

/// Bytes written since the last checkpoint that start the next one.
pub(crate) const CHECKPOINT_BYTES: usize = 4 << 20;
/// A pause in the writes this long starts a checkpoint of what they left in the log.
pub(crate) const QUIET: Duration = Duration::from_millis(500);
/// The request connection's own automatic checkpoint, in pages (4 KiB): only if this thread
/// falls far behind (32 MiB of log).
pub(crate) const BACKSTOP_PAGES: i64 = 8192;

/// The checkpoint thread and the channel telling it how many bytes were written.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    wrote: Option<SyncSender<usize>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on its own connection to the database at `path`.
    pub(crate) fn start(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let (wrote, told) = mpsc::sync_channel::<usize>(256);
        let thread = std::thread::Builder::new()
            .name("history-checkpoint".into())
            .spawn(move || run(&conn, &told))
            .map_err(|e| StoreError::Corrupt(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Self {
            wrote: Some(wrote),
            thread: Some(thread),
        })
    }

    /// Tells the thread that a commit wrote about `bytes` to the log (never blocks; a full
    /// channel means the thread has enough to do already).
    pub(crate) fn wrote(&self, bytes: usize) {
        if let Some(tx) = &self.wrote {
            let _ = tx.try_send(bytes);
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.wrote.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread: gathers written bytes, checkpoints on the byte budget or after a quiet spell.
fn run(conn: &Connection, told: &mpsc::Receiver<usize>) {
    let mut pending = 0usize;
    loop {
        let next = if pending == 0 {
            told.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            told.recv_timeout(QUIET)
        };
        match next {
            Ok(bytes) => {
                pending = pending.saturating_add(bytes.max(1));
                if pending >= CHECKPOINT_BYTES {
                    checkpoint(conn);
                    pending = 0;
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                checkpoint(conn);
                pending = 0;
            }
            Err(RecvTimeoutError::Disconnected) => {
                if pending > 0 {
                    checkpoint(conn);
                }
                return;
            }
        }
    }
}

/// A `PASSIVE` checkpoint: copies what it can without waiting for readers or writers. A failure
/// (the database busy or gone) is left to the next checkpoint or the backstop.
fn checkpoint(conn: &Connection) {
    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_log_is_checkpointed_by_the_thread_not_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite3");
        let writer = Connection::open(&path).unwrap();
        writer.pragma_update(None, "journal_mode", "WAL").unwrap();
        writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        writer
            .execute_batch("CREATE TABLE t (b BLOB NOT NULL)")
            .unwrap();
        let checkpointer = Checkpointer::start(&path).unwrap();
        let blob = vec![7u8; 1 << 20];
        for _ in 0..5 {
            writer
                .execute("INSERT INTO t (b) VALUES (?1)", [&blob])
                .unwrap();
            checkpointer.wrote(blob.len());
        }
        // The writer never checkpoints (autocheckpoint off), so the blobs reach the database
        // file only through the thread: 5 MiB crossed its byte budget.
        let db_bytes = || std::fs::metadata(&path).unwrap().len();
        let copied = (0..50).any(|_| {
            std::thread::sleep(QUIET / 5);
            db_bytes() >= 5 << 20
        });
        assert!(copied, "the log was not checkpointed: {} bytes", db_bytes());
        drop(checkpointer);
    }
}
