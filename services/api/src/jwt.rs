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
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use samverkan_domain::{ConsortiumCode, MunicipalityCode};
use serde::{Deserialize, Serialize};

use crate::auth::{AuthError, Authenticator, Principal, Role};

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
    alg: Algorithm,
    kid: Option<String>,
    key: DecodingKey,
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

/// One entry of the `roles` claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleClaim {
    /// `admin`, `coordinator`, `officer` or `reader`.
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consortium: Option<String>,
}

impl From<&Role> for RoleClaim {
    fn from(r: &Role) -> Self {
        let (role, municipality, consortium) = match r {
            Role::Admin => ("admin", None, None),
            Role::Coordinator(c) => ("coordinator", None, Some(c.to_string())),
            Role::Officer(m) => ("officer", Some(m.to_string()), None),
            Role::Reader(m) => ("reader", m.map(|m| m.to_string()), None),
            // Never accepted from a token: reading a claim ignores unknown role names.
            Role::System => ("system", None, None),
        };
        RoleClaim {
            role: role.to_string(),
            municipality,
            consortium,
        }
    }
}

impl RoleClaim {
    /// The role, `Ok(None)` for a role name this server does not know
    /// (ignored), or why a known role is malformed.
    pub fn to_role(&self) -> Result<Option<Role>, String> {
        let municipality = || -> Result<MunicipalityCode, String> {
            let m = self
                .municipality
                .as_deref()
                .ok_or_else(|| format!("role `{}` needs a `municipality`", self.role))?;
            MunicipalityCode::parse(m).map_err(|e| format!("role `{}`: {e}", self.role))
        };
        Ok(Some(match self.role.as_str() {
            "admin" => Role::Admin,
            "officer" => Role::Officer(municipality()?),
            "reader" => Role::Reader(match self.municipality {
                Some(_) => Some(municipality()?),
                None => None,
            }),
            "coordinator" => {
                let c = self
                    .consortium
                    .as_deref()
                    .ok_or_else(|| "role `coordinator` needs a `consortium`".to_string())?;
                Role::Coordinator(ConsortiumCode::parse(c).map_err(|e| format!("role `coordinator`: {e}"))?)
            }
            _ => return Ok(None),
        }))
    }
}

/// The claims of a Samverkan token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// A string or an array of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default)]
    pub roles: Vec<RoleClaim>,
}

impl Claims {
    /// The principal these (already verified) claims describe.
    pub fn principal(&self) -> Result<Principal, AuthError> {
        let invalid = |m: String| AuthError::InvalidCredentials(m);
        let subject = self.sub.as_deref().map(str::trim).unwrap_or_default();
        if subject.is_empty() || subject.chars().count() > MAX_SUBJECT_CHARS || subject.chars().any(char::is_control) {
            return Err(invalid(format!(
                "the `sub` claim must be 1–{MAX_SUBJECT_CHARS} printable characters"
            )));
        }
        if self.roles.len() > MAX_ROLES {
            return Err(invalid(format!("the token has more than {MAX_ROLES} roles")));
        }
        let mut roles = vec![];
        for claim in &self.roles {
            if let Some(role) = claim.to_role().map_err(invalid)? {
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
        }
        if roles.is_empty() {
            return Err(invalid(
                "the token grants no role (claim `roles`: admin, coordinator, officer or reader)".to_string(),
            ));
        }
        Ok(Principal {
            subject: subject.to_string(),
            roles,
            // HTTP refuses the token once `now - leeway > exp` (whole seconds).
            expires_at: self.exp.map(|exp| exp.saturating_add(LEEWAY_SECS + 1)),
        })
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Verifies bearer JWTs against configured keys (fixed ones, and those of an
/// identity provider's JWKS URL kept current by the server), issuer and audience.
pub struct JwtAuthenticator {
    keys: Vec<VerificationKey>,
    remote: Option<Arc<RemoteKeys>>,
    issuer: String,
    audience: String,
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

    /// Verify a token and return its principal.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
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

#[cfg(test)]
mod tests;
