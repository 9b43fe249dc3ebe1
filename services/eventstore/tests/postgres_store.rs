//! PostgreSQL backend specifics beyond the conformance suite: the schema and
//! its format version, refusing a database of another application
//! untouched, bodies byte for byte in the table, recorded times, positions
//! dense across two stores (two writer tasks) on one database, a unique
//! violation failing only the append that caused it, and import.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::sync::Arc;

use samverkan_eventstore::conformance::event;
use samverkan_eventstore::pg_testing::PgServer;
use samverkan_eventstore::{
    Direction, EventMetadata, EventStore, ExpectedVersion, NewEvent, PgStore, RecordedEvent, StoreError,
};
use uuid::Uuid;

fn database(prefix: &str) -> Option<(&'static PgServer, String, String)> {
    let server = PgServer::shared_or_skip()?;
    let url = server.fresh_database(prefix);
    let name = url.rsplit('/').next().expect("database name").to_owned();
    Some((server, url, name))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_its_schema_with_a_format_version() {
    let Some((server, url, db)) = database("schema") else {
        return;
    };
    let store = PgStore::connect(&url).await.expect("connect");
    assert!(!store.is_standby());
    assert_eq!(
        server
            .psql(&db, "SELECT application || ' ' || version FROM samverkan_format")
            .unwrap(),
        format!(
            "samverkan-eventstore {}",
            samverkan_eventstore::postgres::FORMAT_VERSION
        )
    );
    drop(store);
    // Connecting again (a second process, a restart) changes nothing.
    let again = PgStore::connect(&url).await.expect("reconnect");
    assert_eq!(again.head_position().await.unwrap(), None);
    assert_eq!(server.psql(&db, "SELECT count(*) FROM samverkan_format").unwrap(), "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_a_database_of_another_application_untouched() {
    let Some((server, url, db)) = database("foreign") else {
        return;
    };
    server
        .psql(
            &db,
            "CREATE TABLE invoices (id int PRIMARY KEY, total bigint); INSERT INTO invoices VALUES (1, 100)",
        )
        .unwrap();
    let tables_before = server
        .psql(
            &db,
            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'",
        )
        .unwrap();
    match PgStore::connect(&url).await {
        Err(e @ StoreError::NotOurs { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("another application"), "{msg}");
            assert!(msg.contains("public.invoices"), "names what it found: {msg}");
        }
        other => panic!("a foreign database must be NotOurs, got {other:?}"),
    }
    assert_eq!(
        server
            .psql(
                &db,
                "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'"
            )
            .unwrap(),
        tables_before,
        "not a table added"
    );
    assert_eq!(server.psql(&db, "SELECT total FROM invoices").unwrap(), "100");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_a_newer_format_and_a_foreign_format_table() {
    let Some((server, url, db)) = database("newer") else {
        return;
    };
    drop(PgStore::connect(&url).await.expect("create"));
    server.psql(&db, "UPDATE samverkan_format SET version = 99").unwrap();
    match PgStore::connect(&url).await {
        Err(StoreError::TooNew { found: 99, .. }) => {}
        other => panic!("a newer format must be TooNew, got {other:?}"),
    }
    assert_eq!(server.psql(&db, "SELECT version FROM samverkan_format").unwrap(), "99");
    server
        .psql(
            &db,
            "UPDATE samverkan_format SET version = 1, application = 'someone-else'",
        )
        .unwrap();
    assert!(matches!(PgStore::connect(&url).await, Err(StoreError::NotOurs { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_stored_byte_for_byte_and_recorded_times_never_go_back() {
    let Some((server, url, db)) = database("bytes") else {
        return;
    };
    let store = PgStore::connect(&url).await.expect("connect");
    // Whitespace, key order and escapes that jsonb would rewrite.
    let body = br#"{ "b" : 1,   "a":"\u00e4",  "b": 2 , "n": 1.50 }"#.to_vec();
    let e = NewEvent {
        data: body.clone(),
        ..event("Odd", serde_json::json!({}))
    };
    store
        .append("bytes-1", ExpectedVersion::NoStream, vec![e.clone()])
        .await
        .expect("append");
    let hex = server
        .psql(
            &db,
            &format!("SELECT encode(data, 'hex') FROM events WHERE event_id = '{}'", e.id),
        )
        .unwrap();
    let expected: String = body.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, expected, "the table holds the exact bytes");
    let read = store.find_event(e.id).await.unwrap().expect("found");
    assert_eq!(read.data, body);

    // A clock far ahead in the log (as another process's could be): later
    // appends are recorded no earlier.
    server
        .psql(&db, "UPDATE log_head SET recorded_at = now() + interval '1 hour'")
        .unwrap();
    store
        .append(
            "bytes-1",
            ExpectedVersion::Exact(0),
            vec![event("Later", serde_json::json!({}))],
        )
        .await
        .expect("append");
    let events = store.read_all(None, 10).await.unwrap();
    assert!(
        events[1].recorded_at >= chrono::Utc::now() + chrono::Duration::minutes(59),
        "{} does not go back behind the head's time",
        events[1].recorded_at
    );
}

/// Two stores (two writer tasks, as two processes have) appending to one
/// database: positions stay dense and each append's events contiguous.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_writers_on_one_database_keep_positions_dense() {
    let Some((server, url, db)) = database("two") else {
        return;
    };
    // Whatever the database's default isolation, batches run READ COMMITTED.
    server
        .psql(
            "postgres",
            &format!("ALTER DATABASE {db} SET default_transaction_isolation = 'repeatable read'"),
        )
        .unwrap();
    let a: Arc<dyn EventStore> = Arc::new(PgStore::connect(&url).await.expect("a"));
    let b: Arc<dyn EventStore> = Arc::new(PgStore::connect(&url).await.expect("b"));
    let mut tasks = Vec::new();
    for (i, store) in [a.clone(), b.clone(), a.clone(), b.clone()].into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            for n in 0..50 {
                let events = (0..1 + n % 3)
                    .map(|_| event("T", serde_json::json!({ "n": n })))
                    .collect();
                store
                    .append(&format!("two-{}", n % 5), ExpectedVersion::Any, events)
                    .await
                    .unwrap_or_else(|e| panic!("writer {i}: {e}"));
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer");
    }
    let all = a.read_all(None, usize::MAX).await.unwrap();
    let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=all.len() as u64).collect::<Vec<_>>(), "dense from 1");
    assert_eq!(b.head_position().await.unwrap(), Some(all.len() as u64));
    for s in 0..5 {
        let stream = a
            .read_stream(&format!("two-{s}"), Direction::Forwards, None, usize::MAX)
            .await
            .unwrap();
        let versions: Vec<u64> = stream.iter().map(|e| e.version).collect();
        assert_eq!(versions, (0..stream.len() as u64).collect::<Vec<_>>());
    }
}

fn copied(stream: &str, version: u64, at: chrono::DateTime<chrono::Utc>) -> RecordedEvent {
    RecordedEvent {
        id: Uuid::new_v4(),
        stream: stream.into(),
        version,
        position: 1000 + version,
        event_type: "Copied".into(),
        schema_version: 2,
        data: format!(r#"{{"v": {version}}}"#).into_bytes(),
        metadata: EventMetadata {
            actor: Some("user:a".into()),
            command_fingerprint: Some("sha256:ab".into()),
            ..EventMetadata::default()
        },
        recorded_at: at,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_keeps_everything_but_positions_and_refuses_gaps_whole() {
    let Some((_server, url, _db)) = database("import") else {
        return;
    };
    let store = PgStore::connect(&url).await.expect("connect");
    let t0 = chrono::DateTime::parse_from_rfc3339("2025-01-02T03:04:05.678901Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let first = vec![copied("imp-a", 0, t0), copied("imp-b", 0, t0), copied("imp-a", 1, t0)];
    store.import(first.clone()).await.expect("import");
    let all = store.read_all(None, 100).await.unwrap();
    assert_eq!(all.len(), 3);
    for (got, sent) in all.iter().zip(&first) {
        assert_eq!(
            RecordedEvent {
                position: got.position,
                ..sent.clone()
            },
            *got,
            "everything kept but the position"
        );
    }
    assert_eq!(all.iter().map(|e| e.position).collect::<Vec<_>>(), vec![1, 2, 3]);

    // Continuing works; a gap anywhere refuses the whole batch.
    let next = copied("imp-a", 2, t0);
    let gap = copied("imp-b", 2, t0);
    match store.import(vec![next.clone(), gap]).await {
        Err(StoreError::InvalidAppend(reason)) => {
            assert!(
                reason.contains("imp-b") && reason.contains("next version here is 1"),
                "{reason}"
            )
        }
        other => panic!("a gap must be InvalidAppend, got {other:?}"),
    }
    match store.import(vec![copied("imp-c", 1, t0)]).await {
        Err(StoreError::InvalidAppend(_)) => {}
        other => panic!("a new stream must start at 0, got {other:?}"),
    }
    match store
        .import(vec![copied("imp-b", 1, t0 - chrono::Duration::seconds(1))])
        .await
    {
        Err(StoreError::InvalidAppend(reason)) => assert!(reason.contains("backwards"), "{reason}"),
        other => panic!("an earlier time must be refused, got {other:?}"),
    }
    match store
        .import(vec![RecordedEvent {
            id: first[0].id,
            ..copied("imp-b", 1, t0)
        }])
        .await
    {
        Err(StoreError::DuplicateEventId { stream, .. }) => assert_eq!(stream, "imp-a"),
        other => panic!("a stored id must be DuplicateEventId, got {other:?}"),
    }
    let mut not_json = copied("imp-b", 1, t0);
    not_json.data = b"{oops".to_vec();
    assert!(matches!(
        store.import(vec![not_json]).await,
        Err(StoreError::InvalidAppend(_))
    ));
    let twice = copied("imp-b", 1, t0);
    let again = RecordedEvent {
        version: 2,
        ..twice.clone()
    };
    assert!(matches!(
        store.import(vec![twice, again]).await,
        Err(StoreError::InvalidAppend(_))
    ));
    assert_eq!(
        store.head_position().await.unwrap(),
        Some(3),
        "nothing written by refusals"
    );
    store.import(vec![next.clone()]).await.expect("continue");
    assert_eq!(store.find_event(next.id).await.unwrap().map(|e| e.position), Some(4));
    // An ordinary append goes on from there.
    let r = store
        .append(
            "imp-a",
            ExpectedVersion::Exact(2),
            vec![event("After", serde_json::json!({}))],
        )
        .await
        .expect("append after import");
    assert_eq!((r.position, r.next_expected_version), (5, 3));
}

/// A row written behind the store's back at the position the head would
/// hand out next-but-one: the batch hits the unique index, is retried one
/// append per transaction, and only the append that lands on the taken
/// position fails; nothing is skipped or overwritten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unique_violation_fails_only_the_append_that_caused_it() {
    let Some((server, url, db)) = database("unique") else {
        return;
    };
    let store = Arc::new(PgStore::connect(&url).await.expect("connect"));
    store
        .append(
            "u-0",
            ExpectedVersion::NoStream,
            vec![event("First", serde_json::json!({}))],
        )
        .await
        .expect("append");
    server
        .psql(
            &db,
            &format!(
                "INSERT INTO events (position, stream, version, event_id, event_type, schema_version, data, recorded_at, chain_hash)
                 VALUES (3, 'intruder', 0, '{}', 'Foreign', 1, '\\x7b7d', now(), decode(repeat('00', 32), 'hex'))",
                Uuid::new_v4()
            ),
        )
        .unwrap();
    // Two appends in flight together (one batch, as likely as not).
    let (one, two) = tokio::join!(
        store.append(
            "u-1",
            ExpectedVersion::NoStream,
            vec![event("A", serde_json::json!({}))]
        ),
        store.append(
            "u-2",
            ExpectedVersion::NoStream,
            vec![event("B", serde_json::json!({}))]
        ),
    );
    let (written, ok, failed) = match (one, two) {
        (Ok(r), Err(e)) => ("u-1", r, e),
        (Err(e), Ok(r)) => ("u-2", r, e),
        other => panic!("exactly one append must land on the taken position: {other:?}"),
    };
    assert_eq!(ok.position, 2, "the append before the taken position is written");
    assert!(
        matches!(&failed, StoreError::Backend(msg) if msg.contains("events_pkey")),
        "the other reports the collision: {failed}"
    );
    assert_eq!(
        server
            .psql(&db, "SELECT string_agg(stream, ',' ORDER BY position) FROM events")
            .unwrap(),
        format!("u-0,{written},intruder"),
        "nothing overwritten, nothing extra"
    );
}

/// Every connection of the store is cut (as a server restart or a network
/// break would): a live subscription resumes from its last position with no
/// gap and no duplicate, and appends and reads go on on fresh connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_resumes_after_its_connections_are_cut() {
    let Some((server, url, db)) = database("reconnect") else {
        return;
    };
    let options = samverkan_eventstore::PgStoreOptions {
        poll_interval: std::time::Duration::from_millis(100),
        ..Default::default()
    };
    let store = PgStore::connect_with(&url, options).await.expect("connect");
    let mut sub = store.subscribe_all(None);
    let mut sent = Vec::new();
    for i in 0..5 {
        let e = event("Before", serde_json::json!({ "i": i }));
        sent.push(e.id);
        store
            .append("cut-1", ExpectedVersion::Any, vec![e])
            .await
            .expect("append");
    }
    let mut seen = Vec::new();
    while seen.len() < 5 {
        seen.push(next(&mut sub).await);
    }
    let cut = server
        .psql(
            "postgres",
            &format!("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{db}'"),
        )
        .unwrap();
    assert!(cut.parse::<u32>().unwrap() >= 1, "connections were cut: {cut}");
    // Appends go on (a pooled connection found cut at BEGIN is replaced).
    for i in 5..10 {
        let e = event("After", serde_json::json!({ "i": i }));
        sent.push(e.id);
        store
            .append("cut-1", ExpectedVersion::Any, vec![e])
            .await
            .expect("append after the cut");
    }
    while seen.len() < 10 {
        seen.push(next(&mut sub).await);
    }
    let ids: Vec<Uuid> = seen.iter().map(|e| e.id).collect();
    assert_eq!(ids, sent, "every event once, in order, across the cut");
    let positions: Vec<u64> = seen.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=10).collect::<Vec<_>>());
}

async fn next(sub: &mut futures::stream::BoxStream<'static, Result<RecordedEvent, StoreError>>) -> RecordedEvent {
    use futures::StreamExt;
    tokio::time::timeout(std::time::Duration::from_secs(60), sub.next())
        .await
        .expect("an event within a minute")
        .expect("the subscription goes on")
        .expect("no error")
}
