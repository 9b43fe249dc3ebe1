//! The PostgreSQL schema, its format version table and its migrations.
//!
//! The binary creates and migrates the schema itself. A database holding
//! tables of another application (and no Samverkan format table) is refused
//! without a change; so is a newer format than this build knows.

use deadpool_postgres::GenericClient;

use crate::StoreError;

/// The schema's format version, kept in `samverkan_format`.
pub const FORMAT_VERSION: u32 = 2;

/// What `samverkan_format.application` says in a store of ours.
pub const APPLICATION: &str = "samverkan-eventstore";

/// Serialises schema creation and migration between processes starting
/// together (any constant works; this one spells "SVKE" twice).
const MIGRATION_LOCK: i64 = 0x5356_4b45_5356_4b45;

/// The NOTIFY channel: one notification per committed batch, carrying the
/// new head position. Only a wake-up; subscriptions also poll.
pub(crate) const CHANNEL: &str = "samverkan_events";

/// `MIGRATIONS[n]` takes the schema from format `n` to `n + 1` (format 0 is
/// the empty database). Each runs in the transaction that records the new
/// version, so a migration is all or nothing.
const MIGRATIONS: &[&str] = &[
    // 0 -> 1: the initial schema.
    r#"
    CREATE TABLE samverkan_format (
        singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        application text        NOT NULL,
        version     integer     NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        created_by  text        NOT NULL
    );

    -- The log head: the last position handed out and the newest recorded
    -- time. Every batch locks this one row (SELECT ... FOR UPDATE), so
    -- positions are dense and in commit order across processes.
    CREATE TABLE log_head (
        singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        position    bigint      NOT NULL CHECK (position >= 0),
        recorded_at timestamptz NOT NULL
    ) WITH (fillfactor = 20);
    INSERT INTO log_head (position, recorded_at) VALUES (0, to_timestamp(0));

    -- Bodies are bytea: stored byte for byte (jsonb would rewrite them).
    CREATE TABLE events (
        position            bigint      PRIMARY KEY CHECK (position > 0),
        stream              text        NOT NULL,
        version             bigint      NOT NULL CHECK (version >= 0),
        event_id            uuid        NOT NULL,
        event_type          text        NOT NULL,
        schema_version      bigint      NOT NULL,
        data                bytea       NOT NULL,
        actor               text,
        actor_role          text,
        causation_id        uuid,
        correlation_id      uuid,
        trace_id            text,
        command_fingerprint text,
        recorded_at         timestamptz NOT NULL,
        CONSTRAINT events_stream_version UNIQUE (stream, version),
        CONSTRAINT events_event_id UNIQUE (event_id)
    );
    "#,
    // 1 -> 2: tamper evidence. Each event's chain link (filled in for the
    // events already there by `links::backfill`, in the same transaction),
    // the chain's tip beside the head position (moved under the same lock),
    // and the signed checkpoints.
    r#"
    ALTER TABLE events ADD COLUMN chain_hash bytea;
    ALTER TABLE log_head ADD COLUMN chain_hash bytea NOT NULL
        DEFAULT '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
        CHECK (length(chain_hash) = 32);
    CREATE TABLE checkpoints (
        position   bigint      PRIMARY KEY CHECK (position > 0),
        chain_hash bytea       NOT NULL CHECK (length(chain_hash) = 32),
        signed_at  timestamptz NOT NULL,
        public_key bytea       NOT NULL CHECK (length(public_key) = 32),
        signature  bytea       NOT NULL CHECK (length(signature) = 64)
    );
    "#,
];

/// The format that adds the hash chain: migrating to it backfills the links.
const CHAIN_FORMAT: u32 = 2;

fn backend(describe: &str, what: &str, e: tokio_postgres::Error) -> StoreError {
    StoreError::Backend(format!("{describe}: {what}: {}", super::chain(&e)))
}

fn not_ours(describe: &str, reason: impl Into<String>) -> StoreError {
    StoreError::NotOurs {
        path: describe.to_owned(),
        reason: reason.into(),
    }
}

/// What the database holds.
enum State {
    /// No tables at all: ours to initialise.
    Empty,
    /// A store of ours in this format.
    Ours(u32),
}

