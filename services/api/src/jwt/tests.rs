use samverkan_domain::{ConsortiumCode, MunicipalityCode};

use super::*;
use crate::auth::Role;

fn secret() -> Secret {
    Secret::new(b"0123456789abcdef0123456789abcdef".to_vec())
}

#[test]
fn secrets_are_redacted() {
    let s = Secret::new(b"super-secret-value-that-is-long-enough".to_vec());
    assert_eq!(format!("{s:?}"), "Secret([redacted])");
    assert_eq!(format!("{s}"), "[redacted]");
    let generated = Secret::generate();
    assert_eq!(generated.len(), 64);
    assert!(generated.expose().iter().all(u8::is_ascii_hexdigit));
    assert_ne!(generated, Secret::generate());
}

#[test]
fn minted_tokens_verify_and_carry_roles() {
    let auth = JwtAuthenticator::hs256(&secret(), DEFAULT_ISSUER, DEFAULT_AUDIENCE).unwrap();
    let m = MunicipalityCode::parse("SE-1494").unwrap();
    let token = mint_hs256(&secret(), &TokenSpec::new("alice", vec![Role::Officer(m)])).unwrap();
    let p = auth.authenticate(Some(&token)).unwrap();
    assert_eq!(p.subject, "alice");
    assert_eq!(p.roles, vec![Role::Officer(m)]);
    assert_eq!(auth.authenticate(None), Err(AuthError::MissingCredentials));
}

#[test]
fn weak_secrets_are_refused() {
    assert_eq!(
        VerificationKey::hs256(&Secret::new(b"short".to_vec())).unwrap_err(),
        KeyError::WeakSecret(5)
    );
}

#[test]
fn role_claims_parse() {
    let c = |role: &str, m: Option<&str>, k: Option<&str>| RoleClaim {
        role: role.into(),
        municipality: m.map(Into::into),
        consortium: k.map(Into::into),
    };
    assert_eq!(c("admin", None, None).to_role(), Ok(Some(Role::Admin)));
    assert_eq!(c("reader", None, None).to_role(), Ok(Some(Role::Reader(None))));
    assert!(c("officer", None, None).to_role().is_err());
    assert!(c("officer", Some("SE-14"), None).to_role().is_err());
    assert!(c("coordinator", None, None).to_role().is_err());
    assert_eq!(c("auditor", None, None).to_role(), Ok(None));
    for role in [
        Role::Admin,
        Role::Reader(None),
        Role::Reader(Some(MunicipalityCode::parse("SE-1487").unwrap())),
        Role::Coordinator(ConsortiumCode::parse("V6").unwrap()),
    ] {
        assert_eq!(RoleClaim::from(&role).to_role(), Ok(Some(role)));
    }
}

/// Claims of an administrator valid for an hour, to be spoiled.
fn claims_for(sub: &str, exp: u64) -> Claims {
    Claims {
        sub: Some(sub.into()),
        iss: Some(DEFAULT_ISSUER.into()),
        aud: Some(serde_json::json!(DEFAULT_AUDIENCE)),
        exp: Some(exp),
        nbf: None,
        iat: None,
        roles: vec![RoleClaim::from(&Role::Admin)],
    }
}

fn hs256_token(claims: &Claims) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(secret().expose());
    jsonwebtoken::encode(&jsonwebtoken::Header::new(Algorithm::HS256), claims, &key).unwrap()
}

#[test]
fn a_verified_token_is_answered_again_but_tampered_and_expired_ones_are_still_refused() {
    let auth = JwtAuthenticator::hs256(&secret(), DEFAULT_ISSUER, DEFAULT_AUDIENCE).unwrap();
    let now = verified::now();
    let token = hs256_token(&claims_for("alice", now + 3600));
    let first = auth.verify(&token).unwrap();
    assert_eq!(
        auth.verify(&token).unwrap(),
        first,
        "the kept principal is the verified one"
    );
    // Any other bytes are verified afresh: a changed payload or signature fails.
    let (head, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.ends_with('A') { 'B' } else { 'A' };
    let tampered = format!("{head}.{}{flipped}", &signature[..signature.len() - 1]);
    assert!(auth.verify(&tampered).is_err(), "a tampered signature");
    // Another subject's claims under this token's signature.
    let part = |t: &str, i: usize| t.split('.').nth(i).unwrap().to_string();
    let other = hs256_token(&claims_for("mallory", now + 3600));
    let forged = format!("{}.{}.{}", part(&token, 0), part(&other, 1), part(&token, 2));
    assert!(auth.verify(&forged).is_err(), "a changed payload");
    assert_eq!(auth.verify(&token).unwrap(), first);
    // An expired token is refused every time, with the expiry message.
    let expired = hs256_token(&claims_for("alice", now - 3600));
    for _ in 0..2 {
        assert_eq!(
            auth.verify(&expired),
            Err(AuthError::InvalidCredentials("the token has expired".into()))
        );
    }
}

#[test]
fn a_kept_token_is_not_used_past_its_expiry_before_its_verification_or_after_a_key_refresh() {
    let kept = verified::Verified::default();
    let principal = Principal {
        subject: "alice".into(),
        roles: vec![Role::Admin],
        // `exp` = 1,000: valid while now ≤ 1,000 + leeway.
        expires_at: Some(1_000 + LEEWAY_SECS + 1),
    };
    kept.keep("t", &principal, 900, None);
    assert_eq!(kept.get("t", 1_000 + LEEWAY_SECS, None), Some(principal.clone()));
    assert_eq!(kept.get("t", 1_000 + LEEWAY_SECS + 1, None), None, "expired");
    assert_eq!(kept.get("t", 900, None), None, "dropped once expired");
    kept.keep("t", &principal, 900, None);
    assert_eq!(kept.get("t", 899, None), None, "the clock went back");
    // Verified with one JWKS set: used only while that very set is in force.
    let set = Arc::new(vec![VerificationKey::hs256(&secret()).unwrap()]);
    let same_keys_refetched = Arc::new(vec![VerificationKey::hs256(&secret()).unwrap()]);
    kept.keep("t", &principal, 900, Some(set.clone()));
    assert_eq!(kept.get("t", 950, Some(&set)), Some(principal.clone()));
    assert_eq!(kept.get("t", 950, Some(&same_keys_refetched)), None, "refreshed");
    assert_eq!(kept.get("t", 950, Some(&set)), None);
    assert_eq!(kept.get("u", 950, None), None);
}
