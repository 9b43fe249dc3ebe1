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
