//! Lump sums paid all or nothing on the result (rule `lump_sum_paid_on_result`)
//! through the real binary (`serve --demo`): ARKO's Erasmus+ KA220
//! application for the €250,000 lump sum is approved under the demo's rule
//! set; the project it becomes has `paymentAtRisk` €250,000 naming the rule,
//! and `checkApplication` / `Application.warnings` warn; `approveProjectResult`
//! is refused with typed errors (unknown project, in the future, before the
//! project started, blank reference) and, once accepted, the payment is no
//! longer at risk and a second approval is refused. A project of a programme
//! without the rule (Tillväxtverket's ERDF) and the demo's projects registered
//! directly are never at risk. Every date is relative to today.

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{data, spawn, Server};
use crate::programme_rules::{assess, decision, draft, money, ok, refused};

const RISK: &str = "paymentAtRisk { amount { amountMinor currency } rule label source }";

pub(crate) async fn open_call(server: &Server, admin: &str, programme: &str, closes: &str) {
    let today = Utc::now().date_naive();
    ok(
        server,
        admin,
        "openCall",
        "OpenCallInput",
        json!({
            "programme": programme, "call": "e2e-payment", "title": format!("{programme} e2e"),
            "ruleSet": "2021-2027", "opensOn": today.to_string(), "closesAt": closes,
            "unavailableFunds": [], "source": "e2e test call",
        }),
        "version",
    )
    .await;
}

/// Draft (project period from 200 days ago), invite, commit, assess, submit
/// and approve `consortium`'s application; returns (application, project).
#[allow(clippy::too_many_arguments)]
async fn approved(
    server: &Server,
    consortium: &str,
    programme: &str,
    closes: &str,
    total: i64,
    granted: i64,
    currency: &str,
    parties: &[(&str, i64)],
) -> (String, String) {
    let today = Utc::now().date_naive();
    let period = (today - Duration::days(200), today + Duration::days(200));
    approved_for(
        server,
        consortium,
        programme,
        closes,
        (total, granted, currency),
        parties,
        period,
    )
    .await
}

