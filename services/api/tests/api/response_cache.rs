//! The query response cache and `ETag`s over the real router: a cached
//! answer is never served to a viewer who may see less (a draft application
//! seen by its consortium's coordinator, not by an outside officer), nor once
//! the read models have moved past the position it was built at; an
//! unchanged answer polled with `If-None-Match` is `304`; a request is
//! never answered with the cached answer of other parameters.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{coordinator, officer, TestApp};

const DRAFT: &str = r#"mutation($id: UUID!, $title: String!) { draftApplication(commandId: $id, input: {
    consortium: "V6", title: $title, programme: {kind: INTERREG, name: "Interreg Sverige–Norge"}, call: "Huvudprojekt",
    leadApplicant: "SE-1494", deadline: "2099-09-15T21:59:00Z", totalBudget: {amountMinor: 100000000, currency: SEK},
    requested: {amountMinor: 50000000, currency: SEK}, projectPeriod: {start: "2099-10-01", end: "2101-09-30"}}) {
    position } }"#;

const APPLICATIONS: &str = r#"{ applications(filter: { consortium: "V6" }) { edges { node { title status } } } }"#;

/// POST `query` as `token`, with extra headers: status, `ETag`, body.
async fn post(
    app: &TestApp,
    token: &str,
    query: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, Option<String>, Vec<u8>) {
    let mut builder = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    for (k, v) in extra {
        builder = builder.header(*k, *v);
    }
    let body = Body::from(json!({ "query": query }).to_string());
    let response = tower::ServiceExt::oneshot(app.router.clone(), builder.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let etag = response
        .headers()
        .get(header::ETAG)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, etag, bytes.to_vec())
}

