//! The permission matrix of `docs/security.md`, walked role by role: every
//! command class and every read, allowed or `FORBIDDEN` (anonymous callers:
//! `UNAUTHENTICATED`), and a denied write appends nothing.

use chrono::Datelike;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{coordinator, officer, reader, spawn_app, Gql, TestApp};

/// The callers of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// No token at all.
    Anonymous,
    /// `coordinator` of V6 (the consortium of the fixtures).
    CoordinatorV6,
    /// `coordinator` of ARKO (another consortium).
    CoordinatorArko,
    /// `officer` of SE-1494 Lidköping: owns the strategy, leads the project and the applications.
    OfficerLead,
    /// `officer` of SE-1495 Skara: a V6 member invited as co-applicant.
    OfficerInvited,
    /// `officer` of SE-1784 Arvika: an ARKO member, outside V6.
    OfficerOutsider,
    /// `reader` of everything.
    Reader,
    /// `reader` of SE-1495 (the invited co-applicant).
    ReaderInvited,
    /// `admin`, last: its writes may repeat what a role before it did.
    Admin,
}

use Who::*;

const EVERYONE: [Who; 9] = [
    Anonymous,
    CoordinatorV6,
    CoordinatorArko,
    OfficerLead,
    OfficerInvited,
    OfficerOutsider,
    Reader,
    ReaderInvited,
    Admin,
];

/// Who sees a draft application of V6 led by SE-1494 with SE-1495 invited.
const DRAFT_PARTIES: [Who; 5] = [Admin, CoordinatorV6, OfficerLead, OfficerInvited, ReaderInvited];

fn token_of(app: &TestApp, who: Who) -> Option<String> {
    Some(match who {
        Anonymous => return None,
        CoordinatorV6 => coordinator("V6"),
        CoordinatorArko => coordinator("ARKO"),
        OfficerLead => officer("SE-1494"),
        OfficerInvited => officer("SE-1495"),
        OfficerOutsider => officer("SE-1784"),
        Reader => reader(None),
        ReaderInvited => reader(Some("SE-1495")),
        Admin => app.admin.clone(),
    })
}

fn role_label(who: Who) -> &'static str {
    match who {
        CoordinatorV6 => "coordinator:V6",
        CoordinatorArko => "coordinator:ARKO",
        OfficerLead => "officer:SE-1494",
        OfficerInvited => "officer:SE-1495",
        OfficerOutsider => "officer:SE-1784",
        Reader => "reader",
        ReaderInvited => "reader:SE-1495",
        Admin => "admin",
        Anonymous => "",
    }
}

async fn call(app: &TestApp, who: Who, query: &str, variables: Value) -> Gql {
    match token_of(app, who) {
        Some(t) => app.gql_as(&t, query, variables).await,
        None => {
            app.post_raw(json!({ "query": query, "variables": variables }), &[])
                .await
        }
    }
}

/// Run an admin mutation and return its payload.
async fn admin(app: &TestApp, query: &str, variables: Value) -> Value {
    let mut vars = variables;
    vars["id"] = json!(Uuid::new_v4());
    let r = app.gql(query, vars).await;
    let data = r.data().clone();
    data.as_object()
        .and_then(|o| o.values().next().cloned())
        .unwrap_or(Value::Null)
}

const DRAFT_APPLICATION: &str = r#"mutation($id: UUID!, $title: String!) { draftApplication(commandId: $id, input: {
    consortium: "V6", title: $title, programme: {kind: INTERREG, name: "Interreg Sverige–Norge"}, call: "Huvudprojekt",
    leadApplicant: "SE-1494", deadline: "2099-09-15T21:59:00Z", totalBudget: {amountMinor: 100000000, currency: SEK},
    requested: {amountMinor: 50000000, currency: SEK}, projectPeriod: {start: "2099-10-01", end: "2101-09-30"}}) {
    position application { id } } }"#;
const INVITE: &str = r#"mutation($id: UUID!, $a: UUID!, $m: MunicipalityCode!) { inviteCoApplicant(commandId: $id, input: {applicationId: $a, municipality: $m}) { position } }"#;
const COMMIT: &str = r#"mutation($id: UUID!, $a: UUID!, $m: MunicipalityCode!, $amount: MinorUnits!) { commitCoFinancing(commandId: $id, input: {applicationId: $a, municipality: $m,
    amount: {amountMinor: $amount, currency: SEK}, decision: {body: EXECUTIVE_BOARD, date: "2025-06-01", caseNumber: "KS 2025/1"}}) { position } }"#;
