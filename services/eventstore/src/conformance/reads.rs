//! Reading streams and the global log, and what metadata comes back.

use super::*;

/// Forwards and backwards from a version, with a maximum.
pub async fn read_stream_directions(store: Store, ns: &str) {
    let stream = format!("{ns}-ten");
    let events: Vec<NewEvent> = (0..10).map(|i| event("N", serde_json::json!({ "i": i }))).collect();
    store
        .append(&stream, ExpectedVersion::NoStream, events[..4].to_vec())
        .await
        .expect("append");
    store
        .append(&stream, ExpectedVersion::Exact(3), events[4..].to_vec())
        .await
        .expect("append");

    let versions = |v: Vec<RecordedEvent>| v.iter().map(|e| e.version).collect::<Vec<_>>();
    let read = |direction, from, max| {
        let store = store.clone();
        let stream = stream.clone();
        async move {
            store
                .read_stream(&stream, direction, from, max)
                .await
                .expect("read_stream")
        }
    };

    assert_eq!(
        versions(read(Direction::Forwards, None, 100).await),
        (0..10).collect::<Vec<_>>()
    );
    assert_eq!(versions(read(Direction::Forwards, Some(3), 4).await), vec![3, 4, 5, 6]);
    assert_eq!(versions(read(Direction::Forwards, Some(8), 100).await), vec![8, 9]);
    assert!(read(Direction::Forwards, Some(10), 100).await.is_empty());
    assert_eq!(versions(read(Direction::Backwards, None, 3).await), vec![9, 8, 7]);
    assert_eq!(versions(read(Direction::Backwards, Some(4), 2).await), vec![4, 3]);
    assert_eq!(
        versions(read(Direction::Backwards, Some(4), 100).await),
        vec![4, 3, 2, 1, 0]
    );
    assert_eq!(versions(read(Direction::Backwards, Some(0), 100).await), vec![0]);

    let all = read(Direction::Forwards, None, 100).await;
    for (e, sent) in all.iter().zip(&events) {
        assert_eq!(e.id, sent.id);
        assert_eq!(e.stream, stream);
        assert_eq!(e.data, sent.data);
    }

    let missing = format!("{ns}-missing");
    assert!(store
        .read_stream(&missing, Direction::Forwards, None, 10)
        .await
        .expect("missing")
        .is_empty());
    assert!(store
        .read_stream(&missing, Direction::Backwards, None, 10)
        .await
        .expect("missing")
        .is_empty());
}

/// Positions strictly increase in commit order; `read_all(after)` starts
/// right after `after`; the append result's position is the last event's.
pub async fn global_order(store: Store, ns: &str) {
    let start = store.head_position().await.expect("head");
    let mut results = Vec::new();
    let mut sent = Vec::new();
    for i in 0..12 {
        let stream = format!("{ns}-s{}", i % 3);
        let events = vec![
            event("G", serde_json::json!({ "i": i, "k": 0 })),
            event("G", serde_json::json!({ "i": i, "k": 1 })),
        ];
        sent.extend(events.iter().map(|e| e.id));
        results.push(
            store
                .append(&stream, ExpectedVersion::Any, events)
                .await
                .expect("append"),
        );
    }
    for pair in results.windows(2) {
        assert!(pair[0].position < pair[1].position, "later appends get later positions");
    }
    let head = store.head_position().await.expect("head").expect("not empty");
    assert!(head >= results[11].position);

    let ours = all_events_of(&store, start, ns).await;
    assert_eq!(
        ours.iter().map(|e| e.id).collect::<Vec<_>>(),
        sent,
        "$all holds our events in commit order"
    );
    for pair in ours.windows(2) {
        assert!(pair[0].position < pair[1].position);
    }
    for (k, r) in results.iter().enumerate() {
        assert_eq!(
            ours[2 * k + 1].position,
            r.position,
            "append {k}: position of its last event"
        );
    }

    // read_all after an event's position continues with the next one of ours
    // (others' events may sit between on a shared server).
    for k in [0, 5, 22] {
        let after = all_events_of(&store, Some(ours[k].position), ns).await;
        assert_eq!(after.first().map(|e| e.id), Some(ours[k + 1].id), "read_all after #{k}");
        assert_eq!(after.len(), ours.len() - k - 1);
    }
    let last = all_events_of(&store, Some(ours[23].position), ns).await;
    assert!(last.is_empty(), "nothing of ours after the last event");

    // A small max is honoured.
    let two = store.read_all(start, 2).await.expect("read_all");
    assert!(two.len() <= 2);
}

/// Type, schema version, body and every metadata field round-trip;
/// `recorded_at` is set by the store.
pub async fn metadata_round_trip(store: Store, ns: &str) {
    let stream = format!("{ns}-meta");
    let start = store.head_position().await.expect("head");
    let before = chrono::Utc::now();
    let full = NewEvent {
        id: Uuid::new_v4(),
        event_type: "CaseOpened".into(),
        schema_version: 3,
        data: br#"{"title":"Gr\u00e4s","n":[1,2,3],"nested":{"b":true,"a":null}}"#.to_vec(),
        metadata: EventMetadata {
            actor: Some("user:anna@example.org".into()),
            actor_role: Some("coordinator:V6".into()),
            causation_id: Some(Uuid::new_v4()),
            correlation_id: Some(Uuid::new_v4()),
            trace_id: Some("4bf92f3577b34da6a3ce929d0e0e4736".into()),
            command_fingerprint: Some(format!("sha256:{}", "0f".repeat(32))),
        },
    };
    let bare = NewEvent {
        id: Uuid::new_v4(),
        event_type: "CaseNoted".into(),
        schema_version: 1,
        data: b"[]".to_vec(),
        metadata: EventMetadata::default(),
    };
    store
        .append(&stream, ExpectedVersion::NoStream, vec![full.clone(), bare.clone()])
        .await
        .expect("append");
    let after = chrono::Utc::now();

    let stored = whole_stream(&store, &stream).await;
    assert_eq!(stored.len(), 2);
    let from_all = all_events_of(&store, start, ns).await;
    for (sent, got) in [(&full, &stored[0]), (&bare, &stored[1])] {
        assert_eq!(got.id, sent.id);
        assert_eq!(got.stream, stream);
        assert_eq!(got.event_type, sent.event_type);
        assert_eq!(got.schema_version, sent.schema_version);
        assert_eq!(got.data, sent.data, "the body comes back byte for byte");
        assert_eq!(got.metadata, sent.metadata);
        // Backends may round the time (KurrentDB to the second).
        assert!(
            got.recorded_at >= before - chrono::Duration::seconds(2),
            "recorded_at {} is set",
            got.recorded_at
        );
        assert!(
            got.recorded_at <= after + chrono::Duration::seconds(2),
            "recorded_at {} is set",
            got.recorded_at
        );
        let in_all = from_all.iter().find(|e| e.id == sent.id).expect("the event is in $all");
        assert_eq!(in_all, got, "$all and the stream return the same event");
    }
}
