//! GraphQL over HTTP as the spec says: media types, status codes, request
//! parameters, GET (the rules the `graphql-http` audits check; the audit
//! itself runs in `tests/graphql-http-audit/`).

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;
use uuid::Uuid;

use crate::helpers::{spawn_app, TestApp};

const GQL_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
    raw: String,
}

impl Answer {
    fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    /// `extensions.rule` of the first error.
    fn rule(&self) -> &str {
        self.body["errors"][0]["extensions"]["rule"]
            .as_str()
            .unwrap_or_else(|| panic!("no error rule: {}", self.raw))
    }
    fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code: {}", self.raw))
    }
    fn has_data(&self) -> bool {
        self.body.get("data").is_some()
    }
    fn has_errors(&self) -> bool {
        self.body.get("errors").is_some()
    }
}

/// Send a request to the real router; the administrator's token unless
/// `headers` hold an `authorization` (`("authorization", "")` sends none).
async fn send(app: &TestApp, method: Method, uri: &str, headers: &[(&str, &str)], body: Option<&str>) -> Answer {
    let mut builder = Request::builder().method(method).uri(uri);
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")) {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {}", app.admin));
    }
    for (k, v) in headers {
        if !v.is_empty() {
            builder = builder.header(*k, *v);
        }
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let response = app
        .router
        .clone()
        .oneshot(builder.body(body).expect("request"))
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let raw = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        raw,
    }
}

/// POST a JSON body with `Content-Type: application/json` and `accept` (if any).
async fn post(app: &TestApp, accept: Option<&str>, body: Value) -> Answer {
    let mut headers = vec![("content-type", JSON)];
    if let Some(accept) = accept {
        headers.push(("accept", accept));
    }
    send(app, Method::POST, "/graphql", &headers, Some(&body.to_string())).await
}

/// Percent-encode a query-string value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn get_uri(params: &[(&str, &str)]) -> String {
    let qs: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    format!("/graphql?{}", qs.join("&"))
}

#[tokio::test]
async fn the_accept_header_chooses_the_response_media_type() {
    let app = spawn_app().await;
    let query = json!({ "query": "{ __typename }" });
    for (accept, expected) in [
        (Some(GQL_JSON), GQL_JSON),
        (Some(JSON), JSON),
        (Some("*/*"), JSON),
        (None, JSON),
        (
            Some("application/json;q=0.5, application/graphql-response+json"),
            GQL_JSON,
        ),
        (Some("text/html, application/json;q=0.9"), JSON),
    ] {
        let r = post(&app, accept, query.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{accept:?}: {}", r.raw);
        assert_eq!(r.content_type(), expected, "{accept:?}");
        assert_eq!(r.body, json!({ "data": { "__typename": "Query" } }), "{accept:?}");
    }
    // A client accepting only something else gets 406.
    for accept in ["text/html", "application/xml", "application/json;q=0"] {
        let r = post(&app, Some(accept), query.clone()).await;
        assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE, "{accept}: {}", r.raw);
        assert_eq!(r.code(), "VALIDATION");
        assert_eq!(r.rule(), "not_acceptable");
    }
}

