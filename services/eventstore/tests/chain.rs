//! The hash chain across backends: existing SQLite files (format 2) and
//! PostgreSQL databases (format 1) get their chain on migration and go on
//! appending to it; SQLite and PostgreSQL give the same links for the same
//! events; two PostgreSQL stores (two writer tasks, as two processes)
//! appending at once keep one sound chain.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::sync::Arc;

use samverkan_eventstore::chain::{Hash, Verifier};
use samverkan_eventstore::conformance::{event, known_events, whole_chain};
use samverkan_eventstore::pg_testing::PgServer;
use samverkan_eventstore::{EventStore, ExpectedVersion, PgStore, SqliteStore};

type Store = Arc<dyn EventStore>;

async fn append_some(store: &Store, prefix: &str, streams: u64, each: u64) {
    for s in 0..streams {
        for v in 0..each {
            let expected = if v == 0 {
                ExpectedVersion::NoStream
            } else {
                ExpectedVersion::Exact(v - 1)
            };
            store
                .append(
                    &format!("{prefix}-{s}"),
                    expected,
                    vec![event("Thing", serde_json::json!({"s": s, "v": v}))],
                )
                .await
                .expect("append");
        }
    }
}

fn links(chain: &[samverkan_eventstore::chain::ChainedEvent]) -> Vec<(u64, Option<Hash>)> {
    chain.iter().map(|e| (e.event.position, e.hash)).collect()
}

async fn assert_sound(store: &Store) -> u64 {
    let mut verifier = Verifier::new(Vec::new(), None);
    for e in whole_chain(store).await {
        verifier.push(&e).unwrap_or_else(|f| panic!("{f}"));
    }
    verifier.finish().expect("sound").events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_format_2_sqlite_file_gets_its_chain_on_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.sqlite");
    let before = {
        let store: Store = Arc::new(SqliteStore::open(&path).unwrap());
        append_some(&store, "old", 4, 5).await;
        links(&whole_chain(&store).await)
    };
    {
        // Back to format 2 exactly: no link column, no checkpoints table.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "ALTER TABLE events DROP COLUMN chain_hash; DROP TABLE checkpoints; PRAGMA user_version = 2;",
        )
        .unwrap();
    }
    SqliteStore::check_file(&path).expect("a format-2 file is healthy as it is");
    let store: Store = Arc::new(SqliteStore::open(&path).expect("open migrates"));
    assert_eq!(
        links(&whole_chain(&store).await),
        before,
        "the backfill gives the links appends gave"
    );
    append_some(&store, "new", 2, 3).await;
    assert_eq!(assert_sound(&store).await, 26);
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, samverkan_eventstore::sqlite::FORMAT_VERSION);
}

fn database(prefix: &str) -> Option<(&'static PgServer, String, String)> {
    let server = PgServer::shared_or_skip()?;
    let url = server.fresh_database(prefix);
    let name = url.rsplit('/').next().expect("database name").to_owned();
    Some((server, url, name))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_format_1_postgres_database_gets_its_chain_on_migration() {
    let Some((server, url, db)) = database("chain_migration") else {
        return;
    };
    let before = {
        let store: Store = Arc::new(PgStore::connect(&url).await.unwrap());
        append_some(&store, "old", 4, 5).await;
        links(&whole_chain(&store).await)
    };
    server
        .psql(
            &db,
            "ALTER TABLE events DROP COLUMN chain_hash; ALTER TABLE log_head DROP COLUMN chain_hash;
             DROP TABLE checkpoints; UPDATE samverkan_format SET version = 1;",
        )
        .unwrap();
    let store: Store = Arc::new(PgStore::connect(&url).await.expect("connect migrates"));
    assert_eq!(
        links(&whole_chain(&store).await),
        before,
        "the backfill gives the links appends gave"
    );
    append_some(&store, "new", 2, 3).await;
    assert_eq!(assert_sound(&store).await, 26);
    // An event without a link (as a process of the older version, still
    // running during a rolling upgrade, would insert) is refused.
    let unlinked = server.psql(
        &db,
        "INSERT INTO events (position, stream, version, event_id, event_type, schema_version, data, recorded_at)
         VALUES (1000, 'old-stream', 99, gen_random_uuid(), 'X', 1, '\\x7b7d'::bytea, now())",
    );
    let error = unlinked.expect_err("an unlinked event is refused");
    assert!(error.contains("chain_hash"), "{error}");
    assert_eq!(
        server.psql(&db, "SELECT version FROM samverkan_format").unwrap(),
        samverkan_eventstore::postgres::FORMAT_VERSION.to_string()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_give_the_same_links_for_the_same_events() {
    let Some((_server, url, _db)) = database("chain_same") else {
        return;
    };
    let base = chrono::DateTime::from_timestamp_micros(1_767_225_600_000_000).unwrap();
    let events = known_events("same", 40, base);
    let dir = tempfile::tempdir().unwrap();
    let sqlite: Store = Arc::new(SqliteStore::open(dir.path().join("events.sqlite")).unwrap());
    let pg: Store = Arc::new(PgStore::connect(&url).await.unwrap());
    for store in [&sqlite, &pg] {
        store.import(events[..25].to_vec()).await.unwrap();
        store.import(events[25..].to_vec()).await.unwrap();
    }
    let (a, b) = (whole_chain(&sqlite).await, whole_chain(&pg).await);
    assert_eq!(a.len(), 40);
    assert_eq!(links(&a), links(&b));
    assert!(a.iter().all(|e| e.hash.is_some()));
    assert_eq!(sqlite.chain_head().await.unwrap(), pg.chain_head().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_postgres_writers_keep_one_sound_chain() {
    let Some((_server, url, _db)) = database("chain_writers") else {
        return;
    };
    let stores: Vec<Store> = vec![
        Arc::new(PgStore::connect(&url).await.unwrap()),
        Arc::new(PgStore::connect(&url).await.unwrap()),
    ];
    let mut tasks = Vec::new();
    for (i, store) in stores.iter().enumerate() {
        for w in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                append_some(&store, &format!("p{i}-w{w}"), 1, 25).await;
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(assert_sound(&stores[0]).await, 2 * 8 * 25);
    assert_eq!(
        stores[0].chain_head().await.unwrap(),
        stores[1].chain_head().await.unwrap()
    );
}
