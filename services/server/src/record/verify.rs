//! `samverkan verify`: walk the hash chain and the checkpoints of a store,
//! report the first broken link; optionally export the log and checkpoints
//! as JSON Lines for an independent verifier (`infra/scripts/verify_chain.py`).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};
use samverkan_eventstore::chain::{from_hex, hex, ChainReport, ChainedEvent, Checkpoint, Finding, Verifier};
use samverkan_eventstore::{EventStore, SqliteStore, StoreError};
use serde_json::json;

use crate::cli::VerifyArgs;
use crate::store::{self, StoreLocation};

/// Events read per step.
const STEP: usize = 5000;

/// One export line per event: the canonical fields and the stored link.
pub fn event_line(e: &ChainedEvent) -> serde_json::Value {
    let ev = &e.event;
    let m = &ev.metadata;
    json!({
        "kind": "event",
        "position": ev.position,
        "stream": ev.stream,
        "version": ev.version,
        "id": ev.id.to_string(),
        "type": ev.event_type,
        "schema_version": ev.schema_version,
        "data_hex": hex(&ev.data),
        "actor": m.actor,
        "actor_role": m.actor_role,
        "causation_id": m.causation_id.map(|u| u.to_string()),
        "correlation_id": m.correlation_id.map(|u| u.to_string()),
        "trace_id": m.trace_id,
        "command_fingerprint": m.command_fingerprint,
        "recorded_at_micros": ev.recorded_at.timestamp_micros(),
        "link": e.hash.as_ref().map(|h| hex(h)),
    })
}

/// One export line per checkpoint.
pub fn checkpoint_line(cp: &Checkpoint) -> serde_json::Value {
    json!({
        "kind": "checkpoint",
        "position": cp.position,
        "link": hex(&cp.hash),
        "signed_at_micros": cp.signed_at.timestamp_micros(),
        "public_key": hex(&cp.key),
        "signature": hex(&cp.signature),
    })
}

/// Every checkpoint of the store, in position order.
pub async fn all_checkpoints(store: &dyn EventStore) -> anyhow::Result<Vec<Checkpoint>> {
    let mut out: Vec<Checkpoint> = Vec::new();
    let mut from = 0;
    loop {
        let page = store
            .checkpoints(from, 10_000)
            .await
            .context("reading the checkpoints")?;
        let Some(last) = page.last() else { break };
        from = last.position + 1;
        out.extend(page);
    }
    Ok(out)
}

/// Walks the whole chain of `store`; with `export`, writes every event and
/// checkpoint to it (all of them, also after a broken link).
pub async fn walk(
    store: &dyn EventStore,
    trusted: Option<Vec<[u8; 32]>>,
    published: Vec<Checkpoint>,
    mut export: Option<&mut dyn Write>,
) -> anyhow::Result<Result<ChainReport, Finding>> {
    if !store.keeps_chain() {
        bail!(
            "this store keeps no hash chain: there is nothing to verify; see docs/eventstore.md, \"Tamper evidence\""
        );
    }
    let checkpoints = all_checkpoints(store).await?;
    let mut held = checkpoints.clone();
    for cp in published {
        if !held.contains(&cp) {
            held.push(cp);
        }
    }
    let mut verifier = Verifier::new(held, trusted);
    if !store.dense_positions() {
        verifier = verifier.sparse_positions();
    }
    let mut finding = None;
    let mut after = None;
    loop {
        let batch = match store.read_chain(after, STEP).await {
            Ok(batch) => batch,
            // A row that cannot be decoded is a finding at its position;
            // the walk (and the export) go on after it.
            Err(StoreError::UnreadableEvent { position, reason, .. }) => {
                if finding.is_none() {
                    finding = Some(Finding::Unreadable { position, reason });
                }
                after = Some(position);
                continue;
            }
            Err(e) => return Err(anyhow::Error::new(e).context("reading the log")),
        };
        let Some(last) = batch.last() else { break };
        after = Some(last.event.position);
        for e in &batch {
            if finding.is_none() {
                finding = verifier.push(e).err();
            }
            if let Some(out) = export.as_mut() {
                writeln!(out, "{}", event_line(e)).context("writing the export")?;
            }
        }
    }
    if let Some(out) = export.as_mut() {
        for cp in &checkpoints {
            writeln!(out, "{}", checkpoint_line(cp)).context("writing the export")?;
        }
        out.flush().context("writing the export")?;
    }
    Ok(match finding {
        Some(f) => Err(f),
        None => verifier.finish(),
    })
}

