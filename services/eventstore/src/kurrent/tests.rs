use super::*;
use crate::EventMetadata;
use uuid::Uuid;

fn recorded(id: Uuid, version: u64, position: u64) -> RecordedEvent {
    RecordedEvent {
        id,
        stream: "s".into(),
        version,
        position,
        event_type: "T".into(),
        schema_version: 1,
        data: b"{}".to_vec(),
        metadata: EventMetadata::default(),
        recorded_at: chrono::DateTime::UNIX_EPOCH,
    }
}

fn new(id: Uuid) -> NewEvent {
    NewEvent {
        id,
        event_type: "T".into(),
        schema_version: 1,
        data: b"{}".to_vec(),
        metadata: EventMetadata::default(),
    }
}

#[test]
fn retry_detection() {
    let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let stored = [recorded(a, 4, 100), recorded(b, 5, 120)];
    let done = compare_ids("s", &stored, &[new(a), new(b)]).expect("match");
    assert_eq!(
        done,
        Some(AppendResult {
            next_expected_version: 5,
            position: 120,
            written: false
        })
    );
    assert!(matches!(
        compare_ids("s", &stored, &[new(a), new(c)]),
        Err(StoreError::IdConflict { .. })
    ));
    assert!(matches!(
        compare_ids("s", &stored[..1], &[new(a), new(b)]),
        Err(StoreError::IdConflict { .. })
    ));
    assert_eq!(compare_ids("s", &stored, &[new(c)]).expect("other events"), None);
    assert_eq!(compare_ids("s", &[], &[new(c)]).expect("nothing there"), None);
}

#[test]
fn metadata_json_shape() {
    let meta = StoredMetadata {
        schema_version: 2,
        metadata: EventMetadata {
            actor: Some("u".into()),
            ..EventMetadata::default()
        },
        recorded_at: None,
    };
    let json = serde_json::to_value(&meta).expect("serialises");
    assert_eq!(json, serde_json::json!({ "schemaVersion": 2, "actor": "u" }));
    // An imported event carries its original recorded time, exactly.
    let at = chrono::DateTime::parse_from_rfc3339("2024-05-06T07:08:09.123456Z")
        .expect("a time")
        .to_utc();
    let imported = StoredMetadata {
        recorded_at: Some(at),
        ..StoredMetadata::default()
    };
    let json = serde_json::to_value(&imported).expect("serialises");
    assert_eq!(json["recordedAt"], "2024-05-06T07:08:09.123456Z");
    let back: StoredMetadata = serde_json::from_value(json).expect("parses");
    assert_eq!(back.recorded_at, Some(at));
    let back: StoredMetadata = serde_json::from_value(serde_json::json!({ "actor": "u" })).expect("parses");
    assert_eq!(back.schema_version, 1);
    assert_eq!(back.metadata.actor.as_deref(), Some("u"));
}

#[test]
fn expected_version_mapping() {
    assert_eq!(stream_state(ExpectedVersion::Any), StreamState::Any);
    assert_eq!(stream_state(ExpectedVersion::NoStream), StreamState::NoStream);
    assert_eq!(stream_state(ExpectedVersion::Exact(7)), StreamState::StreamRevision(7));
}

#[test]
fn created_ticks_keep_the_microseconds() {
    // 2024-05-06T07:08:09.1234567Z in 100 ns ticks since the Unix epoch.
    let at = convert::time_from_ticks("17149792891234567").expect("a time");
    assert_eq!(
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "2024-05-06T07:08:09.123456Z"
    );
    assert_eq!(convert::time_from_ticks("not ticks"), None);
}
