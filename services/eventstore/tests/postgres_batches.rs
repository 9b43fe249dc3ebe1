//! The PostgreSQL writer's group commit, on a throw-away server: refused
//! appends dropped from a batch without taking the others down, idempotency
//! corner cases, tiny batch limits, and subscriptions ending with `Closed`
//! once the store is dropped.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::sync::Arc;

use futures::StreamExt;
use samverkan_eventstore::conformance::event;
use samverkan_eventstore::pg_testing::PgServer;
use samverkan_eventstore::{Direction, EventStore, ExpectedVersion, PgStore, PgStoreOptions, StoreError};

async fn store_with(prefix: &str, options: PgStoreOptions) -> Option<PgStore> {
    let server = PgServer::shared_or_skip()?;
    let url = server.fresh_database(prefix);
    Some(PgStore::connect_with(&url, options).await.expect("connect"))
}

#[tokio::test]
async fn ids_already_in_the_stream_but_not_first_conflict() {
    let Some(store) = store_with("notfirst", PgStoreOptions::default()).await else {
        return;
    };
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

#[tokio::test]
async fn idempotent_retry_with_a_stale_or_wrong_expectation_still_succeeds() {
    let Some(store) = store_with("stale", PgStoreOptions::default()).await else {
        return;
    };
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

/// 200 appends at once (batched together): the refused half must not take
/// the others down, and positions stay dense.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_appends_are_dropped_from_the_batch_and_the_rest_commit() {
    let Some(store) = store_with("refused", PgStoreOptions::default()).await else {
        return;
    };
    let store = Arc::new(store);
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
    let all = store.read_all(None, 1000).await.expect("read");
    assert_eq!(
        all.iter().map(|e| e.position).collect::<Vec<_>>(),
        (1..=101).collect::<Vec<_>>()
    );
    assert_eq!(
        store
            .read_stream("taken", Direction::Forwards, None, 10)
            .await
            .expect("read")
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_group_commits_still_answer_everybody() {
    let options = PgStoreOptions {
        max_batch_appends: 2,
        max_batch_events: 3,
        ..PgStoreOptions::default()
    };
    let Some(store) = store_with("small", options).await else {
        return;
    };
    let store = Arc::new(store);
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
    let all = store.read_all(None, 1000).await.expect("read");
    assert_eq!(all.len() as u64, (0..50).map(|i| 1 + i % 3).sum::<u64>());
    assert_eq!(store.head_position().await.expect("head"), Some(all.len() as u64));
}

#[tokio::test]
async fn subscriptions_end_with_closed_after_delivering_everything() {
    let Some(store) = store_with("closed", PgStoreOptions::default()).await else {
        return;
    };
    for i in 0..5 {
        store
            .append(
                "s",
                ExpectedVersion::Any,
                vec![event("A", serde_json::json!({ "i": i }))],
            )
            .await
            .expect("append");
    }
    let mut sub = store.subscribe_all(None);
    let first = sub.next().await.expect("an item").expect("an event");
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
