//! The server's authentication set-up: which keys verify bearer tokens, the
//! development key in the data directory, and minting development tokens
//! (`samverkan token`, the tokens `serve --demo` prints).
//!
//! Secrets are read into [`Secret`] (whose `Debug`/`Display` are redacted)
//! and never logged; the log names only where keys came from and their
//! algorithms.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use samverkan_api::jwt::{mint_hs256, RoleClaim, VerificationKey};
use samverkan_api::{Authenticator, DevAuthenticator, JwtAuthenticator, Role, Secret, TokenSpec};
use tokio::task::JoinHandle;

use crate::cli::{AuthArgs, RoleArg, TokenArgs};
use crate::jwks::{JwksSettings, KeySource};

/// The development HS256 key, created in the data directory on first start.
pub const DEV_KEY_FILE: &str = "dev-jwt.key";

/// How bearer tokens are verified.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// HS256 shared secret file.
    pub hs256_secret_file: Option<PathBuf>,
    /// PEM file of RS256/ES256 public keys.
    pub public_key_pem: Option<PathBuf>,
    /// JWKS file of RS256/ES256 public keys.
    pub jwks_file: Option<PathBuf>,
    /// An identity provider's JWKS URL (or OIDC issuer), kept current.
    pub jwks: Option<JwksSettings>,
    pub issuer: String,
    pub audience: String,
    /// INSECURE: accept everyone as the administrator `dev`.
    pub insecure_dev_auth: bool,
}

impl Default for AuthSettings {
    /// The development key in the data directory, default issuer and audience.
    fn default() -> Self {
        Self {
            hs256_secret_file: None,
            public_key_pem: None,
            jwks_file: None,
            jwks: None,
            issuer: samverkan_api::jwt::DEFAULT_ISSUER.to_string(),
            audience: samverkan_api::jwt::DEFAULT_AUDIENCE.to_string(),
            insecure_dev_auth: false,
        }
    }
}

impl AuthSettings {
    pub fn from_args(a: AuthArgs, insecure_dev_auth: bool) -> Self {
        let source = match (a.jwks_url, a.oidc_issuer.clone()) {
            (Some(url), _) => Some(KeySource::JwksUrl(url)),
            (None, Some(issuer)) => Some(KeySource::OidcIssuer(issuer)),
            (None, None) => None,
        };
        Self {
            hs256_secret_file: a.jwt_hs256_secret_file,
            public_key_pem: a.jwt_public_key_pem,
            jwks_file: a.jwks_file,
            jwks: source.map(|source| JwksSettings {
                source,
                refresh_every: Duration::from_secs(a.jwks_refresh_secs),
                min_refresh_gap: Duration::from_secs(a.jwks_min_refresh_gap_secs),
            }),
            // An OIDC issuer is the expected `iss` unless --jwt-issuer says otherwise.
            issuer: a
                .jwt_issuer
                .or(a.oidc_issuer)
                .unwrap_or_else(|| samverkan_api::jwt::DEFAULT_ISSUER.to_string()),
            audience: a.jwt_audience,
            insecure_dev_auth,
        }
    }
}

/// Mints HS256 tokens with the server's shared secret.
#[derive(Clone)]
pub struct Minter {
    secret: Secret,
    issuer: String,
    audience: String,
}

impl std::fmt::Debug for Minter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Minter")
            .field("secret", &self.secret)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish()
    }
}

impl Minter {
    pub fn new(secret: Secret, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            secret,
            issuer: issuer.into(),
            audience: audience.into(),
        }
    }

    /// A token for `subject` with `roles`, valid for `ttl`.
    pub fn mint(&self, subject: &str, roles: Vec<Role>, ttl: Duration) -> anyhow::Result<String> {
        let spec = TokenSpec {
            subject: subject.to_string(),
            roles,
            ttl,
            issuer: self.issuer.clone(),
            audience: self.audience.clone(),
        };
        Ok(mint_hs256(&self.secret, &spec)?)
    }
}

/// The authenticator the server uses, a minter when it verifies with a
/// shared secret it knows, and the task that keeps an identity provider's
/// keys current (with `--jwks-url` or `--oidc-issuer`).
pub struct AuthSetup {
    pub authenticator: Arc<dyn Authenticator>,
    pub minter: Option<Minter>,
    pub refresher: Option<JoinHandle<()>>,
}

