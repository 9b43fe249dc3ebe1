//! Bearer JSON Web Tokens: verification with a shared HS256 secret or with
//! RS256/ES256 public keys (PEM or JWKS), and minting of development tokens.
//!
//! A token's claims (see `docs/security.md`):
//!
//! ```json
//! { "sub": "alice", "iss": "samverkan", "aud": "samverkan",
//!   "exp": 1767225600, "nbf": 1767139200, "iat": 1767139200,
//!   "roles": [{ "role": "officer", "municipality": "SE-1494" },
//!             { "role": "coordinator", "consortium": "V6" },
//!             { "role": "admin" }, { "role": "reader" },
//!             { "role": "reader", "municipality": "SE-1487" }] }
//! ```
//!
//! Only the algorithms of the configured keys are accepted (`alg: none` never
//! is), a key is used only for its own algorithm (no HS/RS confusion), and
//! issuer, audience, expiry and not-before are checked (30 s leeway).

use std::fmt;
use std::sync::Arc;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};

use crate::auth::{AuthError, Authenticator, Principal};

mod claims;
mod keys;
mod mint;
mod verified;

pub use claims::{Claims, RoleClaim};
pub use keys::{KeyError, RemoteKeys, Secret, VerificationKey};
pub use mint::{mint_hs256, mint_hs256_claims, mint_with_private_pem, TokenSpec};

/// The issuer (`iss`) tokens must name unless configured otherwise.
pub const DEFAULT_ISSUER: &str = "samverkan";
/// The audience (`aud`) tokens must name unless configured otherwise.
pub const DEFAULT_AUDIENCE: &str = "samverkan";
/// The shortest HS256 secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;
/// Longer bearer tokens are refused before any parsing.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Clock skew tolerated for `exp` and `nbf`.
pub const LEEWAY_SECS: u64 = 30;
const MAX_SUBJECT_CHARS: usize = 256;
const MAX_ROLES: usize = 64;

/// Verifies bearer JWTs against configured keys (fixed ones, and those of an
/// identity provider's JWKS URL kept current by the server), issuer and audience.
pub struct JwtAuthenticator {
    keys: Vec<VerificationKey>,
    remote: Option<Arc<RemoteKeys>>,
    issuer: String,
    audience: String,
    /// Tokens verified already (`verified.rs`).
    verified: verified::Verified,
}

impl fmt::Debug for JwtAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtAuthenticator")
            .field("keys", &self.keys)
            .field("remote", &self.remote)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish()
    }
}

