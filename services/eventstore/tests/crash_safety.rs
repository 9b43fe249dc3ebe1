//! Crash safety: a child process appends with several concurrent writers and
//! prints every acknowledged append; we SIGKILL it mid-flight, reopen the
//! file and check that every acknowledged event is there and the file is
//! healthy. Three kills in a row, on the same file.
//!
//! The child is this very test binary, re-run on the ignored test
//! `crash_child_append_loop` with the store path in an environment variable.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

mod support;

use std::collections::HashSet;
use std::sync::Arc;

use samverkan_eventstore::conformance::Store;
use samverkan_eventstore::SqliteStore;
use support::child::{self, Ack, Child, WRITERS};

const CHILD_TEST: &str = "crash_child_append_loop";

#[test]
#[ignore = "helper: run as a child process by `acknowledged_appends_survive_sigkill`"]
fn crash_child_append_loop() {
    let path = child::target();
    child::runtime().block_on(async move {
        let store = Arc::new(SqliteStore::open(&path).expect("child: open store"));
        child::append_and_print_acks(store).await;
    });
}

#[test]
fn acknowledged_appends_survive_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.sqlite");
    let target = path.to_str().expect("a UTF-8 temp path");
    let runtime = child::runtime();
    let mut acked: Vec<Ack> = Vec::new();

    for round in 0..3 {
        let acks = Child::spawn(CHILD_TEST, target, "").kill_after_acks(300 + 100 * round);
        assert!(acks.len() >= 300 + 100 * round);
        acked.extend(acks);

        runtime.block_on(async {
            let sqlite = Arc::new(SqliteStore::open(&path).expect("reopen after SIGKILL"));
            let store: Store = sqlite.clone();
            child::assert_acknowledged_are_stored(&store, &acked, &format!("round {round}")).await;
            let report = sqlite.integrity_check().await.expect("integrity after SIGKILL");
            let acked_events: usize = acked.iter().map(|a| a.ids.len()).sum();
            assert!(
                report.events as usize >= acked_events,
                "{report:?} vs {acked_events} acknowledged"
            );
            eprintln!(
                "round {round}: {} appends acknowledged so far, the store holds {} events",
                acked.len(),
                report.events
            );
            let head = store.head_position().await.expect("head");
            assert!(head >= acked.iter().map(|a| a.position).max(), "head covers every ack");
        });
    }
    let streams: HashSet<&str> = acked.iter().map(|a| a.stream.as_str()).collect();
    assert_eq!(streams.len(), WRITERS, "all writers got appends acknowledged");
}
