use samverkan_eventstore::Direction;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::spawn_app;

const REGISTER: &str = "mutation($id: UUID!, $v: Int, $code: MunicipalityCode!, $name: String!) {
  registerMunicipality(commandId: $id, expectedVersion: $v, input: {code: $code, name: $name}) {
    position version appended eventTypes municipality { code name country }
  }
}";

#[tokio::test]
async fn a_mutation_returns_its_position_and_a_query_with_at_least_position_sees_it() {
    let app = spawn_app().await;
    let r = app
        .gql(
            REGISTER,
            json!({ "id": Uuid::new_v4(), "code": "SE-1487", "name": "Vänersborg" }),
        )
        .await;
    let p = &r.data()["registerMunicipality"];
    let position = p["position"].as_u64().expect("position");
    assert_eq!(p["version"], 0);
    assert_eq!(p["appended"], 1);
    assert_eq!(p["eventTypes"], json!(["MunicipalityRegistered"]));
    assert_eq!(
        p["municipality"],
        json!({ "code": "SE-1487", "name": "Vänersborg", "country": "SE" })
    );

    let q = app
        .gql(
            "query($p: Position) { municipality(code: \"SE-1487\", atLeastPosition: $p) { name } readModelPosition }",
            json!({ "p": position }),
        )
        .await;
    assert_eq!(q.data()["municipality"]["name"], "Vänersborg");
    assert!(q.data()["readModelPosition"].as_u64().expect("position") >= position);
}

#[tokio::test]
async fn a_retried_command_id_appends_nothing_and_answers_the_same_position() {
    let app = spawn_app().await;
    let id = Uuid::new_v4();
    let vars = json!({ "id": id, "code": "SE-1494", "name": "Lidköping" });
    let first = app.gql(REGISTER, vars.clone()).await;
    let head = app.store.head_position().await.expect("head");
    let again = app.gql(REGISTER, vars).await;
    assert_eq!(
        again.data()["registerMunicipality"]["position"],
        first.data()["registerMunicipality"]["position"]
    );
    assert_eq!(again.data()["registerMunicipality"]["version"], 0);
    assert_eq!(again.data()["registerMunicipality"]["appended"], 0);
    assert_eq!(app.store.head_position().await.expect("head"), head, "nothing appended");

    // A new command id for the same registration breaks the rule instead.
    let other = app
        .gql(
            REGISTER,
            json!({ "id": Uuid::new_v4(), "code": "SE-1494", "name": "Lidköping" }),
        )
        .await;
    assert_eq!(other.code(), "VALIDATION");
    assert_eq!(other.rule(), "already_exists");
}

#[tokio::test]
async fn expected_versions_are_checked() {
    let app = spawn_app().await;
    // -1: the stream must not exist yet.
    let r = app
        .gql(
            REGISTER,
            json!({ "id": Uuid::new_v4(), "v": -1, "code": "SE-1784", "name": "Arvika" }),
        )
        .await;
    assert_eq!(r.data()["registerMunicipality"]["version"], 0);

    let sign = r#"mutation($id: UUID!, $v: Int) {
      signTwinTownAgreement(commandId: $id, expectedVersion: $v, input: {
        municipality: "SE-1784", partner: {name: "Skive", country: "DK"}, since: "1947-01-01",
        decision: {body: COUNCIL, date: "1947-01-01", paragraph: "§ 40"}}) { version municipality { twinTowns { partner { name key } } } }
    }"#;
    let wrong = app.gql(sign, json!({ "id": Uuid::new_v4(), "v": 5 })).await;
    assert_eq!(wrong.code(), "CONFLICT");
    let right = app.gql(sign, json!({ "id": Uuid::new_v4(), "v": 0 })).await;
    assert_eq!(right.data()["signTwinTownAgreement"]["version"], 1);
    assert_eq!(
        right.data()["signTwinTownAgreement"]["municipality"]["twinTowns"][0]["partner"],
        json!({ "name": "Skive", "key": "DK:skive" })
    );

    let invalid = app.gql(sign, json!({ "id": Uuid::new_v4(), "v": -7 })).await;
    assert_eq!(invalid.rule(), "invalid_expected_version");
}

