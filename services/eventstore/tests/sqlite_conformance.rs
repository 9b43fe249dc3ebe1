//! The conformance suite against the embedded SQLite backend, each case on
//! a fresh store file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::sync::Arc;

use samverkan_eventstore::conformance::{self, namespace, Store};
use samverkan_eventstore::SqliteStore;

fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("events.sqlite")).expect("open store");
    (dir, Arc::new(store))
}

macro_rules! case {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let (_dir, store) = fresh();
            conformance::$name(store, &namespace(stringify!($name))).await;
        }
    };
}

case!(concurrent_exact_appends);
case!(idempotent_retry);
case!(expected_version_rules);
case!(read_stream_directions);
case!(global_order);
case!(subscription_sees_everything_once);
case!(subscription_from_the_middle);
case!(metadata_round_trip);
case!(event_ids_unique_across_the_store);
case!(invalid_appends);
case!(import_keeps_the_envelope);
case!(import_refuses_what_does_not_continue);
case!(import_refuses_ids_stored_already);

/// All cases against one shared store, as they run against a shared server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_all_on_one_store() {
    let (_dir, store) = fresh();
    conformance::run_all(store).await;
}
