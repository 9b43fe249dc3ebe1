//! The single writer thread and its group commit.
//!
//! Appends arrive on a channel. The writer takes the first one, drains
//! whatever else is queued (up to a limit) and runs them all in ONE
//! transaction, each inside its own SAVEPOINT so that one append failing
//! leaves the others alone. After `COMMIT` returns (WAL + `synchronous=FULL`:
//! the WAL is fsynced) it publishes the new head position and only then
//! answers each caller with its own result.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Instant;

use rusqlite::{Connection, OptionalExtension};
use tokio::sync::{oneshot, watch};
use uuid::Uuid;

use super::format::classify;
use crate::chain::{next_link, Checkpoint, EventFields, Hash};
use crate::validate::does_not_continue;
use crate::{AppendResult, ExpectedVersion, NewEvent, RecordedEvent, StoreError};

pub(crate) mod checkpoint;
mod import;
mod metrics;

pub(crate) use metrics::WriterMetrics;

pub(crate) struct AppendRequest {
    pub stream: String,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
    pub reply: oneshot::Sender<Result<AppendResult, StoreError>>,
}

/// Events copied from another store ([`crate::EventStore::import`]),
/// already checked by `validate_import`.
pub(crate) struct ImportRequest {
    pub events: Vec<RecordedEvent>,
    pub reply: oneshot::Sender<Result<(), StoreError>>,
}

/// A signed checkpoint to record ([`crate::EventStore::record_checkpoint`]).
pub(crate) struct CheckpointRequest {
    pub checkpoint: Checkpoint,
    pub reply: oneshot::Sender<Result<(), StoreError>>,
}

/// What the writer thread is asked to do.
pub(crate) enum Request {
    Append(AppendRequest),
    Import(ImportRequest),
    Checkpoint(CheckpointRequest),
}

/// The chain's tip: the last position handed out and its link.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tip {
    pub position: u64,
    pub hash: Hash,
}

pub(crate) struct Writer {
    pub conn: Connection,
    /// Folds the WAL into the main file off this thread; `None`: SQLite's
    /// automatic checkpoints, in the commits, as the fallback.
    pub checkpointer: Option<checkpoint::Checkpointer>,
    pub path: PathBuf,
    pub head: watch::Sender<u64>,
    /// Largest `recorded_at` (µs) written so far: keeps the clock monotonic
    /// along the log even if the system clock steps back.
    pub last_recorded_at: i64,
    pub max_batch_appends: usize,
    pub max_batch_events: usize,
    /// Stream name → id and last version, for streams seen lately. Only
    /// ever holds what the writer's own connection would read (a miss reads
    /// it, inside the current transaction), and is dropped whenever a
    /// transaction or savepoint is rolled back.
    pub streams: HashMap<String, StreamState>,
    /// The committed chain tip; inside a transaction the tip moves ahead
    /// and is put back on any rollback.
    pub tip: Tip,
}

/// Most streams [`Writer::streams`] remembers before starting over.
const MAX_CACHED_STREAMS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
pub(crate) struct StreamState {
    id: i64,
    /// `None` for a stream row without events (never written so; tolerated).
    version: Option<u64>,
}

/// Why an append failed, seen from the transaction.
enum Failure {
    /// Refused before writing anything (wrong version, id conflict, id
    /// stored in another stream).
    Refused(StoreError),
    /// SQLite failed; the savepoint is rolled back, or the whole
    /// transaction is gone if SQLite rolled it back itself.
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sql(e)
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// One row of the `events` table, as appends and imports write it.
struct Row<'a> {
    position: u64,
    stream: &'a str,
    stream_id: i64,
    version: u64,
    id: &'a Uuid,
    event_type: &'a str,
    schema_version: u32,
    data: &'a [u8],
    metadata: &'a crate::EventMetadata,
    /// Microseconds since the epoch.
    recorded_at: i64,
}

