use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::spawn_app;

#[tokio::test]
async fn lists_page_with_stable_cursors() {
    let app = spawn_app().await;
    let codes = ["SE-1487", "SE-1494", "SE-1784", "NO-3401", "NO-3419"];
    let mut last = 0;
    for c in codes {
        last = app.register(c, &format!("Kommun {c}")).await;
    }
    let mut seen = vec![];
    let mut after: Option<String> = None;
    loop {
        let r = app
            .gql(
                "query($after: String, $p: Position) { municipalities(first: 2, after: $after, atLeastPosition: $p) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { code } } } }",
                json!({ "after": after, "p": last }),
            )
            .await;
        let page = &r.data()["municipalities"];
        assert_eq!(page["totalCount"], 5);
        for e in page["edges"].as_array().expect("edges") {
            seen.push(e["node"]["code"].as_str().expect("code").to_string());
        }
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
    assert_eq!(seen, ["NO-3401", "NO-3419", "SE-1487", "SE-1494", "SE-1784"]);

    let r = app.gql(r#"query { municipalities(country: "NO", last: 1) { edges { node { code } } pageInfo { hasPreviousPage } } }"#, json!({})).await;
    assert_eq!(
        r.data()["municipalities"]["edges"],
        json!([{ "node": { "code": "NO-3419" } }])
    );
    assert_eq!(r.data()["municipalities"]["pageInfo"]["hasPreviousPage"], true);
}

#[tokio::test]
async fn as_of_answers_as_the_read_models_stood_then() {
    let app = spawn_app().await;
    app.register("SE-1487", "Vänersborg").await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let between = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let r = app
        .gql(
            r#"mutation($id: UUID!) { signTwinTownAgreement(commandId: $id, input: {municipality: "SE-1487", partner: {name: "Chobe", country: "BW"},
                since: "2010-01-01", decision: {body: COUNCIL, date: "2010-01-01"}}) { position } }"#,
            json!({ "id": Uuid::new_v4() }),
        )
        .await;
    let position = &r.data()["signTwinTownAgreement"]["position"];
    let q = "query($at: DateTime, $p: Position) { municipality(code: \"SE-1487\", asOf: $at, atLeastPosition: $p) { twinTowns { partner { name } } } }";
    let now = app.gql(q, json!({ "p": position })).await;
    assert_eq!(
        now.data()["municipality"]["twinTowns"].as_array().map(Vec::len),
        Some(1)
    );
    let then = app.gql(q, json!({ "at": between.to_rfc3339(), "p": position })).await;
    assert_eq!(then.data()["municipality"]["twinTowns"], json!([]));
    let before_it_existed = app.gql(q, json!({ "at": "2000-01-01T00:00:00Z", "p": position })).await;
    assert_eq!(before_it_existed.code(), "NOT_FOUND");
}

