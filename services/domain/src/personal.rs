//! Personal data (personuppgifter) in events: contact persons and the like.
//! A field holding personal data is a [`Sealed`] value, marked
//! `"x-personal-data": true` in the event catalogue's schema: the value
//! encrypted under a key of its own data subject, kept outside the log. The
//! domain never sees the plain value; the hash chain covers the ciphertext,
//! so destroying the subject's key erases the data without touching the
//! log (docs/operations.md, "Erasing personal data").

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A data subject: the person whose personal data a sealed field holds,
/// e.g. `person-3f0c…` (made by the server) — not a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct SubjectId(String);

impl SubjectId {
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let v = value.trim();
        let ok = (1..=100).contains(&v.len())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if ok {
            Ok(Self(v.to_string()))
        } else {
            Err(DomainError::InvalidSubjectId { value: value.into() })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SubjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A personal-data value as the log keeps it: encrypted under the key of
/// `subject` (XChaCha20-Poly1305; `sealed` is base64 of the 24-byte nonce
/// followed by the ciphertext and tag). Once the subject's key is destroyed
/// nobody can read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(extend("x-personal-data" = true))]
pub struct Sealed {
    pub subject: SubjectId,
    pub sealed: String,
}

impl Sealed {
    /// `Ok` when the value is sealed, and for `subject`.
    pub fn check_subject(&self, field: &'static str, subject: &SubjectId) -> Result<(), DomainError> {
        if self.sealed.is_empty() {
            return Err(DomainError::NotSealed { field });
        }
        if &self.subject == subject {
            Ok(())
        } else {
            Err(DomainError::SealedForAnotherSubject {
                field,
                expected: subject.to_string(),
                found: self.subject.to_string(),
            })
        }
    }
}
