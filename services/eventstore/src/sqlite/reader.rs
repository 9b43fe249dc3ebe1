//! The read side: a small pool of read-only connections (WAL lets them read
//! while the writer writes) and the row → [`RecordedEvent`] mapping.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::DateTime;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row};
use uuid::Uuid;

use super::format::{classify, open_reader, APPLICATION_ID, FORMAT_VERSION};
use super::IntegrityReport;
use crate::{Direction, EventMetadata, RecordedEvent, StoreError};

/// Columns every event query selects, in the order [`row_to_event`] reads
/// them. The stream's name is looked up apart (once per stream and query):
/// cheaper than joining `streams` on every row.
pub(super) const EVENT_COLUMNS: &str =
    "e.position, e.stream_id, e.version, e.event_id, e.event_type, e.schema_version, e.data, \
     e.actor, e.actor_role, e.causation_id, e.correlation_id, e.trace_id, e.recorded_at, e.command_fingerprint";

pub(crate) struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
}

impl ReadPool {
    pub(crate) fn new(path: PathBuf, max_idle: usize) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
            max_idle,
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on an idle connection (or a new one), then returns it to the pool.
    pub(crate) fn with_conn<R>(&self, f: impl FnOnce(&Connection) -> Result<R, StoreError>) -> Result<R, StoreError> {
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => open_reader(&self.path)?,
        };
        let result = f(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.max_idle {
            idle.push(conn);
        }
        result
    }

    pub(crate) fn sql_err(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.path, e)
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn bad_column(idx: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Blob, format!("column {idx}: {what}").into())
}

fn get_u64(row: &Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let v: i64 = row.get(idx)?;
    u64::try_from(v).map_err(|_| bad_column(idx, "negative"))
}

fn get_str(row: &Row<'_>, idx: usize) -> rusqlite::Result<String> {
    Ok(row.get_ref(idx)?.as_str()?.to_owned())
}

