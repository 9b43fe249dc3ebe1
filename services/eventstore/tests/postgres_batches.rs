//! The PostgreSQL writer's group commit, on a throw-away server: refused
//! appends dropped from a batch without taking the others down, idempotency
//! corner cases, tiny batch limits, subscriptions ending with `Closed`
//! once the store is dropped, and recorded times never going back.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

mod support;

use std::sync::Arc;

use samverkan_eventstore::conformance::Store;
use samverkan_eventstore::pg_testing::PgServer;
use samverkan_eventstore::{PgStore, PgStoreOptions};
use support::scenarios;

async fn store_with(prefix: &str, options: PgStoreOptions) -> Option<Store> {
    let server = PgServer::shared_or_skip()?;
    let url = server.fresh_database(prefix);
    Some(Arc::new(PgStore::connect_with(&url, options).await.expect("connect")))
}

/// A store on a fresh database (named by a short prefix: the case names
/// are longer than PostgreSQL's 63-byte identifiers).
async fn scenario_store(_case: &str) -> Option<((), Store)> {
    Some(((), store_with("scenario", PgStoreOptions::default()).await?))
}

support::scenario_tests!(scenario_store;
    ids_already_in_the_stream_but_not_first_conflict,
    idempotent_retry_with_a_stale_or_wrong_expectation_still_succeeds,
    subscriptions_end_with_closed_after_delivering_everything,
    recorded_at_never_goes_back_along_the_log,
);

/// 200 appends at once (batched together): the refused half must not take
/// the others down, and positions stay dense.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_appends_are_dropped_from_the_batch_and_the_rest_commit() {
    let Some(store) = store_with("refused", PgStoreOptions::default()).await else {
        return;
    };
    let all = scenarios::refused_appends_stay_with_their_append(store).await;
    assert_eq!(
        all.iter().map(|e| e.position).collect::<Vec<_>>(),
        (1..=101).collect::<Vec<_>>()
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
    let appended = scenarios::small_group_commits_still_answer_everybody(store.clone()).await;
    assert_eq!(store.head_position().await.expect("head"), Some(appended));
}