/// Read an HS256 secret file (surrounding whitespace is not part of the secret).
pub fn read_secret(path: &Path) -> anyhow::Result<Secret> {
    let bytes = fs::read(path).with_context(|| format!("cannot read the HS256 secret file {}", path.display()))?;
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    let secret = Secret::new(bytes[start..end].to_vec());
    if secret.len() < samverkan_api::jwt::MIN_SECRET_BYTES {
        bail!(
            "the HS256 secret in {} has {} bytes; use at least {} random bytes",
            path.display(),
            secret.len(),
            samverkan_api::jwt::MIN_SECRET_BYTES
        );
    }
    warn_if_readable_by_others(path);
    Ok(secret)
}

#[cfg(unix)]
pub(crate) fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(file = %path.display(), "the secret file is readable by other users; chmod 600 it");
        }
    }
}

#[cfg(not(unix))]
pub(crate) fn warn_if_readable_by_others(_path: &Path) {}

/// The development key `<data_dir>/dev-jwt.key`, created (mode 0600) with a
/// new random secret if it does not exist. Returns the secret and whether it
/// was created.
pub fn dev_key(data_dir: &Path) -> anyhow::Result<(Secret, bool)> {
    let path = data_dir.join(DEV_KEY_FILE);
    if path.exists() {
        return Ok((read_secret(&path)?, false));
    }
    crate::datadir::create(data_dir)?;
    let secret = Secret::generate();
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(secret.expose())
                .and_then(|()| file.write_all(b"\n"))
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write the development key {}", path.display()))?;
            Ok((secret, true))
        }
        // Another process created it in the meantime: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok((read_secret(&path)?, false)),
        Err(e) => Err(e).with_context(|| format!("cannot create the development key {}", path.display())),
    }
}

/// Build the authenticator from the settings (see [`AuthSettings`]). With a
/// JWKS URL, its keys are fetched now (an error if the provider cannot be
/// reached) and a task is started that keeps them current.
pub async fn setup(settings: &AuthSettings, data_dir: &Path) -> anyhow::Result<AuthSetup> {
    if settings.insecure_dev_auth {
        tracing::warn!(
            "INSECURE: --insecure-dev-auth is on: no authentication, every request is the administrator `dev`"
        );
        return Ok(AuthSetup {
            authenticator: Arc::new(DevAuthenticator),
            minter: None,
            refresher: None,
        });
    }
    let mut keys = vec![];
    let mut minter = None;
    if let Some(path) = &settings.hs256_secret_file {
        let secret = read_secret(path)?;
        keys.push(VerificationKey::hs256(&secret)?);
        minter = Some(Minter::new(secret, &settings.issuer, &settings.audience));
    }
    if let Some(path) = &settings.public_key_pem {
        let text = fs::read(path).with_context(|| format!("cannot read the public key file {}", path.display()))?;
        keys.extend(VerificationKey::from_pem(&text, &path.display().to_string())?);
    }
    if let Some(path) = &settings.jwks_file {
        let text = fs::read(path).with_context(|| format!("cannot read the JWKS file {}", path.display()))?;
        let (found, skipped) = VerificationKey::from_jwks(&text, &path.display().to_string())?;
        for note in skipped {
            tracing::warn!(file = %path.display(), "JWKS key skipped: {note}");
        }
        keys.extend(found);
    }
    let provider = match &settings.jwks {
        Some(jwks) => Some(crate::jwks::start(jwks).await?),
        None => None,
    };
    if keys.is_empty() && provider.is_none() {
        let (secret, created) = dev_key(data_dir)?;
        let path = data_dir.join(DEV_KEY_FILE);
        if created {
            tracing::info!(file = %path.display(), "created the development HS256 key");
        }
        tracing::info!(
            file = %path.display(),
            "verifying tokens with the development HS256 key; configure --oidc-issuer, --jwks-url, --jwks-file or --jwt-public-key-pem for an identity provider"
        );
        keys.push(VerificationKey::hs256(&secret)?);
        minter = Some(Minter::new(secret, &settings.issuer, &settings.audience));
    }
    for key in &keys {
        tracing::info!(algorithm = ?key.algorithm(), kid = key.kid(), source = key.origin(), "token verification key");
    }
    let (authenticator, refresher) = match provider {
        Some(p) => (
            JwtAuthenticator::with_remote(keys, p.keys, &settings.issuer, &settings.audience),
            Some(p.refresher),
        ),
        None => (JwtAuthenticator::new(keys, &settings.issuer, &settings.audience)?, None),
    };
    Ok(AuthSetup {
        authenticator: Arc::new(authenticator),
        minter,
        refresher,
    })
}

