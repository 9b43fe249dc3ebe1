//! Checks every backend applies to an append before it goes to storage, so
//! both backends accept and refuse the same appends.

use std::collections::HashSet;

use uuid::Uuid;

use crate::{NewEvent, RecordedEvent, StoreError};

/// Longest stream name accepted, in bytes.
pub(crate) const MAX_STREAM_NAME_LEN: usize = 1024;
/// Longest event type accepted, in bytes.
pub(crate) const MAX_EVENT_TYPE_LEN: usize = 256;

fn invalid(reason: impl Into<String>) -> StoreError {
    StoreError::InvalidAppend(reason.into())
}

/// Refuses appends no backend should store:
/// - an empty event list (there is no position to report for it),
/// - an empty, overlong or `$`-prefixed stream name (`$` is KurrentDB's system namespace),
/// - an empty, overlong or `$`-prefixed event type,
/// - a nil or repeated event id,
/// - a body that is not UTF-8 JSON.
pub(crate) fn validate_append(stream: &str, events: &[NewEvent]) -> Result<(), StoreError> {
    validate_stream_name(stream)?;
    if events.is_empty() {
        return Err(invalid(format!("no events to append to stream `{stream}`")));
    }
    let mut ids = HashSet::with_capacity(events.len());
    for event in events {
        if !ids.insert(event.id) {
            return Err(invalid(format!(
                "event id {} appears twice in one append to stream `{stream}`",
                event.id
            )));
        }
        validate_event(stream, event.id, &event.event_type, &event.data)?;
    }
    Ok(())
}

/// The checks of [`validate_append`] for events copied from another store
/// ([`crate::EventStore::import`]): every stream name and event valid, no id
/// twice in the batch, and recorded times never going back along it. An
/// empty batch is fine (there is nothing to import).
pub(crate) fn validate_import(events: &[RecordedEvent]) -> Result<(), StoreError> {
    let mut ids = HashSet::with_capacity(events.len());
    let mut previous: Option<&RecordedEvent> = None;
    for event in events {
        validate_stream_name(&event.stream)?;
        if !ids.insert(event.id) {
            return Err(invalid(format!("event id {} appears twice in one import", event.id)));
        }
        validate_event(&event.stream, event.id, &event.event_type, &event.data)?;
        if let Some(previous) = previous.filter(|p| event.recorded_at < p.recorded_at) {
            return Err(invalid(format!(
                "event {} was recorded at {}, before the event ahead of it in the import ({}): \
                 recorded times must not go back along the log",
                event.id, event.recorded_at, previous.recorded_at
            )));
        }
        previous = Some(event);
    }
    Ok(())
}

/// An import event that does not continue its stream: `current` is the
/// stream's version before it (`None`: no events).
pub(crate) fn does_not_continue(event: &RecordedEvent, current: Option<u64>) -> StoreError {
    let wanted = current.map_or(0, |c| c + 1);
    let state = match current {
        None => "has no events, so an import must start it at version 0".to_string(),
        Some(c) => format!("is at version {c}, so the next event must have version {}", c + 1),
    };
    invalid(format!(
        "event {} has version {} in stream `{}`, which does not continue the stream: it {state} \
         (expected {wanted}); nothing of the import was written",
        event.id, event.version, event.stream
    ))
}

fn validate_stream_name(stream: &str) -> Result<(), StoreError> {
    if stream.is_empty() {
        return Err(invalid("the stream name is empty"));
    }
    if stream.len() > MAX_STREAM_NAME_LEN {
        return Err(invalid(format!(
            "the stream name is {} bytes long, more than {MAX_STREAM_NAME_LEN}",
            stream.len()
        )));
    }
    if stream.starts_with('$') {
        return Err(invalid(format!(
            "stream `{stream}`: names starting with `$` are reserved for system streams"
        )));
    }
    Ok(())
}

fn validate_event(stream: &str, id: Uuid, event_type: &str, data: &[u8]) -> Result<(), StoreError> {
    if id.is_nil() {
        return Err(invalid(format!("an event for stream `{stream}` has the nil id")));
    }
    if event_type.is_empty() {
        return Err(invalid(format!("event {id} has an empty type")));
    }
    if event_type.len() > MAX_EVENT_TYPE_LEN {
        return Err(invalid(format!(
            "event {id} has a type longer than {MAX_EVENT_TYPE_LEN} bytes"
        )));
    }
    if event_type.starts_with('$') {
        return Err(invalid(format!(
            "event {id}: types starting with `$` are reserved for system events"
        )));
    }
    if std::str::from_utf8(data).is_err() {
        return Err(invalid(format!("event {id}: the body is not UTF-8")));
    }
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(data) {
        return Err(invalid(format!("event {id}: the body is not JSON: {e}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EventMetadata;

    fn event(data: &str) -> NewEvent {
        NewEvent {
            id: Uuid::new_v4(),
            event_type: "Thing".into(),
            schema_version: 1,
            data: data.as_bytes().to_vec(),
            metadata: EventMetadata::default(),
        }
    }

    fn refused(stream: &str, events: &[NewEvent]) -> String {
        match validate_append(stream, events) {
            Err(StoreError::InvalidAppend(reason)) => reason,
            other => panic!("expected InvalidAppend, got {other:?}"),
        }
    }

    #[test]
    fn accepts_a_normal_append() {
        assert!(validate_append("case-1", &[event("{}"), event(r#"{"a":[1,2]}"#)]).is_ok());
    }

    #[test]
    fn refuses_empty_lists_names_and_types() {
        assert!(refused("case-1", &[]).contains("no events"));
        assert!(refused("", &[event("{}")]).contains("empty"));
        assert!(refused("$all", &[event("{}")]).contains("reserved"));
        assert!(refused(&"x".repeat(MAX_STREAM_NAME_LEN + 1), &[event("{}")]).contains("long"));
        let mut e = event("{}");
        e.event_type.clear();
        assert!(refused("case-1", &[e]).contains("empty type"));
        let mut e = event("{}");
        e.event_type = "$metadata".into();
        assert!(refused("case-1", &[e]).contains("reserved"));
    }

    #[test]
    fn refuses_bad_ids_and_bodies() {
        let e = event("{}");
        assert!(refused("case-1", &[e.clone(), e]).contains("twice"));
        let mut e = event("{}");
        e.id = Uuid::nil();
        assert!(refused("case-1", &[e]).contains("nil"));
        assert!(refused("case-1", &[event("{not json")]).contains("not JSON"));
        let mut e = event("{}");
        e.data = vec![b'"', 0xff, b'"'];
        assert!(refused("case-1", &[e]).contains("UTF-8"));
    }
}
