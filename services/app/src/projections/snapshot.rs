//! The projection snapshot file: the log the read models were folded from,
//! with their checkpoint, in a compact binary form (MessagePack), in
//! segments that are appended as the log grows:
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `SVPROJ\0\n` |
//! | 4 | format version, little-endian ([`FORMAT`]) |
//! | then, per segment: | |
//! | 8 | segment body length, little-endian |
//! | 8 | checksum of the segment body (64-bit FxHash), little-endian |
//! | … | body: [`Segment`] as MessagePack |
//!
//! The read models are a pure function of the applied events and their
//! envelopes (position, time, actor), so the snapshot keeps exactly that —
//! each event as the log keeps it (the JSON the store gave, with its schema
//! version), read back by the domain's decoder with its upcasters — and
//! loading folds them again, decoding on one thread while applying on
//! another. No view is serialized: a field added to a view or to the models
//! needs no snapshot code, and a snapshot can never be read into the wrong
//! field. It is smaller than the store (no event ids, stream names, metadata
//! or indices); see docs/benchmarks.md "Snapshots".
//!
//! The log only grows, so a snapshot after the first appends one segment
//! with the entries applied since the last one (and the new checkpoint),
//! then syncs: its cost follows what is new, not the whole log. The first
//! snapshot of a process (unless it loaded this file), the first after the
//! models were rebuilt, and any after the file changed behind the server's
//! back are written whole: one segment, into a temp file renamed over the
//! old one.
//!
//! Loading reads the segments in order; each one's entries must continue
//! where the one before ended. A last segment cut short (a crash while it
//! was appended) is left out: the models load at the checkpoint before it
//! and the next snapshot rewrites the file. A file with another magic (e.g.
//! the JSON snapshot of earlier builds), another format, no whole segment,
//! a segment whose checksum does not match, a body this build cannot read,
//! or an event it cannot decode is ignored: the models are rebuilt from the
//! log.

use chrono::{DateTime, Utc};
use samverkan_domain::AnyEvent;
use serde::{Deserialize, Serialize};
use std::hash::Hasher;

use super::model::{Envelope, ReadModels};

/// 5: segments, appended as the log grows; 4: one body, the events' JSON as
/// stored (at their stored schema version); 3: the applied log in
/// MessagePack with a header, each event re-encoded at its current version;
/// 2 and before were the whole read models as JSON.
pub(crate) const FORMAT: u32 = 5;
const MAGIC: &[u8; 8] = b"SVPROJ\0\n";
/// Magic and format.
const HEADER: usize = 8 + 4;
/// A segment's length and checksum.
const SEGMENT_HEADER: usize = 8 + 8;
/// Entries copied per hold of the read lock.
const COPY_CHUNK: usize = 1_024;

/// One segment: the entries from index `first` of the log on, and the
/// checkpoint after them.
#[derive(Serialize, Deserialize)]
struct Segment<E> {
    /// Index in the log of the segment's first entry (the entries of the
    /// segments before it).
    first: u64,
    /// Position of the last event applied or skipped.
    checkpoint: Option<u64>,
    /// Events skipped (unknown type or version) up to the checkpoint.
    skipped: u64,
    /// The applied events, in log order.
    log: Vec<E>,
}

/// One applied event: position, recorded at (seconds since the epoch and
/// nanoseconds, UTC), event type, schema version, the event's JSON, actor,
/// actor role.
type OwnedEntry = (u64, (i64, u32), String, u32, String, Option<String>, Option<String>);

/// What the file on disk holds, as the last snapshot written or loaded left
/// it: the next snapshot appends to it when the models are the same ones
/// (same log generation) and the file still has this length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OnDisk {
    pub generation: u64,
    /// Log entries in the file.
    pub entries: usize,
    pub checkpoint: Option<u64>,
    /// The file's length in bytes.
    pub len: u64,
}

