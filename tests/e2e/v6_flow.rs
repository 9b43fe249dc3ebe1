//! The story the issue asks for, against the real binary: a V6 coordinator
//! drafts a joint application, invites members, members commit co-financing
//! (or decline), a benefit-and-risk assessment is recorded, the application is
//! submitted and approved, a project appears on each partner's dashboard, a
//! subscriber sees the events live, bad input answers with the right codes
//! and changes nothing, and a restart keeps everything. Every step is taken
//! with the token of the role that owns it: the administrator registers
//! municipalities and forms V6, the V6 coordinator runs membership and the
//! application, each officer answers for their own municipality only.

use std::time::Duration;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{
    approval, assess_risks, co_financing, commit_co_financing, data, decision, draft_application, form_v6, invite,
    join_v6, money, mutate_as, register_municipality, spawn, submit, Server,
};
use crate::subscriptions::{connect, next, send};

/// Run a mutation as the administrator, expected to fail; returns the first error's extensions.
async fn refused(server: &Server, field: &str, input_type: &str, input: Value, expected_version: Option<i64>) -> Value {
    let admin = server.admin_token.clone().expect("admin token");
    refused_as(server, &admin, field, input_type, input, expected_version).await
}

/// Run a mutation with `token`'s role, expected to fail; returns the first error's extensions.
async fn refused_as(
    server: &Server,
    token: &str,
    field: &str,
    input_type: &str,
    input: Value,
    expected_version: Option<i64>,
) -> Value {
    let query = format!(
        "mutation($id: UUID!, $v: Int, $input: {input_type}!) {{ {field}(commandId: $id, expectedVersion: $v, input: $input) {{ position }} }}"
    );
    let body = server
        .gql_as(
            token,
            &query,
            json!({ "id": Uuid::new_v4(), "v": expected_version, "input": input }),
        )
        .await;
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("expected an error, got {body:#}"));
    errors[0]["extensions"].clone()
}

async fn position(server: &Server) -> Value {
    data(&server.gql("{ readModelPosition }", json!({})).await)["readModelPosition"].clone()
}

async fn head_events(server: &Server) -> u64 {
    // The log head as the read models see it, once they are caught up.
    let p = position(server).await;
    p.as_u64()
        .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0)
}

