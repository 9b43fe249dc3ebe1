//! The hash chain of a KurrentDB store, as plain data: the link events of
//! the companion stream (`samverkan-chain`, one per log event in `$all`
//! order) and the checkpoint events (`samverkan-checkpoints`), and how
//! events read from `$all` are paired with their links. Nothing here talks
//! to the server (`chain.rs` does), so all of it is tested without one.

use chrono::DateTime;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::chain::{from_hex, hex, next_link, ChainedEvent, Checkpoint, EventFields, Hash};
use crate::RecordedEvent;

/// The companion stream holding one link per log event.
pub const CHAIN_STREAM: &str = "samverkan-chain";
/// The companion stream holding the signed checkpoints.
pub const CHECKPOINT_STREAM: &str = "samverkan-checkpoints";
/// What the companion streams' event types start with: `$all` reads and
/// subscriptions leave these out (like system events), whatever stream
/// they are in.
pub const COMPANION_TYPE_PREFIX: &str = "samverkan.chain.";
/// The event type of a link event.
pub const LINK_TYPE: &str = "samverkan.chain.link";
/// The event type of a checkpoint event.
pub const CHECKPOINT_TYPE: &str = "samverkan.chain.checkpoint";

/// Whether an event of this type belongs to a companion stream.
pub fn is_companion_type(event_type: &str) -> bool {
    event_type.starts_with(COMPANION_TYPE_PREFIX)
}

/// The server-side filter regex for `$all`: no system event (`$`-prefixed
/// type) and no companion event.
pub fn user_event_type_regex() -> String {
    format!("^(?!\\$)(?!{}).+", COMPANION_TYPE_PREFIX.replace('.', "\\."))
}

/// One link event: the log event it covers (by position, id, stream and
/// version) and its chain link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkRecord {
    pub position: u64,
    pub event_id: Uuid,
    pub stream: String,
    pub version: u64,
    /// The link, lower-case hex.
    pub hash: String,
}

impl LinkRecord {
    /// The link of `event`, following `prev`.
    pub fn for_event(prev: &Hash, event: &RecordedEvent) -> (Self, Hash) {
        let hash = next_link(prev, &EventFields::from(event));
        (
            LinkRecord {
                position: event.position,
                event_id: event.id,
                stream: event.stream.clone(),
                version: event.version,
                hash: hex(&hash),
            },
            hash,
        )
    }

    /// The link, if the record's hex is one.
    pub fn link(&self) -> Option<Hash> {
        from_hex::<32>(&self.hash)
    }

    /// The id of the link event: derived from the event's, so a retried
    /// link write is deduplicated by the server like any retried append.
    pub fn link_event_id(&self) -> Uuid {
        Uuid::new_v5(
            &Uuid::NAMESPACE_OID,
            format!("{CHAIN_STREAM}/{}", self.event_id).as_bytes(),
        )
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("a link event of `{CHAIN_STREAM}` is unreadable: {e}"))
    }
}

/// The links of `events` (in log order), chained from `prev`.
pub fn build_links(mut prev: Hash, events: &[RecordedEvent]) -> Vec<LinkRecord> {
    events
        .iter()
        .map(|e| {
            let (record, hash) = LinkRecord::for_event(&prev, e);
            prev = hash;
            record
        })
        .collect()
}

/// Pairs events read from `$all` (after some position, in order) with the
/// links read from the companion stream starting at the first link at or
/// after the first event's position. An event gets the link that names its
/// position and id; one the links pass over (a gap: no link for it, or a
/// link for another event there) gets none, which a verifier reports.
/// Events after `linked_up_to` (the chain's head) and after the last link
/// read are left out: the former are the unsigned tail, the latter come
/// with the next read.
pub fn pair(events: Vec<RecordedEvent>, links: &[LinkRecord], linked_up_to: Option<u64>) -> Vec<ChainedEvent> {
    let Some(last_link) = links.last().map(|l| l.position) else {
        return Vec::new();
    };
    let bound = linked_up_to.map_or(last_link, |t| t.min(last_link));
    let mut links = links.iter().peekable();
    let mut out = Vec::new();
    for event in events {
        if event.position > bound {
            break;
        }
        // Links of events no longer in the log are skipped: the next
        // event's link then does not follow, and the verifier says so.
        while links.next_if(|l| l.position < event.position).is_some() {}
        let hash = links
            .next_if(|l| l.position == event.position)
            .filter(|l| l.event_id == event.id)
            .and_then(|l| l.link());
        out.push(ChainedEvent { event, hash });
    }
    out
}

/// One checkpoint event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckpointRecord {
    pub position: u64,
    /// The signed link, hex.
    pub hash: String,
    /// Microseconds since the epoch, UTC (what the signature covers).
    pub signed_at: i64,
    /// The Ed25519 public key, hex.
    pub key: String,
    /// The signature, hex.
    pub signature: String,
}

impl From<&Checkpoint> for CheckpointRecord {
    fn from(cp: &Checkpoint) -> Self {
        CheckpointRecord {
            position: cp.position,
            hash: hex(&cp.hash),
            signed_at: cp.signed_at.timestamp_micros(),
            key: hex(&cp.key),
            signature: hex(&cp.signature),
        }
    }
}

impl CheckpointRecord {
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The checkpoint the event holds, or why it holds none.
    pub fn parse(bytes: &[u8]) -> Result<Checkpoint, String> {
        let r: CheckpointRecord = serde_json::from_slice(bytes)
            .map_err(|e| format!("a checkpoint event of `{CHECKPOINT_STREAM}` is unreadable: {e}"))?;
        let bad = |what: &str| format!("a checkpoint event of `{CHECKPOINT_STREAM}` has {what}");
        Ok(Checkpoint {
            position: r.position,
            hash: from_hex::<32>(&r.hash).ok_or_else(|| bad("a hash that is not 32 bytes of hex"))?,
            signed_at: DateTime::from_timestamp_micros(r.signed_at)
                .ok_or_else(|| bad("a signing time out of range"))?,
            key: from_hex::<32>(&r.key).ok_or_else(|| bad("a key that is not 32 bytes of hex"))?,
            signature: from_hex::<64>(&r.signature).ok_or_else(|| bad("a signature that is not 64 bytes of hex"))?,
        })
    }

    /// The id of the checkpoint event: one per position and signature.
    pub fn event_id(&self) -> Uuid {
        Uuid::new_v5(
            &Uuid::NAMESPACE_OID,
            format!("{CHECKPOINT_STREAM}/{}/{}", self.position, self.signature).as_bytes(),
        )
    }
}

/// Checkpoints in position order, the first recorded one per position.
pub fn ordered_checkpoints(mut all: Vec<Checkpoint>) -> Vec<Checkpoint> {
    // A stable sort keeps the stream's order among equal positions.
    all.sort_by_key(|c| c.position);
    all.dedup_by_key(|c| c.position);
    all
}

#[cfg(test)]
#[path = "links_tests.rs"]
mod tests;
