use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use samverkan_api::jwt::mint_hs256;
use samverkan_api::{router, ApiState, Authenticator, Clock, JwtAuthenticator, Limits, Role, Secret, TokenSpec};
use samverkan_app::{Commands, ProcessManager, Projections};
use samverkan_eventstore::{EventStore, SqliteStore};
use serde_json::{json, Value};
use tower::ServiceExt;
use uuid::Uuid;

pub struct TestApp {
    pub router: Router,
    pub store: Arc<dyn EventStore>,
    /// The administrator token `gql` and `post_json` send.
    pub admin: String,
    _dir: tempfile::TempDir,
}

/// The HS256 secret of the test apps (issuer and audience `samverkan`).
pub const TEST_SECRET: &[u8] = b"test-secret-test-secret-test-secret-0123456789";

/// A token of `subject` with `roles`, signed with [`TEST_SECRET`].
pub fn token(subject: &str, roles: Vec<Role>) -> String {
    mint_hs256(&Secret::new(TEST_SECRET), &TokenSpec::new(subject, roles)).expect("mint a token")
}

pub fn officer(m: &str) -> String {
    token(
        &format!("officer-{m}"),
        vec![Role::Officer(
            samverkan_domain::MunicipalityCode::parse(m).expect("code"),
        )],
    )
}

pub fn coordinator(c: &str) -> String {
    token(
        &format!("coordinator-{c}"),
        vec![Role::Coordinator(
            samverkan_domain::ConsortiumCode::parse(c).expect("code"),
        )],
    )
}

pub fn reader(m: Option<&str>) -> String {
    let scope = m.map(|m| samverkan_domain::MunicipalityCode::parse(m).expect("code"));
    token(&format!("reader-{}", m.unwrap_or("all")), vec![Role::Reader(scope)])
}

/// A fresh app with its own store, read models and process manager, and the
/// real JWT authenticator (HS256 with [`TEST_SECRET`]); `gql` calls as the
/// administrator `test-admin`.
pub async fn spawn_app() -> TestApp {
    let auth = JwtAuthenticator::hs256(&Secret::new(TEST_SECRET), "samverkan", "samverkan").expect("authenticator");
    spawn_app_with(Arc::new(auth)).await
}

pub async fn spawn_app_with(authenticator: Arc<dyn Authenticator>) -> TestApp {
    spawn_app_over(authenticator, |store| store, None).await
}

/// A test app over the store `wrap` makes of the real SQLite store (e.g. one
/// that counts the calls), with `clock` as the server clock when given.
pub async fn spawn_app_over(
    authenticator: Arc<dyn Authenticator>,
    wrap: impl FnOnce(Arc<dyn EventStore>) -> Arc<dyn EventStore>,
    clock: Option<Clock>,
) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn EventStore> = wrap(Arc::new(
        SqliteStore::open(dir.path().join("events.sqlite")).expect("open the store"),
    ));
    let projections = Projections::new(None);
    projections.start(store.clone());
    ProcessManager::new(Commands::new(store.clone()), None).start(store.clone());
    let limits = Limits {
        read_wait: Duration::from_millis(1500),
        ..Limits::default()
    };
    let mut state = ApiState::new(store.clone(), projections.clone(), authenticator).with_limits(limits);
    if let Some(clock) = clock {
        state = state.with_clock(clock);
    }
    TestApp {
        router: router(state),
        store,
        admin: token("test-admin", vec![Role::Admin]),
        _dir: dir,
    }
}

/// A GraphQL response: status and JSON body.
pub struct Gql {
    pub status: StatusCode,
    pub body: Value,
}

impl Gql {
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none_or(Value::is_null),
            "unexpected errors: {:#}",
            self.body
        );
        &self.body["data"]
    }
    /// The first error's `extensions`.
    pub fn error(&self) -> &Value {
        let errors = self.body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("expected errors: {:#}", self.body));
        assert!(!errors.is_empty(), "expected errors: {:#}", self.body);
        &errors[0]["extensions"]
    }
    pub fn code(&self) -> &str {
        self.error()["code"]
            .as_str()
            .unwrap_or_else(|| panic!("error without code: {:#}", self.body))
    }
    pub fn rule(&self) -> &str {
        self.error()["rule"]
            .as_str()
            .unwrap_or_else(|| panic!("error without rule: {:#}", self.body))
    }
}

impl TestApp {
    pub async fn request(&self, request: Request<Body>) -> (StatusCode, Vec<u8>) {
        let response = self.router.clone().oneshot(request).await.expect("the router answers");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        (status, bytes.to_vec())
    }

    /// POST as the administrator, unless `headers` hold an `authorization`.
    pub async fn post_json(&self, body: Value, headers: &[(&str, &str)]) -> Gql {
        let admin = format!("Bearer {}", self.admin);
        let mut all = headers.to_vec();
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")) {
            all.push(("authorization", &admin));
        }
        self.post_raw(body, &all).await
    }

    /// POST with exactly these headers (no token unless given).
    pub async fn post_raw(&self, body: Value, headers: &[(&str, &str)]) -> Gql {
        let mut builder = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let (status, bytes) = self
            .request(builder.body(Body::from(body.to_string())).expect("request"))
            .await;
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON ({status}): {}", String::from_utf8_lossy(&bytes)));
        Gql { status, body }
    }

    pub async fn gql(&self, query: &str, variables: Value) -> Gql {
        self.post_json(json!({ "query": query, "variables": variables }), &[])
            .await
    }

    /// A GraphQL request with `token` as the bearer.
    pub async fn gql_as(&self, token: &str, query: &str, variables: Value) -> Gql {
        let bearer = format!("Bearer {token}");
        self.post_raw(
            json!({ "query": query, "variables": variables }),
            &[("authorization", &bearer)],
        )
        .await
    }

    /// The store's head position.
    pub async fn head(&self) -> Option<u64> {
        self.store.head_position().await.expect("head")
    }

    /// Register a municipality; returns the mutation's `position`.
    pub async fn register(&self, code: &str, name: &str) -> u64 {
        let r = self
            .gql(
                "mutation($id: UUID!, $code: MunicipalityCode!, $name: String!) { registerMunicipality(commandId: $id, input: {code: $code, name: $name}) { position version } }",
                json!({ "id": Uuid::new_v4(), "code": code, "name": name }),
            )
            .await;
        r.data()["registerMunicipality"]["position"].as_u64().expect("position")
    }

    /// Form a consortium with members (the first coordinates).
    pub async fn consortium(&self, code: &str, members: &[&str]) {
        let r = self
            .gql(
                r#"mutation($id: UUID!, $code: ConsortiumCode!) { formConsortium(commandId: $id, input: {code: $code, name: "Test", kind: REGIONAL_COOPERATION, purpose: "Testing", formedOn: "2000-01-01"}) { position } }"#,
                json!({ "id": Uuid::new_v4(), "code": code }),
            )
            .await;
        r.data();
        for m in members {
            let r = self
                .gql(
                    r#"mutation($id: UUID!, $c: ConsortiumCode!, $m: MunicipalityCode!) { joinConsortium(commandId: $id, input: {consortium: $c, municipality: $m, joinedOn: "2001-01-01"}) { position } }"#,
                    json!({ "id": Uuid::new_v4(), "c": code, "m": m }),
                )
                .await;
            r.data();
        }
    }
}