/// Looks at the database without changing it.
async fn inspect(client: &impl GenericClient, describe: &str) -> Result<State, StoreError> {
    let ours = client
        .query_one("SELECT to_regclass('samverkan_format') IS NOT NULL", &[])
        .await
        .map_err(|e| backend(describe, "inspecting the database", e))?;
    if ours.get::<_, bool>(0) {
        let row = client
            .query_opt("SELECT application, version FROM samverkan_format", &[])
            .await
            .map_err(|e| backend(describe, "reading the format version", e))?;
        let Some(row) = row else {
            return Err(StoreError::Corrupt {
                path: describe.to_owned(),
                reason: "the table samverkan_format is empty".into(),
            });
        };
        let application: String = row.get(0);
        let version: i32 = row.get(1);
        if application != APPLICATION {
            return Err(not_ours(
                describe,
                format!("its samverkan_format table names the application `{application}`, not `{APPLICATION}`"),
            ));
        }
        let version = u32::try_from(version).map_err(|_| StoreError::Corrupt {
            path: describe.to_owned(),
            reason: format!("format version {version} is invalid"),
        })?;
        if version > FORMAT_VERSION {
            return Err(StoreError::TooNew {
                path: describe.to_owned(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        return Ok(State::Ours(version));
    }
    let rows = client
        .query(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
                AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND n.nspname NOT LIKE 'pg!_toast%' ESCAPE '!' AND n.nspname NOT LIKE 'pg!_temp%' ESCAPE '!'
              ORDER BY 1 LIMIT 6",
            &[],
        )
        .await
        .map_err(|e| backend(describe, "listing the database's tables", e))?;
    if rows.is_empty() {
        return Ok(State::Empty);
    }
    let mut names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    if names.len() > 5 {
        names.truncate(5);
        names.push("…".into());
    }
    Err(not_ours(
        describe,
        format!(
            "the database holds tables of another application ({}) and no Samverkan event store; give Samverkan a database of its own",
            names.join(", ")
        ),
    ))
}

/// Creates or migrates the schema (on a primary), or checks it (on a
/// standby, which cannot write). Returns whether the server is a standby.
pub(crate) async fn prepare(client: &mut deadpool_postgres::Client, describe: &str) -> Result<bool, StoreError> {
    let standby: bool = client
        .query_one("SELECT pg_is_in_recovery()", &[])
        .await
        .map_err(|e| backend(describe, "connecting", e))?
        .get(0);
    if standby {
        return match inspect(&*client, describe).await? {
            State::Ours(v) if v == FORMAT_VERSION => Ok(true),
            State::Ours(v) => Err(StoreError::Backend(format!(
                "{describe} is a standby holding format version {v}; start a process on the primary first to migrate it to {FORMAT_VERSION}"
            ))),
            State::Empty => Err(StoreError::Backend(format!(
                "{describe} is a standby with no event store yet; start a process on the primary first to create it"
            ))),
        };
    }
    // Fast path: already current, no lock needed.
    if let State::Ours(v) = inspect(&*client, describe).await? {
        if v == FORMAT_VERSION {
            return Ok(false);
        }
    }
    let tx = client.transaction().await.map_err(|e| backend(describe, "begin", e))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(|e| backend(describe, "taking the migration lock", e))?;
    // Re-read under the lock: another process may have been first.
    let from = match inspect(&tx, describe).await? {
        State::Empty => 0,
        State::Ours(v) => v,
    };
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        tracing::info!(
            store = describe,
            from = version,
            to = version + 1,
            "migrating the event store schema"
        );
        tx.batch_execute(sql)
            .await
            .map_err(|e| backend(describe, "migrating the schema", e))?;
    }
    if from > 0 && from < CHAIN_FORMAT {
        let linked = super::links::backfill(&tx)
            .await
            .map_err(|e| backend(describe, "computing the hash chain", e))?;
        tracing::info!(
            store = describe,
            events = linked,
            "hash chain computed for the events already stored"
        );
    }
    if from < CHAIN_FORMAT {
        // Every event has its link now: from here on a row without one is
        // refused, so a process of an older version still running against
        // this database (a rolling upgrade) fails its appends loudly instead
        // of leaving unlinked events that would break the chain for good.
        tx.batch_execute(
            "ALTER TABLE events ALTER COLUMN chain_hash SET NOT NULL;
             ALTER TABLE events ADD CONSTRAINT events_chain_hash_length CHECK (length(chain_hash) = 32);",
        )
        .await
        .map_err(|e| backend(describe, "requiring a link on every event", e))?;
    }
    let version = i32::try_from(FORMAT_VERSION).unwrap_or(i32::MAX);
    if from == 0 {
        let created_by = concat!("samverkan-eventstore ", env!("CARGO_PKG_VERSION"));
        tx.execute(
            "INSERT INTO samverkan_format (application, version, created_by) VALUES ($1, $2, $3)",
            &[&APPLICATION, &version, &created_by],
        )
        .await
        .map_err(|e| backend(describe, "recording the format version", e))?;
    } else if from < FORMAT_VERSION {
        tx.execute("UPDATE samverkan_format SET version = $1", &[&version])
            .await
            .map_err(|e| backend(describe, "recording the format version", e))?;
    }
    tx.commit()
        .await
        .map_err(|e| backend(describe, "committing the schema", e))?;
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_reach_the_current_format() {
        assert_eq!(MIGRATIONS.len(), FORMAT_VERSION as usize);
    }
}
