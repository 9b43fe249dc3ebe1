//! Behaviour of the SQLite backend beyond the shared conformance suite.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

mod support;

use std::sync::Arc;

use samverkan_eventstore::conformance::{event, Store};
use samverkan_eventstore::{Direction, EventStore, ExpectedVersion, SqliteStore, SqliteStoreOptions, StoreError};
use support::scenarios;

fn temp() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.sqlite");
    (dir, path)
}

/// A new store in a temporary directory (the guard), as the scenarios take it.
fn fresh() -> (tempfile::TempDir, Arc<SqliteStore>) {
    let (dir, path) = temp();
    (dir, Arc::new(SqliteStore::open(&path).expect("open")))
}

async fn scenario_store(_case: &str) -> Option<(tempfile::TempDir, Store)> {
    let (dir, store) = fresh();
    Some((dir, store))
}

support::scenario_tests!(scenario_store;
    ids_already_in_the_stream_but_not_first_conflict,
    idempotent_retry_with_a_stale_or_wrong_expectation_still_succeeds,
    subscriptions_end_with_closed_after_delivering_everything,
    recorded_at_never_goes_back_along_the_log,
);

#[tokio::test]
async fn events_survive_reopening_and_positions_go_on() {
    let (_dir, path) = temp();
    let store = SqliteStore::open(&path).expect("create");
    assert_eq!(store.head_position().await.expect("head"), None);
    let r1 = store
        .append(
            "case-1",
            ExpectedVersion::NoStream,
            vec![event("A", serde_json::json!({"a": 1}))],
        )
        .await
        .expect("append");
    let r2 = store
        .append(
            "case-2",
            ExpectedVersion::NoStream,
            vec![event("A", serde_json::json!({"a": 2}))],
        )
        .await
        .expect("append");
    drop(store);

    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(store.head_position().await.expect("head"), Some(r2.position));
    let all = store.read_all(None, 10).await.expect("read_all");
    assert_eq!(
        all.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![r1.position, r2.position]
    );
    let r3 = store
        .append(
            "case-1",
            ExpectedVersion::Exact(0),
            vec![event("A", serde_json::json!({"a": 3}))],
        )
        .await
        .expect("append after reopen");
    assert!(r3.position > r2.position);
    assert_eq!(r3.next_expected_version, 1);
    let report = store.integrity_check().await.expect("healthy");
    assert_eq!(
        (report.events, report.streams, report.head_position),
        (3, 2, Some(r3.position))
    );
}

/// Many appends land in the same group commit; the failing ones (wrong
/// version) must not take the others down, and the others must see each
/// other's writes inside the batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_inside_a_group_commit_stay_with_their_append() {
    let (_dir, store) = fresh();
    scenarios::refused_appends_stay_with_their_append(store.clone()).await;
    store.integrity_check().await.expect("healthy");
}

#[tokio::test]
async fn small_group_commits_still_answer_everybody() {
    let (_dir, path) = temp();
    let options = SqliteStoreOptions {
        max_batch_appends: 2,
        max_batch_events: 3,
        ..SqliteStoreOptions::default()
    };
    let store = Arc::new(SqliteStore::open_with(&path, options).expect("open"));
    let appended = scenarios::small_group_commits_still_answer_everybody(store.clone()).await;
    let report = store.integrity_check().await.expect("healthy");
    assert_eq!(report.events, appended);
}

