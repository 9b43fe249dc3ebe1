//! The conformance suite against the embedded SQLite backend, each case on
//! a fresh store file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

mod support;

use std::sync::Arc;

use samverkan_eventstore::conformance::Store;
use samverkan_eventstore::SqliteStore;

async fn fresh(_case: &str) -> Option<(tempfile::TempDir, Store)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("events.sqlite")).expect("open store");
    Some((dir, Arc::new(store)))
}

support::conformance_suite!(fresh);
