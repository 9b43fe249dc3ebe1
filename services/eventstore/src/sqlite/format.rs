//! The store's file format: recognising our files (and refusing everybody
//! else's without touching them), creating new ones and migrating old ones.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::StoreError;

/// `PRAGMA application_id` of a Samverkan event store: "SVKE" in ASCII.
pub const APPLICATION_ID: i32 = 0x5356_4B45;

/// The file format this build writes (`PRAGMA user_version`).
pub const FORMAT_VERSION: u32 = 3;

/// `MIGRATIONS[n]` takes a file from format `n` to format `n + 1`; format 0
/// is the empty file. Each runs inside the transaction that also bumps
/// `user_version`, so a migration is all or nothing.
const MIGRATIONS: &[&str] = &[
    // 0 -> 1: the initial schema.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE streams (
        stream_id INTEGER PRIMARY KEY,
        name      TEXT    NOT NULL UNIQUE
    );

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
    "#,
    // 1 -> 2: the command fingerprint of each event (NULL for older events).
    // Event ids are unique across the store from here on, but the writer
    // checks that (on `events_by_id`) rather than a UNIQUE index: files of
    // format 1 may already hold one id in two streams, and must still open.
    r#"
    ALTER TABLE events ADD COLUMN command_fingerprint TEXT;
    "#,
    // 2 -> 3: tamper evidence. Each event's chain link (filled in for the
    // events already there by `chain::backfill`, in the same transaction)
    // and the signed checkpoints.
    r#"
    ALTER TABLE events ADD COLUMN chain_hash BLOB;
    CREATE TABLE checkpoints (
        position   INTEGER PRIMARY KEY,
        chain_hash BLOB    NOT NULL CHECK (length(chain_hash) = 32),
        signed_at  INTEGER NOT NULL,
        public_key BLOB    NOT NULL CHECK (length(public_key) = 32),
        signature  BLOB    NOT NULL CHECK (length(signature) = 64)
    );
    "#,
];

/// The format that adds the hash chain: migrating to it backfills the links.
const CHAIN_FORMAT: u32 = 3;

/// Tables every format version has; their absence in a file carrying our
/// application id means the file is damaged.
const REQUIRED_TABLES: &[&str] = &["meta", "streams", "events"];

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What an existing path holds.
#[derive(Debug)]
pub(crate) enum FileState {
    /// Nothing yet (no file, an empty file, or an SQLite database with no
    /// tables and no application id): ours to initialise.
    New,
    /// A store of ours in format `version` (<= [`FORMAT_VERSION`]).
    Ours { version: u32 },
}

fn path_str(path: &Path) -> String {
    path.display().to_string()
}

fn not_ours(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::NotOurs {
        path: path_str(path),
        reason: reason.into(),
    }
}

fn corrupt(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        path: path_str(path),
        reason: reason.into(),
    }
}

/// Maps an SQLite error met while looking at `path` to the port's errors.
pub(crate) fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => not_ours(path, e.to_string()),
        Some(ErrorCode::DatabaseCorrupt) => corrupt(path, e.to_string()),
        _ => StoreError::Backend(format!("{}: {e}", path_str(path))),
    }
}

fn wal_path(path: &Path) -> std::path::PathBuf {
    sibling(path, "-wal")
}