/// The keys to trust: `--public-key`, else the data directory's checkpoint key if it is there.
fn trusted_keys(args: &VerifyArgs) -> anyhow::Result<Option<Vec<[u8; 32]>>> {
    if !args.public_key.is_empty() {
        let mut keys = Vec::new();
        for k in &args.public_key {
            let Some(key) = from_hex::<32>(k) else {
                bail!("--public-key `{k}` is not an Ed25519 public key in hex (64 hex digits)");
            };
            keys.push(key);
        }
        return Ok(Some(keys));
    }
    let path = super::key_path(args.checkpoint_key_file.as_deref(), &args.data.data_dir);
    if path.exists() {
        let key = super::read_key(&path)?;
        return Ok(Some(vec![key.verifying_key().to_bytes()]));
    }
    Ok(None)
}

/// Opens the SQLite store at `path` without writing to it: a file of the
/// current format read-only (so a damaged newest link does not stop it); an
/// older one through a copy (`VACUUM INTO`) in a temporary directory that the
/// upgrade then changes instead of the original. The directory lives as long
/// as the returned guard.
fn open_sqlite(path: &Path) -> anyhow::Result<(Arc<dyn EventStore>, Option<tempfile::TempDir>)> {
    let opening = || format!("cannot open the event store {}", path.display());
    let format = SqliteStore::file_format(path).with_context(opening)?;
    match format {
        Some(version) if version < samverkan_eventstore::sqlite::FORMAT_VERSION => {
            let dir = tempfile::Builder::new()
                .prefix("samverkan-verify-")
                .tempdir()
                .context("cannot make a temporary directory for the upgraded copy")?;
            let copy = dir.path().join("events.sqlite");
            eprintln!(
                "verify: the file has the older format {version}: checking an upgraded copy in {} (the original is \
                 not written)",
                dir.path().display()
            );
            SqliteStore::copy_to(path, &copy).with_context(opening)?;
            let store = SqliteStore::open(&copy).with_context(opening)?;
            Ok((Arc::new(store), Some(dir)))
        }
        _ => {
            let store = SqliteStore::open_read_only(path).with_context(opening)?;
            Ok((Arc::new(store), None))
        }
    }
}

/// The checkpoint lines of the `--checkpoint` files.
fn published(paths: &[std::path::PathBuf]) -> anyhow::Result<Vec<Checkpoint>> {
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the published checkpoints {}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = || format!("{}, line {}", path.display(), n + 1);
            let v: serde_json::Value =
                serde_json::from_str(line).with_context(|| format!("{}: not a JSON line", at()))?;
            if v["kind"] != "checkpoint" {
                continue;
            }
            out.push(checkpoint_from(&v).with_context(at)?);
        }
    }
    Ok(out)
}

/// A checkpoint from its export line (see [`checkpoint_line`]).
pub(crate) fn checkpoint_from(v: &serde_json::Value) -> anyhow::Result<Checkpoint> {
    let field = |name: &str| {
        v[name]
            .as_str()
            .with_context(|| format!("the checkpoint has no `{name}` in hex"))
    };
    let position = v["position"].as_u64().context("the checkpoint has no `position`")?;
    let micros = v["signed_at_micros"]
        .as_i64()
        .context("the checkpoint has no `signed_at_micros`")?;
    Ok(Checkpoint {
        position,
        hash: from_hex::<32>(field("link")?).context("`link` is not 32 bytes in hex")?,
        signed_at: chrono::DateTime::from_timestamp_micros(micros).context("`signed_at_micros` is out of range")?,
        key: from_hex::<32>(field("public_key")?).context("`public_key` is not 32 bytes in hex")?,
        signature: from_hex::<64>(field("signature")?).context("`signature` is not 64 bytes in hex")?,
    })
}

