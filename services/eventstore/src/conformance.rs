//! The conformance suite every [`EventStore`] backend must pass, written
//! once. Each case takes the store under test and a namespace; it only
//! touches streams whose names start with the namespace and ignores other
//! streams' events in `$all`, so cases can share one store (or one KurrentDB
//! server) with each other and with other test runs.
//!
//! Test support: the cases panic on failure.

// Test support: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use uuid::Uuid;

use crate::{AppendResult, Direction, EventMetadata, EventStore, ExpectedVersion, NewEvent, RecordedEvent, StoreError};

/// The store under test.
pub type Store = Arc<dyn EventStore>;

/// Longest a case waits for something that should come promptly; only a
/// guard against hanging, never a measurement.
const PATIENCE: Duration = Duration::from_secs(60);

/// A namespace unique to this call, for stream names.
pub fn namespace(case: &str) -> String {
    format!("conformance-{case}-{}", Uuid::new_v4().simple())
}

/// An event with a fresh id and a small JSON body.
pub fn event(event_type: &str, body: serde_json::Value) -> NewEvent {
    NewEvent {
        id: Uuid::new_v4(),
        event_type: event_type.to_owned(),
        schema_version: 1,
        data: serde_json::to_vec(&body).expect("a JSON value serialises"),
        metadata: EventMetadata::default(),
    }
}

fn body(e: &RecordedEvent) -> serde_json::Value {
    serde_json::from_slice(&e.data).expect("stored bodies are JSON")
}

/// Every case, one after the other, each in its own namespace.
pub async fn run_all(store: Store) {
    run_all_except(store, &[]).await;
}

/// [`run_all`] without the cases named in `skip`, for a backend with a
/// documented limit (each skip must be explained where it is made).
pub async fn run_all_except(store: Store, skip: &[&str]) {
    let unknown: Vec<&&str> = skip.iter().filter(|s| !CASES.contains(s)).collect();
    assert!(unknown.is_empty(), "no such conformance cases: {unknown:?}");
    let run = |name: &str| !skip.contains(&name);
    if run("concurrent_exact_appends") {
        concurrent_exact_appends(store.clone(), &namespace("concurrent")).await;
    }
    if run("idempotent_retry") {
        idempotent_retry(store.clone(), &namespace("idempotent")).await;
    }
    if run("expected_version_rules") {
        expected_version_rules(store.clone(), &namespace("expected")).await;
    }
    if run("read_stream_directions") {
        read_stream_directions(store.clone(), &namespace("read-stream")).await;
    }
    if run("global_order") {
        global_order(store.clone(), &namespace("global-order")).await;
    }
    if run("subscription_sees_everything_once") {
        subscription_sees_everything_once(store.clone(), &namespace("subscription")).await;
    }
    if run("subscription_from_the_middle") {
        subscription_from_the_middle(store.clone(), &namespace("subscription-middle")).await;
    }
    if run("metadata_round_trip") {
        metadata_round_trip(store.clone(), &namespace("metadata")).await;
    }
    if run("event_ids_unique_across_the_store") {
        event_ids_unique_across_the_store(store.clone(), &namespace("unique-ids")).await;
    }
    if run("invalid_appends") {
        invalid_appends(store.clone(), &namespace("invalid")).await;
    }
    if run("import_keeps_the_envelope") {
        import_keeps_the_envelope(store.clone(), &namespace("import")).await;
    }
    if run("import_refuses_what_does_not_continue") {
        import_refuses_what_does_not_continue(store.clone(), &namespace("import-refused")).await;
    }
    if run("import_refuses_ids_stored_already") {
        import_refuses_ids_stored_already(store, &namespace("import-ids")).await;
    }
}

/// The names of the cases, as [`run_all_except`] takes them.
pub const CASES: &[&str] = &[
    "concurrent_exact_appends",
    "idempotent_retry",
    "expected_version_rules",
    "read_stream_directions",
    "global_order",
    "subscription_sees_everything_once",
    "subscription_from_the_middle",
    "metadata_round_trip",
    "event_ids_unique_across_the_store",
    "invalid_appends",
    "import_keeps_the_envelope",
    "import_refuses_what_does_not_continue",
    "import_refuses_ids_stored_already",
];

async fn all_events_of(store: &Store, after: Option<u64>, ns: &str) -> Vec<RecordedEvent> {
    let mut out = Vec::new();
    let mut after = after;
    loop {
        let batch = store.read_all(after, 1000).await.expect("read_all");
        let Some(last) = batch.last() else { break };
        after = Some(last.position);
        out.extend(batch.into_iter().filter(|e| e.stream.starts_with(ns)));
    }
    out
}