#[tokio::test]
async fn events_record_actor_role_correlation_and_trace() {
    let app = spawn_app().await;
    let correlation = Uuid::new_v4();
    let r = app
        .post_json(
            json!({ "query": REGISTER, "variables": { "id": Uuid::new_v4(), "code": "NO-3401", "name": "Kongsvinger" } }),
            &[("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), ("x-correlation-id", &correlation.to_string())],
        )
        .await;
    r.data();
    let events = app
        .store
        .read_stream("municipality-NO-3401", Direction::Forwards, Some(0), 10)
        .await
        .expect("read");
    let meta = &events[0].metadata;
    assert_eq!(meta.actor.as_deref(), Some("test-admin"));
    assert_eq!(meta.actor_role.as_deref(), Some("admin"));
    assert_eq!(meta.trace_id.as_deref(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
    assert_eq!(meta.correlation_id, Some(correlation));
}

#[tokio::test]
async fn new_ids_are_derived_from_the_command_id_so_retries_address_the_same_entity() {
    let app = spawn_app().await;
    app.register("SE-1487", "Vänersborg").await;
    let draft = r#"mutation($id: UUID!) {
      draftStrategy(commandId: $id, input: {municipality: "SE-1487", title: "Internationell strategi", kind: STRATEGY,
        owner: "Kommunstyrelsen", responsibleRole: "Avdelningschef", followUpCadence: YEARLY,
        content: {focusAreas: ["Extern finansiering"], goals: [{id: "G1", title: "Mer extern finansiering", focusArea: "Extern finansiering"}], topics: []}}) {
        position appended strategy { id status goals { id title } }
      }
    }"#;
    let id = Uuid::new_v4();
    let first = app.gql(draft, json!({ "id": id })).await;
    let again = app.gql(draft, json!({ "id": id })).await;
    let a = &first.data()["draftStrategy"];
    let b = &again.data()["draftStrategy"];
    assert_eq!(a["strategy"]["id"], b["strategy"]["id"]);
    assert_eq!(a["strategy"]["status"], "DRAFT");
    assert_eq!(b["appended"], 0);

    let adopt = app
        .gql(
            r#"mutation($id: UUID!, $s: UUID!) { adoptStrategy(commandId: $id, input: {strategyId: $s,
                 decision: {body: COUNCIL, date: "2024-02-12", paragraph: "§ 12", caseNumber: "KS 2023/993"},
                 validity: {start: "2024-01-01", end: "2028-12-31"}}) { strategy { status adopted { caseNumber } validity { start end } } } }"#,
            json!({ "id": Uuid::new_v4(), "s": a["strategy"]["id"] }),
        )
        .await;
    assert_eq!(
        adopt.data()["adoptStrategy"]["strategy"],
        json!({ "status": "ADOPTED", "adopted": { "caseNumber": "KS 2023/993" }, "validity": { "start": "2024-01-01", "end": "2028-12-31" } })
    );
}

