//! Opening a store file for reading only (`samverkan verify`): no
//! migration, no writer thread, not a byte of the file changed. The newest
//! event's link is not needed to read, so a file whose newest link is
//! damaged still opens and can be verified (the writer refuses it).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::OptionalExtension;
use tokio::sync::watch;

use super::format::{self, FileState, FORMAT_VERSION};
use super::{Inner, ReadPool, Shared, SqliteStore, SqliteStoreOptions};
use crate::StoreError;

impl SqliteStore {
    /// The format version of the store file at `path`, read without
    /// changing it: `None` for no file (or an empty one). A file that is not
    /// ours, damaged or too new is refused as [`SqliteStore::open`] would.
    pub fn file_format(path: impl AsRef<Path>) -> Result<Option<u32>, StoreError> {
        Ok(match format::inspect(path.as_ref())? {
            FileState::New => None,
            FileState::Ours { version } => Some(version),
        })
    }

    /// Opens an existing store of the current format for reading only: no
    /// migration, no writer (appends and checkpoints answer
    /// [`StoreError::Closed`]). A file of an older format is refused (its
    /// links are added by the upgrade; [`SqliteStore::copy_to`] makes a copy
    /// to upgrade instead).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path: PathBuf = path.as_ref().to_path_buf();
        match format::inspect(&path)? {
            FileState::New => {
                return Err(StoreError::Backend(format!(
                    "there is no event store at {}",
                    path.display()
                )))
            }
            FileState::Ours { version } if version < FORMAT_VERSION => {
                return Err(StoreError::Backend(format!(
                "{} has format version {version}, older than {FORMAT_VERSION}: it opens read-only only once upgraded",
                path.display()
            )))
            }
            FileState::Ours { .. } => {}
        }
        let conn = format::open_reader(&path)?;
        let head: i64 = conn
            .query_row("SELECT max(position) FROM events", [], |r| r.get::<_, Option<i64>>(0))
            .optional()
            .map_err(|e| format::classify(&path, e))?
            .flatten()
            .unwrap_or(0);
        drop(conn);
        // No writer: the head never moves (the receiver keeps the value).
        let (_, head_rx) = watch::channel(u64::try_from(head).unwrap_or(0));
        let options = SqliteStoreOptions::default();
        Ok(Self {
            inner: Arc::new(Inner {
                sender: None,
                writer: None,
                shared: Arc::new(Shared {
                    pool: ReadPool::new(path, options.max_idle_readers),
                    head: head_rx,
                    subscription_batch: options.subscription_batch,
                    read_parallelism: options.read_parallelism,
                }),
            }),
        })
    }

    /// Writes a consistent copy of the store file at `from` to the new file
    /// `to` (`VACUUM INTO` on a read-only connection: `from` is not
    /// changed, a running server's WAL included). The copy keeps the
    /// format version and application id, so [`SqliteStore::open`] on it
    /// upgrades the copy, not the original.
    pub fn copy_to(from: impl AsRef<Path>, to: impl AsRef<Path>) -> Result<(), StoreError> {
        let (from, to) = (from.as_ref(), to.as_ref());
        format::inspect(from)?;
        let target = to
            .to_str()
            .ok_or_else(|| StoreError::Backend(format!("{} is not a UTF-8 path", to.display())))?;
        let conn = format::open_reader(from)?;
        conn.execute("VACUUM INTO ?1", [target])
            .map_err(|e| StoreError::Backend(format!("cannot copy {} to {}: {e}", from.display(), to.display())))?;
        Ok(())
    }
}
