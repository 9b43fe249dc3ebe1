//! Terms of office and the follow-up due rule on the demo history through the
//! real embedded store: the dashboard and the yearly report agree, and the
//! dashboard lists what each new council inherits.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use samverkan_app::demo::{self, codes};
use samverkan_app::projections::terms::TermBody;
use samverkan_app::projections::Unrestricted;
use samverkan_app::projections::{rebuild, AsOf};
use samverkan_app::Commands;
use samverkan_domain::testing::fixtures::{d, m};
use samverkan_eventstore::{EventStore, SqliteStore};

#[tokio::test]
async fn missed_term_is_overdue_on_the_dashboard_and_in_the_report_and_handover_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(dir.path().join("events.db")).expect("open the store"));
    let commands = Commands::new(store.clone());
    demo::load(&commands).await.expect("demo loads");
    let models = rebuild(store.as_ref()).await.expect("rebuild");
    let now = AsOf::now(Utc::now());
    let today = d("2026-12-01");

    // Arvika: adopted 2012-11-12, once per term, never followed up.
    let dash = models
        .seen_by(&Unrestricted)
        .dashboard_on(&m(codes::ARVIKA), now, Some(today))
        .expect("Arvika");
    let line = dash
        .strategies_in_force
        .iter()
        .find(|l| l.strategy.title == "Internationell strategi")
        .expect("Arvika's strategy in force");
    assert!(line.follow_up_overdue);
    let due = line.next_follow_up_due.expect("a follow-up is due");
    // Never followed up: the term that ended 2026-10-14 (the one in force
    // during 2026, before the new council) is owed, overdue since.
    assert_eq!(due, d("2026-10-14"));
    assert_eq!(line.follow_up_term.expect("due term").end, due);
    assert_eq!((line.term.start, line.term.end), (d("2026-10-15"), d("2030-10-14")));
    assert_eq!(line.term.body, TermBody::Council);

    // The 2025 report names the same due date (same function).
    let report = models
        .seen_by(&Unrestricted)
        .follow_up_report_on(&m(codes::ARVIKA), 2025, now, None)
        .expect("report");
    let in_report = report
        .strategies_due_for_follow_up
        .iter()
        .find(|l| l.strategy.id == line.strategy.id)
        .expect("due in the 2025 report");
    assert_eq!(in_report.next_follow_up_due, Some(due));
    // Measured on 2025-12-31 the same date is still ahead.
    assert!(!in_report.follow_up_overdue);

    // Handover: the change on 2026-10-15 and the next one on 2030-10-15.
    let starts: Vec<NaiveDate> = dash.handover.iter().map(|h| h.term.start).collect();
    assert_eq!(starts, vec![d("2026-10-15"), d("2030-10-15")]);
    let h = &dash.handover[0];
    assert!(h.strategies_in_force.iter().any(|(id, _)| *id == line.strategy.id));
    for (id, _) in &h.projects_running {
        let p = dash.projects.iter().find(|p| p.project.id == *id);
        if let Some(p) = p {
            assert!(p.project.period.start <= d("2026-10-15"));
        }
    }
    assert!(h.commitments.iter().all(|c| c.decided_on < d("2026-10-15")));

    // Vänersborg (2024 strategy, yearly and once per term, followed up): not overdue.
    let v = models
        .seen_by(&Unrestricted)
        .dashboard_on(&m(codes::VANERSBORG), now, Some(today))
        .expect("Vänersborg");
    let s2024 = v
        .strategies_in_force
        .iter()
        .find(|l| {
            l.strategy
                .validity
                .is_some_and(|p| p.start.to_string().starts_with("2024"))
        })
        .expect("the 2024 strategy");
    assert_eq!(s2024.next_follow_up_due, Some(d("2027-03-31")));
    // The yearly report goes to kommunstyrelsen: its term (2027-01-01 – 2030-12-31).
    let t = s2024.follow_up_term.expect("due term");
    assert_eq!((t.body, t.start), (TermBody::ExecutiveBoard, d("2027-01-01")));
    // Its 2022–2026 term is covered: the once-per-term part is due at the current term's end.
    assert!(!s2024.follow_up_overdue);
}
