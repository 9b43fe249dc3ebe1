//! Funding programmes' rules through the real binary: `serve --demo` loads
//! the programmes with their dated rule sets and sources; an administrator
//! opens calls (dated from today, so the test does not age); the V6 and ARKO
//! coordinators draft, invite, commit and submit against them, and each rule
//! class refuses ("E", with the rule's name in `extensions.rule`) or warns
//! ("W", in the payload's and the application's `warnings`), and is
//! accepted once satisfied; `checkApplication` lists every rule with the
//! numbers; a municipality's dashboard shows the decisions it owes with its
//! meeting dates.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{data, spawn, Server};

const APPLICATION: &str = "id status warnings { rule outcome } partyStatuses { municipality status satisfiesRules nextMeeting { date body } problems }";

pub(crate) async fn send(
    server: &Server,
    token: &str,
    field: &str,
    input_type: &str,
    input: Value,
    selection: &str,
) -> Value {
    let query = format!(
        "mutation($id: UUID!, $input: {input_type}!) {{ {field}(commandId: $id, input: $input) {{ position {selection} }} }}"
    );
    server
        .gql_as(token, &query, json!({ "id": Uuid::new_v4(), "input": input }))
        .await
}

/// A mutation that must succeed; returns `data.<field>`.
pub(crate) async fn ok(
    server: &Server,
    token: &str,
    field: &str,
    input_type: &str,
    input: Value,
    selection: &str,
) -> Value {
    let body = send(server, token, field, input_type, input, selection).await;
    data(&body)[field].clone()
}

/// A mutation that must be refused; returns the first error's `extensions.rule` and message.
pub(crate) async fn refused(
    server: &Server,
    token: &str,
    field: &str,
    input_type: &str,
    input: Value,
) -> (String, String) {
    let body = send(server, token, field, input_type, input, "").await;
    let error = &body["errors"][0];
    assert!(error.is_object(), "expected a refusal, got {body:#}");
    (
        error["extensions"]["rule"].as_str().unwrap_or_default().to_string(),
        error["message"].as_str().unwrap_or_default().to_string(),
    )
}

pub(crate) fn money(units: i64, currency: &str) -> Value {
    json!({ "amountMinor": units * 100, "currency": currency })
}

fn rules_of(v: &Value, outcome: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .filter(|w| w["outcome"] == outcome)
        .map(|w| w["rule"].as_str().unwrap().to_string())
        .collect()
}

/// The next 15 February or 15 September after `day` (the Sverige–Norge main-project deadlines).
pub(crate) fn next_main_deadline(day: NaiveDate) -> NaiveDate {
    (day.year()..day.year() + 2)
        .flat_map(|y| [(y, 2), (y, 9)])
        .map(|(y, m)| NaiveDate::from_ymd_opt(y, m, 15).unwrap())
        .find(|d| *d > day + Duration::days(30))
        .unwrap()
}

pub(crate) struct Calls {
    pub(crate) deadline: String,
}

pub(crate) async fn open_calls(server: &Server, admin: &str) -> Calls {
    let today = Utc::now().date_naive();
    let main = next_main_deadline(today);
    let deadline = format!("{main}T22:59:00Z");
    let other = format!("{}T22:59:00Z", today + Duration::days(60));
    for (programme, call, rule_set, closes, unavailable) in [
        ("INTERREG-SE-NO", "e2e-main", "2021-2027", deadline.as_str(), vec![]),
        ("INTERREG-AURORA", "e2e-main", "2021-2027", other.as_str(), vec![]),
        (
            "INTERREG-NORTH-SEA",
            "e2e-call-3",
            "2021-2027",
            other.as_str(),
            vec!["IR"],
        ),
        ("ESF-PLUS-SE", "e2e", "2021-2027", other.as_str(), vec![]),
        ("ERASMUS-KA210", "e2e", "2021-2027", other.as_str(), vec![]),
        (
            "ICLD-PARTNERSHIP",
            "e2e-project-europe",
            "project-europe",
            other.as_str(),
            vec![],
        ),
        ("ERDF-TILLVAXTVERKET", "e2e", "2021-2027", other.as_str(), vec![]),
    ] {
        ok(
            server,
            admin,
            "openCall",
            "OpenCallInput",
            json!({
                "programme": programme, "call": call, "title": format!("{programme} {call}"),
                "ruleSet": rule_set, "opensOn": today.to_string(), "closesAt": closes,
                "unavailableFunds": unavailable, "source": "e2e test call",
            }),
            "version",
        )
        .await;
    }
    Calls { deadline }
}

