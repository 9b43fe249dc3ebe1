//! Failover: a primary with a synchronous standby (`pg_basebackup -R`,
//! `synchronous_standby_names`), appends under load through `PgStore`,
//! SIGKILL to the primary's postmaster and all its processes, `pg_ctl
//! promote` on the standby, the store pointed at it: every acknowledged
//! event is there, at its position, and positions are dense. On the way, a
//! store on the standby reads and follows the log by polling (a standby
//! cannot LISTEN).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use samverkan_eventstore::conformance::event;
use samverkan_eventstore::pg_testing::PgServer;
use samverkan_eventstore::{Direction, EventStore, ExpectedVersion, PgStore, PgStoreOptions};
use uuid::Uuid;

const WRITERS: usize = 8;

#[derive(Debug, Clone)]
struct Ack {
    stream: String,
    first_version: u64,
    position: u64,
    ids: Vec<Uuid>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appends_survive_failover_to_a_synchronous_standby() {
    let Some(primary) = PgServer::start_or_skip(&[]) else {
        return;
    };
    let url = primary.fresh_database("failover");
    let db = url.rsplit('/').next().expect("db").to_owned();
    let store = Arc::new(PgStore::connect(&url).await.expect("connect to the primary"));
    let standby = primary
        .start_sync_standby("standby1")
        .unwrap_or_else(|e| panic!("standby: {e}\nprimary log:\n{}", primary.log_tail()));
    let standby_url = standby.url(&db);

    // A reader on the standby: it follows by polling.
    let options = PgStoreOptions {
        poll_interval: Duration::from_millis(100),
        ..PgStoreOptions::default()
    };
    let reader = PgStore::connect_with(&standby_url, options)
        .await
        .expect("connect to the standby");
    assert!(reader.is_standby());
    let mut follow = reader.subscribe_all(None);

    let acks: Arc<Mutex<Vec<Ack>>> = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (store, acks) = (store.clone(), acks.clone());
        writers.push(tokio::spawn(async move {
            let stream = format!("failover-w{w}");
            let mut version: Option<u64> = None;
            let mut n = 0usize;
            loop {
                n += 1;
                let events: Vec<_> = (0..1 + n % 3)
                    .map(|k| event("Load", serde_json::json!({ "w": w, "n": n, "k": k })))
                    .collect();
                let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
                let expected = version.map_or(ExpectedVersion::NoStream, ExpectedVersion::Exact);
                match store.append(&stream, expected, events).await {
                    Ok(r) => {
                        version = Some(r.next_expected_version);
                        acks.lock().expect("acks").push(Ack {
                            stream: stream.clone(),
                            first_version: r.next_expected_version + 1 - ids.len() as u64,
                            position: r.position,
                            ids,
                        });
                    }
                    // The primary is gone: this append is not acknowledged.
                    Err(_) => return,
                }
            }
        }));
    }

    // The standby reader sees the log as it grows.
    for expected_position in 1..=50u64 {
        let e = tokio::time::timeout(Duration::from_secs(60), follow.next())
            .await
            .expect("the standby subscription delivers within a minute")
            .expect("not ended")
            .expect("no error");
        assert_eq!(
            e.position, expected_position,
            "the standby delivers in order, without gaps"
        );
    }
    drop(follow);
    let enough = async {
        while acks.lock().expect("acks").len() < 400 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(120), enough)
        .await
        .expect("400 appends acknowledged within two minutes");
    primary.kill_9().expect("kill -9 the primary");
    for w in writers {
        tokio::time::timeout(Duration::from_secs(60), w)
            .await
            .expect("writers stop once the primary is gone")
            .expect("writer task");
    }
    let acked = acks.lock().expect("acks").clone();
    drop(store);
    drop(reader);
    standby.promote().expect("promote the standby");
    let store = PgStore::connect(&standby_url)
        .await
        .expect("connect to the promoted standby");
    assert!(!store.is_standby());
    for ack in &acked {
        let stored = store
            .read_stream(&ack.stream, Direction::Forwards, Some(ack.first_version), ack.ids.len())
            .await
            .expect("read");
        let ids: Vec<Uuid> = stored.iter().map(|e| e.id).collect();
        assert_eq!(ids, ack.ids, "acknowledged append {ack:?} survived the failover");
        assert_eq!(stored.last().map(|e| e.position), Some(ack.position), "at its position");
    }
    let all = store.read_all(None, usize::MAX).await.expect("read_all");
    let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
    assert_eq!(
        positions,
        (1..=all.len() as u64).collect::<Vec<_>>(),
        "positions dense after failover"
    );
    let acked_events: usize = acked.iter().map(|a| a.ids.len()).sum();
    assert!(all.len() >= acked_events);
    eprintln!(
        "{} appends ({acked_events} events) acknowledged before the kill; {} events on the promoted standby",
        acked.len(),
        all.len()
    );

    // The new primary takes appends, continuing the log densely.
    let r = store
        .append(
            "after-failover",
            ExpectedVersion::NoStream,
            vec![event("After", serde_json::json!({}))],
        )
        .await
        .expect("append on the promoted standby");
    assert_eq!(r.position, all.len() as u64 + 1);
}
