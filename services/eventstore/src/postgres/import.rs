//! Import: events copied from another store, keeping their ids, streams,
//! versions, types, bodies, metadata and recorded times; positions are this
//! store's own (dense, after its head). All or nothing.

use std::collections::HashMap;

use deadpool_postgres::Pool;

use super::batch::Row;
use super::writer::{begin, failed, first_repeated, lock_head, placed_ids, stream_versions, write_rows, BatchError};
use crate::validate::validate_append;
use crate::{NewEvent, RecordedEvent, StoreError};

fn invalid(reason: String) -> StoreError {
    StoreError::InvalidAppend(reason)
}

fn batch_error(e: BatchError) -> StoreError {
    match e {
        BatchError::Failed(e) => e,
        BatchError::Unique(msg) | BatchError::Cut(msg) => StoreError::Backend(msg),
    }
}

/// Checks each event as an append of its own would be checked (stream
/// name, type, id, UTF-8 JSON body), and no id twice in the batch.
fn validate(events: &[RecordedEvent]) -> Result<(), StoreError> {
    for e in events {
        // The body is checked apart, without copying it.
        let probe = NewEvent {
            id: e.id,
            event_type: e.event_type.clone(),
            schema_version: e.schema_version,
            data: b"{}".to_vec(),
            metadata: Default::default(),
        };
        validate_append(&e.stream, std::slice::from_ref(&probe))?;
        if std::str::from_utf8(&e.data).is_err() {
            return Err(invalid(format!("event {}: the body is not UTF-8", e.id)));
        }
        if let Err(err) = serde_json::from_slice::<serde::de::IgnoredAny>(&e.data) {
            return Err(invalid(format!("event {}: the body is not JSON: {err}", e.id)));
        }
    }
    if let Some(id) = first_repeated(&events.iter().map(|e| e.id).collect::<Vec<_>>()) {
        return Err(invalid(format!("event id {id} appears twice in one import")));
    }
    Ok(())
}

/// Returns the new head position.
pub(crate) async fn import(pool: &Pool, events: &[RecordedEvent]) -> Result<u64, StoreError> {
    validate(events)?;
    let mut client = pool
        .get()
        .await
        .map_err(|e| StoreError::Backend(format!("no connection to PostgreSQL: {}", super::chain(&e))))?;
    let tx = begin(&mut client).await.map_err(batch_error)?;
    let (mut head, last_recorded_at, tip) = lock_head(&tx).await.map_err(batch_error)?;

    let mut streams: Vec<&str> = events.iter().map(|e| e.stream.as_str()).collect();
    streams.sort_unstable();
    streams.dedup();
    let ids: Vec<uuid::Uuid> = events.iter().map(|e| e.id).collect();
    let (mut versions, placed) =
        futures::try_join!(stream_versions(&tx, &streams), placed_ids(&tx, &ids)).map_err(batch_error)?;
    if let Some(e) = events.iter().find(|e| placed.contains_key(&e.id)) {
        let stream = placed[&e.id].stream.clone();
        return Err(StoreError::DuplicateEventId { id: e.id, stream });
    }

    let mut newest = last_recorded_at;
    let mut rows = Vec::with_capacity(events.len());
    let mut next_version: HashMap<&str, u64> = HashMap::new();
    for e in events {
        let expected = *next_version
            .entry(e.stream.as_str())
            .or_insert_with(|| versions.remove(e.stream.as_str()).map_or(0, |v| v + 1));
        if e.version != expected {
            return Err(invalid(format!(
                "event {} has version {} in stream `{}`, but the stream's next version here is {expected}: an import must continue each stream where this store's copy ends",
                e.id, e.version, e.stream
            )));
        }
        if e.recorded_at < newest {
            return Err(invalid(format!(
                "event {} was recorded at {}, before the newest event here ({newest}): recorded times must not go backwards along the log",
                e.id, e.recorded_at
            )));
        }
        newest = e.recorded_at;
        next_version.insert(e.stream.as_str(), expected + 1);
        head += 1;
        rows.push(Row {
            position: head,
            stream: &e.stream,
            version: e.version,
            id: e.id,
            event_type: &e.event_type,
            schema_version: e.schema_version,
            data: &e.data,
            metadata: &e.metadata,
            recorded_at: e.recorded_at,
        });
    }
    if rows.is_empty() {
        return Ok(head);
    }
    write_rows(&tx, &rows, head, newest, tip).await.map_err(batch_error)?;
    tx.commit().await.map_err(|e| batch_error(failed("commit", e)))?;
    Ok(head)
}