impl JwtAuthenticator {
    pub fn new(
        keys: Vec<VerificationKey>,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Result<Self, KeyError> {
        if keys.is_empty() {
            return Err(KeyError::NoKeys);
        }
        Ok(Self {
            keys,
            remote: None,
            issuer: issuer.into(),
            audience: audience.into(),
            verified: verified::Verified::default(),
        })
    }

    /// Fixed `keys` (possibly none) and the keys of an identity provider's
    /// JWKS URL, whose set may change while the server runs.
    pub fn with_remote(
        keys: Vec<VerificationKey>,
        remote: Arc<RemoteKeys>,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Self {
        Self {
            keys,
            remote: Some(remote),
            issuer: issuer.into(),
            audience: audience.into(),
            verified: verified::Verified::default(),
        }
    }

    /// HS256 with one shared secret.
    pub fn hs256(secret: &Secret, issuer: impl Into<String>, audience: impl Into<String>) -> Result<Self, KeyError> {
        Self::new(vec![VerificationKey::hs256(secret)?], issuer, audience)
    }

    /// The fixed keys (not those of a JWKS URL: see [`Self::remote`]).
    pub fn keys(&self) -> &[VerificationKey] {
        &self.keys
    }

    /// The identity provider's key set, when a JWKS URL is configured.
    pub fn remote(&self) -> Option<&Arc<RemoteKeys>> {
        self.remote.as_ref()
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut v = Validation::new(alg);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        v.validate_exp = true;
        v.validate_nbf = true;
        v.leeway = LEEWAY_SECS;
        v
    }

    /// Verify a token and return its principal. A token verified before
    /// is answered from the tokens kept (`verified.rs`) while its expiry
    /// and the key set it verified with still hold.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let remote = self.remote.as_ref().map(|r| r.current());
        if let Some(principal) = self.verified.get(token, verified::now(), remote.as_ref()) {
            return Ok(principal);
        }
        let principal = self.verify_afresh(token)?;
        self.verified.keep(token, &principal, verified::now(), remote);
        Ok(principal)
    }

    fn verify_afresh(&self, token: &str) -> Result<Principal, AuthError> {
        let invalid = |m: &str| AuthError::InvalidCredentials(m.to_string());
        if token.len() > MAX_TOKEN_BYTES {
            return Err(invalid("the token is too large"));
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| {
            let parts = token.split('.').count();
            if parts == 3 || parts == 2 {
                invalid("the token's header cannot be read, or it names an algorithm that is never accepted (such as `none`)")
            } else {
                invalid("the bearer token is not a JWT: a JWT is three base64url parts separated by dots")
            }
        })?;
        let remote = self.remote.as_ref().map(|r| r.current());
        let all = || self.keys.iter().chain(remote.iter().flat_map(|r| r.iter()));
        if let (Some(kid), Some(r)) = (&header.kid, &self.remote) {
            if !all().any(|k| k.kid.as_deref() == Some(kid.as_str())) && r.request_refresh() {
                // This request is answered with the keys in force; the
                // refreshed set serves the next ones.
                tracing::info!(
                    jwks = r.origin(),
                    "a token names an unknown key id; refreshing the JWKS"
                );
            }
        }
        let candidates: Vec<&VerificationKey> = all()
            .filter(|k| k.alg == header.alg)
            .filter(|k| match (&header.kid, &k.kid) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            })
            .collect();
        if candidates.is_empty() {
            let known = all().any(|k| k.alg == header.alg)
                || (self.remote.is_some() && matches!(header.alg, Algorithm::RS256 | Algorithm::ES256));
            return Err(if known {
                invalid("the token's key id (`kid`) is not one of the configured keys")
            } else {
                AuthError::InvalidCredentials(format!("tokens signed with {:?} are not accepted", header.alg))
            });
        }
        let mut first_error = None;
        for key in candidates {
            match jsonwebtoken::decode::<Claims>(token, &key.key, &self.validation(key.alg)) {
                Ok(data) => return data.claims.principal(),
                Err(e) => {
                    // A bad signature with one key may verify with the next
                    // (rotation); report the most telling error.
                    let kind = e.kind().clone();
                    if first_error.is_none() || !matches!(kind, ErrorKind::InvalidSignature) {
                        first_error = Some(kind);
                    }
                }
            }
        }
        Err(AuthError::InvalidCredentials(describe(first_error.as_ref())))
    }
}

fn describe(kind: Option<&ErrorKind>) -> String {
    match kind {
        Some(ErrorKind::ExpiredSignature) => "the token has expired".into(),
        Some(ErrorKind::ImmatureSignature) => "the token is not valid yet (`nbf`)".into(),
        Some(ErrorKind::InvalidAudience) => "the token is meant for another audience (`aud`)".into(),
        Some(ErrorKind::InvalidIssuer) => "the token comes from another issuer (`iss`)".into(),
        Some(ErrorKind::InvalidSignature) => "the token's signature does not verify".into(),
        Some(ErrorKind::MissingRequiredClaim(c)) => format!("the token lacks the `{c}` claim"),
        Some(ErrorKind::InvalidClaimFormat(c)) => format!("the token's `{c}` claim is malformed"),
        Some(ErrorKind::InvalidAlgorithm) => "the token's algorithm does not fit the key".into(),
        Some(ErrorKind::Json(_)) => "the token's claims are malformed".into(),
        _ => "invalid token".into(),
    }
}

impl Authenticator for JwtAuthenticator {
    fn authenticate(&self, bearer: Option<&str>) -> Result<Principal, AuthError> {
        let token = bearer.map(str::trim).filter(|t| !t.is_empty());
        match token {
            None => Err(AuthError::MissingCredentials),
            Some(t) => {
                let result = self.verify(t);
                if let Err(e) = &result {
                    // Never log the token itself.
                    tracing::debug!(reason = %e, "bearer token refused");
                }
                result
            }
        }
    }
}

#[cfg(test)]
mod tests;
