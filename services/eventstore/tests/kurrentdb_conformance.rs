//! The conformance suite against a KurrentDB/EventStoreDB server, when one
//! is given: `SAMVERKAN_KURRENTDB_URL=kurrentdb://localhost:2113?tls=false
//! cargo test -p samverkan-eventstore --features kurrentdb --test kurrentdb_conformance`.
//! Every run uses fresh (uuid-named) streams, so a shared server is fine.
#![cfg(feature = "kurrentdb")]

use std::sync::Arc;

use samverkan_eventstore::conformance;
use samverkan_eventstore::KurrentStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kurrentdb_conformance() {
    let Ok(url) = std::env::var("SAMVERKAN_KURRENTDB_URL") else {
        println!("skipped: SAMVERKAN_KURRENTDB_URL not set");
        return;
    };
    let store = KurrentStore::connect(&url).expect("connect to KurrentDB");
    conformance::run_all(Arc::new(store)).await;
}
