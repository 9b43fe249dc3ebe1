//! Walking the chain: events in log order and the checkpoints, stopping at
//! the first broken link (`samverkan verify`, the proofs' tests).

use std::collections::{HashMap, VecDeque};
use std::fmt;

use super::{event_digest, hex, link, ChainHead, ChainedEvent, Checkpoint, EventFields, Hash, GENESIS};

/// The first thing found wrong, located by log position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The event's stored link is not the one its fields and the previous
    /// link give (a changed byte anywhere in the event, or a changed link).
    HashMismatch {
        position: u64,
        stored: Option<Hash>,
        computed: Hash,
    },
    /// A position is missing: after `expected - 1` comes `found`.
    MissingPosition { expected: u64, found: u64 },
    /// Positions go back or repeat: `found` after `after`.
    OutOfOrder { after: u64, found: u64 },
    /// The event's version does not continue its stream (events reordered
    /// or dropped within a stream).
    StreamOrder {
        position: u64,
        stream: String,
        version: u64,
        expected: u64,
    },
    /// The recorded time goes back along the log.
    RecordedTimeBack { position: u64 },
    /// A checkpoint signed a link the chain does not have at its position:
    /// events at or before it (after the previous checkpoint) were changed
    /// and their links recomputed, or the checkpoint was forged.
    CheckpointMismatch {
        position: u64,
        signed: Hash,
        chain: Hash,
        since: u64,
    },
    /// A checkpoint whose signature does not verify.
    BadSignature { position: u64 },
    /// A checkpoint signed by a key the verifier was not told to trust.
    UnknownKey { position: u64, key: [u8; 32] },
    /// A checkpoint beyond the last event (events at the end are gone).
    CheckpointBeyondHead { position: u64, head: u64 },
    /// The event row at this position cannot be decoded (a column of the
    /// wrong type or size): its fields, and so its link, cannot be computed.
    Unreadable { position: u64, reason: String },
}

impl Finding {
    /// The log position the finding is at.
    pub fn position(&self) -> u64 {
        match self {
            Finding::HashMismatch { position, .. }
            | Finding::StreamOrder { position, .. }
            | Finding::RecordedTimeBack { position }
            | Finding::CheckpointMismatch { position, .. }
            | Finding::BadSignature { position }
            | Finding::UnknownKey { position, .. }
            | Finding::CheckpointBeyondHead { position, .. }
            | Finding::Unreadable { position, .. } => *position,
            Finding::MissingPosition { expected, .. } => *expected,
            Finding::OutOfOrder { found, .. } => *found,
        }
    }

    /// A short name of the kind: `hash mismatch`, `missing position`,
    /// `order`, `checkpoint mismatch`, `bad signature`, `unknown key`,
    /// `checkpoint beyond head` (what the Python verifier prints too), and
    /// `unreadable row` (a row of the store that cannot be decoded, which an
    /// export cannot hold: the Python verifier then sees a `missing position`).
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::HashMismatch { .. } => "hash mismatch",
            Finding::MissingPosition { .. } => "missing position",
            Finding::OutOfOrder { .. } | Finding::StreamOrder { .. } | Finding::RecordedTimeBack { .. } => "order",
            Finding::CheckpointMismatch { .. } => "checkpoint mismatch",
            Finding::BadSignature { .. } => "bad signature",
            Finding::UnknownKey { .. } => "unknown key",
            Finding::CheckpointBeyondHead { .. } => "checkpoint beyond head",
            Finding::Unreadable { .. } => "unreadable row",
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "position {}: {}: ", self.position(), self.kind())?;
        match self {
            Finding::HashMismatch { stored, computed, .. } => write!(
                f,
                "the stored link is {} but the event's fields and the previous link give {}",
                stored.as_ref().map_or_else(|| "missing".to_string(), |h| hex(h)),
                hex(computed)
            ),
            Finding::MissingPosition { expected, found } => write!(
                f,
                "after position {} comes position {found}; the event at {expected} is missing",
                expected - 1
            ),
            Finding::OutOfOrder { after, found } => write!(f, "position {found} comes after position {after}"),
            Finding::StreamOrder {
                stream,
                version,
                expected,
                ..
            } => write!(
                f,
                "the event has version {version} in stream `{stream}`, which is at version {expected} there \
                 (events reordered or dropped)"
            ),
            Finding::RecordedTimeBack { .. } => write!(f, "the recorded time is earlier than the event before"),
            Finding::CheckpointMismatch {
                signed, chain, since, ..
            } => write!(
                f,
                "the checkpoint signed the link {} but the chain has {} there: an event after position {since} \
                 and up to here was changed",
                hex(signed),
                hex(chain)
            ),
            Finding::BadSignature { .. } => write!(f, "the checkpoint's signature does not verify"),
            Finding::UnknownKey { key, .. } => {
                write!(
                    f,
                    "the checkpoint is signed by the key {}, which is not trusted",
                    hex(key)
                )
            }
            Finding::CheckpointBeyondHead { head, .. } => write!(
                f,
                "a checkpoint names this position but the log ends at {head}: events at its end are missing"
            ),
            Finding::Unreadable { reason, .. } => write!(
                f,
                "the stored row cannot be decoded ({reason}), so neither its fields nor its link can be checked"
            ),
        }
    }
}

