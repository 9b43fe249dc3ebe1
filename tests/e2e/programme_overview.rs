//! The consortium overview's rule standings through the real binary
//! (`serve --demo`): for an ARKO (Interreg Sverige–Norge) and a V6 (ERDF,
//! Tillväxtverket) draft, each member's status against the rule set
//! (committed and whether the commitment satisfies the rules, pending with
//! its next meeting, declined), the rule warnings and broken "E" rules by
//! name, and the decisions the members owe; all judged on the query's
//! `validAt` (and `asOf` for the meeting calendars); a coordinator of another
//! consortium sees none of the other's drafts.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::{data, spawn, Server};
use crate::programme_rules::{decision, draft, money, ok, open_calls};

const OVERVIEW: &str = "query($c: ConsortiumCode!, $v: Date, $a: DateTime) { consortiumOverview(consortium: $c, validAt: $v, asOf: $a) {
  validAt
  applications { id warnings { rule } }
  standings { application { id } checkedOn
    warnings { rule outcome label party } failures { rule outcome party }
    partyStatuses { municipality lead status satisfiesRules problems nextMeeting { date body } } }
  decisionsOwed { municipality role application { id } amount { amountMinor currency } due nextMeeting { date body } warning }
} }";

async fn overview(
    server: &Server,
    token: &str,
    consortium: &str,
    valid_at: Option<String>,
    as_of: Option<String>,
) -> Value {
    let body = server
        .gql_as(token, OVERVIEW, json!({ "c": consortium, "v": valid_at, "a": as_of }))
        .await;
    data(&body)["consortiumOverview"].clone()
}

