//! What a forger with the store's file, but not the signing key, could do:
//! change a checkpoint's signature, sign a checkpoint again with a key of
//! their own, recompute every link after changing a row.

use std::path::Path;

use ed25519_dalek::Signer;
use samverkan_eventstore::chain::{checkpoint_message, next_link, EventFields, Hash, GENESIS};
use samverkan_eventstore::{EventMetadata, RecordedEvent};

use super::sqlite;

pub(super) fn forged_signature(dir: &Path, position: i64) -> Vec<u8> {
    let mut signature: Vec<u8> = sqlite(dir)
        .query_row(
            "SELECT signature FROM checkpoints WHERE position = ?1",
            [position],
            |r| r.get(0),
        )
        .expect("signature");
    signature[10] ^= 1;
    signature
}

/// Signs the checkpoint at `position` again with another key (what a thief
/// of the file, not of the key, could do).
pub(super) fn resign_with(dir: &Path, position: i64, seed: &[u8; 32]) {
    let conn = sqlite(dir);
    let (hash, signed_at): (Vec<u8>, i64) = conn
        .query_row(
            "SELECT chain_hash, signed_at FROM checkpoints WHERE position = ?1",
            [position],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("checkpoint");
    let hash: Hash = hash.as_slice().try_into().expect("32 bytes");
    let signed_at = chrono::DateTime::from_timestamp_micros(signed_at).expect("an instant");
    let key = ed25519_dalek::SigningKey::from_bytes(seed);
    let message = checkpoint_message(u64::try_from(position).expect("positive"), &hash, signed_at);
    conn.execute(
        "UPDATE checkpoints SET public_key = ?1, signature = ?2 WHERE position = ?3",
        rusqlite::params![
            key.verifying_key().to_bytes().to_vec(),
            key.sign(&message).to_bytes().to_vec(),
            position
        ],
    )
    .expect("re-sign");
}

/// Recomputes every link of the file from its rows (as a forger with the
/// file but not the key would).
pub(super) fn relink(conn: &rusqlite::Connection) {
    let mut stmt = conn
        .prepare(
            "SELECT e.position, s.name, e.version, e.event_id, e.event_type, e.schema_version, e.data, e.actor,
                    e.actor_role, e.causation_id, e.correlation_id, e.trace_id, e.command_fingerprint, e.recorded_at
               FROM events e JOIN streams s ON s.stream_id = e.stream_id ORDER BY e.position",
        )
        .expect("prepare");
    let uuid = |b: Option<Vec<u8>>| b.map(|b| uuid::Uuid::from_slice(&b).expect("uuid"));
    let rows: Vec<RecordedEvent> = stmt
        .query_map([], |r| {
            Ok(RecordedEvent {
                position: u64::try_from(r.get::<_, i64>(0)?).expect("positive"),
                stream: r.get(1)?,
                version: u64::try_from(r.get::<_, i64>(2)?).expect("positive"),
                id: uuid(Some(r.get(3)?)).expect("id"),
                event_type: r.get(4)?,
                schema_version: r.get(5)?,
                data: r.get(6)?,
                metadata: EventMetadata {
                    actor: r.get(7)?,
                    actor_role: r.get(8)?,
                    causation_id: uuid(r.get(9)?),
                    correlation_id: uuid(r.get(10)?),
                    trace_id: r.get(11)?,
                    command_fingerprint: r.get(12)?,
                },
                recorded_at: chrono::DateTime::from_timestamp_micros(r.get(13)?).expect("an instant"),
            })
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let mut prev = GENESIS;
    for e in &rows {
        prev = next_link(&prev, &EventFields::from(e));
        conn.execute(
            "UPDATE events SET chain_hash = ?1 WHERE position = ?2",
            rusqlite::params![prev.to_vec(), i64::try_from(e.position).expect("fits")],
        )
        .expect("relink");
    }
}
