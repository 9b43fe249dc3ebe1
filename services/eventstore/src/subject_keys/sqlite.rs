//! The key store as a SQLite file of its own (`subject-keys.sqlite` in the
//! data directory). `secure_delete` overwrites a destroyed key's bytes in the
//! file, and the rollback journal (not WAL) leaves no older page copy behind.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::{key_from, KeyState, SubjectKey, SubjectKeyStore};
use crate::StoreError;

#[derive(Clone)]
pub struct SqliteSubjectKeys {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl SqliteSubjectKeys {
    /// Open (creating) the key store file at `path`, readable by its owner only.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let fail = |e: rusqlite::Error| StoreError::Backend(format!("the key store {}: {e}", path.display()));
        let conn = Connection::open(&path).map_err(fail)?;
        restrict(&path);
        conn.execute_batch(
            "PRAGMA journal_mode = DELETE;
             PRAGMA synchronous = FULL;
             PRAGMA secure_delete = ON;
             CREATE TABLE IF NOT EXISTS subject_keys (
                 subject      TEXT PRIMARY KEY,
                 key          BLOB,
                 created_at   TEXT NOT NULL,
                 destroyed_at TEXT,
                 CHECK ((key IS NULL) = (destroyed_at IS NOT NULL))
             );",
        )
        .map_err(fail)?;
        Ok(Self {
            path,
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn with<R>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<R>) -> Result<R, StoreError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&conn).map_err(|e| StoreError::Backend(format!("the key store {}: {e}", self.path.display())))
    }

    fn read(&self, subject: &str) -> Result<KeyState, StoreError> {
        let row: Option<(Option<Vec<u8>>, Option<String>)> = self.with(|c| {
            c.query_row(
                "SELECT key, destroyed_at FROM subject_keys WHERE subject = ?1",
                [subject],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })?;
        state_of(row, subject)
    }
}

pub(super) fn state_of(row: Option<(Option<Vec<u8>>, Option<String>)>, subject: &str) -> Result<KeyState, StoreError> {
    match row {
        None => Ok(KeyState::Absent),
        Some((Some(key), _)) => Ok(KeyState::Present(key_from(&key, subject)?)),
        Some((None, at)) => Ok(KeyState::Destroyed(
            at.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map_or(DateTime::UNIX_EPOCH, |t| t.with_timezone(&Utc)),
        )),
    }
}

#[cfg(unix)]
fn restrict(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
        tracing::warn!(file = %path.display(), error = %e, "could not make the key store readable by its owner only");
    }
}

#[cfg(not(unix))]
fn restrict(_: &Path) {}

#[async_trait::async_trait]
impl SubjectKeyStore for SqliteSubjectKeys {
    async fn get(&self, subject: &str) -> Result<KeyState, StoreError> {
        self.read(subject)
    }

    async fn create(&self, subject: &str, key: SubjectKey, at: DateTime<Utc>) -> Result<KeyState, StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO subject_keys (subject, key, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (subject) DO NOTHING",
                params![subject, key.as_slice(), at.to_rfc3339()],
            )
        })?;
        self.read(subject)
    }

    async fn destroy(&self, subject: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let changed = self.with(|c| {
            c.execute(
                "UPDATE subject_keys SET key = NULL, destroyed_at = ?2 WHERE subject = ?1 AND key IS NOT NULL",
                params![subject, at.to_rfc3339()],
            )
        })?;
        if changed == 0 && self.read(subject)? == KeyState::Absent {
            // A tombstone even for a subject whose key never reached this
            // store: no key is ever made for it later.
            self.with(|c| {
                c.execute(
                    "INSERT INTO subject_keys (subject, key, created_at, destroyed_at) VALUES (?1, NULL, ?2, ?2) \
                     ON CONFLICT (subject) DO NOTHING",
                    params![subject, at.to_rfc3339()],
                )
            })?;
        }
        Ok(changed > 0)
    }
}