async fn whole_stream(store: &Store, stream: &str) -> Vec<RecordedEvent> {
    store
        .read_stream(stream, Direction::Forwards, None, usize::MAX)
        .await
        .expect("read_stream")
}

/// 32 tasks race to append 3 events each at the same expected version, round
/// after round: per round exactly one wins, the others get
/// `WrongExpectedVersion` naming the winner's version, and the stream ends
/// up with every winning append whole and contiguous.
pub async fn concurrent_exact_appends(store: Store, ns: &str) {
    const TASKS: usize = 32;
    const ROUNDS: usize = 6;
    const PER_APPEND: usize = 3;
    let stream = format!("{ns}-race");
    let barrier = Arc::new(tokio::sync::Barrier::new(TASKS));
    let mut handles = Vec::new();
    for task in 0..TASKS {
        let (store, stream, barrier) = (store.clone(), stream.clone(), barrier.clone());
        handles.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for round in 0..ROUNDS {
                let expected = if round == 0 {
                    ExpectedVersion::NoStream
                } else {
                    ExpectedVersion::Exact((round * PER_APPEND - 1) as u64)
                };
                let events: Vec<NewEvent> = (0..PER_APPEND)
                    .map(|i| event("Raced", serde_json::json!({ "task": task, "round": round, "i": i })))
                    .collect();
                let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
                barrier.wait().await;
                let result = store.append(&stream, expected, events).await;
                outcomes.push((round, ids, result));
                // Everybody finishes the round before the next one starts.
                barrier.wait().await;
            }
            outcomes
        }));
    }
    let mut winners: HashMap<usize, Vec<Uuid>> = HashMap::new();
    for (task, handle) in handles.into_iter().enumerate() {
        for (round, ids, result) in handle.await.expect("racing task") {
            let new_version = (round * PER_APPEND + PER_APPEND - 1) as u64;
            match result {
                Ok(r) => {
                    assert!(r.written, "task {task} round {round}: a first append must write");
                    assert_eq!(r.next_expected_version, new_version, "task {task} round {round}");
                    let previous = winners.insert(round, ids);
                    assert!(previous.is_none(), "round {round}: two appends won at the same version");
                }
                Err(StoreError::WrongExpectedVersion { actual, .. }) => {
                    assert_eq!(
                        actual,
                        Some(new_version),
                        "task {task} round {round}: loser must see the winner"
                    );
                }
                Err(e) => panic!("task {task} round {round}: unexpected error {e}"),
            }
        }
    }
    assert_eq!(winners.len(), ROUNDS, "every round has exactly one winner");

    let stored = whole_stream(&store, &stream).await;
    assert_eq!(stored.len(), ROUNDS * PER_APPEND, "nothing half-written, nothing extra");
    for (round, chunk) in stored.chunks(PER_APPEND).enumerate() {
        let ids: Vec<Uuid> = chunk.iter().map(|e| e.id).collect();
        assert_eq!(
            ids, winners[&round],
            "round {round}: the winner's events, contiguous and in order"
        );
        let task = body(&chunk[0])["task"].clone();
        for (i, e) in chunk.iter().enumerate() {
            assert_eq!(e.version, (round * PER_APPEND + i) as u64);
            assert_eq!(body(e)["task"], task, "one append's events come from one task");
            assert_eq!(body(e)["i"], i);
        }
    }
    for pair in stored.windows(2) {
        assert!(
            pair[0].position < pair[1].position,
            "stream order agrees with log order"
        );
    }
}

