//! Security against the real binary: websocket authentication and limits,
//! the read rules on subscription feeds, RS256/ES256 public keys and JWKS,
//! and secrets that never reach the logs.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use samverkan_api::jwt::{mint_with_private_pem, TokenSpec};
use samverkan_api::Role;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::helpers::{data, spawn, spawn_with_env, Server};
use crate::subscriptions::{connect, next, open, send, Socket};
use crate::test_keys::fixture_path as fixture;

/// The close frame that ends the connection (skipping other messages).
async fn closed(socket: &mut Socket) -> (u16, String) {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(20), socket.next())
            .await
            .expect("the server closes within 20 s");
        match message {
            Some(Ok(Message::Close(Some(frame)))) => return (u16::from(frame.code), frame.reason.to_string()),
            Some(Ok(Message::Close(None))) | None => return (1005, String::new()),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return (1006, e.to_string()),
        }
    }
}

async fn log_head(server: &Server) -> Value {
    data(&server.gql("{ readModelPosition }", json!({})).await)["readModelPosition"].clone()
}

/// Register `members` and `others`, form V6 with `members` (joined
/// 2010-01-01); returns the V6 coordinator's token.
async fn v6_with_members(server: &Server, members: &[(&str, &str)], others: &[(&str, &str)]) -> String {
    for (code, name) in members.iter().chain(others) {
        data(
            &server
                .gql(
                    "mutation($id: UUID!, $c: MunicipalityCode!, $n: String!) { registerMunicipality(commandId: $id, input: {code: $c, name: $n}) { position } }",
                    json!({ "id": Uuid::new_v4(), "c": code, "n": name }),
                )
                .await,
        );
    }
    data(&server.gql(r#"mutation($id: UUID!) { formConsortium(commandId: $id, input: {code: "V6", name: "V6", kind: REGIONAL_COOPERATION, purpose: "Samverkan", formedOn: "2010-01-01"}) { position } }"#, json!({ "id": Uuid::new_v4() })).await);
    let coordinator = server.token("coordinator", Some("V6"));
    for (m, _) in members {
        data(
            &server
                .gql_as(
                    &coordinator,
                    r#"mutation($id: UUID!, $m: MunicipalityCode!) { joinConsortium(commandId: $id, input: {consortium: "V6", municipality: $m, joinedOn: "2010-01-01"}) { position } }"#,
                    json!({ "id": Uuid::new_v4(), "m": m }),
                )
                .await,
        );
    }
    coordinator
}

fn ws(server: &Server) -> String {
    format!("{}/graphql/ws", server.base.replacen("http://", "ws://", 1))
}

#[tokio::test]
async fn websocket_connections_are_authenticated_and_bounded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &[]);
    let url = ws(&server);
    let head = log_head(&server).await;

    // No token, a bad token, an expired-looking garbage token: 4403 UNAUTHENTICATED.
    for payload in [
        json!({}),
        json!({ "Authorization": "Bearer not-a-jwt" }),
        json!({ "token": "a.b.c" }),
    ] {
        let mut socket = open(&url).await;
        send(&mut socket, json!({ "type": "connection_init", "payload": payload })).await;
        let (code, reason) = closed(&mut socket).await;
        assert_eq!(code, 4403, "{payload}: {reason}");
        assert!(reason.starts_with("UNAUTHENTICATED"), "{payload}: {reason}");
    }
    // The legacy protocol gets a `connection_error` with the code.
    let mut request = url.as_str().into_client_request().expect("request");
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("graphql-ws"));
    let (mut legacy, _) = tokio_tungstenite::connect_async(request).await.expect("connects");
    legacy
        .send(Message::Text(
            json!({ "type": "connection_init", "payload": {} }).to_string().into(),
        ))
        .await
        .expect("send");
    let refused = next(&mut legacy).await;
    assert_eq!(refused["type"], "connection_error", "{refused}");
    assert_eq!(refused["payload"]["extensions"]["code"], "UNAUTHENTICATED", "{refused}");

    // Subscribing before the handshake: 4401.
    let mut socket = open(&url).await;
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { events(consortium: \"V6\") { position } }" } }),
    )
    .await;
    assert_eq!(closed(&mut socket).await.0, 4401);

    // Not JSON of the protocol: 4400.
    let mut socket = open(&url).await;
    socket.send(Message::Text("hello".into())).await.expect("send");
    assert_eq!(closed(&mut socket).await.0, 4400);

    // A message above the size limit (64 KiB): 1009.
    let token = server.token("reader", None);
    let mut socket = connect(&url, &token).await;
    let huge = format!(
        "{{\"type\":\"ping\",\"payload\":{{\"x\":\"{}\"}}}}",
        "x".repeat(100 * 1024)
    );
    let _ = socket.send(Message::Text(huge.into())).await;
    let (code, reason) = closed(&mut socket).await;
    assert_eq!(code, 1009, "{reason}");

    // At most 32 subscriptions per connection; completing one frees its slot.
    let mut socket = connect(&url, &token).await;
    let subscribe = |id: usize| json!({ "id": id.to_string(), "type": "subscribe", "payload": { "query": "subscription { events(municipality: \"SE-1494\") { position } }" } });
    for id in 0..33 {
        send(&mut socket, subscribe(id)).await;
    }
    // One of the 33 (whichever the server started last) is refused.
    let over = next(&mut socket).await;
    assert_eq!(
        over["payload"]["errors"][0]["extensions"]["rule"], "too_many_subscriptions",
        "{over}"
    );
    let refused = over["id"].as_str().expect("id").to_string();
    assert_eq!(next(&mut socket).await, json!({ "id": refused, "type": "complete" }));
    let stopped = if refused == "0" { "1" } else { "0" };
    send(&mut socket, json!({ "id": stopped, "type": "complete" })).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    send(&mut socket, subscribe(33)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The new subscription runs: a write concerning SE-1494 reaches it.
    data(
        &server
            .gql(
                r#"mutation($id: UUID!) { registerMunicipality(commandId: $id, input: {code: "SE-1494", name: "Lidköping"}) { position } }"#,
                json!({ "id": Uuid::new_v4() }),
            )
            .await,
    );
    let mut ids = vec![];
    while ids.len() < 32 {
        let m = next(&mut socket).await;
        if m["type"] == "complete" {
            // The acknowledgement of the client's own `complete`.
            assert_eq!(m["id"], stopped, "{m}");
            continue;
        }
        assert_eq!(m["type"], "next", "{m}");
        ids.push(m["id"].as_str().expect("id").to_string());
    }
    assert!(ids.iter().any(|i| i == "33"), "{ids:?}");
    assert!(!ids.iter().any(|i| *i == refused || i == stopped), "{ids:?}");
    assert_ne!(log_head(&server).await, head);

    // No connection_init at all: closed after the init timeout (10 s) with 4408.
    let mut idle = open(&url).await;
    assert_eq!(closed(&mut idle).await.0, 4408);
    assert!(server.terminate().success());
}

