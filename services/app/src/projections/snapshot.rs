//! The projection snapshot file: the log the read models were folded from,
//! with their checkpoint, in a compact binary form (MessagePack), behind a
//! header that names the format and guards the body:
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `SVPROJ\0\n` |
//! | 4 | format version, little-endian ([`FORMAT`]) |
//! | 8 | body length, little-endian |
//! | 8 | checksum of the body (64-bit FxHash), little-endian |
//! | … | body: [`Body`] as MessagePack |
//!
//! The read models are a pure function of the applied events and their
//! envelopes (position, time, actor), so the snapshot keeps exactly that —
//! each event as the log keeps it (the JSON the store gave, with its schema
//! version), read back by the domain's decoder with its upcasters — and loading folds them again, decoding on one thread while
//! applying on another. No view is serialized: a field added to a view or
//! to the models needs no snapshot code, and a snapshot can never be read
//! into the wrong field. It is smaller than the store (no event ids, stream
//! names, metadata or indices) and loads faster than a rebuild (no store
//! reads); see docs/benchmarks.md "Snapshots".
//!
//! A file with another magic (e.g. the JSON snapshot of earlier builds),
//! another format, another length or checksum, a body this build cannot
//! read, or an event it cannot decode is ignored: the models are rebuilt
//! from the log.

use chrono::{DateTime, Utc};
use samverkan_domain::AnyEvent;
use serde::{Deserialize, Serialize};
use std::hash::Hasher;
use std::io::Write;

use super::model::{Envelope, ReadModels};

/// 4: the events' JSON as stored (at their stored schema version); 3: the
/// applied log in MessagePack with a header, each event re-encoded at its
/// current version; 2 and before were the whole read models as JSON.
pub(crate) const FORMAT: u32 = 4;
const MAGIC: &[u8; 8] = b"SVPROJ\0\n";
const HEADER: usize = 8 + 4 + 8 + 8;
/// Entries copied per hold of the read lock.
const COPY_CHUNK: usize = 1_024;

/// What a snapshot holds.
#[derive(Serialize, Deserialize)]
struct Body<E> {
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

/// A consistent copy of what the snapshot needs, taken under short holds of
/// the read lock (the log only grows).
pub(crate) struct Copy {
    checkpoint: Option<u64>,
    skipped: u64,
    log: Vec<OwnedEntry>,
}

/// Copy the models' log and checkpoint with `read` (a read-lock guard per
/// call), at most [`COPY_CHUNK`] entries per hold. `None` when the models
/// were replaced meanwhile (a rebuild from the start).
pub(crate) fn copy<'a, G: std::ops::Deref<Target = ReadModels> + 'a>(read: impl Fn() -> G) -> Option<Copy> {
    let (checkpoint, skipped, len, generation) = {
        let m = read();
        (m.checkpoint, m.skipped, m.log.len(), m.log.generation())
    };
    let mut log = Vec::with_capacity(len);
    while log.len() < len {
        let m = read();
        if m.log.generation() != generation || m.log.len() < len {
            return None;
        }
        let end = (log.len() + COPY_CHUNK).min(len);
        for i in log.len()..end {
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
    Some(Copy {
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
    #[error("the snapshot is truncated or has trailing bytes ({actual} body bytes, the header says {expected})")]
    Length { expected: u64, actual: u64 },
    #[error("the snapshot's checksum does not match its body (corrupt)")]
    Checksum,
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

/// Serialize a copy (this runs without the lock) into the snapshot format.
pub(crate) fn write(w: &mut dyn Write, copy: &Copy) -> std::io::Result<()> {
    let body: Body<&OwnedEntry> = Body {
        checkpoint: copy.checkpoint,
        skipped: copy.skipped,
        log: copy.log.iter().collect(),
    };
    let body = rmp_serde::to_vec(&body).map_err(std::io::Error::other)?;
    w.write_all(MAGIC)?;
    w.write_all(&FORMAT.to_le_bytes())?;
    w.write_all(&(body.len() as u64).to_le_bytes())?;
    w.write_all(&checksum(&body).to_le_bytes())?;
    w.write_all(&body)
}

/// Read a snapshot file's bytes back into read models: the events are
/// decoded on one thread and applied on another.
pub(crate) fn read(bytes: &[u8]) -> Result<ReadModels, Unusable> {
    let field = |at: usize| -> [u8; 8] {
        let mut b = [0; 8];
        b.copy_from_slice(&bytes[at..at + 8]);
        b
    };
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return Err(Unusable::NotASnapshot);
    }
    let mut format = [0; 4];
    format.copy_from_slice(&bytes[8..12]);
    let format = u32::from_le_bytes(format);
    if format != FORMAT {
        return Err(Unusable::OtherFormat(format));
    }
    let expected = u64::from_le_bytes(field(12));
    let body = &bytes[HEADER..];
    if body.len() as u64 != expected {
        return Err(Unusable::Length {
            expected,
            actual: body.len() as u64,
        });
    }
    if checksum(body) != u64::from_le_bytes(field(20)) {
        return Err(Unusable::Checksum);
    }
    let body: Body<OwnedEntry> = rmp_serde::from_slice(body).map_err(|e| Unusable::Body(e.to_string()))?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(OwnedEntry, AnyEvent)>>(4);
    let mut log = body.log.into_iter();
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
        models.checkpoint = body.checkpoint;
        models.skipped = body.skipped;
        Ok(models)
    })
}