/// [`approved`] with the project period `period` and the budget
/// (total, granted, currency).
pub(crate) async fn approved_for(
    server: &Server,
    consortium: &str,
    programme: &str,
    closes: &str,
    (total, granted, currency): (i64, i64, &str),
    parties: &[(&str, i64)],
    period: (chrono::NaiveDate, chrono::NaiveDate),
) -> (String, String) {
    let coordinator = server.token("coordinator", Some(consortium));
    let today = Utc::now().date_naive();
    let mut input = draft(
        consortium,
        parties[0].0,
        programme,
        "e2e-payment",
        closes,
        money(total, currency),
        money(granted, currency),
        json!([]),
    );
    input["projectPeriod"] = json!({ "start": period.0.to_string(), "end": period.1.to_string() });
    let drafted = ok(
        server,
        &coordinator,
        "draftApplication",
        "DraftApplicationInput",
        input,
        "application { id }",
    )
    .await;
    let id = drafted["application"]["id"].as_str().unwrap().to_string();
    for (m, _) in &parties[1..] {
        ok(
            server,
            &coordinator,
            "inviteCoApplicant",
            "InviteCoApplicantInput",
            json!({ "applicationId": id, "municipality": m }),
            "version",
        )
        .await;
    }
    for (m, units) in parties {
        let officer = server.token("officer", Some(m));
        ok(server, &officer, "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": id, "municipality": m, "amount": money(*units, currency), "decision": decision(today) }), "version").await;
    }
    ok(
        server,
        &coordinator,
        "recordRiskAssessment",
        "RecordRiskAssessmentInput",
        assess(&id),
        "version",
    )
    .await;
    ok(
        server,
        &coordinator,
        "submitApplication",
        "SubmitApplicationInput",
        json!({ "applicationId": id }),
        "version",
    )
    .await;
    ok(
        server,
        &coordinator,
        "approveApplication",
        "ApproveApplicationInput",
        json!({ "applicationId": id, "granted": money(granted, currency), "decidedOn": today.to_string(), "decisionReference": "2026-1-SE01-KA220-000042" }),
        "version",
    )
    .await;
    for _ in 0..100 {
        let body = server
            .gql_as(
                &coordinator,
                "query($id: UUID!) { application(id: $id) { projectId } }",
                json!({ "id": id }),
            )
            .await;
        if let Some(p) = body["data"]["application"]["projectId"].as_str() {
            // The process manager registers the project after the approval.
            let registered = server
                .gql_as(
                    &coordinator,
                    "query($id: UUID!) { project(id: $id) { id } }",
                    json!({ "id": p }),
                )
                .await;
            if registered["errors"].is_null() {
                return (id, p.to_string());
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the process manager never registered the project of {id}");
}

async fn at_risk(server: &Server, token: &str, project: &str) -> Value {
    let body = server
        .gql_as(
            token,
            &format!("query($id: UUID!) {{ project(id: $id) {{ {RISK} }} }}"),
            json!({ "id": project }),
        )
        .await;
    data(&body)["project"]["paymentAtRisk"].clone()
}

/// `checkApplication`'s verdict of the rule (outcome, detail) and the application's warned rules.
async fn verdict(server: &Server, token: &str, application: &str) -> (String, String, Vec<String>) {
    let body = server
        .gql_as(
            token,
            "query($id: UUID!) { checkApplication(id: $id) { checks { rule outcome detail } } application(id: $id) { warnings { rule } } }",
            json!({ "id": application }),
        )
        .await;
    let d = data(&body);
    let check = d["checkApplication"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "lump_sum_paid_on_result")
        .unwrap_or_else(|| panic!("{body:#}"))
        .clone();
    let warned = d["application"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["rule"].as_str().unwrap().to_string())
        .collect();
    (
        check["outcome"].as_str().unwrap().to_string(),
        check["detail"].as_str().unwrap().to_string(),
        warned,
    )
}

fn approval(project: &str, on: chrono::NaiveDate, reference: &str) -> Value {
    json!({ "projectId": project, "approvedOn": on.to_string(), "decisionReference": reference })
}

#[tokio::test]
async fn an_erasmus_lump_sum_is_at_risk_until_the_funder_approves_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path(), &["--demo"]);
    let admin = server.admin_token.clone().unwrap();
    let arko = server.token("coordinator", Some("ARKO"));
    let today = Utc::now().date_naive();
    let closes = format!("{}T22:59:00Z", today + Duration::days(60));

    // The demo's KA220 rule set carries the rule with its source.
    let body = server
        .gql_as(
            &admin,
            r#"{ programme(code: "ERASMUS-KA220") { ruleSets { version rules { rule severity source } } } }"#,
            json!({}),
        )
        .await;
    let sets = data(&body)["programme"]["ruleSets"].as_array().unwrap().clone();
    let rule = sets
        .iter()
        .flat_map(|s| s["rules"].as_array().unwrap().clone())
        .find(|r| r["rule"] == "lump_sum_paid_on_result")
        .unwrap_or_else(|| panic!("{sets:#?}"));
    assert_eq!(rule["severity"], "WARNING", "{rule:#}");
    assert!(
        rule["source"].as_str().unwrap().contains("Erasmus+ Programme Guide"),
        "{rule:#}"
    );

    // Three organisations from three countries: Helsinki joins ARKO.
    ok(
        &server,
        &admin,
        "registerMunicipality",
        "RegisterMunicipalityInput",
        json!({ "code": "FI-091", "name": "Helsinki" }),
        "version",
    )
    .await;
    ok(
        &server,
        &admin,
        "joinConsortium",
        "JoinConsortiumInput",
        json!({ "consortium": "ARKO", "municipality": "FI-091", "joinedOn": today.to_string() }),
        "version",
    )
    .await;
    open_call(&server, &admin, "ERASMUS-KA220", &closes).await;
    let (application, project) = approved(
        &server,
        "ARKO",
        "ERASMUS-KA220",
        &closes,
        500_000,
        250_000,
        "EUR",
        &[("SE-1784", 150_000), ("NO-3401", 50_000), ("FI-091", 50_000)],
    )
    .await;

    // Granted: the whole €250,000 is at risk, with the rule's name and source.
    let risk = at_risk(&server, &arko, &project).await;
    assert_eq!(
        risk["amount"],
        json!({ "amountMinor": 25_000_000, "currency": "EUR" }),
        "{risk:#}"
    );
    assert_eq!(risk["rule"], "lump_sum_paid_on_result", "{risk:#}");
    assert!(risk["source"].as_str().unwrap().contains("all or nothing"), "{risk:#}");
    let (outcome, detail, warned) = verdict(&server, &arko, &application).await;
    assert_eq!(outcome, "WARNING", "{detail}");
    assert!(detail.contains("at risk") && detail.contains("250"), "{detail}");
    assert!(warned.contains(&"lump_sum_paid_on_result".to_string()), "{warned:?}");

    // Typed refusals; nothing recorded.
    for (input, expected) in [
        (
            approval(&Uuid::new_v4().to_string(), today, "KA220 final report"),
            "not_found",
        ),
        (
            approval(&project, today + Duration::days(1), "KA220 final report"),
            "date_in_future",
        ),
        (
            approval(&project, today - Duration::days(201), "KA220 final report"),
            "result_approved_before_start",
        ),
        (approval(&project, today, "   "), "blank_field"),
    ] {
        let (rule, message) = refused(
            &server,
            &arko,
            "approveProjectResult",
            "ApproveProjectResultInput",
            input,
        )
        .await;
        assert_eq!(rule, expected, "{message}");
    }
    assert_eq!(
        at_risk(&server, &arko, &project).await["rule"],
        "lump_sum_paid_on_result"
    );

    // Approved: no longer at risk; the check passes and names the day.
    let approved_on = today - Duration::days(1);
    let payload = ok(
        &server,
        &arko,
        "approveProjectResult",
        "ApproveProjectResultInput",
        approval(&project, approved_on, "KA220 final report 2026-42"),
        &format!("eventTypes project {{ {RISK} }}"),
    )
    .await;
    assert_eq!(payload["eventTypes"], json!(["ProjectResultApproved"]));
    assert!(payload["project"]["paymentAtRisk"].is_null(), "{payload:#}");
    assert!(at_risk(&server, &arko, &project).await.is_null());
    let (outcome, detail, warned) = verdict(&server, &arko, &application).await;
    assert_eq!(outcome, "PASS", "{detail}");
    assert!(detail.contains(&format!("approved on {approved_on}")), "{detail}");
    assert!(!warned.contains(&"lump_sum_paid_on_result".to_string()), "{warned:?}");
    let (rule, message) = refused(
        &server,
        &arko,
        "approveProjectResult",
        "ApproveProjectResultInput",
        approval(&project, today, "again"),
    )
    .await;
    assert_eq!(rule, "result_already_approved", "{message}");
    assert!(message.contains(&approved_on.to_string()), "{message}");

    // A programme without the rule: Tillväxtverket's ERDF, never at risk.
    open_call(&server, &admin, "ERDF-TILLVAXTVERKET", &closes).await;
    let (_, erdf) = approved(
        &server,
        "V6",
        "ERDF-TILLVAXTVERKET",
        &closes,
        1_000_000,
        500_000,
        "SEK",
        &[("SE-1494", 300_000), ("SE-1495", 200_000)],
    )
    .await;
    let v6 = server.token("coordinator", Some("V6"));
    assert!(at_risk(&server, &v6, &erdf).await.is_null());

    // The demo's projects, registered directly, have no rule set: none at risk.
    let body = server
        .gql_as(
            &admin,
            &format!("{{ projects {{ nodes {{ title {RISK} }} }} }}"),
            json!({}),
        )
        .await;
    let projects = data(&body)["projects"]["nodes"].as_array().unwrap().clone();
    assert!(projects.len() > 2, "{body:#}");
    assert!(projects.iter().all(|p| p["paymentAtRisk"].is_null()), "{body:#}");
}
