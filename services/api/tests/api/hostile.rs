//! Hostile input: costly, deep or abusive documents, malformed bodies and
//! unauthenticated probing get clear errors and leave the store untouched.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{officer, spawn_app, TestApp};

async fn assert_untouched(app: &TestApp, head: Option<u64>, why: &str) {
    assert_eq!(app.head().await, head, "{why}: the store is untouched");
}

#[tokio::test]
async fn introspection_needs_a_token_and_is_capped() {
    let app = spawn_app().await;
    let anonymous = app
        .post_raw(json!({ "query": "{ __schema { types { name } } }" }), &[])
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");

    // Any authenticated caller may introspect (GraphiQL needs it; the schema
    // is public in `schema/schema.graphql`) …
    let r = app
        .gql_as(&officer("SE-1494"), "{ __schema { types { name } } }", json!({}))
        .await;
    assert!(r.data()["__schema"]["types"].as_array().is_some_and(|t| !t.is_empty()));
    // … within the same cost limits as every query: many aliased copies of
    // the schema are too complex, deeply nested type references too deep.
    let copies: Vec<String> = (0..200)
        .map(|i| format!("s{i}: __schema {{ types {{ name fields {{ name args {{ name }} type {{ name }} }} }} }}"))
        .collect();
    let r = app.gql(&format!("{{ {} }}", copies.join(" ")), json!({})).await;
    assert_eq!(r.rule(), "introspection_too_costly", "{:#}", r.body);
    let r = app
        .gql(
            "{ a: __schema { types { name } } b: __type(name: \"Money\") { name } }",
            json!({}),
        )
        .await;
    r.data();
    for levels in [10, 40] {
        let mut nested = String::from("name");
        for _ in 0..levels {
            nested = format!("fields {{ type {{ {nested} }} }}");
        }
        let r = app
            .gql(&format!("{{ __schema {{ types {{ {nested} }} }} }}"), json!({}))
            .await;
        assert_eq!(r.rule(), "query_too_deep", "{levels}: {:#}", r.body);
    }
}

#[tokio::test]
async fn abusive_documents_are_refused_before_anything_runs() {
    let app = spawn_app().await;
    app.register("SE-1494", "Lidköping").await;
    let head = app.head().await;

    // A thousand aliased writes in one document: too complex, nothing runs.
    let writes: Vec<String> = (0..1100)
        .map(|i| format!("w{i}: signTwinTownAgreement(commandId: $id, input: $in) {{ position }}"))
        .collect();
    let input = json!({ "municipality": "SE-1494", "partner": { "name": "P", "country": "FI" }, "since": "1990-01-01",
        "decision": { "body": "COUNCIL", "date": "1990-01-01" } });
    let r = app
        .gql(
            &format!(
                "mutation($id: UUID!, $in: SignTwinTownAgreementInput!) {{ {} }}",
                writes.join(" ")
            ),
            json!({ "id": Uuid::new_v4(), "in": input }),
        )
        .await;
    assert_eq!(r.rule(), "query_too_complex", "{:#}", r.body);
    assert_untouched(&app, head, "aliased writes").await;

    // Fragment cycles and unknown operations are validation errors.
    let cycle = "query { municipalities { ...A } } fragment A on MunicipalityConnection { ...B } fragment B on MunicipalityConnection { ...A }";
    assert_eq!(app.gql(cycle, json!({})).await.code(), "VALIDATION");
    let r = app
        .post_json(
            json!({ "query": "query A { readModelPosition }", "operationName": "B" }),
            &[],
        )
        .await;
    assert_eq!(r.code(), "VALIDATION");
    // Deeply nested brackets do not overflow the parser's stack.
    let deep = format!("{{ municipalities {} }}", "{ edges ".repeat(5000));
    let r = app.gql(&deep, json!({})).await;
    assert_eq!(r.code(), "VALIDATION", "{:#}", r.body);
    assert_untouched(&app, head, "invalid documents").await;
}

