//! The embedded backend: one SQLite file (WAL, `synchronous=FULL`), one
//! writer thread with group commit, a pool of read-only connections.
//! See `docs/eventstore.md` for the file format and the guarantees.

mod chain;
mod format;
mod read_only;
mod reader;
mod writer;

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use futures::stream::BoxStream;
use rusqlite::OptionalExtension;
use tokio::sync::{oneshot, watch};

pub use format::{APPLICATION_ID, FORMAT_VERSION};
use reader::ReadPool;
pub(crate) use writer::WriterMetrics;
use writer::{AppendRequest, CheckpointRequest, ImportRequest, Request, Tip, Writer};

use crate::validate::{validate_append, validate_import};
use crate::{AppendResult, Direction, EventStore, ExpectedVersion, NewEvent, RecordedEvent, StoreError};

/// Tuning knobs of [`SqliteStore`]; the defaults suit production.
#[derive(Debug, Clone)]
pub struct SqliteStoreOptions {
    /// Most appends one group commit takes from the queue.
    pub max_batch_appends: usize,
    /// Stop draining the queue once a group commit holds this many events.
    pub max_batch_events: usize,
    /// Events a subscription reads per query while catching up.
    pub subscription_batch: usize,
    /// Idle read connections kept open.
    pub max_idle_readers: usize,
    /// Threads one big `read_all` may use (each reads a slice of the range
    /// on its own connection). Default: the number of CPUs, at most 4.
    pub read_parallelism: usize,
}

impl Default for SqliteStoreOptions {
    fn default() -> Self {
        Self {
            max_batch_appends: 4096,
            max_batch_events: 16_384,
            subscription_batch: 4096,
            max_idle_readers: 8,
            read_parallelism: std::thread::available_parallelism().map_or(1, |n| n.get()).min(4),
        }
    }
}

/// What [`SqliteStore::integrity_check`] found in a healthy store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntegrityReport {
    pub events: u64,
    pub streams: u64,
    pub head_position: Option<u64>,
}

/// The embedded event store. Cheap to clone; all clones share one writer.
/// The writer thread stops (after a final checkpoint) when the last clone
/// is dropped; subscriptions then end with [`StoreError::Closed`].
///
/// One process owns a store file at a time: another process writing the
/// same file would be serialised by SQLite's locks but its events would not
/// wake this process's subscriptions.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    sender: Option<mpsc::Sender<Request>>,
    writer: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
}

/// What readers and subscriptions need; outlives the writer if they do.
struct Shared {
    pool: ReadPool,
    head: watch::Receiver<u64>,
    subscription_batch: usize,
    read_parallelism: usize,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Closing the channel lets the writer finish the queue and stop.
        self.sender.take();
        if let Some(handle) = self.writer.take() {
            if handle.join().is_err() {
                tracing::error!("the event store writer thread panicked");
            }
        }
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.shared.pool.path())
            .finish()
    }
}

