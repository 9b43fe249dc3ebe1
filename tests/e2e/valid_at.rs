//! Business time against the real binary with `serve --demo`: `validAt`
//! (the decisions' own dates) beside `asOf` (recording time).

use serde_json::{json, Value};

use crate::helpers::{data, spawn};

const POLICY_TITLE: &str = "Internationell policy för Vänersborgs kommun";

fn members(body: &Value) -> usize {
    data(body)["consortiumOverview"]["currentMembers"]
        .as_array()
        .expect("members")
        .len()
}

#[tokio::test]
async fn arko_members_and_vanersborgs_policy_on_business_dates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &["--demo"]);
    let overview = r#"query($v: Date, $a: DateTime) { consortiumOverview(consortium: "ARKO", validAt: $v, asOf: $a) {
        validAt asOf currentMembers } }"#;

    let mid_2015 = server.gql(overview, json!({ "v": "2015-06-01" })).await;
    assert_eq!(members(&mid_2015), 11, "{mid_2015}");
    assert_eq!(data(&mid_2015)["consortiumOverview"]["validAt"], "2015-06-01");
    assert!(data(&mid_2015)["consortiumOverview"]["asOf"].is_null());
    let y2016 = server.gql(overview, json!({ "v": "2016-01-01" })).await;
    assert_eq!(members(&y2016), 10, "{y2016}");
    // Both axes: what was known on a later instant about 2015.
    let both = server
        .gql(overview, json!({ "v": "2015-06-01", "a": "2100-01-01T00:00:00Z" }))
        .await;
    assert_eq!(members(&both), 11, "{both}");
    let as_of = data(&both)["consortiumOverview"]["asOf"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(as_of.starts_with("2100-01-01T00:00:00"), "{both}");
    // Before it was formed, ARKO did not exist: NOT_FOUND naming the date.
    let before = server.gql(overview, json!({ "v": "1960-01-01" })).await;
    let err = &before["errors"][0];
    assert_eq!(err["extensions"]["code"], "NOT_FOUND", "{before}");
    assert!(err["message"].as_str().unwrap_or("").contains("1960-01-01"), "{before}");
    // The consortium lookup follows the same dates.
    let arko = server
        .gql(
            r#"{ consortium(code: "ARKO", validAt: "2015-06-01") { memberships { municipality leftOn } } }"#,
            json!({}),
        )
        .await;
    let valer = data(&arko)["consortium"]["memberships"]
        .as_array()
        .expect("memberships")
        .iter()
        .find(|m| m["municipality"] == "NO-3419")
        .cloned()
        .expect("Våler is a member on 2015-06-01");
    assert!(valer["leftOn"].is_null(), "{arko}");

    // Vänersborg's policy: in force on 2020-06-30, superseded on 2024-02-12.
    let dashboard = r#"query($v: Date) { dashboard(municipality: "SE-1487", validAt: $v) {
        validAt today strategiesInForce { strategy { title status } } } }"#;
    let titles = |body: &Value| -> Vec<String> {
        data(body)["dashboard"]["strategiesInForce"]
            .as_array()
            .expect("strategies")
            .iter()
            .map(|l| l["strategy"]["title"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let in_2020 = server.gql(dashboard, json!({ "v": "2020-06-30" })).await;
    assert_eq!(data(&in_2020)["dashboard"]["validAt"], "2020-06-30");
    assert_eq!(data(&in_2020)["dashboard"]["today"], "2020-06-30");
    assert!(titles(&in_2020).iter().any(|t| t == POLICY_TITLE), "{in_2020}");
    let in_2024 = server.gql(dashboard, json!({ "v": "2024-02-12" })).await;
    assert!(!titles(&in_2024).iter().any(|t| t == POLICY_TITLE), "{in_2024}");

    // `inForceOn` includes a document in force then and superseded since.
    let list = server
        .gql(
            r#"{ strategies(filter: {municipality: "SE-1487", inForceOn: "2020-06-30"}) { edges { node { title status } } } }"#,
            json!({}),
        )
        .await;
    let nodes = data(&list)["strategies"]["edges"].as_array().expect("edges").clone();
    let policy = nodes
        .iter()
        .find(|e| e["node"]["title"] == POLICY_TITLE)
        .expect("the superseded policy is in force on 2020-06-30");
    assert_eq!(policy["node"]["status"], "SUPERSEDED", "{list}");
    let later = server
        .gql(
            r#"{ strategies(filter: {municipality: "SE-1487", inForceOn: "2024-02-12"}) { edges { node { title } } } }"#,
            json!({}),
        )
        .await;
    // The timeline on a business date: Våler had not left ARKO on 2015-06-01.
    let timeline =
        r#"query($v: Date) { timeline(consortium: "ARKO", validAt: $v, first: 500) { edges { node { eventType } } } }"#;
    let has_left = |body: &Value| {
        data(body)["timeline"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .any(|e| e["node"]["eventType"] == "MemberLeft")
    };
    let t2015 = server.gql(timeline, json!({ "v": "2015-06-01" })).await;
    assert!(!has_left(&t2015), "{t2015}");
    let t2016 = server.gql(timeline, json!({ "v": "2016-01-01" })).await;
    assert!(has_left(&t2016), "{t2016}");

    // A connection says which date and instant it used.
    let stamped = server
        .gql(
            r#"{ projects(filter: {municipality: "SE-1487"}, validAt: "2015-12-31") { validAt asOf totalCount }
                 later: projects(filter: {municipality: "SE-1487"}, validAt: "2017-06-01") { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data(&stamped)["projects"]["validAt"], "2015-12-31", "{stamped}");
    assert!(data(&stamped)["projects"]["asOf"].is_null(), "{stamped}");
    assert!(
        data(&stamped)["later"]["totalCount"].as_u64() > data(&stamped)["projects"]["totalCount"].as_u64(),
        "the shoreline project (2016–2018) had started by 2017: {stamped}"
    );
    assert!(
        !data(&later)["strategies"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .any(|e| e["node"]["title"] == POLICY_TITLE),
        "{later}"
    );
}

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/scripts/follow_up_csv.py");

#[tokio::test]
async fn the_follow_up_script_takes_valid_at_against_the_demo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &["--demo"]);
    let reader = server.token("reader", Some("SE-1487"));
    let run = |args: &[&str]| {
        let out = std::process::Command::new("python3")
            .arg(SCRIPT)
            .args(["--url", &server.url, "--token", &reader])
            .args(args)
            .env_remove("SAMVERKAN_TOKEN")
            .output()
            .expect("python3 runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // 2017 as the decisions' dates tell it: the shoreline project (2016–2018) ran.
    let (ok, csv, err) = run(&[
        "--municipality",
        "SE-1487",
        "--year",
        "2017",
        "--valid-at",
        "2017-12-31",
    ]);
    assert!(ok, "{err}");
    assert!(csv.contains("Sustainable Shoreline Development"), "{csv}");
    // The docs' date as business time works on a fresh demo...
    let (ok, _, err) = run(&[
        "--municipality",
        "SE-1487",
        "--year",
        "2025",
        "--valid-at",
        "2026-03-31",
    ]);
    assert!(ok, "{err}");
    // ...and both axes combine (an instant after the demo was recorded).
    let (ok, csv, err) = run(&[
        "--municipality",
        "SE-1487",
        "--year",
        "2017",
        "--valid-at",
        "2017-12-31",
        "--as-of",
        "2100-01-01T00:00:00Z",
    ]);
    assert!(ok, "{err}");
    assert!(csv.contains("Sustainable Shoreline Development"), "{csv}");
}

/// Arvika's strategy (adopted 2012, followed up once per term, never
/// followed up) on the real binary: the dashboard of 2026-12-01 shows it
/// overdue since the end of the term 2022-10-15 – 2026-10-14, and the 2025
/// yearly report names the same due date — the figures agree.
#[tokio::test]
async fn arvikas_missed_term_is_overdue_and_the_report_agrees() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &["--demo"]);
    let answer = server
        .gql(
            r#"{ dashboard(municipality: "SE-1784", validAt: "2026-12-01") { validAt
                   strategiesInForce { strategy { title } nextFollowUpDue followUpOverdue followUpTerm { start end } }
                   handover { term { start } strategiesInForce { title } } }
                 followUpReport(municipality: "SE-1784", year: 2025) {
                   strategiesDueForFollowUp { strategy { title } nextFollowUpDue followUpOverdue } } }"#,
            json!({}),
        )
        .await;
    let d = data(&answer);
    let line = d["dashboard"]["strategiesInForce"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["strategy"]["title"] == "Internationell strategi")
        .unwrap_or_else(|| panic!("Arvika's strategy: {d:#}"))
        .clone();
    assert_eq!(line["nextFollowUpDue"], "2026-10-14", "{d:#}");
    assert_eq!(line["followUpOverdue"], true, "{d:#}");
    assert_eq!(line["followUpTerm"]["start"], "2022-10-15");
    let due = d["followUpReport"]["strategiesDueForFollowUp"]
        .as_array()
        .expect("due")
        .iter()
        .find(|l| l["strategy"]["title"] == "Internationell strategi")
        .unwrap_or_else(|| panic!("due in the 2025 report: {d:#}"))
        .clone();
    assert_eq!(due["nextFollowUpDue"], line["nextFollowUpDue"], "{d:#}");
    // The new council (from 2026-10-15) inherits the strategy.
    assert_eq!(d["dashboard"]["handover"][0]["term"]["start"], "2026-10-15");
    assert!(server.terminate().success());
}
