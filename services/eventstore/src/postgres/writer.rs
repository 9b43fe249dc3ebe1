//! The writer task of one process and its group commit.
//!
//! Appends arrive on a channel. The task takes the first one, drains what
//! else is queued (up to a limit) and commits them in ONE transaction:
//!
//! 1. lock the one-row log head (`SELECT … FOR UPDATE`): other processes'
//!    batches wait here, so positions are handed out in commit order;
//! 2. read the current version of every stream the batch touches and every
//!    stored event carrying one of its ids, and judge the appends in memory
//!    ([`super::batch`]): retries are answered, refused appends dropped;
//! 3. insert the accepted events set-based (positions `head+1..head+n`),
//!    move the head, `NOTIFY` once, commit.
//!
//! A unique violation (which the checks under the lock should make
//! impossible) fails the batch; its appends are then retried one per
//! transaction, so one bad append cannot sink the others.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use deadpool_postgres::{Pool, Transaction};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use super::batch::{self, Append, Placed, Row};
use super::schema::CHANNEL;
use crate::chain::{next_link, EventFields, Hash};
use crate::{AppendResult, ExpectedVersion, NewEvent, StoreError};

pub(crate) struct AppendRequest {
    pub stream: String,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
    pub reply: oneshot::Sender<Result<AppendResult, StoreError>>,
}

/// Why a batch failed as a whole.
pub(crate) enum BatchError {
    /// A unique index refused the insert: retry the appends one by one.
    Unique(String),
    /// Anything else: every append of the batch fails with this.
    Failed(StoreError),
    /// The pooled connection was found cut at `BEGIN` (a server restart, a
    /// failover, an administrator): nothing was sent, try once more.
    Cut(String),
}

/// Whether `e` says the connection is gone (closed, or the server ended the
/// session: a restart, a failover, `pg_terminate_backend`), so a statement
/// that had no effect yet may be tried on a fresh one.
pub(crate) fn is_cut(e: &tokio_postgres::Error) -> bool {
    e.is_closed()
        || [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
        ]
        .iter()
        .any(|c| e.code() == Some(c))
}

pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(crate) fn failed(what: &str, e: tokio_postgres::Error) -> BatchError {
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        BatchError::Unique(format!("{what}: {}", super::chain(&e)))
    } else {
        BatchError::Failed(StoreError::Backend(format!("{what}: {}", super::chain(&e))))
    }
}

pub(crate) struct Writer {
    pub pool: Pool,
    pub head: Arc<watch::Sender<u64>>,
    pub max_batch_appends: usize,
    pub max_batch_events: usize,
}

impl Writer {
    /// Serves appends until every sender is gone.
    pub(crate) async fn run(self, mut rx: mpsc::UnboundedReceiver<AppendRequest>) {
        let metrics = crate::sqlite::WriterMetrics::new();
        let mut batch: Vec<AppendRequest> = Vec::new();
        while let Some(first) = rx.recv().await {
            let mut events = first.events.len();
            batch.push(first);
            // Let the appenders woken by the last commit's answers queue
            // their next appends before draining: bigger batches under load,
            // no wait when nobody else is runnable.
            tokio::task::yield_now().await;
            while batch.len() < self.max_batch_appends && events < self.max_batch_events {
                match rx.try_recv() {
                    Ok(next) => {
                        events += next.events.len();
                        batch.push(next);
                    }
                    Err(_) => break,
                }
            }
            let started = std::time::Instant::now();
            let mut outcome = self.commit(&batch).await;
            // Every pooled connection may have been cut at once (a server
            // restart, a network break): each one found dead at BEGIN is
            // dropped and the batch, of which nothing was sent, goes to the
            // next, up to one more try than the pool holds connections.
            let mut tries = 1;
            while let Err(BatchError::Cut(msg)) = &outcome {
                if tries > self.pool.status().max_size {
                    break;
                }
                tracing::info!(error = %msg, "a pooled PostgreSQL connection was cut; retrying the batch on a fresh one");
                tries += 1;
                outcome = self.commit(&batch).await;
            }
            let results = match outcome {
                Ok(results) => results,
                Err(BatchError::Cut(msg)) => batch.iter().map(|_| Err(StoreError::Backend(msg.clone()))).collect(),
                Err(BatchError::Failed(e)) => {
                    let msg = e.to_string();
                    batch.iter().map(|_| Err(StoreError::Backend(msg.clone()))).collect()
                }
                Err(BatchError::Unique(msg)) => {
                    tracing::warn!(appends = batch.len(), error = %msg, "a batch hit a unique index; retrying its appends one by one");
                    let mut results = Vec::with_capacity(batch.len());
                    for req in &batch {
                        results.push(match self.commit(std::slice::from_ref(req)).await {
                            Ok(mut r) => r.pop().unwrap_or(Err(StoreError::Backend("no result".into()))),
                            Err(BatchError::Failed(e)) => Err(e),
                            Err(BatchError::Unique(msg) | BatchError::Cut(msg)) => Err(StoreError::Backend(msg)),
                        });
                    }
                    results
                }
            };
            let sizes: Vec<usize> = batch.iter().map(|r| r.events.len()).collect();
            metrics.record_sizes(&sizes, &results, started.elapsed());
            for (req, result) in batch.drain(..).zip(results) {
                // The caller may have given up; the append stands all the same.
                let _ = req.reply.send(result);
            }
        }
    }

