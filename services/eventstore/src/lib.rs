//! The event store port: what Samverkan needs from an event store, modelled on
//! what EventStoreDB/KurrentDB offers (streams, expected versions, event ids,
//! the global `$all` log and catch-up subscriptions), and its backends.
//!
//! - [`SqliteStore`]: embedded, one SQLite file; the default.
//! - [`PgStore`]: a PostgreSQL database, shared by any number of processes.
//! - `KurrentStore` (cargo feature `kurrentdb`): a KurrentDB/EventStoreDB server.
//!
//! All pass the same conformance suite (`conformance`). Design, file format
//! and guarantees: `docs/eventstore.md`.

use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The expected state of a stream before an append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// No check.
    Any,
    /// The stream must not exist (have no events).
    NoStream,
    /// The stream's last event must have this version (0-based revision, like KurrentDB).
    Exact(u64),
}

impl std::fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream => f.write_str("no events yet"),
            ExpectedVersion::Exact(v) => write!(f, "version {v}"),
        }
    }
}

/// A stream's actual version, in words.
fn at_version(actual: &Option<u64>) -> String {
    match actual {
        None => "no events yet".to_string(),
        Some(v) => format!("version {v}"),
    }
}

/// Metadata every event carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMetadata {
    /// Who caused the event: the authenticated subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The role the actor acted in, e.g. `coordinator:V6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_role: Option<String>,
    /// The command that caused the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<Uuid>,
    /// The conversation (request, process) the event belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<Uuid>,
    /// W3C trace id (32 hex chars) of the request that appended the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// A hash of the command that caused the event (its type, target and
    /// input): tells a retry of that command from another command sent
    /// under the same command id. Absent on events recorded before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_fingerprint: Option<String>,
}

/// An event to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    /// The event body: UTF-8 JSON.
    pub data: Vec<u8>,
    pub metadata: EventMetadata,
}

/// An event as stored, with its envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    pub id: Uuid,
    pub stream: String,
    /// 0-based revision inside its stream.
    pub version: u64,
    /// Global, strictly increasing position in the log (not necessarily dense).
    pub position: u64,
    pub event_type: String,
    pub schema_version: u32,
    /// The event body: UTF-8 JSON.
    pub data: Vec<u8>,
    pub metadata: EventMetadata,
    pub recorded_at: DateTime<Utc>,
}

/// The outcome of a successful append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendResult {
    /// The version of the stream's last event after the append.
    pub next_expected_version: u64,
    /// Global position of the last appended event.
    pub position: u64,
    /// `false` when the events were already there (an idempotent retry).
    pub written: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forwards,
    Backwards,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("stream `{stream}` is at {}, but the command expected {expected}; read it again and retry", at_version(.actual))]
    WrongExpectedVersion {
        stream: String,
        expected: ExpectedVersion,
        actual: Option<u64>,
    },
    #[error("event ids conflict with different events already in stream `{stream}`")]
    IdConflict { stream: String },
    /// An event id of the append is already stored in another stream:
    /// event ids are unique across the whole store.
    #[error("event id {id} is already stored in another stream, `{stream}`")]
    DuplicateEventId { id: Uuid, stream: String },
    #[error("invalid append: {0}")]
    InvalidAppend(String),
    #[error("the store {path} is not a Samverkan event store: {reason}")]
    NotOurs { path: String, reason: String },
    #[error("the store {path} is corrupt: {reason}")]
    Corrupt { path: String, reason: String },
    /// One event row cannot be decoded (a column of the wrong type or size):
    /// the rows before and after it still read.
    #[error("the store {path} is corrupt: the event row at position {position} cannot be read: {reason}")]
    UnreadableEvent {
        path: String,
        position: u64,
        reason: String,
    },
    #[error("the store {path} has format version {found}, newer than the {supported} this build supports")]
    TooNew { path: String, found: u32, supported: u32 },
    #[error("the store is closed")]
    Closed,
    #[error("event store backend error: {0}")]
    Backend(String),
    /// The backend cannot do this (a backend that keeps no hash chain).
    #[error("{0}")]
    Unsupported(String),
}

/// What a backend without a hash chain answers to the chain's methods.
fn no_chain() -> StoreError {
    StoreError::Unsupported(
        "this event store backend keeps no hash chain (see docs/eventstore.md, \"Tamper evidence\")".into(),
    )
}

