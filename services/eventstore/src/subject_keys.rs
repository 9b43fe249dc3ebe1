//! The key store for personal data: one 256-bit key per data subject, kept
//! apart from the events (never in the log, never in an export). Events hold
//! personal data only encrypted under its subject's key; destroying the key
//! erases the data everywhere at once while the log — and its hash chain —
//! stays as it was (crypto-shredding; docs/operations.md, "Erasing personal
//! data").
//!
//! Two backends: a SQLite file in the data directory
//! ([`SqliteSubjectKeys`], for the embedded and the KurrentDB store) and a
//! table in the PostgreSQL database ([`PgStore::subject_keys`](crate::PgStore::subject_keys),
//! shared by every server on that database). A destroyed key leaves a
//! tombstone (subject, time) so that no new key is ever made for an erased
//! subject.

use chrono::{DateTime, Utc};

use crate::StoreError;

mod pg;
mod sqlite;

pub use pg::PgSubjectKeys;
pub use sqlite::SqliteSubjectKeys;

/// A subject's key: 32 random bytes.
pub type SubjectKey = [u8; 32];

/// What the key store holds for a subject.
#[derive(Clone, PartialEq, Eq)]
pub enum KeyState {
    /// No key was ever made for the subject.
    Absent,
    Present(SubjectKey),
    /// The key was destroyed (the subject's data erased) at this time.
    Destroyed(DateTime<Utc>),
}

impl std::fmt::Debug for KeyState {
    // Never print a key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyState::Absent => f.write_str("Absent"),
            KeyState::Present(_) => f.write_str("Present(..)"),
            KeyState::Destroyed(at) => write!(f, "Destroyed({at})"),
        }
    }
}

/// The port of a key store. Every write is durable before it returns.
#[async_trait::async_trait]
pub trait SubjectKeyStore: Send + Sync + 'static {
    /// The subject's key, if any.
    async fn get(&self, subject: &str) -> Result<KeyState, StoreError>;
    /// Store `key` for `subject` unless the subject already has one or had
    /// one destroyed; answers what the store then holds (the existing key
    /// when two callers race).
    async fn create(&self, subject: &str, key: SubjectKey, at: DateTime<Utc>) -> Result<KeyState, StoreError>;
    /// Destroy the subject's key (overwriting it on disk), leaving a
    /// tombstone; `Ok(false)` when there was no key to destroy.
    async fn destroy(&self, subject: &str, at: DateTime<Utc>) -> Result<bool, StoreError>;
}

fn key_from(bytes: &[u8], subject: &str) -> Result<SubjectKey, StoreError> {
    bytes.try_into().map_err(|_| StoreError::Corrupt {
        path: "the personal-data key store".into(),
        reason: format!("the key of subject `{subject}` is {} bytes, not 32", bytes.len()),
    })
}

#[cfg(test)]
mod tests;