#[tokio::test]
async fn malformed_bodies_are_clear_errors() {
    let app = spawn_app().await;
    let admin = format!("Bearer {}", app.admin);
    let post = |body: Body, content_type: &'static str| {
        Request::post("/graphql")
            .header(header::CONTENT_TYPE, content_type)
            .header(header::AUTHORIZATION, admin.as_str())
            .body(body)
            .expect("request")
    };
    for (body, why) in [
        ("{not json", "broken JSON"),
        ("[]", "a batch"),
        ("[{\"query\": \"{ readModelPosition }\"}]", "a batch"),
        ("{\"query\": 42}", "query not a string"),
        ("{\"variables\": {}}", "no query"),
        ("\u{0}\u{1}", "binary"),
        ("", "empty"),
    ] {
        let (status, bytes) = app.request(post(Body::from(body), "application/json")).await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::OK,
            "{why}: {status}"
        );
        let v: Value = serde_json::from_slice(&bytes).expect("a JSON error");
        assert_eq!(v["errors"][0]["extensions"]["code"], "VALIDATION", "{why}: {v}");
        assert!(v["data"].is_null(), "{why}: {v}");
    }
    let r = app
        .post_json(
            json!({ "query": "{ readModelPosition }", "variables": "not an object" }),
            &[],
        )
        .await;
    assert!(r.status.is_client_error() || r.code() == "VALIDATION", "{:#}", r.body);
    assert_untouched(&app, None, "malformed bodies").await;
}

/// `operation` over fragments `F0` (selecting `leaf` on `on`) to `F{levels}`,
/// each spreading the one before twice.
fn bomb(operation: &str, on: &str, leaf: &str, levels: usize) -> String {
    let mut doc = format!("{operation}\nfragment F0 on {on} {{ {leaf} }}\n");
    for i in 1..=levels {
        doc.push_str(&format!("fragment F{i} on {on} {{ ...F{p} ...F{p} }}\n", p = i - 1));
    }
    doc
}

/// The outside attack's shape: each fragment spreads the previous one twice,
/// thirty levels deep (2³⁰ fields once expanded) in under 2 KB. It is refused
/// from a linear count before validation expands anything; the timeout only
/// keeps a regression from hanging the suite (it took 17–60 s).
#[tokio::test]
async fn a_fragment_bomb_is_refused_before_validation() {
    let app = spawn_app().await;
    app.register("SE-1494", "Lidköping").await;
    let head = app.head().await;
    // Thirty levels on the root type, within the parser's recursion limit.
    let doc = bomb("query Bomb { ...F29 }", "Query", "readModelPosition", 29);
    assert!(doc.len() < 2_000, "{} bytes", doc.len());
    for token in [app.admin.clone(), crate::helpers::reader(None)] {
        let r = tokio::time::timeout(std::time::Duration::from_secs(10), app.gql_as(&token, &doc, json!({})))
            .await
            .expect("the bomb is answered without expanding it");
        assert_eq!(r.code(), "VALIDATION", "{:#}", r.body);
        assert_eq!(r.rule(), "query_too_complex", "{:#}", r.body);
        let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("fragments are expanded"), "{message}");
        assert!(r.body.get("data").is_none_or(Value::is_null), "{:#}", r.body);
    }
    // The same shape nested in a mutation's answer.
    let nested = bomb(
        "mutation { m: registerMunicipality(commandId: \"6f2c1f64-2b4e-4a43-9d39-3b7a9b6c2b11\", input: {code: \"SE-1487\", name: \"V\"}) { municipality { ...F26 } } }",
        "Municipality",
        "code name",
        26,
    );
    let r = tokio::time::timeout(std::time::Duration::from_secs(10), app.gql(&nested, json!({})))
        .await
        .expect("answered");
    assert_eq!(r.rule(), "query_too_complex", "{:#}", r.body);
    assert_untouched(&app, head, "fragment bomb").await;
}

