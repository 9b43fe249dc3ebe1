//! The public record's tamper evidence, server side: the checkpoint signing
//! key (Ed25519, a file like the JWT keys), the task that signs the chain's
//! head every N events and at least daily, and `samverkan verify` /
//! `samverkan keys` (docs/operations.md, "Verifying the record").

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use ed25519_dalek::{Signer, SigningKey};
use samverkan_eventstore::chain::{checkpoint_message, from_hex, hex, ChainedEvent, Checkpoint, Hash};
use samverkan_eventstore::EventStore;
use tokio::task::JoinHandle;

pub mod cloudevents;
pub mod verify;

/// The checkpoint signing key in the data directory (created on first start).
pub const CHECKPOINT_KEY_FILE: &str = "checkpoint-ed25519.key";

/// When checkpoints are signed.
#[derive(Debug, Clone)]
pub struct CheckpointSettings {
    /// The key file (default `<data-dir>/checkpoint-ed25519.key`, created if missing).
    pub key_file: Option<PathBuf>,
    /// Sign when the log has grown this many events past the last checkpoint.
    pub every_events: u64,
    /// Sign when the last checkpoint is this old and events came since.
    pub interval: Duration,
    /// How often the task looks at the head.
    pub poll: Duration,
}

impl Default for CheckpointSettings {
    fn default() -> Self {
        Self {
            key_file: None,
            every_events: 1000,
            interval: Duration::from_secs(24 * 3600),
            poll: Duration::from_secs(1),
        }
    }
}

/// Where the key lives for these settings.
pub fn key_path(key_file: Option<&Path>, data_dir: &Path) -> PathBuf {
    key_file.map_or_else(|| data_dir.join(CHECKPOINT_KEY_FILE), Path::to_path_buf)
}

/// Reads a key file: the 32-byte Ed25519 seed in hex (surrounding
/// whitespace ignored).
pub fn read_key(path: &Path) -> anyhow::Result<SigningKey> {
    crate::keys::warn_if_readable_by_others(path);
    let text = fs::read_to_string(path)
        .with_context(|| format!("cannot read the checkpoint signing key {}", path.display()))?;
    let Some(seed) = from_hex::<32>(text.trim()) else {
        bail!(
            "the checkpoint signing key {} is not 64 hex digits (an Ed25519 seed)",
            path.display()
        );
    };
    Ok(SigningKey::from_bytes(&seed))
}