/// A draft input for `consortium`'s `call`, led by `lead`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn draft(
    consortium: &str,
    lead: &str,
    programme: &str,
    call: &str,
    deadline: &str,
    total: Value,
    requested: Value,
    sides: Value,
) -> Value {
    let today = Utc::now().date_naive();
    json!({
        "consortium": consortium, "title": format!("{programme} e2e"),
        "programme": { "kind": "INTERREG", "name": programme }, "call": call,
        "leadApplicant": lead, "deadline": deadline,
        "totalBudget": total, "requested": requested,
        "projectPeriod": { "start": (today + Duration::days(120)).to_string(), "end": (today + Duration::days(120 + 729)).to_string() },
        "callRef": { "programme": programme, "call": call },
        "sides": sides,
    })
}

pub(crate) fn decision(date: NaiveDate) -> Value {
    json!({ "body": "COUNCIL", "date": date.to_string(), "paragraph": "§ 7", "caseNumber": "KS 2026/1" })
}

pub(crate) fn assess(id: &str) -> Value {
    json!({ "applicationId": id, "benefits": "Gemensam nytta", "risks": "Små", "democracyAndHumanRights": "Demokratiskt styrda kommuner", "assessedOn": Utc::now().date_naive().to_string() })
}

#[tokio::test]
async fn programme_rules_refuse_warn_and_accept_v6_and_arko_applications() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path(), &["--demo"]);
    let admin = server.admin_token.clone().unwrap();
    let arko = server.token("coordinator", Some("ARKO"));
    let v6 = server.token("coordinator", Some("V6"));
    let officer = |m: &str| server.token("officer", Some(m));
    let today = Utc::now().date_naive();

    // The demo's programmes carry their rule sets, each rule with its source.
    let body = server
        .gql_as(&admin, r#"{ programme(code: "INTERREG-SE-NO") { name ruleSets { version validFrom validUntil rules { rule severity source } } calls { call ruleSet } } }"#, json!({}))
        .await;
    let p = &data(&body)["programme"];
    let versions: Vec<&str> = p["ruleSets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["2014-2020", "2021-2027"]);
    let current = &p["ruleSets"][1]["rules"];
    assert!(
        current
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["rule"] == "max_funding_rate"
                && r["source"].as_str().unwrap().contains("interreg-sverige-norge.com")),
        "{current:#}"
    );
    // A call names a rule set in force on its opening day: the 2014–2020 set is not in force today.
    let (rule, _) = refused(&server, &admin, "openCall", "OpenCallInput", json!({
        "programme": "INTERREG-SE-NO", "call": "old", "title": "old rules", "ruleSet": "2014-2020",
        "opensOn": today.to_string(), "closesAt": format!("{}T22:59:00Z", today + Duration::days(30)), "source": "e2e",
    })).await;
    assert_eq!(rule, "rule_set_not_in_force");
    // Only administrators record programmes.
    let (rule, _) = refused(&server, &arko, "openCall", "OpenCallInput", json!({
        "programme": "INTERREG-SE-NO", "call": "x", "title": "x", "ruleSet": "2021-2027",
        "opensOn": today.to_string(), "closesAt": format!("{}T22:59:00Z", today + Duration::days(30)), "source": "e2e",
    })).await;
    assert_eq!(rule, "", "a refusal for the role, not a rule");
    let calls = open_calls(&server, &admin).await;

    // --- ARKO, Interreg Sverige–Norge: funding rate per side (E) ------------------
    let se_no = |se_requested: i64, no_requested: i64| {
        draft(
            "ARKO",
            "SE-1784",
            "INTERREG-SE-NO",
            "e2e-main",
            &calls.deadline,
            money(2_000_000, "EUR"),
            money(se_requested + no_requested, "EUR"),
            json!([
                { "country": "SE", "fund": "ERDF", "total": money(1_000_000, "EUR"), "requested": money(se_requested, "EUR") },
                { "country": "NO", "fund": "IR", "total": money(1_000_000, "EUR"), "requested": money(no_requested, "EUR") },
            ]),
        )
    };
    let (rule, message) = refused(
        &server,
        &arko,
        "draftApplication",
        "DraftApplicationInput",
        se_no(700_000, 500_000),
    )
    .await;
    assert_eq!(rule, "max_funding_rate", "{message}");
    assert!(message.contains("70.00 %"), "{message}");
    let (rule, _) = refused(
        &server,
        &arko,
        "draftApplication",
        "DraftApplicationInput",
        se_no(650_000, 500_100),
    )
    .await;
    assert_eq!(rule, "max_funding_rate", "the Norwegian side's 50 %");
    let drafted = ok(
        &server,
        &arko,
        "draftApplication",
        "DraftApplicationInput",
        se_no(650_000, 500_000),
        &format!("warnings {{ rule outcome }} application {{ {APPLICATION} }}"),
    )
    .await;
    let se_no_id = drafted["application"]["id"].as_str().unwrap().to_string();
    // No co-financing decision yet: the rule set's "W" rule warns.
    assert_eq!(
        rules_of(&drafted["warnings"], "WARNING"),
        ["co_financing_decision_missing"]
    );

    // checkApplication: every rule with its verdict and the numbers.
    let body = server.gql_as(&arko, "query($id: UUID!) { checkApplication(id: $id) { passes ruleSet { version } checks { rule outcome actual limit source } } }", json!({ "id": se_no_id })).await;
    let check = &data(&body)["checkApplication"];
    assert_eq!(check["ruleSet"]["version"], "2021-2027");
    let rates: Vec<(&str, &str)> = check["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["rule"] == "max_funding_rate")
        .map(|c| (c["actual"].as_str().unwrap(), c["limit"].as_str().unwrap()))
        .collect();
    assert_eq!(rates, [("65.00 %", "at most 65.00 %"), ("50.00 %", "at most 50.00 %")]);
    assert_eq!(
        rules_of(&check["checks"], "PASS")
            .iter()
            .filter(|r| *r == "deadline_day")
            .count(),
        1
    );

    // At least one Swedish and one Norwegian partner (E at submission).
    ok(
        &server,
        &arko,
        "inviteCoApplicant",
        "InviteCoApplicantInput",
        json!({ "applicationId": se_no_id, "municipality": "SE-1730", "asked": money(100_000, "EUR") }),
        "version",
    )
    .await;
    ok(&server, &officer("SE-1784"), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": se_no_id, "municipality": "SE-1784", "amount": money(250_000, "EUR"), "decision": decision(today) }), "version").await;
    ok(&server, &officer("SE-1730"), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": se_no_id, "municipality": "SE-1730", "amount": money(100_000, "EUR"), "decision": decision(today) }), "version").await;
    ok(
        &server,
        &arko,
        "recordRiskAssessment",
        "RecordRiskAssessmentInput",
        assess(&se_no_id),
        "version",
    )
    .await;
    let (rule, message) = refused(
        &server,
        &arko,
        "submitApplication",
        "SubmitApplicationInput",
        json!({ "applicationId": se_no_id }),
    )
    .await;
    assert_eq!(rule, "min_partners_per_country", "{message}");
    assert!(message.contains("NO: 0"), "{message}");
    ok(
        &server,
        &arko,
        "inviteCoApplicant",
        "InviteCoApplicantInput",
        json!({ "applicationId": se_no_id, "municipality": "NO-3401" }),
        "version",
    )
    .await;
    ok(&server, &officer("NO-3401"), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": se_no_id, "municipality": "NO-3401", "amount": money(500_000, "EUR"), "decision": decision(today) }), "version").await;
    let submitted = ok(
        &server,
        &arko,
        "submitApplication",
        "SubmitApplicationInput",
        json!({ "applicationId": se_no_id }),
        &format!("warnings {{ rule }} application {{ {APPLICATION} }}"),
    )
    .await;
    assert_eq!(submitted["application"]["status"], "SUBMITTED");
    assert_eq!(
        submitted["warnings"],
        json!([]),
        "every decision taken, the deadline the programme's"
    );

    // Deadline day (W) and the call's own deadline (W) on a draft whose deadline is not the call's.
    let off_day = format!("{}T22:59:00Z", next_main_deadline(today) + Duration::days(1));
    let mut late = se_no(650_000, 500_000);
    late["deadline"] = json!(off_day);
    let drafted = ok(
        &server,
        &arko,
        "draftApplication",
        "DraftApplicationInput",
        late,
        "warnings { rule outcome }",
    )
    .await;
    let mut w = rules_of(&drafted["warnings"], "WARNING");
    w.sort();
    assert_eq!(
        w,
        ["co_financing_decision_missing", "deadline_day", "deadline_matches_call"]
    );

    // --- ARKO, Interreg Aurora: Norwegian IR capped at EUR 200 000 (E) ----------
    let aurora = |no_requested: i64| {
        draft(
            "ARKO",
            "SE-1784",
            "INTERREG-AURORA",
            "e2e-main",
            &format!("{}T22:59:00Z", today + Duration::days(60)),
            money(1_000_000, "EUR"),
            money(300_000 + no_requested, "EUR"),
            json!([
                { "country": "SE", "fund": "ERDF", "total": money(500_000, "EUR"), "requested": money(300_000, "EUR") },
                { "country": "NO", "fund": "IR", "total": money(500_000, "EUR"), "requested": money(no_requested, "EUR") },
            ]),
        )
    };
    let (rule, message) = refused(
        &server,
        &arko,
        "draftApplication",
        "DraftApplicationInput",
        aurora(250_000),
    )
    .await;
    assert_eq!(rule, "max_requested", "{message}");
    ok(
        &server,
        &arko,
        "draftApplication",
        "DraftApplicationInput",
        aurora(200_000),
        "version",
    )
    .await;

    // --- ARKO, Interreg North Sea: no Norwegian funds in this call (W) -----------
    let north_sea = draft(
        "ARKO",
        "SE-1784",
        "INTERREG-NORTH-SEA",
        "e2e-call-3",
        &format!("{}T22:59:00Z", today + Duration::days(60)),
        money(1_000_000, "EUR"),
        money(500_000, "EUR"),
        json!([
            { "country": "SE", "fund": "ERDF", "total": money(500_000, "EUR"), "requested": money(300_000, "EUR") },
            { "country": "NO", "fund": "IR", "total": money(500_000, "EUR"), "requested": money(200_000, "EUR") },
        ]),
    );
    let drafted = ok(
        &server,
        &arko,
        "draftApplication",
        "DraftApplicationInput",
        north_sea,
        "warnings { rule outcome }",
    )
    .await;
    assert_eq!(rules_of(&drafted["warnings"], "WARNING"), ["fund_available_in_call"]);

    // --- ESF+: 46 % own co-financing, 40 % in Norra Mellansverige (E) ------------
    let esf = |consortium: &str, lead: &str| {
        draft(
            consortium,
            lead,
            "ESF-PLUS-SE",
            "e2e",
            &format!("{}T22:59:00Z", today + Duration::days(60)),
            money(1_000_000, "SEK"),
            money(580_000, "SEK"),
            json!([]),
        )
    };
    let (rule, message) = refused(
        &server,
        &v6,
        "draftApplication",
        "DraftApplicationInput",
        esf("V6", "SE-1494"),
    )
    .await;
    assert_eq!(rule, "min_co_financing_rate", "Lidköping is in Västsverige: {message}");
    assert!(message.contains("42.00 %"), "{message}");
    ok(
        &server,
        &arko,
        "draftApplication",
        "DraftApplicationInput",
        esf("ARKO", "SE-1784"),
        "version",
    )
    .await;

    // --- V6, Erasmus+ KA210: lump sums and two countries (E) --------------------
    let ka210 = |requested: i64| {
        draft(
            "V6",
            "SE-1494",
            "ERASMUS-KA210",
            "e2e",
            &format!("{}T22:59:00Z", today + Duration::days(60)),
            money(80_000, "EUR"),
            money(requested, "EUR"),
            json!([]),
        )
    };
    let (rule, _) = refused(&server, &v6, "draftApplication", "DraftApplicationInput", ka210(45_000)).await;
    assert_eq!(rule, "lump_sum");
    let drafted = ok(
        &server,
        &v6,
        "draftApplication",
        "DraftApplicationInput",
        ka210(30_000),
        "application { id }",
    )
    .await;
    let ka210_id = drafted["application"]["id"].as_str().unwrap().to_string();
    ok(
        &server,
        &v6,
        "inviteCoApplicant",
        "InviteCoApplicantInput",
        json!({ "applicationId": ka210_id, "municipality": "SE-1471" }),
        "version",
    )
    .await;
    ok(&server, &officer("SE-1471"), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": ka210_id, "municipality": "SE-1471", "amount": money(10_000, "EUR"), "decision": decision(today) }), "version").await;
    ok(
        &server,
        &v6,
        "recordRiskAssessment",
        "RecordRiskAssessmentInput",
        assess(&ka210_id),
        "version",
    )
    .await;
    let (rule, message) = refused(
        &server,
        &v6,
        "submitApplication",
        "SubmitApplicationInput",
        json!({ "applicationId": ka210_id }),
    )
    .await;
    assert_eq!(
        rule, "min_partners_and_countries",
        "two Swedish partners are one country: {message}"
    );

    // --- V6, ICLD project phase: SEK 450 000 a year, no salaries; Jems rounding (E)
    let icld = |requested: i64| {
        draft(
            "V6",
            "SE-1494",
            "ICLD-PARTNERSHIP",
            "e2e-project-europe",
            &format!("{}T22:59:00Z", today + Duration::days(60)),
            money(1_000_000, "SEK"),
            money(requested, "SEK"),
            json!([]),
        )
    };
    let (rule, message) = refused(&server, &v6, "draftApplication", "DraftApplicationInput", icld(900_001)).await;
    assert_eq!(rule, "max_requested", "two years at SEK 450 000: {message}");
    let drafted = ok(
        &server,
        &v6,
        "draftApplication",
        "DraftApplicationInput",
        icld(900_000),
        "application { id }",
    )
    .await;
    let icld_id = drafted["application"]["id"].as_str().unwrap().to_string();
    let terms = |category: &str, budget: i64| {
        json!({
            "origin": "PUBLIC", "form": "CASH", "source": "OWN_BUDGET",
            "partnerBudget": { "amountMinor": budget, "currency": "SEK" },
            "costLines": [{ "category": category, "amount": { "amountMinor": budget, "currency": "SEK" } }],
        })
    };
    let commit = |amount_minor: i64, t: Value| {
        json!({ "applicationId": icld_id, "municipality": "SE-1494",
        "amount": { "amountMinor": amount_minor, "currency": "SEK" }, "decision": decision(today), "terms": t })
    };
    let lidkoping = officer("SE-1494");
    let (rule, _) = refused(
        &server,
        &lidkoping,
        "commitCoFinancing",
        "CommitCoFinancingInput",
        commit(1_000, terms("salaries", 10_001)),
    )
    .await;
    assert_eq!(rule, "excluded_cost_category");
    // A partner budget of SEK 100.01 at 90 %: the fund share 90.00 (90.009 rounded down), own contribution 10.01.
    let (rule, message) = refused(
        &server,
        &lidkoping,
        "commitCoFinancing",
        "CommitCoFinancingInput",
        commit(1_000, terms("travel", 10_001)),
    )
    .await;
    assert_eq!(rule, "fund_shares_sum", "{message}");
    assert!(message.contains("100.01 SEK"), "{message}");
    ok(
        &server,
        &lidkoping,
        "commitCoFinancing",
        "CommitCoFinancingInput",
        commit(1_001, terms("travel", 10_001)),
        "version",
    )
    .await;

    // --- V6, ERDF (Tillväxtverket): a co-financing decision missing at submission (E)
    let erdf = draft(
        "V6",
        "SE-1494",
        "ERDF-TILLVAXTVERKET",
        "e2e",
        &format!("{}T22:59:00Z", today + Duration::days(60)),
        money(1_000_000, "SEK"),
        money(500_000, "SEK"),
        json!([]),
    );
    let drafted = ok(
        &server,
        &v6,
        "draftApplication",
        "DraftApplicationInput",
        erdf,
        "application { id }",
    )
    .await;
    let erdf_id = drafted["application"]["id"].as_str().unwrap().to_string();
    ok(
        &server,
        &v6,
        "inviteCoApplicant",
        "InviteCoApplicantInput",
        json!({ "applicationId": erdf_id, "municipality": "SE-1495", "asked": money(200_000, "SEK") }),
        "version",
    )
    .await;
    ok(
        &server,
        &v6,
        "inviteCoApplicant",
        "InviteCoApplicantInput",
        json!({ "applicationId": erdf_id, "municipality": "SE-1470", "asked": money(100_000, "SEK") }),
        "version",
    )
    .await;

    // Decisions owed: Skara plans a council meeting before the deadline, Vara none.
    let meeting = today + Duration::days(1);
    ok(&server, &officer("SE-1495"), "scheduleMeeting", "ScheduleMeetingInput", json!({ "municipality": "SE-1495", "body": "COUNCIL", "date": meeting.to_string(), "source": "KF sammanträdesplan" }), "calendar { meetings { date body } }").await;
    let (rule, _) = refused(
        &server,
        &officer("SE-1495"),
        "scheduleMeeting",
        "ScheduleMeetingInput",
        json!({ "municipality": "SE-1470", "body": "COUNCIL", "date": meeting.to_string() }),
    )
    .await;
    assert_eq!(rule, "", "an officer plans only its own municipality's meetings");
    let owed = |m: &str| {
        let token = officer(m);
        let server = &server;
        let m = m.to_string();
        async move {
            let body = server.gql_as(&token, "query($m: MunicipalityCode!) { dashboard(municipality: $m) { meetings { date body } decisionsOwed { application { id } role amount { amountMinor currency } due nextMeeting { date body } warning } } }", json!({ "m": m })).await;
            data(&body)["dashboard"].clone()
        }
    };
    let skara = owed("SE-1495").await;
    let line = skara["decisionsOwed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["application"]["id"] == erdf_id.as_str())
        .expect("Skara owes the ERDF decision")
        .clone();
    assert_eq!(line["role"], "co_applicant");
    assert_eq!(line["amount"], json!({ "amountMinor": 20_000_000, "currency": "SEK" }));
    assert_eq!(
        line["nextMeeting"],
        json!({ "date": meeting.to_string(), "body": "COUNCIL" })
    );
    assert_eq!(line["warning"], Value::Null);
    assert!(skara["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["date"] == meeting.to_string().as_str()));
    let vara = owed("SE-1470").await;
    let line = vara["decisionsOwed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["application"]["id"] == erdf_id.as_str())
        .expect("Vara owes the ERDF decision")
        .clone();
    assert_eq!(line["nextMeeting"], Value::Null);
    assert_eq!(line["warning"], "no_meeting_before_deadline");
    // Lidköping leads: it is asked for the rest of the own contribution.
    let lead = owed("SE-1494").await;
    let line = lead["decisionsOwed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["application"]["id"] == erdf_id.as_str())
        .expect("Lidköping owes its own decision")
        .clone();
    assert_eq!(line["role"], "lead");
    assert_eq!(line["amount"]["amountMinor"], 20_000_000);

    // The coordinator sees each member's status; then a decision dated after today
    // is missing at submission and refuses it.
    ok(&server, &officer("SE-1495"), "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": erdf_id, "municipality": "SE-1495", "amount": money(200_000, "SEK"), "decision": decision(meeting) }), "version").await;
    ok(
        &server,
        &officer("SE-1470"),
        "declineCoFinancing",
        "DeclineCoFinancingInput",
        json!({ "applicationId": erdf_id, "municipality": "SE-1470", "reason": "Ingen budget 2027" }),
        "version",
    )
    .await;
    ok(&server, &lidkoping, "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": erdf_id, "municipality": "SE-1494", "amount": money(300_000, "SEK"), "decision": decision(today) }), "version").await;
    ok(
        &server,
        &v6,
        "recordRiskAssessment",
        "RecordRiskAssessmentInput",
        assess(&erdf_id),
        "version",
    )
    .await;
    let body = server
        .gql_as(
            &v6,
            &format!("query($id: UUID!) {{ application(id: $id) {{ {APPLICATION} }} }}"),
            json!({ "id": erdf_id }),
        )
        .await;
    let statuses: Vec<(String, String)> = data(&body)["application"]["partyStatuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["municipality"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("SE-1494".into(), "committed".into()),
            ("SE-1495".into(), "committed".into()),
            ("SE-1470".into(), "declined".into())
        ]
    );
    let (rule, message) = refused(
        &server,
        &v6,
        "submitApplication",
        "SubmitApplicationInput",
        json!({ "applicationId": erdf_id }),
    )
    .await;
    assert_eq!(rule, "co_financing_decision_missing", "{message}");
    assert!(message.contains("SE-1495"), "{message}");
}
