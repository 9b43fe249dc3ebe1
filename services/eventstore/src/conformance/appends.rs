//! Appends: expected versions, races, retries, event ids and refused input.

use super::*;

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
