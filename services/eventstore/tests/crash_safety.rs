//! Crash safety: a child process appends with several concurrent writers and
//! prints every acknowledged append; we SIGKILL it mid-flight, reopen the
//! file and check that every acknowledged event is there and the file is
//! healthy. Three kills in a row, on the same file.
//!
//! The child is this very test binary, re-run on the ignored test
//! `crash_child_append_loop` with the store path in an environment variable.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use samverkan_eventstore::conformance::event;
use samverkan_eventstore::{Direction, EventStore, ExpectedVersion, SqliteStore};
use uuid::Uuid;

const CHILD_ENV: &str = "SAMVERKAN_CRASH_CHILD_STORE";
const CHILD_TEST: &str = "crash_child_append_loop";
const WRITERS: usize = 8;

/// One acknowledged append, as the child reports it.
#[derive(Debug, Clone)]
struct Ack {
    stream: String,
    first_version: u64,
    position: u64,
    ids: Vec<Uuid>,
}

/// `ack <stream> <first_version> <position> <id>,<id>... end`
fn parse(line: &str) -> Option<Ack> {
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
    let path = std::env::var(CHILD_ENV).expect("run only by acknowledged_appends_survive_sigkill");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let store = Arc::new(SqliteStore::open(&path).expect("child: open store"));
        let out = Arc::new(Mutex::new(std::io::stdout()));
        // Bounded, in case the parent vanished without killing us.
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
                        return; // the parent is gone
                    }
                }
            }));
        }
        for t in tasks {
            t.await.expect("child: writer task");
        }
    });
}

/// Kills the child if the test fails before it does.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run_child_and_kill(path: &Path, wanted: usize) -> Vec<Ack> {
    let exe = std::env::current_exe().expect("test binary path");
    let mut child = KillOnDrop(
        Command::new(exe)
            .args([CHILD_TEST, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, path)
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

    let mut acks = Vec::new();
    while acks.len() < wanted {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => acks.extend(parse(&line)),
            Err(e) => panic!("child stopped acknowledging after {} acks: {e}", acks.len()),
        }
    }
    child.0.kill().expect("SIGKILL the child");
    let status = child.0.wait().expect("reap the child");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "the child died of SIGKILL, not on its own: {status:?}"
        );
    }
    #[cfg(not(unix))]
    assert!(!status.success());
    // Lines still in the pipe were acknowledged before the kill.
    reader.join().expect("reader thread");
    acks.extend(rx.try_iter().filter_map(|line| parse(&line)));
    acks
}

#[test]
fn acknowledged_appends_survive_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.sqlite");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut acked: Vec<Ack> = Vec::new();

    for round in 0..3 {
        let acks = run_child_and_kill(&path, 300 + 100 * round);
        assert!(acks.len() >= 300 + 100 * round);
        acked.extend(acks);

        runtime.block_on(async {
            let store = SqliteStore::open(&path).expect("reopen after SIGKILL");
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
            let report = store.integrity_check().await.expect("integrity after SIGKILL");
            let acked_events: usize = acked.iter().map(|a| a.ids.len()).sum();
            assert!(
                report.events as usize >= acked_events,
                "{report:?} vs {acked_events} acknowledged"
            );
            eprintln!(
                "round {round}: {} appends acknowledged so far, the store holds {} events",
                acked.len(),
                report.events
            );
            let head = store.head_position().await.expect("head");
            assert!(head >= acked.iter().map(|a| a.position).max(), "head covers every ack");
        });
    }
    let streams: std::collections::HashSet<&str> = acked.iter().map(|a| a.stream.as_str()).collect();
    assert_eq!(streams.len(), WRITERS, "all writers got appends acknowledged");
}