#[tokio::test]
async fn subscription_feeds_leave_out_drafts_the_caller_may_not_see() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &[]);
    let url = ws(&server);
    let coordinator = v6_with_members(
        &server,
        &[("SE-1494", "Lidköping"), ("SE-1495", "Skara")],
        &[("SE-1784", "Arvika")],
    )
    .await;
    let subscription = json!({ "id": "v6", "type": "subscribe", "payload": { "query": "subscription { events(consortium: \"V6\") { eventType stream actorRole } }" } });
    let mut party = connect(&url, &coordinator).await;
    send(&mut party, subscription.clone()).await;
    let outsider_token = server.token("officer", Some("SE-1784"));
    let mut outsider = connect(&url, &outsider_token).await;
    send(&mut outsider, subscription).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let draft = server
        .gql_as(
            &coordinator,
            r#"mutation($id: UUID!) { draftApplication(commandId: $id, input: {consortium: "V6", title: "Besöksnäring",
                programme: {kind: INTERREG, name: "Interreg"}, call: "1", leadApplicant: "SE-1494", deadline: "2099-01-01T00:00:00Z",
                totalBudget: {amountMinor: 1000, currency: SEK}, requested: {amountMinor: 500, currency: SEK},
                projectPeriod: {start: "2099-02-01", end: "2100-01-31"}}) { application { id } } }"#,
            json!({ "id": Uuid::new_v4() }),
        )
        .await;
    let id = data(&draft)["draftApplication"]["application"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let step = |q: &'static str| {
        let (server, id, coordinator) = (&server, id.clone(), coordinator.clone());
        async move {
            data(
                &server
                    .gql_as(&coordinator, q, json!({ "id": Uuid::new_v4(), "a": id }))
                    .await,
            )
            .clone()
        }
    };
    step(r#"mutation($id: UUID!, $a: UUID!) { recordRiskAssessment(commandId: $id, input: {applicationId: $a, benefits: "b", risks: "r", democracyAndHumanRights: "d", assessedOn: "2025-01-01"}) { position } }"#).await;
    step(r#"mutation($id: UUID!, $a: UUID!) { submitApplication(commandId: $id, input: {applicationId: $a}) { position } }"#).await;

    let mut seen = vec![];
    while seen.len() < 3 {
        let m = next(&mut party).await;
        seen.push(
            m["payload"]["data"]["events"]["eventType"]
                .as_str()
                .expect("type")
                .to_string(),
        );
    }
    assert_eq!(
        seen,
        ["ApplicationDrafted", "RiskAssessmentRecorded", "ApplicationSubmitted"]
    );
    // The outsider's first entry is the submission: the draft's events were left out.
    let first = next(&mut outsider).await;
    assert_eq!(
        first["payload"]["data"]["events"]["eventType"], "ApplicationSubmitted",
        "{first}"
    );
    assert_eq!(first["payload"]["data"]["events"]["actorRole"], "coordinator:V6");
    assert!(server.terminate().success());
}

#[tokio::test]
async fn identity_provider_keys_verify_and_secrets_stay_out_of_the_logs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pem = fixture("rsa-test-public.pem");
    let jwks = fixture("jwks-test.json");
    let server = spawn_with_env(
        dir.path(),
        &[
            "--jwt-public-key-pem",
            &pem,
            "--jwks-file",
            &jwks,
            "--jwt-issuer",
            "https://idp.example.se",
            "--jwt-audience",
            "samverkan-api",
        ],
        &[("RUST_LOG", "debug")],
    );
    assert!(server.admin_token.is_none());
    assert!(
        !dir.path().join("dev-jwt.key").exists(),
        "no development key when an IdP's keys are configured"
    );
    let spec = |roles| TokenSpec {
        issuer: "https://idp.example.se".into(),
        audience: "samverkan-api".into(),
        ..TokenSpec::new("idp-admin", roles)
    };
    let rsa = std::fs::read(fixture("rsa-test-private.pem")).expect("key");
    let ec = std::fs::read(fixture("ec-test-private.pem")).expect("key");
    let rs256 = mint_with_private_pem(&spec(vec![Role::Admin]), &rsa, None).expect("mint");
    let es256 = mint_with_private_pem(&spec(vec![Role::Admin]), &ec, Some("ec-1")).expect("mint");
    let query = r#"mutation($id: UUID!) { registerMunicipality(commandId: $id, input: {code: "SE-1494", name: "Lidköping"}) { position } }"#;
    data(&server.gql_as(&rs256, query, json!({ "id": Uuid::new_v4() })).await);
    let r = server
        .gql_as(&es256, "{ municipalities { totalCount } }", json!({}))
        .await;
    assert_eq!(data(&r)["municipalities"]["totalCount"], 1);

    // The right key but the default issuer and audience: refused.
    let wrong = mint_with_private_pem(&TokenSpec::new("x", vec![Role::Admin]), &rsa, None).expect("mint");
    let r = server.gql_as(&wrong, query, json!({ "id": Uuid::new_v4() })).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    // A development token: the server has no HS256 key.
    let hs = crate::helpers::mint_token(dir.path(), None, &["--role", "admin"]);
    let r = server.gql_as(&hs, query, json!({ "id": Uuid::new_v4() })).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    // Over websockets too.
    let mut socket = connect(&ws(&server), &es256).await;
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ readModelPosition }" } }),
    )
    .await;
    assert_eq!(next(&mut socket).await["type"], "next");

    let stderr = server.stderr_text();
    for secret in [&rs256, &es256, &wrong, &hs] {
        let signature = secret.rsplit('.').next().expect("signature");
        assert!(!stderr.contains(signature), "a token reached the log:\n{stderr}");
    }
    assert!(server.terminate().success());

    // A shared secret given as a file is never logged either.
    let secret_dir = tempfile::tempdir().expect("tempdir");
    let secret_file = secret_dir.path().join("hs256.key");
    let secret = "correct-horse-battery-staple-0123456789-abcdef";
    std::fs::write(&secret_file, format!("{secret}\n")).expect("write");
    let server = spawn_with_env(
        dir.path(),
        &["--jwt-hs256-secret-file", secret_file.to_str().expect("path")],
        &[("RUST_LOG", "trace")],
    );
    let officer = server.token("officer", Some("SE-1494"));
    let r = server
        .gql_as(&officer, r#"{ municipality(code: "SE-1494") { name } }"#, json!({}))
        .await;
    assert_eq!(data(&r)["municipality"]["name"], "Lidköping");
    let _ = server
        .gql_as("eyJhbGciOiJub25lIn0.e30.", "{ readModelPosition }", json!({}))
        .await;
    let stderr = server.stderr_text();
    assert!(!stderr.contains(secret), "the secret reached the log");
    assert!(
        !stderr.contains(officer.rsplit('.').next().expect("signature")),
        "a token reached the log"
    );
    assert!(server.terminate().success());
}