const DECLINE: &str = r#"mutation($id: UUID!, $a: UUID!, $m: MunicipalityCode!) { declineCoFinancing(commandId: $id, input: {applicationId: $a, municipality: $m, reason: "Ingen budget"}) { position } }"#;
const RISK: &str = r#"mutation($id: UUID!, $a: UUID!) { recordRiskAssessment(commandId: $id, input: {applicationId: $a, benefits: "Lärande",
    risks: "Låga", democracyAndHumanRights: "Inga anmärkningar", assessedOn: "2025-06-02"}) { position } }"#;
const SUBMIT: &str =
    r#"mutation($id: UUID!, $a: UUID!) { submitApplication(commandId: $id, input: {applicationId: $a}) { position } }"#;
const APPROVE: &str = r#"mutation($id: UUID!, $a: UUID!) { approveApplication(commandId: $id, input: {applicationId: $a,
    granted: {amountMinor: 50000000, currency: SEK}, decidedOn: "2025-09-01", decisionReference: "JEMS-1"}) { position application { projectId } } }"#;
const REJECT: &str = r#"mutation($id: UUID!, $a: UUID!) { rejectApplication(commandId: $id, input: {applicationId: $a, decidedOn: "2025-09-01", reason: "Budget"}) { position } }"#;
const WITHDRAW: &str = r#"mutation($id: UUID!, $a: UUID!) { withdrawApplication(commandId: $id, input: {applicationId: $a, withdrawnOn: "2025-07-01", reason: "Omprioritering"}) { position } }"#;

/// How far a freshly prepared application has come.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Drafted, SE-1495 invited and not answered.
    Draft,
    /// SE-1495 committed `amount`, risk assessed: ready to submit.
    Ready(i64),
    Submitted(i64),
}

/// A V6 application led by SE-1494 with SE-1495 invited, prepared by the administrator.
async fn application(app: &TestApp, title: &str, stage: Stage) -> String {
    let draft = admin(app, DRAFT_APPLICATION, json!({ "title": title })).await;
    let id = draft["application"]["id"].as_str().expect("application id").to_string();
    admin(app, INVITE, json!({ "a": id, "m": "SE-1495" })).await;
    if let Stage::Ready(amount) | Stage::Submitted(amount) = stage {
        admin(app, COMMIT, json!({ "a": id, "m": "SE-1495", "amount": amount })).await;
        admin(app, RISK, json!({ "a": id })).await;
    }
    if let Stage::Submitted(_) = stage {
        admin(app, SUBMIT, json!({ "a": id })).await;
    }
    id
}

struct Fixture {
    strategy: String,
    project: String,
    /// The project the process manager registered from an approved V6 application.
    consortium_project: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    for (code, name) in [
        ("SE-1494", "Lidköping"),
        ("SE-1495", "Skara"),
        ("SE-1471", "Götene"),
        ("SE-1487", "Vänersborg"),
        ("SE-1784", "Arvika"),
        ("NO-3401", "Kongsvinger"),
    ] {
        app.register(code, name).await;
    }
    app.consortium("V6", &["SE-1494", "SE-1495", "SE-1471"]).await;
    app.consortium("ARKO", &["SE-1784", "NO-3401"]).await;

    let strategy = admin(
        app,
        r#"mutation($id: UUID!) { draftStrategy(commandId: $id, input: {municipality: "SE-1494", title: "Internationell strategi", kind: STRATEGY,
            owner: "Kommunstyrelsen", responsibleRole: "Kanslichef", followUpCadence: YEARLY, content: {focusAreas: [], goals: [], topics: []}}) { strategy { id } } }"#,
        json!({}),
    )
    .await["strategy"]["id"]
        .as_str()
        .expect("strategy id")
        .to_string();
    admin(
        app,
        r#"mutation($id: UUID!, $s: UUID!) { adoptStrategy(commandId: $id, input: {strategyId: $s, decision: {body: COUNCIL, date: "1990-01-01"},
            validity: {start: "1990-01-01"}}) { position } }"#,
        json!({ "s": strategy }),
    )
    .await;
    let project = admin(app, &register_project("Vänort", "SE-1494"), json!({})).await["project"]["id"]
        .as_str()
        .expect("project id")
        .to_string();

    let approved = application(app, "Beviljad", Stage::Submitted(1_000_000)).await;
    let consortium_project = admin(app, APPROVE, json!({ "a": approved })).await["application"]["projectId"]
        .as_str()
        .expect("project of the approval")
        .to_string();
    // The process manager registers it.
    for _ in 0..100 {
        let r = app
            .gql(
                "query($p: UUID!) { project(id: $p) { id } }",
                json!({ "p": consortium_project }),
            )
            .await;
        if r.body["errors"].is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Fixture {
        strategy,
        project,
        consortium_project,
    }
}