fn titles(body: &[u8]) -> Vec<String> {
    let v: Value = serde_json::from_slice(body).unwrap();
    assert!(v.get("errors").is_none(), "{v}");
    v["data"]["applications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap().to_string())
        .collect()
}

async fn setup() -> TestApp {
    let app = crate::helpers::spawn_app().await;
    for (code, name) in [
        ("SE-1494", "Lidköping"),
        ("SE-1495", "Skara"),
        ("SE-1487", "Vänersborg"),
    ] {
        app.register(code, name).await;
    }
    app.consortium("V6", &["SE-1494", "SE-1495"]).await;
    app
}

/// Wait until the read models include `position` (through another document).
async fn wait_for(app: &TestApp, position: u64) {
    let r = app
        .gql(
            "query($p: Position) { municipalities(atLeastPosition: $p) { edges { node { code } } } }",
            json!({ "p": position }),
        )
        .await;
    r.data();
}

#[tokio::test]
async fn a_cached_answer_is_never_served_across_a_visibility_boundary() {
    let app = setup().await;
    let r = app
        .gql(DRAFT, json!({ "id": Uuid::new_v4(), "title": "Hemligt utkast" }))
        .await;
    wait_for(&app, r.data()["draftApplication"]["position"].as_u64().unwrap()).await;

    let v6 = coordinator("V6");
    let outsider = officer("SE-1487");
    let (status, etag, first) = post(&app, &v6, APPLICATIONS, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(titles(&first), ["Hemligt utkast"], "the coordinator sees the draft");
    // The same document, the same read models, another viewer: not the cached answer.
    let (_, other_etag, seen) = post(&app, &outsider, APPLICATIONS, &[]).await;
    assert!(titles(&seen).is_empty(), "an outside officer never sees the draft");
    assert_ne!(etag, other_etag);
    // Each viewer's own answer again (now from the cache), unchanged.
    let (_, again_etag, again) = post(&app, &v6, APPLICATIONS, &[]).await;
    assert_eq!((again, again_etag), (first, etag.clone()));
    let (_, _, seen) = post(&app, &outsider, APPLICATIONS, &[]).await;
    assert!(titles(&seen).is_empty());
    // Nor is a 304 given to another viewer for the coordinator's ETag.
    let tag = etag.unwrap();
    let (status, _, body) = post(&app, &outsider, APPLICATIONS, &[("if-none-match", &tag)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(titles(&body).is_empty());
}

#[tokio::test]
async fn a_cached_answer_is_never_served_for_a_newer_position_and_304_needs_the_same_answer() {
    let app = setup().await;
    let v6 = coordinator("V6");
    let (status, etag, empty) = post(&app, &v6, APPLICATIONS, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(titles(&empty).is_empty());
    let tag = etag.expect("a query answer has an ETag");

    // Unchanged: `If-None-Match` with its ETag is 304 without a body.
    let (status, etag, body) = post(&app, &v6, APPLICATIONS, &[("if-none-match", &tag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(etag.as_deref(), Some(tag.as_str()));
    assert!(body.is_empty());

    // The read models move on: the next answer is built anew.
    let r = app
        .gql(DRAFT, json!({ "id": Uuid::new_v4(), "title": "Nytt utkast" }))
        .await;
    wait_for(&app, r.data()["draftApplication"]["position"].as_u64().unwrap()).await;
    let (status, new_tag, body) = post(&app, &v6, APPLICATIONS, &[("if-none-match", &tag)]).await;
    assert_eq!(status, StatusCode::OK, "changed: not 304");
    assert_eq!(
        titles(&body),
        ["Nytt utkast"],
        "not the answer cached at the older position"
    );
    assert_ne!(new_tag.as_deref(), Some(tag.as_str()));

    // Something recorded that does not change this answer: built anew at the
    // new position, same bytes, so the old ETag still gives 304.
    let new_tag = new_tag.unwrap();
    let p = app.register("NO-3401", "Kongsvinger").await;
    wait_for(&app, p).await;
    let (status, _, _) = post(&app, &v6, APPLICATIONS, &[("if-none-match", &new_tag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn mutations_are_never_answered_from_the_cache() {
    let app = setup().await;
    let v6 = coordinator("V6");
    let mutation = r#"mutation { draftApplication(commandId: "6f1f4f7e-8d3a-4c1e-9a53-1f0f2b5e7c11", input: {
        consortium: "V6", title: "Ett", programme: {kind: INTERREG, name: "Interreg"}, call: "Huvudprojekt",
        leadApplicant: "SE-1494", deadline: "2099-09-15T21:59:00Z", totalBudget: {amountMinor: 100000000, currency: SEK},
        requested: {amountMinor: 50000000, currency: SEK}, projectPeriod: {start: "2099-10-01", end: "2101-09-30"}}) {
        appended } }"#;
    let (_, etag, first) = post(&app, &v6, mutation, &[]).await;
    assert!(etag.is_none(), "no ETag on a mutation");
    let first: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(first["data"]["draftApplication"]["appended"], 1);
    let (_, _, second) = post(&app, &v6, mutation, &[]).await;
    let second: Value = serde_json::from_slice(&second).unwrap();
    assert_eq!(second["data"]["draftApplication"]["appended"], 0, "the retry ran again");
}

/// POST `body` (JSON text, as sent) as `token`: status, `ETag`, body.
async fn post_body(app: &TestApp, token: &str, body: &str) -> (StatusCode, Option<String>, Value) {
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    let status = response.status();
    let etag = response
        .headers()
        .get(header::ETAG)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, etag, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn a_cached_answer_is_kept_per_request_variables_and_operation() {
    let app = setup().await;
    let v6 = coordinator("V6");
    let by_code = "query($c: MunicipalityCode!) { municipality(code: $c) { name } }";
    let two = "query Lidkoping { municipality(code: \"SE-1494\") { name } } \
               query Skara { municipality(code: \"SE-1495\") { name } }";
    let name = |v: &Value| v["data"]["municipality"]["name"].as_str().unwrap().to_string();
    // Each request twice (the second answer from the cache): never another's answer.
    for _ in 0..2 {
        for (code, expected) in [("SE-1494", "Lidköping"), ("SE-1495", "Skara")] {
            let body = json!({ "query": by_code, "variables": { "c": code } }).to_string();
            let (status, etag, v) = post_body(&app, &v6, &body).await;
            assert_eq!(status, StatusCode::OK);
            assert!(etag.is_some(), "a query answer has an ETag");
            assert_eq!(name(&v), expected, "{v}");
        }
        for (operation, expected) in [("Lidkoping", "Lidköping"), ("Skara", "Skara")] {
            let body = json!({ "query": two, "operationName": operation }).to_string();
            let (_, _, v) = post_body(&app, &v6, &body).await;
            assert_eq!(name(&v), expected, "{v}");
        }
    }
    // The same parameters in other bytes (spacing, key order) and over GET:
    // the same answer and the same ETag.
    let compact = json!({ "query": by_code, "variables": { "c": "SE-1495" } }).to_string();
    let spaced = format!(
        "{{ \"variables\" : {{ \"c\" : \"SE-1495\" }} ,\n \"query\" : {} }}",
        serde_json::to_string(by_code).unwrap()
    );
    let (_, tag, first) = post_body(&app, &v6, &compact).await;
    let (_, other_tag, second) = post_body(&app, &v6, &spaced).await;
    assert_eq!((first, tag.clone()), (second, other_tag));
    let uri = format!(
        "/graphql?query={}&variables={}",
        urlencode(by_code),
        urlencode(r#"{"c":"SE-1495"}"#)
    );
    let request = Request::get(uri)
        .header(header::ACCEPT, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {v6}"))
        .body(Body::empty())
        .unwrap();
    for _ in 0..2 {
        let response = tower::ServiceExt::oneshot(app.router.clone(), request_clone(&request))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let get_tag = response
            .headers()
            .get(header::ETAG)
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(get_tag, tag, "GET and POST with the same parameters: the same answer");
    }
    // A body that is not a request stays a request error, token or not,
    // however often it is sent.
    for _ in 0..2 {
        let (status, _, v) = post_body(&app, &v6, "{\"query\": 3}").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(v.get("data").is_none(), "{v}");
        assert_eq!(v["errors"][0]["extensions"]["rule"], "malformed_request", "{v}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn request_clone(r: &Request<Body>) -> Request<Body> {
    let mut builder = Request::builder().method(r.method()).uri(r.uri());
    for (k, v) in r.headers() {
        builder = builder.header(k, v);
    }
    builder.body(Body::empty()).unwrap()
}
