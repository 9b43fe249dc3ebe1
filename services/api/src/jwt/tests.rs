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
