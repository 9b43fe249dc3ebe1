//! The projection snapshot through the real store on disk: a snapshot
//! written and loaded answers like a rebuild from the log; a corrupt,
//! truncated, old-format (JSON) or foreign snapshot is ignored and the
//! models are rebuilt; later snapshots append only what is new, and an
//! append cut short loads the segments before it; a snapshot written while
//! events keep arriving resumes at its own position, without losing or
//! applying an event twice; a snapshot is written in segments, and an
//! append cut between two of them loads the last whole write; many small
//! appends are compacted into a file written whole.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use samverkan_app::demo;
use samverkan_app::projections::{rebuild, AsOf, Projections, ReadModels, Unrestricted};
use samverkan_domain::testing::fixtures::m;
use serde_json::{json, Value};
use support::World;

/// What the read models answer: every municipality's dashboard (now and as
/// of `mid`), follow-up report and timeline; every consortium's overview;
/// the open-data rows. Query results, not internals.
fn answers(models: &ReadModels, now: DateTime<Utc>, mid: DateTime<Utc>) -> Value {
    let seen = models.seen_by(&Unrestricted);
    let municipalities: Vec<Value> = models
        .municipality_codes()
        .iter()
        .map(|code| {
            json!({
                "code": code.to_string(),
                "dashboard": serde_json::to_value(seen.dashboard(code, AsOf::now(now))).unwrap(),
                "dashboard_mid": serde_json::to_value(seen.dashboard(code, AsOf::past(mid))).unwrap(),
                "follow_up": serde_json::to_value(seen.follow_up_report(code, 2024, AsOf::now(now))).unwrap(),
                "timeline": serde_json::to_value(seen.timeline(&format!("municipality:{code}"), None, 10_000, None).0).unwrap(),
            })
        })
        .collect();
    let consortia: Vec<Value> = models
        .consortium_codes()
        .iter()
        .map(|code| serde_json::to_value(seen.consortium_overview(code, AsOf::now(now))).unwrap())
        .collect();
    json!({
        "position": models.checkpoint(),
        "applied": models.applied(),
        "municipalities": municipalities,
        "consortia": consortia,
        "open_projects": serde_json::to_value(models.open_projects()).unwrap(),
        "open_grants": serde_json::to_value(models.open_grants(None)).unwrap(),
    })
}

/// The demo, loaded through the commands and applied by the live projection.
async fn demo_world() -> (World, DateTime<Utc>) {
    let w = World::new().await;
    demo::load(&w.commands).await.unwrap();
    // The process manager registers the projects of approved applications
    // after the demo's commands: a snapshot taken before it is done would
    // (rightly) lack what a later rebuild reads.
    w.settle_quiet().await;
    let registered = w.projections.read().municipality_codes().len();
    assert!(registered > 10, "the demo registers municipalities");
    // A point in the middle of the history, for as-of answers.
    let log = w.store.read_all(None, 100_000).await.unwrap();
    (w, log[log.len() / 2].recorded_at)
}

fn snapshot_path(w: &World) -> std::path::PathBuf {
    w.dir.join("projections.json")
}

async fn rebuilt(w: &World, now: DateTime<Utc>, mid: DateTime<Utc>) -> Value {
    answers(&rebuild(w.store.as_ref()).await.unwrap(), now, mid)
}

/// Let `p` follow the log up to `head`; it answers like a rebuild (no event
/// lost or applied twice). Returns the instant and the answers compared.
async fn caught_up_like_a_rebuild(
    w: &World,
    p: &Arc<Projections>,
    head: u64,
    mid: DateTime<Utc>,
) -> (DateTime<Utc>, Value) {
    let task = p.start(w.store.clone());
    assert!(p.wait_for(head, Duration::from_secs(20)).await);
    task.abort();
    let now = Utc::now();
    let expected = rebuilt(w, now, mid).await;
    assert_eq!(answers(&p.read(), now, mid), expected, "no event lost or applied twice");
    (now, expected)
}

