//! One project across the border through the real binary: ARKO drafts an
//! Interreg Sverige–Norge application with a Swedish side in SEK and a
//! Norwegian side in NOK (the application in EUR, each side converted once at
//! drafting), commits with the terms a medfinansieringsintyg states, submits;
//! the managing authority's EU decision and the county's IR decision are
//! recorded one by one, refused for a second decision on a side and a grant
//! above the side's request; the approval becomes one project with two
//! budgets, two decisions and one shared set of milestones. The demo's
//! ecoINSIDE 2 is read back with its published figures.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::{data, spawn, Server};
use crate::programme_rules::{assess, decision, money, next_main_deadline, ok, refused};

/// `amountMinor` (a number, or a string of digits for huge amounts).
fn minor(v: &Value) -> i64 {
    v["amountMinor"].to_string().trim_matches('"').parse().unwrap()
}

fn amount(v: &Value) -> (i64, String) {
    (minor(v), v["currency"].as_str().unwrap().to_string())
}

const SIDES: &str = "sides { budget { country fund total { amountMinor currency } requested { amountMinor currency } convertedTotal { amountMinor currency } conversion { rate source date } } decision { country fund funder decidedOn decisionReference grantedFunds granted { amountMinor currency } convertedGranted { amountMinor currency } refusalReason } }";

async fn project(server: &Server, token: &str, id: &str) -> Option<Value> {
    let query = format!("query($id: UUID!) {{ project(id: $id) {{ title lead {{ municipality }} financing {{ budget {{ amountMinor currency }} grant {{ amountMinor currency }} }} milestones {{ id title due }} {SIDES} }} }}");
    let body = server.gql_as(token, &query, json!({ "id": id })).await;
    let p = &body["data"]["project"];
    (!p.is_null()).then(|| p.clone())
}