/// A websocket does not outlive its token: when the `exp` of the token given
/// in `connection_init` passes (with the 30 s leeway HTTP allows too), the
/// server closes the socket with `4403`, as HTTP would answer `401`.
#[tokio::test]
async fn a_websocket_is_closed_when_its_token_expires() {
    use samverkan_api::jwt::{mint_hs256_claims, Secret};
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &[]);
    let url = ws(&server);
    let key = std::fs::read_to_string(dir.path().join("dev-jwt.key")).expect("the development key");
    let secret = Secret::new(key.trim().as_bytes().to_vec());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    // Expired 27 s ago: still inside the leeway for a few seconds more.
    let mut claims = TokenSpec::new("short-lived", vec![Role::Reader(None)]).claims();
    claims.exp = Some(now - 27);
    claims.nbf = Some(now - 60);
    let token = mint_hs256_claims(&secret, &claims).expect("mint");
    let started = std::time::Instant::now();
    let mut socket = connect(&url, &token).await;
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { events(consortium: \"V6\") { position } }" } }),
    )
    .await;
    let (code, reason) = closed(&mut socket).await;
    assert_eq!(code, 4403, "{reason}");
    assert!(reason.contains("expired"), "{reason}");
    assert!(started.elapsed() >= Duration::from_secs(1), "closed at once: {reason}");
    // HTTP refuses the same token by now.
    let (status, _) = server
        .post(Some(&token), json!({ "query": "{ readModelPosition }" }))
        .await;
    assert_eq!(status, 401);
    // A token valid for a day keeps its socket open meanwhile.
    let long = server.token("reader", None);
    let mut open_socket = connect(&url, &long).await;
    send(&mut open_socket, json!({ "type": "ping" })).await;
    let pong = next(&mut open_socket).await;
    assert_eq!(pong["type"], "pong", "{pong}");
    assert!(server.terminate().success());
}