fn get_opt_str(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<String>> {
    match row.get_ref(idx)? {
        ValueRef::Null => Ok(None),
        v => Ok(Some(v.as_str()?.to_owned())),
    }
}

fn get_uuid(row: &Row<'_>, idx: usize) -> rusqlite::Result<Uuid> {
    Uuid::from_slice(row.get_ref(idx)?.as_blob()?).map_err(|_| bad_column(idx, "not a 16-byte uuid"))
}

fn get_opt_uuid(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Uuid>> {
    match row.get_ref(idx)? {
        ValueRef::Null => Ok(None),
        _ => get_uuid(row, idx).map(Some),
    }
}

pub(super) fn row_to_event(row: &Row<'_>, stream: String) -> rusqlite::Result<RecordedEvent> {
    let recorded_at: i64 = row.get(12)?;
    let schema_version: i64 = row.get(5)?;
    Ok(RecordedEvent {
        position: get_u64(row, 0)?,
        stream,
        version: get_u64(row, 2)?,
        id: get_uuid(row, 3)?,
        event_type: get_str(row, 4)?,
        schema_version: u32::try_from(schema_version).map_err(|_| bad_column(5, "schema version out of range"))?,
        data: match row.get_ref(6)? {
            ValueRef::Blob(b) => b.to_vec(),
            ValueRef::Text(t) => t.to_vec(),
            _ => return Err(bad_column(6, "data is neither blob nor text")),
        },
        metadata: EventMetadata {
            actor: get_opt_str(row, 7)?,
            actor_role: get_opt_str(row, 8)?,
            causation_id: get_opt_uuid(row, 9)?,
            correlation_id: get_opt_uuid(row, 10)?,
            trace_id: get_opt_str(row, 11)?,
            command_fingerprint: get_opt_str(row, 13)?,
        },
        recorded_at: DateTime::from_timestamp_micros(recorded_at)
            .ok_or_else(|| bad_column(12, "recorded_at out of range"))?,
    })
}

/// Runs an event query: the rows of `stmt`, at most `max` of them;
/// `stream_name` resolves column 1 (the stream id). The statements carry no
/// `LIMIT ?`: SQLite (built with `SQLITE_ENABLE_STAT4`, as rusqlite's bundled
/// copy is) prepares a statement again whenever the value bound to its
/// `LIMIT` changes, and steps are lazy, so stopping here costs the same.
fn collect(
    pool: &ReadPool,
    stmt: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
    max: usize,
    mut stream_name: impl FnMut(i64) -> Result<String, StoreError>,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let unreadable = |e: rusqlite::Error| StoreError::Corrupt {
        path: pool.path().display().to_string(),
        reason: format!("unreadable event row: {e}"),
    };
    let mut out = Vec::with_capacity(max.min(1024));
    let mut rows = stmt.query(params).map_err(|e| pool.sql_err(e))?;
    while out.len() < max {
        let Some(row) = rows.next().map_err(|e| pool.sql_err(e))? else {
            break;
        };
        let stream_id: i64 = row.get(1).map_err(unreadable)?;
        let stream = stream_name(stream_id)?;
        out.push(row_to_event(row, stream).map_err(unreadable)?);
    }
    Ok(out)
}

/// Hasher for stream ids (small trusted integers): a multiply, no SipHash.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_i64(&mut self, n: i64) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Smallest slice of the log worth a thread of its own.
const MIN_PART: u64 = 4096;

/// Reads up to `max` events after `after`, given `head`, a position every
/// event up to which is committed (the writer publishes it after commit).
///
/// Positions are dense (one writer, rowids never reused after a commit), so
/// the events wanted are exactly those in `(after, min(head, after + max)]`.
/// Big ranges are split into slices read in parallel, each on its own
/// connection: any snapshot taken after `head` was published holds every
/// event up to `head`, so the slices fit together without gaps, and reading
/// by range keeps them from overlapping.
pub(crate) fn read_all(
    pool: &ReadPool,
    after: Option<u64>,
    max: usize,
    head: u64,
    parallelism: usize,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let after = after.unwrap_or(0);
    if max == 0 || after >= head {
        return Ok(Vec::new());
    }
    let end = head.min(after.saturating_add(u64::try_from(max).unwrap_or(u64::MAX)));
    let span = end - after;
    let parts = usize::try_from(span / MIN_PART)
        .unwrap_or(usize::MAX)
        .clamp(1, parallelism.max(1));
    let mut events = if parts == 1 {
        read_range(pool, after, end, max)?
    } else {
        let step = span.div_ceil(parts as u64);
        let bounds: Vec<(u64, u64)> = (0..parts as u64)
            .map(|i| (after + i * step, (after + (i + 1) * step).min(end)))
            .filter(|(lo, hi)| lo < hi)
            .collect();
        std::thread::scope(|scope| {
            // Slice 0 on this thread, the others on their own; if a thread
            // cannot be had, its slice is read here after all.
            let mut others = Vec::with_capacity(bounds.len());
            for &(lo, hi) in bounds.iter().skip(1) {
                let spawned = std::thread::Builder::new()
                    .name("eventstore-read".into())
                    .spawn_scoped(scope, move || read_range(pool, lo, hi, max));
                others.push(spawned.map_err(|_| (lo, hi)));
            }
            let mut events = match bounds.first() {
                Some(&(lo, hi)) => read_range(pool, lo, hi, max)?,
                None => Vec::new(),
            };
            for other in others {
                let part = match other {
                    Ok(handle) => handle
                        .join()
                        .map_err(|_| StoreError::Backend("a log reader thread panicked".into()))??,
                    Err((lo, hi)) => read_range(pool, lo, hi, max)?,
                };
                events.extend(part);
            }
            Ok::<_, StoreError>(events)
        })?
    };
    if events.is_empty() {
        // Not expected with dense positions; never answer "nothing" while
        // something is there.
        events = read_range(pool, after, u64::MAX, max)?;
    }
    events.truncate(max);
    Ok(events)
}

/// The events with positions in `(after, ?2]` after `?1`, in order.
fn range_sql() -> String {
    format!("SELECT {EVENT_COLUMNS} FROM events e WHERE e.position > ?1 AND e.position <= ?2 ORDER BY e.position")
}

/// The events of stream `?1` from version `?2` on (forwards) or up to it
/// (backwards). The name is compared as `+?1`, not `?1`: with a bare
/// parameter in the equality that fixes the index prefix for the `ORDER BY`,
/// SQLite prepared the statement again whenever the bound name changed (the
/// plan is the same either way: the name's index, then `events_by_stream`).
fn stream_sql(direction: Direction) -> String {
    let (op, order) = match direction {
        Direction::Forwards => (">=", ""),
        Direction::Backwards => ("<=", " DESC"),
    };
    format!(
        "SELECT {EVENT_COLUMNS} FROM streams s JOIN events e ON e.stream_id = s.stream_id \
         WHERE s.name = +?1 AND e.version {op} ?2 ORDER BY e.version{order}"
    )
}

/// The events with positions in `(after, upto]`, at most `max`.
fn read_range(pool: &ReadPool, after: u64, upto: u64, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
    pool.with_conn(|conn| {
        let mut stmt = conn.prepare_cached(&range_sql()).map_err(|e| pool.sql_err(e))?;
        let mut lookup = conn
            .prepare_cached("SELECT name FROM streams WHERE stream_id = ?1")
            .map_err(|e| pool.sql_err(e))?;
        let mut names: HashMap<i64, String, BuildHasherDefault<IdHasher>> = HashMap::default();
        let name = |id: i64| -> Result<String, StoreError> {
            if let Some(name) = names.get(&id) {
                return Ok(name.clone());
            }
            let name: String = lookup.query_row([id], |r| r.get(0)).map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => StoreError::Corrupt {
                    path: pool.path().display().to_string(),
                    reason: format!("events refer to stream id {id}, which does not exist"),
                },
                e => pool.sql_err(e),
            })?;
            names.insert(id, name.clone());
            Ok(name)
        };
        let max = usize::try_from(upto - after).unwrap_or(max).min(max);
        collect(pool, &mut stmt, (to_i64(after), to_i64(upto)), max, name)
    })
}