impl Row<'_> {
    /// Inserts the row at its position with the link that follows `prev`;
    /// returns that link.
    fn insert(&self, conn: &Connection, prev: &Hash) -> rusqlite::Result<Hash> {
        let m = self.metadata;
        let hash = next_link(
            prev,
            &EventFields {
                position: self.position,
                stream: self.stream,
                version: self.version,
                id: self.id,
                event_type: self.event_type,
                schema_version: self.schema_version,
                data: self.data,
                metadata: m,
                recorded_at_micros: self.recorded_at,
            },
        );
        conn.prepare_cached(
            "INSERT INTO events (stream_id, version, event_id, event_type, schema_version, data,
                                 actor, actor_role, causation_id, correlation_id, trace_id, recorded_at,
                                 command_fingerprint, position, chain_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?
        .execute(rusqlite::params![
            self.stream_id,
            to_i64(self.version),
            self.id.as_bytes().as_slice(),
            self.event_type,
            self.schema_version,
            self.data,
            m.actor,
            m.actor_role,
            m.causation_id.as_ref().map(|u| u.as_bytes().as_slice()),
            m.correlation_id.as_ref().map(|u| u.as_bytes().as_slice()),
            m.trace_id,
            self.recorded_at,
            m.command_fingerprint,
            to_i64(self.position),
            hash.as_slice(),
        ])?;
        Ok(hash)
    }
}

