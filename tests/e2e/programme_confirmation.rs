//! Tillväxtverket's ERDF confirmations of commitments (bekräftelse av
//! medfinansiering) through the real binary (`serve --demo`): an
//! administrator adopts two dated rule-set versions of the demo's
//! `ERDF-TILLVAXTVERKET` programme — one giving 10 weeks after the funder's
//! decision, one giving 4 (the handbook says both on different pages) — and
//! opens a call on each. V6 drafts, commits, submits and is approved under
//! both calls with the same decision date, five weeks ago: the 4-week
//! application warns (`commitments_confirmed_within`, one verdict per
//! committed party) and the 10-week one does not; `confirmCommitment` is
//! refused with typed errors (not a committed party, before the decision,
//! after today, twice, before approval) and, once both parties confirmed in
//! time, the warning is gone. Every date is relative to today, so the test
//! does not age.

use chrono::{Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::helpers::{data, spawn, Server};
use crate::programme_rules::{assess, decision, draft, money, ok, refused};

const ERDF: &str = "ERDF-TILLVAXTVERKET";

async fn adopt(server: &Server, admin: &str, version: &str, from: NaiveDate, until: Option<NaiveDate>, weeks: u32) {
    ok(
        server,
        admin,
        "adoptRuleSet",
        "AdoptRuleSetInput",
        json!({
            "programme": ERDF, "version": version, "validFrom": from.to_string(),
            "validUntil": until.map(|d| d.to_string()),
            "source": format!("e2e: Tillväxtverket handbook, the page giving {weeks} weeks"),
            "rules": [{
                "kind": "COMMITMENTS_CONFIRMED_WITHIN", "weeks": weeks, "severity": "WARNING",
                "label": format!("Every partner confirms its commitment within {weeks} weeks of the decision"),
                "source": format!("e2e: Tillväxtverket handbook ({weeks} weeks)"),
            }],
        }),
        "version",
    )
    .await;
}

/// Draft, commit (Lidköping leads, Skara co-applies), assess and submit an
/// application to `call`, then approve it as decided on `decided_on`.
async fn approved_application(server: &Server, call: &str, closes: &str, decided_on: NaiveDate) -> String {
    let v6 = server.token("coordinator", Some("V6"));
    let officer = |m: &str| server.token("officer", Some(m));
    let today = Utc::now().date_naive();
    let drafted = ok(
        server,
        &v6,
        "draftApplication",
        "DraftApplicationInput",
        draft(
            "V6",
            "SE-1494",
            ERDF,
            call,
            closes,
            money(1_000_000, "SEK"),
            money(500_000, "SEK"),
            json!([]),
        ),
        "application { id }",
    )
    .await;
    let id = drafted["application"]["id"].as_str().unwrap().to_string();
    ok(
        server,
        &v6,
        "inviteCoApplicant",
        "InviteCoApplicantInput",
        json!({ "applicationId": id, "municipality": "SE-1495" }),
        "version",
    )
    .await;
    for (m, units) in [("SE-1494", 300_000), ("SE-1495", 200_000)] {
        ok(server, &officer(m), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": id, "municipality": m, "amount": money(units, "SEK"), "decision": decision(today) }), "version").await;
    }
    // Before the funder's decision nothing can be confirmed.
    let (rule, message) = refused(
        server,
        &officer("SE-1495"),
        "confirmCommitment",
        "ConfirmCommitmentInput",
        confirmation(&id, "SE-1495", today),
    )
    .await;
    assert_eq!(rule, "application_status", "{message}");
    ok(
        server,
        &v6,
        "recordRiskAssessment",
        "RecordRiskAssessmentInput",
        assess(&id),
        "version",
    )
    .await;
    ok(
        server,
        &v6,
        "submitApplication",
        "SubmitApplicationInput",
        json!({ "applicationId": id }),
        "version",
    )
    .await;
    ok(
        server,
        &v6,
        "approveApplication",
        "ApproveApplicationInput",
        json!({ "applicationId": id, "granted": money(500_000, "SEK"), "decidedOn": decided_on.to_string(), "decisionReference": "TVV 2026-00042" }),
        "version",
    )
    .await;
    id
}

fn confirmation(id: &str, municipality: &str, on: NaiveDate) -> Value {
    json!({ "applicationId": id, "municipality": municipality, "confirmedOn": on.to_string(), "decisionReference": "TVV 2026-00042" })
}

/// `checkApplication`'s verdicts of `commitments_confirmed_within`: (party, outcome, detail), and the rule set's version.
async fn confirmations_checked(server: &Server, id: &str) -> (String, Vec<(String, String, String)>) {
    let v6 = server.token("coordinator", Some("V6"));
    let body = server
        .gql_as(&v6, "query($id: UUID!) { checkApplication(id: $id) { ruleSet { version } checks { rule outcome party detail } } }", json!({ "id": id }))
        .await;
    let check = &data(&body)["checkApplication"];
    let verdicts = check["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["rule"] == "commitments_confirmed_within")
        .map(|c| {
            (
                c["party"].as_str().unwrap_or_default().to_string(),
                c["outcome"].as_str().unwrap().to_string(),
                c["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (check["ruleSet"]["version"].as_str().unwrap().to_string(), verdicts)
}

#[tokio::test]
async fn commitments_are_confirmed_within_the_weeks_of_the_rule_set_in_force_on_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path(), &["--demo"]);
    let admin = server.admin_token.clone().unwrap();
    let officer = |m: &str| server.token("officer", Some(m));
    let today = Utc::now().date_naive();

    // The demo loads the handbook's two versions, each with its source.
    let body = server
        .gql_as(&admin, r#"{ programme(code: "ERDF-TILLVAXTVERKET") { ruleSets { version validFrom validUntil rules { rule parameters source } } } }"#, json!({}))
        .await;
    let sets = data(&body)["programme"]["ruleSets"].as_array().unwrap().clone();
    for (version, weeks, until) in [
        ("2021-2027-confirm-10-weeks", 10, json!("2024-12-31")),
        ("2021-2027-confirm-4-weeks", 4, Value::Null),
    ] {
        let set = sets
            .iter()
            .find(|s| s["version"] == version)
            .unwrap_or_else(|| panic!("{version}: {sets:#?}"));
        assert_eq!(set["validUntil"], until, "{set:#}");
        let rule = set["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "commitments_confirmed_within")
            .unwrap();
        assert!(
            rule["parameters"]
                .as_str()
                .unwrap()
                .contains(&format!("\"weeks\":{weeks}")),
            "{rule:#}"
        );
        assert!(
            rule["source"]
                .as_str()
                .unwrap()
                .contains(&format!("giving {weeks} weeks"))
                && rule["source"].as_str().unwrap().contains("illustrative"),
            "{rule:#}"
        );
    }

    // Two dated versions: 10 weeks until yesterday, 4 weeks from today.
    adopt(
        &server,
        &admin,
        "e2e-10-weeks",
        today - Duration::days(400),
        Some(today - Duration::days(1)),
        10,
    )
    .await;
    adopt(&server, &admin, "e2e-4-weeks", today, None, 4).await;
    let closes = format!("{}T22:59:00Z", today + Duration::days(60));
    for (call, rule_set, opens) in [
        ("e2e-old", "e2e-10-weeks", today - Duration::days(30)),
        ("e2e-new", "e2e-4-weeks", today),
    ] {
        ok(
            &server,
            &admin,
            "openCall",
            "OpenCallInput",
            json!({
                "programme": ERDF, "call": call, "title": format!("ERDF {call}"), "ruleSet": rule_set,
                "opensOn": opens.to_string(), "closesAt": closes, "unavailableFunds": [], "source": "e2e test call",
            }),
            "version",
        )
        .await;
    }
    // A call names a version in force on its opening day.
    let (rule, _) = refused(
        &server,
        &admin,
        "openCall",
        "OpenCallInput",
        json!({
            "programme": ERDF, "call": "e2e-wrong", "title": "wrong", "ruleSet": "e2e-10-weeks",
            "opensOn": today.to_string(), "closesAt": closes, "unavailableFunds": [], "source": "e2e",
        }),
    )
    .await;
    assert_eq!(rule, "rule_set_not_in_force");

    // Both approved five weeks ago.
    let decided_on = today - Duration::days(35);
    let old = approved_application(&server, "e2e-old", &closes, decided_on).await;
    let new = approved_application(&server, "e2e-new", &closes, decided_on).await;

    // 10 weeks: due in five weeks, nothing warned.
    let (version, verdicts) = confirmations_checked(&server, &old).await;
    assert_eq!(version, "e2e-10-weeks");
    assert_eq!(verdicts.len(), 2, "{verdicts:?}");
    let due_10 = decided_on + Duration::weeks(10);
    assert!(
        verdicts
            .iter()
            .all(|(_, o, d)| o == "PASS" && d.contains(&format!("due {due_10}"))),
        "{verdicts:?}"
    );
    // 4 weeks: a week overdue for both parties.
    let (version, verdicts) = confirmations_checked(&server, &new).await;
    assert_eq!(version, "e2e-4-weeks");
    let due_4 = decided_on + Duration::weeks(4);
    let parties: Vec<&str> = verdicts.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(parties, ["SE-1494", "SE-1495"], "{verdicts:?}");
    assert!(
        verdicts
            .iter()
            .all(|(_, o, d)| o == "WARNING" && d.contains(&format!("due {due_4}")) && d.contains("overdue")),
        "{verdicts:?}"
    );
    let v6 = server.token("coordinator", Some("V6"));
    let body = server
        .gql_as(
            &v6,
            "query($id: UUID!) { application(id: $id) { warnings { rule party } } }",
            json!({ "id": new }),
        )
        .await;
    let warned: Vec<&Value> = data(&body)["application"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["rule"] == "commitments_confirmed_within")
        .collect();
    assert_eq!(warned.len(), 2, "{body:#}");

    // Typed refusals, nothing recorded.
    let (rule, message) = refused(
        &server,
        &officer("SE-1470"),
        "confirmCommitment",
        "ConfirmCommitmentInput",
        confirmation(&new, "SE-1470", today),
    )
    .await;
    assert_eq!(rule, "not_committed_party", "{message}");
    let (rule, message) = refused(
        &server,
        &officer("SE-1495"),
        "confirmCommitment",
        "ConfirmCommitmentInput",
        confirmation(&new, "SE-1495", decided_on - Duration::days(1)),
    )
    .await;
    assert_eq!(rule, "confirmation_before_decision", "{message}");
    assert!(message.contains(&decided_on.to_string()), "{message}");
    let (rule, message) = refused(
        &server,
        &officer("SE-1495"),
        "confirmCommitment",
        "ConfirmCommitmentInput",
        confirmation(&new, "SE-1495", today + Duration::days(1)),
    )
    .await;
    assert_eq!(rule, "date_in_future", "{message}");

    // Confirmed in time (two weeks after the decision): the warnings go, party by party.
    let in_time = decided_on + Duration::days(14);
    let payload = ok(
        &server,
        &officer("SE-1495"),
        "confirmCommitment",
        "ConfirmCommitmentInput",
        confirmation(&new, "SE-1495", in_time),
        "warnings { rule party } application { confirmations { municipality confirmedOn decisionReference } }",
    )
    .await;
    assert_eq!(
        payload["application"]["confirmations"],
        json!([{ "municipality": "SE-1495", "confirmedOn": in_time.to_string(), "decisionReference": "TVV 2026-00042" }])
    );
    let left: Vec<&Value> = payload["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["rule"] == "commitments_confirmed_within")
        .collect();
    assert_eq!(
        left,
        [&json!({ "rule": "commitments_confirmed_within", "party": "SE-1494" })],
        "{payload:#}"
    );
    let (rule, message) = refused(
        &server,
        &officer("SE-1495"),
        "confirmCommitment",
        "ConfirmCommitmentInput",
        confirmation(&new, "SE-1495", today),
    )
    .await;
    assert_eq!(rule, "commitment_already_confirmed", "{message}");
    let payload = ok(
        &server,
        &officer("SE-1494"),
        "confirmCommitment",
        "ConfirmCommitmentInput",
        confirmation(&new, "SE-1494", in_time),
        "warnings { rule }",
    )
    .await;
    assert!(
        payload["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["rule"] != "commitments_confirmed_within"),
        "{payload:#}"
    );
    let (_, verdicts) = confirmations_checked(&server, &new).await;
    assert!(verdicts.iter().all(|(_, o, _)| o == "PASS"), "{verdicts:?}");
}