/// The event with id `id`, in whichever stream (the first, should a file of
/// format 1 hold the id twice).
pub(crate) fn find_event(pool: &ReadPool, id: uuid::Uuid) -> Result<Option<RecordedEvent>, StoreError> {
    pool.with_conn(|conn| {
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS}, s.name FROM events e JOIN streams s ON s.stream_id = e.stream_id
                 WHERE e.event_id = ?1 ORDER BY e.position LIMIT 1"
            ))
            .map_err(|e| pool.sql_err(e))?;
        let unreadable = |e: rusqlite::Error| StoreError::Corrupt {
            path: pool.path().display().to_string(),
            reason: format!("unreadable event row: {e}"),
        };
        let mut rows = stmt.query([id.as_bytes().as_slice()]).map_err(|e| pool.sql_err(e))?;
        match rows.next().map_err(|e| pool.sql_err(e))? {
            Some(row) => {
                let stream = get_str(row, 14).map_err(unreadable)?;
                row_to_event(row, stream).map(Some).map_err(unreadable)
            }
            None => Ok(None),
        }
    })
}

pub(crate) fn read_stream(
    pool: &ReadPool,
    stream: &str,
    direction: Direction,
    from: Option<u64>,
    max: usize,
) -> Result<Vec<RecordedEvent>, StoreError> {
    if max == 0 {
        return Ok(Vec::new());
    }
    pool.with_conn(|conn| {
        let from = match direction {
            Direction::Forwards => to_i64(from.unwrap_or(0)),
            Direction::Backwards => from.map_or(i64::MAX, to_i64),
        };
        let mut stmt = conn
            .prepare_cached(&stream_sql(direction))
            .map_err(|e| pool.sql_err(e))?;
        collect(pool, &mut stmt, (stream, from), max, |_| Ok(stream.to_owned()))
    })
}

