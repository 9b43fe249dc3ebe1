use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{spawn_app, TestApp};

async fn assert_nothing_appended(app: &TestApp) {
    assert_eq!(
        app.store.head_position().await.expect("head"),
        None,
        "a rejected command writes nothing"
    );
}

#[tokio::test]
async fn a_bad_municipality_code_is_a_validation_error_naming_the_rule() {
    let app = spawn_app().await;
    // As a literal ...
    let r = app.gql(r#"mutation { registerMunicipality(commandId: "6f1c1a52-2a55-4b8e-9a47-4a1a9b8e1c11", input: {code: "SE-14", name: "X"}) { position } }"#, json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.code(), "VALIDATION");
    assert_eq!(r.rule(), "invalid_municipality_code");
    // ... and as a variable.
    let r = app
        .gql(
            "query($c: MunicipalityCode!) { municipality(code: $c) { name } }",
            json!({ "c": "se-1487" }),
        )
        .await;
    assert_eq!(r.code(), "VALIDATION");
    assert_eq!(r.rule(), "invalid_municipality_code");
    assert_nothing_appended(&app).await;
}

async fn register_project(app: &TestApp, budget: Value) -> crate::helpers::Gql {
    app.gql(
        r#"mutation($id: UUID!, $budget: MinorUnits!) { registerProject(commandId: $id, input: {
            title: "Avfallshantering", lead: {municipality: "SE-1487"}, partners: [{external: {name: "Chobe District Council", country: "BW"}}],
            programme: {kind: ICLD, name: "ICLD kommunala partnerskap"},
            financing: {budget: {amountMinor: $budget, currency: SEK}, grant: {amountMinor: 0, currency: SEK}, coFinancing: {amountMinor: 0, currency: SEK}},
            period: {start: "2018-01-01", end: "2019-12-31"}}) { position project { financing { budget { amountMinor } } partners { participant { kind name country key } } } } }"#,
        json!({ "id": Uuid::new_v4(), "budget": budget }),
    )
    .await
}

#[tokio::test]
async fn money_must_be_a_non_negative_integer() {
    let app = spawn_app().await;
    let negative = register_project(&app, json!(-100)).await;
    assert_eq!(negative.code(), "VALIDATION");
    assert_eq!(negative.rule(), "negative_amount");
    let float = register_project(&app, json!(10.5)).await;
    assert_eq!(float.code(), "VALIDATION");
    assert_eq!(float.rule(), "invalid_amount");
    let float_text = register_project(&app, json!("10.50")).await;
    assert_eq!(float_text.rule(), "invalid_amount");
    let negative_text = register_project(&app, json!("-5")).await;
    assert_eq!(negative_text.rule(), "negative_amount");
    let too_big = register_project(&app, json!("99999999999999999999")).await;
    assert_eq!(too_big.rule(), "amount_overflow");
    assert_nothing_appended(&app).await;

    // A literal float in the document is rejected the same way.
    let r = app
        .gql(
            r#"mutation { registerProject(commandId: "0b7e2f8e-55a4-4f55-8e32-3f3c4a3a4d10", input: {title: "x", lead: {municipality: "SE-1487"},
                programme: {kind: ICLD, name: "x"}, financing: {budget: {amountMinor: 1.5, currency: SEK}, grant: {amountMinor: 0, currency: SEK},
                coFinancing: {amountMinor: 0, currency: SEK}}, period: {start: "2018-01-01", end: "2019-12-31"}}) { position } }"#,
            json!({}),
        )
        .await;
    assert_eq!(r.rule(), "invalid_amount");

    // Large integers (more than 2^31) are fine, as numbers or strings.
    let ok = register_project(&app, json!("150000000000")).await;
    assert_eq!(
        ok.data()["registerProject"]["project"]["financing"]["budget"]["amountMinor"],
        150_000_000_000i64
    );
    assert_eq!(
        ok.data()["registerProject"]["project"]["partners"][0]["participant"],
        json!({ "kind": "EXTERNAL", "name": "Chobe District Council", "country": "BW", "key": "BW:chobe district council" })
    );
}

