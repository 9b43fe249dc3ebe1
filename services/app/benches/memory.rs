//! Memory benchmark: what the read models hold, counted by the allocator
//! (heap bytes in use per event, and per part of the models), beside the
//! anonymous resident memory that costs with the system allocator (and,
//! apart, the store's file pages mapped in) — after a rebuild from the store
//! and after a restart from the snapshot (in a fresh process, as a server
//! restarts). Same generated history as the projection benchmark.
//!
//! Run: `cargo bench -p samverkan-app --bench memory` (about 1 million events)
//! Scale: `SAMVERKAN_BENCH_PROJECTS=3000 cargo bench -p samverkan-app --bench memory`
#![allow(clippy::unwrap_used, clippy::expect_used)] // benches: a failed expectation fails the run

use std::alloc::System;
use std::sync::Arc;

use samverkan_app::projections::{rebuild, Projections};
use samverkan_eventstore::SqliteStore;
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

#[path = "projections/history.rs"]
#[allow(dead_code)]
mod history;

/// Every allocation counted (the system allocator underneath).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Heap bytes allocated and not yet freed.
fn live() -> usize {
    let s = GLOBAL.stats();
    s.bytes_allocated.saturating_sub(s.bytes_deallocated)
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

/// What to measure from: heap in use, anonymous and file-backed resident KiB.
fn now() -> (usize, u64, u64) {
    (live(), rss_kib("RssAnon:"), rss_kib("RssFile:"))
}

/// Heap and resident growth since `since`, per event. The resident set is
/// split: anonymous memory (the models, and what the allocator keeps) and
/// file pages mapped in (the store's file, which SQLite reads through
/// `mmap`: page cache the kernel can take back, shared with other readers).
fn per_event(since: (usize, u64, u64), events: u64) -> String {
    let (heap, anon, file) = now();
    let heap = heap.saturating_sub(since.0) as f64;
    let anon = anon.saturating_sub(since.1) as f64 * 1024.0;
    let file = file.saturating_sub(since.2) as f64 * 1024.0;
    let n = events.max(1) as f64;
    format!(
        "heap in use {:.0} MiB = {:.0} bytes/event; resident (anonymous) {:.0} MiB = {:.0} bytes/event ({:.2}× the heap), \
         besides {:.0} MiB of mapped file pages; peak RSS {} MiB",
        heap / 1048576.0,
        heap / n,
        anon / 1048576.0,
        anon / n,
        anon / heap.max(1.0),
        file / 1048576.0,
        rss_kib("VmHWM:") / 1024
    )
}

/// The child process: load the snapshot at `path` as a restarting server does.
fn load_only(path: std::path::PathBuf) {
    let since = now();
    let projections = Projections::new(Some(path));
    let events = projections.read().applied();
    println!(
        "restart from the snapshot ({events} events): {}",
        per_event(since, events)
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    if let Some(path) = std::env::var_os("SAMVERKAN_BENCH_LOAD_SNAPSHOT") {
        return load_only(path.into());
    }
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` probes; nothing to list.
    }
    let projects = std::env::var("SAMVERKAN_BENCH_PROJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path().join("events.sqlite")).expect("open store"));
    let (history, _) = history::generate(projects, &mut history::Rng(0x5eed_cafe_f00d));
    let total = history.len() as u64;
    history::write(&store, history).await;
    println!("wrote {total} events");

    let since = now();
    let models = rebuild(store.as_ref()).await.expect("rebuild");
    println!("after the rebuild: {}", per_event(since, total));
    println!("  by part (heap in use, bytes/event):");
    for (part, bytes) in models.drop_by_part(live) {
        println!("    {:>5.0}  {part}", bytes as f64 / total as f64);
    }

    let path = dir.path().join("projections.snapshot");
    let models = rebuild(store.as_ref()).await.expect("rebuild");
    let saved = Projections::with_models(models, Some(path.clone()))
        .save_snapshot()
        .expect("save the snapshot");
    println!(
        "snapshot: {} entries, {:.1} MiB",
        saved.entries,
        saved.bytes as f64 / 1048576.0
    );
    let child = std::process::Command::new(std::env::current_exe().expect("this benchmark"))
        .env("SAMVERKAN_BENCH_LOAD_SNAPSHOT", &path)
        .output()
        .expect("run the restart");
    assert!(child.status.success(), "{}", String::from_utf8_lossy(&child.stderr));
    print!("{}", String::from_utf8_lossy(&child.stdout));
}
