//! Business time (`validAt`) beside recording time (`asOf`): the demo history
//! through the real embedded store on disk, read back by the decisions' own
//! dates, and a fact recorded late.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use samverkan_app::demo::{self, codes, ids};
use samverkan_app::projections::Unrestricted;
use samverkan_app::projections::{rebuild, AsOf, ProjectFilter};
use samverkan_app::{CommandContext, Commands};
use samverkan_domain::consortium::{Consortium, ConsortiumCommand};
use samverkan_domain::strategy::StrategyStatus;
use samverkan_domain::testing::fixtures::{c, d, m};
use samverkan_domain::ConsortiumCode;
use samverkan_eventstore::{EventStore, SqliteStore};
use uuid::Uuid;

fn arko() -> ConsortiumCode {
    c(codes::ARKO)
}

async fn demo_store(dir: &tempfile::TempDir) -> (Commands, Arc<dyn EventStore>) {
    let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(dir.path().join("events.db")).expect("open the store"));
    let commands = Commands::new(store.clone());
    demo::load(&commands).await.expect("demo loads");
    (commands, store)
}

#[tokio::test]
async fn arko_members_strategies_and_projects_on_business_dates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_commands, store) = demo_store(&dir).await;
    let models = rebuild(store.as_ref()).await.expect("rebuild");
    let now = AsOf::now(Utc::now());

    // ARKO: eleven members until Våler left on 2015-12-31, ten after.
    let on = |day: &str| {
        models
            .seen_by(&Unrestricted)
            .consortium_overview_on(&arko(), now, Some(d(day)))
            .expect("ARKO exists")
    };
    let mid_2015 = on("2015-06-01");
    assert_eq!(mid_2015.current_members.len(), 11);
    assert!(mid_2015.current_members.contains(&m(codes::VALER)));
    assert_eq!(mid_2015.valid_at, d("2015-06-01"));
    assert_eq!(mid_2015.as_of, None);
    let y2016 = on("2016-01-01");
    assert_eq!(y2016.current_members.len(), 10);
    assert!(!y2016.current_members.contains(&m(codes::VALER)));
    assert_eq!(on("2015-12-30").current_members.len(), 11);
    // The consortium did not exist before it was formed (1967-01-01).
    assert!(models
        .seen_by(&Unrestricted)
        .consortium_overview_on(&arko(), now, Some(d("1966-12-31")))
        .is_none());
    assert!(models.consortium_on(&arko(), None, Some(d("1966-12-31"))).is_none());
    // Våler's own dashboard on 2015-06-01 lists ARKO as a current membership.
    let valer = models
        .seen_by(&Unrestricted)
        .dashboard_on(&m(codes::VALER), now, Some(d("2015-06-01")))
        .expect("Våler's dashboard");
    assert_eq!(valer.today, d("2015-06-01"));
    assert!(valer
        .memberships
        .iter()
        .any(|l| l.consortium == arko() && l.left_on.is_none()));

    // The timeline on a business date leaves out what had not happened yet.
    let left = |day: Option<NaiveDate>| {
        models
            .seen_by(&Unrestricted)
            .timeline_on("consortium:ARKO", None, 500, None, day)
            .0
            .iter()
            .any(|e| e.event_type == "MemberLeft")
    };
    assert!(!left(Some(d("2015-06-01"))));
    assert!(left(Some(d("2016-01-01"))));
    assert!(left(None));

    // Vänersborg's policy: in force on 2020-06-30, superseded on 2024-02-12.
    let vanersborg = m(codes::VANERSBORG);
    let policy = ids::vanersborg_policy();
    let s2024 = ids::vanersborg_strategy_2024();
    let p2020 = models
        .strategy_on(&policy, None, Some(d("2020-06-30")))
        .expect("policy");
    assert_eq!(p2020.status, StrategyStatus::Adopted);
    assert!(p2020.in_force_on(d("2020-06-30")));
    let p2024 = models
        .strategy_on(&policy, None, Some(d("2024-02-12")))
        .expect("policy");
    assert_eq!(p2024.status, StrategyStatus::Superseded);
    assert!(!p2024.in_force_on(d("2024-02-12")));
    // Even read today, the policy was in force on 2020-06-30.
    assert!(models
        .strategy(&policy, None)
        .expect("policy")
        .in_force_on(d("2020-06-30")));

    let in_force = |day: &str| -> Vec<_> {
        models
            .seen_by(&Unrestricted)
            .dashboard_on(&vanersborg, now, Some(d(day)))
            .expect("dashboard")
            .strategies_in_force
            .into_iter()
            .map(|l| l.strategy.id)
            .collect()
    };
    let in_2020 = in_force("2020-06-30");
    assert!(in_2020.contains(&policy));
    assert!(!in_2020.contains(&s2024), "the 2024 strategy was not adopted yet");
    let in_2024 = in_force("2024-02-12");
    assert!(!in_2024.contains(&policy));
    assert!(in_2024.contains(&s2024));
    let listed = models.strategies_list_on(Some(&vanersborg), None, Some(d("2020-06-30")));
    let s = listed
        .iter()
        .find(|s| s.id == s2024)
        .expect("the 2024 strategy is listed");
    assert_eq!(s.status, StrategyStatus::Draft, "not adopted on 2020-06-30");

    // Projects by their period: Sustainable Shoreline Development (2016–2018).
    let shoreline = ids::shoreline_project();
    let filter = ProjectFilter {
        municipality: Some(vanersborg),
        ..Default::default()
    };
    let ids_on = |day: &str| -> Vec<_> {
        models
            .projects_on(&filter, None, Some(d(day)))
            .into_iter()
            .map(|p| p.id)
            .collect()
    };
    assert!(!ids_on("2015-12-31").contains(&shoreline));
    assert!(ids_on("2017-06-01").contains(&shoreline));
    assert!(models.project_on(&shoreline, None, Some(d("2015-12-31"))).is_none());
    assert!(models.project(&shoreline, None).is_some());
}

