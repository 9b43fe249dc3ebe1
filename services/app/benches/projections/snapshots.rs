//! The snapshot part of the projection benchmark: size against the store's
//! files, write and load against the rebuild, and the longest apply while
//! a snapshot is written. (The JSON yardsticks of the format before 3 are
//! gone with the models' serde form: the read models keep a compact log.)

use std::sync::Arc;
use std::time::Instant;

use samverkan_app::projections::{Projections, ReadModels};
use samverkan_eventstore::{EventStore, SqliteStore};

fn file_bytes(dir: &std::path::Path, prefix: &str) -> u64 {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum()
}

/// Snapshot size, write and load against the rebuild; the writer's pause.
pub async fn snapshots(
    dir: &std::path::Path,
    store: &SqliteStore,
    models: ReadModels,
    rebuild_time: std::time::Duration,
) {
    let log_bytes = file_bytes(dir, "events.sqlite");
    let path = dir.join("projections.snapshot");
    let checkpoint = models.checkpoint();
    let projections = Projections::with_models(models, Some(path.clone()));
    let t = Instant::now();
    projections.save_snapshot().expect("save snapshot");
    let write_time = t.elapsed();
    let snapshot_bytes = std::fs::metadata(&path).expect("snapshot").len();
    let t = Instant::now();
    let loaded = Projections::new(Some(path.clone()));
    let load_time = t.elapsed();
    assert_eq!(loaded.position(), checkpoint, "the snapshot loads at its checkpoint");
    drop(loaded);
    println!(
        "snapshot: {:.1} MiB vs the store's files {:.1} MiB ({:.2}× the log); written in {write_time:.2?}; \
         loaded in {load_time:.2?} vs rebuild {rebuild_time:.2?} ({:.2}× the rebuild's time)",
        snapshot_bytes as f64 / 1048576.0,
        log_bytes as f64 / 1048576.0,
        snapshot_bytes as f64 / log_bytes as f64,
        load_time.as_secs_f64() / rebuild_time.as_secs_f64()
    );
    drop(projections);

    // The pause: models with 90 % of the log; the rest is applied in small
    // batches while a snapshot of them is written on another thread.
    let mut all = vec![];
    let mut after = None;
    loop {
        let batch = store.read_all(after, 8192).await.expect("read");
        let Some(last) = batch.last() else { break };
        after = Some(last.position);
        all.extend(batch);
    }
    let (save_time, during, longest, writer) = pause(&all, Some(path.clone()), false, |p| {
        p.save_snapshot().expect("save while applying");
    });
    // Resume from the snapshot: it holds a prefix; applying the whole log
    // again skips what it has and ends where the writer ended.
    let resumed = Projections::new(Some(path.clone()));
    let at = resumed.position();
    for chunk in all.chunks(4096) {
        resumed.apply_batch(chunk);
    }
    assert_eq!(resumed.position(), writer.position());
    assert_eq!(
        resumed.read().applied(),
        writer.read().applied(),
        "nothing lost or applied twice"
    );
    println!(
        "  while the snapshot was written ({save_time:.2?}): {during} events applied, longest apply {:.2} ms; \
         the snapshot resumed at {at:?} and caught up to {:?} with the same count",
        longest.as_secs_f64() * 1e3,
        writer.position()
    );

    // The next snapshot appends: the models had a snapshot at 80 % of the
    // log; the entries from there to 90 % are appended while the rest is
    // applied.
    let (append_time, during, longest, writer) = pause(&all, Some(path.clone()), true, |p| {
        let saved = p.save_snapshot().expect("append while applying");
        assert!(saved.appended, "the second snapshot appends");
    });
    let resumed = Projections::new(Some(path));
    let at = resumed.position();
    for chunk in all.chunks(4096) {
        resumed.apply_batch(chunk);
    }
    assert_eq!(
        resumed.read().applied(),
        writer.read().applied(),
        "nothing lost or applied twice"
    );
    println!(
        "  the next snapshot, appended ({append_time:.2?}, the entries from 80 % to 90 % of the log): \
         {during} events applied meanwhile, longest apply {:.2} ms; it resumed at {at:?}",
        longest.as_secs_f64() * 1e3,
    );
}

/// Models with 90 % of `all` applied (with a snapshot written at 80 % when
/// `saved_before`); `save` runs on another thread while the rest is
/// applied in batches of 16 (one every 200 µs). Returns how long `save`
/// took, the events applied meanwhile and the longest apply.
fn pause(
    all: &[samverkan_eventstore::RecordedEvent],
    path: Option<std::path::PathBuf>,
    saved_before: bool,
    save: impl FnOnce(&Projections) + Send + 'static,
) -> (std::time::Duration, usize, std::time::Duration, Arc<Projections>) {
    let split = all.len() * 9 / 10;
    let writer = Projections::with_models(ReadModels::default(), path);
    let before = if saved_before { all.len() * 8 / 10 } else { split };
    for chunk in all[..before].chunks(4096) {
        writer.apply_batch(chunk);
    }
    if saved_before {
        writer.save_snapshot().expect("the earlier snapshot");
        for chunk in all[before..split].chunks(4096) {
            writer.apply_batch(chunk);
        }
    }
    let mut rest = all[split..].chunks(16);
    let started = Instant::now();
    let saver = {
        let writer = writer.clone();
        std::thread::spawn(move || save(&writer))
    };
    let (mut longest, mut during) = (std::time::Duration::ZERO, 0usize);
    while !saver.is_finished() {
        let Some(chunk) = rest.next() else { break };
        let t = Instant::now();
        writer.apply_batch(chunk);
        longest = longest.max(t.elapsed());
        during += chunk.len();
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
    saver.join().expect("saver");
    let save_time = started.elapsed();
    for chunk in rest {
        writer.apply_batch(chunk);
    }
    (save_time, during, longest, writer)
}