fn register_project(title: &str, lead: &str) -> String {
    format!(
        r#"mutation($id: UUID!) {{ registerProject(commandId: $id, input: {{title: "{title}", lead: {{municipality: "{lead}"}}, consortium: "V6",
            programme: {{kind: ICLD, name: "ICLD"}}, financing: {{budget: {{amountMinor: 0, currency: SEK}}, grant: {{amountMinor: 0, currency: SEK}},
            coFinancing: {{amountMinor: 0, currency: SEK}}}}, period: {{start: "2020-01-01", end: "2021-12-31"}}}}) {{ position project {{ id }} }} }}"#
    )
}

/// The command classes of the matrix.
#[derive(Debug, Clone, Copy)]
enum Class {
    RegisterMunicipality,
    ChangeCode,
    TwinTown,
    FormConsortium,
    Membership,
    RunConsortium,
    DraftStrategy,
    StrategyDecision,
    RegisterProject,
    LeadProject,
    ConsortiumProject,
    DraftApplication,
    InviteCoApplicant,
    RiskAssessment,
    Submit,
    RecordDecision,
    Withdraw,
    CoApplicantCommits,
    CoApplicantDeclines,
    LeadCommits,
    Dissolve,
}

/// Prepare what the class needs (as the administrator), then return the
/// mutation and its variables.
async fn command(app: &TestApp, fx: &Fixture, class: Class, n: usize) -> (String, Value) {
    let id = Uuid::new_v4();
    let q = |s: &str| s.to_string();
    match class {
        Class::RegisterMunicipality => (
            q(
                r#"mutation($id: UUID!, $c: MunicipalityCode!) { registerMunicipality(commandId: $id, input: {code: $c, name: "Ny"}) { position } }"#,
            ),
            json!({ "id": id, "c": format!("SE-{}", 2000 + n) }),
        ),
        // Dated far ahead, so SE-1494 stays Lidköping's code today.
        Class::ChangeCode => (
            q(
                r#"mutation($id: UUID!, $c: MunicipalityCode!, $f: Date!) { changeMunicipalityCode(commandId: $id, input: {municipality: "SE-1494",
                newCode: $c, validFrom: $f, source: "test"}) { position } }"#,
            ),
            json!({ "id": id, "c": format!("SE-{}", 3000 + n), "f": format!("{}-01-01", 2100 + n) }),
        ),
        Class::TwinTown => (
            q(
                r#"mutation($id: UUID!, $p: String!) { signTwinTownAgreement(commandId: $id, input: {municipality: "SE-1494",
                partner: {name: $p, country: "FI"}, since: "1990-01-01", decision: {body: COUNCIL, date: "1990-01-01"}}) { position } }"#,
            ),
            json!({ "id": id, "p": format!("Vänort {n}") }),
        ),
        Class::FormConsortium => (
            q(
                r#"mutation($id: UUID!, $c: ConsortiumCode!) { formConsortium(commandId: $id, input: {code: $c, name: "Nytt", kind: REGIONAL_COOPERATION,
                purpose: "Test", formedOn: "2000-01-01"}) { position } }"#,
            ),
            json!({ "id": id, "c": format!("C{n}") }),
        ),
        Class::Membership => (
            q(
                r#"mutation($id: UUID!) { joinConsortium(commandId: $id, input: {consortium: "V6", municipality: "SE-1487", joinedOn: "2020-01-01"}) { position } }"#,
            ),
            json!({ "id": id }),
        ),
        Class::RunConsortium => (
            q(
                r#"mutation($id: UUID!, $o: String!) { appointCoordinator(commandId: $id, input: {consortium: "V6", coordinator: {office: $o}, from: "2020-01-01"}) { position } }"#,
            ),
            json!({ "id": id, "o": format!("V6-kansliet {n}") }),
        ),
        Class::DraftStrategy => (
            q(
                r#"mutation($id: UUID!) { draftStrategy(commandId: $id, input: {municipality: "SE-1494", title: "Vänortspolicy", kind: POLICY,
                owner: "Kommunstyrelsen", responsibleRole: "Kanslichef", followUpCadence: YEARLY, content: {focusAreas: [], goals: [], topics: []}}) { position } }"#,
            ),
            json!({ "id": id }),
        ),
        Class::StrategyDecision => (
            q(
                r#"mutation($id: UUID!, $s: UUID!, $from: Date!, $to: Date!) { reportFollowUp(commandId: $id, input: {strategyId: $s,
                period: {start: $from, end: $to}, reportedOn: "2025-02-01", reportedTo: EXECUTIVE_BOARD, summary: "Uppföljning"}) { position } }"#,
            ),
            json!({ "id": id, "s": fx.strategy, "from": format!("{}-01-01", 1990 + n), "to": format!("{}-12-31", 1990 + n) }),
        ),
        Class::RegisterProject => (register_project("Nytt projekt", "SE-1494"), json!({ "id": id })),
        Class::LeadProject | Class::ConsortiumProject => {
            let (project, due) = match class {
                Class::LeadProject => (&fx.project, "2020-06-01"),
                _ => (&fx.consortium_project, "2100-06-01"),
            };
            (
                q(
                    r#"mutation($id: UUID!, $p: UUID!, $m: MilestoneId!, $due: Date!) { planMilestone(commandId: $id, input: {projectId: $p,
                    milestoneId: $m, title: "Delrapport", due: $due}) { position } }"#,
                ),
                json!({ "id": id, "p": project, "m": format!("m{n}"), "due": due }),
            )
        }
        Class::DraftApplication => (
            q(DRAFT_APPLICATION),
            json!({ "id": id, "title": format!("Ansökan {n}") }),
        ),
        Class::InviteCoApplicant => {
            let a = application(app, "Inbjudan", Stage::Draft).await;
            (q(INVITE), json!({ "id": id, "a": a, "m": "SE-1471" }))
        }
        Class::RiskAssessment => {
            let a = application(app, "Risk", Stage::Draft).await;
            (q(RISK), json!({ "id": id, "a": a }))
        }
        Class::Submit => {
            let a = application(app, "Inlämning", Stage::Ready(1)).await;
            (q(SUBMIT), json!({ "id": id, "a": a }))
        }
        Class::RecordDecision => {
            let a = application(app, "Beslut", Stage::Submitted(1)).await;
            (q(REJECT), json!({ "id": id, "a": a }))
        }
        Class::Withdraw => {
            let a = application(app, "Återtagen", Stage::Draft).await;
            (q(WITHDRAW), json!({ "id": id, "a": a }))
        }
        Class::CoApplicantCommits | Class::CoApplicantDeclines | Class::LeadCommits => {
            let a = application(app, "Svar", Stage::Draft).await;
            match class {
                Class::CoApplicantCommits => (q(COMMIT), json!({ "id": id, "a": a, "m": "SE-1495", "amount": 100 })),
                Class::CoApplicantDeclines => (q(DECLINE), json!({ "id": id, "a": a, "m": "SE-1495" })),
                _ => (q(COMMIT), json!({ "id": id, "a": a, "m": "SE-1494", "amount": 100 })),
            }
        }
        Class::Dissolve => (
            q(
                r#"mutation($id: UUID!) { dissolveConsortium(commandId: $id, input: {consortium: "V6", dissolvedOn: "2030-01-01", reason: "Test"}) { position } }"#,
            ),
            json!({ "id": id }),
        ),
    }
}

