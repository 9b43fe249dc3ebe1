//! Opening files that are not (healthy, current) stores: a clear error and
//! the file's bytes untouched.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::path::{Path, PathBuf};

use samverkan_eventstore::conformance::event;
use samverkan_eventstore::sqlite::{APPLICATION_ID, FORMAT_VERSION};
use samverkan_eventstore::{EventStore, ExpectedVersion, SqliteStore, StoreError};

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.sqlite");
    (dir, path)
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read file")
}

/// Pseudo-random bytes (xorshift), no dependency needed.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

/// A store with some events in it, closed (WAL folded into the file).
async fn make_store(path: &Path, events: usize) {
    let store = SqliteStore::open(path).expect("create store");
    for chunk in 0..events.div_ceil(100) {
        let batch = (0..100.min(events - chunk * 100))
            .map(|i| event("Filler", serde_json::json!({ "i": i, "pad": "x".repeat(400) })))
            .collect();
        store
            .append(&format!("s-{chunk}"), ExpectedVersion::NoStream, batch)
            .await
            .expect("append");
    }
    drop(store);
}

#[test]
fn random_bytes_are_not_ours_and_stay_untouched() {
    let (dir, path) = temp();
    let original = noise(64 * 1024, 0x5eed);
    std::fs::write(&path, &original).expect("write");
    match SqliteStore::open(&path) {
        Err(StoreError::NotOurs { reason, .. }) => {
            assert!(reason.contains("not an SQLite database"), "{reason}")
        }
        other => panic!("expected NotOurs, got {other:?}"),
    }
    assert_eq!(bytes(&path), original);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 1, "no side files created: {names:?}");
}

#[test]
fn a_text_file_is_not_ours() {
    let (_dir, path) = temp();
    std::fs::write(&path, b"hello\n").expect("write");
    assert!(matches!(SqliteStore::open(&path), Err(StoreError::NotOurs { .. })));
    assert_eq!(bytes(&path), b"hello\n");
}

#[test]
fn another_applications_sqlite_database_is_not_ours_and_stays_untouched() {
    let (_dir, path) = temp();
    let conn = rusqlite::Connection::open(&path).expect("create foreign db");
    conn.execute_batch(
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5);",
    )
    .expect("foreign schema");
    drop(conn);
    let original = bytes(&path);
    match SqliteStore::open(&path) {
        Err(StoreError::NotOurs { reason, .. }) => assert!(reason.contains("invoices"), "{reason}"),
        other => panic!("expected NotOurs, got {other:?}"),
    }
    assert_eq!(bytes(&path), original);
}

#[test]
fn a_database_with_another_application_id_is_not_ours() {
    let (_dir, path) = temp();
    let conn = rusqlite::Connection::open(&path).expect("create foreign db");
    conn.execute_batch("PRAGMA application_id = 1234; CREATE TABLE events (x);")
        .expect("foreign schema");
    drop(conn);
    let original = bytes(&path);
    match SqliteStore::open(&path) {
        Err(StoreError::NotOurs { reason, .. }) => {
            assert!(reason.contains("application id"), "{reason}")
        }
        other => panic!("expected NotOurs, got {other:?}"),
    }
    assert_eq!(bytes(&path), original);
}

#[tokio::test]
async fn an_empty_file_or_empty_database_becomes_a_store() {
    let (_dir, path) = temp();
    std::fs::write(&path, b"").expect("touch");
    let store = SqliteStore::open(&path).expect("empty file");
    store
        .append("s", ExpectedVersion::NoStream, vec![event("A", serde_json::json!({}))])
        .await
        .expect("append");
    drop(store);

    let (_dir2, path2) = temp();
    let conn = rusqlite::Connection::open(&path2).expect("create db");
    // Writes a valid one-page database with no tables.
    conn.execute_batch("PRAGMA user_version = 0; VACUUM;").expect("vacuum");
    drop(conn);
    let store = SqliteStore::open(&path2).expect("empty database");
    store
        .append("s", ExpectedVersion::NoStream, vec![event("A", serde_json::json!({}))])
        .await
        .expect("append");
    store.integrity_check().await.expect("healthy");
}