/// A consistent copy of what the snapshot needs, taken under short holds of
/// the read lock (the log only grows): the entries from `first` on.
pub(crate) struct LogCopy {
    generation: u64,
    first: usize,
    checkpoint: Option<u64>,
    skipped: u64,
    log: Vec<OwnedEntry>,
}

impl LogCopy {
    /// Entries copied.
    pub fn entries(&self) -> usize {
        self.log.len()
    }

    /// Whether it continues the file it was copied after (it holds the
    /// entries from there on), or must be written whole (from the start).
    pub fn appends(&self) -> bool {
        self.first > 0
    }
}

/// Copy the models' log and checkpoint with `read` (a read-lock guard per
/// call), at most [`COPY_CHUNK`] entries per hold: the entries after what
/// `on_disk` holds when it describes these models' log, else all of them.
/// `None` when the models were replaced meanwhile (a rebuild from the start).
pub(crate) fn copy<'a, G: std::ops::Deref<Target = ReadModels> + 'a>(
    read: impl Fn() -> G,
    on_disk: Option<OnDisk>,
) -> Option<LogCopy> {
    let (checkpoint, skipped, len, generation) = {
        let m = read();
        (m.checkpoint, m.skipped, m.log.len(), m.log.generation())
    };
    let first = match on_disk {
        Some(d) if d.generation == generation && d.entries <= len => d.entries,
        _ => 0,
    };
    let mut log = Vec::with_capacity(len - first);
    while first + log.len() < len {
        let m = read();
        if m.log.generation() != generation || m.log.len() < len {
            return None;
        }
        let from = first + log.len();
        let end = (from + COPY_CHUNK).min(len);
        for i in from..end {
            let e = m.log.get(i as u32)?;
            let (t, v, data) = m.log.raw(e);
            log.push((
                e.at.position,
                (e.at.recorded_at.timestamp(), e.at.recorded_at.timestamp_subsec_nanos()),
                t.to_string(),
                v,
                String::from_utf8_lossy(data).into_owned(),
                m.log.actor(e).map(str::to_string),
                m.log.actor_role(e).map(str::to_string),
            ));
        }
    }
    Some(LogCopy {
        generation,
        first,
        checkpoint,
        skipped,
        log,
    })
}

/// Why a snapshot file is not used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Unusable {
    #[error("the file is not a binary projection snapshot (an older JSON snapshot, or something else)")]
    NotASnapshot,
    #[error("the snapshot has format {0}; this build reads format {FORMAT}")]
    OtherFormat(u32),
    #[error("the snapshot holds no whole segment (it was cut short)")]
    Empty,
    #[error("the checksum of the snapshot's segment at byte {0} does not match its body (corrupt)")]
    Checksum(usize),
    #[error("the snapshot's body cannot be read by this build: {0}")]
    Body(String),
    #[error("an event in the snapshot at position {position} cannot be read by this build: {error}")]
    Event { position: u64, error: String },
}

fn checksum(body: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(body);
    h.finish()
}

/// A copy as one segment, length and checksum in front (serialized without
/// the lock).
pub(crate) fn segment(copy: &LogCopy) -> std::io::Result<Vec<u8>> {
    let body: Segment<&OwnedEntry> = Segment {
        first: copy.first as u64,
        checkpoint: copy.checkpoint,
        skipped: copy.skipped,
        log: copy.log.iter().collect(),
    };
    let body = rmp_serde::to_vec(&body).map_err(std::io::Error::other)?;
    let mut out = Vec::with_capacity(SEGMENT_HEADER + body.len());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&checksum(&body).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// The file's header; a whole file is the header and one segment from the
/// log's start.
pub(crate) fn header() -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out
}

/// What the file holds after `copy` was written (`len`: its new length).
pub(crate) fn on_disk_after(copy: &LogCopy, len: u64) -> OnDisk {
    OnDisk {
        generation: copy.generation,
        entries: copy.first + copy.log.len(),
        checkpoint: copy.checkpoint,
        len,
    }
}

