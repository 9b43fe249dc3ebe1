//! A municipality's register of decisions (postlista, diarium) through the
//! real binary (`serve --demo`): the GraphQL `register` query and the CSV and
//! JSON downloads list every decision the demo holds for the municipality —
//! its strategies' adoptions and revisions, its twin-town agreements, its
//! co-financing commitments, the funders' decisions on its applications —
//! with the same lines in all three; each line's event verifies with
//! `eventProof`; drafts stay hidden from other consortia; bad requests get
//! typed errors.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::{co_financing, commit_co_financing, data, draft_application, mutate_as, spawn, Server};

const REGISTER: &str = "query($m: MunicipalityCode!, $f: Date, $t: Date) {
  register(municipality: $m, from: $f, to: $t) {
    date caseNumber paragraph body decidedBy kind description position recordedAt application eventId } }";

/// (date, case number, kind) of a register line or an expected decision.
type Key = (String, Option<String>, String);

async fn register(server: &Server, token: &str, m: &str, from: Option<&str>, to: Option<&str>) -> Vec<Value> {
    let body = server
        .gql_as(token, REGISTER, json!({ "m": m, "f": from, "t": to }))
        .await;
    data(&body)["register"].as_array().unwrap().clone()
}

fn key(date: &Value, case: &Value, kind: &str) -> Key {
    (
        date.as_str().unwrap().to_string(),
        case.as_str().map(str::to_string),
        kind.to_string(),
    )
}

fn keys(lines: &[Value]) -> Vec<Key> {
    lines
        .iter()
        .map(|l| key(&l["date"], &l["caseNumber"], l["kind"].as_str().unwrap()))
        .collect()
}

/// What the rest of the API says `m` decided or received, asked independently
/// of the register: strategies, twin towns, commitments, funder decisions.
async fn expected(server: &Server, m: &str) -> Vec<Key> {
    let body = server
        .gql(
            "query($m: MunicipalityCode!) {
               municipality(code: $m) { twinTowns { decision { date caseNumber } } }
               strategies(filter: {municipality: $m}, first: 500) { edges { node {
                 adopted { date caseNumber } revisions { date caseNumber } } } }
               applications(filter: {municipality: $m}, first: 500) { edges { node {
                 leadApplicant status decidedOn decisionReference
                 leadCommitment { decision { date caseNumber } }
                 coApplicants { municipality commitment { decision { date caseNumber } } }
                 funderDecisions { decidedOn decisionReference } } } } }",
            json!({ "m": m }),
        )
        .await;
    let d = data(&body);
    let mut out = vec![];
    for t in d["municipality"]["twinTowns"].as_array().unwrap() {
        out.push(key(
            &t["decision"]["date"],
            &t["decision"]["caseNumber"],
            "TwinTownAgreementSigned",
        ));
    }
    for s in d["strategies"]["edges"].as_array().unwrap() {
        let s = &s["node"];
        if !s["adopted"].is_null() {
            out.push(key(
                &s["adopted"]["date"],
                &s["adopted"]["caseNumber"],
                "StrategyAdopted",
            ));
        }
        for r in s["revisions"].as_array().unwrap() {
            out.push(key(&r["date"], &r["caseNumber"], "StrategyRevised"));
        }
    }
    for a in d["applications"]["edges"].as_array().unwrap() {
        let a = &a["node"];
        if a["leadApplicant"] == m && !a["leadCommitment"].is_null() {
            let c = &a["leadCommitment"]["decision"];
            out.push(key(&c["date"], &c["caseNumber"], "CoFinancingCommitted"));
        }
        for c in a["coApplicants"].as_array().unwrap() {
            if c["municipality"] == m && !c["commitment"].is_null() {
                let c = &c["commitment"]["decision"];
                out.push(key(&c["date"], &c["caseNumber"], "CoFinancingCommitted"));
            }
        }
        let sides = a["funderDecisions"].as_array().unwrap();
        for f in sides {
            out.push(key(&f["decidedOn"], &f["decisionReference"], "FunderDecisionRecorded"));
        }
        if sides.is_empty() && a["status"] == "APPROVED" {
            out.push(key(&a["decidedOn"], &a["decisionReference"], "ApplicationApproved"));
        }
        if sides.is_empty() && a["status"] == "REJECTED" {
            out.push(key(&a["decidedOn"], &Value::Null, "ApplicationRejected"));
        }
    }
    out.sort();
    out
}