#[tokio::test]
async fn a_joint_application_goes_from_draft_to_an_approved_project() {
    let app = spawn_app().await;
    for (code, name) in [("SE-1494", "Lidköping"), ("SE-1495", "Skara"), ("SE-1470", "Vara")] {
        app.register(code, name).await;
    }
    app.consortium("V6", &["SE-1494", "SE-1495", "SE-1470"]).await;

    // 3 000 000 000 öre = 30 million SEK: more than 2^31 minor units.
    let draft = app
        .gql(
            r#"mutation($id: UUID!) { draftApplication(commandId: $id, input: {
                consortium: "V6", title: "Gröna kommuner", programme: {kind: INTERREG, name: "Interreg Sverige–Norge"},
                call: "Huvudprojekt", leadApplicant: "SE-1494", deadline: "2099-09-15T21:59:00Z",
                totalBudget: {amountMinor: "3000000000", currency: SEK}, requested: {amountMinor: 2400000000, currency: SEK},
                projectPeriod: {start: "2099-10-01", end: "2101-09-30"}, euPriorities: [GREEN, GREEN]}) {
                application { id status totalBudget { amountMinor currency formatted } requested { amountMinor } euPriorities } } }"#,
            json!({ "id": Uuid::new_v4() }),
        )
        .await;
    let application = &draft.data()["draftApplication"]["application"];
    assert_eq!(
        application["totalBudget"],
        json!({ "amountMinor": 3_000_000_000i64, "currency": "SEK", "formatted": "30000000.00 SEK" })
    );
    assert_eq!(application["requested"]["amountMinor"], 2_400_000_000i64);
    assert_eq!(application["euPriorities"], json!(["GREEN"]));
    let id = application["id"].as_str().expect("id").to_string();

    let step = |query: &'static str| {
        let app = &app;
        let id = id.clone();
        async move {
            let r = app.gql(query, json!({ "id": Uuid::new_v4(), "a": id })).await;
            r.data().clone()
        }
    };
    step(r#"mutation($id: UUID!, $a: UUID!) { inviteCoApplicant(commandId: $id, input: {applicationId: $a, municipality: "SE-1495"}) { position } }"#).await;
    step(r#"mutation($id: UUID!, $a: UUID!) { inviteCoApplicant(commandId: $id, input: {applicationId: $a, municipality: "SE-1470"}) { position } }"#).await;

    // Submitting too early breaks a rule.
    let early = app.gql(r#"mutation($id: UUID!, $a: UUID!) { submitApplication(commandId: $id, input: {applicationId: $a}) { position } }"#, json!({ "id": Uuid::new_v4(), "a": id })).await;
    assert_eq!(early.code(), "VALIDATION");
    assert_eq!(early.rule(), "co_applicants_not_answered");

    step(r#"mutation($id: UUID!, $a: UUID!) { commitCoFinancing(commandId: $id, input: {applicationId: $a, municipality: "SE-1495",
        amount: {amountMinor: 30000000, currency: SEK}, decision: {body: EXECUTIVE_BOARD, date: "2099-05-01", caseNumber: "KS 2099/1"}}) { position } }"#)
    .await;
    step(r#"mutation($id: UUID!, $a: UUID!) { declineCoFinancing(commandId: $id, input: {applicationId: $a, municipality: "SE-1470", reason: "Ingen budget"}) { position } }"#).await;
    step(r#"mutation($id: UUID!, $a: UUID!) { recordRiskAssessment(commandId: $id, input: {applicationId: $a, benefits: "Lärande",
        risks: "Låga", democracyAndHumanRights: "Inga anmärkningar", assessedOn: "2099-05-02"}) { position } }"#)
    .await;
    let submitted = step(r#"mutation($id: UUID!, $a: UUID!) { submitApplication(commandId: $id, input: {applicationId: $a}) { application { status coApplicants { municipality answer } } } }"#).await;
    assert_eq!(submitted["submitApplication"]["application"]["status"], "SUBMITTED");
    assert_eq!(
        submitted["submitApplication"]["application"]["coApplicants"],
        json!([{ "municipality": "SE-1495", "answer": "COMMITTED" }, { "municipality": "SE-1470", "answer": "DECLINED" }])
    );
    let approved = step(
        r#"mutation($id: UUID!, $a: UUID!) { approveApplication(commandId: $id, input: {applicationId: $a,
        granted: {amountMinor: 2400000000, currency: SEK}, decidedOn: "2099-06-01", decisionReference: "JEMS-1"}) {
        position application { status projectId granted { amountMinor } } } }"#,
    )
    .await;
    let approved = &approved["approveApplication"];
    assert_eq!(approved["application"]["status"], "APPROVED");
    let project_id = approved["application"]["projectId"]
        .as_str()
        .expect("project id")
        .to_string();

    // The process manager registers the project; poll until the read model has it.
    let mut project = None;
    for _ in 0..50 {
        let r = app
            .gql("query($p: UUID!) { project(id: $p) { title status financing { grant { amountMinor } } lead { municipality } partners { participant { municipality } } roleOf(municipality: \"SE-1495\") consortium } }", json!({ "p": project_id }))
            .await;
        if r.body["errors"].is_null() {
            project = Some(r.data()["project"].clone());
            break;
        }
        assert_eq!(r.code(), "NOT_FOUND");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let project = project.expect("the process manager registered the project");
    assert_eq!(project["title"], "Gröna kommuner");
    assert_eq!(project["status"], "ACTIVE");
    assert_eq!(project["financing"]["grant"]["amountMinor"], 2_400_000_000i64);
    assert_eq!(project["lead"]["municipality"], "SE-1494");
    assert_eq!(
        project["partners"],
        json!([{ "participant": { "municipality": "SE-1495" } }])
    );
    assert_eq!(project["roleOf"], "PARTNER");
    assert_eq!(project["consortium"], "V6");
}

