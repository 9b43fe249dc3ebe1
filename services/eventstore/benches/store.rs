//! Event store benchmark: `cargo bench -p samverkan-eventstore --bench store`.
//!
//! Prints one table:
//! - the write yardstick: a bare rusqlite loop inserting the same rows into
//!   the same schema in 1,000-row transactions, WAL + `synchronous=FULL`,
//!   and the same loop in 256-row transactions (the largest group commit
//!   256 writers with one append in flight each can make);
//! - durable appends/s through `SqliteStore` with 1, 16 and 256 concurrent
//!   writers, one ~500-byte event per append, each writer on its own stream
//!   with `Exact` expectations, and the ratio to the yardstick;
//! - global-log reads: the read yardstick (bare rusqlite stepping through
//!   the same rows and touching every column, building nothing), `read_all`
//!   in 10,000-event batches, and a catch-up subscription over the log.
//!
//! Besides wall-clock rates it prints the process CPU time per item (Linux),
//! which other load on the machine disturbs much less.
//!
//! Environment: `SAMVERKAN_BENCH_SCALE` (default 1.0) scales every count;
//! `SAMVERKAN_BENCH_DIR` picks the directory for the files (default: the
//! system temp dir; the disk matters, fsync is measured);
//! `SAMVERKAN_BENCH_PARTS` (default `write,read`) picks the parts.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

mod harness;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use harness::{appends, best_of, new_event, read_all, row, scale, scaled, Measured, Meter, BARE_STREAMS};
use samverkan_eventstore::{EventStore, ExpectedVersion, NewEvent, SqliteStore, SqliteStoreOptions};

