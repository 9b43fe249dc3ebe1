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

/// Replace `path` atomically with what `write` writes: into a private temp
/// file beside it (`<path>.tmp`), flushed and synced to disk, then renamed
/// over `path` — a crash leaves the old file or the new one, never half.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let file = create_private(&tmp)?;
        let mut w = std::io::BufWriter::new(&file);
        write(&mut w)?;
        std::io::Write::flush(&mut w)?;
        drop(w);
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)
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
}
