//! `samverkan migrate` through the real binary: the demo's log copied
//! between stores, killed (SIGKILL) half-way and run again, verified, and
//! served from the copy; a target holding another log is refused untouched.
//!
//! The steps take store URLs, so another backend is tested by passing its
//! URL: SQLite → PostgreSQL → SQLite is
//! `sqlite_to_postgres_and_back_interrupted_resumed_verified_and_served`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use samverkan_eventstore::{EventStore, ExpectedVersion, NewEvent, RecordedEvent, SqliteStore};
use samverkan_server::store::{self, StoreLocation};
use serde_json::{json, Value};

use crate::helpers::{data, spawn, BIN};

/// Events added to the demo's log, so that the copy in small batches takes
/// many more progress lines than a pipe holds (see the interruption below).
const FILLER_EVENTS: usize = 3000;

/// What the migrated store must answer as the source did.
pub(crate) const DASHBOARD: &str = r#"query($asOf: DateTime) {
  dashboard(municipality: "SE-1494", asOf: $asOf) {
    municipality { name }
    strategiesInForce { strategy { title } nextFollowUpDue followUpOverdue }
    projects { role project { title fromApplication } }
    actionList { title deadline }
  }
}"#;

pub(crate) fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

async fn open(url: &str) -> std::sync::Arc<dyn EventStore> {
    let location = StoreLocation::parse(Some(url), Path::new("/nonexistent")).expect("a store URL");
    store::open(&location).await.expect("open the store")
}

pub(crate) async fn whole_log(url: &str) -> Vec<RecordedEvent> {
    let store = open(url).await;
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let batch = store.read_all(after, 5000).await.expect("read_all");
        let Some(last) = batch.last() else { break };
        after = Some(last.position);
        out.extend(batch);
    }
    out
}

/// Everything `migrate` keeps (positions are the target's own).
pub(crate) type Envelope = (uuid::Uuid, String, u64, String, u32, Vec<u8>, String, i64);

pub(crate) fn envelopes(log: &[RecordedEvent]) -> Vec<Envelope> {
    log.iter()
        .map(|e| {
            (
                e.id,
                e.stream.clone(),
                e.version,
                e.event_type.clone(),
                e.schema_version,
                e.data.clone(),
                serde_json::to_string(&e.metadata).expect("metadata serialises"),
                e.recorded_at.timestamp_micros(),
            )
        })
        .collect()
}

fn migrate(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("migrate")
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("SAMVERKAN_MIGRATE_FROM")
        .env_remove("SAMVERKAN_MIGRATE_TO")
        .output()
        .expect("run samverkan migrate")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The `source:` and `target:` lines a successful run prints.
fn summaries(out: &Output) -> (String, String) {
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "migrate failed: {}\n{stdout}", text(&out.stderr));
    let line = |prefix: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{stdout}"))
            .to_string()
    };
    assert!(
        stdout.contains("verified: the target holds the source's log"),
        "{stdout}"
    );
    (line("source: "), line("target: "))
}