impl SqliteStore {
    /// Opens the store file at `path`, creating it if it does not exist (or
    /// is empty) and migrating an older format forward. A file that is not
    /// ours is refused with [`StoreError::NotOurs`], a damaged one with
    /// [`StoreError::Corrupt`], a newer format with [`StoreError::TooNew`];
    /// in those cases not a byte of it is changed.
    ///
    /// Blocking (file I/O); call it at start-up or from `spawn_blocking`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, SqliteStoreOptions::default())
    }

    /// [`SqliteStore::open`] with explicit options.
    pub fn open_with(path: impl AsRef<Path>, options: SqliteStoreOptions) -> Result<Self, StoreError> {
        let path: PathBuf = path.as_ref().to_path_buf();
        let conn = format::open_writer(&path)?;
        // `recorded_at` never decreases along the log: the last event has
        // the latest (one index step, not a scan).
        let (head_pos, last_recorded_at): (i64, i64) = conn
            .query_row(
                "SELECT position, recorded_at FROM events ORDER BY position DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| format::classify(&path, e))?
            .unwrap_or((0, 0));
        let tip = match chain::head(&conn).map_err(|e| format::classify(&path, e))? {
            None => Tip {
                position: 0,
                hash: crate::chain::GENESIS,
            },
            Some((position, Some(hash))) => Tip { position, hash },
            Some((position, None)) => {
                return Err(StoreError::Corrupt {
                    path: path.display().to_string(),
                    reason: format!(
                        "the newest event (position {position}) has no chain link; run `samverkan verify` on the file"
                    ),
                })
            }
        };
        let (head_tx, head_rx) = watch::channel(u64::try_from(head_pos).unwrap_or(0));
        let (sender, receiver) = mpsc::channel();
        // The WAL is folded in by a thread of its own, not in the commits;
        // if it cannot be had, SQLite's automatic checkpoints stay on.
        let checkpointer = match format::open_checkpointer(&path) {
            Ok(c) => writer::checkpoint::Checkpointer::start(c, &path),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "no checkpoint connection; checkpoints stay in the commits");
                None
            }
        };
        if checkpointer.is_some() {
            conn.execute_batch("PRAGMA wal_autocheckpoint = 0")
                .map_err(|e| format::classify(&path, e))?;
        }
        let writer = Writer {
            conn,
            checkpointer,
            path: path.clone(),
            head: head_tx,
            last_recorded_at,
            max_batch_appends: options.max_batch_appends.max(1),
            max_batch_events: options.max_batch_events.max(1),
            streams: HashMap::new(),
            tip,
        };
        let handle = std::thread::Builder::new()
            .name("eventstore-writer".into())
            .spawn(move || writer.run(receiver))
            .map_err(|e| StoreError::Backend(format!("cannot start the writer thread: {e}")))?;
        let shared = Arc::new(Shared {
            pool: ReadPool::new(path, options.max_idle_readers),
            head: head_rx,
            subscription_batch: options.subscription_batch.max(1),
            read_parallelism: options.read_parallelism.max(1),
        });
        Ok(Self {
            inner: Arc::new(Inner {
                sender: Some(sender),
                writer: Some(handle),
                shared,
            }),
        })
    }

    /// The store file's path.
    pub fn path(&self) -> &Path {
        self.inner.shared.pool.path()
    }

    /// Checks the file: `PRAGMA integrity_check`, our application id and
    /// format version, every stream's versions dense from 0, stream order
    /// agreeing with log order, no event id twice in a stream, `recorded_at`
    /// never going back. `Err(Corrupt)` lists what is wrong.
    pub async fn integrity_check(&self) -> Result<IntegrityReport, StoreError> {
        let shared = self.inner.shared.clone();
        blocking(move || {
            shared
                .pool
                .with_conn(|conn| reader::integrity_check(conn, shared.pool.path()))
        })
        .await
    }

    /// [`SqliteStore::integrity_check`] on a file that is not open, read-only
    /// (for ops tools). Blocking.
    pub fn check_file(path: impl AsRef<Path>) -> Result<IntegrityReport, StoreError> {
        let path = path.as_ref();
        match format::inspect(path)? {
            format::FileState::New => Err(StoreError::NotOurs {
                path: path.display().to_string(),
                reason: "no event store here (missing or empty)".into(),
            }),
            format::FileState::Ours { .. } => {
                let conn = format::open_reader(path)?;
                reader::integrity_check(&conn, path)
            }
        }
    }
}

async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, StoreError> + Send + 'static,
) -> Result<R, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Backend(format!("event store read task failed: {e}")))?
}

