//! Tokens verified already: a caller sending the same bearer token again
//! (every request of a script or of the web app) is not verified again.
//!
//! Keyed by the token's exact text (never a digest of it: no collision can
//! lend one token another's principal). Only successful verifications are
//! kept, and an entry is used only while everything that made it valid
//! still holds, so a hit answers what a fresh verification would:
//!
//! - **expiry**: the principal's `expires_at` is `exp` plus the leeway plus
//!   one second, so "now < `expires_at`" is exactly the check the verifier
//!   makes (`exp ≥ now − leeway`); past it the entry is dropped and the
//!   token verified again (which refuses it, with the usual message);
//! - **not-before**: the entry was valid at the second it was verified, and
//!   `nbf` only gets more satisfied as time passes; if the clock goes back
//!   before that second, the token is verified again;
//! - **revocation**: a key leaves an identity provider's JWKS when the set
//!   is refreshed; an entry remembers the set that was in force when it was
//!   verified and is used only while that same set is (any refresh forgets
//!   every token verified before it). Fixed keys never change.
//!
//! Bounded ([`CAPACITY`] tokens, least recently used dropped).

use std::sync::{Arc, Mutex};

use super::keys::VerificationKey;
use crate::auth::Principal;
use crate::lru::Lru;

/// How many verified tokens are kept.
pub(crate) const CAPACITY: usize = 1024;

#[derive(Clone)]
struct Entry {
    principal: Principal,
    /// Unix second read just after the verification (so not earlier than
    /// the second the verifier checked `nbf` against).
    verified_at: u64,
    /// The identity provider's key set in force then (`None`: no JWKS URL).
    remote: Option<Arc<Vec<VerificationKey>>>,
}

pub(crate) struct Verified {
    tokens: Mutex<Lru<Box<str>, Entry>>,
}

impl Default for Verified {
    fn default() -> Self {
        Self {
            tokens: Mutex::new(Lru::new(CAPACITY)),
        }
    }
}

/// Seconds since the Unix epoch, as the verifier reads the clock.
pub(crate) fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn same_set(a: Option<&Arc<Vec<VerificationKey>>>, b: Option<&Arc<Vec<VerificationKey>>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}

impl Verified {
    /// The principal `token` was verified as, if that still holds at `now`
    /// with the identity provider's set `remote` in force.
    pub(crate) fn get(&self, token: &str, now: u64, remote: Option<&Arc<Vec<VerificationKey>>>) -> Option<Principal> {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let entry = tokens.get(token)?;
        let valid = entry.principal.expires_at.is_none_or(|e| now < e)
            && now >= entry.verified_at
            && same_set(entry.remote.as_ref(), remote);
        if valid {
            Some(entry.principal)
        } else {
            tokens.remove(token);
            None
        }
    }

    /// Keep `principal`, verified from `token` by the second `verified_at`
    /// (read after the verification) with the set `remote` (taken before it
    /// started: a set replaced meanwhile only makes the entry unused).
    pub(crate) fn keep(
        &self,
        token: &str,
        principal: &Principal,
        verified_at: u64,
        remote: Option<Arc<Vec<VerificationKey>>>,
    ) {
        let entry = Entry {
            principal: principal.clone(),
            verified_at,
            remote,
        };
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(token.into(), entry);
    }
}
