//! The PostgreSQL backend across processes, on a throw-away server this
//! test binary starts:
//! - crash safety: a child process appends with several concurrent writers
//!   and prints every acknowledged append; we SIGKILL it mid-flight and
//!   check that every acknowledged event is there, positions dense. Three
//!   kills in a row on the same database;
//! - two processes racing `Exact` appends on the same streams: exactly one
//!   winner per version, positions dense.
//!
//! The children are this very test binary, re-run on an ignored test with
//! the database URL in an environment variable.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

mod support;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use samverkan_eventstore::conformance::{event, Store};
use samverkan_eventstore::pg_testing::PgServer;
use samverkan_eventstore::{Direction, ExpectedVersion, PgStore, StoreError};
use support::child::{self, assert_dense, Ack, Child, WRITERS};
use uuid::Uuid;

async fn connect(url: &str, what: &str) -> Store {
    Arc::new(PgStore::connect(url).await.expect(what))
}

#[test]
#[ignore = "helper: run as a child process by `acknowledged_appends_survive_sigkill`"]
fn crash_child_append_loop() {
    let url = child::target();
    child::runtime().block_on(async move {
        child::append_and_print_acks(connect(&url, "child: connect").await).await;
    });
}

#[test]
fn acknowledged_appends_survive_sigkill() {
    let Some(server) = PgServer::shared_or_skip() else {
        return;
    };
    let url = server.fresh_database("crash");
    let runtime = child::runtime();
    let mut acked: Vec<Ack> = Vec::new();
    for round in 0..3 {
        let wanted = 300 + 100 * round;
        acked.extend(Child::spawn("crash_child_append_loop", &url, "crash").kill_after_acks(wanted));

        runtime.block_on(async {
            let store = connect(&url, "reconnect after SIGKILL").await;
            child::assert_acknowledged_are_stored(&store, &acked, &format!("round {round}")).await;
            let events = assert_dense(&store).await;
            let acked_events: usize = acked.iter().map(|a| a.ids.len()).sum();
            assert!(
                events as usize >= acked_events,
                "{events} stored vs {acked_events} acknowledged"
            );
            eprintln!(
                "round {round}: {} appends acknowledged so far, {events} events stored",
                acked.len()
            );
        });
    }
    let streams: HashSet<&str> = acked.iter().map(|a| a.stream.as_str()).collect();
    assert_eq!(streams.len(), WRITERS, "all writers got appends acknowledged");
}

const RACE_STREAMS: usize = 4;
/// Versions each raced stream reaches.
const RACE_VERSIONS: u64 = 60;

#[test]
#[ignore = "helper: run as a child process by `two_processes_racing_exact_appends`"]
fn race_child() {
    let (url, tag) = (child::target(), child::tag());
    child::runtime().block_on(async move {
        let store = connect(&url, "child: connect").await;
        let out = Arc::new(Mutex::new(std::io::stdout()));
        println!("ready");
        let mut tasks = Vec::new();
        // Four tasks per stream in each process: racing in-process and
        // across processes at once.
        for t in 0..RACE_STREAMS * 4 {
            let (store, out, tag) = (store.clone(), out.clone(), tag.clone());
            tasks.push(tokio::spawn(async move {
                let stream = format!("race-{}", t % RACE_STREAMS);
                loop {
                    let last = store
                        .read_stream(&stream, Direction::Backwards, None, 1)
                        .await
                        .expect("child: read");
                    let current = last.first().map(|e| e.version);
                    if current.is_some_and(|v| v + 1 >= RACE_VERSIONS) {
                        return;
                    }
                    let expected = current.map_or(ExpectedVersion::NoStream, ExpectedVersion::Exact);
                    let e = event("Raced", serde_json::json!({ "by": tag, "task": t }));
                    match store.append(&stream, expected, vec![e.clone()]).await {
                        Ok(r) => {
                            let line = format!("win {stream} {} {} {}\n", r.next_expected_version, r.position, e.id);
                            let mut out = out.lock().unwrap_or_else(|p| p.into_inner());
                            out.write_all(line.as_bytes())
                                .and_then(|()| out.flush())
                                .expect("child: write");
                        }
                        Err(StoreError::WrongExpectedVersion { .. }) => {}
                        Err(e) => panic!("child: unexpected error {e}"),
                    }
                }
            }));
        }
        for t in tasks {
            t.await.expect("child: racing task");
        }
        println!("done");
    });
}

#[test]
fn two_processes_racing_exact_appends() {
    let Some(server) = PgServer::shared_or_skip() else {
        return;
    };
    let url = server.fresh_database("race");
    // Create the schema first, so the children only race on appends.
    let runtime = child::runtime();
    runtime.block_on(async { drop(connect(&url, "create").await) });
    let children: Vec<_> = ["a", "b"]
        .iter()
        .map(|tag| Child::spawn("race_child", &url, tag))
        .collect();
    // (stream, version) -> (position, id) of the winner.
    let mut wins: HashMap<(String, u64), (u64, Uuid)> = HashMap::new();
    let mut per_child = Vec::new();
    for child in children {
        let mut won = 0;
        loop {
            let line = child
                .next_line(Duration::from_secs(120))
                .expect("a racing child stopped without finishing");
            if line == "done" {
                break;
            }
            let parts: Vec<&str> = line.split(' ').collect();
            if parts.first() != Some(&"win") {
                continue;
            }
            let key = (parts[1].to_owned(), parts[2].parse::<u64>().expect("version"));
            let value = (
                parts[3].parse::<u64>().expect("position"),
                parts[4].parse::<Uuid>().expect("id"),
            );
            won += 1;
            if let Some(earlier) = wins.insert(key.clone(), value) {
                panic!("two winners for {key:?}: {earlier:?} and {value:?}");
            }
        }
        child.assert_success();
        per_child.push(won);
    }
    eprintln!("wins per process: {per_child:?}");
    assert_eq!(
        wins.len(),
        RACE_STREAMS * RACE_VERSIONS as usize,
        "one winner for every version"
    );
    runtime.block_on(async {
        let store = connect(&url, "connect").await;
        for s in 0..RACE_STREAMS {
            let stream = format!("race-{s}");
            let stored = store
                .read_stream(&stream, Direction::Forwards, None, usize::MAX)
                .await
                .expect("read");
            assert_eq!(stored.len() as u64, RACE_VERSIONS, "{stream}: nothing but the winners");
            for e in &stored {
                assert_eq!(
                    wins.get(&(stream.clone(), e.version)),
                    Some(&(e.position, e.id)),
                    "{stream} v{}: the stored event is the acknowledged winner",
                    e.version
                );
            }
        }
        assert_eq!(assert_dense(&store).await, RACE_STREAMS as u64 * RACE_VERSIONS);
    });
}
