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
//! each event as the log keeps it (its compact form, MessagePack with field
//! names, with its type and schema version; a type whose version changed
//! since makes the snapshot unusable, as the compact form has no upcasters)
//! — and loading folds them again, decoding on one thread while applying on
//! another. No view is serialized: a field added to a view or to the models
//! needs no snapshot code, and a snapshot can never be read into the wrong
//! field. It is smaller than the store (no event ids, stream names, metadata
//! or indices); see docs/benchmarks.md "Snapshots".
//!
//! The log only grows, so a snapshot after the first appends the entries
//! applied since the last one (and the new checkpoint), then syncs: its
//! cost follows what is new, not the whole log. The first snapshot of a
//! process (unless it loaded this file), the first after the models were
//! rebuilt, and any after the file changed behind the server's back are
//! written whole, into a temp file renamed over the old one. Either way a
//! write is a run of segments of at most 8,192 entries, copied, serialized
//! and written one after the other (one segment in memory at a time); all
//! but the last are marked partial, and only the last one's checkpoint is a
//! place to resume at. Once many small appends have left more than 64
//! segments, and more than twice as many as the entries fill, the next
//! snapshot writes the file whole again, so their count stays bounded.
//!
//! Loading reads the segments in order; each one's entries must continue
//! where the one before ended. A write cut short (a crash while it was
//! appended: a segment cut, or partial segments without the last one) is
//! left out: the models load at the checkpoint of the last whole write and
//! the next snapshot rewrites the file. A file with another magic (e.g.
//! the JSON snapshot of earlier builds), another format, no whole segment,
//! a segment whose checksum does not match, a body this build cannot read,
//! or an event it cannot decode is ignored: the models are rebuilt from the
//! log.

use chrono::{DateTime, Utc};
use samverkan_domain::AnyEvent;
use serde::{Deserialize, Serialize};
use serde_bytes::{ByteBuf, Bytes};
use std::hash::Hasher;

use super::model::{Envelope, ReadModels};

/// 6: segments of events in their compact form (MessagePack, as the log
/// keeps them); 5: segments, appended as the log grows, of the events' JSON
/// as stored; 4: one body, the events' JSON as
/// stored (at their stored schema version); 3: the applied log in
/// MessagePack with a header, each event re-encoded at its current version;
/// 2 and before were the whole read models as JSON.
pub(crate) const FORMAT: u32 = 6;
const MAGIC: &[u8; 8] = b"SVPROJ\0\n";
/// Magic and format.
const HEADER: usize = 8 + 4;
/// A segment's length and checksum.
const SEGMENT_HEADER: usize = 8 + 8;
/// Entries copied per hold of the read lock.
const COPY_CHUNK: usize = 1_024;
/// Entries per segment, unless set otherwise (about 1.5 MB of events).
pub(crate) const SEGMENT_ENTRIES: usize = 8_192;

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
    /// Not the last segment of its write: a snapshot written in several
    /// segments marks all but the last, and only the last one's checkpoint
    /// is a place to resume at. (Absent in files written before, where
    /// every segment was a whole write.)
    #[serde(default)]
    partial: bool,
}

/// One applied event: position, recorded at (seconds since the epoch and
/// nanoseconds, UTC), event type, schema version, the event's compact form,
/// actor, actor role.
type OwnedEntry = (u64, (i64, u32), String, u32, ByteBuf, Option<String>, Option<String>);
/// The same, read in place from the file's bytes (no copy of its strings).
type Entry<'a> = (
    u64,
    (i64, u32),
    &'a str,
    u32,
    &'a Bytes,
    Option<&'a str>,
    Option<&'a str>,
);

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
    /// Segments in the file.
    pub segments: usize,
}

impl OnDisk {
    /// Whether the file has so many segments (many small appends) that the
    /// next snapshot should write it whole again: more than 64, and more
    /// than twice what its entries fill at `per_segment` a segment. This
    /// keeps their count, and the work of loading them, bounded.
    pub fn needs_compaction(&self, per_segment: usize) -> bool {
        self.segments > 64 && self.segments > 2 * self.entries.div_ceil(per_segment.max(1))
    }
}

/// What a snapshot will write, decided under one hold of the read lock (the
/// log only grows): the entries from `first` to `end`, and the checkpoint
/// after them. The entries are copied a segment at a time by
/// [`LogCopy::write`].
pub(crate) struct LogCopy {
    generation: u64,
    first: usize,
    end: usize,
    checkpoint: Option<u64>,
    skipped: u64,
}