fn standing(o: &Value, id: &str) -> Option<Value> {
    o["standings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["application"]["id"] == id)
        .cloned()
}

fn rules(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule"].as_str().unwrap().to_string())
        .collect()
}

/// (municipality, status, next meeting's date) per party.
fn statuses(s: &Value) -> Vec<(String, String, Option<String>)> {
    s["partyStatuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["municipality"].as_str().unwrap().to_string(),
                p["status"].as_str().unwrap().to_string(),
                p["nextMeeting"]["date"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// (municipality, role, next meeting's date) of the decisions owed in application `id`.
fn owed_in(o: &Value, id: &str) -> BTreeSet<(String, String, Option<String>)> {
    o["decisionsOwed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["application"]["id"] == id)
        .map(|d| {
            (
                d["municipality"].as_str().unwrap().to_string(),
                d["role"].as_str().unwrap().to_string(),
                d["nextMeeting"]["date"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_consortium_overview_shows_each_members_status_and_the_rule_warnings_on_its_time_axes() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path(), &["--demo"]);
    let admin = server.admin_token.clone().unwrap();
    let arko = server.token("coordinator", Some("ARKO"));
    let v6 = server.token("coordinator", Some("V6"));
    let officer = |m: &str| server.token("officer", Some(m));
    let today = Utc::now().date_naive();
    let day = |n: i64| (today + Duration::days(n)).to_string();
    let calls = open_calls(&server, &admin).await;

    // --- ARKO, Interreg Sverige–Norge: Arvika leads, Kongsvinger is invited.
    let drafted = ok(
        &server,
        &arko,
        "draftApplication",
        "DraftApplicationInput",
        draft(
            "ARKO",
            "SE-1784",
            "INTERREG-SE-NO",
            "e2e-main",
            &calls.deadline,
            money(2_000_000, "EUR"),
            money(1_150_000, "EUR"),
            json!([
                { "country": "SE", "fund": "ERDF", "total": money(1_000_000, "EUR"), "requested": money(650_000, "EUR") },
                { "country": "NO", "fund": "IR", "total": money(1_000_000, "EUR"), "requested": money(500_000, "EUR") },
            ]),
        ),
        "application { id }",
    )
    .await;
    let arko_id = drafted["application"]["id"].as_str().unwrap().to_string();
    let arko_id = arko_id.as_str();
    ok(
        &server,
        &arko,
        "inviteCoApplicant",
        "InviteCoApplicantInput",
        json!({ "applicationId": arko_id, "municipality": "NO-3401", "asked": money(500_000, "EUR") }),
        "version",
    )
    .await;
    let schedule = |m: &'static str, n: i64| {
        let token = officer(m);
        let server = &server;
        let date = day(n);
        async move {
            ok(
                server,
                &token,
                "scheduleMeeting",
                "ScheduleMeetingInput",
                json!({ "municipality": m, "body": "COUNCIL", "date": date, "source": "e2e" }),
                "calendar { municipality }",
            )
            .await;
        }
    };
    schedule("SE-1784", 2).await;
    // The instant before Kongsvinger's meeting was recorded (asOf).
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let before_meeting = Utc::now().to_rfc3339();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    schedule("NO-3401", 1).await;

    // Both owe their decision: each pending with its next meeting, and in decisionsOwed.
    let o = overview(&server, &arko, "ARKO", None, None).await;
    let s = standing(&o, arko_id).expect("the coordinator sees its draft's standing");
    assert_eq!(
        statuses(&s),
        [
            ("SE-1784".into(), "pending".into(), Some(day(2))),
            ("NO-3401".into(), "pending".into(), Some(day(1)))
        ]
    );
    assert_eq!(s["partyStatuses"][0]["lead"], true);
    assert_eq!(s["partyStatuses"][0]["satisfiesRules"], Value::Null);
    assert_eq!(rules(&s["warnings"]), ["co_financing_decision_missing"]);
    assert_eq!(s["warnings"][0]["outcome"], "WARNING");
    assert!(!s["warnings"][0]["label"].as_str().unwrap().is_empty());
    assert_eq!(
        rules(&s["failures"]),
        Vec::<String>::new(),
        "a Swedish and a Norwegian partner"
    );
    assert_eq!(s["checkedOn"], today.to_string());
    assert_eq!(
        owed_in(&o, arko_id),
        BTreeSet::from([
            ("SE-1784".into(), "lead".into(), Some(day(2))),
            ("NO-3401".into(), "co_applicant".into(), Some(day(1)))
        ])
    );
    let kongsvinger = o["decisionsOwed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["application"]["id"] == arko_id && d["municipality"] == "NO-3401")
        .unwrap();
    assert_eq!(
        kongsvinger["amount"],
        json!({ "amountMinor": 50_000_000, "currency": "EUR" })
    );
    assert_eq!(kongsvinger["due"], calls.deadline.as_str());
    assert_eq!(kongsvinger["warning"], Value::Null);
    // As recorded before Kongsvinger's meeting was planned: not that meeting.
    let then = overview(&server, &arko, "ARKO", None, Some(before_meeting)).await;
    let s = standing(&then, arko_id).unwrap();
    assert_ne!(statuses(&s)[1].2, Some(day(1)), "{s:#}");
    assert!(!owed_in(&then, arko_id).contains(&("NO-3401".into(), "co_applicant".into(), Some(day(1)))));

    // Both commit; Kongsvinger's decision is dated tomorrow (its meeting).
    ok(&server, &officer("SE-1784"), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": arko_id, "municipality": "SE-1784", "amount": money(350_000, "EUR"), "decision": decision(today) }), "version").await;
    ok(&server, &officer("NO-3401"), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": arko_id, "municipality": "NO-3401", "amount": money(500_000, "EUR"), "decision": decision(today + Duration::days(1)) }), "version").await;
    let o = overview(&server, &arko, "ARKO", None, None).await;
    let s = standing(&o, arko_id).unwrap();
    assert_eq!(
        statuses(&s),
        [
            ("SE-1784".into(), "committed".into(), None),
            ("NO-3401".into(), "committed".into(), None)
        ]
    );
    for p in s["partyStatuses"].as_array().unwrap() {
        assert_eq!(p["satisfiesRules"], true, "{p:#}");
        assert_eq!(p["problems"], json!([]));
    }
    // Today Kongsvinger's decision is still to be taken: the "W" rule warns.
    assert_eq!(rules(&s["warnings"]), ["co_financing_decision_missing"]);
    assert!(owed_in(&o, arko_id).is_empty(), "every decision answered");
    // On validAt = today: Kongsvinger had not decided yet, it owes the decision (meeting tomorrow).
    let on_today = overview(&server, &arko, "ARKO", Some(day(0)), None).await;
    let s = standing(&on_today, arko_id).unwrap();
    assert_eq!(statuses(&s)[1], ("NO-3401".into(), "pending".into(), Some(day(1))));
    assert_eq!(
        owed_in(&on_today, arko_id),
        BTreeSet::from([("NO-3401".into(), "co_applicant".into(), Some(day(1)))])
    );
    // On validAt = in five days every decision is taken: no warning, in the
    // standing, the overview's application and the application's own lookup.
    let later = overview(&server, &arko, "ARKO", Some(day(5)), None).await;
    assert_eq!(later["validAt"], day(5));
    let s = standing(&later, arko_id).unwrap();
    assert_eq!(s["checkedOn"], day(5));
    assert_eq!(rules(&s["warnings"]), Vec::<String>::new());
    let application = later["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == arko_id)
        .unwrap();
    assert_eq!(application["warnings"], json!([]));
    let lookup = |valid_at: Option<String>| {
        let server = &server;
        let arko = &arko;
        async move {
            let body = server
                .gql_as(arko, "query($id: UUID!, $v: Date) { application(id: $id, validAt: $v) { warnings { rule } partyStatuses { municipality status } } }", json!({ "id": arko_id, "v": valid_at }))
                .await;
            data(&body)["application"].clone()
        }
    };
    assert_eq!(rules(&lookup(Some(day(5))).await["warnings"]), Vec::<String>::new());
    assert_eq!(
        rules(&lookup(None).await["warnings"]),
        ["co_financing_decision_missing"]
    );
    assert_eq!(lookup(Some(day(0))).await["partyStatuses"][1]["status"], "pending");

    // --- V6, ERDF (Tillväxtverket): Skara commits (decision tomorrow), Vara declines.
    let drafted = ok(
        &server,
        &v6,
        "draftApplication",
        "DraftApplicationInput",
        draft(
            "V6",
            "SE-1494",
            "ERDF-TILLVAXTVERKET",
            "e2e",
            &format!("{}T22:59:00Z", today + Duration::days(60)),
            money(1_000_000, "SEK"),
            money(500_000, "SEK"),
            json!([]),
        ),
        "application { id }",
    )
    .await;
    let v6_id = drafted["application"]["id"].as_str().unwrap().to_string();
    let v6_id = v6_id.as_str();
    for (m, asked) in [("SE-1495", 200_000), ("SE-1470", 100_000)] {
        ok(
            &server,
            &v6,
            "inviteCoApplicant",
            "InviteCoApplicantInput",
            json!({ "applicationId": v6_id, "municipality": m, "asked": money(asked, "SEK") }),
            "version",
        )
        .await;
    }
    ok(&server, &officer("SE-1495"), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": v6_id, "municipality": "SE-1495", "amount": money(200_000, "SEK"), "decision": decision(today + Duration::days(1)) }), "version").await;
    ok(
        &server,
        &officer("SE-1470"),
        "declineCoFinancing",
        "DeclineCoFinancingInput",
        json!({ "applicationId": v6_id, "municipality": "SE-1470", "reason": "Ingen budget 2027" }),
        "version",
    )
    .await;
    ok(&server, &officer("SE-1494"), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": v6_id, "municipality": "SE-1494", "amount": money(300_000, "SEK"), "decision": decision(today) }), "version").await;
    let o = overview(&server, &v6, "V6", None, None).await;
    let s = standing(&o, v6_id).expect("the V6 coordinator sees its draft's standing");
    assert_eq!(
        statuses(&s),
        [
            ("SE-1494".into(), "committed".into(), None),
            ("SE-1495".into(), "committed".into(), None),
            ("SE-1470".into(), "declined".into(), None)
        ]
    );
    let satisfies: Vec<&Value> = s["partyStatuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["satisfiesRules"])
        .collect();
    assert_eq!(satisfies, [&json!(true), &json!(true), &Value::Null]);
    // The programme's "E" rule: Skara's decision is not taken today (the submission would be refused).
    assert_eq!(rules(&s["failures"]), ["co_financing_decision_missing"]);
    assert_eq!(s["failures"][0]["outcome"], "FAIL");
    assert_eq!(s["failures"][0]["party"], Value::Null, "the rule is the application's");
    let later = overview(&server, &v6, "V6", Some(day(5)), None).await;
    assert_eq!(
        rules(&standing(&later, v6_id).unwrap()["failures"]),
        Vec::<String>::new()
    );

    // A coordinator of another consortium sees neither draft, nor what is owed in it.
    let other = overview(&server, &v6, "ARKO", None, None).await;
    assert!(standing(&other, arko_id).is_none(), "{other:#}");
    assert!(owed_in(&other, arko_id).is_empty());
    let on_today = overview(&server, &v6, "ARKO", Some(day(0)), None).await;
    assert!(owed_in(&on_today, arko_id).is_empty(), "not on another day either");
    let other = overview(&server, &arko, "V6", None, None).await;
    assert!(standing(&other, v6_id).is_none());
    // A reader neither.
    let reader = server.token("reader", None);
    let seen = overview(&server, &reader, "ARKO", Some(day(0)), None).await;
    assert!(standing(&seen, arko_id).is_none() && owed_in(&seen, arko_id).is_empty());
}