#[tokio::test]
async fn a_broken_business_rule_names_the_rule_and_writes_nothing() {
    let app = spawn_app().await;
    app.register("SE-1784", "Arvika").await;
    let head = app.store.head_position().await.expect("head");
    let r = app
        .gql(
            r#"mutation($id: UUID!) { signTwinTownAgreement(commandId: $id, input: {municipality: "SE-1784",
                partner: {name: "Skive", country: "DK"}, since: "1947-01-01", decision: {body: EXECUTIVE_BOARD, date: "1947-01-01"}}) { position } }"#,
            json!({ "id": Uuid::new_v4() }),
        )
        .await;
    assert_eq!(r.code(), "VALIDATION");
    assert_eq!(r.rule(), "twin_town_needs_council_decision");
    assert!(r.body["errors"][0]["message"]
        .as_str()
        .expect("message")
        .contains("council"));
    assert_eq!(r.body["errors"][0]["path"], json!(["signTwinTownAgreement"]));
    assert_eq!(app.store.head_position().await.expect("head"), head);

    let bad_period = app
        .gql(
            r#"query { projects(filter: {activeDuring: {from: "2025-12-31", to: "2025-01-01"}}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(bad_period.rule(), "period_ends_before_start");
}

#[tokio::test]
async fn unknown_entities_are_not_found() {
    let app = spawn_app().await;
    let r = app
        .gql(r#"query { municipality(code: "SE-9999") { name } }"#, json!({}))
        .await;
    assert_eq!(r.code(), "NOT_FOUND");
    let r = app
        .gql(
            "query($id: UUID!) { strategy(id: $id) { title } }",
            json!({ "id": Uuid::new_v4() }),
        )
        .await;
    assert_eq!(r.code(), "NOT_FOUND");
    let r = app
        .gql(
            r#"mutation($id: UUID!, $s: UUID!) { repealStrategy(commandId: $id, input: {strategyId: $s, decision: {body: COUNCIL, date: "2024-01-01"}}) { position } }"#,
            json!({ "id": Uuid::new_v4(), "s": Uuid::new_v4() }),
        )
        .await;
    assert_eq!(r.code(), "NOT_FOUND");
    let r = app
        .gql(r#"mutation($id: UUID!) { joinConsortium(commandId: $id, input: {consortium: "NOPE", municipality: "SE-1487", joinedOn: "2020-01-01"}) { position } }"#, json!({ "id": Uuid::new_v4() }))
        .await;
    assert_eq!(r.code(), "NOT_FOUND");
    assert_nothing_appended(&app).await;
}

#[tokio::test]
async fn malformed_values_and_documents_are_validation_errors() {
    let app = spawn_app().await;
    let cases = [
        (
            r#"query { dashboard(municipality: "SE-1487", asOf: "yesterday") { today } }"#,
            "invalid_datetime",
        ),
        (
            r#"query { strategies(filter: {inForceOn: "2024-13-01"}) { totalCount } }"#,
            "invalid_date",
        ),
        (r#"query { strategy(id: "not-a-uuid") { title } }"#, "invalid_input"),
        (
            r#"query { projects(filter: {status: FINISHED}) { totalCount } }"#,
            "graphql_validation",
        ),
        (
            r#"query { municipalities { edges { node { nonsense } } } }"#,
            "graphql_validation",
        ),
        (r#"query { municipalities { "#, "graphql_syntax"),
        (
            r#"query { municipalities(first: 100000) { totalCount } }"#,
            "page_too_large",
        ),
        (
            r#"query { municipalities(after: "zz") { totalCount } }"#,
            "invalid_cursor",
        ),
        (r#"query { timeline { edges { cursor } } }"#, "one_subject_required"),
        (
            r#"query { timeline(municipality: "SE-1487", consortium: "V6") { edges { cursor } } }"#,
            "one_subject_required",
        ),
        (
            r#"query { followUpReport(municipality: "SE-1487", year: 99999) { year } }"#,
            "invalid_year",
        ),
        (
            r#"query { readModelPosition(atLeastPosition: -1) }"#,
            "graphql_validation",
        ),
        (
            r#"query { municipality(code: "SE-1487", atLeastPosition: -1) { name } }"#,
            "invalid_position",
        ),
    ];
    for (query, rule) in cases {
        let r = app.gql(query, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{query}");
        assert_eq!(r.code(), "VALIDATION", "{query}: {:#}", r.body);
        assert_eq!(r.rule(), rule, "{query}: {:#}", r.body);
    }
}

#[tokio::test]
async fn the_depth_limit_rejects_deeply_nested_queries() {
    let app = spawn_app().await;
    let mut query = String::from("name");
    for _ in 0..20 {
        query = format!("ofType {{ {query} }}");
    }
    let r = app
        .gql(&format!("query {{ __type(name: \"Money\") {{ {query} }} }}"), json!({}))
        .await;
    assert_eq!(r.code(), "VALIDATION");
    assert_eq!(r.rule(), "query_too_deep");
}

#[tokio::test]
async fn the_complexity_limit_rejects_huge_queries() {
    let app = spawn_app().await;
    let fields: Vec<String> = (0..2100).map(|i| format!("a{i}: readModelPosition")).collect();
    let r = app.gql(&format!("query {{ {} }}", fields.join(" ")), json!({})).await;
    assert_eq!(r.rule(), "query_too_complex");
}

#[tokio::test]
async fn graphiql_introspection_fits_the_limits() {
    let app = spawn_app().await;
    // The introspection query GraphiQL sends (TypeRef nested 9 levels).
    let type_ref = "kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";
    let query = format!(
        "query IntrospectionQuery {{ __schema {{ queryType {{ name }} mutationType {{ name }} subscriptionType {{ name }}
           types {{ kind name description specifiedByURL
             fields(includeDeprecated: true) {{ name description args {{ name description type {{ {type_ref} }} defaultValue }} type {{ {type_ref} }} isDeprecated deprecationReason }}
             inputFields {{ name description type {{ {type_ref} }} defaultValue }}
             interfaces {{ {type_ref} }} enumValues(includeDeprecated: true) {{ name description isDeprecated deprecationReason }} possibleTypes {{ {type_ref} }} }}
           directives {{ name description locations args {{ name description type {{ {type_ref} }} defaultValue }} }} }} }}"
    );
    let r = app.gql(&query, json!({})).await;
    assert!(r.data()["__schema"]["types"].as_array().is_some_and(|t| t.len() > 50));
}

#[tokio::test]
async fn waiting_for_a_position_the_read_models_do_not_reach_is_not_ready() {
    let app = spawn_app().await;
    let r = app
        .gql(
            r#"query { municipalities(atLeastPosition: 1000000) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(r.code(), "NOT_READY");
}

#[tokio::test]
async fn bodies_that_are_not_graphql_requests_are_rejected_without_a_500() {
    let app = spawn_app().await;
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .expect("request");
    let (status, body) = app.request(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&body).expect("JSON error body");
    assert_eq!(
        body["errors"][0]["extensions"],
        json!({ "code": "VALIDATION", "rule": "malformed_request" })
    );

    let huge = json!({ "query": format!("query {{ readModelPosition }} # {}", "x".repeat(300 * 1024)) }).to_string();
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, huge.len())
        .body(Body::from(huge.clone()))
        .expect("request");
    let (status, _) = app.request(request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Without Content-Length the limit applies while reading.
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(huge))
        .expect("request");
    let (status, body) = app.request(request).await;
    assert_eq!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        String::from_utf8_lossy(&body)
    );
}

/// One command carries at most 10^15 minor units; totals are 128-bit and
/// never wrap, even over amounts recorded before the cap existed (the outside
/// attack stored amounts near 2^63 and wrapped a partner's dashboard to
/// "0.-2 DKK").
#[tokio::test]
async fn money_is_capped_per_command_and_totals_never_wrap() {
    use samverkan_app::{CommandContext, Commands};
    use samverkan_domain::project::{Financing, Participant, Project, ProjectCommand, RegisterProject};
    use samverkan_domain::{Currency, Money, MunicipalityCode, Period, Programme, ProgrammeKind, ProjectId};

    let app = spawn_app().await;
    app.register("SE-1487", "Vänersborg").await;
    app.register("SE-1494", "Lidköping").await;
    let head = app.head().await;
    let over = register_project(&app, json!((samverkan_domain::MAX_AMOUNT_MINOR + 1).to_string())).await;
    assert_eq!(over.code(), "VALIDATION");
    assert_eq!(over.rule(), "amount_too_large", "{:#}", over.body);
    assert_eq!(app.head().await, head, "nothing appended");
    let at = register_project(&app, json!(samverkan_domain::MAX_AMOUNT_MINOR)).await;
    assert_eq!(
        at.data()["registerProject"]["project"]["financing"]["budget"]["amountMinor"],
        json!(samverkan_domain::MAX_AMOUNT_MINOR)
    );

    // Amounts near 2^63 as the store may already hold them: three projects
    // led by Vänersborg, with Lidköping as a partner.
    let commands = Commands::new(app.store.clone());
    let huge = Money::new(i64::MAX, Currency::DKK).expect("money");
    for _ in 0..3 {
        let id = ProjectId::new(Uuid::new_v4());
        let register = RegisterProject {
            project: id,
            title: "Stora pengar".into(),
            lead: Participant::Municipality {
                code: MunicipalityCode::parse("SE-1487").expect("code"),
            },
            partners: vec![Participant::Municipality {
                code: MunicipalityCode::parse("SE-1494").expect("code"),
            }],
            programme: Programme {
                kind: ProgrammeKind::Interreg,
                name: "Interreg".into(),
            },
            financing: Financing {
                budget: huge,
                grant: huge,
                co_financing: Money::zero(Currency::DKK),
            },
            period: Period {
                start: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
                end: chrono::NaiveDate::from_ymd_opt(2027, 12, 31),
            },
            serves_goals: vec![],
            eu_priorities: vec![],
            from_application: None,
            consortium: None,
            sides: vec![],
        };
        commands
            .execute::<Project>(
                &id,
                ProjectCommand::Register(Box::new(register)),
                &CommandContext::new(Uuid::new_v4()),
            )
            .await
            .expect("registered");
    }
    let position = app.head().await.expect("head");
    // The grants are the lead's (Vänersborg's); the partner Lidköping is not
    // credited with them (see "Which date and whose money" in docs/domain.md).
    for code in ["SE-1494", "SE-1487"] {
        let r = app
            .gql(
                "query($m: MunicipalityCode!, $p: Position) { dashboard(municipality: $m, atLeastPosition: $p) { funding { year currency granted { amountMinor formatted } } } }",
                json!({ "m": code, "p": position }),
            )
            .await;
        let lines = r.data()["dashboard"]["funding"].as_array().expect("lines").clone();
        let dkk: Vec<&Value> = lines.iter().filter(|l| l["currency"] == "DKK").collect();
        if code == "SE-1494" {
            assert!(dkk.is_empty(), "{code}: {lines:#?}");
            continue;
        }
        assert_eq!(dkk.len(), 1, "{code}: {lines:#?}");
        let exact = 3 * i128::from(i64::MAX);
        assert_eq!(dkk[0]["granted"]["amountMinor"], json!(exact.to_string()), "{code}");
        assert_eq!(
            dkk[0]["granted"]["formatted"],
            json!(format!("{}.{:02} DKK", exact / 100, exact % 100)),
            "{code}"
        );
    }
}

/// Every message a client sees is a plain sentence: no Rust debug text, no
/// talk of `alg: none` for a token that is not a JWT at all, no garbled
/// upstream wording for one-of inputs, and no consortium named for a draft
/// the caller may not see.
#[tokio::test]
async fn messages_are_plain_sentences() {
    let app = spawn_app().await;
    app.register("SE-1487", "Vänersborg").await;
    let message = |r: &crate::helpers::Gql| r.body["errors"][0]["message"].as_str().unwrap_or_default().to_string();

    // A wrong expected version.
    let r = app
        .gql(
            "mutation($id: UUID!) { signTwinTownAgreement(commandId: $id, expectedVersion: 5, input: {municipality: \"SE-1487\", partner: {name: \"Kalvåg\", country: \"NO\"}, since: \"1990-01-01\", decision: {body: COUNCIL, date: \"1990-01-01\"}}) { position } }",
            json!({ "id": Uuid::new_v4() }),
        )
        .await;
    assert_eq!(r.code(), "CONFLICT", "{:#}", r.body);
    let m = message(&r);
    assert!(
        !m.contains("Exact(") && !m.contains("Some(") && !m.contains("None"),
        "{m}"
    );
    assert!(m.contains("version 5") && m.contains("version 0"), "{m}");

    // Tokens that are not JWTs at all.
    for garbage in ["hello", "not-a-jwt-at-all"] {
        let bearer = format!("Bearer {garbage}");
        let r = app
            .post_raw(
                json!({ "query": "{ readModelPosition }" }),
                &[("authorization", &bearer)],
            )
            .await;
        assert_eq!(r.code(), "UNAUTHENTICATED");
        let m = message(&r);
        assert!(!m.contains("alg"), "{garbage}: {m}");
        assert!(m.contains("not a JWT"), "{garbage}: {m}");
    }

    // A one-of input with two of its fields.
    let r = app
        .gql(
            r#"mutation($id: UUID!) { registerProject(commandId: $id, input: {
                title: "x", lead: {municipality: "SE-1487", external: {name: "Chobe", country: "BW"}},
                programme: {kind: ICLD, name: "x"}, financing: {budget: {amountMinor: 0, currency: SEK}, grant: {amountMinor: 0, currency: SEK},
                coFinancing: {amountMinor: 0, currency: SEK}}, period: {start: "2018-01-01", end: "2019-12-31"}}) { position } }"#,
            json!({ "id": Uuid::new_v4() }),
        )
        .await;
    assert_eq!(r.code(), "VALIDATION");
    let m = message(&r);
    assert!(
        m.contains("exactly one of its fields") && !m.contains("requires have"),
        "{m}"
    );
    assert_nothing_appended_since(&app, 1).await;

    // Someone else's draft: refused without naming its consortium.
    app.consortium("V6", &["SE-1487"]).await;
    let draft = app
        .gql(
            r#"mutation($id: UUID!) { draftApplication(commandId: $id, input: {consortium: "V6", title: "Hemlig",
                programme: {kind: INTERREG, name: "Interreg"}, call: "1", leadApplicant: "SE-1487", deadline: "2099-01-01T00:00:00Z",
                totalBudget: {amountMinor: 1000, currency: SEK}, requested: {amountMinor: 500, currency: SEK},
                projectPeriod: {start: "2099-02-01", end: "2100-01-31"}}) { application { id } } }"#,
            json!({ "id": Uuid::new_v4() }),
        )
        .await;
    let id = draft.data()["draftApplication"]["application"]["id"].clone();
    let outsider = crate::helpers::coordinator("ARKO");
    let r = app
        .gql_as(
            &outsider,
            "mutation($id: UUID!, $a: UUID!) { submitApplication(commandId: $id, input: {applicationId: $a}) { position } }",
            json!({ "id": Uuid::new_v4(), "a": id }),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN", "{:#}", r.body);
    assert!(!message(&r).contains("V6"), "{}", message(&r));
}

async fn assert_nothing_appended_since(app: &TestApp, head: u64) {
    assert_eq!(app.head().await, Some(head), "nothing appended");
}

/// Amounts out of range are refused with the rule that says why, whatever
/// their spelling: integers beyond 64 bits are not called floats, and `-0`
/// is zero.
#[tokio::test]
async fn out_of_range_amounts_name_the_right_rule() {
    let app = spawn_app().await;
    app.register("SE-1487", "Vänersborg").await;
    let head = app.head().await;
    let literal = |amount: &str| {
        format!(
            r#"mutation {{ registerProject(commandId: "{}", input: {{title: "x", lead: {{municipality: "SE-1487"}},
                programme: {{kind: ICLD, name: "x"}}, financing: {{budget: {{amountMinor: {amount}, currency: SEK}}, grant: {{amountMinor: 0, currency: SEK}},
                coFinancing: {{amountMinor: 0, currency: SEK}}}}, period: {{start: "2018-01-01", end: "2019-12-31"}}}}) {{ project {{ financing {{ budget {{ amountMinor }} }} }} }} }}"#,
            Uuid::new_v4()
        )
    };
    for (amount, rule) in [
        ("1000000000000001", "amount_too_large"),
        ("9223372036854775808", "amount_overflow"),
        ("18446744073709551616", "amount_overflow"),
        ("1000000000000000000000000000000", "amount_overflow"),
    ] {
        let r = app.gql(&literal(amount), json!({})).await;
        assert_eq!(r.rule(), rule, "{amount}: {:#}", r.body);
        let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            !message.contains("float") && !message.contains("e+"),
            "{amount}: {message}"
        );
    }
    assert_eq!(app.head().await, head, "nothing appended");
    let zero = app.gql(&literal("-0"), json!({})).await;
    assert_eq!(
        zero.data()["registerProject"]["project"]["financing"]["budget"]["amountMinor"],
        json!(0)
    );
}

/// A document that does not parse is told in one sentence with where and
/// what, not the parser's multi-line excerpt.
#[tokio::test]
async fn syntax_errors_are_one_sentence() {
    let app = spawn_app().await;
    let r = app.gql("{ ", json!({})).await;
    assert_eq!(r.rule(), "graphql_syntax", "{:#}", r.body);
    let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(!message.contains('\n') && !message.contains("-->"), "{message}");
    assert!(
        message.starts_with("the document does not parse at line 1, column 3"),
        "{message}"
    );
    assert!(message.contains("expected"), "{message}");
}