/// Registers a project led by SE-1494 with SE-1495 (both registered, in V6);
/// returns its id.
async fn project(app: &crate::helpers::TestApp, title: &str) -> serde_json::Value {
    let r = app
        .gql(
            r#"mutation($id: UUID!, $title: String!) { registerProject(commandId: $id, input: {title: $title, lead: {municipality: "SE-1494"},
                partners: [{municipality: "SE-1495"}], programme: {kind: ERASMUS_PLUS, name: "Erasmus+ KA220"}, consortium: "V6",
                financing: {budget: {amountMinor: 25000000, currency: EUR}, grant: {amountMinor: 20000000, currency: EUR}, coFinancing: {amountMinor: 5000000, currency: EUR}},
                period: {start: "2025-01-01", end: "2026-12-31"}, euPriorities: [DIGITAL]}) { project { id } } }"#,
            json!({ "id": Uuid::new_v4(), "title": title }),
        )
        .await;
    r.data()["registerProject"]["project"]["id"].clone()
}

const PLAN: &str = r#"mutation($id: UUID!, $p: UUID!, $title: String!) { planMilestone(commandId: $id, input: {projectId: $p, milestoneId: "M1", title: $title, due: "2025-03-01"}) { position version appended eventTypes } }"#;
const CANCEL: &str = r#"mutation($id: UUID!, $p: UUID!) { cancelMilestone(commandId: $id, input: {projectId: $p, milestoneId: "M1", reason: "Inställt"}) { position appended eventTypes } }"#;

fn assert_reused(r: &crate::helpers::Gql, command_id: Uuid) {
    assert_eq!(r.code(), "CONFLICT", "{:#}", r.body);
    assert_eq!(r.rule(), "command_id_reused", "{:#}", r.body);
    let message = r.body["errors"][0]["message"].as_str().expect("message");
    assert!(
        message.contains(&format!(
            "command id {command_id} was already used for a different command"
        )),
        "{message}"
    );
    // Where the id was first used is not told: it may be another caller's.
    assert!(
        !message.contains("project-") && !message.contains("Milestone"),
        "{message}"
    );
    assert!(r.body["data"].is_null(), "no payload: {:#}", r.body);
}