#[tokio::test]
async fn a_snapshot_written_and_loaded_answers_like_a_rebuild() {
    let (w, mid) = demo_world().await;
    let now = Utc::now();
    w.projections.save_snapshot().unwrap();
    let bytes = std::fs::read(snapshot_path(&w)).unwrap();
    assert!(
        serde_json::from_slice::<Value>(&bytes).is_err(),
        "the snapshot is binary, not JSON"
    );

    let loaded = Projections::new(Some(snapshot_path(&w)));
    assert_eq!(loaded.position(), w.projections.position(), "loaded at its checkpoint");
    let expected = rebuilt(&w, now, mid).await;
    assert_eq!(answers(&loaded.read(), now, mid), expected);
    assert_eq!(answers(&w.projections.read(), now, mid), expected);
}

/// Write `bytes` as the snapshot, open the projections on it: nothing is
/// loaded, and following the log rebuilds the same answers.
async fn ignored_then_rebuilt(w: &World, path: &Path, bytes: &[u8], what: &str, expected: &Value) {
    std::fs::write(path, bytes).unwrap();
    let p = Projections::new(Some(path.to_path_buf()));
    assert_eq!(p.position(), None, "{what}: the snapshot is not used");
    assert_eq!(p.read().applied(), 0, "{what}: nothing is read from it");
    let task = p.start(w.store.clone());
    let head = w.store.head_position().await.unwrap().unwrap();
    assert!(
        p.wait_for(head, Duration::from_secs(20)).await,
        "{what}: rebuilt from the log"
    );
    task.abort();
    let (now, mid) = (expected["now"].as_str().unwrap(), expected["mid"].as_str().unwrap());
    let (now, mid) = (now.parse().unwrap(), mid.parse().unwrap());
    assert_eq!(
        &answers(&p.read(), now, mid),
        &expected["answers"],
        "{what}: same answers as a rebuild"
    );
}

#[tokio::test]
async fn a_corrupt_truncated_or_old_format_snapshot_is_ignored_and_the_models_rebuild() {
    let (w, mid) = demo_world().await;
    let now = Utc::now();
    w.projections.save_snapshot().unwrap();
    let good = std::fs::read(snapshot_path(&w)).unwrap();
    let expected = json!({
        "now": now.to_rfc3339(),
        "mid": mid.to_rfc3339(),
        "answers": rebuilt(&w, now, mid).await,
    });
    let path = w.dir.join("other.snapshot");

    // The JSON snapshot of the builds before format 3.
    let old_json = serde_json::to_vec(&json!({
        "format": 2,
        "models": serde_json::to_value(&*w.projections.read()).unwrap(),
    }))
    .unwrap();
    ignored_then_rebuilt(&w, &path, &old_json, "an old JSON snapshot", &expected).await;

    let truncated = &good[..good.len() / 2];
    ignored_then_rebuilt(&w, &path, truncated, "a truncated snapshot", &expected).await;
    ignored_then_rebuilt(&w, &path, &good[..10], "a snapshot cut inside its header", &expected).await;

    let mut corrupt = good.clone();
    let i = corrupt.len() * 2 / 3;
    corrupt[i] ^= 0x20;
    ignored_then_rebuilt(&w, &path, &corrupt, "a snapshot with a flipped bit", &expected).await;

    let mut other_format = good.clone();
    other_format[8] = other_format[8].wrapping_add(1);
    ignored_then_rebuilt(&w, &path, &other_format, "a snapshot of another format", &expected).await;

    let mut wrong_length = good.clone();
    wrong_length[12] = wrong_length[12].wrapping_sub(1);
    ignored_then_rebuilt(&w, &path, &wrong_length, "a segment with the wrong length", &expected).await;

    ignored_then_rebuilt(&w, &path, b"", "an empty file", &expected).await;

    // The good one, for contrast, is used; so is one with a few bytes
    // after its segment (an append cut short by a crash).
    std::fs::write(&path, &good).unwrap();
    assert_eq!(
        Projections::new(Some(path.clone())).position(),
        w.projections.position()
    );
    let mut longer = good.clone();
    longer.extend_from_slice(b"torn");
    std::fs::write(&path, &longer).unwrap();
    assert_eq!(Projections::new(Some(path)).position(), w.projections.position());
}

