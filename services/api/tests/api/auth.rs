use std::sync::Arc;

use axum::http::StatusCode;
use samverkan_api::{AuthError, Authenticator, Principal, Role};
use samverkan_domain::MunicipalityCode;
use samverkan_eventstore::Direction;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::spawn_app_with;

/// Tokens `admin` and `officer-<code>`.
struct Tokens;

impl Authenticator for Tokens {
    fn authenticate(&self, bearer: Option<&str>) -> Result<Principal, AuthError> {
        let token = bearer.ok_or(AuthError::MissingCredentials)?;
        let role = match token {
            "admin" => Role::Admin,
            t => match t.strip_prefix("officer-").and_then(|c| MunicipalityCode::parse(c).ok()) {
                Some(code) => Role::Officer(code),
                None => return Err(AuthError::InvalidCredentials("unknown token".into())),
            },
        };
        Ok(Principal {
            subject: format!("user:{token}"),
            roles: vec![role],
        })
    }
}

const REGISTER: &str = r#"mutation($id: UUID!, $c: MunicipalityCode!) { registerMunicipality(commandId: $id, input: {code: $c, name: "Kommun"}) { position } }"#;
const SIGN: &str = r#"mutation($id: UUID!, $c: MunicipalityCode!) { signTwinTownAgreement(commandId: $id, input: {municipality: $c,
    partner: {name: "Ylöjärvi", country: "FI"}, since: "1990-01-01", decision: {body: COUNCIL, date: "1990-01-01"}}) { position } }"#;

#[tokio::test]
async fn requests_need_credentials_and_writes_are_scoped() {
    let app = spawn_app_with(Arc::new(Tokens)).await;
    let body = |c: &str, q: &str| json!({ "query": q, "variables": { "id": Uuid::new_v4(), "c": c } });

    let anonymous = app.post_json(body("SE-1784", REGISTER), &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
    let bad = app
        .post_json(body("SE-1784", REGISTER), &[("authorization", "Bearer nobody")])
        .await;
    assert_eq!(bad.code(), "UNAUTHENTICATED");
    let basic = app
        .post_json(body("SE-1784", REGISTER), &[("authorization", "Basic YWRtaW4=")])
        .await;
    assert_eq!(basic.code(), "UNAUTHENTICATED");

    // Only administrators register municipalities.
    let officer = [("authorization", "Bearer officer-SE-1784")];
    assert_eq!(
        app.post_json(body("SE-1784", REGISTER), &officer).await.code(),
        "FORBIDDEN"
    );
    for c in ["SE-1784", "SE-1487"] {
        app.post_json(body(c, REGISTER), &[("authorization", "Bearer admin")])
            .await
            .data();
    }
    // An officer decides for their own municipality only.
    assert_eq!(app.post_json(body("SE-1487", SIGN), &officer).await.code(), "FORBIDDEN");
    app.post_json(body("SE-1784", SIGN), &officer).await.data();
    let events = app
        .store
        .read_stream("municipality-SE-1784", Direction::Forwards, Some(1), 1)
        .await
        .expect("read");
    assert_eq!(events[0].metadata.actor.as_deref(), Some("user:officer-SE-1784"));
    assert_eq!(events[0].metadata.actor_role.as_deref(), Some("officer:SE-1784"));
}
