//! Projections: the read models, fed by the store's global subscription,
//! checkpointed (snapshot + position) so a restart continues where it stopped,
//! rebuildable from the log at any time, and answering as-of questions.

mod log;
mod model;
pub mod queries;
mod snapshot;
pub mod terms;
pub mod views;
mod visibility;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::Duration;

use futures::future::BoxFuture;
use samverkan_domain::{AnyEvent, EventDecodeError};
use samverkan_eventstore::{EventStore, RecordedEvent, StoreError};
use tokio::sync::{broadcast, watch};

pub use log::{business_date, consortium_subject, municipality_subject, Log, LogEntry, Stored, Subject, TimelineEntry};
pub use model::{Entity, Envelope, ReadModels, Related};
pub use queries::{
    ApplicationFilter, AsOf, CodeResolution, ConsortiumOverview, Dashboard, DashboardParts, FollowUpReport, ListFilter,
    ProjectFilter,
};
pub use views::CodePeriodView;
pub use visibility::{Hidden, Unrestricted, Visibility, Visible};

/// The live read models and their runner.
pub struct Projections {
    models: RwLock<ReadModels>,
    position: watch::Sender<Option<u64>>,
    events: broadcast::Sender<Arc<TimelineEntry>>,
    snapshot_path: Option<PathBuf>,
    /// Serializes snapshot writers (the periodic one and the one at
    /// shutdown), and what the file holds (for the next one to append).
    saving: std::sync::Mutex<Option<snapshot::OnDisk>>,
    /// Log entries per snapshot segment (see [`Projections::set_snapshot_segment`]).
    segment_entries: std::sync::atomic::AtomicUsize,
}

/// What [`Projections::save_snapshot`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SnapshotSaved {
    /// Log entries written (the new ones when appended).
    pub entries: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Appended to the file (else written whole, or nothing was new).
    pub appended: bool,
    /// Segments written.
    pub segments: usize,
}

impl Projections {
    /// Empty read models, or the ones saved in `snapshot_path` if it holds a
    /// valid snapshot (an unreadable snapshot is ignored: everything is rebuilt).
    pub fn new(snapshot_path: Option<PathBuf>) -> Arc<Self> {
        let (models, on_disk) = match snapshot_path.as_deref().and_then(load_snapshot) {
            Some((models, on_disk)) => {
                tracing::info!(
                    events = models.applied(),
                    position = models.checkpoint(),
                    segments = on_disk.segments,
                    "projection snapshot loaded"
                );
                (models, Some(on_disk))
            }
            None => (ReadModels::default(), None),
        };
        let this = Self::with_models(models, snapshot_path);
        *this.saving.lock().unwrap_or_else(|p| p.into_inner()) = on_disk;
        this
    }

    /// Read access to the models. Keep the guard short.
    pub fn read(&self) -> RwLockReadGuard<'_, ReadModels> {
        self.models.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Position of the last event applied.
    pub fn position(&self) -> Option<u64> {
        *self.position.borrow()
    }

    /// Wait until the models include `position` (read-your-writes); `false` on timeout.
    #[tracing::instrument(name = "projection.wait", skip_all, fields(position = position as i64, reached = tracing::field::Empty))]
    pub async fn wait_for(&self, position: u64, timeout: Duration) -> bool {
        let mut rx = self.position.subscribe();
        let reached = async move { rx.wait_for(|p| p.is_some_and(|p| p >= position)).await.is_ok() };
        let reached = matches!(tokio::time::timeout(timeout, reached).await, Ok(true));
        tracing::Span::current().record("reached", reached);
        reached
    }