/// Appending the same ids again is a no-op answered with the original
/// result, whatever the expected version; a partial overlap is refused.
pub async fn idempotent_retry(store: Store, ns: &str) {
    let stream = format!("{ns}-retry");
    let start = store.head_position().await.expect("head");
    let first = vec![
        event("A", serde_json::json!({"n": 1})),
        event("A", serde_json::json!({"n": 2})),
    ];
    let r1 = store
        .append(&stream, ExpectedVersion::NoStream, first.clone())
        .await
        .expect("first append");
    assert!(r1.written);
    assert_eq!(r1.next_expected_version, 1);

    let again = store
        .append(&stream, ExpectedVersion::NoStream, first.clone())
        .await
        .expect("retry");
    assert_eq!(
        again,
        AppendResult { written: false, ..r1 },
        "retry answers with the original result"
    );

    let second = vec![event("B", serde_json::json!({"n": 3}))];
    let r2 = store
        .append(&stream, ExpectedVersion::Exact(1), second.clone())
        .await
        .expect("second append");
    assert!(r2.written);
    assert_eq!(r2.next_expected_version, 2);
    assert!(r2.position > r1.position);

    // A retry of an Exact append after it succeeded (the stream has moved on).
    let again = store
        .append(&stream, ExpectedVersion::Exact(1), second.clone())
        .await
        .expect("exact retry");
    assert_eq!(again, AppendResult { written: false, ..r2 });
    // ... and of the first append, now two appends behind.
    let again = store
        .append(&stream, ExpectedVersion::NoStream, first.clone())
        .await
        .expect("old retry");
    assert_eq!(again, AppendResult { written: false, ..r1 });

    let third = vec![event("C", serde_json::json!({"n": 4}))];
    let r3 = store
        .append(&stream, ExpectedVersion::Any, third.clone())
        .await
        .expect("any append");
    assert!(r3.written);
    let again = store
        .append(&stream, ExpectedVersion::Any, third.clone())
        .await
        .expect("any retry");
    assert_eq!(again, AppendResult { written: false, ..r3 });

    // The first id matches but the rest does not: a conflict, nothing written.
    let mixed = vec![second[0].clone(), event("B", serde_json::json!({"n": 99}))];
    match store.append(&stream, ExpectedVersion::Exact(1), mixed).await {
        Err(StoreError::IdConflict { stream: s }) => assert_eq!(s, stream),
        other => panic!("partial overlap must be IdConflict, got {other:?}"),
    }
    // Same ids, one missing at the end of the stream: a conflict too.
    let longer = vec![third[0].clone(), event("C", serde_json::json!({"n": 5}))];
    match store.append(&stream, ExpectedVersion::Exact(2), longer).await {
        Err(StoreError::IdConflict { .. }) => {}
        other => panic!("ids running past the stream's end must be IdConflict, got {other:?}"),
    }

    let stored = whole_stream(&store, &stream).await;
    let ids: Vec<Uuid> = stored.iter().map(|e| e.id).collect();
    assert_eq!(
        ids,
        vec![first[0].id, first[1].id, second[0].id, third[0].id],
        "retries wrote nothing"
    );
    let in_all = all_events_of(&store, start, ns).await;
    assert_eq!(in_all.len(), 4, "retries added nothing to $all");
    assert_eq!(in_all.last().map(|e| e.position), Some(r3.position));
}

/// NoStream, Exact and Any, on missing and existing streams.
pub async fn expected_version_rules(store: Store, ns: &str) {
    let stream = format!("{ns}-rules");
    let missing = format!("{ns}-missing");

    match store
        .append(
            &missing,
            ExpectedVersion::Exact(0),
            vec![event("E", serde_json::json!({}))],
        )
        .await
    {
        Err(StoreError::WrongExpectedVersion {
            stream: s,
            expected,
            actual,
        }) => {
            assert_eq!(s, missing);
            assert_eq!(expected, ExpectedVersion::Exact(0));
            assert_eq!(actual, None);
        }
        other => panic!("Exact on a missing stream must fail, got {other:?}"),
    }
    assert!(whole_stream(&store, &missing).await.is_empty());

    let r = store
        .append(
            &stream,
            ExpectedVersion::NoStream,
            vec![event("E", serde_json::json!({}))],
        )
        .await;
    assert_eq!(r.expect("NoStream on a missing stream").next_expected_version, 0);

    match store
        .append(
            &stream,
            ExpectedVersion::NoStream,
            vec![event("E", serde_json::json!({}))],
        )
        .await
    {
        Err(StoreError::WrongExpectedVersion { expected, actual, .. }) => {
            assert_eq!(expected, ExpectedVersion::NoStream);
            assert_eq!(actual, Some(0));
        }
        other => panic!("NoStream on an existing stream must fail, got {other:?}"),
    }

    let r = store
        .append(
            &stream,
            ExpectedVersion::Exact(0),
            vec![event("E", serde_json::json!({}))],
        )
        .await;
    assert_eq!(r.expect("Exact at the current version").next_expected_version, 1);

    for wrong in [0, 2, 7] {
        match store
            .append(
                &stream,
                ExpectedVersion::Exact(wrong),
                vec![event("E", serde_json::json!({}))],
            )
            .await
        {
            Err(StoreError::WrongExpectedVersion { actual, .. }) => assert_eq!(actual, Some(1)),
            other => panic!("Exact({wrong}) at version 1 must fail, got {other:?}"),
        }
    }

    let r = store
        .append(&stream, ExpectedVersion::Any, vec![event("E", serde_json::json!({}))])
        .await;
    assert_eq!(r.expect("Any on an existing stream").next_expected_version, 2);
    let other = format!("{ns}-any");
    let r = store
        .append(&other, ExpectedVersion::Any, vec![event("E", serde_json::json!({}))])
        .await;
    assert_eq!(r.expect("Any on a missing stream").next_expected_version, 0);

    assert_eq!(
        whole_stream(&store, &stream).await.len(),
        3,
        "failed appends wrote nothing"
    );
}

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

