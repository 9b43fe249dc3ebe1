//! Tamper evidence: every stored event carries a hash chained to the one
//! before it in the global log, and signed checkpoints pin the chain's head.
//!
//! ```text
//! digest(e)  = SHA-256(canonical encoding of e)          (see `encode`)
//! link(0)    = 32 zero bytes
//! link(n)    = SHA-256(link(n-1) || digest(event at position n))
//! ```
//!
//! A checkpoint is an Ed25519 signature over
//! `"SVKE-CHECKPOINT-1" || position (u64 BE) || link(position) || signed_at (i64 BE, µs)`.
//! Chaining digests (not encodings) lets a proof for one event carry only
//! the digests of the events between it and a checkpoint: never their
//! bodies. The exact byte layout is in `docs/eventstore.md` ("Tamper
//! evidence"), for verifiers written elsewhere (`infra/scripts/verify_chain.py`).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{EventMetadata, RecordedEvent};

mod verify;

pub use verify::{ChainReport, Finding, Verifier};

/// A SHA-256 value.
pub type Hash = [u8; 32];

/// The link before the first event.
pub const GENESIS: Hash = [0; 32];

/// What every event digest's encoding starts with.
pub const EVENT_TAG: &[u8] = b"SVKE-EVENT-1";
/// What every checkpoint's signed message starts with.
pub const CHECKPOINT_TAG: &[u8] = b"SVKE-CHECKPOINT-1";

/// The fields of a stored event that its digest covers.
#[derive(Debug, Clone, Copy)]
pub struct EventFields<'a> {
    pub position: u64,
    pub stream: &'a str,
    pub version: u64,
    pub id: &'a Uuid,
    pub event_type: &'a str,
    pub schema_version: u32,
    pub data: &'a [u8],
    pub metadata: &'a EventMetadata,
    /// Microseconds since the Unix epoch, UTC (what both backends keep).
    pub recorded_at_micros: i64,
}

impl<'a> From<&'a RecordedEvent> for EventFields<'a> {
    fn from(e: &'a RecordedEvent) -> Self {
        EventFields {
            position: e.position,
            stream: &e.stream,
            version: e.version,
            id: &e.id,
            event_type: &e.event_type,
            schema_version: e.schema_version,
            data: &e.data,
            metadata: &e.metadata,
            recorded_at_micros: e.recorded_at.timestamp_micros(),
        }
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    // Lengths are u32: the store refuses nothing that long (a body over 4 GiB
    // cannot be appended through any client), and the encoding says so.
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_bytes(out, s.as_bytes());
        }
    }
}

fn put_opt_uuid(out: &mut Vec<u8>, u: Option<&Uuid>) {
    match u {
        None => out.push(0),
        Some(u) => {
            out.push(1);
            out.extend_from_slice(u.as_bytes());
        }
    }
}

/// The canonical encoding of an event (version 1), in this order: the tag
/// `SVKE-EVENT-1`; position (u64 BE); stream (str); version (u64 BE); id (16
/// bytes); type (str); schema version (u32 BE); body (bytes); actor,
/// actor role (opt str); causation id, correlation id (opt uuid); trace id,
/// command fingerprint (opt str); recorded time (i64 BE, µs since the epoch).
/// str/bytes = u32 BE length + the bytes (UTF-8 for str); opt = one byte 0
/// (absent) or 1 followed by the value.
pub fn encode(e: &EventFields<'_>) -> Vec<u8> {
    let m = e.metadata;
    let mut out = Vec::with_capacity(128 + e.data.len() + e.stream.len() + e.event_type.len());
    out.extend_from_slice(EVENT_TAG);
    out.extend_from_slice(&e.position.to_be_bytes());
    put_bytes(&mut out, e.stream.as_bytes());
    out.extend_from_slice(&e.version.to_be_bytes());
    out.extend_from_slice(e.id.as_bytes());
    put_bytes(&mut out, e.event_type.as_bytes());
    out.extend_from_slice(&e.schema_version.to_be_bytes());
    put_bytes(&mut out, e.data);
    put_opt_str(&mut out, m.actor.as_deref());
    put_opt_str(&mut out, m.actor_role.as_deref());
    put_opt_uuid(&mut out, m.causation_id.as_ref());
    put_opt_uuid(&mut out, m.correlation_id.as_ref());
    put_opt_str(&mut out, m.trace_id.as_deref());
    put_opt_str(&mut out, m.command_fingerprint.as_deref());
    out.extend_from_slice(&e.recorded_at_micros.to_be_bytes());
    out
}

/// SHA-256 of the event's canonical encoding.
pub fn event_digest(e: &EventFields<'_>) -> Hash {
    Sha256::digest(encode(e)).into()
}

