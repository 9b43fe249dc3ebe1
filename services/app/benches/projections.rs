//! Projection benchmark: a generated history of realistic shape (all ~650
//! Swedish and Norwegian municipalities, 60 consortia, 20,000 projects, about
//! 1 million events) written to the embedded store, then
//! - rebuild speed (events/s into all read models, reading from the store),
//! - apply-only speed (events already in memory),
//! - dashboard read latency now and as of the middle of the history,
//! - memory: resident set grown by the rebuild, in MiB and bytes per event
//!   (and the peak), beside the events' JSON size,
//! - the snapshot: its size against the store's files, write time, load time
//!   against the rebuild, and the longest pause of the projection's apply
//!   while a snapshot is written (events keep arriving).
//!
//! Run: `cargo bench -p samverkan-app --bench projections`
//! Scale: `SAMVERKAN_BENCH_PROJECTS=2000 cargo bench -p samverkan-app --bench projections`
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use samverkan_app::projections::Unrestricted;
use samverkan_app::projections::{apply_recorded, rebuild, AsOf, ReadModels};
use samverkan_domain::{AnyEvent, MunicipalityCode};
use samverkan_eventstore::{EventStore, SqliteStore};

#[path = "projections/history.rs"]
mod history;
#[path = "projections/snapshots.rs"]
mod snapshots;

use history::{generate, Rng};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p) as usize]
}

fn time_dashboards(
    models: &ReadModels,
    codes: &[MunicipalityCode],
    when: AsOf,
    rng: &mut Rng,
    n: usize,
) -> (f64, f64, f64) {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let code = &codes[rng.below(codes.len())];
        let t = Instant::now();
        // As of mid-log, a municipality may not be registered yet: that answer counts too.
        let d = models.seen_by(&Unrestricted).dashboard(code, when);
        std::hint::black_box(&d);
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    (mean, percentile(samples.clone(), 0.5), percentile(samples, 0.99))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` probes; nothing to list.
    }
    let projects = env("SAMVERKAN_BENCH_PROJECTS", 20_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path().join("events.sqlite")).expect("open store"));
    let mut rng = Rng(0x5eed_cafe_f00d);

    let t = Instant::now();
    let (history, codes) = generate(projects, &mut rng);
    let total = history.len();
    println!(
        "generated {total} events ({} streams) in {:.1?}",
        history.streams.len(),
        t.elapsed()
    );

    // Write with many concurrent appenders (group commit), one append per stream.
    let t = Instant::now();
    let mid = history::write(&store, history).await;
    let write = t.elapsed();
    println!(
        "wrote {total} events in {write:.1?} ({:.0} events/s, durable, group commit)",
        total as f64 / write.as_secs_f64()
    );

    let rss_before = rss_kib("VmRSS:");
    let t = Instant::now();
    let models = rebuild(store.as_ref()).await.expect("rebuild");
    let rebuild_time = t.elapsed();
    let rss_after = rss_kib("VmRSS:");

    println!(
        "rebuild from the store: {} events in {rebuild_time:.2?} = {:.0} events/s into all read models (skipped {})",
        models.applied(),
        models.applied() as f64 / rebuild_time.as_secs_f64(),
        models.skipped()
    );

    // Apply only: events already read into memory.
    let t = Instant::now();
    let mut all = vec![];
    let mut after = None;
    loop {
        let batch = store.read_all(after, 8192).await.expect("read");
        let Some(last) = batch.last() else { break };
        after = Some(last.position);
        all.extend(batch);
    }
    println!(
        "read only (store, global log): {:.0} events/s",
        all.len() as f64 / t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let mut decoded = 0usize;
    for e in &all {
        decoded += usize::from(AnyEvent::decode(&e.event_type, e.schema_version, &e.data).is_ok());
    }
    let decode_time = t.elapsed();
    {
        let json: usize = all.iter().map(|e| e.data.len()).sum();
        println!(
            "  sizes: events' JSON {:.0} bytes/event; an AnyEvent {} bytes inline",
            json as f64 / all.len() as f64,
            std::mem::size_of::<AnyEvent>()
        );
    }
    println!(
        "decode only: {:.0} events/s ({decoded} decoded)",
        all.len() as f64 / decode_time.as_secs_f64()
    );
    let t = Instant::now();
    let mut fresh = ReadModels::default();
    for e in &all {
        apply_recorded(&mut fresh, e);
    }
    let apply_time = t.elapsed();
    println!(
        "apply only (events in memory): {:.0} events/s",
        all.len() as f64 / apply_time.as_secs_f64()
    );
    drop(fresh);
    drop(all);

    let (mean, p50, p99) = time_dashboards(&models, &codes, AsOf::now(Utc::now()), &mut rng, 2000);
    println!("dashboard read (now):            mean {mean:.3} ms, p50 {p50:.3} ms, p99 {p99:.3} ms");
    let (mean, p50, p99) = time_dashboards(&models, &codes, AsOf::past(mid), &mut rng, 500);
    println!("dashboard read (as of mid-log):  mean {mean:.3} ms, p50 {p50:.3} ms, p99 {p99:.3} ms");
    let (mean, p50, p99) = {
        let mut samples = vec![];
        for _ in 0..200 {
            let code = &codes[rng.below(codes.len())];
            let t = Instant::now();
            std::hint::black_box(
                models
                    .seen_by(&Unrestricted)
                    .follow_up_report(code, 2022, AsOf::now(Utc::now())),
            );
            samples.push(t.elapsed().as_secs_f64() * 1e3);
        }
        (
            samples.iter().sum::<f64>() / samples.len() as f64,
            percentile(samples.clone(), 0.5),
            percentile(samples, 0.99),
        )
    };
    println!("yearly follow-up report:         mean {mean:.3} ms, p50 {p50:.3} ms, p99 {p99:.3} ms");
    println!(
        "memory: read models for {total} events ≈ {} MiB resident = {:.0} bytes/event (RSS {} → {} MiB), peak RSS {} MiB",
        (rss_after.saturating_sub(rss_before)) / 1024,
        rss_after.saturating_sub(rss_before) as f64 * 1024.0 / total as f64,
        rss_before / 1024,
        rss_after / 1024,
        rss_kib("VmHWM:") / 1024
    );
    println!(
        "  of which the log: {:.0} bytes/event ({} bytes an entry, beside the event's JSON)",
        models.log().heap_bytes() as f64 / total as f64,
        std::mem::size_of::<samverkan_app::projections::LogEntry>()
    );
    snapshots::snapshots(dir.path(), store.as_ref(), models, rebuild_time).await;
}