/// A role from its claim parts (`officer` + `SE-1494`, `coordinator` + `V6`).
pub(crate) fn role(role: &str, municipality: Option<&str>, consortium: Option<&str>) -> anyhow::Result<Role> {
    let claim = RoleClaim {
        role: role.to_string(),
        municipality: municipality.map(str::to_string),
        consortium: consortium.map(str::to_string),
    };
    claim
        .to_role()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_context(|| format!("unknown role `{role}`"))
}

/// The role a `samverkan token` call asks for.
pub fn role_of(args: &TokenArgs) -> anyhow::Result<Role> {
    let (m, c) = (args.municipality.as_deref(), args.consortium.as_deref());
    match args.role {
        RoleArg::Admin if m.is_some() || c.is_some() => bail!("an admin token has no --municipality or --consortium"),
        RoleArg::Admin => role("admin", None, None),
        RoleArg::Officer if c.is_some() => bail!("an officer acts for a --municipality, not a --consortium"),
        RoleArg::Officer if m.is_none() => bail!("an officer token needs --municipality (e.g. SE-1494)"),
        RoleArg::Officer => role("officer", m, None),
        RoleArg::Reader if c.is_some() => bail!("a reader may be limited to a --municipality, not a --consortium"),
        RoleArg::Reader => role("reader", m, None),
        RoleArg::Coordinator if m.is_some() => bail!("a coordinator runs a --consortium, not a --municipality"),
        RoleArg::Coordinator if c.is_none() => bail!("a coordinator token needs --consortium (e.g. V6)"),
        RoleArg::Coordinator => role("coordinator", None, c),
    }
}

/// `samverkan token`: mint a development token.
pub fn mint_cli(args: &TokenArgs) -> anyhow::Result<String> {
    let role = role_of(args)?;
    let secret = match &args.jwt_hs256_secret_file {
        Some(path) => read_secret(path)?,
        None => dev_key(&args.data_dir)?.0,
    };
    let subject = match &args.subject {
        Some(s) => s.clone(),
        None => match &role {
            Role::Admin => "dev-admin".to_string(),
            Role::Coordinator(c) => format!("dev-coordinator-{c}"),
            Role::Officer(m) => format!("dev-officer-{m}"),
            Role::Reader(None) => "dev-reader".to_string(),
            Role::Reader(Some(m)) => format!("dev-reader-{m}"),
            Role::System => "dev-system".to_string(),
        },
    };
    Minter::new(secret, &args.jwt_issuer, &args.jwt_audience).mint(
        &subject,
        vec![role],
        Duration::from_secs(args.ttl_hours * 3600),
    )
}

/// The tokens `serve --demo` prints: one V6 coordinator, one Lidköping officer.
pub fn demo_tokens(minter: &Minter) -> anyhow::Result<Vec<(String, String)>> {
    let ttl = Duration::from_secs(24 * 3600);
    let coordinator = role("coordinator", None, Some("V6"))?;
    let officer = role("officer", Some("SE-1494"), None)?;
    Ok(vec![
        (
            "Coordinator token (V6)".to_string(),
            minter.mint("demo-coordinator-V6", vec![coordinator], ttl)?,
        ),
        (
            "Officer token (SE-1494)".to_string(),
            minter.mint("demo-officer-SE-1494", vec![officer], ttl)?,
        ),
    ])
}

/// The tokens the web app's sign-in page offers with `serve --demo` (served
/// at `GET /demo/tokens`): the printed ones and a reader's.
pub fn demo_sign_in_tokens(minter: &Minter) -> anyhow::Result<Vec<(String, String)>> {
    let mut tokens = demo_tokens(minter)?;
    let reader = role("reader", None, None)?;
    tokens.push((
        "Reader token".to_string(),
        minter.mint("demo-reader", vec![reader], Duration::from_secs(24 * 3600))?,
    ));
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dev_key_is_created_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let (first, created) = dev_key(dir.path()).unwrap();
        assert!(created);
        let (again, created) = dev_key(dir.path()).unwrap();
        assert!(!created);
        assert_eq!(first, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(DEV_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn short_secrets_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        fs::write(&path, "too short\n").unwrap();
        let err = read_secret(&path).unwrap_err().to_string();
        assert!(err.contains("at least 32"), "{err}");
        assert!(!err.contains("too short"), "the secret is never printed: {err}");
    }
}
