//! The hash chain in the SQLite file (format 3): `events.chain_hash` (the
//! event's link) and the `checkpoints` table. The writer computes links as
//! it assigns positions; this module backfills older files, reads the chain
//! and the checkpoints, and records checkpoints (on the writer's connection).

use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension};

use super::reader::{row_to_event, ReadPool, EVENT_COLUMNS};
use crate::chain::{next_link, ChainHead, ChainedEvent, Checkpoint, EventFields, Hash, GENESIS};
use crate::StoreError;

/// Events read per step of the backfill.
const BACKFILL_STEP: i64 = 10_000;

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn hash_of(v: Option<Vec<u8>>) -> Option<Hash> {
    v.and_then(|b| <Hash>::try_from(b.as_slice()).ok())
}

/// Events after `after` with their stored links, in position order (the
/// stream name joined; an event whose stream row is gone reads with an
/// empty stream name, which no link matches). Reading stops at a row that
/// cannot be decoded: the rows before it, and its position with the error.
type Rows = (Vec<ChainedEvent>, Option<(u64, rusqlite::Error)>);

fn read_rows(conn: &Connection, after: u64, max: i64) -> rusqlite::Result<Rows> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS}, coalesce(s.name, ''), e.chain_hash FROM events e
         LEFT JOIN streams s ON s.stream_id = e.stream_id
         WHERE e.position > ?1 ORDER BY e.position LIMIT ?2"
    ))?;
    let mut rows = stmt.query((to_i64(after), max))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let decoded = (|| {
            let stream: String = r.get(14)?;
            Ok(ChainedEvent {
                event: row_to_event(r, stream)?,
                hash: hash_of(r.get(15)?),
            })
        })();
        match decoded {
            Ok(e) => out.push(e),
            Err(e @ (rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..))) => {
                // `position` is the rowid: always an integer.
                let position = u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0);
                return Ok((out, Some((position, e))));
            }
            Err(e) => return Err(e),
        }
    }
    Ok((out, None))
}

/// Computes and stores the link of every event, from the first (the
/// migration to format 3; inside its transaction).
pub(super) fn backfill(conn: &Connection) -> rusqlite::Result<u64> {
    let mut prev = GENESIS;
    let mut after = 0;
    let mut count = 0;
    loop {
        let (batch, unreadable) = read_rows(conn, after, BACKFILL_STEP)?;
        if let Some((_, e)) = unreadable.filter(|_| batch.is_empty()) {
            return Err(e);
        }
        if batch.is_empty() {
            return Ok(count);
        }
        let mut update = conn.prepare_cached("UPDATE events SET chain_hash = ?1 WHERE position = ?2")?;
        for e in &batch {
            prev = next_link(&prev, &EventFields::from(&e.event));
            update.execute((prev.as_slice(), to_i64(e.event.position)))?;
            after = e.event.position;
            count += 1;
        }
    }
}

/// The newest event's position and stored link (the writer's starting point).
pub(super) fn head(conn: &Connection) -> rusqlite::Result<Option<(u64, Option<Hash>)>> {
    conn.query_row(
        "SELECT position, chain_hash FROM events ORDER BY position DESC LIMIT 1",
        [],
        |r| Ok((u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0), hash_of(r.get(1)?))),
    )
    .optional()
}

/// A row that cannot be decoded is [`StoreError::UnreadableEvent`] once
/// the rows before it are read: the caller can go on after its position.
pub(super) fn read_chain(pool: &ReadPool, after: Option<u64>, max: usize) -> Result<Vec<ChainedEvent>, StoreError> {
    pool.with_conn(|conn| {
        let (rows, unreadable) =
            read_rows(conn, after.unwrap_or(0), i64::try_from(max).unwrap_or(i64::MAX)).map_err(|e| pool.sql_err(e))?;
        match unreadable {
            Some((position, e)) if rows.is_empty() => Err(StoreError::UnreadableEvent {
                path: pool.path().display().to_string(),
                position,
                reason: e.to_string(),
            }),
            _ => Ok(rows),
        }
    })
}

pub(super) fn chain_head(pool: &ReadPool) -> Result<Option<ChainHead>, StoreError> {
    pool.with_conn(|conn| {
        let head = head(conn).map_err(|e| pool.sql_err(e))?;
        Ok(head.and_then(|(position, hash)| hash.map(|hash| ChainHead { position, hash })))
    })
}

fn row_to_checkpoint(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Checkpoint>> {
    let position: i64 = r.get(0)?;
    let hash: Vec<u8> = r.get(1)?;
    let signed_at: i64 = r.get(2)?;
    let key: Vec<u8> = r.get(3)?;
    let signature: Vec<u8> = r.get(4)?;
    Ok((|| {
        Some(Checkpoint {
            position: u64::try_from(position).ok()?,
            hash: hash.as_slice().try_into().ok()?,
            signed_at: DateTime::from_timestamp_micros(signed_at)?,
            key: key.as_slice().try_into().ok()?,
            signature: signature.as_slice().try_into().ok()?,
        })
    })())
}

pub(super) fn checkpoints(pool: &ReadPool, from: u64, max: usize, newest: bool) -> Result<Vec<Checkpoint>, StoreError> {
    pool.with_conn(|conn| {
        let sql = if newest {
            "SELECT position, chain_hash, signed_at, public_key, signature FROM checkpoints
             WHERE position >= ?1 ORDER BY position DESC LIMIT ?2"
        } else {
            "SELECT position, chain_hash, signed_at, public_key, signature FROM checkpoints
             WHERE position >= ?1 ORDER BY position LIMIT ?2"
        };
        let mut stmt = conn.prepare_cached(sql).map_err(|e| pool.sql_err(e))?;
        let rows = stmt
            .query_map(
                (to_i64(from), i64::try_from(max).unwrap_or(i64::MAX)),
                row_to_checkpoint,
            )
            .map_err(|e| pool.sql_err(e))?;
        let mut out = Vec::new();
        for row in rows {
            match row.map_err(|e| pool.sql_err(e))? {
                Some(cp) => out.push(cp),
                None => {
                    return Err(StoreError::Corrupt {
                        path: pool.path().display().to_string(),
                        reason: "a checkpoint row has fields of the wrong size".into(),
                    })
                }
            }
        }
        Ok(out)
    })
}

/// Records `cp` on the writer's connection, in a transaction of its own:
/// refused unless the event at its position has exactly its hash.
pub(super) fn insert_checkpoint(conn: &Connection, cp: &Checkpoint) -> Result<bool, rusqlite::Error> {
    let stored: Option<Option<Vec<u8>>> = conn
        .prepare_cached("SELECT chain_hash FROM events WHERE position = ?1")?
        .query_row([to_i64(cp.position)], |r| r.get(0))
        .optional()?;
    if hash_of(stored.flatten()) != Some(cp.hash) {
        return Ok(false);
    }
    conn.prepare_cached(
        "INSERT OR IGNORE INTO checkpoints (position, chain_hash, signed_at, public_key, signature)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute((
        to_i64(cp.position),
        cp.hash.as_slice(),
        cp.signed_at.timestamp_micros(),
        cp.key.as_slice(),
        cp.signature.as_slice(),
    ))?;
    Ok(true)
}