    /// Live feed of applied events (for GraphQL subscriptions).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<TimelineEntry>> {
        self.events.subscribe()
    }

    /// Apply a batch of recorded events (in log order), in a
    /// `projection.apply` span (batch size, first and last position).
    pub fn apply_batch(&self, batch: &[RecordedEvent]) {
        let _span = tracing::info_span!(
            "projection.apply",
            batch.size = batch.len() as i64,
            position.first = batch.first().map(|e| e.position as i64),
            position.last = batch.last().map(|e| e.position as i64),
        )
        .entered();
        // Decode outside the lock: readers keep reading meanwhile.
        let decoded = decode_batch(batch);
        let mut entries: Vec<u32> = Vec::with_capacity(batch.len());
        {
            let mut models = self.models.write().unwrap_or_else(|p| p.into_inner());
            for (e, event) in batch.iter().zip(decoded) {
                if models.checkpoint.is_some_and(|c| e.position <= c) {
                    continue;
                }
                if let Some(entry) = apply_decoded(&mut models, e, event) {
                    entries.push(entry);
                }
            }
            self.position.send_replace(models.checkpoint);
        }
        if self.events.receiver_count() > 0 && !entries.is_empty() {
            // Under the read lock: readers go on; the writer waits for these lines only.
            let lines: Vec<TimelineEntry> = {
                let models = self.read();
                entries.iter().filter_map(|&i| models.log.timeline(i)).collect()
            };
            for line in lines {
                let _ = self.events.send(Arc::new(line));
            }
        }
    }

    /// Follow the store's global log from the checkpoint, forever (see
    /// [`crate::follow`]: resubscribing with back-off after a failure).
    pub fn start(self: &Arc<Self>, store: Arc<dyn EventStore>) -> tokio::task::JoinHandle<()> {
        crate::follow::follow(self.clone(), store)
    }

    /// Report the read models' metrics while the task runs:
    /// `samverkan.projection.lag` (positions between the head of the log and
    /// the models, sampled every `every`) and `samverkan.subscriptions.live`
    /// (GraphQL subscriptions following the models). Start it only when a
    /// meter provider is installed: it asks the store for its head.
    pub fn start_metrics(self: &Arc<Self>, store: Arc<dyn EventStore>, every: Duration) -> tokio::task::JoinHandle<()> {
        let meter = opentelemetry::global::meter("samverkan");
        let lag = meter
            .u64_gauge("samverkan.projection.lag")
            .with_description(
                "Events in the log that the read models have not applied yet (head position minus model position)",
            )
            .build();
        let weak = Arc::downgrade(self);
        let live = meter
            .i64_observable_up_down_counter("samverkan.subscriptions.live")
            .with_description("Live GraphQL subscriptions following the read models")
            .with_callback(move |observer| {
                if let Some(this) = weak.upgrade() {
                    let n = i64::try_from(this.events.receiver_count()).unwrap_or(i64::MAX);
                    observer.observe(n, &[]);
                }
            })
            .build();
        let this = self.clone();
        tokio::spawn(async move {
            let _live = live;
            loop {
                match store.head_position().await {
                    Ok(head) => {
                        let behind = head.unwrap_or(0).saturating_sub(this.position().unwrap_or(0));
                        lag.record(behind, &[]);
                    }
                    Err(e) => tracing::debug!(error = %e, "projection lag: cannot read the head of the log"),
                }
                tokio::time::sleep(every).await;
            }
        })
    }

    /// Periodically save a snapshot while the checkpoint moves.
    pub fn start_snapshots(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut saved = this.position();
            loop {
                tokio::time::sleep(every).await;
                let now = this.position();
                if now != saved {
                    let me = this.clone();
                    match tokio::task::spawn_blocking(move || me.save_snapshot()).await {
                        Ok(Ok(_)) => saved = now,
                        Ok(Err(e)) => tracing::warn!(error = %e, "could not save projection snapshot"),
                        Err(e) => tracing::warn!(error = %e, "snapshot task failed"),
                    }
                }
            }
        })
    }

    /// Save the models' log and checkpoint (see the snapshot module): the
    /// entries applied since the last snapshot are appended to the file and
    /// synced; the first snapshot of these models is written whole into a
    /// temp file that is synced and renamed over the old one. The file is
    /// the owner's only (mode `0600`). Either way the entries are copied,
    /// serialized and written one segment at a time (8,192 entries by
    /// default), so a snapshot holds one segment in memory, not the log. The
    /// read lock is held only to copy log entries, a chunk at a time;
    /// serializing and writing run without it, so events keep being
    /// applied. Call it off the async runtime (`spawn_blocking`).
    pub fn save_snapshot(&self) -> std::io::Result<SnapshotSaved> {
        let Some(path) = &self.snapshot_path else {
            return Ok(SnapshotSaved::default());
        };
        let mut on_disk = self.saving.lock().unwrap_or_else(|p| p.into_inner());
        let per_segment = self.segment_entries.load(std::sync::atomic::Ordering::Relaxed);
        // Appending needs the file as it was left (not replaced or cut).
        let known = on_disk.filter(|d| std::fs::metadata(path).is_ok_and(|m| m.len() == d.len));
        // Too many small segments: write the file whole again.
        let known = known.filter(|d| !d.needs_compaction(per_segment));
        let copy = snapshot::copy(&self.read(), known);
        if snapshot::unchanged(&copy, known) {
            return Ok(SnapshotSaved::default());
        }
        // Whatever happens next, the file is no longer as recorded.
        *on_disk = None;
        let (mut bytes, mut segments) = (0u64, 0usize);
        let mut write_segments = |w: &mut dyn std::io::Write| {
            copy.write(
                || self.read(),
                per_segment,
                |segment| {
                    w.write_all(segment)?;
                    bytes += segment.len() as u64;
                    segments += 1;
                    Ok(())
                },
            )
        };
        let (complete, len) = match known {
            Some(d) if copy.appends() => {
                let file = std::fs::OpenOptions::new().append(true).open(path)?;
                let (complete, _) = crate::files::write_synced(&file, crate::files::SYNC_EVERY, &mut write_segments)?;
                file.sync_data()?;
                (complete, d.len + bytes)
            }
            _ => {
                let header = snapshot::header();
                let mut complete = false;
                let written = crate::files::write_atomically(path, |w| {
                    w.write_all(&header)?;
                    complete = write_segments(w)?;
                    if complete {
                        Ok(())
                    } else {
                        Err(std::io::Error::other("the read models were replaced"))
                    }
                });
                if complete {
                    written?;
                }
                bytes += header.len() as u64;
                (complete, bytes)
            }
        };
        if !complete {
            tracing::info!("the read models were rebuilt while a snapshot was taken; none written");
            return Ok(SnapshotSaved::default());
        }
        let in_file = match known {
            Some(d) if copy.appends() => d.segments + segments,
            _ => segments,
        };
        *on_disk = Some(snapshot::on_disk_after(&copy, len, in_file));
        Ok(SnapshotSaved {
            entries: copy.entries(),
            bytes,
            appended: copy.appends(),
            segments,
        })
    }

    /// Log entries per snapshot segment from now on (default 8,192; at
    /// least 1). Smaller segments hold less in memory while a snapshot is
    /// written and cost a little more on disk.
    pub fn set_snapshot_segment(&self, entries: usize) {
        self.segment_entries
            .store(entries.max(1), std::sync::atomic::Ordering::Relaxed);
    }

    /// Read models and a snapshot path, for tools and benchmarks that build
    /// the models themselves (e.g. with [`rebuild`]).
    pub fn with_models(models: ReadModels, snapshot_path: Option<PathBuf>) -> Arc<Self> {
        let (position, _) = watch::channel(models.checkpoint);
        let (events, _) = broadcast::channel(4096);
        Arc::new(Self {
            models: RwLock::new(models),
            position,
            events,
            snapshot_path,
            saving: std::sync::Mutex::new(None),
            segment_entries: std::sync::atomic::AtomicUsize::new(snapshot::SEGMENT_ENTRIES),
        })
    }
}

