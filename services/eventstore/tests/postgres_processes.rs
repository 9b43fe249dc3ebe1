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

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use samverkan_eventstore::conformance::event;
use samverkan_eventstore::pg_testing::PgServer;
use samverkan_eventstore::{Direction, EventStore, ExpectedVersion, PgStore, StoreError};
use uuid::Uuid;

const URL_ENV: &str = "SAMVERKAN_PG_CHILD_URL";
const WRITERS: usize = 8;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Kills the child if the test fails before it does.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_child(test: &str, url: &str, tag: &str) -> (KillOnDrop, mpsc::Receiver<String>, std::thread::JoinHandle<()>) {
    let exe = std::env::current_exe().expect("test binary path");
    let mut child = KillOnDrop(
        Command::new(exe)
            .args([test, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(URL_ENV, url)
            .env("SAMVERKAN_PG_CHILD_TAG", tag)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn child"),
    );
    let stdout = child.0.stdout.take().expect("child stdout");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx, reader)
}

/// One acknowledged append: `ack <stream> <first_version> <position> <id>,<id>... end`.
#[derive(Debug, Clone)]
struct Ack {
    stream: String,
    first_version: u64,
    position: u64,
    ids: Vec<Uuid>,
}

fn parse_ack(line: &str) -> Option<Ack> {
    let mut parts = line.split(' ');
    if parts.next()? != "ack" {
        return None;
    }
    let stream = parts.next()?.to_owned();
    let first_version = parts.next()?.parse().ok()?;
    let position = parts.next()?.parse().ok()?;
    let ids = parts
        .next()?
        .split(',')
        .map(|s| s.parse().ok())
        .collect::<Option<Vec<Uuid>>>()?;
    (parts.next()? == "end").then_some(Ack {
        stream,
        first_version,
        position,
        ids,
    })
}

#[test]
#[ignore = "helper: run as a child process by `acknowledged_appends_survive_sigkill`"]
fn crash_child_append_loop() {
    let url = std::env::var(URL_ENV).expect("run only by the parent test");
    runtime().block_on(async move {
        let store = Arc::new(PgStore::connect(&url).await.expect("child: connect"));
        let out = Arc::new(Mutex::new(std::io::stdout()));
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut tasks = Vec::new();
        for w in 0..WRITERS {
            let (store, out) = (store.clone(), out.clone());
            tasks.push(tokio::spawn(async move {
                let stream = format!("crash-w{w}");
                let last = store
                    .read_stream(&stream, Direction::Backwards, None, 1)
                    .await
                    .expect("child: read");
                let mut version = last.first().map(|e| e.version);
                let mut n = 0usize;
                while Instant::now() < deadline {
                    n += 1;
                    let events: Vec<_> = (0..1 + n % 3)
                        .map(|k| event("Tick", serde_json::json!({ "w": w, "n": n, "k": k })))
                        .collect();
                    let ids: Vec<String> = events.iter().map(|e| e.id.to_string()).collect();
                    let expected = version.map_or(ExpectedVersion::NoStream, ExpectedVersion::Exact);
                    let r = store.append(&stream, expected, events).await.expect("child: append");
                    let first_version = r.next_expected_version + 1 - ids.len() as u64;
                    version = Some(r.next_expected_version);
                    let line = format!("ack {stream} {first_version} {} {} end\n", r.position, ids.join(","));
                    let mut out = out.lock().unwrap_or_else(|p| p.into_inner());
                    if out.write_all(line.as_bytes()).and_then(|()| out.flush()).is_err() {
                        return;
                    }
                }
            }));
        }
        for t in tasks {
            t.await.expect("child: writer task");
        }
    });
}

/// Positions 1..=head, every one there once.
async fn assert_dense(store: &PgStore) -> u64 {
    let all = store.read_all(None, usize::MAX).await.expect("read_all");
    let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
    assert_eq!(
        positions,
        (1..=all.len() as u64).collect::<Vec<_>>(),
        "positions dense from 1"
    );
    assert_eq!(
        store.head_position().await.expect("head"),
        positions.last().copied(),
        "the head is the last position"
    );
    all.len() as u64
}

#[test]
fn acknowledged_appends_survive_sigkill() {
    let Some(server) = PgServer::shared_or_skip() else {
        return;
    };
    let url = server.fresh_database("crash");
    let runtime = runtime();
    let mut acked: Vec<Ack> = Vec::new();
    for round in 0..3 {
        let wanted = 300 + 100 * round;
        let (mut child, rx, reader) = spawn_child("crash_child_append_loop", &url, "crash");
        let mut acks = Vec::new();
        while acks.len() < wanted {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => acks.extend(parse_ack(&line)),
                Err(e) => panic!("child stopped acknowledging after {} acks: {e}", acks.len()),
            }
        }
        child.0.kill().expect("SIGKILL the child");
        let status = child.0.wait().expect("reap the child");
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(9), "the child died of SIGKILL: {status:?}");
        }
        reader.join().expect("reader thread");
        acks.extend(rx.try_iter().filter_map(|line| parse_ack(&line)));
        acked.extend(acks);

        runtime.block_on(async {
            let store = PgStore::connect(&url).await.expect("reconnect after SIGKILL");
            for ack in &acked {
                let stored = store
                    .read_stream(&ack.stream, Direction::Forwards, Some(ack.first_version), ack.ids.len())
                    .await
                    .expect("read acknowledged events");
                let ids: Vec<Uuid> = stored.iter().map(|e| e.id).collect();
                assert_eq!(
                    ids, ack.ids,
                    "round {round}: acknowledged append {ack:?} is stored whole"
                );
                assert_eq!(
                    stored.last().map(|e| e.position),
                    Some(ack.position),
                    "round {round}: same position"
                );
            }
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
    let url = std::env::var(URL_ENV).expect("run only by the parent test");
    let tag = std::env::var("SAMVERKAN_PG_CHILD_TAG").unwrap_or_default();
    runtime().block_on(async move {
        let store = Arc::new(PgStore::connect(&url).await.expect("child: connect"));
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
    let runtime = runtime();
    runtime.block_on(async { drop(PgStore::connect(&url).await.expect("create")) });
    let children: Vec<_> = ["a", "b"]
        .iter()
        .map(|tag| spawn_child("race_child", &url, tag))
        .collect();
    // (stream, version) -> (position, id) of the winner.
    let mut wins: HashMap<(String, u64), (u64, Uuid)> = HashMap::new();
    let mut per_child = Vec::new();
    for (child, rx, reader) in children {
        let mut won = 0;
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(120))
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
        let mut child = child;
        let status = child.0.wait().expect("child exit");
        assert!(status.success(), "racing child failed: {status:?}");
        reader.join().expect("reader");
        per_child.push(won);
    }
    eprintln!("wins per process: {per_child:?}");
    assert_eq!(
        wins.len(),
        RACE_STREAMS * RACE_VERSIONS as usize,
        "one winner for every version"
    );
    runtime.block_on(async {
        let store = PgStore::connect(&url).await.expect("connect");
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
