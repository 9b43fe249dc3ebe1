//! Reads, the row → [`RecordedEvent`] mapping, and the catch-up-then-live
//! subscription (a NOTIFY wake-up plus polling).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::BoxStream;
use tokio::sync::watch;
use tokio_postgres::Row;
use uuid::Uuid;

use super::writer::{is_cut, to_i64, to_u64};
use super::Shared;
use crate::{Direction, EventMetadata, RecordedEvent, StoreError};

/// Columns every event query selects, in the order [`row_to_event`] reads them.
pub(crate) const EVENT_COLUMNS: &str = "position, stream, version, event_id, event_type, schema_version, data, \
     actor, actor_role, causation_id, correlation_id, trace_id, command_fingerprint, recorded_at";

fn limit(max: usize) -> i64 {
    i64::try_from(max).unwrap_or(i64::MAX)
}

pub(crate) fn backend(what: &str, e: impl std::error::Error + 'static) -> StoreError {
    StoreError::Backend(format!("{what}: {}", super::chain(&e)))
}

pub(crate) fn row_to_event(row: &Row, describe: &str) -> Result<RecordedEvent, StoreError> {
    let corrupt = |e: tokio_postgres::Error| StoreError::Corrupt {
        path: describe.to_owned(),
        reason: format!("unreadable event row: {}", super::chain(&e)),
    };
    let schema_version: i64 = row.try_get(5).map_err(corrupt)?;
    Ok(RecordedEvent {
        position: to_u64(row.try_get(0).map_err(corrupt)?),
        stream: row.try_get(1).map_err(corrupt)?,
        version: to_u64(row.try_get(2).map_err(corrupt)?),
        id: row.try_get(3).map_err(corrupt)?,
        event_type: row.try_get(4).map_err(corrupt)?,
        schema_version: u32::try_from(schema_version).map_err(|_| StoreError::Corrupt {
            path: describe.to_owned(),
            reason: format!("schema version {schema_version} is out of range"),
        })?,
        data: row.try_get(6).map_err(corrupt)?,
        metadata: EventMetadata {
            actor: row.try_get(7).map_err(corrupt)?,
            actor_role: row.try_get(8).map_err(corrupt)?,
            causation_id: row.try_get(9).map_err(corrupt)?,
            correlation_id: row.try_get(10).map_err(corrupt)?,
            trace_id: row.try_get(11).map_err(corrupt)?,
            command_fingerprint: row.try_get(12).map_err(corrupt)?,
        },
        recorded_at: row.try_get(13).map_err(corrupt)?,
    })
}

async fn query(
    shared: &Shared,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows = rows(shared, sql, params).await?;
    rows.iter().map(|r| row_to_event(r, &shared.describe)).collect()
}

/// Runs a read; a pooled connection found cut is replaced once (reads have
/// no effect to repeat).
pub(crate) async fn rows(
    shared: &Shared,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<Row>, StoreError> {
    let mut retried = false;
    loop {
        let client = shared
            .pool
            .get()
            .await
            .map_err(|e| backend("no connection to PostgreSQL", e))?;
        let result = match client.prepare_cached(sql).await {
            Ok(stmt) => client.query(&stmt, params).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(rows) => return Ok(rows),
            Err(e) if !retried && is_cut(&e) => retried = true,
            Err(e) => return Err(backend("read", e)),
        }
    }
}

pub(crate) async fn read_all(
    shared: &Shared,
    after: Option<u64>,
    max: usize,
) -> Result<Vec<RecordedEvent>, StoreError> {
    if max == 0 {
        return Ok(Vec::new());
    }
    // Positions are handed out under the log-head lock and become visible
    // in order: reading by position after `after` never skips one.
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2");
    query(shared, &sql, &[&to_i64(after.unwrap_or(0)), &limit(max)]).await
}

pub(crate) async fn read_stream(
    shared: &Shared,
    stream: &str,
    direction: Direction,
    from: Option<u64>,
    max: usize,
) -> Result<Vec<RecordedEvent>, StoreError> {
    if max == 0 {
        return Ok(Vec::new());
    }
    let (sql, from) = match direction {
        Direction::Forwards => (
            format!("SELECT {EVENT_COLUMNS} FROM events WHERE stream = $1 AND version >= $2 ORDER BY version LIMIT $3"),
            to_i64(from.unwrap_or(0)),
        ),
        Direction::Backwards => (
            format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE stream = $1 AND version <= $2 ORDER BY version DESC LIMIT $3"
            ),
            from.map_or(i64::MAX, to_i64),
        ),
    };
    query(shared, &sql, &[&stream, &from, &limit(max)]).await
}

pub(crate) async fn find_event(shared: &Shared, id: Uuid) -> Result<Option<RecordedEvent>, StoreError> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE event_id = $1");
    Ok(query(shared, &sql, &[&id]).await?.into_iter().next())
}

pub(crate) async fn head_position(shared: &Shared) -> Result<Option<u64>, StoreError> {
    let rows = rows(shared, "SELECT position FROM log_head", &[]).await?;
    let head = rows.first().map_or(0, |r| to_u64(r.get(0)));
    Ok((head > 0).then_some(head))
}

/// Catch-up-then-live subscription over the global log.
///
/// It reads by position after the last event it delivered, so it can
/// neither skip nor repeat. It reads again whenever the head watch moves
/// (this process's writer after each commit, or a NOTIFY from another
/// process) and at least every poll interval: a notification lost with a
/// connection, or a standby (no LISTEN there), costs at most one interval.
/// A failed read is retried from the same position (after a reconnect,
/// a failover) until the store is closed.
pub(crate) fn subscribe(
    shared: Arc<Shared>,
    after: Option<u64>,
) -> BoxStream<'static, Result<RecordedEvent, StoreError>> {
    let state = Subscription {
        head: shared.head.clone(),
        shared,
        after,
        buffer: VecDeque::new(),
        closed: false,
        done: false,
    };
    Box::pin(futures::stream::unfold(state, |mut s| async move {
        let item = s.next().await?;
        Some((item, s))
    }))
}

struct Subscription {
    shared: Arc<Shared>,
    head: watch::Receiver<u64>,
    after: Option<u64>,
    buffer: VecDeque<RecordedEvent>,
    /// The store was dropped: deliver what is committed, then end.
    closed: bool,
    done: bool,
}

/// Pause before retrying a failed read.
const RETRY_PAUSE: Duration = Duration::from_millis(500);

impl Subscription {
    async fn next(&mut self) -> Option<Result<RecordedEvent, StoreError>> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                self.after = Some(event.position);
                return Some(Ok(event));
            }
            if self.done {
                return None;
            }
            // Mark the head as seen before reading: a commit landing after
            // the read still wakes the wait below.
            self.head.borrow_and_update();
            match read_all(&self.shared, self.after, self.shared.subscription_batch).await {
                Ok(batch) if !batch.is_empty() => {
                    self.buffer.extend(batch);
                    continue;
                }
                Ok(_) if self.closed => {
                    self.done = true;
                    return Some(Err(StoreError::Closed));
                }
                Ok(_) => {}
                Err(StoreError::Backend(e)) if !self.closed => {
                    tracing::warn!(error = %e, after = ?self.after, "event store subscription read failed; retrying from the same position");
                    tokio::time::sleep(RETRY_PAUSE).await;
                    continue;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
            tokio::select! {
                changed = self.head.changed() => {
                    if changed.is_err() {
                        self.closed = true;
                    }
                }
                () = tokio::time::sleep(self.shared.poll_interval) => {}
            }
        }
    }
}