#[tokio::test]
async fn a_fact_recorded_late_shows_on_earlier_business_dates_not_earlier_instants() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (commands, store) = demo_store(&dir).await;
    let before_recording = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    // Våler rejoins ARKO on 2025-06-01, recorded only now.
    commands
        .execute::<Consortium>(
            &arko(),
            ConsortiumCommand::Join {
                municipality: m(codes::VALER),
                joined_on: d("2025-06-01"),
            },
            &CommandContext::new(Uuid::new_v4()).by(
                "test-secretariat",
                samverkan_domain::Role::Coordinator(samverkan_domain::ConsortiumCode::parse("ARKO").unwrap()),
            ),
        )
        .await
        .expect("Våler rejoins");
    let models = rebuild(store.as_ref()).await.expect("rebuild");
    let members = |as_of: AsOf, day: &str| {
        models
            .seen_by(&Unrestricted)
            .consortium_overview_on(&arko(), as_of, Some(d(day)))
            .expect("ARKO")
            .current_members
    };
    let now = AsOf::now(Utc::now());
    let then = AsOf::past(before_recording);

    // Business time: a member from 2025-06-01, before today.
    assert_eq!(members(now, "2025-06-01").len(), 11);
    assert_eq!(members(now, "2025-05-31").len(), 10);
    // Recording time: not known before it was recorded, whatever the date.
    assert_eq!(members(then, "2025-06-01").len(), 10);
    let overview = models
        .seen_by(&Unrestricted)
        .consortium_overview_on(&arko(), then, Some(d("2025-06-01")))
        .expect("ARKO");
    assert_eq!(overview.as_of, Some(before_recording));
    assert_eq!(overview.valid_at, d("2025-06-01"));
    // Both axes: what was known before the recording about 2015.
    assert_eq!(members(then, "2015-06-01").len(), 11);
    assert_eq!(members(then, "2016-01-01").len(), 10);
    // Without validAt, "today" counts: Våler is a member again.
    assert!(models
        .seen_by(&Unrestricted)
        .consortium_overview(&arko(), now)
        .expect("ARKO")
        .current_members
        .contains(&m(codes::VALER)));
}

#[tokio::test]
async fn demo_codes_resolve_on_their_dates() {
    use samverkan_app::projections::CodeResolution;
    let dir = tempfile::tempdir().expect("tempdir");
    let (_commands, store) = demo_store(&dir).await;
    let models = rebuild(store.as_ref()).await.expect("rebuild");

    // Heby: SE-1917 until 2006-12-31, SE-0331 from 2007-01-01; one identity.
    let heby = m("SE-1917");
    assert_eq!(
        models.resolve_code(&m("SE-1917"), None, Some(d("2006-12-31"))),
        CodeResolution::Found(heby)
    );
    assert_eq!(
        models.resolve_code(&m("SE-0331"), None, Some(d("2007-01-01"))),
        CodeResolution::Found(heby)
    );
    assert!(matches!(
        models.resolve_code(&m("SE-1917"), None, Some(d("2007-01-01"))),
        CodeResolution::NotValidOn { .. }
    ));
    assert!(matches!(
        models.resolve_code(&m("SE-0331"), None, Some(d("2006-12-31"))),
        CodeResolution::NotValidOn { .. }
    ));

    // Bærum: NO-0219 → NO-3024 (2020) → NO-3201 (2024).
    let baerum = m("NO-0219");
    assert_eq!(
        models.resolve_code(&m("NO-0219"), None, Some(d("2019-06-01"))),
        CodeResolution::Found(baerum)
    );
    assert_eq!(
        models.resolve_code(&m("NO-3024"), None, Some(d("2021-06-01"))),
        CodeResolution::Found(baerum)
    );
    assert_eq!(
        models.resolve_code(&m("NO-3201"), None, None),
        CodeResolution::Found(baerum)
    );
    let miss = models.resolve_code(&m("NO-0219"), None, Some(d("2021-06-01")));
    let message = miss.message(&m("NO-0219"));
    assert!(
        message.contains("until 2019-12-31") && message.contains("NO-3024"),
        "{message}"
    );
    let view = models
        .municipality_on(&baerum, None, Some(d("2021-06-01")))
        .expect("Bærum");
    assert_eq!(view.code_now(), m("NO-3024"));
    assert_eq!(view.codes.len(), 3);
    assert_eq!(models.resolve_code(&m("NO-9999"), None, None), CodeResolution::Unknown);
}