/// At every log level, the websocket library's frame logging never shows a
/// token: a `connection_init` frame carries it, and at `trace` the library
/// prints frames whole.
#[tokio::test]
async fn websocket_tokens_stay_out_of_trace_logs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn_with_env(dir.path(), &[], &[("RUST_LOG", "trace")]);
    let token = server.token("reader", None);
    let signature = token.rsplit('.').next().expect("signature").to_string();
    let mut socket = connect(&ws(&server), &token).await;
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { events(consortium: \"V6\") { position } }" } }),
    )
    .await;
    send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut socket).await["type"], "pong");
    let _ = socket.close(None).await;
    // A legacy connection with the token on the upgrade request too.
    let mut request = ws(&server).as_str().into_client_request().expect("request");
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("graphql-ws"));
    request.headers_mut().insert(
        "Authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).expect("header"),
    );
    let (mut legacy, _) = tokio_tungstenite::connect_async(request).await.expect("connects");
    legacy
        .send(Message::Text(
            json!({ "type": "connection_init", "payload": { "token": token } })
                .to_string()
                .into(),
        ))
        .await
        .expect("send");
    assert_eq!(next(&mut legacy).await["type"], "connection_ack");
    drop(legacy);
    // A refused token is logged at `debug` (with the reason only): proof
    // that the log is as verbose as asked.
    let (status, _) = server
        .post(Some("x.y.z"), json!({ "query": "{ readModelPosition }" }))
        .await;
    assert_eq!(status, 401);
    let mut server = server;
    assert!(server.stop().success());
    let logs = format!("{}\n{}", server.stderr_text(), server.stdout_text());
    assert!(
        logs.contains("DEBUG") && logs.contains("bearer token refused"),
        "the server logged at debug and below:\n{logs}"
    );
    assert!(!logs.contains(&signature), "a token reached the log:\n{logs}");
}

