//! Codes with validity: `changeMunicipalityCode` and lookups by code as of `validAt`.

use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;

const CHANGE: &str = r#"mutation($id: UUID!, $m: MunicipalityCode!, $c: MunicipalityCode!, $f: Date!) {
  changeMunicipalityCode(commandId: $id, input: {municipality: $m, newCode: $c, validFrom: $f, source: "ssb.no"}) { position }
}"#;

const LOOKUP: &str = r#"query($c: MunicipalityCode!, $v: Date, $p: Position) {
  municipality(code: $c, validAt: $v, atLeastPosition: $p) { name code identity codeValidFrom codes { code validFrom validUntil } }
}"#;

async fn change(app: &TestApp, m: &str, c: &str, from: &str) -> Gql {
    app.gql(CHANGE, json!({"id": Uuid::new_v4(), "m": m, "c": c, "f": from}))
        .await
}

#[tokio::test]
async fn old_codes_answer_for_their_period_and_new_codes_from_their_date() {
    let app = spawn_app().await;
    app.register("NO-0219", "Bærum").await;
    change(&app, "NO-0219", "NO-3024", "2020-01-01").await.data();
    // The municipality is addressed by its code today as well as by its identity.
    let last = change(&app, "NO-3024", "NO-3201", "2024-01-01").await;
    let p = last.data()["changeMunicipalityCode"]["position"].as_u64();

    let look = |c: &'static str, v: Option<&'static str>| {
        let app = &app;
        async move { app.gql(LOOKUP, json!({"c": c, "v": v, "p": p})).await }
    };
    let old = look("NO-0219", Some("2019-06-01")).await;
    let m = &old.data()["municipality"];
    assert_eq!(m["name"], "Bærum");
    assert_eq!(m["code"], "NO-0219");
    assert_eq!(m["identity"], "NO-0219");
    assert_eq!(
        m["codes"],
        json!([
            {"code": "NO-0219", "validFrom": null, "validUntil": "2019-12-31"},
            {"code": "NO-3024", "validFrom": "2020-01-01", "validUntil": "2023-12-31"},
            {"code": "NO-3201", "validFrom": "2024-01-01", "validUntil": null},
        ])
    );
    let mid = look("NO-3024", Some("2021-06-01")).await;
    assert_eq!(mid.data()["municipality"]["code"], "NO-3024");
    assert_eq!(mid.data()["municipality"]["codeValidFrom"], "2020-01-01");
    // Today (no validAt) the current code answers, with its current code.
    let today = look("NO-3201", None).await;
    assert_eq!(today.data()["municipality"]["code"], "NO-3201");
    assert_eq!(today.data()["municipality"]["identity"], "NO-0219");

    // The old code after its period: NOT_FOUND, naming the code's validity.
    let gone = look("NO-0219", Some("2021-06-01")).await;
    assert_eq!(gone.code(), "NOT_FOUND");
    let message = gone.body["errors"][0]["message"].as_str().expect("message");
    assert!(message.contains("until 2019-12-31"), "{message}");
    assert!(message.contains("NO-3024"), "{message}");
    // The new code before its date, and the old code today, likewise.
    assert_eq!(look("NO-3201", Some("2021-06-01")).await.code(), "NOT_FOUND");
    assert_eq!(look("NO-0219", None).await.code(), "NOT_FOUND");
}

#[tokio::test]
async fn code_changes_are_refused_when_the_code_is_taken_or_foreign_or_too_early() {
    let app = spawn_app().await;
    app.register("NO-0219", "Bærum").await;
    app.register("NO-0301", "Oslo").await;
    change(&app, "NO-0219", "NO-3024", "2020-01-01").await.data();
    let head = app.head().await;

    let taken = change(&app, "NO-0301", "NO-3024", "2021-01-01").await;
    assert_eq!(taken.code(), "VALIDATION");
    assert_eq!(taken.rule(), "code_in_use");
    // Another municipality's identity is taken too.
    assert_eq!(
        change(&app, "NO-0301", "NO-0219", "2019-01-01").await.rule(),
        "code_in_use"
    );
    assert_eq!(
        change(&app, "NO-0219", "SE-3024", "2024-01-01").await.rule(),
        "code_of_another_country"
    );
    assert_eq!(
        change(&app, "NO-0219", "NO-3201", "2019-01-01").await.rule(),
        "code_change_before_current"
    );
    assert_eq!(app.head().await, head, "refusals append nothing");

    // Officers may not change codes.
    let officer = app
        .gql_as(
            &officer("NO-0219"),
            CHANGE,
            json!({"id": Uuid::new_v4(), "m": "NO-0219", "c": "NO-3201", "f": "2024-01-01"}),
        )
        .await;
    assert_eq!(officer.code(), "FORBIDDEN");
}

#[tokio::test]
async fn a_future_code_is_not_today_s_code() {
    let app = spawn_app().await;
    app.register("SE-1917", "Heby").await;
    let r = change(&app, "SE-1917", "SE-0331", "2100-01-01").await;
    let p = r.data()["changeMunicipalityCode"]["position"].as_u64();
    let today = app.gql(LOOKUP, json!({"c": "SE-1917", "v": null, "p": p})).await;
    assert_eq!(today.data()["municipality"]["code"], "SE-1917");
    let later = app
        .gql(LOOKUP, json!({"c": "SE-0331", "v": "2100-06-01", "p": p}))
        .await;
    assert_eq!(later.data()["municipality"]["code"], "SE-0331");
    assert_eq!(later.data()["municipality"]["identity"], "SE-1917");
}