impl crate::follow::Follower for Projections {
    fn name(&self) -> &'static str {
        "projections"
    }

    /// Continue from the models' checkpoint; a snapshot ahead of the log
    /// (e.g. the store was replaced) cannot be trusted: rebuild from the start.
    fn resume<'a>(&'a self, store: &'a dyn EventStore) -> BoxFuture<'a, Result<Option<u64>, StoreError>> {
        Box::pin(async move {
            let head = store.head_position().await?;
            if self.position().is_some_and(|p| head.is_none_or(|h| p > h)) {
                tracing::warn!("projection snapshot is ahead of the event log; rebuilding from the start");
                *self.models.write().unwrap_or_else(|p| p.into_inner()) = ReadModels::default();
                self.position.send_replace(None);
            }
            Ok(self.position())
        })
    }

    fn handle_batch<'a>(&'a self, batch: Vec<RecordedEvent>) -> BoxFuture<'a, Result<(), String>> {
        self.apply_batch(&batch);
        Box::pin(async { Ok(()) })
    }
}

/// The models saved in `path` and what the file holds for them.
fn load_snapshot(path: &Path) -> Option<(ReadModels, snapshot::OnDisk)> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(error = %e, "projection snapshot cannot be read; rebuilding");
            return None;
        }
    };
    match snapshot::read(&bytes) {
        Ok(loaded) => Some(loaded),
        Err(e) => {
            tracing::warn!(error = %e, "projection snapshot not used; rebuilding from the log");
            None
        }
    }
}

