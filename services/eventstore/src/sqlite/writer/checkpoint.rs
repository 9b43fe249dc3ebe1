//! The WAL folded into the main file off the writer thread.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses its
//! threshold, on the committing connection: the writer thread, with every
//! caller of that group commit (and everyone queued behind it) waiting while
//! thousands of pages are copied and the main file is synced. Under load
//! that was the longest pause in acknowledgements (`samverkan loadgen`: 14–20
//! ms without an answer, 6–11 ms with no checkpoints at all). Here the
//! writer's connection has automatic checkpoints off, and a thread of its
//! own, on a connection of its own, runs a passive checkpoint (one that
//! never waits for readers or the writer) at most every [`INTERVAL`] while
//! there are commits. Crash safety is SQLite's either way: a checkpoint may
//! stop at any point, and the WAL is replayed on the next open.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How often, at most, the WAL is folded into the main file while commits come.
pub(crate) const INTERVAL: Duration = Duration::from_millis(500);

pub(crate) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    handle: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on `conn` (a read-write connection to the store,
    /// with automatic checkpoints off). `None` if the thread cannot be had.
    pub(crate) fn start(conn: Connection, path: &Path) -> Option<Self> {
        let (nudge, rx) = mpsc::sync_channel(1);
        let path = path.to_path_buf();
        let handle = std::thread::Builder::new()
            .name("eventstore-checkpoint".into())
            .spawn(move || run(&conn, &rx, &path))
            .ok()?;
        Some(Self {
            nudge: Some(nudge),
            handle: Some(handle),
        })
    }

    /// Something was committed (never blocks: one pending nudge is enough).
    pub(crate) fn nudge(&self) {
        if let Some(nudge) = &self.nudge {
            match nudge.try_send(()) {
                Ok(()) | Err(TrySendError::Full(())) => {}
                Err(TrySendError::Disconnected(())) => {
                    tracing::warn!("the event store checkpoint thread has stopped");
                }
            }
        }
    }

    /// Stops the thread, after the checkpoint it may be running.
    pub(crate) fn stop(&mut self) {
        self.nudge.take();
        if let Some(handle) = self.handle.take() {
            if handle.join().is_err() {
                tracing::error!("the event store checkpoint thread panicked");
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(conn: &Connection, rx: &mpsc::Receiver<()>, path: &Path) {
    // Wait for a commit; then fold, and let commits gather for the rest of
    // the interval before the next one.
    while rx.recv().is_ok() {
        let started = Instant::now();
        let folded = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        });
        match folded {
            Ok((frames, copied)) => tracing::trace!(
                frames,
                copied,
                took_ms = started.elapsed().as_secs_f64() * 1000.0,
                "event store checkpoint"
            ),
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "event store checkpoint failed"),
        }
        let until = started + INTERVAL;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(()) => {}
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}