impl LogCopy {
    /// Entries to write.
    pub fn entries(&self) -> usize {
        self.end - self.first
    }

    /// Whether it continues the file it was copied after (it holds the
    /// entries from there on), or must be written whole (from the start).
    pub fn appends(&self) -> bool {
        self.first > 0
    }

    /// Copy the entries with `read` (a read-lock guard per call, at most
    /// [`COPY_CHUNK`] entries per hold), `per_segment` at a time, and hand
    /// each as a segment (length and checksum in front, serialized without
    /// the lock) to `out`. All but the last segment are marked partial.
    /// Only one segment's entries are held at a time, so the memory and the
    /// writes stay small however long the log is. Returns `false` (having
    /// handed out only partial segments) when the models were replaced
    /// meanwhile (a rebuild from the start).
    pub fn write<'a, G: std::ops::Deref<Target = ReadModels> + 'a>(
        &self,
        read: impl Fn() -> G,
        per_segment: usize,
        mut out: impl FnMut(&[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<bool> {
        let per_segment = per_segment.max(1);
        let mut from = self.first;
        loop {
            let to = (from + per_segment).min(self.end);
            let Some(log) = copy_entries(&read, self.generation, from, to) else {
                return Ok(false);
            };
            let last = to == self.end;
            let body = Segment {
                first: from as u64,
                // A partial segment's checkpoint is that of its last entry.
                checkpoint: if last { self.checkpoint } else { log.last().map(|e| e.0) },
                skipped: self.skipped,
                log,
                partial: !last,
            };
            out(&segment(&body)?)?;
            if last {
                return Ok(true);
            }
            from = to;
        }
    }
}

/// What the models' log holds now and what a snapshot after `on_disk` has
/// to write: the entries after what `on_disk` holds when it describes these
/// models' log, else all of them.
pub(crate) fn copy(models: &ReadModels, on_disk: Option<OnDisk>) -> LogCopy {
    let (end, generation) = (models.log.len(), models.log.generation());
    let first = match on_disk {
        Some(d) if d.generation == generation && d.entries <= end => d.entries,
        _ => 0,
    };
    LogCopy {
        generation,
        first,
        end,
        checkpoint: models.checkpoint,
        skipped: models.skipped,
    }
}

/// The log's entries `from..to`, copied under holds of at most
/// [`COPY_CHUNK`] entries; `None` when the log is no longer `generation`'s.
fn copy_entries<'a, G: std::ops::Deref<Target = ReadModels> + 'a>(
    read: &impl Fn() -> G,
    generation: u64,
    from: usize,
    to: usize,
) -> Option<Vec<OwnedEntry>> {
    let mut log = Vec::with_capacity(to - from);
    while from + log.len() < to {
        let m = read();
        if m.log.generation() != generation || m.log.len() < to {
            return None;
        }
        let start = from + log.len();
        for i in start..(start + COPY_CHUNK).min(to) {
            let e = m.log.get(i as u32)?;
            let (t, v, data) = m.log.raw(e);
            log.push((
                e.position(),
                (
                    e.at().recorded_at.timestamp(),
                    e.at().recorded_at.timestamp_subsec_nanos(),
                ),
                t.to_string(),
                v,
                ByteBuf::from(data),
                m.log.actor(e).map(str::to_string),
                m.log.actor_role(e).map(str::to_string),
            ));
        }
    }
    Some(log)
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

/// A segment, length and checksum in front.
fn segment(body: &Segment<OwnedEntry>) -> std::io::Result<Vec<u8>> {
    let body = rmp_serde::to_vec(body).map_err(std::io::Error::other)?;
    let mut out = Vec::with_capacity(SEGMENT_HEADER + body.len());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&checksum(&body).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// The file's header; a whole file is the header and the segments from the
/// log's start.
pub(crate) fn header() -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out
}

/// What the file holds after `copy` was written (`len`: its new length;
/// `segments`: how many it has now).
pub(crate) fn on_disk_after(copy: &LogCopy, len: u64, segments: usize) -> OnDisk {
    OnDisk {
        generation: copy.generation,
        entries: copy.end,
        checkpoint: copy.checkpoint,
        len,
        segments,
    }
}

/// Whether a snapshot now would write nothing new.
pub(crate) fn unchanged(copy: &LogCopy, on_disk: Option<OnDisk>) -> bool {
    copy.appends() && copy.entries() == 0 && on_disk.is_some_and(|d| d.checkpoint == copy.checkpoint)
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Read a snapshot file's bytes back into read models: the segments are
/// checked, deserialized (their strings read in place, not copied: memory
/// freed on another thread than the one that allocated it costs both) and
/// their events decoded on one thread while the events are applied on
/// another. Also returns what the file holds for them
/// (a write cut short is left out of its length).
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
    // The segments whose bodies are all there (offset, body length).
    let mut segments = vec![];
    let mut at = HEADER;
    while bytes.len() - at >= SEGMENT_HEADER {
        let len = usize::try_from(u64_at(bytes, at)).unwrap_or(usize::MAX);
        if bytes.len() - at - SEGMENT_HEADER < len {
            break; // cut short: a crash while it was appended
        }
        segments.push((at, len));
        at += SEGMENT_HEADER + len;
    }
    // Only the last write can have been cut short: leave out its partial
    // segments (those after the last one that ends a write).
    let last = loop {
        let Some(&(at, len)) = segments.last() else {
            return Err(Unusable::Empty);
        };
        let segment = body(bytes, at, len)?;
        if !segment.partial {
            break segment;
        }
        segments.pop();
    };
    let end = segments.last().map_or(HEADER, |&(at, len)| at + SEGMENT_HEADER + len);
    if end < bytes.len() {
        tracing::info!(
            bytes = bytes.len() - end,
            "the projection snapshot's last write was cut short; loading the segments before it"
        );
    }
    let (checkpoint, skipped) = (last.checkpoint, last.skipped);
    let count = segments.len();
    segments.pop();
    let mut models = fold(bytes, &segments, last)?;
    models.checkpoint = checkpoint;
    models.skipped = skipped;
    let on_disk = OnDisk {
        generation: models.log.generation(),
        entries: models.log.len(),
        checkpoint,
        len: end as u64,
        segments: count,
    };
    Ok((models, on_disk))
}

/// The segment at `at` (body of `len` bytes), its checksum checked.
fn body(bytes: &[u8], at: usize, len: usize) -> Result<Segment<Entry<'_>>, Unusable> {
    let body = &bytes[at + SEGMENT_HEADER..at + SEGMENT_HEADER + len];
    if checksum(body) != u64_at(bytes, at + 8) {
        return Err(Unusable::Checksum(at));
    }
    rmp_serde::from_slice(body).map_err(|e| Unusable::Body(e.to_string()))
}

/// Fold the `segments` of `bytes` and then `last` (already read): one
/// thread reads each segment and decodes its events, the other applies
/// them. Each segment must start where the one before it ended.
fn fold<'a>(bytes: &'a [u8], segments: &[(usize, usize)], last: Segment<Entry<'a>>) -> Result<ReadModels, Unusable> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(Entry<'a>, AnyEvent)>>(4);
    std::thread::scope(|s| {
        let decoder = s.spawn(move || -> Result<(), Unusable> {
            let mut entries = 0u64;
            let mut read = segments.iter().map(|&(at, len)| body(bytes, at, len).map(|b| (at, b)));
            let mut last = Some((
                segments.last().map_or(HEADER, |&(at, len)| at + SEGMENT_HEADER + len),
                last,
            ));
            loop {
                let (at, segment) = match read.next() {
                    Some(next) => next?,
                    None => match last.take() {
                        Some(last) => last,
                        None => return Ok(()),
                    },
                };
                if segment.first != entries {
                    return Err(Unusable::Body(format!(
                        "the segment at byte {at} starts at entry {}, after {entries} entries",
                        segment.first
                    )));
                }
                entries += segment.log.len() as u64;
                let mut log = segment.log.into_iter();
                loop {
                    let mut decoded = Vec::with_capacity(4096);
                    for e in log.by_ref().take(4096) {
                        let event = AnyEvent::from_compact(e.2, e.3, e.4).map_err(|err| Unusable::Event {
                            position: e.0,
                            error: err.to_string(),
                        })?;
                        decoded.push((e, event));
                    }
                    if decoded.is_empty() {
                        break;
                    }
                    if tx.send(decoded).is_err() {
                        return Ok(());
                    }
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
                    actor: e.5,
                    actor_role: e.6,
                    compact: Some(e.4),
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