/// `dashboardChanged` is no side channel: a draft the subscriber may not see
/// changes nothing it sees, so nothing is pushed for it; the next push is
/// the next change the subscriber can see.
#[tokio::test]
async fn dashboard_pushes_say_nothing_about_hidden_drafts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &[]);
    let url = ws(&server);
    let coordinator = v6_with_members(&server, &[("SE-1494", "Lidköping")], &[("SE-1784", "Arvika")]).await;
    // Arvika's officer watches Lidköping's dashboard (public, drafts hidden).
    let outsider = server.token("officer", Some("SE-1784"));
    let mut watcher = connect(&url, &outsider).await;
    send(
        &mut watcher,
        json!({ "id": "d", "type": "subscribe", "payload": { "query": "subscription { dashboardChanged(municipality: \"SE-1494\") { twinTowns { partner { name } } } }" } }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let draft = server
        .gql_as(
            &coordinator,
            r#"mutation($id: UUID!) { draftApplication(commandId: $id, input: {consortium: "V6", title: "Hemlig",
                programme: {kind: INTERREG, name: "Interreg"}, call: "1", leadApplicant: "SE-1494", deadline: "2099-01-01T00:00:00Z",
                totalBudget: {amountMinor: 1000, currency: SEK}, requested: {amountMinor: 500, currency: SEK},
                projectPeriod: {start: "2099-02-01", end: "2100-01-31"}}) { application { id } } }"#,
            json!({ "id": Uuid::new_v4() }),
        )
        .await;
    let id = data(&draft)["draftApplication"]["application"]["id"].clone();
    data(
        &server
            .gql_as(
                &coordinator,
                r#"mutation($id: UUID!, $a: UUID!) { recordRiskAssessment(commandId: $id, input: {applicationId: $a, benefits: "b", risks: "r", democracyAndHumanRights: "d", assessedOn: "2025-01-01"}) { position } }"#,
                json!({ "id": Uuid::new_v4(), "a": id }),
            )
            .await,
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A change the watcher can see.
    data(
        &server
            .gql(
                r#"mutation($id: UUID!) { signTwinTownAgreement(commandId: $id, input: {municipality: "SE-1494", partner: {name: "Ringsted", country: "DK"}, since: "1990-01-01", decision: {body: COUNCIL, date: "1990-01-01"}}) { position } }"#,
                json!({ "id": Uuid::new_v4() }),
            )
            .await,
    );
    let first = next(&mut watcher).await;
    assert_eq!(
        first["payload"]["data"]["dashboardChanged"]["twinTowns"][0]["partner"]["name"], "Ringsted",
        "the first push is the visible change, not the hidden draft: {first}"
    );
    assert!(server.terminate().success());
}

/// graphql-transport-ws: a `subscribe` with the id of a running subscription
/// closes the connection with `4409`; an id whose subscription ended may be
/// used again.
#[tokio::test]
async fn a_running_subscription_id_cannot_be_reused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &[]);
    let token = server.token("reader", None);
    let mut socket = connect(&ws(&server), &token).await;
    let subscribe = json!({ "id": "s1", "type": "subscribe", "payload": { "query": "subscription { events(consortium: \"V6\") { position } }" } });
    send(&mut socket, subscribe.clone()).await;
    // Completed by the client: the id is free again.
    send(&mut socket, json!({ "id": "s1", "type": "complete" })).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    send(&mut socket, subscribe.clone()).await;
    send(&mut socket, json!({ "type": "ping" })).await;
    loop {
        // (the acknowledgement of the client's `complete` may come first)
        let m = next(&mut socket).await;
        if m["type"] == "pong" {
            break;
        }
        assert_eq!(m["type"], "complete", "{m}");
    }
    // Still running: the same id again closes the connection.
    send(&mut socket, subscribe).await;
    let (code, reason) = closed(&mut socket).await;
    assert_eq!(code, 4409, "{reason}");
    assert!(reason.contains("s1"), "{reason}");
    assert!(server.terminate().success());
}