#[tokio::test]
async fn a_new_store_carries_our_application_id_and_format_version() {
    let (_dir, path) = temp();
    make_store(&path, 1).await;
    let header = bytes(&path);
    assert_eq!(&header[..16], b"SQLite format 3\0");
    assert_eq!(
        &header[68..72],
        &APPLICATION_ID.to_be_bytes(),
        "application id in the header"
    );
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    let app: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .expect("pragma");
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("pragma");
    let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("pragma");
    assert_eq!(
        (app, version, journal.as_str()),
        (APPLICATION_ID, FORMAT_VERSION, "wal")
    );
}

#[tokio::test]
async fn a_newer_format_is_too_new_and_stays_untouched() {
    let (_dir, path) = temp();
    make_store(&path, 10).await;
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    conn.execute_batch("PRAGMA user_version = 99").expect("bump");
    drop(conn);
    let original = bytes(&path);
    match SqliteStore::open(&path) {
        Err(StoreError::TooNew { found, supported, .. }) => assert_eq!((found, supported), (99, FORMAT_VERSION)),
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert_eq!(bytes(&path), original);
}

#[tokio::test]
async fn our_id_without_our_tables_is_corrupt() {
    let (_dir, path) = temp();
    let conn = rusqlite::Connection::open(&path).expect("create db");
    conn.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 1; CREATE TABLE meta (k);"
    ))
    .expect("half a store");
    drop(conn);
    let original = bytes(&path);
    match SqliteStore::open(&path) {
        Err(StoreError::Corrupt { reason, .. }) => assert!(reason.contains("missing"), "{reason}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(bytes(&path), original);
}

#[tokio::test]
async fn a_truncated_store_is_an_error_not_a_panic() {
    let (_dir, path) = temp();
    make_store(&path, 2000).await;
    let full = bytes(&path);
    assert!(
        full.len() > 200_000,
        "the store spans many pages ({} bytes)",
        full.len()
    );
    for keep in [full.len() / 2, 4096 + 100, 50, 10] {
        std::fs::write(&path, &full[..keep]).expect("truncate");
        match SqliteStore::open(&path) {
            Err(StoreError::Corrupt { reason, .. }) => {
                assert!(reason.contains("truncated"), "{keep}: {reason}")
            }
            other => panic!("{keep} bytes kept: expected Corrupt, got {other:?}"),
        }
        assert_eq!(bytes(&path), &full[..keep], "{keep}: untouched");
        assert!(SqliteStore::check_file(&path).is_err());
    }
}

#[tokio::test]
async fn damaged_pages_are_found_by_the_integrity_check() {
    let (_dir, path) = temp();
    make_store(&path, 2000).await;
    let mut damaged = bytes(&path);
    // Scribble over pages in the middle, keeping the length and header.
    let middle = damaged.len() / 2;
    damaged[middle..middle + 8192].copy_from_slice(&noise(8192, 7));
    std::fs::write(&path, &damaged).expect("write");
    let outcome = match SqliteStore::open(&path) {
        Err(e) => Err(e),
        Ok(store) => store.integrity_check().await.map(|_| ()),
    };
    assert!(matches!(outcome, Err(StoreError::Corrupt { .. })), "{outcome:?}");
}

#[test]
fn a_directory_is_not_ours() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(matches!(SqliteStore::open(dir.path()), Err(StoreError::NotOurs { .. })));
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

#[cfg(unix)]
fn side(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

/// The file, its WAL and its shared memory are the owner's only (whatever
/// the umask: SQLite gives the side files the main file's mode).
#[cfg(unix)]
#[tokio::test]
async fn a_new_store_and_its_side_files_are_private() {
    let (_dir, path) = temp();
    let store = SqliteStore::open(&path).expect("create store");
    store
        .append("s", ExpectedVersion::NoStream, vec![event("E", serde_json::json!({}))])
        .await
        .expect("append");
    for file in [path.clone(), side(&path, "-wal"), side(&path, "-shm")] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

/// A store of ours left readable by others (an older version, a copy) is
/// made private when opened; a file that is not ours is not touched at all.
#[cfg(unix)]
#[tokio::test]
async fn an_open_store_file_is_made_private_and_a_foreign_one_is_not_touched() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, path) = temp();
    make_store(&path, 1).await;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    drop(SqliteStore::open(&path).expect("open"));
    assert_eq!(mode(&path), 0o600);

    let (_dir, foreign) = temp();
    std::fs::write(&foreign, b"not a store").expect("write");
    std::fs::set_permissions(&foreign, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    assert!(SqliteStore::open(&foreign).is_err());
    assert_eq!(mode(&foreign), 0o644);
}

/// The schema of format 1, as that format's builds wrote it (frozen here:
/// the migration must keep taking such files forward).
const FORMAT_1_SCHEMA: &str = r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE streams (stream_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE events (
        position       INTEGER PRIMARY KEY,
        stream_id      INTEGER NOT NULL REFERENCES streams (stream_id),
        version        INTEGER NOT NULL CHECK (version >= 0),
        event_id       BLOB    NOT NULL CHECK (length(event_id) = 16),
        event_type     TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        data           BLOB    NOT NULL,
        actor          TEXT,
        actor_role     TEXT,
        causation_id   BLOB,
        correlation_id BLOB,
        trace_id       TEXT,
        recorded_at    INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX events_by_stream ON events (stream_id, version);
    CREATE INDEX events_by_id ON events (event_id);
    INSERT INTO meta (key, value) VALUES ('application', 'samverkan-eventstore');
"#;

/// A format-1 file, one id in two streams (as the command-id reuse bug
/// could leave it), opens, is migrated to the current format and keeps its
/// events (with no command fingerprint); new events carry theirs, and the
/// reused id is refused from now on.
#[tokio::test]
async fn a_format_1_file_is_migrated_and_keeps_its_events() {
    let (_dir, path) = temp();
    let reused = uuid::Uuid::new_v4();
    {
        let conn = rusqlite::Connection::open(&path).expect("raw open");
        conn.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; BEGIN; {FORMAT_1_SCHEMA}
             INSERT INTO streams (name) VALUES ('old-1'), ('old-2');
             PRAGMA user_version = 1; COMMIT;"
        ))
        .expect("format 1 schema");
        for (stream_id, actor) in [(1, "user:a"), (2, "user:b")] {
            conn.execute(
                "INSERT INTO events (stream_id, version, event_id, event_type, schema_version, data, actor, recorded_at)
                 VALUES (?1, 0, ?2, 'Old', 1, '{}', ?3, 1700000000000000)",
                rusqlite::params![stream_id, reused.as_bytes().as_slice(), actor],
            )
            .expect("old event");
        }
    }
    SqliteStore::check_file(&path).expect("a format-1 file is healthy as it is");

    let store = SqliteStore::open(&path).expect("open migrates");
    let old = store.find_event(reused).await.expect("find").expect("the old event");
    assert_eq!(
        (old.stream.as_str(), old.metadata.actor.as_deref()),
        ("old-1", Some("user:a"))
    );
    assert_eq!(
        old.metadata.command_fingerprint, None,
        "older events have no fingerprint"
    );
    let mut new = event("New", serde_json::json!({}));
    new.metadata.command_fingerprint = Some("sha256:00".into());
    store
        .append("old-1", ExpectedVersion::Exact(0), vec![new.clone()])
        .await
        .expect("append after migration");
    let got = store.find_event(new.id).await.expect("find").expect("the new event");
    assert_eq!(got.metadata, new.metadata);
    let mut again = event("New", serde_json::json!({}));
    again.id = reused;
    match store.append("old-3", ExpectedVersion::NoStream, vec![again]).await {
        Err(StoreError::DuplicateEventId { id, .. }) => assert_eq!(id, reused),
        other => panic!("expected DuplicateEventId, got {other:?}"),
    }
    let report = store.integrity_check().await.expect("healthy after migration");
    assert_eq!((report.events, report.streams), (3, 2));
    drop(store);

    let conn = rusqlite::Connection::open(&path).expect("raw open");
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("pragma");
    assert_eq!(version, FORMAT_VERSION);
}
