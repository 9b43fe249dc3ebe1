//! Queries nobody traces run on the schema without extensions
//! (`http/over_http.rs`, `plain_path`); traced ones on the full schema.
//! Both must answer the same: the same data, the same errors with the same
//! codes and rules, the same limits. Each document is sent once with a
//! subscriber that wants the operations' spans (the full schema) and once
//! without (the plain one, and the full one again for a query refused
//! before execution), in other bytes each time so that the response cache answers
//! neither.

use serde_json::json;

use crate::helpers::{coordinator, spawn_app};

#[tokio::test]
async fn queries_answer_the_same_with_and_without_the_extensions() {
    let app = spawn_app().await;
    app.register("SE-1494", "Lidköping").await;
    app.register("SE-1487", "Vänersborg").await;
    app.consortium("V6", &["SE-1494", "SE-1487"]).await;
    let nested = format!("{{ municipalities {{ totalCount }} {} }}", "a: __typename ".repeat(300));
    let documents = [
        // clean answers
        "{ municipalities { totalCount edges { node { code name } } } }".to_string(),
        r#"query { dashboard(municipality: "SE-1494") { today municipality { code name } memberships { consortium joinedOn } } }"#.into(),
        r#"query($c: ConsortiumCode!) { consortium(code: $c) { code name } }"#.into(),
        // errors: not found, validation, a bad argument, a missing variable;
        // then introspection and many aliases (answered or refused, the same either way)
        r#"query { dashboard(municipality: "SE-2999") { today } }"#.into(),
        "{ municipalities { nope } }".into(),
        r#"query { dashboard(municipality: "SE-1494", asOf: "yesterday") { today } }"#.into(),
        "query($m: MunicipalityCode!) { dashboard(municipality: $m) { today } }".into(),
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }".into(),
        nested,
    ];
    let viewer = coordinator("V6");
    for (i, document) in documents.iter().enumerate() {
        let variables = json!({ "c": "V6" });
        let traced = {
            let subscriber = tracing_subscriber::registry();
            let _guard = tracing::subscriber::set_default(subscriber);
            app.gql_as(&viewer, &format!("{document} "), variables.clone()).await
        };
        let plain = app.gql_as(&viewer, &format!("{document}  "), variables).await;
        assert_eq!(traced.status, plain.status, "document {i}: {document}");
        let mut traced_body = traced.body.clone();
        let mut plain_body = plain.body.clone();
        // The clock's "today" may tick between the two.
        for body in [&mut traced_body, &mut plain_body] {
            if let Some(d) = body.pointer_mut("/data/dashboard/today") {
                *d = json!("today");
            }
        }
        assert_eq!(traced_body, plain_body, "document {i}: {document}");
        if i < 3 {
            plain.data();
        }
        for error in plain.body["errors"].as_array().into_iter().flatten() {
            assert!(error["extensions"]["code"].is_string(), "{i}: {:#}", plain.body);
        }
        if (3..7).contains(&i) {
            assert!(plain.body["errors"][0].is_object(), "{i}: {:#}", plain.body);
        }
    }
}

/// A document that passed the whole validation once runs with async-graphql's
/// fast validation after that (`http/over_http.rs`, `execute`); the rules
/// that depend on the variables must still hold. Each request below sends
/// the validated document with other variables, and the same request with
/// the document's text changed by a space (a new document: whole
/// validation) must get the same answer: the same data, or the same errors
/// with the same codes.
///
/// Then the same on the full schema (a subscriber wants the operations'
/// spans), in one test: tracing caches whether a span is wanted per call
/// site, across the tests' threads.
#[tokio::test]
async fn a_validated_document_answers_later_variables_as_a_new_one_would() {
    validated_document_answers(false).await;
    let subscriber = tracing_subscriber::registry();
    let _guard = tracing::subscriber::set_default(subscriber);
    validated_document_answers(true).await;
}

async fn validated_document_answers(traced: bool) {
    assert_eq!(
        tracing::span_enabled!(target: "samverkan_api::graphql", tracing::Level::INFO),
        traced
    );
    let app = spawn_app().await;
    app.register("SE-1494", "Lidköping").await;
    app.register("SE-1487", "Vänersborg").await;
    app.consortium("V6", &["SE-1494", "SE-1487"]).await;
    let viewer = coordinator("V6");
    let document = "query($m: MunicipalityCode!, $t: DateTime, $c: ConsortiumCode!) { \
        dashboard(municipality: $m, asOf: $t) { today municipality { code name } memberships { consortium } } \
        consortium(code: $c) { code name } }";
    // Validated on its first run.
    app.gql_as(&viewer, document, json!({ "m": "SE-1494", "c": "V6" }))
        .await
        .data();
    let cases = [
        json!({ "m": "SE-1487", "c": "V6" }),
        // not a municipality code, not an instant, a consortium's code of the wrong shape
        json!({ "m": "nope", "c": "V6" }),
        json!({ "m": "SE-1494", "t": "yesterday", "c": "V6" }),
        json!({ "m": "SE-1494", "c": 42 }),
        // a code nobody registered (an error of the resolver)
        json!({ "m": "SE-2999", "c": "V6" }),
        // a required variable given as null
        json!({ "m": null, "c": "V6" }),
    ];
    for (i, variables) in cases.iter().enumerate() {
        let again = app.gql_as(&viewer, document, variables.clone()).await;
        let fresh = app
            .gql_as(&viewer, &format!("{document} {}", " ".repeat(i + 1)), variables.clone())
            .await;
        assert_eq!(again.status, fresh.status, "case {i}: {variables}");
        let mut bodies = [again.body.clone(), fresh.body.clone()];
        for body in &mut bodies {
            if let Some(d) = body.pointer_mut("/data/dashboard/today") {
                *d = json!("today");
            }
        }
        assert_eq!(bodies[0], bodies[1], "case {i}: {variables}");
        if i == 0 {
            assert_eq!(again.data()["dashboard"]["municipality"]["name"], "Vänersborg");
        } else {
            let errors = again.body["errors"].as_array().cloned().unwrap_or_default();
            assert!(!errors.is_empty(), "case {i} is refused: {:#}", again.body);
            for error in errors {
                assert!(error["extensions"]["code"].is_string(), "case {i}: {:#}", again.body);
            }
        }
    }
}