#[tokio::test]
async fn integrity_check_finds_a_gap_in_a_stream() {
    let (_dir, path) = temp();
    let store = SqliteStore::open(&path).expect("open");
    let events = (0..5).map(|i| event("A", serde_json::json!({ "i": i }))).collect();
    store
        .append("s", ExpectedVersion::NoStream, events)
        .await
        .expect("append");
    store.integrity_check().await.expect("healthy before");
    drop(store);

    let conn = rusqlite::Connection::open(&path).expect("raw open");
    conn.execute("DELETE FROM events WHERE version = 2", [])
        .expect("tamper");
    drop(conn);

    match SqliteStore::check_file(&path) {
        Err(StoreError::Corrupt { reason, .. }) => {
            assert!(reason.contains("stream `s`"), "{reason}")
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let store = SqliteStore::open(&path).expect("a gap does not stop opening");
    assert!(matches!(store.integrity_check().await, Err(StoreError::Corrupt { .. })));
}

#[tokio::test]
async fn reads_are_limited_and_empty_where_nothing_is() {
    let (_dir, path) = temp();
    let store = SqliteStore::open(&path).expect("open");
    assert!(store.read_all(None, 10).await.expect("read").is_empty());
    let events = (0..5).map(|i| event("A", serde_json::json!({ "i": i }))).collect();
    let r = store
        .append("s", ExpectedVersion::NoStream, events)
        .await
        .expect("append");
    assert!(store.read_all(None, 0).await.expect("read").is_empty());
    assert!(store
        .read_stream("s", Direction::Forwards, None, 0)
        .await
        .expect("read")
        .is_empty());
    assert_eq!(store.read_all(None, 3).await.expect("read").len(), 3);
    assert!(store.read_all(Some(r.position), 10).await.expect("read").is_empty());
    assert_eq!(store.read_all(Some(u64::MAX), 10).await.expect("read").len(), 0);
    assert_eq!(
        store
            .read_stream("s", Direction::Backwards, Some(u64::MAX), 2)
            .await
            .expect("read")
            .len(),
        2
    );
}

/// Big `read_all` calls are split into slices read in parallel; the slices
/// must fit together exactly, also while writers keep appending.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_reads_in_parallel_slices_fit_together() {
    let (_dir, path) = temp();
    let options = SqliteStoreOptions {
        read_parallelism: 4,
        ..SqliteStoreOptions::default()
    };
    let store = Arc::new(SqliteStore::open_with(&path, options).expect("open"));
    const APPENDS: usize = 60;
    const PER_APPEND: usize = 250;
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for a in 0..APPENDS {
                let events = (0..PER_APPEND)
                    .map(|i| event("Bulk", serde_json::json!({ "a": a, "i": i })))
                    .collect();
                store
                    .append(&format!("bulk-{}", a % 4), ExpectedVersion::Any, events)
                    .await
                    .expect("append");
                tokio::task::yield_now().await;
            }
        })
    };
    // Read along while the writer runs, in big batches.
    let total = APPENDS * PER_APPEND;
    let mut seen = Vec::with_capacity(total);
    let mut after = None;
    let mut writer_done = false;
    while seen.len() < total {
        let batch = store.read_all(after, 10_000).await.expect("read_all");
        if let Some(last) = batch.last() {
            after = Some(last.position);
        } else {
            assert!(!writer_done, "the log ended after {} of {total} events", seen.len());
            writer_done = writer.is_finished();
            tokio::task::yield_now().await;
        }
        seen.extend(batch.into_iter().map(|e| (e.position, e.stream, e.version)));
    }
    writer.await.expect("writer");
    let positions: Vec<u64> = seen.iter().map(|s| s.0).collect();
    assert_eq!(
        positions,
        (1..=total as u64).collect::<Vec<_>>(),
        "every position once, in order, dense"
    );
    let mut next_version = std::collections::HashMap::new();
    for (_, stream, version) in &seen {
        let expected = next_version.entry(stream.clone()).or_insert(0u64);
        assert_eq!(version, expected, "stream {stream} in order");
        *expected += 1;
    }

    let all = store.read_all(None, 20_000).await.expect("read_all");
    assert_eq!(all.len(), total);
    let middle = store.read_all(Some(3_000), 9_001).await.expect("read_all");
    assert_eq!(middle.len(), 9_001);
    assert_eq!(middle.first().map(|e| e.position), Some(3_001));
    assert_eq!(middle.last().map(|e| e.position), Some(12_001));
    assert!(middle.windows(2).all(|w| w[1].position == w[0].position + 1));
}

