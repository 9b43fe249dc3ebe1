//! How the port's events and states map to KurrentDB's (see `kurrent.rs`
//! and `docs/eventstore.md`, "KurrentDB backend").

use kurrentdb::{Position, ResolvedEvent, StreamPosition, StreamState, SubscriptionFilter};
use serde::{Deserialize, Serialize};

use super::links;
use crate::{AppendResult, EventMetadata, ExpectedVersion, NewEvent, RecordedEvent, StoreError};

/// The event's custom metadata as stored in KurrentDB.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct StoredMetadata {
    #[serde(rename = "schemaVersion", default = "default_schema_version")]
    pub(super) schema_version: u32,
    #[serde(flatten)]
    pub(super) metadata: EventMetadata,
    /// The time an imported event was first recorded, in the store it was
    /// copied from ([`EventStore::import`]): KurrentDB sets its own
    /// `created` time and cannot be given another, so the original goes
    /// here and is what reads report as `recorded_at`.
    #[serde(rename = "recordedAt", default, skip_serializing_if = "Option::is_none")]
    pub(super) recorded_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub(super) fn default_schema_version() -> u32 {
    1
}

/// Our ids against stored events read from where the append would go.
pub(super) fn compare_ids(
    stream: &str,
    stored: &[RecordedEvent],
    events: &[NewEvent],
) -> Result<Option<AppendResult>, StoreError> {
    let Some(first) = stored.first() else {
        return Ok(None);
    };
    if first.id != events[0].id {
        // Something else is there: the append will get WrongExpectedVersion.
        return Ok(None);
    }
    let all_match = stored.len() == events.len() && stored.iter().zip(events).all(|(s, e)| s.id == e.id);
    match stored.last() {
        Some(last) if all_match => Ok(Some(AppendResult {
            next_expected_version: last.version,
            position: last.position,
            written: false,
        })),
        _ => Err(StoreError::IdConflict {
            stream: stream.to_owned(),
        }),
    }
}

pub(super) fn is_system(event: &kurrentdb::RecordedEvent) -> bool {
    event.event_type.starts_with('$')
        || event.stream_id().starts_with('$')
        || links::is_companion_type(&event.event_type)
}

/// Our event from KurrentDB's, or `None` for system events.
pub(super) fn convert(resolved: &ResolvedEvent) -> Result<Option<RecordedEvent>, StoreError> {
    let Some(event) = resolved.event.as_ref().or(resolved.link.as_ref()) else {
        return Ok(None);
    };
    if is_system(event) {
        return Ok(None);
    }
    let meta: StoredMetadata = if event.custom_metadata.is_empty() {
        StoredMetadata {
            schema_version: default_schema_version(),
            ..StoredMetadata::default()
        }
    } else {
        serde_json::from_slice(&event.custom_metadata).unwrap_or_else(|e| {
            tracing::warn!(event_id = %event.id, error = %e, "unreadable event metadata; using none");
            StoredMetadata {
                schema_version: default_schema_version(),
                ..StoredMetadata::default()
            }
        })
    };
    // Reads by stream return the commit position on current servers; fall
    // back to the one the resolved event carries.
    let position = match event.position.commit {
        u64::MAX => resolved.commit_position.unwrap_or(u64::MAX),
        p => p,
    };
    Ok(Some(RecordedEvent {
        id: event.id,
        stream: event.stream_id().to_owned(),
        version: event.revision,
        position,
        event_type: event.event_type.clone(),
        schema_version: meta.schema_version,
        data: event.data.to_vec(),
        metadata: meta.metadata,
        recorded_at: meta.recorded_at.unwrap_or_else(|| created(event)),
    }))
}

/// `$all` position for our u64 position: commit and prepare positions are
/// equal for events appended through gRPC (one write = one implicit
/// transaction), which is all this store writes.
/// When the server wrote the event, to the microsecond: the client's
/// `created` is rounded down to the second, but the server's `created`
/// (100 ns ticks since the Unix epoch) is still in the event's system
/// metadata. The hash chain needs the precise time: an import's times are
/// exact, and an append right after one must not seem to go back.
pub(super) fn created(event: &kurrentdb::RecordedEvent) -> chrono::DateTime<chrono::Utc> {
    event
        .metadata
        .get("created")
        .and_then(|ticks| time_from_ticks(ticks))
        .unwrap_or(event.created)
}

/// `created` ticks (as the server gives them) as a time, to the microsecond.
pub(super) fn time_from_ticks(ticks: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    ticks
        .parse::<i64>()
        .ok()
        .and_then(|t| chrono::DateTime::from_timestamp_micros(t / 10))
}

pub(super) fn all_position(after: Option<u64>) -> StreamPosition<Position> {
    match after {
        None => StreamPosition::Start,
        Some(p) => StreamPosition::Position(Position { commit: p, prepare: p }),
    }
}

pub(super) fn user_events_filter() -> SubscriptionFilter {
    SubscriptionFilter::on_event_type().regex(links::user_event_type_regex())
}

pub(super) fn stream_state(expected: ExpectedVersion) -> StreamState {
    match expected {
        ExpectedVersion::Any => StreamState::Any,
        ExpectedVersion::NoStream => StreamState::NoStream,
        ExpectedVersion::Exact(n) => StreamState::StreamRevision(n),
    }
}
