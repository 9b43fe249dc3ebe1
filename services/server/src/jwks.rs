//! Keys from an identity provider, rotated without a restart: the JWKS URL
//! (`--jwks-url`, or the `jwks_uri` of `--oidc-issuer`'s OpenID configuration)
//! is fetched at start, then by a background task every `--jwks-refresh-secs`
//! (sooner when the provider's `Cache-Control: max-age` says so, not more often
//! than once a minute) and early when a token names an unknown `kid` (at most
//! once per `--jwks-min-refresh-gap-secs`, see [`RemoteKeys::request_refresh`]).
//!
//! Verification never waits for the network: it reads the set in force. A
//! token with a new `kid` is refused (401) until the early refresh has put the
//! new key in force, typically milliseconds later. A fetch that fails (the
//! provider is down, answers an error, an oversized or unusable document)
//! leaves the cached keys in force and is retried with back-off. At start
//! there is no cached set: the server does not start without the keys.
//!
//! Documents are parsed by [`VerificationKey::from_jwks`], as `--jwks-file`
//! is: keys for encryption or of other algorithms are skipped.

use std::collections::BTreeSet;
use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use samverkan_api::jwt::{RemoteKeys, VerificationKey};
use tokio::task::JoinHandle;

/// A JWKS or OpenID configuration larger than this is refused.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
/// How long connecting to the provider may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one fetch (connecting, sending, reading the body) may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The provider's `Cache-Control: max-age` never makes refreshes more frequent than this.
pub const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
/// The first retry after a failed refresh; doubled after each further failure
/// (up to the refresh interval).
pub const FIRST_RETRY: Duration = Duration::from_secs(5);

/// Where the provider's keys are published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The JWKS document itself.
    JwksUrl(String),
    /// An OpenID Connect issuer: its `jwks_uri` is read from
    /// `<issuer>/.well-known/openid-configuration` at start.
    OidcIssuer(String),
}

/// How the provider's keys are kept current.
#[derive(Debug, Clone)]
pub struct JwksSettings {
    pub source: KeySource,
    /// The longest time between two fetches.
    pub refresh_every: Duration,
    /// The shortest time between two early fetches caused by unknown `kid`s.
    pub min_refresh_gap: Duration,
}

/// The provider's key set, kept current by the returned task.
pub struct ProviderKeys {
    pub keys: Arc<RemoteKeys>,
    pub refresher: JoinHandle<()>,
}

/// The error and its causes on one line (reqwest puts the reason in `source`).
fn chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// `max-age` of a `Cache-Control` header (`None` when absent or unreadable).
fn max_age(value: &str) -> Option<Duration> {
    value.split(',').find_map(|d| {
        let (name, v) = d.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| v.trim().trim_matches('"').parse().ok().map(Duration::from_secs))?
    })
}

/// When to fetch next after a successful fetch.
fn next_interval(every: Duration, max_age: Option<Duration>) -> Duration {
    match max_age {
        Some(age) => age.max(MIN_REFRESH_INTERVAL).min(every),
        None => every,
    }
}

/// When to retry after the `failures`-th failure in a row.
fn retry_after(failures: u32, every: Duration) -> Duration {
    FIRST_RETRY
        .saturating_mul(2u32.saturating_pow(failures.saturating_sub(1).min(16)))
        .min(every)
}

fn check_url(url: &str, what: &str) -> anyhow::Result<()> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("the {what} `{url}` is not a URL"))?;
    match parsed.scheme() {
        "https" if cfg!(feature = "https") => Ok(()),
        "https" => {
            bail!("the {what} {url} needs TLS, and this build of samverkan has none: build it with `--features https`")
        }
        "http" => {
            let host = parsed.host_str().unwrap_or_default();
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if !loopback {
                tracing::warn!(
                    url,
                    "the {what} is plain HTTP: whoever can alter the traffic can make the server accept their tokens; use https"
                );
            }
            Ok(())
        }
        other => bail!("the {what} {url} must be http or https, not `{other}`"),
    }
}

/// Fetches the provider's documents.
#[derive(Debug, Clone)]
struct Fetcher {
    client: reqwest::Client,
}

impl Fetcher {
    fn new() -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("samverkan/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot set up the HTTP client for the identity provider")?;
        Ok(Self { client })
    }

    /// The body of `url` (2xx, at most [`MAX_DOCUMENT_BYTES`]) and its `max-age`.
    async fn get(&self, url: &str) -> Result<(Vec<u8>, Option<Duration>), String> {
        let mut response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| chain(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the provider answered HTTP {status}"));
        }
        let too_large = || format!("the document is larger than {MAX_DOCUMENT_BYTES} bytes");
        if response.content_length().is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64) {
            return Err(too_large());
        }
        let age = response
            .headers()
            .get(reqwest::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .and_then(max_age);
        let mut body = vec![];
        while let Some(chunk) = response.chunk().await.map_err(|e| chain(&e))? {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, age))
    }

    /// The `jwks_uri` of an OpenID Connect issuer.
    async fn discover(&self, issuer: &str) -> anyhow::Result<String> {
        let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
        check_url(&url, "OpenID configuration URL")?;
        let (body, _) = self
            .get(&url)
            .await
            .map_err(|e| anyhow::anyhow!("cannot fetch the OpenID configuration {url}: {e}"))?;
        let doc: serde_json::Value =
            serde_json::from_slice(&body).with_context(|| format!("the OpenID configuration {url} is not JSON"))?;
        if let Some(named) = doc["issuer"].as_str().filter(|i| *i != issuer) {
            tracing::warn!(
                configured = issuer,
                named,
                "the OpenID configuration names another issuer than --oidc-issuer"
            );
        }
        let jwks = doc["jwks_uri"]
            .as_str()
            .with_context(|| format!("the OpenID configuration {url} has no `jwks_uri`"))?;
        check_url(jwks, "JWKS URL (`jwks_uri`)")?;
        Ok(jwks.to_string())
    }

    /// The signing keys of the JWKS at `url`, the notes on skipped keys, and
    /// how long the provider says the document stays fresh.
    async fn keys(&self, url: &str) -> Result<(Vec<VerificationKey>, Vec<String>, Option<Duration>), String> {
        let (body, age) = self.get(url).await?;
        let (keys, skipped) = VerificationKey::from_jwks(&body, url).map_err(|e| e.to_string())?;
        Ok((keys, skipped, age))
    }
}