async fn next_event(
    sub: &mut futures::stream::BoxStream<'static, Result<RecordedEvent, StoreError>>,
    what: &str,
) -> RecordedEvent {
    match tokio::time::timeout(PATIENCE, sub.next()).await {
        Ok(Some(Ok(e))) => e,
        Ok(Some(Err(e))) => panic!("{what}: subscription failed: {e}"),
        Ok(None) => panic!("{what}: subscription ended"),
        Err(_) => panic!("{what}: no event within {PATIENCE:?}"),
    }
}

/// A subscription from before the case's first event, started while the log
/// already holds some of them and kept open while 8 writers append
/// concurrently, sees each event exactly once, in log order.
pub async fn subscription_sees_everything_once(store: Store, ns: &str) {
    const WRITERS: usize = 8;
    const APPENDS: usize = 40;
    let start = store.head_position().await.expect("head");
    let mut expected: HashSet<Uuid> = HashSet::new();
    for i in 0..20 {
        let e = event("Before", serde_json::json!({ "i": i }));
        expected.insert(e.id);
        store
            .append(&format!("{ns}-before"), ExpectedVersion::Any, vec![e])
            .await
            .expect("append");
    }

    let mut sub = store.subscribe_all(start);
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        let stream = format!("{ns}-w{w}");
        writers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..APPENDS {
                // Alternate single and double appends.
                let events: Vec<NewEvent> = (0..(1 + i % 2))
                    .map(|k| event("Live", serde_json::json!({ "w": w, "i": i, "k": k })))
                    .collect();
                ids.extend(events.iter().map(|e| e.id));
                let expected = if i == 0 {
                    ExpectedVersion::NoStream
                } else {
                    ExpectedVersion::Any
                };
                store.append(&stream, expected, events).await.expect("writer append");
                tokio::task::yield_now().await;
            }
            ids
        }));
    }

    // Read while the writers run.
    let total_live = WRITERS * (APPENDS + APPENDS / 2);
    let total = expected.len() + total_live;
    let mut seen: HashSet<Uuid> = HashSet::new();
    let mut last_position: Option<u64> = start;
    let mut last_version: HashMap<String, u64> = HashMap::new();
    let mut ours = 0;
    while ours < total {
        let e = next_event(&mut sub, "catch-up/live subscription").await;
        if let Some(p) = last_position {
            assert!(e.position > p, "positions strictly increase: {} after {p}", e.position);
        }
        last_position = Some(e.position);
        if !e.stream.starts_with(ns) {
            continue;
        }
        ours += 1;
        assert!(seen.insert(e.id), "event {} delivered twice", e.id);
        if let Some(prev) = last_version.insert(e.stream.clone(), e.version) {
            assert_eq!(
                e.version,
                prev + 1,
                "stream {} delivered in order without gaps",
                e.stream
            );
        } else {
            assert_eq!(e.version, 0, "stream {} starts at version 0", e.stream);
        }
    }
    for w in writers {
        expected.extend(w.await.expect("writer task"));
    }
    assert_eq!(seen, expected, "every event exactly once");

    // Still live: one more event arrives.
    let late = event("Late", serde_json::json!({}));
    let r = store
        .append(&format!("{ns}-late"), ExpectedVersion::NoStream, vec![late.clone()])
        .await
        .expect("append");
    loop {
        let e = next_event(&mut sub, "after catching up").await;
        assert!(!seen.contains(&e.id), "no duplicate after catching up");
        if e.id == late.id {
            assert_eq!(e.position, r.position);
            break;
        }
    }
}

