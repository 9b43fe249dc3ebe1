//! The conformance suite against a KurrentDB/EventStoreDB server, when one
//! is given: `SAMVERKAN_KURRENTDB_URL=kurrentdb://localhost:2113?tls=false
//! cargo test -p samverkan-eventstore --features kurrentdb --test kurrentdb_conformance`.
//! Every run uses fresh (uuid-named) streams, so a shared server is fine.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

#[cfg(not(feature = "kurrentdb"))]
#[test]
fn kurrentdb_conformance() {
    match std::env::var("SAMVERKAN_KURRENTDB_URL") {
        Ok(_) => panic!(
            "SAMVERKAN_KURRENTDB_URL is set but this test binary was built without the `kurrentdb` feature: \
             run `cargo test --workspace --features samverkan-eventstore/kurrentdb`"
        ),
        Err(_) => println!("skipped: SAMVERKAN_KURRENTDB_URL not set (and built without the kurrentdb feature)"),
    }
}

#[cfg(feature = "kurrentdb")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kurrentdb_conformance() {
    use std::sync::Arc;

    use samverkan_eventstore::conformance;
    use samverkan_eventstore::KurrentStore;

    let Ok(url) = std::env::var("SAMVERKAN_KURRENTDB_URL") else {
        println!("skipped: SAMVERKAN_KURRENTDB_URL not set");
        return;
    };
    let store = KurrentStore::connect(&url).expect("connect to KurrentDB");
    // KurrentDB keeps event ids unique per stream only: the store-wide
    // cases are skipped (docs/eventstore.md, "Event ids"). The hash chain
    // is kept in companion streams, its positions are not dense
    // (docs/eventstore.md, "Tamper evidence"); `tests/kurrentdb_chain.rs`
    // has the cases of its own.
    assert!(samverkan_eventstore::EventStore::keeps_chain(&store));
    assert!(!samverkan_eventstore::EventStore::dense_positions(&store));
    conformance::run_all_except(
        Arc::new(store),
        &["event_ids_unique_across_the_store", "import_refuses_ids_stored_already"],
    )
    .await;
}
