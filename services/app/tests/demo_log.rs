//! The demo's whole event log, event by event, against the log it wrote
//! when this test was made (`tests/fixtures/demo-log.txt`): a changed fact,
//! a reordered command or a changed command key shows up as a changed line.
//!
//! Each line is one event as stored in the real SQLite file: position,
//! stream, version, event id, type, schema version, body and metadata (the
//! command fingerprint included); only `recorded_at` is left out, it is the
//! wall clock. After an intended change to the demo, write the file anew
//! with `SAMVERKAN_BLESS_DEMO_LOG=1 cargo test -p samverkan-app --test demo_log`
//! and review the diff.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::path::PathBuf;
use std::sync::Arc;

use samverkan_app::{demo, Commands};
use samverkan_eventstore::{EventStore, SqliteStore};

fn golden() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo-log.txt")
}

#[tokio::test]
async fn the_demo_writes_exactly_the_recorded_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(dir.path().join("events.db")).expect("open the store"));
    let summary = demo::load(&Commands::new(store.clone())).await.expect("load the demo");

    let events = store.read_all(None, usize::MAX).await.expect("read the log");
    assert_eq!(
        events.len(),
        summary.events_appended,
        "the log holds what the load appended"
    );
    let mut log = String::new();
    for e in &events {
        let body = String::from_utf8(e.data.clone()).expect("UTF-8 body");
        let metadata = serde_json::to_string(&e.metadata).expect("metadata as JSON");
        log.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            e.position, e.stream, e.version, e.id, e.event_type, e.schema_version, body, metadata
        ));
    }
    // Printed summary too: names and notes are part of what the demo says.
    log.push_str(&summary.to_string());

    if std::env::var_os("SAMVERKAN_BLESS_DEMO_LOG").is_some() {
        std::fs::write(golden(), &log).expect("write the recorded log");
    }
    let recorded = std::fs::read_to_string(golden()).expect("the recorded demo log");
    for (n, (now, then)) in log.lines().zip(recorded.lines()).enumerate() {
        assert_eq!(now, then, "line {} of the demo log differs", n + 1);
    }
    assert_eq!(
        log.lines().count(),
        recorded.lines().count(),
        "the demo log has a different number of lines"
    );
}
