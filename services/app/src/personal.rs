//! The keyring: seals personal data under its data subject's key before it
//! reaches the domain, opens it for the API, and destroys a key when the
//! subject's data is erased (crypto-shredding; docs/security.md, "Personal
//! data").
//!
//! Sealing is XChaCha20-Poly1305 (RustCrypto) with the subject and the
//! field's name as associated data, so a sealed value cannot be moved to
//! another subject or field. The nonce is synthetic: HMAC-SHA-256 under the
//! subject's key over the command id, the field and the plain value. A
//! retried command (same command id, same values) seals to the same bytes —
//! its fingerprint matches and it stays idempotent — while two different
//! values never share a nonce.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use samverkan_domain::personal::{Sealed, SubjectId};
use samverkan_eventstore::{KeyState, StoreError, SubjectKey, SubjectKeyStore};
use sha2::Sha256;
use uuid::Uuid;

const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum PersonalError {
    /// The subject's data was erased: nothing is sealed for it again.
    #[error("the personal data of data subject `{subject}` was erased: it cannot be recorded again")]
    Erased { subject: String },
    #[error("the personal-data key store failed: {0}")]
    Store(#[from] StoreError),
    #[error("no randomness for a new key: {0}")]
    Random(String),
}

/// A sealed value, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    Value(String),
    /// The key is gone: erased (or, for a value that does not open under
    /// its key, unreadable — logged, and shown as erased).
    Erased,
}

impl Opened {
    pub fn value(self) -> Option<String> {
        match self {
            Opened::Value(v) => Some(v),
            Opened::Erased => None,
        }
    }
}

/// Keys per subject, cached in memory after first use.
#[derive(Clone)]
pub struct Keyring {
    store: Arc<dyn SubjectKeyStore>,
    cache: Arc<Mutex<HashMap<SubjectId, SubjectKey>>>,
}

impl Keyring {
    pub fn new(store: Arc<dyn SubjectKeyStore>) -> Self {
        Self {
            store,
            cache: Arc::default(),
        }
    }

    fn cached(&self, subject: &SubjectId) -> Option<SubjectKey> {
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(subject)
            .copied()
    }

    fn remember(&self, subject: &SubjectId, key: SubjectKey) {
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(subject.clone(), key);
    }

    /// The subject's key: `None` when it was destroyed (or, with `create`
    /// false, never made).
    async fn key(
        &self,
        subject: &SubjectId,
        create: Option<DateTime<Utc>>,
    ) -> Result<Option<SubjectKey>, PersonalError> {
        if let Some(key) = self.cached(subject) {
            return Ok(Some(key));
        }
        let mut state = self.store.get(subject.as_str()).await?;
        if let (KeyState::Absent, Some(now)) = (&state, create) {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).map_err(|e| PersonalError::Random(e.to_string()))?;
            state = self.store.create(subject.as_str(), key, now).await?;
        }
        match state {
            KeyState::Present(key) => {
                self.remember(subject, key);
                Ok(Some(key))
            }
            KeyState::Absent | KeyState::Destroyed(_) => Ok(None),
        }
    }

    /// Seal `plain` as `field` of `subject` for the command `command_id`,
    /// making the subject's key on first use (durably, before it returns).
    pub async fn seal(
        &self,
        subject: &SubjectId,
        command_id: Uuid,
        field: &str,
        plain: &str,
        now: DateTime<Utc>,
    ) -> Result<Sealed, PersonalError> {
        let key = self
            .key(subject, Some(now))
            .await?
            .ok_or_else(|| PersonalError::Erased {
                subject: subject.to_string(),
            })?;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).map_err(|e| PersonalError::Random(e.to_string()))?;
        for part in [
            b"samverkan-seal-v1".as_slice(),
            command_id.as_bytes(),
            field.as_bytes(),
            plain.as_bytes(),
        ] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        let tag = mac.finalize().into_bytes();
        let nonce = XNonce::from_slice(&tag[..NONCE_LEN]);
        let cipher = XChaCha20Poly1305::new((&key).into());
        let aad = associated(subject, field);
        let sealed = cipher
            .encrypt(
                nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|e| PersonalError::Random(format!("sealing failed: {e}")))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(Sealed {
            subject: subject.clone(),
            sealed: STANDARD.encode(out),
        })
    }

    /// Open a sealed `field`: its value, or erased when the key is gone.
    pub async fn open(&self, sealed: &Sealed, field: &str) -> Result<Opened, PersonalError> {
        let Some(key) = self.key(&sealed.subject, None).await? else {
            return Ok(Opened::Erased);
        };
        let unreadable = |why: &str| {
            tracing::warn!(subject = %sealed.subject, field, why, "a sealed value does not open under its key");
            Ok(Opened::Erased)
        };
        let Ok(bytes) = STANDARD.decode(&sealed.sealed) else {
            return unreadable("not base64");
        };
        if bytes.len() < NONCE_LEN {
            return unreadable("too short");
        }
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new((&key).into());
        let aad = associated(&sealed.subject, field);
        match cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: &aad }) {
            Ok(plain) => match String::from_utf8(plain) {
                Ok(text) => Ok(Opened::Value(text)),
                Err(_) => unreadable("not UTF-8"),
            },
            Err(_) => unreadable("authentication failed"),
        }
    }

    /// Destroy the subject's key (idempotent): from now on every sealed
    /// value of the subject reads as erased, here and on every server
    /// sharing the key store.
    pub async fn destroy(&self, subject: &SubjectId, now: DateTime<Utc>) -> Result<bool, PersonalError> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).remove(subject);
        Ok(self.store.destroy(subject.as_str(), now).await?)
    }
}

fn associated(subject: &SubjectId, field: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(subject.as_str().len() + field.len() + 1);
    aad.extend_from_slice(subject.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(field.as_bytes());
    aad
}

#[cfg(test)]
mod tests;