/// Decode a batch of stored events, on two threads when it is large.
pub fn decode_batch(batch: &[RecordedEvent]) -> Vec<Result<AnyEvent, EventDecodeError>> {
    let decode = |e: &RecordedEvent| AnyEvent::decode(&e.event_type, e.schema_version, &e.data);
    if batch.len() < 512 {
        return batch.iter().map(decode).collect();
    }
    let (a, b) = batch.split_at(batch.len() / 2);
    std::thread::scope(|s| {
        let second = s.spawn(|| b.iter().map(decode).collect::<Vec<_>>());
        let mut out: Vec<_> = a.iter().map(decode).collect();
        match second.join() {
            Ok(rest) => out.extend(rest),
            Err(_) => out.extend(b.iter().map(decode)),
        }
        out
    })
}

/// Apply one decoded event; unknown types and newer versions are skipped with
/// a warning (the checkpoint still moves on).
pub fn apply_decoded(
    models: &mut ReadModels,
    e: &RecordedEvent,
    event: Result<AnyEvent, EventDecodeError>,
) -> Option<u32> {
    match event {
        Ok(event) => {
            let env = Envelope {
                position: e.position,
                recorded_at: e.recorded_at,
                actor: e.metadata.actor.as_deref(),
                actor_role: e.metadata.actor_role.as_deref(),
                compact: None,
            };
            Some(models.apply(&env, event))
        }
        Err(err) => {
            tracing::warn!(position = e.position, event_type = %e.event_type, error = %err, "skipping event this build cannot read");
            models.skip(e.position);
            None
        }
    }
}

/// Decode and apply one recorded event; returns its index in the log.
pub fn apply_recorded(models: &mut ReadModels, e: &RecordedEvent) -> Option<u32> {
    apply_decoded(models, e, AnyEvent::decode(&e.event_type, e.schema_version, &e.data))
}

/// Rebuild all read models from the whole log. Reading and decoding run
/// ahead of applying (a small pipeline), so both cores work.
pub async fn rebuild(store: &dyn EventStore) -> Result<ReadModels, StoreError> {
    type Decoded = Vec<Result<AnyEvent, EventDecodeError>>;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Vec<RecordedEvent>, Decoded)>(4);
    let applier = tokio::task::spawn_blocking(move || {
        let mut models = ReadModels::default();
        while let Some((batch, decoded)) = rx.blocking_recv() {
            // The reader decoded the first part of the batch; decode the rest here.
            let split = decoded.len();
            for (e, event) in batch.iter().zip(decoded) {
                apply_decoded(&mut models, e, event);
            }
            for e in &batch[split..] {
                apply_recorded(&mut models, e);
            }
        }
        models
    });
    let mut after = None;
    loop {
        let batch = store.read_all(after, 8192).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.position);
        // Balance the two stages: reading costs about as much as applying, so
        // this stage also decodes a share of each batch.
        let (batch, decoded) = tokio::task::spawn_blocking(move || {
            let split = batch.len() / 4;
            let decoded: Decoded = batch[..split]
                .iter()
                .map(|e| AnyEvent::decode(&e.event_type, e.schema_version, &e.data))
                .collect();
            (batch, decoded)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("decoding failed: {e}")))?;
        if tx.send((batch, decoded)).await.is_err() {
            break;
        }
    }
    drop(tx);
    applier
        .await
        .map_err(|e| StoreError::Backend(format!("rebuild failed: {e}")))
}
