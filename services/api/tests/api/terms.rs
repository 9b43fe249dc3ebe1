//! Terms of office over GraphQL: the dashboard and the yearly report name the
//! same due date for a missed term, and the dashboard lists the handovers.

use samverkan_app::{demo, Commands};
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn dashboard_and_report_agree_on_a_missed_term_and_list_handovers() {
    let app = spawn_app().await;
    let loaded = demo::load(&Commands::new(app.store.clone())).await.expect("demo data");
    let r = app
        .gql(
            r#"query($p: Position!) {
                dashboard(municipality: "SE-1784", validAt: "2026-12-01", atLeastPosition: $p) {
                    strategiesInForce {
                        strategy { title }
                        nextFollowUpDue followUpOverdue
                        term { body start end source }
                        followUpTerm { start end }
                    }
                    handover {
                        term { start end }
                        strategiesInForce { title }
                        commitments { title decidedOn amount { formatted } }
                        projectsRunning { title }
                    }
                }
                followUpReport(municipality: "SE-1784", year: 2025) {
                    strategiesDueForFollowUp { strategy { title } nextFollowUpDue followUpOverdue }
                }
            }"#,
            json!({ "p": loaded.last_position }),
        )
        .await;
    let data = r.data();
    let line = &data["dashboard"]["strategiesInForce"][0];
    assert_eq!(line["strategy"]["title"], "Internationell strategi", "{data:#}");
    assert_eq!(line["followUpOverdue"], true);
    assert_eq!(line["nextFollowUpDue"], "2026-10-14");
    assert_eq!(line["followUpTerm"]["end"], "2026-10-14");
    assert_eq!(line["term"]["body"], "COUNCIL");
    assert_eq!(line["term"]["start"], "2026-10-15");
    assert_eq!(line["term"]["end"], "2030-10-14");
    assert!(line["term"]["source"]
        .as_str()
        .is_some_and(|s| s.contains("15 October")));

    let due = &data["followUpReport"]["strategiesDueForFollowUp"][0];
    assert_eq!(due["nextFollowUpDue"], line["nextFollowUpDue"]);
    // The 2025 report is measured on 2025-12-31: the same date is still ahead.
    assert_eq!(due["followUpOverdue"], false);

    let handover = data["dashboard"]["handover"].as_array().expect("handover");
    assert_eq!(handover.len(), 2);
    assert_eq!(handover[0]["term"]["start"], "2026-10-15");
    assert_eq!(handover[1]["term"]["start"], "2030-10-15");
    assert_eq!(handover[0]["strategiesInForce"][0]["title"], "Internationell strategi");
    assert!(!handover[0]["commitments"].as_array().expect("commitments").is_empty());
    assert!(!handover[0]["projectsRunning"].as_array().expect("projects").is_empty());
}