fn sibling(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

/// The store's files are for its owner only: a missing file is created here
/// with mode `0600` before SQLite opens it (SQLite then gives the `-wal`,
/// `-shm` and `-journal` files it creates the main file's mode, whatever the
/// umask), and an existing file of ours that the group or others may read,
/// with its `-wal` and `-shm`, is tightened to the owner's bits (with a
/// warning). Called only after [`inspect`] found the file to be ours or new.
#[cfg(unix)]
fn make_private(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

    let backend = |p: &Path, e: std::io::Error| StoreError::Backend(format!("{}: {e}", path_str(p)));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(backend(path, e)),
    }
    for file in [path.to_path_buf(), sibling(path, "-wal"), sibling(path, "-shm")] {
        let mode = match std::fs::metadata(&file) {
            Ok(meta) => meta.permissions().mode(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(backend(&file, e)),
        };
        if mode & 0o077 != 0 {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode & 0o700))
                .map_err(|e| backend(&file, e))?;
            tracing::warn!(
                file = %file.display(),
                was = format!("{:04o}", mode & 0o7777),
                now = format!("{:04o}", mode & 0o700),
                "the event store file was readable by other users; made it private"
            );
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn make_private(_path: &Path) -> Result<(), StoreError> {
    Ok(())
}

/// Looks at `path` without changing a byte of it.
pub(crate) fn inspect(path: &Path) -> Result<FileState, StoreError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::New),
        Err(e) => return Err(StoreError::Backend(format!("{}: {e}", path_str(path)))),
    };
    if !meta.is_file() {
        return Err(not_ours(path, "not a regular file"));
    }
    let wal_len = std::fs::metadata(wal_path(path)).map(|m| m.len()).unwrap_or(0);
    if meta.len() == 0 && wal_len == 0 {
        return Ok(FileState::New);
    }

    let mut header = Vec::with_capacity(100);
    File::open(path)
        .and_then(|f| f.take(100).read_to_end(&mut header))
        .map_err(|e| StoreError::Backend(format!("{}: {e}", path_str(path))))?;
    if header.len() < SQLITE_MAGIC.len() {
        return Err(if SQLITE_MAGIC.starts_with(&header) {
            corrupt(path, "truncated: the SQLite header is incomplete")
        } else {
            not_ours(path, "not an SQLite database")
        });
    }
    if &header[..16] != SQLITE_MAGIC {
        return Err(not_ours(path, "not an SQLite database"));
    }
    if header.len() < 100 {
        return Err(corrupt(path, "truncated: the SQLite header is incomplete"));
    }
    let be_u32 = |at: usize| u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    let header_app_id = be_u32(68) as i32;
    if header_app_id != APPLICATION_ID && header_app_id != 0 {
        return Err(not_ours(
            path,
            format!("application id {header_app_id:#010x} is not ours ({APPLICATION_ID:#010x})"),
        ));
    }
    // The page count in the header is valid when the change counter matches
    // "version valid for". With a WAL beside the file, a checkpoint may have
    // been cut short; SQLite finishes it from the WAL, so only judge the
    // length when there is no WAL.
    if wal_len == 0 && be_u32(24) == be_u32(92) {
        let page_size = match u16::from_be_bytes([header[16], header[17]]) {
            1 => 65536,
            n => u64::from(n),
        };
        let pages = u64::from(be_u32(28));
        if pages * page_size > meta.len() {
            return Err(corrupt(
                path,
                format!(
                    "truncated: the header promises {pages} pages of {page_size} bytes but the file has {} bytes",
                    meta.len()
                ),
            ));
        }
    }

    // Ask SQLite itself (it sees the WAL too), read-only.
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| classify(path, e))?;
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| classify(path, e))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| classify(path, e))?;
    let tables = table_names(&conn).map_err(|e| classify(path, e))?;
    drop(conn);

    if app_id != APPLICATION_ID {
        if app_id == 0 && tables.is_empty() && version == 0 {
            return Ok(FileState::New);
        }
        if app_id != 0 {
            return Err(not_ours(
                path,
                format!("application id {app_id:#010x} is not ours ({APPLICATION_ID:#010x})"),
            ));
        }
        return Err(not_ours(
            path,
            format!(
                "an SQLite database of another application (tables: {})",
                if tables.is_empty() {
                    "none".to_string()
                } else {
                    tables.join(", ")
                }
            ),
        ));
    }
    let version = u32::try_from(version).map_err(|_| corrupt(path, format!("format version {version} is invalid")))?;
    if version > FORMAT_VERSION {
        return Err(StoreError::TooNew {
            path: path_str(path),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(corrupt(path, "the file has our application id but no format version"));
    }
    if let Some(missing) = REQUIRED_TABLES.iter().find(|t| !tables.iter().any(|have| have == *t)) {
        return Err(corrupt(path, format!("table `{missing}` is missing")));
    }
    Ok(FileState::Ours { version })
}

fn table_names(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// Opens (creating or migrating if need be) the writer connection.
pub(crate) fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let state = inspect(path)?;
    make_private(path)?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| classify(path, e))?;

    let from = match state {
        FileState::New => 0,
        FileState::Ours { version } => version,
    };
    if from < FORMAT_VERSION {
        // A new file gets its schema while still in rollback-journal mode,
        // so its header (application id) is in the main file from the
        // first commit on.
        migrate(path, &conn, from == 0)?;
    }

    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| classify(path, e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!(
            "{}: could not switch to WAL mode (got `{mode}`)",
            path_str(path)
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -8192;
         PRAGMA wal_autocheckpoint = 4000;
         PRAGMA journal_size_limit = 67108864;",
    )
    .map_err(|e| classify(path, e))?;
    Ok(conn)
}

/// Runs the migrations from `from` to [`FORMAT_VERSION`] in one transaction.
fn migrate(path: &Path, conn: &Connection, new_file: bool) -> Result<(), StoreError> {
    let run = || -> Result<(), StoreError> {
        conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| classify(path, e))?;
        // Re-read under the write lock: another process may have been first.
        let app_id: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| classify(path, e))?;
        let current: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| classify(path, e))?;
        let current =
            u32::try_from(current).map_err(|_| corrupt(path, format!("format version {current} is invalid")))?;
        if new_file {
            if app_id == APPLICATION_ID {
                // Initialised meanwhile by someone else; migrate from there.
            } else if app_id != 0 || !table_names(conn).map_err(|e| classify(path, e))?.is_empty() {
                return Err(not_ours(path, "the database changed while it was being initialised"));
            } else {
                conn.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))
                    .map_err(|e| classify(path, e))?;
            }
        } else if app_id != APPLICATION_ID {
            return Err(not_ours(path, format!("application id {app_id:#010x} is not ours")));
        }
        if current > FORMAT_VERSION {
            return Err(StoreError::TooNew {
                path: path_str(path),
                found: current,
                supported: FORMAT_VERSION,
            });
        }
        for (from, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tracing::info!(path = %path.display(), from, to = from + 1, "migrating the event store file");
            conn.execute_batch(sql).map_err(|e| classify(path, e))?;
        }
        if current < CHAIN_FORMAT {
            let linked = super::chain::backfill(conn).map_err(|e| classify(path, e))?;
            if linked > 0 {
                tracing::info!(path = %path.display(), events = linked, "hash chain computed for the events already stored");
            }
        }
        if current == 0 {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('created_at', ?1), ('created_by', ?2)",
                (
                    chrono::Utc::now().to_rfc3339(),
                    concat!("samverkan-eventstore ", env!("CARGO_PKG_VERSION")),
                ),
            )
            .map_err(|e| classify(path, e))?;
        }
        conn.execute_batch(&format!("PRAGMA user_version = {FORMAT_VERSION}"))
            .map_err(|e| classify(path, e))?;
        conn.execute_batch("COMMIT").map_err(|e| classify(path, e))?;
        Ok(())
    };
    let result = run();
    if result.is_err() && !conn.is_autocommit() {
        // Best effort: the error above is the one worth reporting.
        let _ = conn.execute_batch("ROLLBACK");
    }
    result
}

/// Opens the connection that folds the WAL into the main file (see
/// `writer::checkpoint`); the store is open already (WAL mode, migrated).
pub(crate) fn open_checkpointer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| classify(path, e))?;
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA wal_autocheckpoint = 0;
         PRAGMA journal_size_limit = 67108864;",
    )
    .map_err(|e| classify(path, e))?;
    Ok(conn)
}

/// Opens a read-only connection for readers.
pub(crate) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| classify(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| classify(path, e))?;
    conn.execute_batch(
        "PRAGMA cache_size = -32768;
         PRAGMA mmap_size = 1073741824;",
    )
    .map_err(|e| classify(path, e))?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_reach_the_current_format() {
        assert_eq!(MIGRATIONS.len(), FORMAT_VERSION as usize);
    }

    #[test]
    fn application_id_spells_svke() {
        assert_eq!(&APPLICATION_ID.to_be_bytes(), b"SVKE");
    }
}