    /// One transaction for `batch`.
    async fn commit(&self, batch: &[AppendRequest]) -> Result<Vec<Result<AppendResult, StoreError>>, BatchError> {
        let mut client = self.pool.get().await.map_err(|e| {
            BatchError::Failed(StoreError::Backend(format!(
                "no connection to PostgreSQL: {}",
                super::chain(&e)
            )))
        })?;
        let tx = begin(&mut client).await?;
        let (head, last_recorded_at, tip) = lock_head(&tx).await?;

        let mut streams: Vec<&str> = batch.iter().map(|r| r.stream.as_str()).collect();
        streams.sort_unstable();
        streams.dedup();
        let ids: Vec<Uuid> = batch.iter().flat_map(|r| r.events.iter().map(|e| e.id)).collect();
        let (versions, placed) = futures::try_join!(stream_versions(&tx, &streams), placed_ids(&tx, &ids))?;

        let now = monotonic_now(last_recorded_at);
        let appends: Vec<Append<'_>> = batch
            .iter()
            .map(|r| Append {
                stream: &r.stream,
                expected: r.expected,
                events: &r.events,
            })
            .collect();
        let plan = batch::plan(&appends, head, versions, placed, now);
        if plan.rows.is_empty() {
            // Only retries and refusals: nothing to write.
            tx.rollback().await.map_err(|e| failed("rollback", e))?;
            return Ok(plan.results);
        }
        write_rows(&tx, &plan.rows, plan.head, now, tip).await?;
        tx.commit().await.map_err(|e| failed("commit", e))?;
        publish(&self.head, plan.head);
        Ok(plan.results)
    }
}

/// Raises the local head watch (wakes this process's subscriptions).
pub(crate) fn publish(head: &watch::Sender<u64>, position: u64) {
    head.send_if_modified(|h| {
        if position > *h {
            *h = position;
            true
        } else {
            false
        }
    });
}

/// Now, but never before the newest recorded time in the log, in whole
/// microseconds (what PostgreSQL keeps).
fn monotonic_now(last: DateTime<Utc>) -> DateTime<Utc> {
    let now = Utc::now();
    let now = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    now.max(last)
}

/// Begins a READ COMMITTED transaction, whatever the database's default:
/// each statement after the head lock then sees every batch committed
/// before the lock was granted.
pub(crate) async fn begin(client: &mut deadpool_postgres::Client) -> Result<Transaction<'_>, BatchError> {
    client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::ReadCommitted)
        .start()
        .await
        .map_err(|e| {
            if is_cut(&e) {
                // Nothing of the batch was sent: it may be tried again.
                BatchError::Cut(format!("begin: {}", super::chain(&e)))
            } else {
                failed("begin", e)
            }
        })
}

/// Locks the log head for the rest of the transaction: the last position,
/// the newest recorded time and the chain's tip (the last event's link).
/// Links are computed under this lock, where positions are handed out, so
/// they agree with the positions whatever the number of writing processes.
pub(crate) async fn lock_head(tx: &Transaction<'_>) -> Result<(u64, DateTime<Utc>, Hash), BatchError> {
    let stmt = tx
        .prepare_cached("SELECT position, recorded_at, chain_hash FROM log_head FOR UPDATE")
        .await
        .map_err(|e| failed("prepare", e))?;
    let row = tx
        .query_one(&stmt, &[])
        .await
        .map_err(|e| failed("locking the log head", e))?;
    let tip: Vec<u8> = row.get(2);
    let tip = Hash::try_from(tip.as_slice()).map_err(|_| {
        BatchError::Failed(StoreError::Corrupt {
            path: "log_head".into(),
            reason: format!("the chain tip has {} bytes, not 32", tip.len()),
        })
    })?;
    Ok((to_u64(row.get(0)), row.get(1), tip))
}

/// The last version of each of `streams` that has events.
pub(crate) async fn stream_versions(
    tx: &Transaction<'_>,
    streams: &[&str],
) -> Result<HashMap<String, u64>, BatchError> {
    let stmt = tx
        .prepare_cached(
            "SELECT s.name, (SELECT max(e.version) FROM events e WHERE e.stream = s.name)
               FROM unnest($1::text[]) AS s(name)",
        )
        .await
        .map_err(|e| failed("prepare", e))?;
    let rows = tx
        .query(&stmt, &[&streams])
        .await
        .map_err(|e| failed("reading stream versions", e))?;
    Ok(rows
        .iter()
        .filter_map(|r| r.get::<_, Option<i64>>(1).map(|v| (r.get::<_, String>(0), to_u64(v))))
        .collect())
}

