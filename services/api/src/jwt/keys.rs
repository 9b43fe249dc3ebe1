//! Key loading: HS256 secrets, PEM and JWKS public keys, and the
//! identity provider's key set kept current while the server runs.

use std::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

use super::MIN_SECRET_BYTES;

/// Secret bytes (an HS256 key). `Debug` and `Display` never show them.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Secret(bytes.into())
    }

    /// A new random secret: 64 hexadecimal characters made from two v4
    /// UUIDs (244 random bits from the operating system's generator).
    pub fn generate() -> Self {
        let text: String = (0..2).map(|_| uuid::Uuid::new_v4().simple().to_string()).collect();
        Secret(text.into_bytes())
    }

    /// The secret itself: hand it only to the crypto.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Best effort: do not leave the secret in freed memory.
        self.0.iter_mut().for_each(|b| *b = 0);
    }
}

/// A key or token configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the HS256 secret has {0} bytes; use at least {MIN_SECRET_BYTES} random bytes")]
    WeakSecret(usize),
    #[error("{origin}: {message}")]
    Unusable { origin: String, message: String },
    #[error("no verification key is configured")]
    NoKeys,
    #[error("cannot mint a token: {0}")]
    Mint(String),
}

fn unusable(origin: &str, message: impl Into<String>) -> KeyError {
    KeyError::Unusable {
        origin: origin.to_string(),
        message: message.into(),
    }
}

/// One key tokens may be verified with, bound to one algorithm.
pub struct VerificationKey {
    pub(super) alg: Algorithm,
    pub(super) kid: Option<String>,
    pub(super) key: DecodingKey,
    origin: String,
}

impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl VerificationKey {
    /// An HS256 shared secret (at least 32 bytes).
    pub fn hs256(secret: &Secret) -> Result<Self, KeyError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(KeyError::WeakSecret(secret.len()));
        }
        Ok(Self {
            alg: Algorithm::HS256,
            kid: None,
            key: DecodingKey::from_secret(secret.expose()),
            origin: "HS256 secret".to_string(),
        })
    }

    /// Every public key in a PEM text (`PUBLIC KEY` blocks: RSA → RS256,
    /// EC P-256 → ES256; `RSA PUBLIC KEY` blocks → RS256). Private keys and
    /// certificates are refused.
    pub fn from_pem(text: &[u8], origin: &str) -> Result<Vec<Self>, KeyError> {
        let text = std::str::from_utf8(text).map_err(|_| unusable(origin, "not a PEM text file"))?;
        let mut keys = vec![];
        let mut rest = text;
        while let Some(start) = rest.find("-----BEGIN ") {
            let after = &rest[start + "-----BEGIN ".len()..];
            let label_end = after
                .find("-----")
                .ok_or_else(|| unusable(origin, "a PEM block has no closing dashes"))?;
            let label = &after[..label_end];
            let end_marker = format!("-----END {label}-----");
            let end = rest[start..]
                .find(&end_marker)
                .ok_or_else(|| unusable(origin, format!("the PEM block `{label}` has no end line")))?;
            let block = &rest[start..start + end + end_marker.len()];
            rest = &rest[start + end + end_marker.len()..];
            if label.contains("PRIVATE") {
                return Err(unusable(
                    origin,
                    "this is a private key: configure the public key (openssl pkey -in key.pem -pubout)",
                ));
            }
            let (alg, key) =
                match label {
                    "PUBLIC KEY" | "RSA PUBLIC KEY" => match DecodingKey::from_rsa_pem(block.as_bytes()) {
                        Ok(k) => (Algorithm::RS256, k),
                        Err(_) if label == "PUBLIC KEY" => match DecodingKey::from_ec_pem(block.as_bytes()) {
                            Ok(k) => (Algorithm::ES256, k),
                            Err(e) => return Err(unusable(origin, format!("not an RSA or EC P-256 public key ({e})"))),
                        },
                        Err(e) => return Err(unusable(origin, format!("not an RSA public key ({e})"))),
                    },
                    "CERTIFICATE" => return Err(unusable(
                        origin,
                        "certificates are not read: extract the public key (openssl x509 -in cert.pem -pubkey -noout)",
                    )),
                    other => return Err(unusable(origin, format!("unsupported PEM block `{other}`"))),
                };
            keys.push(Self {
                alg,
                kid: None,
                key,
                origin: format!("{origin} ({alg:?} public key #{})", keys.len() + 1),
            });
        }
        if keys.is_empty() {
            return Err(unusable(origin, "no PEM public key found"));
        }
        Ok(keys)
    }

    /// The RS256 and ES256 (P-256) signing keys of a JWKS document
    /// (`{"keys":[…]}`), with their `kid`. Keys for encryption or other
    /// algorithms are skipped; the second value says which and why.
    pub fn from_jwks(json: &[u8], origin: &str) -> Result<(Vec<Self>, Vec<String>), KeyError> {
        let set: JwkSet =
            serde_json::from_slice(json).map_err(|e| unusable(origin, format!("not a JWKS document: {e}")))?;
        let mut keys = vec![];
        let mut skipped = vec![];
        for (i, jwk) in set.keys.iter().enumerate() {
            let name = jwk
                .common
                .key_id
                .as_deref()
                .map_or_else(|| format!("key #{}", i + 1), |k| format!("key `{k}`"));
            if jwk.common.public_key_use == Some(PublicKeyUse::Encryption) {
                skipped.push(format!("{name}: for encryption, not signatures"));
                continue;
            }
            let alg = match (&jwk.algorithm, jwk.common.key_algorithm) {
                (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
                (AlgorithmParameters::EllipticCurve(p), None | Some(KeyAlgorithm::ES256))
                    if p.curve == EllipticCurve::P256 =>
                {
                    Algorithm::ES256
                }
                _ => {
                    skipped.push(format!("{name}: only RS256 and ES256 (P-256) public keys are used"));
                    continue;
                }
            };
            let key = DecodingKey::from_jwk(jwk).map_err(|e| unusable(origin, format!("{name}: {e}")))?;
            keys.push(Self {
                alg,
                kid: jwk.common.key_id.clone(),
                key,
                origin: format!("{origin} ({name})"),
            });
        }
        if keys.is_empty() {
            return Err(unusable(origin, "the JWKS holds no RS256 or ES256 signing key"));
        }
        Ok((keys, skipped))
    }

    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Where the key came from (for the startup log; never the key itself).
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

/// The keys of an identity provider's JWKS, fetched from its URL and replaced
/// while the server runs (by a background task of the server; this type does
/// no I/O). Verification reads the current set without blocking on the
/// network; a token naming a `kid` the set lacks asks the task for an early
/// refresh, at most once per `min_refresh_gap` however many such tokens come.
pub struct RemoteKeys {
    origin: String,
    keys: RwLock<Arc<Vec<VerificationKey>>>,
    min_refresh_gap: Duration,
    last_request: Mutex<Option<Instant>>,
    wake: tokio::sync::Notify,
}

impl fmt::Debug for RemoteKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteKeys")
            .field("origin", &self.origin)
            .field("keys", &self.current())
            .field("min_refresh_gap", &self.min_refresh_gap)
            .finish_non_exhaustive()
    }
}