#[tokio::test]
async fn a_command_id_reused_for_another_command_is_a_conflict_on_any_stream() {
    let app = spawn_app().await;
    for (code, name) in [("SE-1494", "Lidköping"), ("SE-1495", "Skara")] {
        app.register(code, name).await;
    }
    app.consortium("V6", &["SE-1494", "SE-1495"]).await;
    let (p1, p2) = (
        project(&app, "Digitala skolor").await,
        project(&app, "Gröna parker").await,
    );

    let id = Uuid::new_v4();
    let first = app.gql(PLAN, json!({ "id": id, "p": p1, "title": "Kick-off" })).await;
    let first = first.data()["planMilestone"].clone();
    assert_eq!(
        (first["appended"].clone(), first["eventTypes"].clone()),
        (json!(1), json!(["MilestonePlanned"]))
    );
    let head = app.head().await;

    // Another command under the same id, on the same stream.
    let cancel = app.gql(CANCEL, json!({ "id": id, "p": p1 })).await;
    assert_reused(&cancel, id);
    assert_eq!(app.head().await, head, "nothing appended");
    // The same command type with another input is another command too.
    let retitled = app.gql(PLAN, json!({ "id": id, "p": p1, "title": "Start" })).await;
    assert_reused(&retitled, id);
    assert_eq!(app.head().await, head, "nothing appended");

    let milestones = app
        .gql(
            "query($p: UUID!, $at: Position) { project(id: $p, atLeastPosition: $at) { milestones { id title status } } }",
            json!({ "p": p1, "at": first["position"] }),
        )
        .await;
    assert_eq!(
        milestones.data()["project"]["milestones"],
        json!([{ "id": "M1", "title": "Kick-off", "status": "PLANNED" }]),
        "the milestone stays planned"
    );

    // The very same command again is a retry: the first answer, nothing new.
    let retry = app.gql(PLAN, json!({ "id": id, "p": p1, "title": "Kick-off" })).await;
    let retry = &retry.data()["planMilestone"];
    assert_eq!(retry["position"], first["position"]);
    assert_eq!(retry["version"], first["version"]);
    assert_eq!(retry["appended"], 0);
    assert_eq!(retry["eventTypes"], json!(["MilestonePlanned"]));
    assert_eq!(app.head().await, head, "nothing appended");

    // The same id on another project's stream: the same command there...
    let elsewhere = app.gql(PLAN, json!({ "id": id, "p": p2, "title": "Kick-off" })).await;
    assert_reused(&elsewhere, id);
    // ... and one that would be refused there anyway (no milestone M1).
    let elsewhere = app.gql(CANCEL, json!({ "id": id, "p": p2 })).await;
    assert_reused(&elsewhere, id);
    assert_eq!(app.head().await, head, "nothing appended");
    let p2_milestones = app
        .gql(
            "query($p: UUID!) { project(id: $p) { milestones { id } } }",
            json!({ "p": p2 }),
        )
        .await;
    assert_eq!(p2_milestones.data()["project"]["milestones"], json!([]));

    // A new id for the cancellation works as before.
    let cancelled = app.gql(CANCEL, json!({ "id": Uuid::new_v4(), "p": p1 })).await;
    assert_eq!(
        cancelled.data()["cancelMilestone"]["eventTypes"],
        json!(["MilestoneCancelled"])
    );
}

/// The payload's entity is read back only when it is selected; selected
/// through a fragment spread, an inline fragment or an alias it is there.
#[tokio::test]
async fn a_payload_reads_its_entity_back_however_it_is_selected() {
    let app = spawn_app().await;
    for (code, name) in [("SE-1494", "Lidköping"), ("SE-1495", "Skara")] {
        app.register(code, name).await;
    }
    app.consortium("V6", &["SE-1494", "SE-1495"]).await;
    let p = project(&app, "Digitala skolor").await;
    let plan = |selection: &str, fragment: &str| {
        format!(
            r#"mutation($id: UUID!, $p: UUID!, $m: String!) {{ planMilestone(commandId: $id, input: {{projectId: $p, milestoneId: $m, title: "Start", due: "2025-03-01"}}) {{ {selection} }} }} {fragment}"#
        )
    };
    let cases = [
        ("version", ""),
        ("version project { milestones { id } }", ""),
        (
            "version ...P",
            "fragment P on ProjectPayload { project { milestones { id } } }",
        ),
        ("version ... on ProjectPayload { project { milestones { id } } }", ""),
        ("version p: project { milestones { id } }", ""),
    ];
    for (n, (selection, fragment)) in cases.iter().enumerate() {
        let r = app
            .gql(
                &plan(selection, fragment),
                json!({ "id": Uuid::new_v4(), "p": p, "m": format!("M{n}") }),
            )
            .await;
        let payload = &r.data()["planMilestone"];
        assert_eq!(payload["version"], json!(n + 1), "{selection}: {:#}", r.body);
        let project = if selection.contains("p: project") {
            &payload["p"]
        } else {
            &payload["project"]
        };
        if n == 0 {
            assert!(payload.get("project").is_none(), "{:#}", r.body);
        } else {
            let ids: Vec<String> = (0..=n).map(|i| format!("M{i}")).collect();
            let got: Vec<&str> = project["milestones"]
                .as_array()
                .unwrap_or_else(|| panic!("{selection}: no project: {:#}", r.body))
                .iter()
                .filter_map(|m| m["id"].as_str())
                .collect();
            assert_eq!(got, ids, "{selection}");
        }
    }
}