/// The port. Every backend implements it; nothing above it knows which one runs.
#[async_trait::async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Append `events` to `stream` if the stream is at `expected`. All or nothing.
    /// If the events' ids are already in the stream at that place, nothing is
    /// written and the original result is returned with `written = false`.
    /// An id stored in another stream is refused with
    /// [`StoreError::DuplicateEventId`] (event ids are unique across the
    /// store; see `docs/eventstore.md` for the KurrentDB backend's limit).
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError>;

    /// Append events copied from another store, keeping their ids, stream
    /// names, versions, types, schema versions, bodies, metadata and recorded
    /// times (`position` is ignored: this store assigns positions as for any
    /// append). The batch must continue this store's log: each event's
    /// version is its stream's current version + 1 (0 for a stream without
    /// events), and no recorded time is earlier than the one before it (nor
    /// than the store's newest event's). An event that does not continue its
    /// stream, or an invalid one, is refused with
    /// [`StoreError::InvalidAppend`], an id stored already with
    /// [`StoreError::DuplicateEventId`]; then nothing of the batch is
    /// written. An empty batch does nothing. For `samverkan migrate`; the
    /// KurrentDB backend's limits are in `docs/eventstore.md`.
    async fn import(&self, events: Vec<RecordedEvent>) -> Result<(), StoreError>;

    /// Read up to `max` events of a stream starting at version `from`
    /// (inclusive; for backwards, `None` means from the end).
    async fn read_stream(
        &self,
        stream: &str,
        direction: Direction,
        from: Option<u64>,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Read up to `max` events of the global log with position strictly after `after`
    /// (`None`: from the start), in position order.
    async fn read_all(&self, after: Option<u64>, max: usize) -> Result<Vec<RecordedEvent>, StoreError>;

    /// The event with this id, in whichever stream it is. The KurrentDB
    /// backend has no index by event id: it finds linked events only, by
    /// scanning the chain's link stream.
    async fn find_event(&self, id: Uuid) -> Result<Option<RecordedEvent>, StoreError>;

    /// Whether [`EventStore::find_event`] finds every stored event (an index
    /// by event id): the command handler then answers "was this command
    /// applied already?" from it instead of reading the stream. `false` for
    /// the KurrentDB backend.
    fn indexes_event_ids(&self) -> bool {
        true
    }

    /// The position of the newest event in the log, if any.
    async fn head_position(&self) -> Result<Option<u64>, StoreError>;

    /// Subscribe to the global log after `after`: catch up, then follow live,
    /// in order, with no gap and no duplicate.
    fn subscribe_all(&self, after: Option<u64>) -> BoxStream<'static, Result<RecordedEvent, StoreError>>;

    /// Whether the store keeps the hash chain ([`chain`]): `true` for
    /// SQLite and PostgreSQL (a link per row) and KurrentDB (a companion
    /// stream, see `docs/eventstore.md`); a backend without one answers
    /// every chain method with [`StoreError::Unsupported`] (the defaults).
    fn keeps_chain(&self) -> bool {
        false
    }

    /// Whether positions are dense (1, 2, 3, …): `true` for SQLite and
    /// PostgreSQL, `false` for KurrentDB (commit positions). A verifier of a
    /// store with sparse positions cannot name a missing position; a dropped
    /// event still breaks the next link ([`chain::Verifier::sparse_positions`]).
    fn dense_positions(&self) -> bool {
        true
    }

    /// How many linked events come after `position` (what a checkpoint
    /// signed there leaves uncovered): the distance to the head where
    /// positions are dense, counted in the chain where they are not.
    async fn chain_events_after(&self, position: u64) -> Result<u64, StoreError> {
        Ok(self
            .chain_head()
            .await?
            .map_or(0, |h| h.position.saturating_sub(position)))
    }

    /// The link of the event before `position` in the log ([`chain::GENESIS`]
    /// for the first event, or when the chain holds no link before it).
    async fn previous_link(&self, position: u64) -> Result<chain::Hash, StoreError> {
        if position <= 1 {
            return Ok(chain::GENESIS);
        }
        let before = self.read_chain(Some(position - 2), 1).await?;
        Ok(match before.first() {
            Some(b) if b.event.position == position - 1 => b.hash.unwrap_or(chain::GENESIS),
            _ => chain::GENESIS,
        })
    }

    /// Up to `max` events after `after` (`None`: from the start) in
    /// position order, each with the chain link the store holds for it.
    /// Unlike [`EventStore::read_all`] this reads what is there, gaps
    /// included: for verifiers.
    async fn read_chain(&self, after: Option<u64>, max: usize) -> Result<Vec<chain::ChainedEvent>, StoreError> {
        let _ = (after, max);
        Err(no_chain())
    }

    /// The newest event's position and chain link.
    async fn chain_head(&self) -> Result<Option<chain::ChainHead>, StoreError> {
        Err(no_chain())
    }

    /// Records a signed checkpoint. Refused with `InvalidAppend` unless
    /// its position is an event's and its hash that event's link; a
    /// checkpoint at a position that has one already is ignored.
    async fn record_checkpoint(&self, checkpoint: chain::Checkpoint) -> Result<(), StoreError> {
        let _ = checkpoint;
        Err(no_chain())
    }

    /// Up to `max` checkpoints at positions `>= from`, in position order.
    async fn checkpoints(&self, from: u64, max: usize) -> Result<Vec<chain::Checkpoint>, StoreError> {
        let _ = (from, max);
        Err(no_chain())
    }

    /// The newest checkpoint, if any.
    async fn last_checkpoint(&self) -> Result<Option<chain::Checkpoint>, StoreError> {
        Err(no_chain())
    }
}

mod validate;

/// Tamper evidence: the hash chain over the log and signed checkpoints.
pub mod chain;
pub mod subject_keys;
pub use subject_keys::{KeyState, SubjectKey, SubjectKeyStore};

pub mod sqlite;
pub use sqlite::{IntegrityReport, SqliteStore, SqliteStoreOptions};

pub mod postgres;
pub use postgres::{PgStore, PgStoreOptions};

/// Throw-away PostgreSQL servers for tests (ours and the end-to-end suite's).
/// Test support, not part of the port.
#[doc(hidden)]
pub mod pg_testing;

#[cfg(feature = "kurrentdb")]
pub mod kurrent;
#[cfg(feature = "kurrentdb")]
pub use kurrent::KurrentStore;

/// The backend-independent conformance suite: every backend must pass it.
/// Test support, not part of the port; see `tests/*_conformance.rs`.
#[doc(hidden)]
pub mod conformance;
