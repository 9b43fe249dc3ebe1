//! Authentication with real JWTs: what is accepted, and every hostile token
//! refused with `UNAUTHENTICATED` while the store stays untouched.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use samverkan_api::jwt::{Claims, RemoteKeys, RoleClaim, VerificationKey};
use samverkan_api::JwtAuthenticator;
use samverkan_eventstore::Direction;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{officer, spawn_app, spawn_app_with, token, TestApp, TEST_SECRET};
use crate::test_keys::{b64url, fixture};

const REGISTER: &str = r#"mutation($id: UUID!, $c: MunicipalityCode!) { registerMunicipality(commandId: $id, input: {code: $c, name: "Kommun"}) { position } }"#;
const SIGN: &str = r#"mutation($id: UUID!, $c: MunicipalityCode!) { signTwinTownAgreement(commandId: $id, input: {municipality: $c,
    partner: {name: "Ylöjärvi", country: "FI"}, since: "1990-01-01", decision: {body: COUNCIL, date: "1990-01-01"}}) { position } }"#;

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// Valid claims of an administrator, to be spoiled one way or another.
fn admin_claims() -> Claims {
    Claims {
        sub: Some("mallory".into()),
        iss: Some("samverkan".into()),
        aud: Some(json!("samverkan")),
        exp: Some(now() + 3600),
        nbf: Some(now() - 10),
        iat: Some(now() - 10),
        roles: vec![RoleClaim {
            role: "admin".into(),
            municipality: None,
            consortium: None,
        }],
    }
}

fn sign(claims: &Claims, header: Header, key: &EncodingKey) -> String {
    jsonwebtoken::encode(&header, claims, key).expect("encode")
}

fn hs256(claims: &Claims) -> String {
    sign(
        claims,
        Header::new(Algorithm::HS256),
        &EncodingKey::from_secret(TEST_SECRET),
    )
}

async fn register_with(app: &TestApp, bearer: &str) -> crate::helpers::Gql {
    let header = format!("Bearer {bearer}");
    app.post_raw(
        json!({ "query": REGISTER, "variables": { "id": Uuid::new_v4(), "c": "SE-1784" } }),
        &[("authorization", &header)],
    )
    .await
}