async fn download(server: &Server, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{}{path}", server.base));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_register_lists_every_decision_the_record_holds_in_graphql_csv_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path(), &["--demo"]);
    let admin = server.admin_token.clone().unwrap();
    // Arvika (SE-1784) leads ARKO's ecoINSIDE 2, decided by two funders.
    for m in ["SE-1784", "SE-1494", "SE-1487"] {
        let lines = register(&server, &admin, m, None, None).await;
        let mut got = keys(&lines);
        got.sort();
        assert_eq!(got, expected(&server, m).await, "{m}'s register");
        let order: Vec<(String, u64)> = lines
            .iter()
            .map(|l| (l["date"].as_str().unwrap().to_string(), l["position"].as_u64().unwrap()))
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "{m}: oldest decision first, ties in log order");
    }
    let arvika = register(&server, &admin, "SE-1784", None, None).await;
    let kinds: BTreeSet<&str> = arvika.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    for kind in ["StrategyAdopted", "CoFinancingCommitted", "FunderDecisionRecorded"] {
        assert!(kinds.contains(kind), "Arvika's register has a {kind} line: {kinds:?}");
    }
    // A strategy's line names the document.
    let strategies = server
        .gql(
            r#"{ strategies(filter: {municipality: "SE-1784"}, first: 500) { edges { node { title } } } }"#,
            json!({}),
        )
        .await;
    let titles: Vec<String> = data(&strategies)["strategies"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap().to_string())
        .collect();
    for l in arvika.iter().filter(|l| l["kind"] == "StrategyAdopted") {
        let d = l["description"].as_str().unwrap();
        assert!(
            titles.iter().any(|t| d.starts_with(t.as_str())),
            "{d} names one of {titles:?}"
        );
    }
    let funders: BTreeSet<&str> = arvika
        .iter()
        .filter(|l| l["kind"] == "FunderDecisionRecorded")
        .map(|l| l["decidedBy"].as_str().unwrap())
        .collect();
    assert!(funders.len() >= 2, "ecoINSIDE 2's EU and IR funders: {funders:?}");
    let funder_kinds = ["FunderDecisionRecorded", "ApplicationApproved", "ApplicationRejected"];
    for l in &arvika {
        if funder_kinds.contains(&l["kind"].as_str().unwrap()) {
            assert!(l["body"].is_null(), "a funder is not a municipal body: {l}");
        } else {
            assert!(l["body"].is_string() && l["decidedBy"] == "SE-1784", "{l}");
        }
    }

    // Business time: from/to keep the decisions of that span.
    let day = arvika[arvika.len() / 2]["date"].as_str().unwrap().to_string();
    let that_day = register(&server, &admin, "SE-1784", Some(&day), Some(&day)).await;
    assert!(!that_day.is_empty());
    assert_eq!(
        that_day.len(),
        arvika.iter().filter(|l| l["date"] == day.as_str()).count()
    );
    let later = register(&server, &admin, "SE-1784", Some(&day), None).await;
    assert!(later.iter().all(|l| l["date"].as_str().unwrap() >= day.as_str()));

    // Each line's event verifies on its own.
    let line = &arvika[0];
    let proof = server
        .gql(
            "query($id: UUID!) { eventProof(id: $id) { event { position eventType } verified } }",
            json!({ "id": line["eventId"] }),
        )
        .await;
    let proof = &data(&proof)["eventProof"];
    assert_eq!(proof["event"]["position"], line["position"]);
    assert_eq!(proof["event"]["eventType"], line["kind"]);

    // The downloads carry the same lines.
    let csv_response = download(&server, Some(&admin), "/register/SE-1784.csv").await;
    assert_eq!(csv_response.status(), 200);
    let media = csv_response.headers()["content-type"].to_str().unwrap().to_string();
    assert!(media.starts_with("text/csv"), "{media}");
    let disposition = csv_response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.contains("register-SE-1784.csv"), "{disposition}");
    let text = csv_response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "date",
            "case_number",
            "paragraph",
            "body",
            "decided_by",
            "kind",
            "description",
            "position",
            "recorded_at",
            "application"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), arvika.len());
    for (row, line) in rows.iter().zip(&arvika) {
        assert_eq!(&row[0], line["date"].as_str().unwrap());
        assert_eq!(&row[1], line["caseNumber"].as_str().unwrap_or(""));
        assert_eq!(&row[2], line["paragraph"].as_str().unwrap_or(""));
        assert_eq!(&row[4], line["decidedBy"].as_str().unwrap());
        assert_eq!(&row[5], line["kind"].as_str().unwrap());
        assert_eq!(&row[6], line["description"].as_str().unwrap());
        assert_eq!(&row[7], line["position"].to_string());
        assert_eq!(&row[9], line["application"].as_str().unwrap_or(""));
    }
    let json_rows: Vec<Value> = download(&server, Some(&admin), "/register/SE-1784.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json_rows.len(), arvika.len());
    for (row, line) in json_rows.iter().zip(&arvika) {
        assert_eq!(row["date"], line["date"]);
        assert_eq!(row["case_number"], line["caseNumber"]);
        assert_eq!(row["kind"], line["kind"]);
        assert_eq!(row["position"], line["position"]);
    }
    let bounded: Vec<Value> = download(
        &server,
        Some(&admin),
        &format!("/register/SE-1784.json?from={day}&to={day}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(bounded.len(), that_day.len());

    // Typed refusals.
    let anonymous = download(&server, None, "/register/SE-1784.csv").await;
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    for (path, status, rule) in [
        ("/register/SE-1784.xml", 400, Some("register_format")),
        ("/register/nowhere.csv", 400, Some("municipality_code")),
        ("/register/SE-1784.csv?from=2026-13-01", 400, Some("invalid_date")),
        ("/register/SE-9999.csv", 404, None),
    ] {
        let response = download(&server, Some(&admin), path).await;
        assert_eq!(response.status(), status, "{path}");
        let body: Value = response.json().await.unwrap();
        let error = &body["errors"][0];
        assert!(!error["message"].as_str().unwrap().is_empty(), "{path}: {body}");
        if let Some(rule) = rule {
            assert_eq!(error["extensions"]["rule"], rule, "{path}: {body}");
        }
    }
    let unknown = server.gql(REGISTER, json!({ "m": "SE-9999" })).await;
    assert_eq!(unknown["errors"][0]["extensions"]["code"], "NOT_FOUND", "{unknown}");
}

#[tokio::test]
async fn a_drafts_commitment_is_in_the_register_only_for_those_who_may_read_the_draft() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path(), &["--demo"]);
    let v6 = server.token("coordinator", Some("V6"));
    let arko = server.token("coordinator", Some("ARKO"));
    let lidkoping = server.token("officer", Some("SE-1494"));
    let draft = mutate_as(
        &server,
        &v6,
        "draftApplication",
        "DraftApplicationInput",
        draft_application("Registrets utkast"),
        "application { id }",
    )
    .await;
    let app = draft["application"]["id"].as_str().unwrap().to_string();
    commit_co_financing(
        &server,
        &lidkoping,
        co_financing(&app, "SE-1494", 300_000, "KS 2026/777"),
    )
    .await;

    let has_draft = |lines: &[Value]| {
        lines
            .iter()
            .any(|l| l["caseNumber"] == "KS 2026/777" && l["application"] == app.as_str())
    };
    assert!(has_draft(&register(&server, &lidkoping, "SE-1494", None, None).await));
    assert!(has_draft(&register(&server, &v6, "SE-1494", None, None).await));
    assert!(!has_draft(&register(&server, &arko, "SE-1494", None, None).await));
    for token in [&lidkoping, &arko] {
        let text = download(&server, Some(token), "/register/SE-1494.csv")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(text.contains("KS 2026/777"), token == &lidkoping, "{text}");
    }
}
