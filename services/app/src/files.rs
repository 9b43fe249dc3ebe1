//! Files the application layer writes into the data directory (the
//! projection snapshot, the process manager's checkpoint) are for the
//! server's user only.

use std::fs::File;
use std::path::Path;

/// Create (or truncate) `path` for writing with mode `0600`, whatever the
/// umask; a file left from before with wider permissions is narrowed too.
pub(crate) fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

/// Bytes written to a file between two syncs of it while it is written
/// ([`Syncing`]).
pub(crate) const SYNC_EVERY: u64 = 1 << 20;

/// Writes to a file and syncs it after every `every` bytes, so that the
/// disk never has much of it to flush at once. A snapshot of tens of MB
/// flushed by one sync at its end kept the disk busy for tens of ms, and the
/// event store's commits, each waiting for its own sync, waited behind it
/// (`samverkan loadgen`: 42–55 ms without an answer while a 20 MB snapshot
/// was written, on a disk that writes about 250 MB/s).
pub(crate) struct Syncing<'f> {
    file: &'f File,
    every: u64,
    unsynced: u64,
    syncs: usize,
}

impl<'f> Syncing<'f> {
    pub(crate) fn new(file: &'f File, every: u64) -> Self {
        Self {
            file,
            every: every.max(1),
            unsynced: 0,
            syncs: 0,
        }
    }

    /// Syncs made so far (not counting the caller's last one).
    pub(crate) fn syncs(&self) -> usize {
        self.syncs
    }
}

impl std::io::Write for Syncing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // No more than the room left before the next sync.
        let room = usize::try_from(self.every - self.unsynced).unwrap_or(usize::MAX);
        let n = std::io::Write::write(&mut self.file, &buf[..buf.len().min(room)])?;
        self.unsynced += n as u64;
        if self.unsynced >= self.every {
            self.file.sync_data()?;
            self.unsynced = 0;
            self.syncs += 1;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::Write::flush(&mut self.file)
    }
}

/// Runs `write` on `file` through a buffer and [`Syncing`] every `every`
/// bytes, and flushes; the caller makes the last sync. Returns `write`'s
/// result and the syncs made on the way.
pub(crate) fn write_synced<R>(
    file: &File,
    every: u64,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<R>,
) -> std::io::Result<(R, usize)> {
    let mut w = std::io::BufWriter::new(Syncing::new(file, every));
    let r = write(&mut w)?;
    std::io::Write::flush(&mut w)?;
    Ok((r, w.get_ref().syncs()))
}

/// Replace `path` atomically with what `write` writes: into a private temp
/// file beside it (`<path>.tmp`), flushed and synced to disk (a part at a
/// time, [`Syncing`]), then renamed over `path` — a crash leaves the old
/// file or the new one, never half. Returns the syncs made on the way.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<usize> {
    write_atomically_syncing(path, SYNC_EVERY, write)
}

fn write_atomically_syncing(
    path: &Path,
    every: u64,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<usize> {
    let tmp = path.with_extension("tmp");
    let syncs = {
        let file = create_private(&tmp)?;
        let ((), syncs) = write_synced(&file, every, write)?;
        file.sync_all()?;
        syncs
    };
    std::fs::rename(&tmp, path)?;
    Ok(syncs)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn new_and_old_files_end_up_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.tmp");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        drop(create_private(&path).unwrap());
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"");

        let fresh = dir.path().join("y.tmp");
        drop(create_private(&fresh).unwrap());
        assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn an_atomic_write_replaces_the_whole_file_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint");
        std::fs::write(&path, "a much longer old content").unwrap();
        write_atomically(&path, |w| w.write_all(b"42")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"42");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(!dir.path().join("checkpoint.tmp").exists());
        // A failed write leaves the old file as it was.
        let failed = write_atomically(&path, |_| Err(std::io::Error::other("disk full")));
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"42");
    }

    #[test]
    fn a_long_atomic_write_is_synced_a_part_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot");
        let body: Vec<u8> = (0..100_000u32).map(|n| (n % 251) as u8).collect();
        let syncs = write_atomically_syncing(&path, 16_384, |w| w.write_all(&body)).unwrap();
        // One sync per 16 KiB written, even of one big write.
        assert_eq!(syncs, 100_000 / 16_384, "{syncs} syncs");
        assert_eq!(std::fs::read(&path).unwrap(), body);
        // The default: nothing synced on the way for a small file.
        assert_eq!(write_atomically(&path, |w| w.write_all(b"42")).unwrap(), 0);
    }
}