/// Exactly a thousand aliased mutations fit the complexity limit (two fields
/// each) but are far more commands than a request may run.
#[tokio::test]
async fn a_thousand_aliased_mutations_are_refused() {
    let app = spawn_app().await;
    app.register("SE-1494", "Lidköping").await;
    let head = app.head().await;
    let input = json!({ "municipality": "SE-1494", "partner": { "name": "P", "country": "FI" }, "since": "1990-01-01",
        "decision": { "body": "COUNCIL", "date": "1990-01-01" } });
    for count in [1000, 26] {
        let writes: Vec<String> = (0..count)
            .map(|i| format!("w{i}: signTwinTownAgreement(commandId: $id, input: $in) {{ position }}"))
            .collect();
        let r = app
            .gql(
                &format!(
                    "mutation($id: UUID!, $in: SignTwinTownAgreementInput!) {{ {} }}",
                    writes.join(" ")
                ),
                json!({ "id": Uuid::new_v4(), "in": input }),
            )
            .await;
        assert_eq!(r.code(), "VALIDATION", "{count}: {:#}", r.body);
        assert_eq!(r.rule(), "too_many_mutations", "{count}: {:#}", r.body);
        assert_untouched(&app, head, "aliased writes").await;
    }
    // Up to the limit, a request may run several commands.
    let writes: Vec<String> = ["SE-1487", "SE-1488", "SE-1489"]
        .iter()
        .map(|code| {
            format!(
                "w{n}: registerMunicipality(commandId: \"{id}\", input: {{code: \"{code}\", name: \"M\"}}) {{ position }}",
                n = &code[3..],
                id = Uuid::new_v4()
            )
        })
        .collect();
    let r = app
        .gql(&format!("mutation {{ {} }}", writes.join(" ")), json!({}))
        .await;
    assert!(r.body.get("errors").is_none(), "{:#}", r.body);
}

/// Strings and lists inside inputs are bounded (a 250 KB title and 40,000
/// topics were stored verbatim), and an error answer stays smaller than a
/// request that makes every field quote a large input.
#[tokio::test]
async fn inputs_are_bounded_and_errors_stay_small() {
    let app = spawn_app().await;
    app.register("SE-1494", "Lidköping").await;
    let head = app.head().await;
    let long = "x".repeat(250_000);
    // As a variable and as a literal argument.
    let r = app
        .gql(
            "mutation($id: UUID!, $name: String!) { registerMunicipality(commandId: $id, input: {code: \"SE-1487\", name: $name}) { position } }",
            json!({ "id": Uuid::new_v4(), "name": long }),
        )
        .await;
    assert_eq!(r.rule(), "input_too_long", "{:#}", r.body);
    let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("$name") && message.contains("16384"), "{message}");
    let r = app
        .gql(
            &format!(
                "mutation {{ registerMunicipality(commandId: \"{}\", input: {{code: \"SE-1487\", name: \"{long}\"}}) {{ position }} }}",
                Uuid::new_v4()
            ),
            json!({}),
        )
        .await;
    assert_eq!(r.rule(), "input_too_long", "{:#}", r.body);
    let topics: Vec<String> = (0..25_000).map(|i| format!("{i}")).collect();
    let r = app
        .gql(
            r#"mutation($id: UUID!, $topics: [String!]!) { draftStrategy(commandId: $id, input: {municipality: "SE-1494", title: "T", kind: STRATEGY,
                owner: "KS", responsibleRole: "R", followUpCadence: YEARLY, content: {focusAreas: [], topics: $topics}}) { position } }"#,
            json!({ "id": Uuid::new_v4(), "topics": topics }),
        )
        .await;
    assert_eq!(r.rule(), "input_too_many_items", "{:#}", r.body);
    assert_untouched(&app, head, "oversized inputs").await;
    // At the limits, the same inputs are taken.
    let r = app
        .gql(
            "mutation($id: UUID!, $name: String!) { registerMunicipality(commandId: $id, input: {code: \"SE-1487\", name: $name}) { position } }",
            json!({ "id": Uuid::new_v4(), "name": "x".repeat(16 * 1024) }),
        )
        .await;
    assert!(r.body.get("errors").is_none(), "{:#}", r.body);

    // Sixty fields each quoting a 4 KB bad code: the answer is far smaller
    // than the request, and says how many errors it left out.
    let bad = "Z".repeat(4_000);
    let fields: Vec<String> = (0..60)
        .map(|i| format!("m{i}: municipality(code: \"{bad}\") {{ name }}"))
        .collect();
    let query = format!("{{ {} }}", fields.join(" "));
    let request_bytes = query.len();
    let body = json!({ "query": query }).to_string();
    let admin = format!("Bearer {}", app.admin);
    let (_, bytes) = app
        .request(
            Request::post("/graphql")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, admin.as_str())
                .body(Body::from(body))
                .expect("request"),
        )
        .await;
    assert!(
        bytes.len() < request_bytes / 4,
        "{} bytes answered {} bytes",
        bytes.len(),
        request_bytes
    );
    let answer: Value = serde_json::from_slice(&bytes).expect("JSON");
    let errors = answer["errors"].as_array().expect("errors");
    assert!(errors.iter().all(|e| e["extensions"]["code"].is_string()), "{answer:#}");
    assert!(errors
        .iter()
        .all(|e| e["message"].as_str().is_some_and(|m| m.len() <= 520)));
}

