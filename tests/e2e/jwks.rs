//! Keys from an identity provider, rotated without a restart: the real binary
//! against a local provider (axum, in the test) that publishes an OpenID
//! configuration and a JWKS, rotates its keys, fails and goes away, and counts
//! the fetches it serves. The tests run on a multi-threaded runtime: the
//! provider must answer while `spawn` blocks waiting for the server to start.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use samverkan_api::jwt::{mint_with_private_pem, TokenSpec};
use samverkan_api::Role;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{data, spawn, Server, BIN};
use crate::test_keys::{b64url, fixture};

/// The JWK with `kid` from a fixture JWKS.
fn jwk(file: &str, kid: &str) -> Value {
    let set: Value = serde_json::from_slice(&fixture(file)).expect("JWKS");
    set["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["kid"] == kid))
        .cloned()
        .expect("kid in fixture")
}

/// What the provider's JWKS URL answers.
#[derive(Clone)]
enum Answer {
    Keys(Value),
    Status(StatusCode),
    /// A 2 MiB document (more than the server reads).
    Huge,
}

#[derive(Clone)]
struct Idp {
    base: String,
    answer: Arc<Mutex<Answer>>,
    fetches: Arc<AtomicUsize>,
    discoveries: Arc<AtomicUsize>,
}

impl Idp {
    /// A provider on a free port publishing `keys`. Its answers close the
    /// connection, so that once the task is aborted the provider is really
    /// unreachable (no pooled connection outlives it).
    async fn start(keys: Vec<Value>) -> (Self, tokio::task::JoinHandle<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let idp = Idp {
            base: format!("http://{}", listener.local_addr().expect("addr")),
            answer: Arc::new(Mutex::new(Answer::Keys(json!({ "keys": keys })))),
            fetches: Arc::new(AtomicUsize::new(0)),
            discoveries: Arc::new(AtomicUsize::new(0)),
        };
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/keys", get(jwks))
            .with_state(idp.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (idp, task)
    }

    fn set(&self, answer: Answer) {
        *self.answer.lock().expect("lock") = answer;
    }

    fn publish(&self, keys: Vec<Value>) {
        self.set(Answer::Keys(json!({ "keys": keys })));
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    /// Wait (bounded) until the server has fetched more than `n` times.
    async fn fetched_more_than(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.fetches() <= n {
            assert!(Instant::now() < deadline, "the server did not fetch the JWKS");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn discovery(State(idp): State<Idp>) -> Response {
    idp.discoveries.fetch_add(1, Ordering::SeqCst);
    let doc = json!({ "issuer": idp.base, "jwks_uri": format!("{}/keys", idp.base) });
    ([(header::CONNECTION, "close")], axum::Json(doc)).into_response()
}

async fn jwks(State(idp): State<Idp>) -> Response {
    idp.fetches.fetch_add(1, Ordering::SeqCst);
    let answer = idp.answer.lock().expect("lock").clone();
    let close = (header::CONNECTION, "close");
    match answer {
        // A long max-age: only the flags and unknown kids cause fetches here.
        Answer::Keys(doc) => (
            [close, (header::CACHE_CONTROL, "public, max-age=86400")],
            axum::Json(doc),
        )
            .into_response(),
        Answer::Status(status) => (status, [close], "provider trouble").into_response(),
        Answer::Huge => (
            [close],
            format!("{{\"keys\": [], \"pad\": \"{}\"}}", "x".repeat(2 << 20)),
        )
            .into_response(),
    }
}

const LIST: &str = "{ municipalities { totalCount } }";

/// Whether the server accepts `token` (a query answered without error) or
/// refuses it as unauthenticated.
async fn accepted(server: &Server, token: &str) -> bool {
    let (status, body) = server.post(Some(token), json!({ "query": LIST })).await;
    match status {
        200 => {
            data(&body);
            true
        }
        401 => {
            assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body:#}");
            false
        }
        other => panic!("unexpected HTTP {other}: {body:#}"),
    }
}

/// Poll (bounded) until the server's verdict on `token` is `want`.
async fn until_accepted(server: &Server, token: &str, want: bool, why: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while accepted(server, token).await != want {
        assert!(
            Instant::now() < deadline,
            "{why}: still {}",
            if want { "refused" } else { "accepted" }
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An admin token for `issuer`, signed with the fixture key `pem` under `kid`.
fn token(issuer: &str, pem: &str, kid: &str) -> String {
    let spec = TokenSpec {
        issuer: issuer.to_string(),
        ..TokenSpec::new("idp-admin", vec![Role::Admin])
    };
    mint_with_private_pem(&spec, &fixture(pem), Some(kid)).expect("mint")
}

/// `token` with its header replaced by one naming `kid` (the signature no
/// longer fits, but the unknown kid is seen first): cheap made-up kids.
fn with_kid(token: &str, kid: &str) -> String {
    let (_, rest) = token.split_once('.').expect("a JWT");
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": kid }).to_string();
    format!("{}.{rest}", b64url(header.as_bytes()))
}

/// The minimum gap between unknown-kid refreshes the server is started with.
const GAP: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_provider_keys_rotate_without_a_restart_and_outages_keep_the_cached_keys() {
    let key_a = jwk("jwks-test.json", "rsa-1");
    let key_b = jwk("jwks-other.json", "rsa-2");
    let (idp, idp_task) = Idp::start(vec![key_a.clone()]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(
        dir.path(),
        &[
            "--oidc-issuer",
            &idp.base,
            "--jwks-refresh-secs",
            "3600",
            "--jwks-min-refresh-gap-secs",
            "1",
        ],
    );
    assert!(server.admin_token.is_none());
    assert!(
        !dir.path().join("dev-jwt.key").exists(),
        "no development key with an identity provider"
    );
    assert_eq!((idp.discoveries.load(Ordering::SeqCst), idp.fetches()), (1, 1));
    // The issuer is the expected `iss`; the default issuer is not.
    let a = token(&idp.base, "rsa-test-private.pem", "rsa-1");
    let b = token(&idp.base, "rsa-other-private.pem", "rsa-2");
    let query = r#"mutation($id: UUID!) { registerMunicipality(commandId: $id, input: {code: "SE-1494", name: "Lidköping"}) { position } }"#;
    data(&server.gql_as(&a, query, json!({ "id": Uuid::new_v4() })).await);
    assert!(!accepted(&server, &token("samverkan", "rsa-test-private.pem", "rsa-1")).await);
    assert!(!accepted(&server, &b).await, "B is not published yet");
    let garbage = |i: usize| with_kid(&a, &format!("made-up-{i}"));

    // The provider adds key B: the first token naming it is refused (and asks
    // for a refresh), the next ones pass, with no restart.
    tokio::time::sleep(GAP).await;
    idp.publish(vec![key_a.clone(), key_b.clone()]);
    assert!(
        !accepted(&server, &b).await,
        "the first request with the new kid is answered with the cached keys"
    );
    until_accepted(
        &server,
        &b,
        true,
        "a token with the new key after the unknown-kid refresh",
    )
    .await;
    assert!(accepted(&server, &a).await);

    // The provider removes key A: after the next refresh (here caused by an
    // unknown kid) A's tokens fail, B's still pass.
    tokio::time::sleep(GAP).await;
    idp.publish(vec![key_b.clone()]);
    let before = idp.fetches();
    assert!(!accepted(&server, &garbage(0)).await);
    idp.fetched_more_than(before).await;
    until_accepted(&server, &a, false, "a token with the removed key").await;
    assert!(accepted(&server, &b).await);

    // A flood of made-up kids: at most one fetch per gap.
    tokio::time::sleep(GAP).await;
    let before = idp.fetches();
    let started = Instant::now();
    for i in 1..=60 {
        assert!(!accepted(&server, &garbage(i)).await);
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let fetched = idp.fetches() - before;
    let bound = 1 + (elapsed.as_secs_f64() / GAP.as_secs_f64()).ceil() as usize;
    assert!(
        (1..=bound).contains(&fetched),
        "{fetched} fetches for 60 unknown kids in {elapsed:?} (at most {bound})"
    );

    // The provider fails in several ways: each refresh attempt fails, the cached keys stay in force.
    for trouble in [Answer::Status(StatusCode::INTERNAL_SERVER_ERROR), Answer::Huge] {
        tokio::time::sleep(GAP).await;
        idp.set(trouble);
        let before = idp.fetches();
        assert!(!accepted(&server, &garbage(100 + before)).await);
        idp.fetched_more_than(before).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(accepted(&server, &b).await, "the cached keys stay in force");
        assert!(!accepted(&server, &a).await);
    }
    // … and goes away entirely.
    idp_task.abort();
    let _ = idp_task.await;
    tokio::time::sleep(GAP).await;
    assert!(!accepted(&server, &garbage(1000)).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(accepted(&server, &b).await, "the cached keys outlive the provider");

    let stderr = server.stderr_text();
    assert!(stderr.contains("the cached keys stay in force"), "{stderr}");
    assert!(stderr.contains("HTTP 500"), "{stderr}");
    assert!(stderr.contains("larger than 1048576 bytes"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(server.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jwks_url_combines_with_a_shared_secret_and_is_needed_at_start() {
    // Nobody listens on the URL: the server does not start, and says why.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/keys", closed.local_addr().expect("addr"));
    drop(closed);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--jwks-url", &url, "--data-dir"])
        .arg(dir.path())
        .env("RUST_LOG", "warn")
        .env_remove("SAMVERKAN_STORE_URL")
        .output()
        .expect("run samverkan serve");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot fetch the identity provider's keys from"),
        "{stderr}"
    );
    assert!(stderr.contains(&url), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // A JWKS URL and an HS256 secret together: both kinds of token pass.
    let (idp, _task) = Idp::start(vec![jwk("jwks-test.json", "rsa-1"), jwk("jwks-test.json", "ec-1")]).await;
    let secret = dir.path().join("hs256.key");
    std::fs::write(&secret, "correct-horse-battery-staple-0123456789-abcdef\n").expect("write");
    let jwks_url = format!("{}/keys", idp.base);
    let server = spawn(
        dir.path(),
        &[
            "--jwks-url",
            &jwks_url,
            "--jwt-hs256-secret-file",
            secret.to_str().expect("path"),
        ],
    );
    assert_eq!((idp.discoveries.load(Ordering::SeqCst), idp.fetches()), (0, 1));
    let hs = server.admin_token.clone().expect("an HS256 admin token");
    assert!(accepted(&server, &hs).await);
    assert!(accepted(&server, &token("samverkan", "rsa-test-private.pem", "rsa-1")).await);
    assert!(accepted(&server, &token("samverkan", "ec-test-private.pem", "ec-1")).await);
    assert!(server.terminate().success());
}
