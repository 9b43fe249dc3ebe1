//! The key store as a table in the PostgreSQL database, beside the events
//! (`samverkan_subject_keys`): every server on the database shares it. The
//! table is not part of the event store's format; it is created on first use.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;

use super::{key_from, KeyState, SubjectKey, SubjectKeyStore};
use crate::StoreError;

/// Serialises the table's creation between servers starting together.
const CREATE_LOCK: i64 = 0x5356_4b45_4b45_5953;

#[derive(Clone)]
pub struct PgSubjectKeys {
    pool: Pool,
}

fn fail(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("the personal-data key store: {e}"))
}

impl PgSubjectKeys {
    pub(crate) async fn open(pool: Pool) -> Result<Self, StoreError> {
        let mut client = pool.get().await.map_err(fail)?;
        let tx = client.transaction().await.map_err(fail)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CREATE_LOCK])
            .await
            .map_err(fail)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS samverkan_subject_keys (
                 subject      text PRIMARY KEY,
                 key          bytea,
                 created_at   timestamptz NOT NULL,
                 destroyed_at timestamptz,
                 CHECK ((key IS NULL) = (destroyed_at IS NOT NULL))
             )",
        )
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        drop(client);
        Ok(Self { pool })
    }
}

#[async_trait::async_trait]
impl SubjectKeyStore for PgSubjectKeys {
    async fn get(&self, subject: &str) -> Result<KeyState, StoreError> {
        let client = self.pool.get().await.map_err(fail)?;
        let row = client
            .query_opt(
                "SELECT key, destroyed_at FROM samverkan_subject_keys WHERE subject = $1",
                &[&subject],
            )
            .await
            .map_err(fail)?;
        match row {
            None => Ok(KeyState::Absent),
            Some(row) => match row.get::<_, Option<Vec<u8>>>(0) {
                Some(key) => Ok(KeyState::Present(key_from(&key, subject)?)),
                None => Ok(KeyState::Destroyed(
                    row.get::<_, Option<DateTime<Utc>>>(1).unwrap_or(DateTime::UNIX_EPOCH),
                )),
            },
        }
    }

    async fn create(&self, subject: &str, key: SubjectKey, at: DateTime<Utc>) -> Result<KeyState, StoreError> {
        let client = self.pool.get().await.map_err(fail)?;
        client
            .execute(
                "INSERT INTO samverkan_subject_keys (subject, key, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (subject) DO NOTHING",
                &[&subject, &key.as_slice(), &at],
            )
            .await
            .map_err(fail)?;
        drop(client);
        self.get(subject).await
    }

    async fn destroy(&self, subject: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let client = self.pool.get().await.map_err(fail)?;
        let changed = client
            .execute(
                "UPDATE samverkan_subject_keys SET key = NULL, destroyed_at = $2 WHERE subject = $1 AND key IS NOT NULL",
                &[&subject, &at],
            )
            .await
            .map_err(fail)?;
        client
            .execute(
                "INSERT INTO samverkan_subject_keys (subject, key, created_at, destroyed_at) VALUES ($1, NULL, $2, $2) \
                 ON CONFLICT (subject) DO NOTHING",
                &[&subject, &at],
            )
            .await
            .map_err(fail)?;
        Ok(changed > 0)
    }
}