/// A 2 KB document of nested list or object literals overflowed a worker's
/// stack and aborted the whole server (found by the outside re-run): in an
/// argument, in an unused fragment, on an unknown field, in a directive.
/// Nesting is now counted over the text before anything parses or recurses.
#[tokio::test]
async fn deeply_nested_values_are_refused_before_anything_recurses() {
    let app = spawn_app().await;
    let lists = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let objects = |n: usize| format!("{}1{}", "{a: ".repeat(n), "}".repeat(n));
    let documents = [
        format!("{{ municipality(code: {}) {{ code }} }}", lists(1000)),
        format!("{{ municipality(code: {}) {{ code }} }}", objects(1000)),
        format!("{{ __typename }} fragment U on Query {{ nope(x: {}) }}", lists(1000)),
        format!("{{ __typename @skip(if: {}) }}", lists(3000)),
        format!("query($x: [Int] = {}) {{ __typename }}", lists(1000)),
    ];
    for doc in &documents {
        for token in [app.admin.clone(), crate::helpers::reader(None)] {
            let r = app.gql_as(&token, doc, json!({})).await;
            assert_eq!(r.code(), "VALIDATION", "{:#}", r.body);
            assert_eq!(r.rule(), "query_too_deep", "{:#}", r.body);
        }
    }
    // Over GET too.
    let uri = format!(
        "/graphql?query={}",
        documents[0]
            .replace('[', "%5B")
            .replace(']', "%5D")
            .replace(' ', "%20")
            .replace('{', "%7B")
            .replace('}', "%7D")
            .replace(':', "%3A")
    );
    let admin = format!("Bearer {}", app.admin);
    let (status, bytes) = app
        .request(
            Request::get(uri.as_str())
                .header(header::ACCEPT, "application/json")
                .header(header::AUTHORIZATION, admin.as_str())
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    let body: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(
        body["errors"][0]["extensions"]["rule"], "query_too_deep",
        "{status}: {body:#}"
    );
    // The server still answers.
    assert!(app
        .gql("{ readModelPosition }", json!({}))
        .await
        .body
        .get("errors")
        .is_none());
}

/// Default values of variables are inputs like any other: a 200 KB title
/// given as `$t: String! = "…"` was stored (found by the outside re-run).
#[tokio::test]
async fn variable_defaults_are_bounded_like_inputs() {
    let app = spawn_app().await;
    let head = app.head().await;
    let long = "w".repeat(200_000);
    let r = app
        .gql(
            &format!(
                "mutation($t: String! = \"{long}\") {{ registerMunicipality(commandId: \"{}\", input: {{code: \"SE-1487\", name: $t}}) {{ position }} }}",
                Uuid::new_v4()
            ),
            json!({}),
        )
        .await;
    assert_eq!(r.rule(), "input_too_long", "{:#}", r.body);
    let many: Vec<&str> = vec!["GREEN"; 2000];
    let r = app
        .gql(
            &format!(
                "query($e: [String!]! = [{}]) {{ __typename }}",
                many.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(",")
            ),
            json!({}),
        )
        .await;
    assert_eq!(r.rule(), "input_too_many_items", "{:#}", r.body);
    assert_untouched(&app, head, "variable defaults").await;
}