/// `samverkan verify`.
pub async fn run(args: &VerifyArgs) -> anyhow::Result<()> {
    let location = StoreLocation::parse(args.data.store_url.as_deref(), &args.data.data_dir)?;
    if let StoreLocation::Sqlite(path) = &location {
        if !path.exists() {
            bail!("there is no event store at {}: nothing to verify", path.display());
        }
    }
    let trusted = trusted_keys(args)?;
    let published = published(&args.checkpoint)?;
    eprintln!("verify: {}", location.describe());
    // SQLite: read-only, never upgraded in place (an older file is verified
    // as an upgraded copy in a private temporary directory).
    let (store, _copy): (Arc<dyn EventStore>, _) = match &location {
        StoreLocation::Sqlite(path) => open_sqlite(path)?,
        _ => (store::open(&location).await.context("opening the store")?, None),
    };
    if trusted.is_none() {
        eprintln!(
            "verify: no trusted key (no --public-key, no checkpoint key in the data directory): checkpoints are \
             checked against the key each one names; compare the keys printed below with the published one"
        );
    }
    let mut file = match &args.export {
        Some(path) => Some(BufWriter::new(create_export(path)?)),
        None => None,
    };
    let untrusted = trusted.is_none();
    let outcome = walk(
        store.as_ref(),
        trusted,
        published,
        file.as_mut().map(|f| f as &mut dyn Write),
    )
    .await?;
    if let Some(path) = &args.export {
        eprintln!("verify: exported the log and its checkpoints to {}", path.display());
    }
    match outcome {
        Ok(report) => {
            print_report(&report);
            print_unsigned_tail(store.as_ref(), &report).await?;
            if untrusted {
                println!("unverified: the links hold, but no trusted key says who signed the checkpoints");
                return Err(Untrusted.into());
            }
            Ok(())
        }
        Err(finding) => {
            println!("broken: {finding}");
            bail!(
                "the chain is broken at position {} ({})",
                finding.position(),
                finding.kind()
            )
        }
    }
}

/// The chain holds but nothing trusted proves its checkpoints (exit 2).
#[derive(Debug)]
pub struct Untrusted;

impl std::fmt::Display for Untrusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "no trusted key: give the published key with --public-key (or verify with the data directory's \
             checkpoint key)",
        )
    }
}

impl std::error::Error for Untrusted {}

/// The export holds every event's body, drafts and personal data
/// included: it is created readable by its owner only (0600).
pub(crate) fn create_export(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options
        .open(path)
        .with_context(|| format!("cannot create the export file {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // An existing file keeps its old mode through `open`: set it.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot make the export file {} private", path.display()))?;
    }
    Ok(file)
}

/// Events past the chain's head (a KurrentDB store links events in a
/// companion stream right after appending them: a writer that stopped in
/// between leaves them unlinked until the next append links them).
async fn print_unsigned_tail(store: &dyn EventStore, r: &ChainReport) -> anyhow::Result<()> {
    let newest = store.head_position().await.context("reading the log's head")?;
    let linked = r.head.map_or(0, |h| h.position);
    if let Some(newest) = newest.filter(|n| *n > linked) {
        println!(
            "unsigned tail: the log goes on to position {newest}, past the last linked event (position {linked}); \
             those events are not in the chain yet"
        );
    }
    Ok(())
}

fn print_report(r: &ChainReport) {
    match &r.head {
        None => println!("verified: the log is empty"),
        Some(head) => println!(
            "verified: {} events, head at position {} with link {}",
            r.events,
            head.position,
            hex(&head.hash)
        ),
    }
    match r.last_checkpoint {
        None => println!("checkpoints: none yet"),
        Some(last) => {
            let keys: Vec<String> = r.keys.iter().map(|k| hex(k)).collect();
            println!(
                "checkpoints: {} verified, the last at position {last}, signed by {}",
                r.checkpoints,
                keys.join(", ")
            );
        }
    }
    if let Some(head) = &r.head {
        let covered = r.last_checkpoint.unwrap_or(0);
        if head.position > covered {
            println!(
                "not yet covered by a checkpoint: positions {}–{}",
                covered + 1,
                head.position
            );
        }
    }
}