fn kids(keys: &[VerificationKey]) -> BTreeSet<String> {
    keys.iter()
        .map(|k| {
            k.kid()
                .map_or_else(|| format!("(no kid, {:?})", k.algorithm()), str::to_string)
        })
        .collect()
}

fn log_keys(keys: &[VerificationKey]) {
    for key in keys {
        tracing::info!(algorithm = ?key.algorithm(), kid = key.kid(), source = key.origin(), "token verification key");
    }
}

/// Fetch the provider's keys (failing if it cannot be reached now) and start
/// the task that keeps them current.
pub async fn start(settings: &JwksSettings) -> anyhow::Result<ProviderKeys> {
    let fetcher = Fetcher::new()?;
    let url = match &settings.source {
        KeySource::JwksUrl(url) => {
            check_url(url, "JWKS URL")?;
            url.clone()
        }
        KeySource::OidcIssuer(issuer) => fetcher.discover(issuer).await?,
    };
    let (keys, skipped, age) = fetcher.keys(&url).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot fetch the identity provider's keys from {url}: {e} \
             (the server starts only with them; check the URL and that the provider is reachable)"
        )
    })?;
    for note in skipped {
        tracing::warn!(jwks = %url, "JWKS key skipped: {note}");
    }
    log_keys(&keys);
    let remote = RemoteKeys::new(url.clone(), keys, settings.min_refresh_gap);
    let refresher = tokio::spawn(refresh(
        fetcher,
        url,
        remote.clone(),
        settings.refresh_every,
        next_interval(settings.refresh_every, age),
    ));
    Ok(ProviderKeys {
        keys: remote,
        refresher,
    })
}

/// Keep `remote` current: fetch after `next`, or early when asked.
async fn refresh(fetcher: Fetcher, url: String, remote: Arc<RemoteKeys>, every: Duration, mut next: Duration) {
    let mut failures = 0u32;
    loop {
        let early = tokio::select! {
            () = tokio::time::sleep(next) => false,
            () = remote.refresh_requested() => true,
        };
        match fetcher.keys(&url).await {
            Ok((keys, skipped, age)) => {
                let (before, after) = (kids(&remote.current()), kids(&keys));
                if before != after {
                    let added: Vec<_> = after.difference(&before).collect();
                    let removed: Vec<_> = before.difference(&after).collect();
                    tracing::info!(jwks = %url, ?added, ?removed, "the identity provider's keys changed");
                    log_keys(&keys);
                    for note in skipped {
                        tracing::warn!(jwks = %url, "JWKS key skipped: {note}");
                    }
                } else {
                    tracing::debug!(jwks = %url, early, "the identity provider's keys are unchanged");
                }
                remote.replace(keys);
                failures = 0;
                next = next_interval(every, age);
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                next = retry_after(failures, every);
                tracing::warn!(
                    jwks = %url,
                    error = %e,
                    retry_in_secs = next.as_secs(),
                    "cannot refresh the identity provider's keys; the cached keys stay in force"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(max_age("public, max-age=3600"), Some(Duration::from_secs(3600)));
        assert_eq!(max_age("Max-Age = 5 , must-revalidate"), Some(Duration::from_secs(5)));
        assert_eq!(max_age("no-cache"), None);
        assert_eq!(max_age("max-age=soon"), None);
    }

    #[test]
    fn refresh_intervals_stay_within_bounds() {
        let every = Duration::from_secs(300);
        assert_eq!(next_interval(every, None), every);
        assert_eq!(next_interval(every, Some(Duration::from_secs(86_400))), every);
        assert_eq!(
            next_interval(every, Some(Duration::from_secs(120))),
            Duration::from_secs(120)
        );
        assert_eq!(next_interval(every, Some(Duration::ZERO)), MIN_REFRESH_INTERVAL);
        assert_eq!(
            next_interval(Duration::from_secs(2), Some(Duration::ZERO)),
            Duration::from_secs(2)
        );
        assert_eq!(retry_after(1, every), Duration::from_secs(5));
        assert_eq!(retry_after(3, every), Duration::from_secs(20));
        assert_eq!(retry_after(40, every), every);
    }

    #[test]
    fn only_http_and_https_urls_are_used() {
        assert!(check_url("http://127.0.0.1:9/keys", "JWKS URL").is_ok());
        assert!(check_url("ftp://idp.example.se/keys", "JWKS URL").is_err());
        assert!(check_url("not a url", "JWKS URL").is_err());
        let https = check_url("https://idp.example.se/keys", "JWKS URL");
        assert_eq!(https.is_ok(), cfg!(feature = "https"), "{https:?}");
    }
}