/// `PRAGMA integrity_check` plus the store's own invariants.
pub(crate) fn integrity_check(conn: &Connection, path: &Path) -> Result<IntegrityReport, StoreError> {
    let err = |e: rusqlite::Error| classify(path, e);
    let mut problems = Vec::new();

    let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(err)?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .map_err(err)?
        .collect::<Result<_, _>>()
        .map_err(err)?;
    if lines != ["ok"] {
        problems.extend(lines.into_iter().take(20).map(|l| format!("sqlite: {l}")));
    }

    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(err)?;
    if app_id != APPLICATION_ID {
        problems.push(format!("application id is {app_id:#010x}, not {APPLICATION_ID:#010x}"));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
    // An older format is healthy too (`check_file` does not migrate); the
    // store migrates it when it opens the file for writing.
    if !(1..=i64::from(FORMAT_VERSION)).contains(&version) {
        problems.push(format!("format version is {version}, not 1..={FORMAT_VERSION}"));
    }

    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM events WHERE stream_id NOT IN (SELECT stream_id FROM streams)",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    if orphans > 0 {
        problems.push(format!("{orphans} events belong to no stream"));
    }

    // Versions dense per stream: 0..=max, each exactly once (the unique
    // index rules out doubles, so count and bounds suffice).
    let mut stmt = conn
        .prepare(
            "SELECT s.name, count(e.position), min(e.version), max(e.version)
             FROM streams s LEFT JOIN events e ON e.stream_id = s.stream_id
             GROUP BY s.stream_id",
        )
        .map_err(err)?;
    let mut rows = stmt.query([]).map_err(err)?;
    let mut streams = 0u64;
    let mut dense_problems = 0usize;
    while let Some(row) = rows.next().map_err(err)? {
        streams += 1;
        let name: String = row.get(0).map_err(err)?;
        let count: i64 = row.get(1).map_err(err)?;
        let min: Option<i64> = row.get(2).map_err(err)?;
        let max: Option<i64> = row.get(3).map_err(err)?;
        if count == 0 || min != Some(0) || max != Some(count - 1) {
            dense_problems += 1;
            if dense_problems <= 10 {
                problems.push(format!(
                    "stream `{name}`: {count} events with versions {min:?}..={max:?}, not 0..{count}"
                ));
            }
        }
    }
    drop(rows);
    drop(stmt);
    if dense_problems > 10 {
        problems.push(format!("{} more streams with gaps", dense_problems - 10));
    }

    let out_of_order: i64 = conn
        .query_row(
            "SELECT count(*) FROM events a JOIN events b
               ON b.stream_id = a.stream_id AND b.version = a.version + 1
             WHERE b.position <= a.position",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    if out_of_order > 0 {
        problems.push(format!(
            "{out_of_order} events come before their predecessor in the global log"
        ));
    }

    let duplicate_ids: i64 = conn
        .query_row(
            "SELECT count(*) FROM (SELECT 1 FROM events GROUP BY stream_id, event_id HAVING count(*) > 1)",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    if duplicate_ids > 0 {
        problems.push(format!("{duplicate_ids} event ids occur twice in one stream"));
    }

    let clock_back: i64 = conn
        .query_row(
            "SELECT count(*) FROM (
               SELECT recorded_at - lag(recorded_at) OVER (ORDER BY position) AS d FROM events
             ) WHERE d < 0",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    if clock_back > 0 {
        problems.push(format!("{clock_back} events were recorded before their predecessor"));
    }

    let (events, head): (i64, Option<i64>) = conn
        .query_row("SELECT count(*), max(position) FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(err)?;

    if problems.is_empty() {
        Ok(IntegrityReport {
            events: u64::try_from(events).unwrap_or(0),
            streams,
            head_position: head.and_then(|h| u64::try_from(h).ok()),
        })
    } else {
        Err(StoreError::Corrupt {
            path: path.display().to_string(),
            reason: problems.join("; "),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // tests: failures should panic

    use super::*;
    use crate::{EventStore, ExpectedVersion, NewEvent};
    use rusqlite::StatementStatus;

    /// The reads the command handler and the projections make at every
    /// command ask for different numbers of events each time; none of them
    /// may make SQLite prepare its statement again.
    #[tokio::test]
    async fn reads_of_any_length_reuse_their_prepared_statements() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.db");
        let store = super::super::SqliteStore::open(&path).unwrap();
        for stream in ["a-1", "b-1"] {
            let events = (0..20)
                .map(|i| NewEvent {
                    id: Uuid::new_v4(),
                    event_type: "Happened".into(),
                    schema_version: 1,
                    data: format!("{{\"n\":{i}}}").into_bytes(),
                    metadata: Default::default(),
                })
                .collect();
            store.append(stream, ExpectedVersion::Any, events).await.unwrap();
        }
        // One idle connection: every read below runs on the same one and
        // finds its statement in that connection's cache.
        let pool = ReadPool::new(path, 1);
        for max in 1..=12 {
            let stream = if max % 2 == 0 { "a-1" } else { "b-1" };
            let forwards = read_stream(&pool, stream, Direction::Forwards, Some(max as u64), max).unwrap();
            assert_eq!(forwards.len(), max.min(20 - max));
            assert!(forwards.iter().all(|e| e.stream == stream));
            let backwards = read_stream(&pool, stream, Direction::Backwards, Some(max as u64), max).unwrap();
            assert_eq!(backwards.first().map(|e| e.version), Some(max as u64));
            assert_eq!(backwards.len(), max);
            let range = read_all(&pool, Some(max as u64), max, 40, 1).unwrap();
            let positions: Vec<u64> = range.iter().map(|e| e.position).collect();
            assert_eq!(positions, ((max as u64 + 1)..=(2 * max as u64)).collect::<Vec<_>>());
        }
        let reprepared = pool
            .with_conn(|conn| {
                let mut total = 0;
                for sql in [
                    range_sql(),
                    stream_sql(Direction::Forwards),
                    stream_sql(Direction::Backwards),
                ] {
                    total += conn
                        .prepare_cached(&sql)
                        .unwrap()
                        .get_status(StatementStatus::RePrepare);
                }
                Ok(total)
            })
            .unwrap();
        assert_eq!(reprepared, 0, "statements were prepared again");
    }
}
