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

mod appends;
mod chain;
mod import;
mod reads;
mod subscriptions;

pub use appends::*;
pub use chain::*;
pub use import::*;
pub use reads::*;
pub use subscriptions::*;

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
        import_refuses_ids_stored_already(store.clone(), &namespace("import-ids")).await;
    }
    if run("chain_links_every_event") {
        chain_links_every_event(store.clone(), &namespace("chain")).await;
    }
    if run("checkpoints_are_recorded") {
        checkpoints_are_recorded(store, &namespace("checkpoints")).await;
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
    "chain_links_every_event",
    "checkpoints_are_recorded",
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
