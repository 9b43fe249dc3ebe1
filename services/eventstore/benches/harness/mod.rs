//! What both event store benchmarks share (`mod harness;`): scaling, the
//! wall-clock and CPU meter, the table rows, the ~500-byte bench events,
//! the concurrent-writers append run and the `read_all` run, written
//! against the port so each backend's bench measures the same work.
// Each bench uses only part of it.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use samverkan_eventstore::{EventMetadata, EventStore, ExpectedVersion, NewEvent};
use uuid::Uuid;

/// `SAMVERKAN_BENCH_SCALE` (default 1.0).
pub fn scale() -> f64 {
    std::env::var("SAMVERKAN_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0)
}

/// `n`, scaled, at least 1.
pub fn scaled(n: usize) -> usize {
    ((n as f64 * scale()) as usize).max(1)
}

/// The runtime the benches run on: multi-threaded, two workers.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// User + system CPU time of this process so far, if the OS tells (Linux).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 2..)?.split(' ').collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// A rate and the CPU time per item behind it.
#[derive(Clone, Copy)]
pub struct Measured {
    pub rate: f64,
    pub cpu_us_per_item: Option<f64>,
}

/// Wall clock and CPU time over a stretch of work.
pub struct Meter {
    wall: Instant,
    cpu: Option<Duration>,
}

impl Meter {
    pub fn start() -> Self {
        Self {
            wall: Instant::now(),
            cpu: cpu_time(),
        }
    }

    pub fn stop(self, items: usize) -> Measured {
        let wall = self.wall.elapsed().as_secs_f64();
        let cpu = self.cpu.zip(cpu_time()).map(|(a, b)| (b - a).as_secs_f64());
        Measured {
            rate: items as f64 / wall,
            cpu_us_per_item: cpu.map(|c| c * 1e6 / items as f64),
        }
    }
}

/// The table's head: `| what | count | rate | <cpu> | ours/bare |`.
pub fn header(cpu: &str) {
    println!("| what | count | rate | {cpu} | ours/bare |");
    println!("|---|---:|---:|---:|---:|");
}

/// One row of the table: `m` over `count` items of `unit`, and its rate
/// against the bare yardstick `bare` of the same run (a yardstick's own row
/// passes itself, 1.00).
pub fn row(what: &str, count: usize, unit: &str, m: &Measured, bare: &Measured) {
    println!(
        "| {what} | {count} {unit} | {:.0} {unit}/s | {} | {:.2} |",
        m.rate,
        m.cpu_us_per_item.map_or("-".into(), |c| format!("{c:.1}")),
        m.rate / bare.rate,
    );
}

/// The best (highest rate) of `runs` runs.
pub fn best_of<T>(runs: usize, mut f: impl FnMut() -> (Measured, T)) -> (Measured, T) {
    let mut best = f();
    for _ in 1..runs {
        let next = f();
        if next.0.rate > best.0.rate {
            best = next;
        }
    }
    best
}

fn metadata() -> EventMetadata {
    EventMetadata {
        actor: Some("user:bench@example.org".into()),
        actor_role: Some("coordinator:V6".into()),
        causation_id: Some(Uuid::new_v4()),
        correlation_id: Some(Uuid::new_v4()),
        trace_id: Some("4bf92f3577b34da6a3ce929d0e0e4736".into()),
        command_fingerprint: Some(format!("sha256:{}", "ab".repeat(32))),
    }
}

/// A JSON body of about 500 bytes.
fn body(writer: usize, n: usize) -> Vec<u8> {
    let mut s = format!(r#"{{"writer":{writer},"n":{n},"case":"{}","note":""#, Uuid::new_v4());
    while s.len() < 498 {
        s.push('x');
    }
    s.push_str("\"}");
    s.into_bytes()
}

/// The bench event: writer `writer`'s `n`th, a ~500-byte body, full metadata.
pub fn new_event(writer: usize, n: usize) -> NewEvent {
    NewEvent {
        id: Uuid::new_v4(),
        event_type: "BenchEventHappened".into(),
        schema_version: 1,
        data: body(writer, n),
        metadata: metadata(),
    }
}

/// Streams the bare yardstick loops spread their rows over.
pub const BARE_STREAMS: usize = 256;

/// `writers` concurrent writers, `total` appends in all, one event per
/// append, each writer on its own stream with `Exact` expectations.
/// Returns the measurement and the appends made.
pub async fn appends(store: Arc<dyn EventStore>, writers: usize, total: usize) -> (Measured, usize) {
    let per_writer = (total / writers).max(1);
    // Bodies are built before the clock starts.
    let work: Vec<Vec<NewEvent>> = (0..writers)
        .map(|w| (0..per_writer).map(|n| new_event(w, n)).collect())
        .collect();
    let meter = Meter::start();
    let tasks: Vec<_> = work
        .into_iter()
        .enumerate()
        .map(|(w, events)| {
            let store = store.clone();
            tokio::spawn(async move {
                let stream = format!("bench-{w}");
                let mut expected = ExpectedVersion::NoStream;
                for e in events {
                    let r = store.append(&stream, expected, vec![e]).await.expect("append");
                    expected = ExpectedVersion::Exact(r.next_expected_version);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("writer");
    }
    (meter.stop(per_writer * writers), per_writer * writers)
}

/// The whole log through `read_all` in 10,000-event batches.
pub async fn read_all(store: &dyn EventStore) -> (Measured, usize) {
    let meter = Meter::start();
    let mut after = None;
    let mut count = 0;
    loop {
        let batch = store.read_all(after, 10_000).await.expect("read_all");
        let Some(last) = batch.last() else { break };
        after = Some(last.position);
        count += batch.len();
    }
    (meter.stop(count), count)
}

/// `what` with `writers` concurrent writers (singular for one).
pub fn writers_label(what: &str, writers: usize) -> String {
    format!(
        "{what} appends, {writers} concurrent writer{}",
        if writers == 1 { "" } else { "s" }
    )
}