async fn assert_refused(app: &TestApp, bearer: &str, why: &str) -> Value {
    let r = register_with(app, bearer).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{why}: {:#}", r.body);
    assert_eq!(r.code(), "UNAUTHENTICATED", "{why}");
    assert_eq!(app.head().await, None, "{why}: a refused request writes nothing");
    r.body["errors"][0]["message"].clone()
}

#[tokio::test]
async fn requests_need_a_valid_token() {
    let app = spawn_app().await;
    let body = json!({ "query": REGISTER, "variables": { "id": Uuid::new_v4(), "c": "SE-1784" } });

    let anonymous = app.post_raw(body.clone(), &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
    // Queries too: every caller is authenticated.
    let query = app
        .post_raw(json!({ "query": "{ municipalities { totalCount } }" }), &[])
        .await;
    assert_eq!(query.code(), "UNAUTHENTICATED");
    let basic = app
        .post_raw(body.clone(), &[("authorization", "Basic YWRtaW46YWRtaW4=")])
        .await;
    assert_eq!(basic.code(), "UNAUTHENTICATED");
    assert_refused(&app, "nobody", "not a JWT").await;
    assert_refused(&app, "", "empty").await;
    assert_refused(&app, &"x".repeat(20_000), "huge").await;

    let ok = register_with(&app, &app.admin).await;
    ok.data();
    let events = app
        .store
        .read_stream("municipality-SE-1784", Direction::Forwards, Some(0), 1)
        .await
        .expect("read");
    assert_eq!(events[0].metadata.actor.as_deref(), Some("test-admin"));
    assert_eq!(events[0].metadata.actor_role.as_deref(), Some("admin"));
}

#[tokio::test]
async fn hostile_tokens_are_refused_and_write_nothing() {
    let app = spawn_app().await;

    let mut expired = admin_claims();
    expired.exp = Some(now() - 3600);
    let m = assert_refused(&app, &hs256(&expired), "expired").await;
    assert!(m.as_str().is_some_and(|m| m.contains("expired")), "{m}");

    let mut early = admin_claims();
    early.nbf = Some(now() + 3600);
    assert_refused(&app, &hs256(&early), "not yet valid").await;

    let mut audience = admin_claims();
    audience.aud = Some(json!("another-service"));
    let m = assert_refused(&app, &hs256(&audience), "wrong audience").await;
    assert!(m.as_str().is_some_and(|m| m.contains("audience")), "{m}");
    audience.aud = Some(json!(["another-service", "a-third"]));
    assert_refused(&app, &hs256(&audience), "wrong audiences").await;

    let mut issuer = admin_claims();
    issuer.iss = Some("https://evil.example".into());
    assert_refused(&app, &hs256(&issuer), "wrong issuer").await;

    for missing in ["exp", "sub", "aud", "iss"] {
        let mut c = admin_claims();
        match missing {
            "exp" => c.exp = None,
            "sub" => c.sub = None,
            "aud" => c.aud = None,
            _ => c.iss = None,
        }
        assert_refused(&app, &hs256(&c), missing).await;
    }

    let mut blank = admin_claims();
    blank.sub = Some("  ".into());
    assert_refused(&app, &hs256(&blank), "blank subject").await;
    let mut roleless = admin_claims();
    roleless.roles.clear();
    assert_refused(&app, &hs256(&roleless), "no role").await;
    let mut bad_scope = admin_claims();
    bad_scope.roles = vec![RoleClaim {
        role: "officer".into(),
        municipality: Some("Lidköping".into()),
        consortium: None,
    }];
    assert_refused(&app, &hs256(&bad_scope), "malformed role").await;

    // Signed with another secret.
    let other = sign(
        &admin_claims(),
        Header::new(Algorithm::HS256),
        &EncodingKey::from_secret(b"another-secret-another-secret-another-secret"),
    );
    assert_refused(&app, &other, "wrong secret").await;

    // Forged: an officer's token whose payload is swapped for an admin's.
    let genuine = officer("SE-1784");
    let parts: Vec<&str> = genuine.split('.').collect();
    let payload = b64url(&serde_json::to_vec(&admin_claims()).expect("json"));
    let forged = format!("{}.{}.{}", parts[0], payload, parts[2]);
    assert_refused(&app, &forged, "forged payload").await;

    // `alg: none`, with and without a signature part.
    let none_header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
    assert_refused(&app, &format!("{none_header}.{payload}."), "alg none").await;
    assert_refused(
        &app,
        &format!("{none_header}.{payload}.{}", parts[2]),
        "alg none, signed",
    )
    .await;
    let none_lower = b64url(br#"{"alg":"None"}"#);
    assert_refused(&app, &format!("{none_lower}.{payload}."), "alg None").await;

    // Another HMAC algorithm than the configured one, with the right secret.
    let hs512 = sign(
        &admin_claims(),
        Header::new(Algorithm::HS512),
        &EncodingKey::from_secret(TEST_SECRET),
    );
    let m = assert_refused(&app, &hs512, "HS512").await;
    assert!(m.as_str().is_some_and(|m| m.contains("not accepted")), "{m}");

    // Garbage in every part.
    assert_refused(&app, "a.b.c", "garbage").await;
    assert_refused(
        &app,
        &format!("{}.{}.{}", parts[0], parts[1], "AAAA"),
        "short signature",
    )
    .await;
}

#[tokio::test]
async fn rs256_and_es256_public_keys_verify_and_hs_rs_confusion_fails() {
    let mut keys = VerificationKey::from_pem(&fixture("rsa-test-public.pem"), "rsa").expect("rsa key");
    keys.extend(VerificationKey::from_pem(&fixture("ec-test-public.pem"), "ec").expect("ec key"));
    assert_eq!(keys[0].algorithm(), Algorithm::RS256);
    assert_eq!(keys[1].algorithm(), Algorithm::ES256);
    let auth = JwtAuthenticator::new(keys, "samverkan", "samverkan").expect("authenticator");
    let app = spawn_app_with(Arc::new(auth)).await;

    let rs = sign(
        &admin_claims(),
        Header::new(Algorithm::RS256),
        &EncodingKey::from_rsa_pem(&fixture("rsa-test-private.pem")).expect("rsa private"),
    );
    register_with(&app, &rs).await.data();
    let es = sign(
        &admin_claims(),
        Header::new(Algorithm::ES256),
        &EncodingKey::from_ec_pem(&fixture("ec-test-private.pem")).expect("ec private"),
    );
    let r = app
        .gql_as(&es, "{ municipality(code: \"SE-1784\") { name } }", json!({}))
        .await;
    assert_eq!(r.data()["municipality"]["name"], "Kommun");
    let head = app.head().await;

    let other = sign(
        &admin_claims(),
        Header::new(Algorithm::RS256),
        &EncodingKey::from_rsa_pem(&fixture("rsa-other-private.pem")).expect("rsa private"),
    );
    // HS/RS confusion: an HS256 token keyed with the public key's bytes.
    let confused = sign(
        &admin_claims(),
        Header::new(Algorithm::HS256),
        &EncodingKey::from_secret(&fixture("rsa-test-public.pem")),
    );
    // The RSA key presented as ES256.
    let rs_as_es = format!(
        "{}.{}",
        b64url(br#"{"alg":"ES256","typ":"JWT"}"#),
        rs.split_once('.').expect("dot").1
    );
    for (bad, why) in [
        (other, "another RSA key"),
        (confused, "HS256 keyed with the public key"),
        (rs_as_es, "RS256 signature labelled ES256"),
        (hs256(&admin_claims()), "HS256 on an RS/ES-only server"),
    ] {
        let r = register_with(&app, &bad).await;
        assert_eq!(r.code(), "UNAUTHENTICATED", "{why}");
        assert_eq!(app.head().await, head, "{why}");
    }
}

#[tokio::test]
async fn jwks_keys_are_selected_by_kid() {
    let (keys, skipped) = VerificationKey::from_jwks(&fixture("jwks-test.json"), "jwks").expect("jwks");
    assert_eq!(keys.len(), 2, "{skipped:?}");
    let auth = JwtAuthenticator::new(keys, "samverkan", "samverkan").expect("authenticator");
    let app = spawn_app_with(Arc::new(auth)).await;
    let rsa = EncodingKey::from_rsa_pem(&fixture("rsa-test-private.pem")).expect("rsa private");
    let with_kid = |alg, kid: Option<&str>, key: &EncodingKey| {
        let mut h = Header::new(alg);
        h.kid = kid.map(str::to_string);
        sign(&admin_claims(), h, key)
    };
    register_with(&app, &with_kid(Algorithm::RS256, Some("rsa-1"), &rsa))
        .await
        .data();
    let ec = EncodingKey::from_ec_pem(&fixture("ec-test-private.pem")).expect("ec private");
    let r = app
        .gql_as(
            &with_kid(Algorithm::ES256, Some("ec-1"), &ec),
            "{ municipalities { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["municipalities"]["totalCount"], 1);
    for (bad, why) in [
        (with_kid(Algorithm::RS256, Some("rsa-2"), &rsa), "unknown kid"),
        (with_kid(Algorithm::RS256, Some("ec-1"), &rsa), "kid of another key"),
    ] {
        let r = app.gql_as(&bad, "{ municipalities { totalCount } }", json!({})).await;
        assert_eq!(r.code(), "UNAUTHENTICATED", "{why}");
    }
}

/// A key set from a JWKS URL (filled here by hand as the server's refresher
/// does): replaced in place, and a token with an unknown `kid` asks for a
/// refresh, at most once per gap, while it is itself refused.
#[tokio::test]
async fn jwks_url_keys_are_replaced_in_place_and_unknown_kids_ask_for_a_bounded_refresh() {
    let (a, _) = VerificationKey::from_jwks(&fixture("jwks-test.json"), "idp").expect("jwks");
    let remote = RemoteKeys::new("http://idp.test/keys", a, Duration::from_secs(3600));
    let auth = JwtAuthenticator::with_remote(vec![], remote.clone(), "samverkan", "samverkan");
    let app = spawn_app_with(Arc::new(auth)).await;
    let with_kid = |kid: &str, pem: &str| {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some(kid.to_string());
        sign(
            &admin_claims(),
            h,
            &EncodingKey::from_rsa_pem(&fixture(pem)).expect("rsa private"),
        )
    };
    let (token_a, token_b) = (
        with_kid("rsa-1", "rsa-test-private.pem"),
        with_kid("rsa-2", "rsa-other-private.pem"),
    );
    let query = "{ municipalities { totalCount } }";
    app.gql_as(&token_a, query, json!({})).await.data();
    let requested = || tokio::time::timeout(Duration::from_millis(200), remote.refresh_requested());
    assert!(requested().await.is_err(), "a known kid asks for nothing");

    // The provider rotated: a token with the new kid is refused now and asks for a refresh …
    let r = app.gql_as(&token_b, query, json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"));
    assert!(requested().await.is_ok(), "an unknown kid asks for a refresh");
    // … but a flood of made-up kids within the gap asks for no more.
    for i in 0..20 {
        let r = app
            .gql_as(
                &with_kid(&format!("garbage-{i}"), "rsa-test-private.pem"),
                query,
                json!({}),
            )
            .await;
        assert_eq!(r.code(), "UNAUTHENTICATED");
    }
    assert!(requested().await.is_err(), "refresh requests are rate-limited");

    // The refreshed set replaces the old one whole: B verifies, A no longer does.
    let (b, _) = VerificationKey::from_jwks(&fixture("jwks-other.json"), "idp").expect("jwks");
    remote.replace(b);
    app.gql_as(&token_b, query, json!({})).await.data();
    let r = app.gql_as(&token_a, query, json!({})).await;
    assert_eq!(r.code(), "UNAUTHENTICATED", "a removed key no longer verifies");
    let r = app.gql_as(&hs256(&admin_claims()), query, json!({})).await;
    assert_eq!(r.code(), "UNAUTHENTICATED", "no HS256 key is configured");
}

#[test]
fn unusable_key_files_are_clear_errors() {
    let err = VerificationKey::from_pem(&fixture("rsa-test-private.pem"), "key.pem").unwrap_err();
    assert!(err.to_string().contains("private key"), "{err}");
    let err = VerificationKey::from_pem(b"hello", "key.pem").unwrap_err();
    assert!(err.to_string().contains("no PEM public key"), "{err}");
    let err = VerificationKey::from_jwks(b"{\"keys\": []}", "jwks.json").unwrap_err();
    assert!(err.to_string().contains("no RS256 or ES256"), "{err}");
    let err = VerificationKey::from_jwks(b"not json", "jwks.json").unwrap_err();
    assert!(err.to_string().contains("not a JWKS"), "{err}");
    let (_, skipped) = VerificationKey::from_jwks(
        br#"{"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}, {"kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB", "kid": "e"},
                      {"kty": "RSA", "kid": "r", "n": "AQAB", "e": "AQAB"}]}"#,
        "jwks.json",
    )
    .expect("one usable key");
    assert_eq!(skipped.len(), 2, "{skipped:?}");
}

#[tokio::test]
async fn writes_are_scoped_and_the_acting_role_is_recorded() {
    let app = spawn_app().await;
    let body = |c: &str, q: &str| json!({ "query": q, "variables": { "id": Uuid::new_v4(), "c": c } });
    let officer_token = officer("SE-1784");
    let officer_header = format!("Bearer {officer_token}");
    let as_officer = [("authorization", officer_header.as_str())];
    assert_eq!(
        app.post_json(body("SE-1784", REGISTER), &as_officer).await.code(),
        "FORBIDDEN"
    );
    for c in ["SE-1784", "SE-1487"] {
        app.post_json(body(c, REGISTER), &[]).await.data();
    }
    let head = app.head().await;
    assert_eq!(
        app.post_json(body("SE-1487", SIGN), &as_officer).await.code(),
        "FORBIDDEN"
    );
    assert_eq!(app.head().await, head, "a denied write appends nothing");
    app.post_json(body("SE-1784", SIGN), &as_officer).await.data();
    let events = app
        .store
        .read_stream("municipality-SE-1784", Direction::Forwards, Some(1), 1)
        .await
        .expect("read");
    assert_eq!(events[0].metadata.actor.as_deref(), Some("officer-SE-1784"));
    assert_eq!(events[0].metadata.actor_role.as_deref(), Some("officer:SE-1784"));

    // A token with two roles records the one that allowed the command.
    let both = token(
        "alice",
        vec![
            samverkan_api::Role::Admin,
            samverkan_api::Role::Officer(samverkan_domain::MunicipalityCode::parse("SE-1487").expect("code")),
        ],
    );
    app.gql_as(&both, SIGN, json!({ "id": Uuid::new_v4(), "c": "SE-1487" }))
        .await
        .data();
    let events = app
        .store
        .read_stream("municipality-SE-1487", Direction::Forwards, Some(1), 1)
        .await
        .expect("read");
    assert_eq!(events[0].metadata.actor.as_deref(), Some("alice"));
    assert_eq!(events[0].metadata.actor_role.as_deref(), Some("officer:SE-1487"));
}