/// The write matrix: each command class and the roles allowed (everyone else: `FORBIDDEN`).
const WRITES: [(Class, &[Who]); 21] = [
    (Class::RegisterMunicipality, &[Admin]),
    (Class::ChangeCode, &[Admin]),
    (Class::TwinTown, &[OfficerLead, Admin]),
    (Class::FormConsortium, &[Admin]),
    (Class::Membership, &[CoordinatorV6, Admin]),
    (Class::RunConsortium, &[CoordinatorV6, Admin]),
    (Class::DraftStrategy, &[OfficerLead, Admin]),
    (Class::StrategyDecision, &[OfficerLead, Admin]),
    (Class::RegisterProject, &[OfficerLead, Admin]),
    (Class::LeadProject, &[OfficerLead, Admin]),
    (Class::ConsortiumProject, &[CoordinatorV6, OfficerLead, Admin]),
    (Class::DraftApplication, &[CoordinatorV6, Admin]),
    (Class::InviteCoApplicant, &[CoordinatorV6, Admin]),
    (Class::RiskAssessment, &[CoordinatorV6, Admin]),
    (Class::Submit, &[CoordinatorV6, Admin]),
    (Class::RecordDecision, &[CoordinatorV6, Admin]),
    (Class::Withdraw, &[CoordinatorV6, Admin]),
    (Class::CoApplicantCommits, &[OfficerInvited, Admin]),
    (Class::CoApplicantDeclines, &[OfficerInvited, Admin]),
    (Class::LeadCommits, &[OfficerLead, Admin]),
    // Last: it ends V6.
    (Class::Dissolve, &[CoordinatorV6, Admin]),
];

