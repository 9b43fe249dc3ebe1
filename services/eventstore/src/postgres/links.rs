//! The hash chain in PostgreSQL (format 2): `events.chain_hash`,
//! `log_head.chain_hash` (the tip, moved under the head lock by the
//! writers) and the `checkpoints` table.

use deadpool_postgres::GenericClient;

use super::reader::{backend, row_to_event, rows, EVENT_COLUMNS};
use super::writer::{to_i64, to_u64};
use super::Shared;
use crate::chain::{next_link, ChainHead, ChainedEvent, Checkpoint, EventFields, Hash, GENESIS};
use crate::StoreError;

/// Events read per step of the backfill.
const BACKFILL_STEP: i64 = 10_000;

fn hash_of(v: Option<Vec<u8>>) -> Option<Hash> {
    v.and_then(|b| <Hash>::try_from(b.as_slice()).ok())
}

/// Computes and stores the link of every event already stored and the tip
/// in `log_head` (the migration to format 2; inside its transaction, under
/// the migration lock).
pub(super) async fn backfill(tx: &impl GenericClient) -> Result<u64, tokio_postgres::Error> {
    let select = tx
        .prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2"
        ))
        .await?;
    let update = tx
        .prepare("UPDATE events SET chain_hash = $1 WHERE position = $2")
        .await?;
    let mut prev = GENESIS;
    let mut after = 0i64;
    let mut count = 0;
    loop {
        let batch = tx.query(&select, &[&after, &BACKFILL_STEP]).await?;
        if batch.is_empty() {
            break;
        }
        for row in &batch {
            // Rows this schema wrote itself: unreadable ones are left
            // without a link, which `samverkan verify` then reports.
            let Ok(e) = row_to_event(row, "backfill") else {
                after = row.get(0);
                continue;
            };
            prev = next_link(&prev, &EventFields::from(&e));
            tx.execute(&update, &[&prev.as_slice(), &to_i64(e.position)]).await?;
            after = to_i64(e.position);
            count += 1;
        }
    }
    tx.execute("UPDATE log_head SET chain_hash = $1", &[&prev.as_slice()])
        .await?;
    Ok(count)
}

pub(super) async fn read_chain(
    shared: &Shared,
    after: Option<u64>,
    max: usize,
) -> Result<Vec<ChainedEvent>, StoreError> {
    let sql = format!("SELECT {EVENT_COLUMNS}, chain_hash FROM events WHERE position > $1 ORDER BY position LIMIT $2");
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    let found = rows(shared, &sql, &[&to_i64(after.unwrap_or(0)), &max]).await?;
    found
        .iter()
        .map(|r| {
            Ok(ChainedEvent {
                event: row_to_event(r, &shared.describe)?,
                hash: hash_of(r.try_get(14).map_err(|e| backend("reading a chain link", e))?),
            })
        })
        .collect()
}

pub(super) async fn chain_head(shared: &Shared) -> Result<Option<ChainHead>, StoreError> {
    let found = rows(shared, "SELECT position, chain_hash FROM log_head", &[]).await?;
    Ok(found.first().and_then(|r| {
        let position = to_u64(r.get(0));
        let hash = hash_of(r.get(1))?;
        (position > 0).then_some(ChainHead { position, hash })
    }))
}

fn row_to_checkpoint(r: &tokio_postgres::Row, describe: &str) -> Result<Checkpoint, StoreError> {
    let corrupt = || StoreError::Corrupt {
        path: describe.to_owned(),
        reason: "a checkpoint row has fields of the wrong size".into(),
    };
    let hash: Vec<u8> = r.get(1);
    let key: Vec<u8> = r.get(3);
    let signature: Vec<u8> = r.get(4);
    Ok(Checkpoint {
        position: to_u64(r.get(0)),
        hash: hash.as_slice().try_into().map_err(|_| corrupt())?,
        signed_at: r.get(2),
        key: key.as_slice().try_into().map_err(|_| corrupt())?,
        signature: signature.as_slice().try_into().map_err(|_| corrupt())?,
    })
}

pub(super) async fn checkpoints(
    shared: &Shared,
    from: u64,
    max: usize,
    newest: bool,
) -> Result<Vec<Checkpoint>, StoreError> {
    let order = if newest { "DESC" } else { "" };
    let sql = format!(
        "SELECT position, chain_hash, signed_at, public_key, signature FROM checkpoints
         WHERE position >= $1 ORDER BY position {order} LIMIT $2"
    );
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    let found = rows(shared, &sql, &[&to_i64(from), &max]).await?;
    found.iter().map(|r| row_to_checkpoint(r, &shared.describe)).collect()
}

/// Records `cp` if the event at its position has exactly its link; a
/// second checkpoint at a position (another process was first) is ignored.
pub(super) async fn record_checkpoint(shared: &Shared, cp: &Checkpoint) -> Result<(), StoreError> {
    let client = shared
        .pool
        .get()
        .await
        .map_err(|e| backend("no connection to PostgreSQL", e))?;
    let inserted = client
        .execute(
            "INSERT INTO checkpoints (position, chain_hash, signed_at, public_key, signature)
             SELECT $1, $2, $3, $4, $5 FROM events WHERE position = $1 AND chain_hash = $2
             ON CONFLICT (position) DO NOTHING",
            &[
                &to_i64(cp.position),
                &cp.hash.as_slice(),
                &cp.signed_at,
                &cp.key.as_slice(),
                &cp.signature.as_slice(),
            ],
        )
        .await
        .map_err(|e| backend("recording a checkpoint", e))?;
    if inserted == 0 {
        let present = client
            .query_opt(
                "SELECT 1 FROM checkpoints c JOIN events e ON e.position = c.position
                 WHERE c.position = $1 AND e.chain_hash = $2",
                &[&to_i64(cp.position), &cp.hash.as_slice()],
            )
            .await
            .map_err(|e| backend("recording a checkpoint", e))?;
        if present.is_none() {
            return Err(StoreError::InvalidAppend(format!(
                "the checkpoint at position {} names a link the log does not have there; nothing was recorded",
                cp.position
            )));
        }
    }
    Ok(())
}