#[tokio::test]
async fn reports_dashboards_and_timelines_answer() {
    let app = spawn_app().await;
    for (code, name) in [("SE-1494", "Lidköping"), ("SE-1495", "Skara")] {
        app.register(code, name).await;
    }
    app.consortium("V6", &["SE-1494", "SE-1495"]).await;
    let r = app
        .gql(
            r#"mutation($id: UUID!) { registerProject(commandId: $id, input: {title: "Digitala skolor", lead: {municipality: "SE-1494"},
                partners: [{municipality: "SE-1495"}], programme: {kind: ERASMUS_PLUS, name: "Erasmus+ KA220"}, consortium: "V6",
                financing: {budget: {amountMinor: 25000000, currency: EUR}, grant: {amountMinor: 20000000, currency: EUR}, coFinancing: {amountMinor: 5000000, currency: EUR}},
                period: {start: "2025-01-01", end: "2026-12-31"}, euPriorities: [DIGITAL]}) { position project { id } } }"#,
            json!({ "id": Uuid::new_v4() }),
        )
        .await;
    let project = r.data()["registerProject"]["project"]["id"].clone();
    app
        .gql(
            r#"mutation($id: UUID!, $p: UUID!) { planMilestone(commandId: $id, input: {projectId: $p, milestoneId: "M1", title: "Kick-off", due: "2025-03-01"}) { position } }"#,
            json!({ "id": Uuid::new_v4(), "p": project }),
        )
        .await;
    let r = app
        .gql(
            r#"mutation($id: UUID!, $p: UUID!) { achieveMilestone(commandId: $id, input: {projectId: $p, milestoneId: "M1", achievedOn: "2025-02-27"}) { position project { milestones { id status achievedOn } } } }"#,
            json!({ "id": Uuid::new_v4(), "p": project }),
        )
        .await
        .data()
        .clone();
    assert_eq!(
        r["achieveMilestone"]["project"]["milestones"],
        json!([{ "id": "M1", "status": "ACHIEVED", "achievedOn": "2025-02-27" }])
    );
    let position = r["achieveMilestone"]["position"].clone();

    let report = app
        .gql(
            r#"query($p: Position) { followUpReport(municipality: "SE-1495", year: 2025, atLeastPosition: $p) {
                year projectsActive { role project { title } } milestonesAchieved { projectTitle milestone { id } } projectsPerEuPriority { key count } } }"#,
            json!({ "p": position }),
        )
        .await;
    assert_eq!(
        report.data()["followUpReport"],
        json!({ "year": 2025, "projectsActive": [{ "role": "PARTNER", "project": { "title": "Digitala skolor" } }],
                "milestonesAchieved": [{ "projectTitle": "Digitala skolor", "milestone": { "id": "M1" } }],
                "projectsPerEuPriority": [{ "key": "digital", "count": 1 }] })
    );

    let dashboard = app
        .gql(
            r#"query { dashboard(municipality: "SE-1494", asOf: "2025-06-01T00:00:00Z") { today } }"#,
            json!({}),
        )
        .await;
    // As of June 2025 the municipality did not exist yet in this test's log.
    assert_eq!(dashboard.code(), "NOT_FOUND");
    let dashboard = app.gql(r#"query { dashboard(municipality: "SE-1494") { memberships { consortium coordinator } projects { role project { title } } } }"#, json!({})).await;
    assert_eq!(
        dashboard.data()["dashboard"]["memberships"],
        json!([{ "consortium": "V6", "coordinator": false }])
    );
    assert_eq!(
        dashboard.data()["dashboard"]["projects"],
        json!([{ "role": "LEAD", "project": { "title": "Digitala skolor" } }])
    );

    let overview = app.gql(r#"query { consortiumOverview(consortium: "V6") { currentMembers applicationsByStatus { status count } projects { title } successRate } }"#, json!({})).await;
    let o = &overview.data()["consortiumOverview"];
    assert_eq!(o["currentMembers"], json!(["SE-1494", "SE-1495"]));
    assert_eq!(o["projects"], json!([{ "title": "Digitala skolor" }]));
    assert_eq!(o["successRate"], Value::Null);
    assert_eq!(o["applicationsByStatus"].as_array().map(Vec::len), Some(5));

    let filtered = app
        .gql(
            r#"query { a: projects(filter: {municipality: "SE-1495", programme: ERASMUS_PLUS, status: ACTIVE, activeDuring: {from: "2025-01-01", to: "2025-12-31"}}) { totalCount }
                       b: projects(filter: {activeDuring: {from: "2027-01-01", to: "2027-12-31"}}) { totalCount }
                       c: projects(filter: {programme: INTERREG}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        filtered.data(),
        &json!({ "a": { "totalCount": 1 }, "b": { "totalCount": 0 }, "c": { "totalCount": 0 } })
    );

    // The timeline, newest first, paged by position.
    let t1 = app.gql(r#"query { timeline(municipality: "SE-1494", first: 2) { pageInfo { hasNextPage endCursor } edges { node { eventType position actor } } } }"#, json!({})).await;
    let page = &t1.data()["timeline"];
    assert_eq!(page["edges"][0]["node"]["eventType"], "MilestoneAchieved");
    assert_eq!(page["edges"][0]["node"]["actor"], "test-admin");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let t2 = app
        .gql("query($after: String) { timeline(municipality: \"SE-1494\", first: 100, after: $after) { pageInfo { hasNextPage } edges { node { eventType } } } }", json!({ "after": page["pageInfo"]["endCursor"] }))
        .await;
    let types: Vec<&str> = t2.data()["timeline"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["eventType"].as_str().expect("type"))
        .collect();
    assert_eq!(types, ["ProjectRegistered", "MemberJoined", "MunicipalityRegistered"]);
}

#[tokio::test]
async fn graphiql_and_health_endpoints() {
    let app = spawn_app().await;
    let (status, body) = app
        .request(Request::get("/graphql").body(Body::empty()).expect("request"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("graphiql"));

    let (status, body) = app
        .request(Request::get("/healthz").body(Body::empty()).expect("request"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_slice::<Value>(&body).expect("json")["status"], "alive");

    app.register("SE-1487", "Vänersborg").await;
    let (status, body) = app
        .request(Request::get("/readyz").body(Body::empty()).expect("request"))
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let ready: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["log"]["head"], ready["log"]["position"]);

    // A websocket request without the GraphQL subprotocol is refused, not a 500.
    let request = Request::get("/graphql/ws")
        .header(header::UPGRADE, "websocket")
        .body(Body::empty())
        .expect("request");
    let (status, _) = app.request(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// The dashboard builds only the parts a query selects (a look-ahead): each
/// part asked for alone, or through a fragment, answers as it does in the
/// whole dashboard, on the demo data (where every part has lines).
#[tokio::test]
async fn a_dashboard_part_asked_for_alone_answers_as_in_the_whole_dashboard() {
    let app = spawn_app().await;
    let loaded = samverkan_app::demo::load(&samverkan_app::Commands::new(app.store.clone()))
        .await
        .expect("demo data");
    let parts = [
        ("strategiesInForce", "{ strategy { id title } validUntil nextFollowUpDue followUpOverdue }"),
        ("expiringStrategies", "{ strategy { id } validUntil }"),
        ("memberships", "{ consortium name joinedOn leftOn coordinator }"),
        ("projects", "{ role project { id title } nextMilestone { id due } overdueMilestones { id } }"),
        ("actionList", "{ id title deadline status }"),
        ("funding", "{ year programme currency granted { amountMinor currency } coFinancing { amountMinor } }"),
        ("twinTowns", "{ partner { name country } since endedOn }"),
        ("goals", "{ strategyId strategyTitle goal { id title } projects { id title } }"),
        ("handover", "{ term { start end } strategiesInForce { id } commitments { applicationId amount { amountMinor } } projectsRunning { id } }"),
        ("decisionsOwed", "{ municipality role amount { amountMinor currency } due warning nextMeeting { date body } }"),
        ("meetings", "{ date body }"),
    ];
    let all: Vec<String> = parts.iter().map(|(f, s)| format!("{f} {s}")).collect();
    let mut with_lines = std::collections::BTreeSet::new();
    let register = app
        .gql(
            "query($p: Position!) { municipalities(first: 100, atLeastPosition: $p) { edges { node { code } } } }",
            json!({ "p": loaded.last_position }),
        )
        .await;
    let codes: Vec<String> = register.data()["municipalities"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["code"].as_str().expect("code").to_string())
        .collect();
    assert!(codes.len() >= 10, "{codes:?}");
    // Today (the draft Skara has not answered is on its action list) and
    // days when other parts have lines (2028-06-01: a strategy valid until
    // 2028-12-31 is expiring).
    let days = [None, Some("2019-09-01"), Some("2026-06-01"), Some("2028-06-01")];
    for (code, day) in codes.iter().flat_map(|c| days.map(|d| (c, d))) {
        let day = day.map(|d| format!(", validAt: \"{d}\"")).unwrap_or_default();
        let at = format!("municipality: \"{code}\", atLeastPosition: $p{day}");
        let whole = app
            .gql(
                &format!(
                    "query($p: Position!) {{ dashboard({at}) {{ today {} }} }}",
                    all.join(" ")
                ),
                json!({ "p": loaded.last_position }),
            )
            .await;
        if whole.body["errors"].is_array() {
            continue; // the code did not exist on that day
        }
        let whole = whole.data()["dashboard"].clone();
        for (field, selection) in parts {
            for query in [
                format!("query($p: Position!) {{ dashboard({at}) {{ {field} {selection} }} }}"),
                format!(
                    "query($p: Position!) {{ dashboard({at}) {{ ...part }} }} fragment part on Dashboard {{ {field} {selection} }}"
                ),
            ] {
                let one = app.gql(&query, json!({ "p": loaded.last_position })).await;
                assert_eq!(one.data()["dashboard"][field], whole[field], "{query}");
            }
            if whole[field].as_array().is_some_and(|l| !l.is_empty()) {
                with_lines.insert(field);
            }
        }
    }
    let empty: Vec<&str> = parts
        .iter()
        .map(|(f, _)| *f)
        .filter(|f| !with_lines.contains(f))
        .collect();
    assert!(
        empty.is_empty(),
        "every part has lines somewhere in the demo data; empty: {empty:?}"
    );
}