#[tokio::test]
async fn every_role_against_every_command_class() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let mut n = 0;
    for (class, allowed) in WRITES {
        for who in EVERYONE {
            n += 1;
            let (query, variables) = command(&app, &fx, class, n).await;
            let before = app.head().await;
            let r = call(&app, who, &query, variables).await;
            let case = format!("{class:?} as {who:?}");
            if who == Anonymous {
                assert_eq!(r.code(), "UNAUTHENTICATED", "{case}: {:#}", r.body);
                assert_eq!(app.head().await, before, "{case}: nothing appended");
            } else if allowed.contains(&who) {
                if who == Admin {
                    // The administrator may repeat what a role did before it
                    // (a second join, a second dissolution): a rule may refuse
                    // it, but never the permissions.
                    if !r.body["errors"].is_null() {
                        let code = r.code();
                        assert!(code != "FORBIDDEN" && code != "UNAUTHENTICATED", "{case}: {:#}", r.body);
                    }
                    continue;
                }
                let payload = r.data().as_object().and_then(|o| o.values().next()).cloned();
                let position = payload.as_ref().and_then(|p| p["position"].as_u64()).expect("position");
                // The event records who did it and in which role.
                let event = app
                    .store
                    .read_all(position.checked_sub(1), 1)
                    .await
                    .expect("read")
                    .into_iter()
                    .next()
                    .expect("the command's event");
                assert_eq!(event.position, position, "{case}");
                assert_eq!(event.metadata.actor_role.as_deref(), Some(role_label(who)), "{case}");
                assert!(event.metadata.actor.is_some(), "{case}");
            } else {
                assert_eq!(r.code(), "FORBIDDEN", "{case}: {:#}", r.body);
                assert_eq!(app.head().await, before, "{case}: a denied write appends nothing");
            }
        }
    }
}

/// Whether an answer mentions the application `id` anywhere.
fn mentions(value: &Value, id: &str) -> bool {
    value.to_string().contains(id)
}