/// Where each stored event with one of `ids` sits.
pub(crate) async fn placed_ids(tx: &Transaction<'_>, ids: &[Uuid]) -> Result<HashMap<Uuid, Placed>, BatchError> {
    let stmt = tx
        .prepare_cached("SELECT event_id, stream, version, position FROM events WHERE event_id = ANY($1)")
        .await
        .map_err(|e| failed("prepare", e))?;
    let rows = tx
        .query(&stmt, &[&ids])
        .await
        .map_err(|e| failed("looking up event ids", e))?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get::<_, Uuid>(0),
                Placed {
                    stream: r.get(1),
                    version: to_u64(r.get(2)),
                    position: to_u64(r.get(3)),
                },
            )
        })
        .collect())
}

/// Inserts `rows` (in position order, right after the chain tip `tip`)
/// with their links in one statement, moves the head to `head` (newest
/// recorded time `recorded_at`, the last link) and queues one notification.
pub(crate) async fn write_rows(
    tx: &Transaction<'_>,
    rows: &[Row<'_>],
    head: u64,
    recorded_at: DateTime<Utc>,
    tip: Hash,
) -> Result<(), BatchError> {
    let insert = tx
        .prepare_cached(
            "INSERT INTO events (position, stream, version, event_id, event_type, schema_version, data,
                                 actor, actor_role, causation_id, correlation_id, trace_id,
                                 command_fingerprint, recorded_at, chain_hash)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::text[],
                                  $6::bigint[], $7::bytea[], $8::text[], $9::text[], $10::uuid[],
                                  $11::uuid[], $12::text[], $13::text[], $14::timestamptz[], $15::bytea[])",
        )
        .await
        .map_err(|e| failed("prepare", e))?;
    let update = tx
        .prepare_cached("UPDATE log_head SET position = $1, recorded_at = $2, chain_hash = $3")
        .await
        .map_err(|e| failed("prepare", e))?;
    let notify = tx
        .prepare_cached("SELECT pg_notify($1, $2)")
        .await
        .map_err(|e| failed("prepare", e))?;

    let position: Vec<i64> = rows.iter().map(|r| to_i64(r.position)).collect();
    let stream: Vec<&str> = rows.iter().map(|r| r.stream).collect();
    let version: Vec<i64> = rows.iter().map(|r| to_i64(r.version)).collect();
    let id: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let event_type: Vec<&str> = rows.iter().map(|r| r.event_type).collect();
    let schema_version: Vec<i64> = rows.iter().map(|r| i64::from(r.schema_version)).collect();
    let data: Vec<&[u8]> = rows.iter().map(|r| r.data).collect();
    let actor: Vec<Option<&str>> = rows.iter().map(|r| r.metadata.actor.as_deref()).collect();
    let actor_role: Vec<Option<&str>> = rows.iter().map(|r| r.metadata.actor_role.as_deref()).collect();
    let causation: Vec<Option<Uuid>> = rows.iter().map(|r| r.metadata.causation_id).collect();
    let correlation: Vec<Option<Uuid>> = rows.iter().map(|r| r.metadata.correlation_id).collect();
    let trace: Vec<Option<&str>> = rows.iter().map(|r| r.metadata.trace_id.as_deref()).collect();
    let fingerprint: Vec<Option<&str>> = rows.iter().map(|r| r.metadata.command_fingerprint.as_deref()).collect();
    let recorded: Vec<DateTime<Utc>> = rows.iter().map(|r| r.recorded_at).collect();
    let mut last = tip;
    let links: Vec<Vec<u8>> = rows
        .iter()
        .map(|r| {
            last = next_link(
                &last,
                &EventFields {
                    position: r.position,
                    stream: r.stream,
                    version: r.version,
                    id: &r.id,
                    event_type: r.event_type,
                    schema_version: r.schema_version,
                    data: r.data,
                    metadata: r.metadata,
                    recorded_at_micros: r.recorded_at.timestamp_micros(),
                },
            );
            last.to_vec()
        })
        .collect();
    let last = last.to_vec();

    let head_i64 = to_i64(head);
    let payload = head.to_string();
    // Pipelined: one round trip for the three statements.
    futures::try_join!(
        async {
            tx.execute(
                &insert,
                &[
                    &position,
                    &stream,
                    &version,
                    &id,
                    &event_type,
                    &schema_version,
                    &data,
                    &actor,
                    &actor_role,
                    &causation,
                    &correlation,
                    &trace,
                    &fingerprint,
                    &recorded,
                    &links,
                ],
            )
            .await
            .map_err(|e| failed("inserting events", e))
        },
        async {
            tx.execute(&update, &[&head_i64, &recorded_at, &last])
                .await
                .map_err(|e| failed("moving the log head", e))
        },
        async {
            tx.execute(&notify, &[&CHANNEL, &payload])
                .await
                .map_err(|e| failed("notifying", e))
        },
    )?;
    Ok(())
}

/// Ids that occur twice in `ids`, if any (for import's checks).
pub(crate) fn first_repeated(ids: &[Uuid]) -> Option<Uuid> {
    let mut seen = HashSet::with_capacity(ids.len());
    ids.iter().copied().find(|id| !seen.insert(*id))
}
