//! The data directory is the server user's alone: created with mode `0700`;
//! the files in it are `0600` (the event store and its `-wal`/`-shm`, the
//! projection snapshot, the process manager's checkpoint, the development
//! key). An existing directory that the group or others may open is left as
//! it is (it may be shared on purpose, e.g. a mount point) with a warning.

use std::path::Path;

use anyhow::Context;

/// Create `dir` (and missing parents) with mode `0700`; an existing one is
/// left as it is.
pub fn create(dir: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))
}

/// [`create`], then warn when the directory is open to the group or others.
pub fn prepare(dir: &Path) -> anyhow::Result<()> {
    create(dir)?;
    warn_if_open(dir);
    Ok(())
}

#[cfg(unix)]
fn warn_if_open(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(dir) {
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                dir = %dir.display(),
                mode = format!("{mode:04o}"),
                "the data directory is open to other users; its files are private (0600), but chmod 700 it"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_open(_dir: &Path) {}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_new_data_directory_is_private_and_an_old_one_is_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b/data");
        prepare(&dir).unwrap();
        for d in [root.path().join("a"), root.path().join("a/b"), dir.clone()] {
            assert_eq!(
                std::fs::metadata(&d).unwrap().permissions().mode() & 0o777,
                0o700,
                "{d:?}"
            );
        }
        let shared = root.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
        prepare(&shared).unwrap();
        assert_eq!(std::fs::metadata(&shared).unwrap().permissions().mode() & 0o777, 0o755);
    }
}
