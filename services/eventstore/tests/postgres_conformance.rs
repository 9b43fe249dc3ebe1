//! The conformance suite against the PostgreSQL backend, on a throw-away
//! server this test binary starts (one for all its tests), each case in a
//! fresh database. Under `CI=true` a server that cannot start fails the
//! tests; elsewhere they skip with a printed reason.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::sync::Arc;

use samverkan_eventstore::conformance::{self, namespace, Store};
use samverkan_eventstore::pg_testing::PgServer;
use samverkan_eventstore::PgStore;

async fn fresh(case: &str) -> Option<Store> {
    let server = PgServer::shared_or_skip()?;
    let url = server.fresh_database(case);
    let store = PgStore::connect(&url).await.expect("connect to the fresh database");
    Some(Arc::new(store))
}

macro_rules! case {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let Some(store) = fresh(stringify!($name)).await else {
                return;
            };
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

/// All cases against one shared database, as they run against a shared server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_all_on_one_store() {
    let Some(store) = fresh("run_all").await else { return };
    conformance::run_all(store).await;
}
