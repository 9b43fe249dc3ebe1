//! Failover: a primary with a synchronous standby (`pg_basebackup -R`,
//! `synchronous_standby_names`), appends under load through `PgStore`,
//! SIGKILL to the primary's postmaster and all its processes, `pg_ctl
//! promote` on the standby, the store pointed at it: every acknowledged
//! event is there, at its position, and positions are dense. On the way, a
//! store on the standby reads and follows the log by polling (a standby
//! cannot LISTEN).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use samverkan_eventstore::conformance::{event, Store};
use samverkan_eventstore::pg_testing::PgServer;
use samverkan_eventstore::{EventStore, ExpectedVersion, PgStore, PgStoreOptions};
use support::child::{self, Ack, WRITERS};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appends_survive_failover_to_a_synchronous_standby() {
    let Some(primary) = PgServer::start_or_skip(&[]) else {
        return;
    };
    let url = primary.fresh_database("failover");
    let db = url.rsplit('/').next().expect("db").to_owned();
    let store: Store = Arc::new(PgStore::connect(&url).await.expect("connect to the primary"));
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
    // Bounded, in case the kill never comes.
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (store, acks) = (store.clone(), acks.clone());
        writers.push(tokio::spawn(async move {
            // An error: the primary is gone, and that append is not acknowledged.
            let _ = child::write_and_acknowledge(store, "failover", w, deadline, |ack| {
                acks.lock().expect("acks").push(ack);
                true
            })
            .await;
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
    let store: Store = Arc::new(store);
    child::assert_acknowledged_are_stored(&store, &acked, "after the failover").await;
    let events = child::assert_dense(&store).await;
    let acked_events: usize = acked.iter().map(|a| a.ids.len()).sum();
    assert!(events as usize >= acked_events);
    eprintln!(
        "{} appends ({acked_events} events) acknowledged before the kill; {} events on the promoted standby",
        acked.len(),
        events
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
    assert_eq!(r.position, events + 1);
}