/// What a walk over a sound chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub events: u64,
    pub head: Option<ChainHead>,
    pub checkpoints: u64,
    /// The newest checkpoint's position.
    pub last_checkpoint: Option<u64>,
    /// The keys the checkpoints were signed with.
    pub keys: Vec<[u8; 32]>,
}

/// Walks events in log order (feed them with [`Verifier::push`]) against
/// the checkpoints it was given.
pub struct Verifier {
    trusted: Option<Vec<[u8; 32]>>,
    checkpoints: VecDeque<Checkpoint>,
    prev_position: u64,
    prev: Hash,
    streams: HashMap<String, u64>,
    last_recorded: i64,
    events: u64,
    checked: u64,
    last_checkpoint: Option<u64>,
    keys: Vec<[u8; 32]>,
    dense: bool,
}

impl Verifier {
    /// `trusted`: the public keys checkpoints must be signed with (`None`:
    /// any key whose signature verifies; the report lists them).
    pub fn new(mut checkpoints: Vec<Checkpoint>, trusted: Option<Vec<[u8; 32]>>) -> Self {
        checkpoints.sort_by_key(|c| c.position);
        Self {
            trusted,
            checkpoints: checkpoints.into(),
            prev_position: 0,
            prev: GENESIS,
            streams: HashMap::new(),
            last_recorded: i64::MIN,
            events: 0,
            checked: 0,
            last_checkpoint: None,
            keys: Vec::new(),
            dense: true,
        }
    }

    /// For a store whose positions are not dense (KurrentDB): positions must
    /// still increase, but a jump is no [`Finding::MissingPosition`]; an
    /// event dropped from the log still shows, as the next event's link no
    /// longer follows (a [`Finding::HashMismatch`]).
    pub fn sparse_positions(mut self) -> Self {
        self.dense = false;
        self
    }

    /// The next event of the log.
    pub fn push(&mut self, e: &ChainedEvent) -> Result<(), Finding> {
        let ev = &e.event;
        let position = ev.position;
        if position <= self.prev_position {
            return Err(Finding::OutOfOrder {
                after: self.prev_position,
                found: position,
            });
        }
        if self.dense && position != self.prev_position + 1 {
            return Err(Finding::MissingPosition {
                expected: self.prev_position + 1,
                found: position,
            });
        }
        let expected = self.streams.get(&ev.stream).map_or(0, |v| v + 1);
        if ev.version != expected {
            return Err(Finding::StreamOrder {
                position,
                stream: ev.stream.clone(),
                version: ev.version,
                expected,
            });
        }
        let recorded = ev.recorded_at.timestamp_micros();
        if recorded < self.last_recorded {
            return Err(Finding::RecordedTimeBack { position });
        }
        let computed = link(&self.prev, &event_digest(&EventFields::from(ev)));
        if e.hash != Some(computed) {
            return Err(Finding::HashMismatch {
                position,
                stored: e.hash,
                computed,
            });
        }
        while let Some(cp) = self.checkpoints.front().copied() {
            if cp.position > position {
                break;
            }
            self.checkpoints.pop_front();
            self.check(&cp, position, &computed)?;
        }
        self.streams.insert(ev.stream.clone(), ev.version);
        self.last_recorded = recorded;
        self.prev_position = position;
        self.prev = computed;
        self.events += 1;
        Ok(())
    }

    fn check(&mut self, cp: &Checkpoint, position: u64, chain: &Hash) -> Result<(), Finding> {
        if let Some(trusted) = &self.trusted {
            if !trusted.contains(&cp.key) {
                return Err(Finding::UnknownKey {
                    position: cp.position,
                    key: cp.key,
                });
            }
        }
        if !cp.signature_valid() {
            return Err(Finding::BadSignature { position: cp.position });
        }
        if cp.position != position || cp.hash != *chain {
            return Err(Finding::CheckpointMismatch {
                position: cp.position,
                signed: cp.hash,
                chain: *chain,
                since: self.last_checkpoint.unwrap_or(0),
            });
        }
        if !self.keys.contains(&cp.key) {
            self.keys.push(cp.key);
        }
        self.checked += 1;
        self.last_checkpoint = Some(cp.position);
        Ok(())
    }

    /// The end of the log: checkpoints beyond it are findings.
    pub fn finish(mut self) -> Result<ChainReport, Finding> {
        if let Some(cp) = self.checkpoints.pop_front() {
            if let Some(trusted) = &self.trusted {
                if !trusted.contains(&cp.key) {
                    return Err(Finding::UnknownKey {
                        position: cp.position,
                        key: cp.key,
                    });
                }
            }
            if !cp.signature_valid() {
                return Err(Finding::BadSignature { position: cp.position });
            }
            return Err(Finding::CheckpointBeyondHead {
                position: cp.position,
                head: self.prev_position,
            });
        }
        Ok(ChainReport {
            events: self.events,
            head: (self.prev_position > 0).then_some(ChainHead {
                position: self.prev_position,
                hash: self.prev,
            }),
            checkpoints: self.checked,
            last_checkpoint: self.last_checkpoint,
            keys: self.keys,
        })
    }
}