impl Writer {
    /// Serves appends and imports until every sender is gone. Appends are
    /// group-committed; an import is a transaction of its own.
    pub(crate) fn run(mut self, rx: mpsc::Receiver<Request>) {
        let metrics = WriterMetrics::new();
        let mut batch: Vec<AppendRequest> = Vec::new();
        // A request taken off the queue while draining appends, served next.
        let mut held: Option<Request> = None;
        loop {
            let first = match held.take() {
                Some(request) => request,
                None => match rx.recv() {
                    Ok(request) => request,
                    Err(_) => break,
                },
            };
            let first = match first {
                Request::Import(import) => {
                    let result = self.commit_import(&import.events);
                    let _ = import.reply.send(result);
                    self.nudge_checkpointer();
                    continue;
                }
                Request::Checkpoint(request) => {
                    let result = self.commit_checkpoint(&request.checkpoint);
                    let _ = request.reply.send(result);
                    self.nudge_checkpointer();
                    continue;
                }
                Request::Append(append) => append,
            };
            let mut events = first.events.len();
            batch.push(first);
            while batch.len() < self.max_batch_appends && events < self.max_batch_events {
                match rx.try_recv() {
                    Ok(Request::Append(next)) => {
                        events += next.events.len();
                        batch.push(next);
                    }
                    Ok(other) => {
                        held = Some(other);
                        break;
                    }
                    Err(_) => break,
                }
            }
            let started = Instant::now();
            let results = self.commit_batch(&batch);
            metrics.record(&batch, &results, started.elapsed());
            for (req, result) in batch.drain(..).zip(results) {
                // The caller may have given up (dropped its future); the
                // append is durable all the same.
                let _ = req.reply.send(result);
            }
            // After the answers: the writer's share of a checkpoint is not
            // waited for by the callers of this batch.
            self.nudge_checkpointer();
        }
        if let Some(mut checkpointer) = self.checkpointer.take() {
            checkpointer.stop();
        }
        // Best effort: fold the WAL into the main file on a clean close.
        if let Err(e) = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
            tracing::warn!(path = %self.path.display(), error = %e, "event store checkpoint on close failed");
        }
    }

    fn nudge_checkpointer(&self) {
        if let Some(c) = &self.checkpointer {
            if c.passed() {
                // The remainder of the thread's last pass (see `passed`).
                if let Err(e) = self.conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)") {
                    tracing::warn!(path = %self.path.display(), error = %e, "event store checkpoint failed");
                }
            }
            c.nudge();
        }
    }

    fn backend(&self, what: &str, e: rusqlite::Error) -> StoreError {
        match classify(&self.path, e) {
            StoreError::Backend(msg) => StoreError::Backend(format!("{what}: {msg}")),
            other => other,
        }
    }

    fn commit_batch(&mut self, batch: &[AppendRequest]) -> Vec<Result<AppendResult, StoreError>> {
        let now = chrono::Utc::now().timestamp_micros().max(self.last_recorded_at);
        if let Err(e) = self.conn.execute_batch("BEGIN IMMEDIATE") {
            let msg = self.backend("begin", e).to_string();
            return batch.iter().map(|_| Err(StoreError::Backend(msg.clone()))).collect();
        }

        let committed = self.tip;
        let mut results = Vec::with_capacity(batch.len());
        let mut aborted: Option<String> = None;
        for req in batch {
            if let Some(msg) = &aborted {
                results.push(Err(StoreError::Backend(msg.clone())));
                continue;
            }
            match self.append_in_savepoint(req, now) {
                Ok(r) => results.push(Ok(r)),
                Err(Failure::Refused(e)) => results.push(Err(e)),
                Err(Failure::Sql(e)) => {
                    let err = self.backend("append", e);
                    if self.conn.is_autocommit() {
                        // SQLite rolled the whole transaction back (I/O error,
                        // disk full...): nothing of this batch is written.
                        aborted = Some(err.to_string());
                    }
                    results.push(Err(err));
                }
            }
        }

        if let Some(msg) = aborted {
            // Refusals too were judged against appends that are now lost.
            self.streams.clear();
            self.tip = committed;
            return results
                .into_iter()
                .map(|_| Err(StoreError::Backend(msg.clone())))
                .collect();
        }

        if let Err(e) = self.conn.execute_batch("COMMIT") {
            let err = self.backend("commit", e);
            self.streams.clear();
            self.tip = committed;
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            // Refusals were judged against appends earlier in the batch that
            // are now lost; report the failure to everybody.
            let msg = err.to_string();
            return results
                .into_iter()
                .map(|_| Err(StoreError::Backend(msg.clone())))
                .collect();
        }

        self.last_recorded_at = now;
        let head = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .filter(|r| r.written)
            .map(|r| r.position)
            .max();
        if let Some(head) = head {
            self.head.send_if_modified(|h| {
                if head > *h {
                    *h = head;
                    true
                } else {
                    false
                }
            });
        }
        results
    }

    fn append_in_savepoint(&mut self, req: &AppendRequest, now: i64) -> Result<AppendResult, Failure> {
        self.conn.prepare_cached("SAVEPOINT append")?.execute([])?;
        let before = self.tip;
        let result = self.append_one(req, now);
        if result.is_err() {
            // Refusals write nothing; a failure's rows are rolled back.
            self.tip = before;
        }
        match &result {
            Ok(_) | Err(Failure::Refused(_)) => {
                if let Err(e) = self
                    .conn
                    .prepare_cached("RELEASE append")
                    .and_then(|mut s| s.execute([]))
                {
                    self.streams.clear();
                    return Err(Failure::Sql(e));
                }
            }
            Err(Failure::Sql(_)) => {
                self.streams.clear();
                if !self.conn.is_autocommit() {
                    self.conn.execute_batch("ROLLBACK TO append; RELEASE append")?;
                }
            }
        }
        result
    }

    /// The stream's id and last version, if it exists.
    fn stream_state(&mut self, name: &str) -> Result<Option<StreamState>, rusqlite::Error> {
        if let Some(state) = self.streams.get(name) {
            return Ok(Some(*state));
        }
        let state = self
            .conn
            .prepare_cached(
                "SELECT s.stream_id, (SELECT max(e.version) FROM events e WHERE e.stream_id = s.stream_id)
                 FROM streams s WHERE s.name = ?1",
            )?
            .query_row([name], |r| {
                let version: Option<i64> = r.get(1)?;
                Ok(StreamState {
                    id: r.get(0)?,
                    version: version.map(to_u64),
                })
            })
            .optional()?;
        if let Some(state) = state {
            self.remember(name, state);
        }
        Ok(state)
    }

    fn remember(&mut self, name: &str, state: StreamState) {
        if self.streams.len() >= MAX_CACHED_STREAMS && !self.streams.contains_key(name) {
            self.streams.clear();
        }
        self.streams.insert(name.to_owned(), state);
    }

    fn append_one(&mut self, req: &AppendRequest, now: i64) -> Result<AppendResult, Failure> {
        let state = self.stream_state(&req.stream)?;

        if let Some(state) = state {
            if let Some(done) = self.find_retry(state.id, req)? {
                return Ok(done);
            }
        }
        // None of our ids is in this stream (or that was a retry or an
        // `IdConflict` above); one in any other stream is refused.
        self.refuse_ids_stored_elsewhere(req)?;

        let current = state.and_then(|s| s.version);
        let ok = match req.expected {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => current.is_none(),
            ExpectedVersion::Exact(n) => current == Some(n),
        };
        if !ok {
            return Err(Failure::Refused(StoreError::WrongExpectedVersion {
                stream: req.stream.clone(),
                expected: req.expected,
                actual: current,
            }));
        }

        let first_version = current.map_or(0, |c| c + 1);
        let last_version = first_version + req.events.len() as u64 - 1;
        let conn = &self.conn;
        let stream_id = match state {
            Some(s) => s.id,
            None => {
                conn.prepare_cached("INSERT INTO streams (name) VALUES (?1)")?
                    .execute([&req.stream])?;
                conn.last_insert_rowid()
            }
        };

        let mut tip = self.tip;
        for (i, e) in req.events.iter().enumerate() {
            let row = Row {
                position: tip.position + 1,
                stream: &req.stream,
                stream_id,
                version: first_version + i as u64,
                id: &e.id,
                event_type: &e.event_type,
                schema_version: e.schema_version,
                data: &e.data,
                metadata: &e.metadata,
                recorded_at: now,
            };
            tip = Tip {
                position: row.position,
                hash: row.insert(conn, &tip.hash)?,
            };
        }
        self.tip = tip;
        let position = tip.position;
        self.remember(
            &req.stream,
            StreamState {
                id: stream_id,
                version: Some(last_version),
            },
        );
        Ok(AppendResult {
            next_expected_version: last_version,
            position,
            written: true,
        })
    }

    /// Event ids are unique across the store: refuses the append if one of
    /// its ids is stored in any stream (the caller has made sure it is not
    /// in the append's own stream). Runs inside the append's transaction,
    /// which holds the write lock, so no other append can slip in between.
    fn refuse_ids_stored_elsewhere(&self, req: &AppendRequest) -> Result<(), Failure> {
        // One table per statement: SQLite (built with STAT4) prepares a join
        // on a bound id again at every step, which cost a seventh of the
        // writer's time under 256 writers.
        let mut lookup = self
            .conn
            .prepare_cached("SELECT stream_id FROM events WHERE event_id = ?1 LIMIT 1")?;
        for e in &req.events {
            if let Some(stream_id) = lookup
                .query_row([e.id.as_bytes().as_slice()], |r| r.get::<_, i64>(0))
                .optional()?
            {
                let stream = self
                    .conn
                    .prepare_cached("SELECT name FROM streams WHERE stream_id = ?1")?
                    .query_row([stream_id], |r| r.get::<_, String>(0))?;
                return Err(Failure::Refused(StoreError::DuplicateEventId { id: e.id, stream }));
            }
        }
        Ok(())
    }

    /// Idempotency: if the first event id is already in the stream and the
    /// stored events from there on carry exactly our ids, the append was
    /// done before: answer with the original result. Any other overlap
    /// between our ids and the stream's is a conflict.
    fn find_retry(&self, stream_id: i64, req: &AppendRequest) -> Result<Option<AppendResult>, Failure> {
        let conn = &self.conn;
        let mut lookup = conn.prepare_cached("SELECT version FROM events WHERE event_id = ?1 AND stream_id = ?2")?;
        let first = req.events[0].id;
        let conflict = || {
            Failure::Refused(StoreError::IdConflict {
                stream: req.stream.clone(),
            })
        };

        let Some(first_version) = lookup
            .query_row((first.as_bytes().as_slice(), stream_id), |r| r.get::<_, i64>(0))
            .optional()?
        else {
            for e in &req.events[1..] {
                if lookup.exists((e.id.as_bytes().as_slice(), stream_id))? {
                    return Err(conflict());
                }
            }
            return Ok(None);
        };

        let mut stored = conn.prepare_cached(
            "SELECT event_id, version, position FROM events
             WHERE stream_id = ?1 AND version >= ?2 ORDER BY version LIMIT ?3",
        )?;
        let rows: Vec<(Vec<u8>, i64, i64)> = stored
            .query_map((stream_id, first_version, req.events.len() as i64), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        let matches = rows.len() == req.events.len()
            && rows
                .iter()
                .zip(&req.events)
                .all(|((id, _, _), e)| Uuid::from_slice(id).ok() == Some(e.id));
        match rows.last() {
            Some((_, version, position)) if matches => Ok(Some(AppendResult {
                next_expected_version: to_u64(*version),
                position: to_u64(*position),
                written: false,
            })),
            _ => Err(conflict()),
        }
    }
}