/// An import into the embedded store gets dense positions after the head,
/// in one transaction, survives reopening and passes the integrity check;
/// a refused import leaves the file as it was.
#[tokio::test]
async fn imports_get_dense_positions_and_keep_the_file_healthy() {
    use samverkan_eventstore::conformance::recorded;
    let (_dir, path) = temp();
    let store = SqliteStore::open(&path).expect("create");
    store
        .append(
            "case-1",
            ExpectedVersion::NoStream,
            vec![event("A", serde_json::json!({"a": 1}))],
        )
        .await
        .expect("append");
    let at = chrono::Utc::now();
    let batch: Vec<_> = (0..50)
        .map(|i| recorded(&format!("copied-{}", i % 7), (i / 7) as u64, "C", b"{}", at))
        .collect();
    store.import(batch.clone()).await.expect("import");
    let all = store.read_all(None, 1000).await.expect("read_all");
    assert_eq!(
        all.iter().map(|e| e.position).collect::<Vec<_>>(),
        (1..=51).collect::<Vec<u64>>()
    );
    assert_eq!(store.head_position().await.expect("head"), Some(51));

    let refused = vec![recorded("copied-0", 9, "C", b"{}", at)];
    assert!(matches!(store.import(refused).await, Err(StoreError::InvalidAppend(_))));
    drop(store);

    let store = SqliteStore::open(&path).expect("reopen");
    let report = store.integrity_check().await.expect("healthy");
    assert_eq!((report.events, report.streams, report.head_position), (51, 8, Some(51)));
    let again = store.read_all(None, 1000).await.expect("read_all");
    assert_eq!(again, all, "the import is durable as it was read");
}

/// The WAL is folded into the main file while the store is open and
/// written, by the store's own checkpoint thread, long before SQLite's
/// automatic checkpoint (4,000 pages, 16 MiB) would have run in a commit.
#[tokio::test]
async fn the_log_reaches_the_main_file_while_the_store_is_open() {
    let (_dir, path) = temp();
    let store = SqliteStore::open(&path).expect("create");
    let text = "x".repeat(2_000);
    for i in 0..20 {
        let batch = (0..50)
            .map(|j| event("Written", serde_json::json!({ "i": i, "j": j, "text": text })))
            .collect();
        store
            .append(&format!("s-{i}"), ExpectedVersion::Any, batch)
            .await
            .expect("append");
    }
    // 1,000 events of 2 kB: about 2 MB in the WAL. Give the checkpoint
    // thread a few of its intervals (a commit in each keeps nudging it).
    let mut main = 0;
    for i in 0..40 {
        main = std::fs::metadata(&path).expect("the main file").len();
        if main > 1_500_000 {
            break;
        }
        store
            .append(
                "nudge",
                ExpectedVersion::Any,
                vec![event("Nudged", serde_json::json!({ "i": i }))],
            )
            .await
            .expect("append");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        main > 1_500_000,
        "the main file holds {main} bytes; the rest is still in the WAL"
    );
    drop(store);
    let store = SqliteStore::open(&path).expect("reopen");
    let events = store
        .read_stream("s-19", Direction::Forwards, None, 100)
        .await
        .expect("read");
    assert_eq!(events.len(), 50);
}

/// Under steady writing the WAL still starts over: the checkpoint thread's
/// passes alone never catch up with a writer that keeps appending, so the
/// writer folds in the rest after each pass and the next commit starts the
/// WAL from its beginning (its header's checkpoint sequence number, bytes
/// 12..16, goes up by one each time) instead of growing without end.
#[tokio::test]
async fn the_wal_starts_over_under_steady_writing() {
    let (_dir, path) = temp();
    let store = SqliteStore::open(&path).expect("create");
    let wal = path.with_file_name(format!(
        "{}-wal",
        path.file_name().and_then(|n| n.to_str()).expect("a file name")
    ));
    let sequence = || {
        let header = std::fs::read(&wal).expect("the WAL while open");
        u32::from_be_bytes(header[12..16].try_into().expect("a WAL header"))
    };
    let text = "y".repeat(500);
    let mut i = 0u64;
    let write = |i: u64| {
        let store = &store;
        let text = &text;
        async move {
            store
                .append(
                    &format!("s-{}", i % 50),
                    ExpectedVersion::Any,
                    vec![event("Written", serde_json::json!({ "i": i, "text": text }))],
                )
                .await
                .expect("append");
        }
    };
    write(i).await;
    let first = sequence();
    // Appends back to back for several of the thread's intervals.
    let began = std::time::Instant::now();
    while began.elapsed() < std::time::Duration::from_millis(1_500) {
        i += 1;
        write(i).await;
    }
    let last = sequence();
    assert!(
        last >= first + 2,
        "the WAL started over {} times in {i} appends over 1.5 s",
        last - first
    );
}