/// The key at `path`, created (mode 0600, a fresh random seed) if missing.
/// Returns it and whether it was created.
pub fn load_or_create_key(path: &Path) -> anyhow::Result<(SigningKey, bool)> {
    if path.exists() {
        return Ok((read_key(path)?, false));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::datadir::create(dir)?;
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness for the checkpoint key: {e}"))?;
    let key = SigningKey::from_bytes(&seed);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(format!("{}\n", hex(&seed)).as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write the checkpoint signing key {}", path.display()))?;
            Ok((key, true))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok((read_key(path)?, false)),
        Err(e) => Err(e).with_context(|| format!("cannot create the checkpoint signing key {}", path.display())),
    }
}

/// Signs the chain's head now, if it moved past the last checkpoint and
/// `due` says so (given the events since and the last checkpoint's age).
/// A stretch longer than `step` events since the last checkpoint (an
/// upgraded or imported store, a burst between two looks) is first covered
/// by checkpoints at every `step`th position, so that no proof's segment
/// grows past `step` events (on a store with dense positions). Returns the
/// head's checkpoint, if recorded.
pub async fn sign_if_due(
    store: &dyn EventStore,
    key: &SigningKey,
    step: u64,
    due: impl Fn(u64, Option<chrono::Duration>) -> bool,
) -> anyhow::Result<Option<Checkpoint>> {
    let Some(head) = store.chain_head().await? else {
        return Ok(None);
    };
    let last = store.last_checkpoint().await?;
    let now = chrono::Utc::now();
    let (since, age) = match &last {
        Some(cp) if cp.position >= head.position => return Ok(None),
        Some(cp) => (store.chain_events_after(cp.position).await?, Some(now - cp.signed_at)),
        None => (store.chain_events_after(0).await?, None),
    };
    if !due(since, age) {
        return Ok(None);
    }
    // Only where positions are dense (SQLite, PostgreSQL): KurrentDB's
    // commit positions are byte offsets, not event counts.
    let step = step.max(1);
    let mut at = last.map_or(0, |cp| cp.position) + step;
    while store.dense_positions() && at < head.position {
        let linked = store.read_chain(Some(at - 1), 1).await?;
        if let Some(ChainedEvent {
            event,
            hash: Some(hash),
        }) = linked.first()
        {
            if event.position == at {
                sign(store, key, at, hash, now).await?;
            }
        }
        at += step;
    }
    Ok(Some(sign(store, key, head.position, &head.hash, now).await?))
}

async fn sign(
    store: &dyn EventStore,
    key: &SigningKey,
    position: u64,
    hash: &Hash,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Checkpoint> {
    let signed_at = chrono::DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    let signature = key.sign(&checkpoint_message(position, hash, signed_at));
    let cp = Checkpoint {
        position,
        hash: *hash,
        signed_at,
        key: key.verifying_key().to_bytes(),
        signature: signature.to_bytes(),
    };
    store.record_checkpoint(cp).await?;
    tracing::info!(position = cp.position, link = %hex(&cp.hash), "checkpoint signed");
    Ok(cp)
}

/// The signing task: on start (if events came since the last checkpoint),
/// then whenever the log is `every_events` past the last checkpoint, or
/// the last one is older than `interval` and events came since.
pub fn start_signer(store: Arc<dyn EventStore>, key: SigningKey, settings: &CheckpointSettings) -> JoinHandle<()> {
    let every = settings.every_events.max(1);
    let interval = chrono::Duration::from_std(settings.interval).unwrap_or(chrono::Duration::days(1));
    let poll = settings.poll;
    tokio::spawn(async move {
        let mut first = true;
        loop {
            let due = |since: u64, age: Option<chrono::Duration>| {
                first || since >= every || age.is_none_or(|a| a >= interval)
            };
            if let Err(e) = sign_if_due(store.as_ref(), &key, every, due).await {
                tracing::warn!(error = %format!("{e:#}"), "could not sign a checkpoint; trying again");
            }
            first = false;
            tokio::time::sleep(poll).await;
        }
    })
}

/// `samverkan keys`: the public keys this data directory publishes.
pub fn keys_cli(data_dir: &Path, key_file: Option<&Path>) -> anyhow::Result<String> {
    let path = key_path(key_file, data_dir);
    let (key, created) = load_or_create_key(&path)?;
    let mut out = format!(
        "checkpoint signing key (Ed25519, public, hex): {}\n  file: {}{}\n",
        hex(&key.verifying_key().to_bytes()),
        path.display(),
        if created { " (created now)" } else { "" }
    );
    out.push_str("  verify with: samverkan verify --public-key <the hex above> (or infra/scripts/verify_chain.py)\n");
    Ok(out)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_key_is_created_once_private_and_reused_and_a_bad_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = key_path(None, dir.path());
        let (first, created) = load_or_create_key(&path).unwrap();
        assert!(created);
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let (again, created) = load_or_create_key(&path).unwrap();
        assert!(!created);
        assert_eq!(first.to_bytes(), again.to_bytes());
        assert!(keys_cli(dir.path(), None)
            .unwrap()
            .contains(&hex(&first.verifying_key().to_bytes())));

        let bad = dir.path().join("bad.key");
        fs::write(&bad, "not hex\n").unwrap();
        let err = read_key(&bad).unwrap_err().to_string();
        assert!(err.contains("is not 64 hex digits"), "{err}");
    }

    #[tokio::test]
    async fn a_long_unsigned_stretch_is_covered_by_a_checkpoint_every_step_events() {
        use samverkan_eventstore::{EventMetadata, ExpectedVersion, NewEvent, SqliteStore};
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("events.sqlite")).unwrap();
        let key = load_or_create_key(&key_path(None, dir.path())).unwrap().0;
        for i in 0..25u64 {
            let event = NewEvent {
                id: uuid::Uuid::new_v4(),
                event_type: "Noted".into(),
                schema_version: 1,
                data: format!("{{\"n\":{i}}}").into_bytes(),
                metadata: EventMetadata::default(),
            };
            store.append("note-1", ExpectedVersion::Any, vec![event]).await.unwrap();
        }
        let head = sign_if_due(&store, &key, 10, |_, _| true).await.unwrap().unwrap();
        assert_eq!(head.position, 25);
        let signed: Vec<u64> = store
            .checkpoints(0, 100)
            .await
            .unwrap()
            .iter()
            .map(|c| c.position)
            .collect();
        assert_eq!(signed, vec![10, 20, 25]);
        let chain = store.read_chain(None, 100).await.unwrap();
        for cp in store.checkpoints(0, 100).await.unwrap() {
            assert!(cp.signature_valid());
            assert_eq!(Some(cp.hash), chain[cp.position as usize - 1].hash);
        }
        // Nothing new: nothing signed.
        assert!(sign_if_due(&store, &key, 10, |_, _| true).await.unwrap().is_none());
    }
}