/// The demo's log (`samverkan seed`, then one `serve` so the process
/// manager registers the approved application's project) plus filler
/// events of a type the read models skip, in `dir/events.sqlite`. Returns
/// its URL and the dashboards it serves, now and as of a past instant.
pub(crate) async fn demo_source(dir: &Path) -> (String, Value, String) {
    let seed = Command::new(BIN)
        .args(["seed", "--data-dir"])
        .arg(dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run samverkan seed");
    assert!(seed.status.success(), "seed: {}", text(&seed.stderr));
    // Once, so that the process manager registers the project of the demo's
    // approved application (it runs once the read models are up).
    let server = spawn(dir, &[]);
    assert!(settled_head(&server).await > 0);
    server.terminate();

    let path = dir.join("events.sqlite");
    let store = SqliteStore::open(&path).expect("open the demo store");
    for chunk in 0..(FILLER_EVENTS / 100) {
        let events: Vec<NewEvent> = (0..100)
            .map(|i| samverkan_eventstore::conformance::event("MigrationTestFiller", json!({ "n": chunk * 100 + i })))
            .collect();
        store
            .append(&format!("filler-{}", chunk % 7), ExpectedVersion::Any, events)
            .await
            .expect("append filler");
    }
    drop(store);
    let url = sqlite_url(&path);
    let log = whole_log(&url).await;
    // A past instant: what had been recorded by the middle of the demo.
    let as_of = log[log.len() / 4].recorded_at.to_rfc3339();
    let server = spawn(dir, &[]);
    let now = dashboard(&server, None).await;
    let past = dashboard(&server, Some(&as_of)).await;
    server.terminate();
    (url, json!({ "now": now, "past": past }), as_of)
}

/// The log's head once the server is ready and the log has settled (the
/// process manager's registrations done), through `/readyz`'s answer.
pub(crate) async fn settled_head(server: &crate::helpers::Server) -> u64 {
    for _ in 0..600 {
        let response = reqwest::get(format!("{}/readyz", server.base))
            .await
            .expect("GET /readyz");
        let ready = response.status().is_success();
        let body: Value = response.json().await.expect("JSON");
        let head = body["log"]["head"].as_u64().unwrap_or(0);
        // The project registration comes after the approval: wait for a
        // settled log (ready, and the head unchanged a moment later).
        if ready && head > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            let again: Value = reqwest::get(format!("{}/readyz", server.base))
                .await
                .expect("GET /readyz")
                .json()
                .await
                .expect("JSON");
            if again["log"]["head"].as_u64() == Some(head) {
                return head;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the server never got ready");
}

pub(crate) async fn dashboard(server: &crate::helpers::Server, as_of: Option<&str>) -> Value {
    let answer = server.gql(DASHBOARD, json!({ "asOf": as_of })).await;
    data(&answer)["dashboard"].clone()
}

/// Migrate `from` → `to` in small batches, SIGKILL the process half-way
/// (the target then holds a true, non-empty beginning of the source's
/// log), run it again to the end, and once more (nothing left to copy):
/// every run prints the same digest on both sides, and the target holds the
/// source's events with every envelope field. Returns the digest line.
pub async fn migrate_interrupted_and_resumed(work: &Path, from: &str, to: &str) -> String {
    let source = envelopes(&whole_log(from).await);
    assert!(source.len() > FILLER_EVENTS);

    // Batches of 2 events print one progress line each. Once this test stops
    // reading stderr, the pipe fills (64 KiB, far fewer lines than the copy
    // needs) and the process blocks on its next line: the kill lands
    // half-way whatever the machine's speed.
    let mut child = Command::new(BIN)
        .args(["migrate", "--batch-size", "2", "--from", from, "--to", to, "--data-dir"])
        .arg(work)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start samverkan migrate");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let n = stderr.read_line(&mut line).expect("read stderr");
        assert!(n > 0, "migrate ended before copying anything:\n{seen}");
        seen.push_str(&line);
        if line.starts_with("migrate: ") && line.contains("events copied") {
            break;
        }
    }
    child.kill().expect("SIGKILL migrate");
    let status = child.wait().expect("wait");
    assert!(!status.success(), "killed, not finished");
    drop(stderr);

    let partial = envelopes(&whole_log(to).await);
    assert!(!partial.is_empty(), "the first batches were written before the kill");
    assert!(
        partial.len() < source.len(),
        "the kill came half-way ({} of {} events)",
        partial.len(),
        source.len()
    );
    assert_eq!(
        partial[..],
        source[..partial.len()],
        "the target holds a beginning of the source"
    );

    let resumed = migrate(work, &["--from", from, "--to", to]);
    let (src, dst) = summaries(&resumed);
    assert_eq!(src, dst, "the digests agree");
    assert!(src.starts_with(&format!("{} events in ", source.len())), "{src}");
    let stdout = text(&resumed.stdout);
    assert!(
        stdout.contains(&format!(
            "{} events copied, {} already there",
            source.len() - partial.len(),
            partial.len()
        )),
        "resumed after the events already there: {stdout}"
    );
    assert_eq!(
        envelopes(&whole_log(to).await),
        source,
        "the target holds the source's log"
    );

    let again = migrate(work, &["--from", from, "--to", to]);
    let (src2, dst2) = summaries(&again);
    assert_eq!(
        (src2.as_str(), dst2.as_str()),
        (src.as_str(), src.as_str()),
        "a third run changes nothing"
    );
    assert!(text(&again.stdout).contains("0 events copied"));
    src
}

/// Serve `store_url` from a fresh data directory and compare its dashboards
/// with the source's.
pub(crate) async fn serves_like_the_source(work: &Path, store_url: &str, expected: &Value, as_of: &str) {
    let dir = work.join(format!("serve-{}", uuid::Uuid::new_v4().simple()));
    let server = spawn(&dir, &["--store-url", store_url]);
    settled_head(&server).await;
    let now = dashboard(&server, None).await;
    let past = dashboard(&server, Some(as_of)).await;
    server.terminate();
    assert_eq!(now["municipality"]["name"], "Lidköping");
    assert!(!now["strategiesInForce"].as_array().expect("a list").is_empty());
    assert_eq!(
        json!({ "now": now, "past": past }),
        *expected,
        "the copy serves what the source did"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_sqlite_interrupted_resumed_verified_and_served() {
    let work = tempfile::tempdir().expect("temp dir");
    let source_dir = work.path().join("source");
    let (from, dashboards, as_of) = demo_source(&source_dir).await;
    let to = sqlite_url(&work.path().join("copy").join("events.sqlite"));

    migrate_interrupted_and_resumed(work.path(), &from, &to).await;
    // SQLite to SQLite: even the positions agree (both dense from 1).
    let positions = |log: Vec<RecordedEvent>| log.iter().map(|e| e.position).collect::<Vec<_>>();
    assert_eq!(positions(whole_log(&to).await), positions(whole_log(&from).await));
    serves_like_the_source(work.path(), &to, &dashboards, &as_of).await;
}

/// SQLite → PostgreSQL → SQLite, each leg killed half-way and resumed, both
/// copies verified and served (a throw-away PostgreSQL, started here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_postgres_and_back_interrupted_resumed_verified_and_served() {
    let Some(pg) = samverkan_eventstore::pg_testing::PgServer::shared_or_skip() else {
        return;
    };
    let pg_url = pg.fresh_database("migrate");
    let work = tempfile::tempdir().expect("temp dir");
    let (from, dashboards, as_of) = demo_source(&work.path().join("source")).await;
    let there = migrate_interrupted_and_resumed(work.path(), &from, &pg_url).await;
    let back = sqlite_url(&work.path().join("back").join("events.sqlite"));
    let again = migrate_interrupted_and_resumed(work.path(), &pg_url, &back).await;
    assert_eq!(there, again, "the log's digest is the same in all three stores");
    assert_eq!(envelopes(&whole_log(&back).await), envelopes(&whole_log(&from).await));
    serves_like_the_source(work.path(), &pg_url, &dashboards, &as_of).await;
    serves_like_the_source(work.path(), &back, &dashboards, &as_of).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_with_another_log_is_refused_untouched() {
    let work = tempfile::tempdir().expect("temp dir");
    let source = work.path().join("source.sqlite");
    let target = work.path().join("target.sqlite");
    let event = |n: u64| samverkan_eventstore::conformance::event("Thing", json!({ "n": n }));
    {
        let store = SqliteStore::open(&source).expect("source");
        store
            .append("things-1", ExpectedVersion::NoStream, vec![event(1), event(2)])
            .await
            .expect("append");
        let store = SqliteStore::open(&target).expect("target");
        store
            .append("things-1", ExpectedVersion::NoStream, vec![event(1)])
            .await
            .expect("append");
    }
    let before = std::fs::read(&target).expect("read the target file");
    let log_before = envelopes(&whole_log(&sqlite_url(&target)).await);

    let out = migrate(
        work.path(),
        &["--from", &sqlite_url(&source), "--to", &sqlite_url(&target)],
    );
    assert!(!out.status.success(), "refused");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("neither empty nor a beginning of the source's log") && stderr.contains("nothing was written"),
        "a plain reason: {stderr}"
    );
    assert_eq!(
        std::fs::read(&target).expect("read the target file"),
        before,
        "the file is unchanged"
    );
    assert_eq!(envelopes(&whole_log(&sqlite_url(&target)).await), log_before);

    // The source copied into itself, and a missing source, are refused too.
    let out = migrate(
        work.path(),
        &["--from", &sqlite_url(&source), "--to", &sqlite_url(&source)],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("the same store"), "{}", text(&out.stderr));
    let missing = work.path().join("missing.sqlite");
    let out = migrate(
        work.path(),
        &["--from", &sqlite_url(&missing), "--to", &sqlite_url(&target)],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("does not exist"), "{}", text(&out.stderr));
    assert!(!missing.exists(), "a missing source is not created");
}