async fn dashboard_projects(server: &Server, municipality: &str) -> Vec<(String, String)> {
    let body = server
        .gql(
            "query($m: MunicipalityCode!) { dashboard(municipality: $m) { projects { role project { title fromApplication } } } }",
            json!({ "m": municipality }),
        )
        .await;
    data(&body)["dashboard"]["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .map(|l| {
            (
                l["project"]["title"].as_str().unwrap_or_default().to_string(),
                l["role"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v6_joint_application_becomes_a_project_on_every_partners_dashboard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &[]);
    let admin = server.admin_token.clone().expect("admin token");

    // Municipalities and the V6 consortium.
    for (code, name) in [
        ("SE-1494", "Lidköping"),
        ("SE-1495", "Skara"),
        ("SE-1470", "Vara"),
        ("SE-1471", "Götene"),
        ("SE-1487", "Vänersborg"),
    ] {
        register_municipality(&server, &admin, code, name).await;
    }
    form_v6(&server, &admin, "Turism, miljö, lönecenter och gemensamt inköp").await;
    // The V6 office runs the consortium; each municipality acts for itself.
    let coordinator = server.token("coordinator", Some("V6"));
    let lidkoping = server.token("officer", Some("SE-1494"));
    let skara = server.token("officer", Some("SE-1495"));
    let vara = server.token("officer", Some("SE-1470"));
    for code in ["SE-1494", "SE-1495", "SE-1470", "SE-1471"] {
        join_v6(&server, &coordinator, code).await;
    }

    // A subscriber follows V6 live from here on.
    let mut socket = connect(
        &format!("{}/graphql/ws", server.base.replacen("http", "ws", 1)),
        &coordinator,
    )
    .await;
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { events(consortium: \"V6\") { position eventType actor summary } }" } }),
    )
    .await;

    // The coordinator drafts the application and invites members.
    let draft = mutate_as(
        &server,
        &coordinator,
        "draftApplication",
        "DraftApplicationInput",
        draft_application("Hållbar besöksnäring i Västra Skaraborg"),
        "application { id status }",
    )
    .await;
    let app = draft["application"]["id"].as_str().expect("application id").to_string();
    assert_eq!(draft["application"]["status"], "DRAFT");
    for code in ["SE-1495", "SE-1470"] {
        invite(&server, &coordinator, &app, code).await;
    }

    // Skara's action list holds the application until it answers.
    let action = server
        .gql_as(
            &skara,
            "{ dashboard(municipality: \"SE-1495\") { actionList { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&action)["dashboard"]["actionList"][0]["id"], app.as_str());
    // The draft is the parties' business: Vänersborg's officer (outside V6) does not see it.
    let vanersborg = server.token("officer", Some("SE-1487"));
    let outside = server
        .gql_as(
            &vanersborg,
            "query($id: UUID!) { application(id: $id) { status } }",
            json!({ "id": app }),
        )
        .await;
    assert_eq!(outside["errors"][0]["extensions"]["code"], "FORBIDDEN", "{outside:#}");
    let outside = server
        .gql_as(
            &vanersborg,
            "{ dashboard(municipality: \"SE-1495\") { actionList { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&outside)["dashboard"]["actionList"], json!([]));

    // Submitting now breaks a rule and writes nothing.
    let before = head_events(&server).await;
    let err = refused_as(
        &server,
        &coordinator,
        "submitApplication",
        "SubmitApplicationInput",
        json!({ "applicationId": app }),
        None,
    )
    .await;
    assert_eq!(err["code"], "VALIDATION");
    assert_eq!(err["rule"], "co_applicants_not_answered");
    assert_eq!(head_events(&server).await, before);

    // Nobody answers for another municipality: not Lidköping's officer for
    // Skara, not the coordinator; an ARKO coordinator cannot touch V6's
    // application. Refusals write nothing.
    let skara_commitment = co_financing(&app, "SE-1495", 300_000, "KS 2026/41");
    let arko = server.token("coordinator", Some("ARKO"));
    for (token, who) in [
        (&lidkoping, "Lidköping's officer"),
        (&coordinator, "the V6 coordinator"),
    ] {
        let err = refused_as(
            &server,
            token,
            "commitCoFinancing",
            "CommitCoFinancingInput",
            skara_commitment.clone(),
            None,
        )
        .await;
        assert_eq!(err["code"], "FORBIDDEN", "{who}");
    }
    let err = refused_as(
        &server,
        &arko,
        "inviteCoApplicant",
        "InviteCoApplicantInput",
        json!({ "applicationId": app, "municipality": "SE-1471" }),
        None,
    )
    .await;
    assert_eq!(err["code"], "FORBIDDEN");
    assert_eq!(head_events(&server).await, before);

    // Members answer: Skara and the lead commit (amounts beyond 2^31 minor units), Vara declines.
    commit_co_financing(&server, &skara, skara_commitment).await;
    commit_co_financing(
        &server,
        &lidkoping,
        co_financing(&app, "SE-1494", 30_000_000, "KS 2026/12"),
    )
    .await;
    mutate_as(
        &server,
        &vara,
        "declineCoFinancing",
        "DeclineCoFinancingInput",
        json!({ "applicationId": app, "municipality": "SE-1470", "reason": "Ingen budget 2027" }),
        "",
    )
    .await;
    let action = server
        .gql_as(
            &skara,
            "{ dashboard(municipality: \"SE-1495\") { actionList { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&action)["dashboard"]["actionList"], json!([]));

    // Still no benefit-and-risk assessment: refused.
    let err = refused_as(
        &server,
        &coordinator,
        "submitApplication",
        "SubmitApplicationInput",
        json!({ "applicationId": app }),
        None,
    )
    .await;
    assert_eq!(err["rule"], "risk_assessment_missing");

    assess_risks(&server, &coordinator, &app).await;
    submit(&server, &coordinator, &app).await;
    let approved = mutate_as(
        &server,
        &coordinator,
        "approveApplication",
        "ApproveApplicationInput",
        approval(&app, money(2_000_000)),
        "application { status projectId granted { amountMinor currency } }",
    )
    .await;
    assert_eq!(approved["application"]["status"], "APPROVED");
    let project_id = approved["application"]["projectId"]
        .as_str()
        .expect("project id")
        .to_string();

    // The process manager registers the project: it appears on the lead's and the committed partner's dashboards.
    let mut found = false;
    for _ in 0..100 {
        let lead = dashboard_projects(&server, "SE-1494").await;
        let skara = dashboard_projects(&server, "SE-1495").await;
        if lead
            .iter()
            .any(|(t, r)| t == "Hållbar besöksnäring i Västra Skaraborg" && r == "LEAD")
            && skara
                .iter()
                .any(|(t, r)| t == "Hållbar besöksnäring i Västra Skaraborg" && r == "PARTNER")
        {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(found, "the project never appeared on the dashboards");
    assert!(
        dashboard_projects(&server, "SE-1470").await.is_empty(),
        "Vara declined and is no partner"
    );
    let project = server
        .gql("query($id: UUID!) { project(id: $id) { financing { grant { amountMinor } coFinancing { amountMinor } } } }", json!({ "id": project_id }))
        .await;
    let financing = &data(&project)["project"]["financing"];
    assert_eq!(
        financing["grant"]["amountMinor"].to_string().trim_matches('"'),
        (2_000_000i64 * 100).to_string()
    );
    assert_eq!(
        financing["coFinancing"]["amountMinor"].to_string().trim_matches('"'),
        (30_300_000i64 * 100).to_string()
    );

    // The subscriber saw the story live, in order, ending with the registered project.
    let mut seen: Vec<String> = vec![];
    let mut last_position = 0u64;
    while !seen.iter().any(|t| t == "ProjectRegistered") {
        let message = next(&mut socket).await;
        assert_eq!(message["type"], "next", "{message:#}");
        let entry = &message["payload"]["data"]["events"];
        let p = entry["position"]
            .as_u64()
            .or_else(|| entry["position"].as_str().and_then(|s| s.parse().ok()))
            .expect("position");
        assert!(p > last_position, "events arrive in log order");
        last_position = p;
        seen.push(entry["eventType"].as_str().unwrap_or_default().to_string());
    }
    for expected in [
        "ApplicationDrafted",
        "CoApplicantInvited",
        "CoFinancingCommitted",
        "CoFinancingDeclined",
        "RiskAssessmentRecorded",
        "ApplicationSubmitted",
        "ApplicationApproved",
        "ProjectRegistered",
    ] {
        assert!(
            seen.iter().any(|t| t == expected),
            "subscriber missed {expected}: {seen:?}"
        );
    }

    // Bad input: clear codes, nothing written.
    let before = head_events(&server).await;
    let err = refused(
        &server,
        "joinConsortium",
        "JoinConsortiumInput",
        json!({ "consortium": "V6", "municipality": "SE-99", "joinedOn": "2024-01-01" }),
        None,
    )
    .await;
    assert_eq!(err["code"], "VALIDATION");
    let err = refused(&server, "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": app, "municipality": "SE-1495", "amount": { "amountMinor": -5, "currency": "SEK" }, "decision": decision("x") }), None).await;
    assert_eq!(err["code"], "VALIDATION");
    let err = refused(&server, "commitCoFinancing", "CommitCoFinancingInput", json!({ "applicationId": app, "municipality": "SE-1495", "amount": { "amountMinor": 10.5, "currency": "SEK" }, "decision": decision("x") }), None).await;
    assert_eq!(err["code"], "VALIDATION");
    let err = refused(
        &server,
        "joinConsortium",
        "JoinConsortiumInput",
        json!({ "consortium": "V6", "municipality": "SE-1494", "joinedOn": "2024-01-01" }),
        None,
    )
    .await;
    assert_eq!(
        (err["code"].as_str(), err["rule"].as_str()),
        (Some("VALIDATION"), Some("already_member"))
    );
    let err = refused(
        &server,
        "submitApplication",
        "SubmitApplicationInput",
        json!({ "applicationId": Uuid::new_v4() }),
        None,
    )
    .await;
    assert_eq!(err["code"], "NOT_FOUND");
    let err = refused(
        &server,
        "joinConsortium",
        "JoinConsortiumInput",
        json!({ "consortium": "V6", "municipality": "SE-1487", "joinedOn": "2024-01-01" }),
        Some(0),
    )
    .await;
    assert_eq!(err["code"], "CONFLICT");
    let malformed = reqwest::Client::new()
        .post(&server.url)
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .expect("POST");
    assert_eq!(malformed.status().as_u16(), 400);
    assert_eq!(head_events(&server).await, before, "refused commands wrote nothing");

    // A restart keeps everything.
    let head = head_events(&server).await;
    drop(socket);
    assert!(server.terminate().success(), "clean exit on SIGTERM");
    let server = spawn(dir.path(), &[]);
    assert!(dashboard_projects(&server, "SE-1495")
        .await
        .iter()
        .any(|(t, _)| t == "Hållbar besöksnäring i Västra Skaraborg"));
    let body = server
        .gql(
            "query($id: UUID!) { application(id: $id) { status coApplicants { municipality } } }",
            json!({ "id": app }),
        )
        .await;
    assert_eq!(data(&body)["application"]["status"], "APPROVED");
    assert_eq!(head_events(&server).await, head);
    assert!(server.terminate().success());
}
