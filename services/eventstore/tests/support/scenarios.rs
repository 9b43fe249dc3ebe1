//! Group-commit and idempotency scenarios beyond the conformance suite,
//! written once and run against each backend by its own test file (which
//! adds what only that backend can check: dense positions, the integrity
//! check).

use std::sync::Arc;

use futures::StreamExt;
use samverkan_eventstore::conformance::{event, Store};
use samverkan_eventstore::{Direction, ExpectedVersion, RecordedEvent, StoreError};

/// An append whose ids are in the stream but not at its start conflicts;
/// an id stored in another stream is refused (ids are unique store-wide).
pub async fn ids_already_in_the_stream_but_not_first_conflict(store: Store) {
    let a = event("A", serde_json::json!({}));
    store
        .append("s", ExpectedVersion::Any, vec![a.clone()])
        .await
        .expect("append");
    let fresh = event("B", serde_json::json!({}));
    match store.append("s", ExpectedVersion::Any, vec![fresh, a.clone()]).await {
        Err(StoreError::IdConflict { stream }) => assert_eq!(stream, "s"),
        other => panic!("expected IdConflict, got {other:?}"),
    }
    match store.append("t", ExpectedVersion::NoStream, vec![a.clone()]).await {
        Err(StoreError::DuplicateEventId { id, stream }) => assert_eq!((id, stream.as_str()), (a.id, "s")),
        other => panic!("expected DuplicateEventId, got {other:?}"),
    }
    assert_eq!(store.read_all(None, 10).await.expect("read").len(), 1);
}

/// The ids decide, whatever the expectation says.
pub async fn idempotent_retry_with_a_stale_or_wrong_expectation_still_succeeds(store: Store) {
    let a = event("A", serde_json::json!({}));
    let r = store
        .append("s", ExpectedVersion::Any, vec![a.clone()])
        .await
        .expect("append");
    store
        .append("s", ExpectedVersion::Any, vec![event("B", serde_json::json!({}))])
        .await
        .expect("append");
    for expected in [
        ExpectedVersion::Any,
        ExpectedVersion::NoStream,
        ExpectedVersion::Exact(5),
    ] {
        let again = store.append("s", expected, vec![a.clone()]).await.expect("retry");
        assert_eq!(
            (again.written, again.position, again.next_expected_version),
            (false, r.position, 0)
        );
    }
}

/// 200 appends at once (batched together), half of them refused (wrong
/// expected version): the refused ones must not take the others down, and
/// the others see each other's writes inside the batch. Returns the log.
pub async fn refused_appends_stay_with_their_append(store: Store) -> Vec<RecordedEvent> {
    store
        .append(
            "taken",
            ExpectedVersion::NoStream,
            vec![event("A", serde_json::json!({}))],
        )
        .await
        .expect("seed");
    let barrier = Arc::new(tokio::sync::Barrier::new(200));
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (store, barrier) = (store.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            let stream = if i % 2 == 0 {
                format!("own-{i}")
            } else {
                "taken".to_string()
            };
            barrier.wait().await;
            let result = store
                .append(
                    &stream,
                    ExpectedVersion::NoStream,
                    vec![event("A", serde_json::json!({ "i": i }))],
                )
                .await;
            (i, result)
        }));
    }
    for t in tasks {
        let (i, result) = t.await.expect("task");
        if i % 2 == 0 {
            let r = result.unwrap_or_else(|e| panic!("append {i} to its own stream failed: {e}"));
            assert_eq!(r.next_expected_version, 0);
        } else {
            assert!(
                matches!(result, Err(StoreError::WrongExpectedVersion { actual: Some(0), .. })),
                "{result:?}"
            );
        }
    }
    assert_eq!(
        store
            .read_stream("taken", Direction::Forwards, None, 10)
            .await
            .expect("read")
            .len(),
        1
    );
    let all = store.read_all(None, 1000).await.expect("read");
    assert_eq!(all.len(), 101, "the seed and the 100 appends to own streams");
    all
}

/// 50 concurrent appends of one to three events through a store whose
/// batch limits are tiny: every one is answered and written. Returns the
/// number of events appended.
pub async fn small_group_commits_still_answer_everybody(store: Store) -> u64 {
    let appends = (0..50).map(|i| {
        let store = store.clone();
        async move {
            let events = (0..(1 + i % 3))
                .map(|k| event("A", serde_json::json!({ "i": i, "k": k })))
                .collect();
            store
                .append(&format!("s-{}", i % 5), ExpectedVersion::Any, events)
                .await
        }
    });
    for (i, r) in futures::future::join_all(appends).await.iter().enumerate() {
        assert!(r.as_ref().unwrap_or_else(|e| panic!("append {i}: {e}")).written);
    }
    let appended = (0..50).map(|i| 1 + i % 3).sum::<u64>();
    let all = store.read_all(None, 1000).await.expect("read");
    assert_eq!(all.len() as u64, appended);
    appended
}

/// A subscription delivers everything appended before the store (its only
/// handle, passed here) is dropped, then ends with `Closed`.
pub async fn subscriptions_end_with_closed_after_delivering_everything(store: Store) {
    append_one_by_one(&store, "s", 5).await;
    let mut sub = store.subscribe_all(None);
    let first = sub.next().await.expect("an item").expect("an event");
    assert_eq!(first.version, 0);
    drop(store);
    let mut versions = vec![first.version];
    loop {
        match sub.next().await {
            Some(Ok(e)) => versions.push(e.version),
            Some(Err(StoreError::Closed)) => break,
            other => panic!("expected events then Closed, got {other:?}"),
        }
    }
    assert_eq!(versions, vec![0, 1, 2, 3, 4]);
    assert!(sub.next().await.is_none(), "the stream ends after Closed");
}

/// `n` appends of one event each to `stream`, one after the other.
pub async fn append_one_by_one(store: &Store, stream: &str, n: usize) {
    for i in 0..n {
        store
            .append(
                stream,
                ExpectedVersion::Any,
                vec![event("A", serde_json::json!({ "i": i }))],
            )
            .await
            .expect("append");
    }
}

/// Appends one after the other get recorded times that never go back along
/// the log.
pub async fn recorded_at_never_goes_back_along_the_log(store: Store) {
    append_one_by_one(&store, "s", 20).await;
    let all = store.read_all(None, 100).await.expect("read");
    assert_eq!(all.len(), 20);
    assert!(all.windows(2).all(|w| w[0].recorded_at <= w[1].recorded_at));
}
