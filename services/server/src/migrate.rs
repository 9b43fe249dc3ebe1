//! `samverkan migrate --from <url> --to <url>`: copy the event log from one
//! store to another (SQLite, KurrentDB, and whatever else `--store-url`
//! accepts), in global order, in batches, through [`EventStore::import`].
//!
//! - **Resumable**: before copying, the target's log is compared with the
//!   beginning of the source's, event by event (stream, version, id, type,
//!   schema version, body, metadata, recorded time). The copy continues
//!   after the last event they share, so a run that was killed half-way is
//!   simply started again. A target that is neither empty nor such a
//!   beginning is refused untouched.
//! - **Verified**: at the end both logs are summed up — events per stream
//!   and a SHA-256 digest over every event's envelope, in log order — and
//!   compared; both are printed, and a difference is an error.
//! - **Progress**: a bar with the rate on a terminal, else one plain line
//!   per batch on stderr.
//! - **Hash chain**: when both stores keep one (SQLite, PostgreSQL), the
//!   target computes its own links as it imports; into an empty target the
//!   positions are the source's, so the chain is the same bit for bit. The
//!   chain heads are compared at the end (a difference is an error) and the
//!   source's signed checkpoints are copied, checked against the target's
//!   links as they are recorded. Into or out of KurrentDB (which keeps its
//!   chain in a companion stream) positions change, so the target's chain
//!   is its own, starting with the migration; checkpoints are not copied.

use std::collections::{BTreeMap, VecDeque};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use samverkan_eventstore::{EventStore, RecordedEvent};
use sha2::{Digest, Sha256};

use crate::cli::MigrateArgs;
use crate::store::{self, StoreLocation};

/// What a log holds, in a form to compare across backends: positions are
/// left out (each backend assigns its own), everything else is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSummary {
    pub events: u64,
    /// Events per stream.
    pub streams: BTreeMap<String, u64>,
    /// `sha256:<hex>` over the envelopes, in log order (see [`LogDigest`]).
    pub sha256: String,
}

impl std::fmt::Display for LogSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} events in {} streams, {}",
            self.events,
            self.streams.len(),
            self.sha256
        )
    }
}

/// A running digest over a log. Per event, in log order, each field is fed
/// length-prefixed (u64 big-endian) or fixed-width: stream name, version
/// (u64), event id (16 bytes), type, schema version (u32), body bytes,
/// metadata (its JSON as the port serialises it: fixed field order, absent
/// fields left out) and recorded time (µs since the epoch, i64). Positions
/// are not part of it.
#[derive(Default)]
pub struct LogDigest {
    hasher: Sha256,
    events: u64,
    streams: BTreeMap<String, u64>,
}

impl LogDigest {
    pub fn add(&mut self, e: &RecordedEvent) {
        let field = |h: &mut Sha256, bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        let h = &mut self.hasher;
        field(h, e.stream.as_bytes());
        h.update(e.version.to_be_bytes());
        h.update(e.id.as_bytes());
        field(h, e.event_type.as_bytes());
        h.update(e.schema_version.to_be_bytes());
        field(h, &e.data);
        field(h, &metadata_bytes(e));
        h.update(e.recorded_at.timestamp_micros().to_be_bytes());
        self.events += 1;
        *self.streams.entry(e.stream.clone()).or_default() += 1;
    }

    pub fn finish(self) -> LogSummary {
        let hash = self.hasher.finalize();
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        LogSummary {
            events: self.events,
            streams: self.streams,
            sha256: format!("sha256:{hex}"),
        }
    }
}

fn metadata_bytes(e: &RecordedEvent) -> Vec<u8> {
    // Serialising a struct of strings and uuids cannot fail.
    serde_json::to_vec(&e.metadata).unwrap_or_default()
}

/// Two events are the same copy when everything but the position agrees
/// (recorded times to the microsecond, what every backend keeps).
fn same_event(a: &RecordedEvent, b: &RecordedEvent) -> bool {
    a.id == b.id
        && a.stream == b.stream
        && a.version == b.version
        && a.event_type == b.event_type
        && a.schema_version == b.schema_version
        && a.data == b.data
        && a.metadata == b.metadata
        && a.recorded_at.timestamp_micros() == b.recorded_at.timestamp_micros()
}

fn describe(e: &RecordedEvent) -> String {
    format!(
        "`{}` version {}, id {}, type {}",
        e.stream, e.version, e.id, e.event_type
    )
}

/// The whole log of a store, summed up.
pub async fn summarize(store: &dyn EventStore, batch: usize) -> anyhow::Result<LogSummary> {
    let mut digest = LogDigest::default();
    let mut after = None;
    loop {
        let events = store.read_all(after, batch).await.context("reading the log")?;
        let Some(last) = events.last() else { break };
        after = Some(last.position);
        events.iter().for_each(|e| digest.add(e));
    }
    Ok(digest.finish())
}