/// The chain link after `prev` for an event with digest `digest`.
pub fn link(prev: &Hash, digest: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(digest);
    h.finalize().into()
}

/// The link of the event `e` that follows the link `prev`.
pub fn next_link(prev: &Hash, e: &EventFields<'_>) -> Hash {
    link(prev, &event_digest(e))
}

/// A stored event with the chain link the store holds for it (`None`: the
/// row has none, which only a damaged or tampered store shows).
#[derive(Debug, Clone, PartialEq)]
pub struct ChainedEvent {
    pub event: RecordedEvent,
    pub hash: Option<Hash>,
}

/// The chain's head: the newest event's position and link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    pub position: u64,
    pub hash: Hash,
}

/// A signed checkpoint: the server's Ed25519 signature over the chain's
/// head at `position` (see [`checkpoint_message`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    pub position: u64,
    pub hash: Hash,
    pub signed_at: DateTime<Utc>,
    /// The Ed25519 public key that made the signature.
    pub key: [u8; 32],
    pub signature: [u8; 64],
}

/// The bytes a checkpoint signs: `SVKE-CHECKPOINT-1`, position (u64 BE),
/// link (32 bytes), signing time (i64 BE, µs since the epoch).
pub fn checkpoint_message(position: u64, hash: &Hash, signed_at: DateTime<Utc>) -> Vec<u8> {
    let mut out = Vec::with_capacity(CHECKPOINT_TAG.len() + 8 + 32 + 8);
    out.extend_from_slice(CHECKPOINT_TAG);
    out.extend_from_slice(&position.to_be_bytes());
    out.extend_from_slice(hash);
    out.extend_from_slice(&signed_at.timestamp_micros().to_be_bytes());
    out
}

impl Checkpoint {
    /// Whether the signature is the key's over this checkpoint's message.
    pub fn signature_valid(&self) -> bool {
        let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&self.key) else {
            return false;
        };
        let signature = ed25519_dalek::Signature::from_bytes(&self.signature);
        key.verify_strict(
            &checkpoint_message(self.position, &self.hash, self.signed_at),
            &signature,
        )
        .is_ok()
    }
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// Parses hex into exactly `N` bytes.
pub fn from_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.trim();
    if s.len() != N * 2 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// Parses hex of any even length.
pub fn from_hex_vec(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoding_is_fixed() {
        // A fixed event; the expected digest is also computed by
        // infra/scripts/verify_chain.py's self-test.
        let id = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let metadata = EventMetadata {
            actor: Some("dev-admin".into()),
            actor_role: None,
            causation_id: Some(Uuid::from_u128(1)),
            correlation_id: None,
            trace_id: None,
            command_fingerprint: Some("sha256:ab".into()),
        };
        let fields = EventFields {
            position: 1,
            stream: "s-1",
            version: 0,
            id: &id,
            event_type: "Happened",
            schema_version: 1,
            data: b"{}",
            metadata: &metadata,
            recorded_at_micros: 1_700_000_000_000_000,
        };
        let bytes = encode(&fields);
        let mut expected = b"SVKE-EVENT-1".to_vec();
        expected.extend_from_slice(&1u64.to_be_bytes());
        expected.extend_from_slice(&[0, 0, 0, 3]);
        expected.extend_from_slice(b"s-1");
        expected.extend_from_slice(&0u64.to_be_bytes());
        expected.extend_from_slice(id.as_bytes());
        expected.extend_from_slice(&[0, 0, 0, 8]);
        expected.extend_from_slice(b"Happened");
        expected.extend_from_slice(&1u32.to_be_bytes());
        expected.extend_from_slice(&[0, 0, 0, 2]);
        expected.extend_from_slice(b"{}");
        expected.extend_from_slice(&[1, 0, 0, 0, 9]);
        expected.extend_from_slice(b"dev-admin");
        expected.push(0);
        expected.push(1);
        expected.extend_from_slice(Uuid::from_u128(1).as_bytes());
        expected.push(0);
        expected.push(0);
        expected.extend_from_slice(&[1, 0, 0, 0, 9]);
        expected.extend_from_slice(b"sha256:ab");
        expected.extend_from_slice(&1_700_000_000_000_000i64.to_be_bytes());
        assert_eq!(bytes, expected);
        let first = next_link(&GENESIS, &fields);
        assert_ne!(first, GENESIS);
        assert_eq!(first, link(&GENESIS, &event_digest(&fields)));
    }

    #[test]
    fn hex_round_trips() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(hex(&bytes), "0001abff");
        assert_eq!(from_hex::<4>("0001abff"), Some(bytes));
        assert_eq!(from_hex::<4>("0001abf"), None);
        assert_eq!(from_hex::<4>("0001abfg"), None);
        assert_eq!(from_hex_vec("0001abff"), Some(bytes.to_vec()));
    }
}