#[async_trait::async_trait]
impl EventStore for SqliteStore {
    // Spans carry the stream and counts, never event bodies or metadata.
    #[tracing::instrument(
        name = "eventstore.append",
        skip_all,
        fields(stream = stream, events = events.len() as i64, expected = ?expected, position = tracing::field::Empty)
    )]
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        validate_append(stream, &events)?;
        let sender = self.inner.sender.as_ref().ok_or(StoreError::Closed)?;
        let (reply, answer) = oneshot::channel();
        sender
            .send(Request::Append(AppendRequest {
                stream: stream.to_owned(),
                expected,
                events,
                reply,
            }))
            .map_err(|_| StoreError::Closed)?;
        let result = answer.await.map_err(|_| StoreError::Closed)?;
        if let Ok(r) = &result {
            tracing::Span::current().record("position", r.position as i64);
        }
        result
    }

    #[tracing::instrument(name = "eventstore.import", skip_all, fields(events = events.len() as i64))]
    async fn import(&self, events: Vec<RecordedEvent>) -> Result<(), StoreError> {
        validate_import(&events)?;
        if events.is_empty() {
            return Ok(());
        }
        let sender = self.inner.sender.as_ref().ok_or(StoreError::Closed)?;
        let (reply, answer) = oneshot::channel();
        sender
            .send(Request::Import(ImportRequest { events, reply }))
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    #[tracing::instrument(
        name = "eventstore.read_stream",
        skip_all,
        fields(stream = stream, direction = ?direction, from = from.map(|f| f as i64), max = max as i64, read = tracing::field::Empty)
    )]
    async fn read_stream(
        &self,
        stream: &str,
        direction: Direction,
        from: Option<u64>,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let shared = self.inner.shared.clone();
        let stream = stream.to_owned();
        let events = blocking(move || reader::read_stream(&shared.pool, &stream, direction, from, max)).await?;
        tracing::Span::current().record("read", events.len() as i64);
        Ok(events)
    }

    #[tracing::instrument(
        name = "eventstore.read_all",
        skip_all,
        fields(after = after.map(|a| a as i64), max = max as i64, read = tracing::field::Empty)
    )]
    async fn read_all(&self, after: Option<u64>, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let shared = self.inner.shared.clone();
        let head = *shared.head.borrow();
        let events =
            blocking(move || reader::read_all(&shared.pool, after, max, head, shared.read_parallelism)).await?;
        tracing::Span::current().record("read", events.len() as i64);
        Ok(events)
    }

    #[tracing::instrument(name = "eventstore.find_event", skip_all, fields(found = tracing::field::Empty))]
    async fn find_event(&self, id: uuid::Uuid) -> Result<Option<RecordedEvent>, StoreError> {
        let shared = self.inner.shared.clone();
        let event = blocking(move || reader::find_event(&shared.pool, id)).await?;
        tracing::Span::current().record("found", event.is_some());
        Ok(event)
    }

    async fn head_position(&self) -> Result<Option<u64>, StoreError> {
        // The writer publishes the head after each commit, before answering
        // the appenders: this is never behind an acknowledged append.
        let head = *self.inner.shared.head.borrow();
        Ok((head > 0).then_some(head))
    }

    fn keeps_chain(&self) -> bool {
        true
    }

    async fn read_chain(&self, after: Option<u64>, max: usize) -> Result<Vec<crate::chain::ChainedEvent>, StoreError> {
        let shared = self.inner.shared.clone();
        blocking(move || chain::read_chain(&shared.pool, after, max)).await
    }

    async fn chain_head(&self) -> Result<Option<crate::chain::ChainHead>, StoreError> {
        let shared = self.inner.shared.clone();
        blocking(move || chain::chain_head(&shared.pool)).await
    }

    async fn record_checkpoint(&self, checkpoint: crate::chain::Checkpoint) -> Result<(), StoreError> {
        let sender = self.inner.sender.as_ref().ok_or(StoreError::Closed)?;
        let (reply, answer) = oneshot::channel();
        sender
            .send(Request::Checkpoint(CheckpointRequest { checkpoint, reply }))
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn checkpoints(&self, from: u64, max: usize) -> Result<Vec<crate::chain::Checkpoint>, StoreError> {
        let shared = self.inner.shared.clone();
        blocking(move || chain::checkpoints(&shared.pool, from, max, false)).await
    }

    async fn last_checkpoint(&self) -> Result<Option<crate::chain::Checkpoint>, StoreError> {
        let shared = self.inner.shared.clone();
        Ok(blocking(move || chain::checkpoints(&shared.pool, 0, 1, true))
            .await?
            .pop())
    }

    fn subscribe_all(&self, after: Option<u64>) -> BoxStream<'static, Result<RecordedEvent, StoreError>> {
        let state = Subscription {
            shared: self.inner.shared.clone(),
            head: self.inner.shared.head.clone(),
            after: after.unwrap_or(0),
            buffer: VecDeque::new(),
            done: false,
        };
        Box::pin(futures::stream::unfold(state, |mut s| async move {
            let item = s.next().await?;
            Some((item, s))
        }))
    }
}

/// Catch-up-then-live subscription over the global log.
///
/// Positions are assigned in commit order by the one writer, and a commit
/// is visible as a whole, so every snapshot holds a prefix of the log:
/// reading by position after the last one seen can neither skip nor repeat.
/// The writer publishes the head on a `watch` channel after each commit;
/// the loop marks the head as seen *before* reading, so a commit landing
/// after the read still wakes it.
struct Subscription {
    shared: Arc<Shared>,
    head: watch::Receiver<u64>,
    after: u64,
    buffer: VecDeque<RecordedEvent>,
    done: bool,
}

impl Subscription {
    async fn next(&mut self) -> Option<Result<RecordedEvent, StoreError>> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                self.after = event.position;
                return Some(Ok(event));
            }
            if self.done {
                return None;
            }
            let head = *self.head.borrow_and_update();
            if head > self.after {
                let shared = self.shared.clone();
                let (after, max) = (self.after, self.shared.subscription_batch);
                let parallelism = shared.read_parallelism;
                match blocking(move || reader::read_all(&shared.pool, Some(after), max, head, parallelism)).await {
                    Ok(batch) if !batch.is_empty() => {
                        self.buffer.extend(batch);
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
            }
            if self.head.changed().await.is_err() {
                // The writer is gone. Deliver what it committed, then end.
                if *self.head.borrow() > self.after {
                    continue;
                }
                self.done = true;
                return Some(Err(StoreError::Closed));
            }
        }
    }
}
