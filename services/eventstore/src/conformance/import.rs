//! Import: copying recorded events into another store, envelope kept.

use super::*;

/// An event as another store recorded it, for [`EventStore::import`]; its
/// `position` is nonsense on purpose (the importing store assigns its own).
pub fn recorded(stream: &str, version: u64, event_type: &str, body: &[u8], at: DateTime<Utc>) -> RecordedEvent {
    RecordedEvent {
        id: Uuid::new_v4(),
        stream: stream.to_owned(),
        version,
        position: 9_999_999,
        event_type: event_type.to_owned(),
        schema_version: 1,
        data: body.to_vec(),
        metadata: EventMetadata::default(),
        recorded_at: at,
    }
}

/// Now, to the microsecond (what every backend keeps).
fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// The fields an import keeps (everything but the position).
fn envelope(e: &RecordedEvent) -> (Uuid, &str, u64, &str, u32, &[u8], &EventMetadata, DateTime<Utc>) {
    (
        e.id,
        e.stream.as_str(),
        e.version,
        e.event_type.as_str(),
        e.schema_version,
        e.data.as_slice(),
        &e.metadata,
        e.recorded_at,
    )
}

/// Imported events keep their ids, streams, versions, types, schema
/// versions, bodies (byte for byte), metadata and recorded times; they get
/// new, increasing positions after the head, continue existing streams,
/// reach live subscriptions, and ordinary appends go on after them. An
/// empty import changes nothing.
pub async fn import_keeps_the_envelope(store: Store, ns: &str) {
    let (old, a, b) = (format!("{ns}-old"), format!("{ns}-a"), format!("{ns}-b"));
    store
        .append(
            &old,
            ExpectedVersion::NoStream,
            vec![
                event("Old", serde_json::json!({"n": 0})),
                event("Old", serde_json::json!({"n": 1})),
            ],
        )
        .await
        .expect("append");
    let start = store.head_position().await.expect("head");
    let mut sub = store.subscribe_all(start);

    let t = now_micros();
    let micros = chrono::Duration::microseconds;
    let mut full = recorded(&a, 0, "CaseOpened", br#"{ "title" : "Gr\u00e4s",  "n":[1, 2] }"#, t);
    full.schema_version = 3;
    full.metadata = EventMetadata {
        actor: Some("user:anna@example.org".into()),
        actor_role: Some("coordinator:V6".into()),
        causation_id: Some(Uuid::new_v4()),
        correlation_id: Some(Uuid::new_v4()),
        trace_id: Some("4bf92f3577b34da6a3ce929d0e0e4736".into()),
        command_fingerprint: Some(format!("sha256:{}", "0f".repeat(32))),
    };
    let batch = vec![
        full,
        recorded(&old, 2, "Old", br#"{"n":2}"#, t + micros(1)),
        recorded(&a, 1, "CaseNoted", b"[]", t + micros(1)),
        recorded(&b, 0, "Other", br#"{"b":true}"#, t + micros(250)),
    ];
    store.import(batch.clone()).await.expect("import");

    let ours = all_events_of(&store, start, ns).await;
    assert_eq!(ours.len(), batch.len(), "the import's events are in $all");
    for (got, sent) in ours.iter().zip(&batch) {
        assert_eq!(envelope(got), envelope(sent), "an imported event keeps its envelope");
        assert!(start.is_none_or(|s| got.position > s), "positions after the old head");
    }
    for pair in ours.windows(2) {
        assert!(pair[0].position < pair[1].position, "positions in import order");
    }
    let old_stream = whole_stream(&store, &old).await;
    assert_eq!(old_stream.iter().map(|e| e.version).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert_eq!(old_stream[2].id, batch[1].id);
    assert_eq!(
        whole_stream(&store, &a).await.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![batch[0].id, batch[2].id]
    );

    for sent in &batch {
        loop {
            let got = next_event(&mut sub, "a subscription during an import").await;
            if got.stream.starts_with(ns) {
                assert_eq!(
                    envelope(&got),
                    envelope(sent),
                    "the subscription sees the import in order"
                );
                break;
            }
        }
    }

    store.import(Vec::new()).await.expect("an empty import is fine");
    let next = store
        .append(
            &a,
            ExpectedVersion::Exact(1),
            vec![event("CaseClosed", serde_json::json!({}))],
        )
        .await
        .expect("appends continue an imported stream");
    assert_eq!(next.next_expected_version, 2);
    match store
        .append(
            &b,
            ExpectedVersion::NoStream,
            vec![event("Other", serde_json::json!({}))],
        )
        .await
    {
        Err(StoreError::WrongExpectedVersion { actual, .. }) => assert_eq!(actual, Some(0)),
        other => panic!("an imported stream exists: expected WrongExpectedVersion, got {other:?}"),
    }
    let last = whole_stream(&store, &a).await;
    assert!(
        last[2].recorded_at >= last[1].recorded_at,
        "recorded times go on from the import's"
    );
}

/// An import whose events do not continue their streams (a gap, a version
/// already there, a new stream not starting at 0, the same stream twice at
/// one version), recorded times going back, or invalid events, is refused
/// with `InvalidAppend` and writes nothing, not even the valid events in
/// front of the bad one.
pub async fn import_refuses_what_does_not_continue(store: Store, ns: &str) {
    let (s, n, fresh) = (format!("{ns}-s"), format!("{ns}-n"), format!("{ns}-fresh"));
    let start = store.head_position().await.expect("head");
    let appended = vec![
        event("S", serde_json::json!({"v": 0})),
        event("S", serde_json::json!({"v": 1})),
    ];
    store
        .append(&s, ExpectedVersion::NoStream, appended.clone())
        .await
        .expect("append");
    let t = now_micros() + chrono::Duration::milliseconds(1);
    let good = || recorded(&n, 0, "N", b"{}", t);
    let bad: Vec<(&str, RecordedEvent)> = vec![
        ("a gap", recorded(&s, 3, "S", b"{}", t)),
        ("a version already there", recorded(&s, 1, "S", b"{}", t)),
        ("a new stream not at 0", recorded(&fresh, 1, "S", b"{}", t)),
        ("the batch's own stream twice at 0", recorded(&n, 0, "N", b"{}", t)),
        (
            "a recorded time before the store's newest",
            recorded(&s, 2, "S", b"{}", t - chrono::Duration::days(400)),
        ),
        ("a body that is not JSON", recorded(&s, 2, "S", b"{oops", t)),
        ("a system stream", recorded("$system", 0, "S", b"{}", t)),
    ];
    for (what, bad) in bad {
        match store.import(vec![good(), bad]).await {
            Err(StoreError::InvalidAppend(reason)) => assert!(!reason.is_empty(), "{what}: a reason"),
            other => panic!("{what}: expected InvalidAppend, got {other:?}"),
        }
    }
    let twice = good();
    match store.import(vec![twice.clone(), twice]).await {
        Err(StoreError::InvalidAppend(_)) => {}
        other => panic!("an id twice in the batch: expected InvalidAppend, got {other:?}"),
    }
    let ours = all_events_of(&store, start, ns).await;
    assert_eq!(
        ours.iter().map(|e| e.id).collect::<Vec<_>>(),
        appended.iter().map(|e| e.id).collect::<Vec<_>>(),
        "refused imports wrote nothing"
    );
    assert!(whole_stream(&store, &n).await.is_empty());
    assert!(whole_stream(&store, &fresh).await.is_empty());
}

/// Event ids stay unique across the store: an import carrying an id stored
/// in any stream is refused with `DuplicateEventId` and writes nothing.
pub async fn import_refuses_ids_stored_already(store: Store, ns: &str) {
    let (one, other) = (format!("{ns}-one"), format!("{ns}-other"));
    let start = store.head_position().await.expect("head");
    let stored = event("A", serde_json::json!({}));
    store
        .append(&one, ExpectedVersion::NoStream, vec![stored.clone()])
        .await
        .expect("append");
    let t = now_micros() + chrono::Duration::milliseconds(1);
    let first = recorded(&other, 0, "B", b"{}", t);
    let mut reused = recorded(&other, 1, "B", b"{}", t);
    reused.id = stored.id;
    match store.import(vec![first, reused]).await {
        Err(StoreError::DuplicateEventId { id, stream }) => assert_eq!((id, stream), (stored.id, one.clone())),
        other => panic!("an id stored already: expected DuplicateEventId, got {other:?}"),
    }
    let ours = all_events_of(&store, start, ns).await;
    assert_eq!(ours.iter().map(|e| e.id).collect::<Vec<_>>(), vec![stored.id]);
}