/// A bare rusqlite loop: same schema (the store creates it), same columns,
/// same pragmas, `per_tx` rows per transaction.
fn bare_writes(dir: &Path, rows: usize, per_tx: usize) -> Measured {
    let path = dir.join(format!("bare-{per_tx}.sqlite"));
    drop(SqliteStore::open(&path).expect("create schema"));
    let mut conn = rusqlite::Connection::open(&path).expect("open bare");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
        .expect("pragmas");
    {
        let tx = conn.transaction().expect("tx");
        for s in 0..BARE_STREAMS {
            tx.execute("INSERT INTO streams (name) VALUES (?1)", [format!("bare-{s}")])
                .expect("stream");
        }
        tx.commit().expect("commit");
    }
    let events: Vec<NewEvent> = (0..rows).map(|n| new_event(n % BARE_STREAMS, n)).collect();
    let meter = Meter::start();
    for (chunk_no, chunk) in events.chunks(per_tx).enumerate() {
        let tx = conn.transaction().expect("tx");
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO events (stream_id, version, event_id, event_type, schema_version, data,
                                         actor, actor_role, causation_id, correlation_id, trace_id, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .expect("prepare");
            let now = chrono::Utc::now().timestamp_micros();
            for (i, e) in chunk.iter().enumerate() {
                let n = chunk_no * per_tx + i;
                let m = &e.metadata;
                insert
                    .execute(rusqlite::params![
                        (n % BARE_STREAMS + 1) as i64,
                        (n / BARE_STREAMS) as i64,
                        e.id.as_bytes().as_slice(),
                        e.event_type,
                        e.schema_version,
                        e.data,
                        m.actor,
                        m.actor_role,
                        m.causation_id.as_ref().map(|u| u.as_bytes().as_slice()),
                        m.correlation_id.as_ref().map(|u| u.as_bytes().as_slice()),
                        m.trace_id,
                        now,
                    ])
                    .expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    meter.stop(rows)
}

/// [`appends`] on a fresh store file; returns the store too.
async fn appends_to_a_file(dir: &Path, writers: usize, total: usize) -> (Measured, usize, Arc<SqliteStore>) {
    let path = dir.join(format!("store-{writers}.sqlite"));
    let store = Arc::new(SqliteStore::open(&path).expect("open store"));
    let (m, count) = appends(store.clone(), writers, total).await;
    (m, count, store)
}

/// Grows the log to at least `events` with big appends (not timed).
async fn fill(store: &SqliteStore, events: usize) -> usize {
    let mut have = store.integrity_check().await.expect("check").events as usize;
    let mut n = 0;
    while have < events {
        let batch: Vec<NewEvent> = (0..500.min(events - have)).map(|i| new_event(i, n)).collect();
        have += batch.len();
        store
            .append(&format!("fill-{n}"), ExpectedVersion::NoStream, batch)
            .await
            .expect("fill");
        n += 1;
    }
    have
}

/// The read yardstick: step through the log touching every column.
fn bare_reads(path: &Path) -> (Measured, usize) {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("open");
    conn.execute_batch("PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -32768;")
        .expect("pragmas");
    let mut stmt = conn
        .prepare(
            "SELECT e.position, s.name, e.version, e.event_id, e.event_type, e.schema_version, e.data, e.actor,
                    e.actor_role, e.causation_id, e.correlation_id, e.trace_id, e.recorded_at
             FROM events e JOIN streams s ON s.stream_id = e.stream_id WHERE e.position > ?1 ORDER BY e.position LIMIT 10000",
        )
        .expect("prepare");
    let meter = Meter::start();
    let (mut after, mut count, mut bytes) = (0i64, 0usize, 0usize);
    loop {
        let mut rows = stmt.query([after]).expect("query");
        let mut got = 0;
        while let Some(r) = rows.next().expect("step") {
            after = r.get(0).expect("position");
            for i in 1..13 {
                bytes += match r.get_ref(i).expect("column") {
                    rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => b.len(),
                    _ => 8,
                };
            }
            got += 1;
        }
        if got == 0 {
            break;
        }
        count += got;
    }
    assert!(bytes > count * 500, "every body was touched");
    (meter.stop(count), count)
}

async fn subscription(store: &SqliteStore, events: usize) -> Measured {
    let meter = Meter::start();
    let mut sub = store.subscribe_all(None);
    let mut seen = 0;
    let read = async {
        while seen < events {
            match sub.next().await {
                Some(Ok(_)) => seen += 1,
                other => panic!("subscription failed after {seen} events: {other:?}"),
            }
        }
    };
    // One guard for the whole catch-up (a timer per event would cost more
    // than the event).
    if tokio::time::timeout(Duration::from_secs(120), read).await.is_err() {
        panic!("subscription stalled");
    }
    meter.stop(events)
}

/// Bytes this process has handed to `write(2)` and friends so far (Linux:
/// `wchar` in `/proc/self/io`): the WAL frames, the checkpoints' copies into
/// the main file, and nothing else worth counting here.
fn bytes_written() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("wchar:"))
        .and_then(|n| n.trim().parse().ok())
}

/// `f`'s result and the bytes the process wrote meanwhile, per item.
fn with_bytes<R>(items: impl Fn(&R) -> usize, f: impl FnOnce() -> R) -> (R, Option<f64>) {
    let before = bytes_written();
    let r = f();
    let per_item = before
        .zip(bytes_written())
        .map(|(a, b)| (b - a) as f64 / items(&r).max(1) as f64);
    (r, per_item)
}

fn main() {
    let base = std::env::var("SAMVERKAN_BENCH_DIR").map_or_else(|_| std::env::temp_dir(), Into::into);
    let temp = tempfile::tempdir_in(base).expect("bench dir");
    let dir = temp.path();
    let runtime = harness::runtime();
    let parts = std::env::var("SAMVERKAN_BENCH_PARTS").unwrap_or_else(|_| "write,read".into());
    let part = |name: &str| parts.split(',').any(|p| p.trim() == name);

    println!("Event store benchmark (scale {}, files in {})", scale(), dir.display());
    println!();
    harness::header("CPU µs per item");

    let mut big = None;
    let mut written: Vec<(String, Option<f64>)> = Vec::new();
    if part("write") {
        let rows = scaled(200_000);
        // The 256-row loop: what a group commit of 256 writers with one
        // append in flight each can reach at most. Ratios are to the first.
        let mut bare = None;
        for (per_tx, label) in [(1000, "1,000"), (256, "256")] {
            let (m, per_row) = with_bytes(|_| rows, || bare_writes(dir, rows, per_tx));
            let what = format!("bare rusqlite inserts, {label}-row transactions");
            written.push((what.clone(), per_row));
            let yardstick = *bare.get_or_insert(m);
            row(&format!("{what}, WAL + FULL"), rows, "rows", &m, &yardstick);
        }
        let bare = bare.expect("the 1,000-row yardstick ran");
        for (writers, total) in [(1, scaled(3_000)), (16, scaled(40_000)), (256, scaled(200_000))] {
            let ((m, count, store), per_append) = with_bytes(
                |r: &(Measured, usize, Arc<SqliteStore>)| r.1,
                || runtime.block_on(appends_to_a_file(dir, writers, total)),
            );
            let what = harness::writers_label("SqliteStore", writers);
            written.push((what.clone(), per_append));
            row(&what, count, "appends", &m, &bare);
            big = Some(store);
        }
    }

    if part("read") {
        let store = big.unwrap_or_else(|| {
            let mut options = SqliteStoreOptions::default();
            if let Some(n) = std::env::var("SAMVERKAN_BENCH_READ_PARALLELISM")
                .ok()
                .and_then(|s| s.parse().ok())
            {
                options.read_parallelism = n;
            }
            Arc::new(SqliteStore::open_with(dir.join("read.sqlite"), options).expect("open store"))
        });
        let log = runtime.block_on(fill(&store, scaled(300_000)));
        let (bare, count) = best_of(3, || bare_reads(store.path()));
        row(
            "bare rusqlite read loop, same rows, all columns",
            count,
            "events",
            &bare,
            &bare,
        );
        let (m, count) = best_of(3, || runtime.block_on(read_all(store.as_ref())));
        row("read_all, 10,000-event batches", count, "events", &m, &bare);
        let m = runtime.block_on(subscription(&store, log));
        row("subscribe_all catch-up from the start", log, "events", &m, &bare);
    }
    println!();
    println!("Rates are best of 3 for reads; CPU time is the whole process's (all threads).");
    if !written.is_empty() {
        // Each row of ~0.6 kB dirties pages of the table and of both
        // indexes; every dirty page is written whole to the WAL at each
        // commit and once more into the main file by a checkpoint. Fewer
        // rows per transaction: more pages per row.
        println!();
        println!("| writes | bytes written per row or append (WAL frames and checkpoints) |");
        println!("|---|---:|");
        for (what, per_item) in written {
            let bytes = per_item.map_or_else(|| "n/a".to_owned(), |b| format!("{b:.0}"));
            println!("| {what} | {bytes} |");
        }
    }
}