#[tokio::test]
async fn requests_that_are_not_executed_are_400_under_graphql_response_json_and_200_under_json() {
    let app = spawn_app().await;
    let cases = [
        (json!({ "query": "{" }), "graphql_syntax"),
        (
            json!({ "query": "{ 8f31403dfe404bccbb0e835f2629c6a7 }" }),
            "graphql_syntax",
        ),
        (json!({ "query": "{ noSuchField }" }), "graphql_validation"),
        (
            json!({ "query": "query CoerceFailure($id: ID!) { __typename }", "variables": { "id": null } }),
            "graphql_validation",
        ),
        // A required variable not given, or of the wrong type.
        (
            json!({ "query": "query($name: String!) { __type(name: $name) { name } }" }),
            "invalid_input",
        ),
        (
            json!({ "query": "query($name: String!) { __type(name: $name) { name } }", "variables": { "name": null } }),
            "graphql_validation",
        ),
        (
            json!({ "query": "query($name: String!) { __type(name: $name) { name } }", "variables": { "name": 5 } }),
            "graphql_validation",
        ),
        (
            json!({ "query": "query A { __typename } query B { __typename }" }),
            "invalid_input",
        ),
        (
            json!({ "query": "query A { __typename }", "operationName": "B" }),
            "invalid_input",
        ),
    ];
    for (body, rule) in cases {
        let r = post(&app, Some(GQL_JSON), body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.raw);
        assert_eq!(r.content_type(), GQL_JSON, "{body}");
        assert!(!r.has_data(), "no data entry: {}", r.raw);
        assert_eq!(r.code(), "VALIDATION", "{body}");
        assert_eq!(r.rule(), rule, "{body}: {}", r.raw);

        let r = post(&app, Some(JSON), body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.raw);
        assert_eq!(r.content_type(), JSON, "{body}");
        assert!(!r.has_data(), "no data entry: {}", r.raw);
        assert_eq!(r.rule(), rule, "{body}: {}", r.raw);
    }
}