/// Whether a snapshot now would write nothing new.
pub(crate) fn unchanged(copy: &LogCopy, on_disk: Option<OnDisk>) -> bool {
    copy.appends() && copy.log.is_empty() && on_disk.is_some_and(|d| d.checkpoint == copy.checkpoint)
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Read a snapshot file's bytes back into read models: the events are
/// decoded on one thread and applied on another. Also returns what the file
/// holds for them (a last segment cut short is left out of its length).
pub(crate) fn read(bytes: &[u8]) -> Result<(ReadModels, OnDisk), Unusable> {
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return Err(Unusable::NotASnapshot);
    }
    let mut format = [0; 4];
    format.copy_from_slice(&bytes[8..12]);
    let format = u32::from_le_bytes(format);
    if format != FORMAT {
        return Err(Unusable::OtherFormat(format));
    }
    let mut at = HEADER;
    let mut log: Vec<OwnedEntry> = vec![];
    let mut last: Option<(Option<u64>, u64)> = None;
    while bytes.len() - at >= SEGMENT_HEADER {
        let len = usize::try_from(u64_at(bytes, at)).unwrap_or(usize::MAX);
        let Some(body) = bytes.get(at + SEGMENT_HEADER..).and_then(|b| b.get(..len)) else {
            break; // cut short: a crash while it was appended
        };
        if checksum(body) != u64_at(bytes, at + 8) {
            return Err(Unusable::Checksum(at));
        }
        let segment: Segment<OwnedEntry> = rmp_serde::from_slice(body).map_err(|e| Unusable::Body(e.to_string()))?;
        if segment.first != log.len() as u64 {
            return Err(Unusable::Body(format!(
                "the segment at byte {at} starts at entry {}, after {} entries",
                segment.first,
                log.len()
            )));
        }
        log.extend(segment.log);
        last = Some((segment.checkpoint, segment.skipped));
        at += SEGMENT_HEADER + len;
    }
    let Some((checkpoint, skipped)) = last else {
        return Err(Unusable::Empty);
    };
    if at < bytes.len() {
        tracing::info!(
            bytes = bytes.len() - at,
            "the projection snapshot's last segment was cut short; loading the segments before it"
        );
    }
    let mut models = fold(log)?;
    models.checkpoint = checkpoint;
    models.skipped = skipped;
    let on_disk = OnDisk {
        generation: models.log.generation(),
        entries: models.log.len(),
        checkpoint,
        len: at as u64,
    };
    Ok((models, on_disk))
}

/// Decode the entries on one thread, apply them on another.
fn fold(log: Vec<OwnedEntry>) -> Result<ReadModels, Unusable> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(OwnedEntry, AnyEvent)>>(4);
    let mut log = log.into_iter();
    std::thread::scope(|s| {
        let decoder = s.spawn(move || -> Result<(), Unusable> {
            loop {
                let chunk: Vec<OwnedEntry> = log.by_ref().take(4096).collect();
                if chunk.is_empty() {
                    return Ok(());
                }
                let mut decoded = Vec::with_capacity(chunk.len());
                for e in chunk {
                    let event = AnyEvent::decode(&e.2, e.3, e.4.as_bytes()).map_err(|err| Unusable::Event {
                        position: e.0,
                        error: err.to_string(),
                    })?;
                    decoded.push((e, event));
                }
                if tx.send(decoded).is_err() {
                    return Ok(());
                }
            }
        });
        let mut models = ReadModels::default();
        for chunk in rx {
            for (e, event) in chunk {
                let recorded_at = DateTime::<Utc>::from_timestamp(e.1 .0, e.1 .1).ok_or(Unusable::Event {
                    position: e.0,
                    error: "its recording time is out of range".into(),
                })?;
                let env = Envelope {
                    position: e.0,
                    recorded_at,
                    actor: e.5.as_deref(),
                    actor_role: e.6.as_deref(),
                    data: e.4.as_bytes(),
                    schema_version: e.3,
                };
                models.apply(&env, event);
            }
        }
        decoder
            .join()
            .map_err(|_| Unusable::Body("the decoder failed".into()))??;
        Ok(models)
    })
}