#[tokio::test]
async fn every_role_against_every_read() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    // A draft waiting for SE-1495's answer, a draft SE-1495 already committed
    // 5 000 000 öre to, and a submitted application it committed 1 000 000 to
    // (as to the approved one of the fixtures).
    let pending = application(&app, "Utkast", Stage::Draft).await;
    let committed = application(&app, "Utkast med svar", Stage::Ready(5_000_000)).await;
    let submitted = application(&app, "Inlämnad", Stage::Submitted(1_000_000)).await;
    let year = chrono::Utc::now().year();

    let public = format!(
        r#"{{ municipality(code: "SE-1494") {{ name }} municipalities {{ totalCount }} strategies {{ totalCount }}
              strategy(id: "{}") {{ title }} consortia {{ totalCount }} consortium(code: "V6") {{ name }}
              projects {{ totalCount }} project(id: "{}") {{ title }} dashboard(municipality: "SE-1494") {{ today }}
              timeline(municipality: "SE-1494") {{ edges {{ cursor }} }} readModelPosition }}"#,
        fx.strategy, fx.project
    );
    let lookup = "query($a: UUID!) { application(id: $a) { id status } }";
    for who in EVERYONE {
        let case = format!("{who:?}");
        let party = DRAFT_PARTIES.contains(&who);

        let r = call(&app, who, &public, json!({})).await;
        if who == Anonymous {
            assert_eq!(r.code(), "UNAUTHENTICATED", "{case}");
            for query in [lookup, "{ applications { totalCount } }"] {
                let r = call(&app, who, query, json!({ "a": submitted })).await;
                assert_eq!(r.code(), "UNAUTHENTICATED", "{case}: {query}");
            }
            continue;
        }
        assert_eq!(r.data()["municipality"]["name"], "Lidköping", "{case}: public records");
        assert_eq!(r.data()["project"]["title"], "Vänort", "{case}");

        // Submitted applications are public records.
        let r = call(&app, who, lookup, json!({ "a": submitted })).await;
        assert_eq!(r.data()["application"]["status"], "SUBMITTED", "{case}");
        // Drafts: the parties only.
        for draft in [&pending, &committed] {
            let r = call(&app, who, lookup, json!({ "a": draft })).await;
            if party {
                assert_eq!(r.data()["application"]["status"], "DRAFT", "{case}");
            } else {
                assert_eq!(r.code(), "FORBIDDEN", "{case}: {:#}", r.body);
            }
        }

        // Lists, dashboards, overviews, reports and timelines leak no draft.
        let r = call(
            &app,
            who,
            r#"query($year: Int!) {
                all: applications(first: 500) { totalCount edges { node { id } } }
                v6: applications(filter: {consortium: "V6"}) { edges { node { id } } }
                skara: applications(filter: {municipality: "SE-1495", status: DRAFT}) { totalCount edges { node { id } } }
                overview: consortiumOverview(consortium: "V6") { applications { id } applicationsByStatus { status count }
                    memberCoFinancing { municipality committed { amountMinor } } }
                dashboard(municipality: "SE-1495") { actionList { id } funding { year coFinancing { amountMinor } } }
                report: followUpReport(municipality: "SE-1495", year: $year) { applications { id } }
                timeline(consortium: "V6", first: 500) { edges { node { stream eventType } } }
                mine: timeline(municipality: "SE-1495", first: 500) { edges { node { stream } } }
            }"#,
            json!({ "year": year }),
        )
        .await;
        let d = r.data();
        let both = [&pending, &committed];
        for (part, value, drafts) in [
            ("applications", &d["all"], &both[..]),
            ("applications of V6", &d["v6"], &both[..]),
            ("applications of SE-1495", &d["skara"], &both[..]),
            ("consortiumOverview", &d["overview"]["applications"], &both[..]),
            // Only the draft still waiting for SE-1495's answer is an action.
            ("dashboard action list", &d["dashboard"]["actionList"], &both[..1]),
            ("followUpReport", &d["report"], &both[..]),
            ("timeline of V6", &d["timeline"], &both[..]),
            ("timeline of SE-1495", &d["mine"], &both[..]),
        ] {
            for draft in drafts {
                assert_eq!(
                    mentions(value, draft),
                    party,
                    "{case}: {part} and draft {draft}: {value:#}"
                );
            }
        }
        assert!(mentions(&d["all"], &submitted), "{case}");
        assert!(mentions(&d["report"], &submitted), "{case}");
        assert_eq!(
            d["all"]["totalCount"].as_u64(),
            Some(if party { 4 } else { 2 }),
            "{case}: totals count what is visible"
        );
        let drafts = d["overview"]["applicationsByStatus"]
            .as_array()
            .expect("statuses")
            .iter()
            .find(|s| s["status"] == "DRAFT")
            .map(|s| s["count"].clone());
        assert_eq!(drafts, Some(json!(if party { 2 } else { 0 })), "{case}");
        // Sums too: SE-1495's commitment to the draft is counted only for the parties.
        let skara = |v: &Value| -> i64 {
            v.as_array()
                .expect("lines")
                .iter()
                .filter(|l| l["municipality"] == "SE-1495" || l["year"] == 2025)
                .flat_map(|l| {
                    let money = if l["committed"].is_array() {
                        &l["committed"]
                    } else {
                        &l["coFinancing"]
                    };
                    match money {
                        Value::Array(items) => items
                            .iter()
                            .filter_map(|m| m["amountMinor"].as_i64())
                            .collect::<Vec<_>>(),
                        m => m["amountMinor"].as_i64().into_iter().collect(),
                    }
                })
                .sum()
        };
        let expected = if party { 7_000_000 } else { 2_000_000 };
        assert_eq!(
            skara(&d["overview"]["memberCoFinancing"]),
            expected,
            "{case}: consortium overview sums"
        );
        assert_eq!(skara(&d["dashboard"]["funding"]), expected, "{case}: dashboard funding");
    }
}