#[tokio::test]
async fn later_snapshots_append_what_is_new_and_an_append_cut_short_loads_the_segments_before_it() {
    let (w, mid) = demo_world().await;
    let path = snapshot_path(&w);
    let first = w.projections.save_snapshot().unwrap();
    assert!(!first.appended, "the first snapshot is written whole");
    assert_eq!(first.entries as u64, w.projections.read().applied());
    let whole = std::fs::read(&path).unwrap();
    let at_first = w.projections.position();

    for i in 0..3 {
        w.register(&format!("SE-97{i:02}"), &format!("Tillagd {i}")).await;
    }
    w.settle().await;
    let second = w.projections.save_snapshot().unwrap();
    assert!(second.appended, "the next snapshot appends");
    assert!(
        (3..first.entries / 4).contains(&second.entries),
        "only the new entries: {second:?} after {first:?}"
    );
    let appended = std::fs::read(&path).unwrap();
    assert_eq!(&appended[..whole.len()], &whole[..], "what was there is left as it was");
    assert_eq!(appended.len() as u64, whole.len() as u64 + second.bytes);
    assert_eq!(
        w.projections.save_snapshot().unwrap().entries,
        0,
        "nothing new, nothing written"
    );
    assert_eq!(std::fs::read(&path).unwrap(), appended);

    let now = Utc::now();
    let expected = rebuilt(&w, now, mid).await;
    let loaded = Projections::new(Some(path.clone()));
    assert_eq!(loaded.position(), w.projections.position());
    assert_eq!(
        answers(&loaded.read(), now, mid),
        expected,
        "two segments load like a rebuild"
    );

    // Models loaded from the file append to it.
    w.register("SE-9799", "Efter laddningen").await;
    w.settle().await;
    let task = loaded.start(w.store.clone());
    let head = w.store.head_position().await.unwrap().unwrap();
    assert!(loaded.wait_for(head, Duration::from_secs(20)).await);
    task.abort();
    let third = loaded.save_snapshot().unwrap();
    assert!(third.appended && third.entries >= 1, "{third:?}");
    let three = std::fs::read(&path).unwrap();
    assert_eq!(&three[..appended.len()], &appended[..]);

    // An append cut short: the segments before it are loaded, the log
    // fills in the rest, and the next snapshot rewrites the file whole.
    let cut = &three[..appended.len() + (three.len() - appended.len()) / 2];
    std::fs::write(&path, cut).unwrap();
    let torn = Projections::new(Some(path.clone()));
    assert!(torn.position() < Some(head), "the cut segment is left out");
    assert!(torn.position() > at_first, "the whole segments before it are loaded");
    let (now, expected) = caught_up_like_a_rebuild(&w, &torn, head, mid).await;
    let repaired = torn.save_snapshot().unwrap();
    assert!(!repaired.appended, "a file that is not as it was left is written whole");
    let again = Projections::new(Some(path));
    assert_eq!(again.position(), Some(head));
    assert_eq!(answers(&again.read(), now, mid), expected);
}

#[tokio::test]
async fn a_snapshot_taken_while_events_arrive_resumes_at_its_own_position() {
    let (w, mid) = demo_world().await;
    let w = Arc::new(w);
    // Commands keep arriving (each one appended and applied) while
    // snapshots are written.
    let writer = {
        let w = w.clone();
        tokio::spawn(async move {
            for i in 0..120 {
                w.register(&format!("SE-9{i:03}"), &format!("Testkommun {i}")).await;
            }
        })
    };
    let mut positions = vec![];
    while !writer.is_finished() {
        let p = w.projections.clone();
        positions.push(tokio::task::spawn_blocking(move || {
            p.save_snapshot().unwrap();
            // The position the copy was taken at is at most this one.
            p.position()
        }));
        tokio::time::sleep(Duration::from_millis(15)).await;
        if positions.len() >= 40 {
            break;
        }
    }
    let mut last_seen = None;
    for p in positions {
        last_seen = p.await.unwrap();
    }
    writer.await.unwrap();
    // More events after the last snapshot.
    w.register("SE-9998", "Efteråt").await;
    w.settle().await;

    let resumed = Projections::new(Some(snapshot_path(&w)));
    let at = resumed.position().expect("a snapshot was written");
    let head = w.store.head_position().await.unwrap().unwrap();
    assert!(
        at <= last_seen.unwrap(),
        "the snapshot holds a prefix of what was applied"
    );
    assert!(at < head, "events arrived after the snapshot");
    let task = resumed.start(w.store.clone());
    assert!(resumed.wait_for(head, Duration::from_secs(20)).await);
    task.abort();

    let now = Utc::now();
    let expected = rebuilt(&w, now, mid).await;
    let got = answers(&resumed.read(), now, mid);
    assert_eq!(got["applied"], expected["applied"], "no event lost or applied twice");
    assert_eq!(got, expected);
    assert!(resumed.read().municipality_codes().contains(&m("SE-9119")));
}