/// What a migration did.
#[derive(Debug, Clone)]
pub struct MigrationReport {
    pub source: LogSummary,
    pub target: LogSummary,
    /// Events the target already had (an earlier, interrupted run).
    pub already_there: u64,
    pub copied: u64,
    pub took: Duration,
}

/// Reads the source in order, a batch at a time, with a read-ahead buffer
/// (the prefix check may read further than it uses).
struct SourceReader<'a> {
    store: &'a dyn EventStore,
    after: Option<u64>,
    buffer: VecDeque<RecordedEvent>,
    batch: usize,
}

impl SourceReader<'_> {
    async fn next(&mut self) -> anyhow::Result<Option<RecordedEvent>> {
        if self.buffer.is_empty() {
            let events = self.next_batch_from_store().await?;
            self.buffer.extend(events);
        }
        Ok(self.buffer.pop_front())
    }

    async fn next_batch(&mut self) -> anyhow::Result<Vec<RecordedEvent>> {
        if !self.buffer.is_empty() {
            return Ok(self.buffer.drain(..).collect());
        }
        self.next_batch_from_store().await
    }

    async fn next_batch_from_store(&mut self) -> anyhow::Result<Vec<RecordedEvent>> {
        let events = self
            .store
            .read_all(self.after, self.batch)
            .await
            .context("reading the source log")?;
        if let Some(last) = events.last() {
            self.after = Some(last.position);
        }
        Ok(events)
    }
}

/// Checks that the target's log is the beginning of the source's; returns
/// how many events it holds. The source reader then stands right after
/// them, and `digest` has seen them.
async fn check_prefix(
    source: &mut SourceReader<'_>,
    target: &dyn EventStore,
    batch: usize,
    digest: &mut LogDigest,
) -> anyhow::Result<u64> {
    let mut after = None;
    let mut shared = 0u64;
    loop {
        let events = target.read_all(after, batch).await.context("reading the target log")?;
        let Some(last) = events.last() else { break };
        after = Some(last.position);
        for t in &events {
            let Some(s) = source.next().await? else {
                bail!(
                    "the target store holds more events than the source ({} and more): it is not a \
                     beginning of the source's log, so nothing was written to it",
                    shared + 1
                );
            };
            if !same_event(&s, t) {
                bail!(
                    "the target store is neither empty nor a beginning of the source's log: its event #{} \
                     ({}) is not the source's event #{} ({}); nothing was written to it",
                    shared + 1,
                    describe(t),
                    shared + 1,
                    describe(&s)
                );
            }
            digest.add(&s);
            shared += 1;
        }
    }
    Ok(shared)
}

/// Shows how far the copy is: a bar with the rate on a terminal, else one
/// line per batch on stderr.
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    head: u64,
}

