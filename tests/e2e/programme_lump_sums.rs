//! Erasmus+ KA220 through the real binary (`serve --demo`), as KA210 is in
//! `programme_rules.rs`: the demo's rule set refuses a request that is not
//! one of the lump sums €120k / €250k / €400k at drafting, and a submission
//! without three organisations from three countries
//! (`min_partners_and_countries`); with a Finnish member joined to ARKO the
//! same application is submitted.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::helpers::spawn;
use crate::programme_rules::{assess, decision, draft, money, ok, refused};

#[tokio::test]
async fn erasmus_ka220_takes_its_lump_sums_and_three_organisations_from_three_countries() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path(), &["--demo"]);
    let admin = server.admin_token.clone().unwrap();
    let arko = server.token("coordinator", Some("ARKO"));
    let officer = |m: &str| server.token("officer", Some(m));
    let today = Utc::now().date_naive();
    let closes = format!("{}T22:59:00Z", today + Duration::days(60));
    ok(
        &server,
        &admin,
        "openCall",
        "OpenCallInput",
        json!({
            "programme": "ERASMUS-KA220", "call": "e2e", "title": "KA220 e2e",
            "ruleSet": "2021-2027", "opensOn": today.to_string(), "closesAt": closes,
            "unavailableFunds": [], "source": "e2e test call",
        }),
        "version",
    )
    .await;
    let ka220 = |requested: i64| {
        draft(
            "ARKO",
            "SE-1784",
            "ERASMUS-KA220",
            "e2e",
            &closes,
            money(500_000, "EUR"),
            money(requested, "EUR"),
            json!([]),
        )
    };
    for not_a_lump_sum in [119_999, 150_000, 400_001] {
        let (rule, message) = refused(
            &server,
            &arko,
            "draftApplication",
            "DraftApplicationInput",
            ka220(not_a_lump_sum),
        )
        .await;
        assert_eq!(rule, "lump_sum", "{not_a_lump_sum}: {message}");
    }
    for lump_sum in [120_000, 400_000] {
        ok(
            &server,
            &arko,
            "draftApplication",
            "DraftApplicationInput",
            ka220(lump_sum),
            "application { id }",
        )
        .await;
    }
    let drafted = ok(
        &server,
        &arko,
        "draftApplication",
        "DraftApplicationInput",
        ka220(250_000),
        "application { id }",
    )
    .await;
    let id = drafted["application"]["id"].as_str().unwrap().to_string();

    // Arvika and Kongsvinger: two organisations from two countries.
    ok(
        &server,
        &arko,
        "inviteCoApplicant",
        "InviteCoApplicantInput",
        json!({ "applicationId": id, "municipality": "NO-3401" }),
        "version",
    )
    .await;
    ok(&server, &officer("SE-1784"), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": id, "municipality": "SE-1784", "amount": money(150_000, "EUR"), "decision": decision(today) }), "version").await;
    ok(&server, &officer("NO-3401"), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": id, "municipality": "NO-3401", "amount": money(50_000, "EUR"), "decision": decision(today) }), "version").await;
    ok(
        &server,
        &arko,
        "recordRiskAssessment",
        "RecordRiskAssessmentInput",
        assess(&id),
        "version",
    )
    .await;
    let (rule, message) = refused(
        &server,
        &arko,
        "submitApplication",
        "SubmitApplicationInput",
        json!({ "applicationId": id }),
    )
    .await;
    assert_eq!(rule, "min_partners_and_countries", "{message}");
    assert!(message.contains("2 partners from 2 countries"), "{message}");

    // A Finnish municipality joins ARKO and the application: three from three.
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
    ok(
        &server,
        &arko,
        "inviteCoApplicant",
        "InviteCoApplicantInput",
        json!({ "applicationId": id, "municipality": "FI-091" }),
        "version",
    )
    .await;
    ok(&server, &officer("FI-091"), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": id, "municipality": "FI-091", "amount": money(50_000, "EUR"), "decision": decision(today) }), "version").await;
    let submitted = ok(
        &server,
        &arko,
        "submitApplication",
        "SubmitApplicationInput",
        json!({ "applicationId": id }),
        "application { status }",
    )
    .await;
    assert_eq!(submitted["application"]["status"], "SUBMITTED");
}
