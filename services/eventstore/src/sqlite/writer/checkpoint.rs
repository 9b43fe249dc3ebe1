//! The WAL folded into the main file off the writer thread.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses its
//! threshold, on the committing connection: the writer thread, with every
//! caller of that group commit (and everyone queued behind it) waiting while
//! thousands of pages are copied and the main file is synced. Under load
//! that was the longest pause in acknowledgements (`samverkan loadgen`: 12–19
//! ms without an answer, 6–11 ms with no checkpoints at all). Here the
//! writer's connection has automatic checkpoints off, and a thread of its
//! own, on a connection of its own, runs a passive checkpoint (one that
//! never waits for readers or the writer) at most every [`INTERVAL`] while
//! there are commits. Such a pass never catches up with a writer that keeps
//! appending, and the WAL starts over from its beginning only after a
//! checkpoint that left nothing behind: so after each pass the writer folds
//! in the few frames committed during it, between two transactions (see
//! [`Checkpointer::passed`]). Without that the WAL grew without end under
//! steady load, and every commit extended the file (the store's 16-writer
//! bench lost a third of its rate). Crash safety is SQLite's either way: a
//! checkpoint may stop at any point, and the WAL is replayed on the next
//! open.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How often, at most, the WAL is folded into the main file while commits come.
pub(crate) const INTERVAL: Duration = Duration::from_millis(200);

pub(crate) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    stopping: Arc<AtomicBool>,
    /// Set after each pass: what was committed before it is in the main file.
    passed: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on `conn` (a read-write connection to the store,
    /// with automatic checkpoints off). `None` if the thread cannot be had.
    pub(crate) fn start(conn: Connection, path: &Path) -> Option<Self> {
        let (nudge, rx) = mpsc::sync_channel(1);
        let stopping = Arc::new(AtomicBool::new(false));
        let passed = Arc::new(AtomicBool::new(false));
        let (path, stop, pass) = (path.to_path_buf(), stopping.clone(), passed.clone());
        let handle = std::thread::Builder::new()
            .name("eventstore-checkpoint".into())
            .spawn(move || run(&conn, &rx, &stop, &pass, &path))
            .ok()?;
        Some(Self {
            nudge: Some(nudge),
            stopping,
            passed,
            handle: Some(handle),
        })
    }

    /// Something was committed. Never blocks, and wakes the thread only
    /// when it waits for a commit: while it sleeps out its interval the one
    /// pending nudge is already there and this is a failed `try_send`.
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

    /// Whether a pass ended since the last call. The writer then folds in
    /// the few frames committed during that pass itself, between two
    /// transactions: only a checkpoint that leaves nothing behind lets the
    /// next commit start the WAL over, and under steady load the thread's
    /// passes never would (the writer appends while they run).
    pub(crate) fn passed(&self) -> bool {
        self.passed.swap(false, Ordering::AcqRel)
    }

    /// Stops the thread, after the checkpoint it may be running.
    pub(crate) fn stop(&mut self) {
        self.stopping.store(true, Ordering::Release);
        self.nudge.take();
        if let Some(handle) = self.handle.take() {
            handle.thread().unpark();
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

fn run(conn: &Connection, rx: &mpsc::Receiver<()>, stopping: &AtomicBool, passed: &AtomicBool, path: &Path) {
    // Wait for a commit; fold; sleep out the interval while commits gather
    // (their nudges wait in the channel), unless told to stop.
    while rx.recv().is_ok() && !stopping.load(Ordering::Acquire) {
        let started = Instant::now();
        let folded = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        });
        match folded {
            Ok((frames, copied)) => {
                passed.store(true, Ordering::Release);
                tracing::trace!(
                    frames,
                    copied,
                    took_ms = started.elapsed().as_secs_f64() * 1000.0,
                    "event store checkpoint"
                );
            }
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "event store checkpoint failed"),
        }
        let until = started + INTERVAL;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            if stopping.load(Ordering::Acquire) {
                return;
            }
            std::thread::park_timeout(left);
        }
    }
}