impl Progress {
    fn new(head: u64, already_there: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(head), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}% {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_message(format!("{already_there} events already there"));
            bar
        });
        Self {
            bar,
            started: Instant::now(),
            head,
        }
    }

    fn update(&self, copied: u64, position: u64) {
        let secs = self.started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 { copied as f64 / secs } else { 0.0 };
        // Positions measure how far along the log the copy is (on KurrentDB
        // they are not dense, so they are not a count of events).
        let percent = if self.head == 0 {
            100.0
        } else {
            (position.min(self.head) as f64) * 100.0 / self.head as f64
        };
        match &self.bar {
            Some(bar) => {
                bar.set_position(position.min(self.head));
                bar.set_message(format!("{copied} events copied, {rate:.0} events/s"));
            }
            None => {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(
                    err,
                    "migrate: {copied} events copied ({percent:.1}% of the source log), {rate:.0} events/s"
                );
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Copies `from` into `to` (see the module docs).
pub async fn migrate(from: &dyn EventStore, to: &dyn EventStore, batch: usize) -> anyhow::Result<MigrationReport> {
    let started = Instant::now();
    let batch = batch.max(1);
    let mut source = SourceReader {
        store: from,
        after: None,
        buffer: VecDeque::new(),
        batch,
    };
    let mut source_digest = LogDigest::default();
    let already_there = check_prefix(&mut source, to, batch, &mut source_digest).await?;

    let head = from
        .head_position()
        .await
        .context("reading the source's head")?
        .unwrap_or(0);
    let progress = Progress::new(head, already_there);
    let mut copied = 0u64;
    // The next batch is read while the current one is imported.
    let mut next = source.next_batch().await?;
    loop {
        let events = std::mem::take(&mut next);
        let Some(last) = events.last() else { break };
        let position = last.position;
        events.iter().for_each(|e| source_digest.add(e));
        let n = events.len() as u64;
        let (imported, fetched) = tokio::join!(to.import(events), source.next_batch());
        imported.with_context(|| {
            format!(
                "copying events {}–{} to the target failed; run the same command again to resume",
                already_there + copied + 1,
                already_there + copied + n
            )
        })?;
        next = fetched?;
        copied += n;
        progress.update(copied, position);
    }
    progress.finish();

    let source = source_digest.finish();
    let target = summarize(to, batch).await?;
    Ok(MigrationReport {
        source,
        target,
        already_there,
        copied,
        took: started.elapsed(),
    })
}

/// Streams whose counts differ, for the error message.
fn differing_streams(a: &LogSummary, b: &LogSummary) -> Vec<String> {
    let mut names: Vec<&String> = a.streams.keys().chain(b.streams.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let (x, y) = (
                a.streams.get(name).copied().unwrap_or(0),
                b.streams.get(name).copied().unwrap_or(0),
            );
            (x != y).then(|| format!("`{name}`: {x} in the source, {y} in the target"))
        })
        .collect()
}

/// `samverkan migrate`: open both stores, copy, verify, print the summary.
pub async fn run(args: &MigrateArgs) -> anyhow::Result<()> {
    let from_location = StoreLocation::parse(Some(&args.from), &args.data_dir).context("--from")?;
    let to_location = StoreLocation::parse(Some(&args.to), &args.data_dir).context("--to")?;
    if from_location == to_location {
        bail!(
            "--from and --to name the same store ({}): nothing to do",
            from_location.describe()
        );
    }
    if let StoreLocation::Sqlite(path) = &from_location {
        if !path.exists() {
            bail!("the source store {} does not exist: nothing to migrate", path.display());
        }
    }
    let from = store::open(&from_location).await.context("opening the source store")?;
    let to = store::open(&to_location).await.context("opening the target store")?;
    eprintln!(
        "migrate: from {} to {}",
        from_location.describe(),
        to_location.describe()
    );

    let batch = usize::try_from(args.batch_size).unwrap_or(1000);
    let report = migrate(from.as_ref(), to.as_ref(), batch).await?;
    println!("source: {}", report.source);
    println!("target: {}", report.target);
    let secs = report.took.as_secs_f64();
    let rate = if secs > 0.0 { report.copied as f64 / secs } else { 0.0 };
    if report.source != report.target {
        let streams = differing_streams(&report.source, &report.target);
        let detail = if streams.is_empty() {
            "the counts agree but the digests differ: an event's content differs".to_string()
        } else {
            streams.into_iter().take(10).collect::<Vec<_>>().join("; ")
        };
        bail!(
            "verification failed: the target does not hold the same log as the source ({detail}). Was the \
             target written to during the migration?"
        );
    }
    println!(
        "verified: the target holds the source's log ({} events copied, {} already there, {:.1} s, {rate:.0} events/s)",
        report.copied, report.already_there, secs
    );
    copy_chain(from.as_ref(), to.as_ref()).await
}

/// Compares the chain heads and copies the checkpoints (see the module docs).
pub async fn copy_chain(from: &dyn EventStore, to: &dyn EventStore) -> anyhow::Result<()> {
    use samverkan_eventstore::chain::hex;
    if !to.keeps_chain() {
        println!(
            "chain: the target keeps no hash chain (docs/eventstore.md); the source's checkpoints were not copied"
        );
        return Ok(());
    }
    let target = to.chain_head().await.context("reading the target's chain head")?;
    if !from.keeps_chain() {
        if let Some(head) = target {
            println!(
                "chain: the source kept none; the target's chain starts with this migration (head at position {}, link {})",
                head.position,
                hex(&head.hash)
            );
        }
        return Ok(());
    }
    if !from.dense_positions() || !to.dense_positions() {
        // Into or out of KurrentDB the positions change (the target assigns
        // its own), and the links cover them: the target's chain is its own.
        if let Some(head) = target {
            println!(
                "chain: the positions changed (KurrentDB assigns its own), so the target's chain starts with this \
                 migration (head at position {}, link {}); the source's checkpoints sign the source's positions \
                 and were not copied: keep them (or a `samverkan verify --export` of the source) as the proof \
                 of the log before the migration",
                head.position,
                hex(&head.hash)
            );
        }
        return Ok(());
    }
    let source = from.chain_head().await.context("reading the source's chain head")?;
    if source != target {
        let show = |h: Option<samverkan_eventstore::chain::ChainHead>| {
            h.map_or("empty".to_string(), |h| {
                format!("position {}, link {}", h.position, hex(&h.hash))
            })
        };
        bail!(
            "the hash chains differ: the source's head is at {} but the target's at {} (was the target not \
             empty, or written to during the migration?)",
            show(source),
            show(target)
        );
    }
    let checkpoints = crate::record::verify::all_checkpoints(from).await?;
    for cp in &checkpoints {
        to.record_checkpoint(*cp)
            .await
            .with_context(|| format!("copying the checkpoint at position {}", cp.position))?;
    }
    if let Some(head) = source {
        println!(
            "chain: identical on both (head at position {}, link {}); {} checkpoints copied",
            head.position,
            hex(&head.hash),
            checkpoints.len()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