/// Where each segment of the snapshot file ends, from byte `from` on (the
/// documented layout: an 8-byte body length and an 8-byte checksum before
/// each body).
fn segment_ends(bytes: &[u8], mut from: usize) -> Vec<usize> {
    let mut ends = vec![];
    while from + 16 <= bytes.len() {
        let len = u64::from_le_bytes(bytes[from..from + 8].try_into().unwrap()) as usize;
        from += 16 + len;
        ends.push(from);
    }
    ends
}

#[tokio::test]
async fn a_snapshot_is_written_in_segments_and_an_append_cut_after_some_of_them_loads_the_last_whole_write() {
    let (w, mid) = demo_world().await;
    let path = snapshot_path(&w);
    w.projections.set_snapshot_segment(50);
    let first = w.projections.save_snapshot().unwrap();
    let applied = w.projections.read().applied() as usize;
    assert!(!first.appended);
    assert_eq!(first.entries, applied);
    assert_eq!(first.segments, applied.div_ceil(50), "{first:?}");
    let whole = std::fs::read(&path).unwrap();
    assert_eq!(segment_ends(&whole, 12).len(), first.segments);
    assert_eq!(segment_ends(&whole, 12).last(), Some(&whole.len()));
    let at_first = w.projections.position();

    let now = Utc::now();
    let expected = rebuilt(&w, now, mid).await;
    let loaded = Projections::new(Some(path.clone()));
    assert_eq!(loaded.position(), at_first);
    assert_eq!(
        answers(&loaded.read(), now, mid),
        expected,
        "many segments load like a rebuild"
    );

    // An append of several segments, cut after the first of them (a crash
    // between two segments): the loader goes back to the last whole write.
    for i in 0..4 {
        w.register(&format!("SE-96{i:02}"), &format!("Segmenterad {i}")).await;
    }
    w.settle().await;
    w.projections.set_snapshot_segment(2);
    let second = w.projections.save_snapshot().unwrap();
    assert!(second.appended && second.segments >= 2, "{second:?}");
    let appended = std::fs::read(&path).unwrap();
    assert_eq!(&appended[..whole.len()], &whole[..]);
    let ends = segment_ends(&appended, whole.len());
    assert_eq!(ends.len(), second.segments);
    let head = w.store.head_position().await.unwrap().unwrap();
    assert_eq!(
        Projections::new(Some(path.clone())).position(),
        Some(head),
        "the whole append loads"
    );

    std::fs::write(&path, &appended[..ends[0]]).unwrap();
    let torn = Projections::new(Some(path.clone()));
    assert_eq!(torn.position(), at_first, "only the last whole write is loaded");
    caught_up_like_a_rebuild(&w, &torn, head, mid).await;
    let repaired = torn.save_snapshot().unwrap();
    assert!(!repaired.appended, "the cut file is written whole again");
    assert_eq!(Projections::new(Some(path)).position(), Some(head));
}

#[tokio::test]
async fn many_small_appends_are_compacted_into_a_file_written_whole() {
    let (w, mid) = demo_world().await;
    let path = snapshot_path(&w);
    let first = w.projections.save_snapshot().unwrap();
    assert_eq!((first.appended, first.segments), (false, 1));
    let mut written_whole = None;
    for i in 0..80usize {
        w.register(&format!("SE-95{i:02}"), &format!("Liten {i}")).await;
        w.settle().await;
        let saved = w.projections.save_snapshot().unwrap();
        let segments = segment_ends(&std::fs::read(&path).unwrap(), 12).len();
        if !saved.appended {
            assert_eq!(segments, 1, "written whole again: {saved:?}");
            written_whole = Some(i);
            break;
        }
        assert_eq!(segments, i + 2, "one more segment per append");
    }
    assert_eq!(
        written_whole,
        Some(64),
        "after 64 appends (65 segments) the next snapshot compacts the file"
    );
    let now = Utc::now();
    let expected = rebuilt(&w, now, mid).await;
    let loaded = Projections::new(Some(path));
    assert_eq!(loaded.position(), w.projections.position());
    assert_eq!(answers(&loaded.read(), now, mid), expected);
}