/// The project the process manager registers, once it is there.
async fn registered(server: &Server, token: &str, id: &str) -> Value {
    for _ in 0..100 {
        if let Some(p) = project(server, token, id).await {
            return p;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the process manager never registered project {id}");
}

fn funder_decision(id: &str, country: &str, funder: &str, granted: Option<Value>, refusal: Option<&str>) -> Value {
    json!({
        "applicationId": id, "country": country, "funder": funder,
        "decidedOn": Utc::now().date_naive().to_string(),
        "decisionReference": format!("{country}-2026-77"),
        "granted": granted, "refusalReason": refusal,
    })
}

#[tokio::test]
async fn a_sverige_norge_application_becomes_one_project_with_two_budgets_and_two_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path(), &["--demo"]);
    let admin = server.admin_token.clone().unwrap();
    let arko = server.token("coordinator", Some("ARKO"));
    let officer = |m: &str| server.token("officer", Some(m));
    let today = Utc::now().date_naive();
    let deadline = format!("{}T22:59:00Z", next_main_deadline(today));
    ok(
        &server,
        &admin,
        "openCall",
        "OpenCallInput",
        json!({
            "programme": "INTERREG-SE-NO", "call": "e2e-border", "title": "Huvudprojekt e2e",
            "ruleSet": "2021-2027", "opensOn": today.to_string(), "closesAt": deadline, "source": "e2e test call",
        }),
        "version",
    )
    .await;

    // SE: SEK 10,000,000, 65 % asked of the ERDF; NO: NOK 4,000,000, 50 % of
    // IR; the application in EUR at the recorded rates.
    let rate = |r: &str| json!({ "rate": r, "source": "InforEuro, monthly rate (e2e)", "date": today.to_string() });
    let drafted = ok(&server, &arko, "draftApplication", "DraftApplicationInput", json!({
        "consortium": "ARKO", "title": "Gränslöst e2e-projekt",
        "programme": { "kind": "INTERREG", "name": "Interreg Sverige–Norge 2021–2027" }, "call": "e2e-border",
        "leadApplicant": "SE-1784", "deadline": deadline,
        "totalBudget": money(1_196_000, "EUR"), "requested": money(726_400, "EUR"),
        "projectPeriod": { "start": (today + Duration::days(120)).to_string(), "end": (today + Duration::days(120 + 729)).to_string() },
        "callRef": { "programme": "INTERREG-SE-NO", "call": "e2e-border" },
        "sides": [
            { "country": "SE", "fund": "ERDF", "total": money(10_000_000, "SEK"), "requested": money(6_500_000, "SEK"), "conversion": rate("0.0856") },
            { "country": "NO", "fund": "IR", "total": money(4_000_000, "NOK"), "requested": money(2_000_000, "NOK"), "conversion": rate("0.085") },
        ],
    }), "application { id sides { country convertedTotal { amountMinor currency } convertedRequested { amountMinor currency } } }").await;
    let id = drafted["application"]["id"].as_str().unwrap().to_string();
    let sides = &drafted["application"]["sides"];
    assert_eq!(amount(&sides[0]["convertedTotal"]), (85_600_000, "EUR".into()));
    assert_eq!(amount(&sides[1]["convertedRequested"]), (17_000_000, "EUR".into()));

    // Co-financing as the certificate states it (medfinansieringsintyg):
    // Arvika public cash from its own budget, with its partner budget and
    // cost lines; Kongsvinger's given in NOK with the conversion used.
    ok(
        &server,
        &arko,
        "inviteCoApplicant",
        "InviteCoApplicantInput",
        json!({ "applicationId": id, "municipality": "NO-3401" }),
        "version",
    )
    .await;
    ok(&server, &officer("SE-1784"), "commitCoFinancing", "CommitCoFinancingInput", json!({
        "applicationId": id, "municipality": "SE-1784", "amount": money(299_600, "EUR"), "decision": decision(today),
        "terms": { "origin": "PUBLIC", "form": "CASH", "source": "OWN_BUDGET", "partnerBudget": money(856_000, "EUR"),
                   "costLines": [{ "category": "salaries", "amount": money(600_000, "EUR") }, { "category": "travel", "amount": money(256_000, "EUR") }] },
    }), "version").await;
    ok(&server, &officer("NO-3401"), "commitCoFinancing", "CommitCoFinancingInput", json!({
        "applicationId": id, "municipality": "NO-3401", "amount": money(170_000, "EUR"), "decision": decision(today),
        "terms": { "origin": "PUBLIC", "form": "IN_KIND", "source": "OWN_BUDGET",
                   "convertedFrom": { "original": money(2_000_000, "NOK"), "conversion": rate("0.085") } },
    }), "version").await;
    ok(
        &server,
        &arko,
        "recordRiskAssessment",
        "RecordRiskAssessmentInput",
        assess(&id),
        "version",
    )
    .await;
    let submitted = ok(&server, &arko, "submitApplication", "SubmitApplicationInput", json!({ "applicationId": id }),
        "application { status leadCommitment { origin form source partnerBudget { amountMinor currency } costLines { category amount { amountMinor } } convertedFrom { original { amountMinor } } } coApplicants { commitment { origin form convertedFrom { original { amountMinor currency } conversion { rate source date } } } } }").await;
    let a = &submitted["application"];
    assert_eq!(a["status"], "SUBMITTED");
    let lead = &a["leadCommitment"];
    assert_eq!(
        (lead["origin"].as_str(), lead["form"].as_str(), lead["source"].as_str()),
        (Some("PUBLIC"), Some("CASH"), Some("OWN_BUDGET"))
    );
    assert_eq!(amount(&lead["partnerBudget"]), (85_600_000, "EUR".into()));
    assert_eq!(lead["costLines"][1]["category"], "travel");
    assert!(lead["convertedFrom"].is_null());
    let kongsvinger = &a["coApplicants"][0]["commitment"];
    assert_eq!(kongsvinger["form"], "IN_KIND");
    assert_eq!(
        amount(&kongsvinger["convertedFrom"]["original"]),
        (200_000_000, "NOK".into())
    );
    assert_eq!(kongsvinger["convertedFrom"]["conversion"]["rate"], "0.085");

    // One approval for both sides is refused: each side has its own funder.
    let (rule, message) = refused(&server, &arko, "approveApplication", "ApproveApplicationInput", json!({
        "applicationId": id, "granted": money(726_400, "EUR"), "decidedOn": today.to_string(), "decisionReference": "x",
    })).await;
    assert_eq!(rule, "funder_decision_per_side", "{message}");

    // The EU decision for the Swedish side (the managing authority).
    let eu = "Region Jämtland Härjedalen (managing authority)";
    let after_eu = ok(&server, &arko, "recordFunderDecision", "RecordFunderDecisionInput",
        funder_decision(&id, "SE", eu, Some(money(6_000_000, "SEK")), None),
        "eventTypes application { status projectId funderDecisions { country granted { amountMinor currency } convertedGranted { amountMinor currency } } }").await;
    assert_eq!(after_eu["eventTypes"], json!(["FunderDecisionRecorded"]));
    assert_eq!(
        after_eu["application"]["status"], "SUBMITTED",
        "the Norwegian side is still to decide"
    );
    assert!(after_eu["application"]["projectId"].is_null());
    assert_eq!(
        amount(&after_eu["application"]["funderDecisions"][0]["convertedGranted"]),
        (51_360_000, "EUR".into())
    );
    // A second decision for the same side is refused, and so is a grant
    // above the side's request (in the side's own currency).
    let (rule, message) = refused(
        &server,
        &arko,
        "recordFunderDecision",
        "RecordFunderDecisionInput",
        funder_decision(&id, "SE", eu, Some(money(1, "SEK")), None),
    )
    .await;
    assert_eq!(rule, "side_already_decided", "{message}");
    let county = "Innlandet fylkeskommune";
    let (rule, message) = refused(
        &server,
        &arko,
        "recordFunderDecision",
        "RecordFunderDecisionInput",
        funder_decision(&id, "NO", county, Some(money(2_000_001, "NOK")), None),
    )
    .await;
    assert_eq!(rule, "grant_exceeds_request", "{message}");
    let (rule, _) = refused(
        &server,
        &arko,
        "recordFunderDecision",
        "RecordFunderDecisionInput",
        funder_decision(&id, "NO", county, None, None),
    )
    .await;
    assert_eq!(rule, "invalid_funder_decision");
    // A municipality's officer does not record funders' decisions.
    let (rule, _) = refused(
        &server,
        &officer("NO-3401"),
        "recordFunderDecision",
        "RecordFunderDecisionInput",
        funder_decision(&id, "NO", county, Some(money(2_000_000, "NOK")), None),
    )
    .await;
    assert_eq!(rule, "", "a refusal for the role, not a rule");

    // The IR decision for the Norwegian side (the county): the last side, so approved.
    let approved = ok(
        &server,
        &arko,
        "recordFunderDecision",
        "RecordFunderDecisionInput",
        funder_decision(&id, "NO", county, Some(money(2_000_000, "NOK")), None),
        "eventTypes application { status projectId granted { amountMinor currency } decisionReference }",
    )
    .await;
    assert_eq!(
        approved["eventTypes"],
        json!(["FunderDecisionRecorded", "ApplicationApproved"])
    );
    let a = &approved["application"];
    assert_eq!(a["status"], "APPROVED");
    // EUR 513,600 + 170,000: the sides' grants through the stored conversions.
    assert_eq!(amount(&a["granted"]), (68_360_000, "EUR".into()));
    assert_eq!(a["decisionReference"], "NO: NO-2026-77; SE: SE-2026-77");
    let project_id = a["projectId"].as_str().unwrap().to_string();

    // One project: two budgets in their own currencies, two decisions.
    let p = registered(&server, &arko, &project_id).await;
    assert_eq!(p["lead"]["municipality"], "SE-1784");
    assert_eq!(amount(&p["financing"]["budget"]), (119_600_000, "EUR".into()));
    assert_eq!(amount(&p["financing"]["grant"]), (68_360_000, "EUR".into()));
    let sides = p["sides"].as_array().unwrap();
    assert_eq!(sides.len(), 2);
    let (se, no) = (&sides[0], &sides[1]);
    assert_eq!(
        (se["budget"]["country"].as_str(), se["decision"]["funder"].as_str()),
        (Some("SE"), Some(eu))
    );
    assert_eq!(amount(&se["budget"]["total"]), (1_000_000_000, "SEK".into()));
    assert_eq!(amount(&se["decision"]["granted"]), (600_000_000, "SEK".into()));
    assert_eq!(se["budget"]["conversion"]["rate"], "0.0856");
    assert_eq!(
        (no["budget"]["fund"].as_str(), no["decision"]["funder"].as_str()),
        (Some("IR"), Some(county))
    );
    assert_eq!(amount(&no["budget"]["requested"]), (200_000_000, "NOK".into()));
    assert_eq!(amount(&no["decision"]["granted"]), (200_000_000, "NOK".into()));
    assert_eq!(amount(&no["decision"]["convertedGranted"]), (17_000_000, "EUR".into()));
    assert_eq!(no["decision"]["grantedFunds"], true);

    // One shared set of milestones, planned by the coordinator.
    for (milestone, title, days) in [
        ("m1-start", "Gemensam projektstart", 130),
        ("m2-slut", "Slutrapport till båda finansiärerna", 800),
    ] {
        ok(&server, &arko, "planMilestone", "PlanMilestoneInput", json!({
            "projectId": project_id, "milestoneId": milestone, "title": title, "due": (today + Duration::days(days)).to_string(),
        }), "version").await;
    }
    let p = project(&server, &arko, &project_id).await.unwrap();
    let ids: Vec<&str> = p["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["m1-start", "m2-slut"]);

    // The consortium overview sums grants per currency: EUR holds ecoINSIDE 2
    // (EUR 1,279,675) and this project (EUR 683,600); SEK the demo's
    // single-budget approval as before (SEK 2,450,000).
    let body = server
        .gql_as(
            &arko,
            r#"{ consortiumOverview(consortium: "ARKO") { granted { amountMinor currency } } }"#,
            json!({}),
        )
        .await;
    let mut granted: Vec<(i64, String)> = data(&body)["consortiumOverview"]["granted"]
        .as_array()
        .unwrap()
        .iter()
        .map(amount)
        .collect();
    granted.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        granted,
        [(196_327_500, "EUR".to_string()), (245_000_000, "SEK".to_string())]
    );

    // The demo's ecoINSIDE 2: one application, two sides in EUR, two funder
    // decisions, the published figures; one project.
    let body = server.gql_as(&arko, r#"{ applications(filter: { consortium: "ARKO" }, first: 100) { nodes { title status totalBudget { amountMinor currency } granted { amountMinor currency } projectId ruleSet { version } funderDecisions { country funder granted { amountMinor } } } } }"#, json!({})).await;
    let items = data(&body)["applications"]["nodes"].as_array().unwrap().clone();
    let eco = items
        .iter()
        .find(|a| a["title"] == "ecoINSIDE 2")
        .expect("ecoINSIDE 2 in the demo");
    assert_eq!(eco["status"], "APPROVED");
    assert_eq!(eco["ruleSet"]["version"], "2014-2020");
    assert_eq!(amount(&eco["totalBudget"]), (298_310_000, "EUR".into()));
    assert_eq!(amount(&eco["granted"]), (127_967_500, "EUR".into()));
    let decisions: Vec<(&str, i64)> = eco["funderDecisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["country"].as_str().unwrap(), minor(&f["granted"])))
        .collect();
    assert_eq!(decisions, [("SE", 90_467_500), ("NO", 37_500_000)]);
    assert!(eco["funderDecisions"][1]["funder"]
        .as_str()
        .unwrap()
        .contains("Akershus fylkeskommune"));
    let p = registered(&server, &arko, eco["projectId"].as_str().unwrap()).await;
    assert_eq!(p["title"], "ecoINSIDE 2");
    let budgets: Vec<(&str, i64, i64)> = p["sides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["budget"]["country"].as_str().unwrap(),
                minor(&s["budget"]["total"]),
                minor(&s["budget"]["requested"]),
            )
        })
        .collect();
    assert_eq!(
        budgets,
        [("SE", 180_935_100, 90_467_500), ("NO", 117_374_900, 37_500_000)]
    );
    assert_eq!(amount(&p["financing"]["budget"]), (298_310_000, "EUR".into()));
}