#[tokio::test]
async fn an_executed_request_is_200_with_data_even_with_errors() {
    let app = spawn_app().await;
    // A resolver's error (the read models do not get there in time).
    let r = post(
        &app,
        Some(GQL_JSON),
        json!({ "query": "{ municipalities(atLeastPosition: 1000000) { totalCount } }" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    assert!(r.has_data(), "{}", r.raw);
    assert_eq!(r.code(), "NOT_READY");
    // A business-rule failure of a mutation: executed, 200.
    let r = post(
        &app,
        Some(GQL_JSON),
        json!({ "query": "mutation($id: UUID!) { registerMunicipality(commandId: $id, input: {code: \"SE-14\", name: \"X\"}) { position } }",
                "variables": { "id": Uuid::new_v4() } }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    assert!(r.has_data(), "{}", r.raw);
    assert_eq!(r.code(), "VALIDATION");
}

#[tokio::test]
async fn missing_or_invalid_parameters_are_400() {
    let app = spawn_app().await;
    let mut bodies = vec![
        json!({ "notquery": "{ __typename }" }),
        json!({ "qeury": "{ __typename }" }),
        json!({ "query": null }),
        json!([{ "query": "{ __typename }" }]),
        json!("{ __typename }"),
    ];
    for invalid in [json!({ "obj": "ect" }), json!(0), json!(false), json!(["array"])] {
        bodies.push(json!({ "query": invalid }));
        bodies.push(json!({ "query": "{ __typename }", "operationName": invalid }));
    }
    for invalid in [json!("string"), json!(0), json!(false), json!(["array"])] {
        bodies.push(json!({ "query": "{ __typename }", "variables": invalid }));
        bodies.push(json!({ "query": "{ __typename }", "extensions": invalid }));
    }
    for body in bodies {
        for accept in [None, Some(JSON), Some(GQL_JSON)] {
            let r = post(&app, accept, body.clone()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body} ({accept:?}): {}", r.raw);
            assert_eq!(r.code(), "VALIDATION", "{body}");
            assert_eq!(r.rule(), "malformed_request", "{body}");
            assert!(!r.has_data(), "{}", r.raw);
            assert_eq!(r.content_type(), accept.unwrap_or(JSON));
        }
    }
    // Not JSON, and no body at all.
    for body in [Some("{ \"not a JSON"), Some(""), None] {
        let r = send(
            &app,
            Method::POST,
            "/graphql",
            &[("content-type", JSON), ("accept", GQL_JSON)],
            body,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body:?}: {}", r.raw);
        assert_eq!(r.rule(), "malformed_request");
    }
    assert_eq!(app.head().await, None, "nothing was executed");
}

#[tokio::test]
async fn null_and_map_parameters_are_accepted() {
    let app = spawn_app().await;
    for body in [
        json!({ "query": "{ __typename }", "variables": null, "operationName": null, "extensions": null }),
        json!({ "query": "{ __typename }", "extensions": { "some": "value" } }),
        json!({ "query": "query Query { __typename }", "operationName": "Query" }),
        json!({ "query": "query Type($name: String!) { __type(name: $name) { name } }", "variables": { "name": "Money" } }),
        json!({ "query": "query Type($name: String! = \"Money\") { __type(name: $name) { name } }" }),
    ] {
        for accept in [Some(JSON), Some(GQL_JSON)] {
            let r = post(&app, accept, body.clone()).await;
            assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.raw);
            assert!(!r.has_errors(), "{body}: {}", r.raw);
        }
    }
}

#[tokio::test]
async fn post_needs_a_json_content_type_in_utf_8() {
    let app = spawn_app().await;
    let body = json!({ "query": "{ __type(name: \"Run🏃Swim🏊\") { name } }" }).to_string();
    for content_type in [
        JSON,
        "application/json; charset=utf-8",
        "Application/JSON;charset=\"UTF-8\"",
    ] {
        let r = send(
            &app,
            Method::POST,
            "/graphql",
            &[("content-type", content_type)],
            Some(&body),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{content_type}: {}", r.raw);
        assert_eq!(r.body, json!({ "data": { "__type": null } }));
    }
    for content_type in [
        "",
        "text/plain;charset=UTF-8",
        "application/graphql",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin1",
    ] {
        let r = send(
            &app,
            Method::POST,
            "/graphql",
            &[("content-type", content_type), ("accept", GQL_JSON)],
            Some(&body),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}: {}",
            r.raw
        );
        assert_eq!(r.code(), "VALIDATION");
        assert_eq!(r.rule(), "unsupported_media_type");
        assert_eq!(r.content_type(), GQL_JSON);
        assert_eq!(r.headers.get("accept-post").expect("Accept-Post"), JSON);
    }
}

#[tokio::test]
async fn get_runs_queries_with_url_encoded_variables() {
    let app = spawn_app().await;
    app.register("SE-1487", "Vänersborg").await;
    let query = "query Lookup($code: MunicipalityCode!) { municipality(code: $code) { name } }";
    let uri = get_uri(&[
        ("query", query),
        ("variables", &json!({ "code": "SE-1487" }).to_string()),
        ("operationName", "Lookup"),
    ]);
    for accept in [None, Some(JSON), Some(GQL_JSON), Some("*/*")] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
        let r = send(&app, Method::GET, &uri, &headers, None).await;
        assert_eq!(r.status, StatusCode::OK, "{accept:?}: {}", r.raw);
        assert_eq!(r.content_type(), accept.filter(|a| *a == GQL_JSON).unwrap_or(JSON));
        assert_eq!(r.body, json!({ "data": { "municipality": { "name": "Vänersborg" } } }));
    }
    let r = send(&app, Method::GET, &get_uri(&[("query", "{ __typename }")]), &[], None).await;
    assert_eq!(r.body, json!({ "data": { "__typename": "Query" } }));
    // Errors follow the same rules as over POST.
    let r = send(
        &app,
        Method::GET,
        &get_uri(&[("query", "{")]),
        &[("accept", GQL_JSON)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.raw);
    assert!(!r.has_data());
    assert_eq!(r.rule(), "graphql_syntax");
}

#[tokio::test]
async fn get_refuses_mutations_with_405() {
    let app = spawn_app().await;
    let register = format!(
        "mutation {{ registerMunicipality(commandId: \"{}\", input: {{code: \"SE-1487\", name: \"Vänersborg\"}}) {{ position }} }}",
        Uuid::new_v4()
    );
    for (query, operation) in [
        ("mutation { __typename }", None),
        (register.as_str(), None),
        ("query Q { __typename } mutation M { __typename }", Some("M")),
    ] {
        let mut params = vec![("query", query)];
        if let Some(op) = operation {
            params.push(("operationName", op));
        }
        for accept in [GQL_JSON, JSON] {
            let r = send(&app, Method::GET, &get_uri(&params), &[("accept", accept)], None).await;
            assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{query}: {}", r.raw);
            assert_eq!(r.headers.get(header::ALLOW).expect("Allow"), "POST");
            assert_eq!(r.code(), "VALIDATION");
            assert_eq!(r.rule(), "method_not_allowed");
        }
    }
    assert_eq!(app.head().await, None, "no mutation ran");
    // The query of the same document may be run with GET.
    let r = send(
        &app,
        Method::GET,
        &get_uri(&[
            ("query", "query Q { __typename } mutation M { __typename }"),
            ("operationName", "Q"),
        ]),
        &[],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
}

#[tokio::test]
async fn get_with_missing_or_invalid_parameters_is_400() {
    let app = spawn_app().await;
    for uri in [
        "/graphql?notquery=x".to_string(),
        get_uri(&[("query", "{ __typename }"), ("variables", "not json")]),
        get_uri(&[("query", "{ __typename }"), ("variables", "[1]")]),
        get_uri(&[("query", "{ __typename }"), ("extensions", "\"string\"")]),
        get_uri(&[("query", "{ __typename }"), ("query", "{ __typename }")]),
    ] {
        let r = send(&app, Method::GET, &uri, &[("accept", GQL_JSON)], None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.raw);
        assert_eq!(r.rule(), "malformed_request", "{uri}");
    }
}

#[tokio::test]
async fn get_serves_graphiql_without_a_query_string_or_to_a_browser() {
    let app = spawn_app().await;
    for (uri, accept) in [
        ("/graphql".to_string(), None),
        ("/graphql?".to_string(), Some(JSON)),
        (
            get_uri(&[("query", "{ __typename }")]),
            Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        ),
    ] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
        let r = send(&app, Method::GET, &uri, &headers, None).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert!(r.content_type().starts_with("text/html"), "{uri}: {}", r.content_type());
        assert!(r.raw.contains("graphiql"), "{uri}");
    }
}

#[tokio::test]
async fn get_and_post_need_a_token() {
    let app = spawn_app().await;
    let get = send(
        &app,
        Method::GET,
        &get_uri(&[("query", "{ __typename }")]),
        &[("authorization", ""), ("accept", GQL_JSON)],
        None,
    )
    .await;
    let post = send(
        &app,
        Method::POST,
        "/graphql",
        &[("authorization", ""), ("content-type", JSON), ("accept", GQL_JSON)],
        Some(r#"{"query": "{ __typename }"}"#),
    )
    .await;
    for r in [get, post] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.raw);
        assert_eq!(r.headers.get(header::WWW_AUTHENTICATE).expect("challenge"), "Bearer");
        assert_eq!(r.code(), "UNAUTHENTICATED");
        assert_eq!(r.content_type(), GQL_JSON);
    }
}

#[tokio::test]
async fn a_declared_content_length_over_the_limit_is_the_json_413() {
    let app = spawn_app().await;
    let huge = json!({ "query": format!("{{ __typename }} # {}", "x".repeat(300 * 1024)) }).to_string();
    let length = huge.len().to_string();
    for headers in [
        vec![("content-type", JSON), ("content-length", length.as_str())],
        // Without Content-Length the limit cuts the body while it is read.
        vec![("content-type", JSON)],
    ] {
        let r = send(&app, Method::POST, "/graphql", &headers, Some(&huge)).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{headers:?}: {}", r.raw);
        assert_eq!(r.content_type(), JSON, "{headers:?}");
        assert_eq!(
            r.body,
            json!({ "errors": [{ "message": "the request body is too large",
                                  "extensions": { "code": "VALIDATION", "rule": "payload_too_large" } }] }),
            "{headers:?}"
        );
    }
}

/// A subscription sent over HTTP is not executed: a request error with its
/// own rule and no `data`, pointing at the websocket.
#[tokio::test]
async fn a_subscription_over_http_is_a_request_error() {
    let app = spawn_app().await;
    let r = app
        .gql("subscription { events(consortium: \"V6\") { position } }", json!({}))
        .await;
    assert_eq!(r.rule(), "subscription_over_http", "{:#}", r.body);
    assert!(r.body.get("data").is_none(), "{:#}", r.body);
}
