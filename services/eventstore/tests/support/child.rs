//! Child processes for the crash and race tests: the child is the test
//! binary itself, re-run on one ignored test with its target (a store path,
//! a database URL) and a tag in environment variables; it reports on
//! stdout, one line at a time.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use samverkan_eventstore::conformance::{event, Store};
use samverkan_eventstore::{Direction, ExpectedVersion, StoreError};
use uuid::Uuid;

const TARGET_ENV: &str = "SAMVERKAN_TEST_CHILD_TARGET";
const TAG_ENV: &str = "SAMVERKAN_TEST_CHILD_TAG";

/// Concurrent writers in a crash test.
pub const WRITERS: usize = 8;

/// A multi-threaded runtime with two workers, as the tests use.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// In the child: the target the parent gave.
pub fn target() -> String {
    std::env::var(TARGET_ENV).expect("run only as a child process by its parent test")
}

/// In the child: the tag the parent gave (empty when none).
pub fn tag() -> String {
    std::env::var(TAG_ENV).unwrap_or_default()
}

/// A running child and the lines it prints; killed if the test fails
/// before it ends.
pub struct Child {
    process: std::process::Child,
    lines: mpsc::Receiver<String>,
    reader: Option<JoinHandle<()>>,
}

impl Child {
    /// Re-run this test binary on the ignored test `test`.
    pub fn spawn(test: &str, target: &str, tag: &str) -> Child {
        let exe = std::env::current_exe().expect("test binary path");
        let mut process = Command::new(exe)
            .args([test, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(TARGET_ENV, target)
            .env(TAG_ENV, tag)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn child");
        let stdout = process.stdout.take().expect("child stdout");
        let (tx, lines) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Child {
            process,
            lines,
            reader: Some(reader),
        }
    }

    /// The next line, waiting at most `patience`.
    pub fn next_line(&self, patience: Duration) -> Result<String, mpsc::RecvTimeoutError> {
        self.lines.recv_timeout(patience)
    }

    /// Collect `wanted` acknowledged appends, SIGKILL the child, check it
    /// died of that signal, and add what was still in the pipe (acknowledged
    /// before the kill).
    pub fn kill_after_acks(mut self, wanted: usize) -> Vec<Ack> {
        let mut acks = Vec::new();
        while acks.len() < wanted {
            match self.next_line(Duration::from_secs(60)) {
                Ok(line) => acks.extend(Ack::parse(&line)),
                Err(e) => panic!("child stopped acknowledging after {} acks: {e}", acks.len()),
            }
        }
        self.process.kill().expect("SIGKILL the child");
        let status = self.process.wait().expect("reap the child");
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
        self.join_reader();
        acks.extend(self.lines.try_iter().filter_map(|line| Ack::parse(&line)));
        acks
    }

    /// Wait for the child to end and check it succeeded.
    pub fn assert_success(mut self) {
        let status = self.process.wait().expect("child exit");
        assert!(status.success(), "child failed: {status:?}");
        self.join_reader();
    }

    fn join_reader(&mut self) {
        if let Some(reader) = self.reader.take() {
            reader.join().expect("reader thread");
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// One acknowledged append.
#[derive(Debug, Clone)]
pub struct Ack {
    pub stream: String,
    pub first_version: u64,
    pub position: u64,
    pub ids: Vec<Uuid>,
}

impl Ack {
    /// `ack <stream> <first_version> <position> <id>,<id>... end`
    pub fn line(&self) -> String {
        let ids: Vec<String> = self.ids.iter().map(Uuid::to_string).collect();
        format!(
            "ack {} {} {} {} end\n",
            self.stream,
            self.first_version,
            self.position,
            ids.join(",")
        )
    }

    /// The inverse of [`Ack::line`]; `None` for any other line.
    pub fn parse(line: &str) -> Option<Ack> {
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
}

/// Writer `w`: appends of one to three events to the stream
/// `<prefix>-w<w>` with `Exact` expectations (continuing where the stream
/// stands), each acknowledged append handed to `ack`, until `deadline` or
/// until `ack` says to stop. The first failed read or append ends it with
/// that error.
pub async fn write_and_acknowledge(
    store: Store,
    prefix: &str,
    w: usize,
    deadline: Instant,
    mut ack: impl FnMut(Ack) -> bool,
) -> Result<(), StoreError> {
    let stream = format!("{prefix}-w{w}");
    let last = store.read_stream(&stream, Direction::Backwards, None, 1).await?;
    let mut version = last.first().map(|e| e.version);
    let mut n = 0usize;
    while Instant::now() < deadline {
        n += 1;
        let events: Vec<_> = (0..1 + n % 3)
            .map(|k| event("Tick", serde_json::json!({ "w": w, "n": n, "k": k })))
            .collect();
        let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
        let expected = version.map_or(ExpectedVersion::NoStream, ExpectedVersion::Exact);
        let r = store.append(&stream, expected, events).await?;
        version = Some(r.next_expected_version);
        let acked = Ack {
            stream: stream.clone(),
            first_version: r.next_expected_version + 1 - ids.len() as u64,
            position: r.position,
            ids,
        };
        if !ack(acked) {
            return Ok(());
        }
    }
    Ok(())
}

/// The crash child's work: [`WRITERS`] concurrent writers on `crash-w<n>`,
/// every acknowledged append printed as an [`Ack::line`], for at most a
/// minute (in case the parent vanished without killing us).
pub async fn append_and_print_acks(store: Store) {
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let (store, out) = (store.clone(), out.clone());
        tasks.push(tokio::spawn(async move {
            write_and_acknowledge(store, "crash", w, deadline, |ack| {
                let mut out = out.lock().unwrap_or_else(|p| p.into_inner());
                // A failed write: the parent is gone.
                out.write_all(ack.line().as_bytes()).and_then(|()| out.flush()).is_ok()
            })
            .await
            .expect("child: append");
        }));
    }
    for t in tasks {
        t.await.expect("child: writer task");
    }
}

/// Every acknowledged append is in the store whole, at its position.
pub async fn assert_acknowledged_are_stored(store: &Store, acked: &[Ack], context: &str) {
    for ack in acked {
        let stored = store
            .read_stream(&ack.stream, Direction::Forwards, Some(ack.first_version), ack.ids.len())
            .await
            .expect("read acknowledged events");
        let ids: Vec<Uuid> = stored.iter().map(|e| e.id).collect();
        assert_eq!(ids, ack.ids, "{context}: acknowledged append {ack:?} is stored whole");
        assert_eq!(
            stored.last().map(|e| e.position),
            Some(ack.position),
            "{context}: same position"
        );
    }
}

/// Positions 1..=head, every one there once; returns the number of events.
pub async fn assert_dense(store: &Store) -> u64 {
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