impl RemoteKeys {
    /// A key set (initially `keys`) from `origin` (the JWKS URL, for logs and
    /// errors) whose unknown-`kid` refreshes are at least `min_refresh_gap` apart.
    pub fn new(origin: impl Into<String>, keys: Vec<VerificationKey>, min_refresh_gap: Duration) -> Arc<Self> {
        Arc::new(Self {
            origin: origin.into(),
            keys: RwLock::new(Arc::new(keys)),
            min_refresh_gap,
            last_request: Mutex::new(None),
            wake: tokio::sync::Notify::new(),
        })
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The keys in force.
    pub fn current(&self) -> Arc<Vec<VerificationKey>> {
        match self.keys.read() {
            Ok(k) => k.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Put a freshly fetched set in force (the previous one is dropped whole:
    /// a key the provider no longer publishes stops verifying).
    pub fn replace(&self, keys: Vec<VerificationKey>) {
        let keys = Arc::new(keys);
        match self.keys.write() {
            Ok(mut k) => *k = keys,
            Err(poisoned) => *poisoned.into_inner() = keys,
        }
    }

    /// Ask for an early refresh (a token named an unknown `kid`). Returns
    /// whether the refresher was woken: `false` when the last request was
    /// less than the minimum gap ago.
    pub fn request_refresh(&self) -> bool {
        let now = Instant::now();
        let mut last = match self.last_request.lock() {
            Ok(l) => l,
            Err(poisoned) => poisoned.into_inner(),
        };
        if last.is_some_and(|t| now.duration_since(t) < self.min_refresh_gap) {
            return false;
        }
        *last = Some(now);
        drop(last);
        // Stores a permit if the refresher is busy: the request is not lost,
        // and requests made meanwhile collapse into it.
        self.wake.notify_one();
        true
    }

    /// Resolves when an early refresh has been requested (for the refresher).
    pub async fn refresh_requested(&self) {
        self.wake.notified().await;
    }
}