/// A subscription from a position in the middle starts right after it.
pub async fn subscription_from_the_middle(store: Store, ns: &str) {
    let stream = format!("{ns}-mid");
    let mut results = Vec::new();
    let mut ids = Vec::new();
    for i in 0..10 {
        let e = event("M", serde_json::json!({ "i": i }));
        ids.push(e.id);
        results.push(
            store
                .append(&stream, ExpectedVersion::Any, vec![e])
                .await
                .expect("append"),
        );
    }
    let mut sub = store.subscribe_all(Some(results[4].position));
    let mut got = Vec::new();
    while got.len() < 5 {
        let e = next_event(&mut sub, "subscription from the middle").await;
        assert!(e.position > results[4].position, "only events after the given position");
        if e.stream == stream {
            got.push(e.id);
        }
    }
    assert_eq!(got, ids[5..].to_vec());

    // ... and goes on live.
    let e = event("M", serde_json::json!({ "i": 10 }));
    store
        .append(&stream, ExpectedVersion::Exact(9), vec![e.clone()])
        .await
        .expect("append");
    loop {
        let got = next_event(&mut sub, "live after the middle").await;
        if got.stream == stream {
            assert_eq!(got.id, e.id);
            assert_eq!(got.version, 10);
            break;
        }
    }
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

/// Event ids are unique across the whole store, not only per stream: an
/// append carrying an id stored in another stream is refused with
/// `DuplicateEventId` naming that stream, whatever the expected version,
/// and writes nothing (not even its other events). `find_event` finds an
/// event by id in any stream. A retry in the id's own stream still works.
pub async fn event_ids_unique_across_the_store(store: Store, ns: &str) {
    let (one, other) = (format!("{ns}-one"), format!("{ns}-other"));
    let start = store.head_position().await.expect("head");
    let first = vec![
        event("A", serde_json::json!({"n": 1})),
        event("A", serde_json::json!({"n": 2})),
    ];
    let r1 = store
        .append(&one, ExpectedVersion::NoStream, first.clone())
        .await
        .expect("first append");

    let found = store.find_event(first[1].id).await.expect("find_event");
    let found = found.expect("find_event finds a stored event by id");
    assert_eq!(
        (found.stream.as_str(), found.version, found.id),
        (one.as_str(), 1, first[1].id)
    );
    assert_eq!(found.position, r1.position);
    assert_eq!(store.find_event(Uuid::new_v4()).await.expect("find_event"), None);

    // The same ids on another stream: new, existing, with Any.
    let fresh = event("B", serde_json::json!({"n": 3}));
    for (what, expected, events) in [
        ("the same append", ExpectedVersion::NoStream, first.clone()),
        (
            "its second event",
            ExpectedVersion::NoStream,
            vec![fresh.clone(), first[1].clone()],
        ),
        ("any version", ExpectedVersion::Any, vec![first[0].clone()]),
    ] {
        match store.append(&other, expected, events).await {
            Err(StoreError::DuplicateEventId { id, stream }) => {
                assert!(id == first[0].id || id == first[1].id, "{what}: names a reused id");
                assert_eq!(stream, one, "{what}: names the stream holding the id");
            }
            other => panic!("{what}: an id stored in another stream must be DuplicateEventId, got {other:?}"),
        }
    }
    assert!(
        whole_stream(&store, &other).await.is_empty(),
        "nothing written to the other stream"
    );

    // ... and on a stream that exists.
    let r2 = store
        .append(&other, ExpectedVersion::NoStream, vec![fresh.clone()])
        .await
        .expect("a fresh id is fine");
    match store
        .append(&other, ExpectedVersion::Exact(0), vec![first[0].clone()])
        .await
    {
        Err(StoreError::DuplicateEventId { id, stream }) => assert_eq!((id, stream), (first[0].id, one.clone())),
        other => panic!("an id stored in another stream must be DuplicateEventId, got {other:?}"),
    }
    // A retry in the id's own stream is still a retry.
    let again = store
        .append(&one, ExpectedVersion::NoStream, first.clone())
        .await
        .expect("retry");
    assert_eq!(again, AppendResult { written: false, ..r1 });

    let in_all = all_events_of(&store, start, ns).await;
    let ids: Vec<Uuid> = in_all.iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![first[0].id, first[1].id, fresh.id], "refusals wrote nothing");
    assert_eq!(in_all.last().map(|e| e.position), Some(r2.position));
}

/// Appends no backend may store.
pub async fn invalid_appends(store: Store, ns: &str) {
    let stream = format!("{ns}-invalid");
    let cases: Vec<(&str, String, Vec<NewEvent>)> = vec![
        ("no events", stream.clone(), vec![]),
        (
            "system stream",
            "$system".into(),
            vec![event("E", serde_json::json!({}))],
        ),
        (
            "not JSON",
            stream.clone(),
            vec![NewEvent {
                data: b"{oops".to_vec(),
                ..event("E", serde_json::json!({}))
            }],
        ),
        ("twice the same id", stream.clone(), {
            let e = event("E", serde_json::json!({}));
            vec![e.clone(), e]
        }),
    ];
    for (what, stream, events) in cases {
        match store.append(&stream, ExpectedVersion::Any, events).await {
            Err(StoreError::InvalidAppend(_)) => {}
            other => panic!("{what}: expected InvalidAppend, got {other:?}"),
        }
    }
    assert!(whole_stream(&store, &stream).await.is_empty());
}

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
