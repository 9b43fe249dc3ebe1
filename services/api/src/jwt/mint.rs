//! Minting tokens: development tokens (`samverkan token`) and tests.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};

use super::{Claims, KeyError, RoleClaim, Secret, DEFAULT_AUDIENCE, DEFAULT_ISSUER, MIN_SECRET_BYTES};
use crate::auth::Role;

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// What a minted token says.
#[derive(Debug, Clone)]
pub struct TokenSpec {
    pub subject: String,
    pub roles: Vec<Role>,
    pub ttl: Duration,
    pub issuer: String,
    pub audience: String,
}

impl TokenSpec {
    /// A token for `subject` with `roles`, valid 24 h, default issuer and audience.
    pub fn new(subject: impl Into<String>, roles: Vec<Role>) -> Self {
        Self {
            subject: subject.into(),
            roles,
            ttl: Duration::from_secs(24 * 3600),
            issuer: DEFAULT_ISSUER.to_string(),
            audience: DEFAULT_AUDIENCE.to_string(),
        }
    }

    pub fn claims(&self) -> Claims {
        let now = now_secs();
        Claims {
            sub: Some(self.subject.clone()),
            iss: Some(self.issuer.clone()),
            aud: Some(serde_json::Value::String(self.audience.clone())),
            exp: Some(now.saturating_add(self.ttl.as_secs())),
            nbf: Some(now),
            iat: Some(now),
            roles: self.roles.iter().map(RoleClaim::from).collect(),
        }
    }
}

/// Mint an HS256 token (development and tests: `samverkan token`).
pub fn mint_hs256(secret: &Secret, spec: &TokenSpec) -> Result<String, KeyError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(KeyError::WeakSecret(secret.len()));
    }
    if spec.roles.is_empty() {
        return Err(KeyError::Mint("a token needs at least one role".into()));
    }
    mint_hs256_claims(secret, &spec.claims())
}

/// Mint an HS256 token with exactly these claims (tests: tokens about to
/// expire, odd claims).
pub fn mint_hs256_claims(secret: &Secret, claims: &Claims) -> Result<String, KeyError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(KeyError::WeakSecret(secret.len()));
    }
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.expose()),
    )
    .map_err(|e| KeyError::Mint(e.to_string()))
}

/// Mint an RS256 or ES256 token with a private key in PEM (tests and tools
/// standing in for an identity provider; the server never holds private keys).
pub fn mint_with_private_pem(spec: &TokenSpec, pem: &[u8], kid: Option<&str>) -> Result<String, KeyError> {
    let (alg, key) = match EncodingKey::from_rsa_pem(pem) {
        Ok(k) => (Algorithm::RS256, k),
        Err(_) => (
            Algorithm::ES256,
            EncodingKey::from_ec_pem(pem).map_err(|e| KeyError::Mint(format!("not an RSA or EC private key: {e}")))?,
        ),
    };
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, &spec.claims(), &key).map_err(|e| KeyError::Mint(e.to_string()))
}
