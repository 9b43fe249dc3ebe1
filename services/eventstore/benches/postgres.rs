//! PostgreSQL event store benchmark: `cargo bench -p samverkan-eventstore --bench postgres`.
//!
//! Starts a throw-away PostgreSQL server (the tests' harness,
//! `pg_testing`: initdb into a temp dir, default settings, so `fsync` and
//! `synchronous_commit` are on) and prints one table:
//! - the write yardstick: a bare tokio-postgres loop inserting the same
//!   rows into the same table in 1,000-row transactions (one prepared
//!   INSERT per row, pipelined, one COMMIT per 1,000);
//! - durable appends/s through `PgStore` with 1, 16 and 256 concurrent
//!   writers, one ~500-byte event per append, each writer on its own
//!   stream with `Exact` expectations, and the ratio to the yardstick;
//! - the read yardstick (a bare loop over the same rows, 10,000 per query,
//!   touching every column, building nothing) and `read_all` in
//!   10,000-event batches.
//!
//! `SAMVERKAN_BENCH_SCALE` (default 1.0) scales every count.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

mod harness;

use std::sync::Arc;

use harness::{appends, best_of, new_event, read_all, row, scale, scaled, Measured, Meter, BARE_STREAMS};
use samverkan_eventstore::pg_testing::PgServer;
use samverkan_eventstore::{NewEvent, PgStore};
use tokio_postgres::NoTls;
use uuid::Uuid;

/// The bare loop: the same table (the store creates it) and columns, one
/// prepared INSERT per row, pipelined, 1,000 rows per transaction.
async fn bare_writes(url: &str, rows: usize) -> Measured {
    drop(PgStore::connect(url).await.expect("create schema"));
    let (mut client, connection) = tokio_postgres::connect(url, NoTls).await.expect("connect");
    tokio::spawn(connection);
    let insert = client
        .prepare(
            "INSERT INTO events (position, stream, version, event_id, event_type, schema_version, data,
                                 actor, actor_role, causation_id, correlation_id, trace_id,
                                 command_fingerprint, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .await
        .expect("prepare");
    let streams: Vec<String> = (0..BARE_STREAMS).map(|s| format!("bare-{s}")).collect();
    let events: Vec<NewEvent> = (0..rows).map(|n| new_event(n % BARE_STREAMS, n)).collect();
    let meter = Meter::start();
    for (chunk_no, chunk) in events.chunks(1000).enumerate() {
        let tx = client.transaction().await.expect("begin");
        let now = chrono::Utc::now();
        let inserts = chunk.iter().enumerate().map(|(i, e)| {
            let n = chunk_no * 1000 + i;
            let (position, version, schema) = ((n + 1) as i64, (n / BARE_STREAMS) as i64, i64::from(e.schema_version));
            let (tx, insert, stream) = (&tx, &insert, &streams[n % BARE_STREAMS]);
            async move {
                let m = &e.metadata;
                tx.execute(
                    insert,
                    &[
                        &position,
                        stream,
                        &version,
                        &e.id,
                        &e.event_type,
                        &schema,
                        &e.data,
                        &m.actor,
                        &m.actor_role,
                        &m.causation_id,
                        &m.correlation_id,
                        &m.trace_id,
                        &m.command_fingerprint,
                        &now,
                    ],
                )
                .await
            }
        });
        futures::future::try_join_all(inserts).await.expect("insert");
        tx.commit().await.expect("commit");
    }
    meter.stop(rows)
}

/// The read yardstick: through the log 10,000 rows per query, every column
/// touched (borrowed), nothing built.
async fn bare_reads(url: &str) -> (Measured, usize) {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.expect("connect");
    tokio::spawn(connection);
    let stmt = client
        .prepare(
            "SELECT position, stream, version, event_id, event_type, schema_version, data, actor, actor_role,
                    causation_id, correlation_id, trace_id, command_fingerprint, recorded_at
               FROM events WHERE position > $1 ORDER BY position LIMIT 10000",
        )
        .await
        .expect("prepare");
    let meter = Meter::start();
    let (mut after, mut count, mut bytes) = (0i64, 0usize, 0usize);
    loop {
        let rows = client.query(&stmt, &[&after]).await.expect("query");
        let Some(last) = rows.last() else { break };
        after = last.get(0);
        for r in &rows {
            let _: Uuid = r.get(3);
            bytes += r.get::<_, &str>(1).len() + r.get::<_, &str>(4).len() + r.get::<_, &[u8]>(6).len();
            for i in [7, 8, 11, 12] {
                bytes += r.get::<_, Option<&str>>(i).map_or(0, str::len);
            }
            let _: (i64, i64, Option<Uuid>, Option<Uuid>) = (r.get(2), r.get(5), r.get(9), r.get(10));
            let _: chrono::DateTime<chrono::Utc> = r.get(13);
        }
        count += rows.len();
    }
    assert!(bytes > count * 500, "every body was touched");
    (meter.stop(count), count)
}

fn main() {
    let server = PgServer::start(&[]).unwrap_or_else(|e| panic!("the benchmark needs a PostgreSQL server: {e}"));
    let runtime = harness::runtime();
    println!(
        "PostgreSQL event store benchmark (scale {}, throw-away server on port {})",
        scale(),
        server.port()
    );
    println!();
    harness::header("CPU µs per item (this process)");

    let rows = scaled(100_000);
    let bare = runtime.block_on(bare_writes(&server.fresh_database("bare"), rows));
    row(
        "bare tokio-postgres inserts, 1,000-row transactions",
        rows,
        "rows",
        &bare,
        &bare,
    );
    let mut last_url = String::new();
    for (writers, total) in [(1, scaled(3_000)), (16, scaled(30_000)), (256, scaled(100_000))] {
        last_url = server.fresh_database("appends");
        let (m, count) = runtime.block_on(async {
            let store = Arc::new(PgStore::connect(&last_url).await.expect("connect"));
            appends(store, writers, total).await
        });
        let what = harness::writers_label("PgStore", writers);
        row(&what, count, "appends", &m, &bare);
    }

    // Reads over the log the 256 writers left.
    let (bare, count) = best_of(3, || runtime.block_on(bare_reads(&last_url)));
    row(
        "bare tokio-postgres read loop, same rows, all columns",
        count,
        "events",
        &bare,
        &bare,
    );
    let store = runtime.block_on(PgStore::connect(&last_url)).expect("connect");
    let (m, count) = best_of(3, || runtime.block_on(read_all(&store)));
    row("PgStore read_all, 10,000-event batches", count, "events", &m, &bare);
    println!();
    println!("Read rates are best of 3; CPU time is this process's (PostgreSQL's own processes not included).");
}