/// An amount as (minor units, currency).
type Figure = (i64, String);

/// A municipality's dashboard over GraphQL: its project lines and its funding lines.
async fn dashboard(server: &Server, token: &str, code: &str) -> Value {
    let query = "query($m: MunicipalityCode!) { dashboard(municipality: $m) { projects { project { title } role side holdsSide } funding { year programme granted { amountMinor currency } } } }";
    let body = server.gql_as(token, query, json!({ "m": code })).await;
    data(&body)["dashboard"].clone()
}

/// The Interreg grants on a dashboard: (year, amountMinor, currency).
fn interreg_grants(d: &Value) -> Vec<(i64, i64, String)> {
    d["funding"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["programme"] == "INTERREG" && minor(&l["granted"]) != 0)
        .map(|l| {
            (
                l["year"].as_i64().unwrap(),
                minor(&l["granted"]),
                amount(&l["granted"]).1,
            )
        })
        .collect()
}

#[tokio::test]
async fn the_demos_granslos_kompetens_is_one_project_whose_sides_are_credited_to_their_own_members() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path(), &["--demo"]);
    let admin = server.admin_token.clone().unwrap();
    let body = server
        .gql_as(
            &admin,
            r#"{ projects(filter: { consortium: "ARKO" }, first: 100) { nodes { id title } } }"#,
            json!({}),
        )
        .await;
    let nodes = data(&body)["projects"]["nodes"].as_array().unwrap().clone();
    let granslos: Vec<&Value> = nodes
        .iter()
        .filter(|p| p["title"].as_str().unwrap().contains("kompetens i ARKO"))
        .collect();
    assert_eq!(
        granslos.len(),
        1,
        "one project, not a Swedish and a Norwegian part: {nodes:?}"
    );
    let p = project(&server, &admin, granslos[0]["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(p["title"], "Gränslös kompetens i ARKO-regionen");
    assert_eq!(p["lead"]["municipality"], "SE-1784");
    // SEK 6 000 000 + NOK 4 000 000 at the demo's rate 0.98, in SEK.
    assert_eq!(amount(&p["financing"]["budget"]), (992_000_000, "SEK".into()));
    assert_eq!(amount(&p["financing"]["grant"]), (496_000_000, "SEK".into()));
    let sides: Vec<(&str, &str, Figure, Figure)> = p["sides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["budget"]["country"].as_str().unwrap(),
                s["budget"]["fund"].as_str().unwrap(),
                amount(&s["budget"]["total"]),
                amount(&s["decision"]["granted"]),
            )
        })
        .collect();
    assert_eq!(
        sides,
        [
            ("SE", "ERDF", (600_000_000, "SEK".into()), (300_000_000, "SEK".into())),
            ("NO", "IR", (400_000_000, "NOK".into()), (200_000_000, "NOK".into())),
        ]
    );
    assert!(p["sides"][1]["decision"]["funder"]
        .as_str()
        .unwrap()
        .contains("Innlandet fylkeskommune"));
    // One shared list: the Swedish part's six milestones (the Norwegian
    // part's start and final report fell on the same days as m1 and m6).
    let milestones: Vec<&str> = p["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(milestones.len(), 6, "{milestones:?}");

    // Each side's grant is credited once, to the member holding it, in the
    // side's own currency; the other members see the project and their side.
    let line = |d: &Value| {
        d["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["project"]["title"] == "Gränslös kompetens i ARKO-regionen")
            .map(|l| {
                (
                    l["role"].as_str().unwrap().to_string(),
                    l["side"].clone(),
                    l["holdsSide"].clone(),
                )
            })
            .unwrap()
    };
    let arvika = dashboard(&server, &admin, "SE-1784").await;
    assert_eq!(line(&arvika), ("LEAD".into(), json!("SE"), json!(true)));
    let grants = interreg_grants(&arvika);
    assert!(grants.contains(&(2024, 300_000_000, "SEK".into())), "{grants:?}");
    // ecoINSIDE 2's Norwegian side has no municipal member: Arvika holds its
    // Swedish side's ERDF only.
    assert!(grants.contains(&(2018, 90_467_500, "EUR".into())), "{grants:?}");
    let kongsvinger = dashboard(&server, &admin, "NO-3401").await;
    assert_eq!(line(&kongsvinger), ("PARTNER".into(), json!("NO"), json!(true)));
    assert_eq!(interreg_grants(&kongsvinger), [(2024, 200_000_000, "NOK".to_string())]);
    for (code, side) in [("SE-1730", "SE"), ("NO-3414", "NO")] {
        let d = dashboard(&server, &admin, code).await;
        assert_eq!(line(&d), ("PARTNER".into(), json!(side), json!(false)), "{code}");
        assert_eq!(interreg_grants(&d), [], "{code} holds no side");
    }
    // The follow-up report for 2024 agrees with the dashboard.
    let body = server
        .gql_as(&admin, r#"{ followUpReport(municipality: "NO-3401", year: 2024) { projectsActive { project { title } side holdsSide } fundingObtained { programme granted { amountMinor currency } } } }"#, json!({}))
        .await;
    let r = &data(&body)["followUpReport"];
    assert!(r["projectsActive"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["project"]["title"] == "Gränslös kompetens i ARKO-regionen"
            && l["side"] == "NO"
            && l["holdsSide"] == true));
    let obtained: Vec<(i64, String)> = r["fundingObtained"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["programme"] == "INTERREG" && minor(&l["granted"]) != 0)
        .map(|l| amount(&l["granted"]))
        .collect();
    assert_eq!(obtained, [(200_000_000, "NOK".to_string())]);
}
