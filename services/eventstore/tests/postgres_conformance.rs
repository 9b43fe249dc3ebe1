//! The conformance suite against the PostgreSQL backend, on a throw-away
//! server this test binary starts (one for all its tests), each case in a
//! fresh database. Under `CI=true` a server that cannot start fails the
//! tests; elsewhere they skip with a printed reason.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

mod support;

use std::sync::Arc;

use samverkan_eventstore::conformance::Store;
use samverkan_eventstore::pg_testing::PgServer;
use samverkan_eventstore::PgStore;

async fn fresh(case: &str) -> Option<((), Store)> {
    let server = PgServer::shared_or_skip()?;
    let url = server.fresh_database(case);
    let store = PgStore::connect(&url).await.expect("connect to the fresh database");
    Some(((), Arc::new(store)))
}

support::conformance_suite!(fresh);
