//! The demo data through the real embedded store on disk: it loads, it is
//! idempotent (also across a restart), and it tells the seeds' story.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::sync::Arc;

use samverkan_app::demo::{self, codes, ids};
use samverkan_app::Commands;
use samverkan_domain::application::{Answer, Application, ApplicationStatus};
use samverkan_domain::consortium::{Consortium, Coordinator};
use samverkan_domain::municipality::Municipality;
use samverkan_domain::project::{MilestoneStatus, Project, ProjectStatus};
use samverkan_domain::strategy::{Strategy, StrategyStatus};
use samverkan_domain::testing::fixtures::{c, m, ms};
use samverkan_domain::DecisionBody;
use samverkan_eventstore::{EventStore, SqliteStore};

fn open(dir: &tempfile::TempDir) -> (Commands, Arc<dyn EventStore>) {
    let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(dir.path().join("events.db")).expect("open the store"));
    (Commands::new(store.clone()), store)
}

#[tokio::test]
async fn demo_loads_once_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (commands, store) = open(&dir);

    let first = demo::load(&commands).await.expect("first load");
    assert!(first.events_appended > 0, "the first load appends events");
    // Every demo command appends exactly one event, except the funder
    // decision that completes ecoINSIDE 2's sides: it also records the
    // application's approval (one more event).
    assert_eq!(
        first.events_appended,
        first.commands + 1,
        "every demo command appends exactly one event, the completing funder decision two"
    );
    let head = store.head_position().await.expect("head").expect("a non-empty log");
    assert_eq!(first.last_position, head);

    let second = demo::load(&commands).await.expect("second load");
    assert_eq!(second.events_appended, 0, "a second load appends nothing");
    assert_eq!(second.commands, first.commands);
    assert_eq!(second.municipalities, first.municipalities);
    assert_eq!(second.strategies, first.strategies);
    assert_eq!(second.projects, first.projects);
    assert_eq!(second.applications, first.applications);
    assert_eq!(
        second.last_position, first.last_position,
        "the original outcomes are returned"
    );
    assert_eq!(
        store.head_position().await.expect("head"),
        Some(head),
        "the global log did not grow"
    );

    let printed = first.to_string();
    assert!(printed.contains("SE-1487"), "{printed}");
    assert!(
        printed.contains(&ids::vanersborg_strategy_2024().to_string()),
        "{printed}"
    );
}

#[tokio::test]
async fn demo_is_idempotent_across_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let head = {
        let (commands, store) = open(&dir);
        let first = demo::load(&commands).await.expect("first load");
        assert!(first.events_appended > 0);
        store.head_position().await.expect("head")
    };
    // The first store (and its writer thread) is gone; open the file again.
    let (commands, store) = open(&dir);
    assert_eq!(
        store.head_position().await.expect("head"),
        head,
        "acknowledged events survived"
    );
    let again = demo::load(&commands).await.expect("load after restart");
    assert_eq!(again.events_appended, 0);
    assert_eq!(store.head_position().await.expect("head"), head);
}

#[tokio::test]
async fn demo_tells_the_seeds_story() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (commands, store) = open(&dir);
    demo::load(&commands).await.expect("load");

    // Vänersborg 2024–2028: adopted by the council 2024-02-12 § 12, KS 2023/993.
    let (s2024, _) = commands
        .load::<Strategy>(&ids::vanersborg_strategy_2024())
        .await
        .expect("strategy");
    assert_eq!(s2024.status, StrategyStatus::Adopted);
    let adopted = s2024.adopted.expect("adoption decision");
    assert_eq!(adopted.body, DecisionBody::Council);
    assert_eq!(adopted.date.to_string(), "2024-02-12");
    assert_eq!(adopted.paragraph.as_deref(), Some("§ 12"));
    assert_eq!(adopted.case_number.as_deref(), Some("KS 2023/993"));
    assert_eq!(
        s2024.validity.and_then(|v| v.end).map(|d| d.to_string()).as_deref(),
        Some("2028-12-31")
    );
    assert_eq!(s2024.follow_ups.len(), 2);
    let goals: Vec<String> = s2024
        .content
        .expect("content")
        .goals
        .iter()
        .map(|g| g.id.to_string())
        .collect();
    assert!(goals.contains(&"inkluderande-samhallen".to_string()), "{goals:?}");

    // The older policy is superseded.
    let (policy, _) = commands
        .load::<Strategy>(&ids::vanersborg_policy())
        .await
        .expect("policy");
    assert_eq!(policy.status, StrategyStatus::Superseded);

    // Lidköping: until further notice, two yearly follow-ups.
    let (lidkoping, _) = commands
        .load::<Strategy>(&ids::lidkoping_strategy_2020())
        .await
        .expect("lidköping");
    assert_eq!(lidkoping.status, StrategyStatus::Adopted);
    assert_eq!(lidkoping.validity.expect("validity").end, None);
    assert_eq!(lidkoping.follow_ups.len(), 2);

    // Arvika: adopted by the executive board 2012-11-12 § 258, four goals with activities.
    let (arvika, _) = commands
        .load::<Strategy>(&ids::arvika_strategy_2012())
        .await
        .expect("arvika");
    let decision = arvika.adopted.expect("adoption");
    assert_eq!(decision.body, DecisionBody::ExecutiveBoard);
    assert_eq!(decision.paragraph.as_deref(), Some("§ 258"));
    let content = arvika.content.expect("content");
    assert_eq!(content.goals.len(), 4);
    assert!(content.goals.iter().all(|g| !g.activities.is_empty()));

    // ARKO: ten current members; Våler joined and left.
    let (arko, _) = commands.load::<Consortium>(&c(codes::ARKO)).await.expect("arko");
    assert_eq!(arko.current_members().len(), 10);
    assert!(!arko.is_member(&m(codes::VALER)));
    let valer = &arko.memberships[&m(codes::VALER)];
    assert_eq!(valer.len(), 1);
    assert!(valer[0].left_on.is_some());
    assert_eq!(
        arko.coordinator,
        Some(Coordinator::Office {
            name: "ARKO-sekretariatet".into()
        })
    );

    // V6: the six Skaraborg municipalities.
    let (v6, _) = commands.load::<Consortium>(&c(codes::V6)).await.expect("v6");
    assert_eq!(v6.current_members().len(), 6);

    // Arvika's twin towns: Kongsvinger (registered), Skive, Ylöjärvi.
    let (arvika_m, _) = commands.load::<Municipality>(&m(codes::ARVIKA)).await.expect("arvika");
    assert_eq!(arvika_m.twin_towns.len(), 3);
    assert!(arvika_m.twin_towns.contains_key(codes::KONGSVINGER));
    let (vanersborg, _) = commands
        .load::<Municipality>(&m(codes::VANERSBORG))
        .await
        .expect("vänersborg");
    assert!(vanersborg
        .twin_towns
        .values()
        .any(|t| t.partner.name == "Lich" && t.since.to_string() == "2011-01-01"));

    // The drafted V6 application waits for Skara; the others are in their end states.
    let (draft, _) = commands
        .load::<Application>(&ids::v6_draft_application())
        .await
        .expect("draft");
    assert_eq!(draft.status, ApplicationStatus::Draft);
    assert_eq!(draft.co_applicants.get(&m(codes::SKARA)), Some(&Answer::Pending));
    assert!(matches!(
        draft.co_applicants.get(&m(codes::GOTENE)),
        Some(Answer::Committed(_))
    ));
    let status = |id| {
        let commands = commands.clone();
        async move { commands.load::<Application>(&id).await.expect("application").0.status }
    };
    assert_eq!(
        status(ids::v6_submitted_application()).await,
        ApplicationStatus::Submitted
    );
    assert_eq!(
        status(ids::arko_approved_application()).await,
        ApplicationStatus::Approved
    );
    assert_eq!(
        status(ids::arko_rejected_application()).await,
        ApplicationStatus::Rejected
    );
    assert_eq!(
        status(ids::v6_withdrawn_application()).await,
        ApplicationStatus::Withdrawn
    );

    // A V6 project led by Lidköping runs through 2025 with Götene and Skara.
    let (skills, _) = commands
        .load::<Project>(&ids::v6_skills_project())
        .await
        .expect("project");
    assert_eq!(skills.status, ProjectStatus::Active);
    assert!(skills.partners.contains_key("SE-1471") && skills.partners.contains_key("SE-1495"));
    assert_eq!(
        skills.milestones[&ms("m2-utbildningar")].status,
        MilestoneStatus::Achieved
    );

    // Projects: the shoreline project is completed; the ARKO project is one
    // cross-border project (a Swedish and a Norwegian side, each with its
    // funder's decision, both countries' members as partners) with an
    // achieved, a cancelled and open milestones due in 2026–2027.
    let (shoreline, _) = commands
        .load::<Project>(&ids::shoreline_project())
        .await
        .expect("shoreline");
    assert_eq!(shoreline.status, ProjectStatus::Completed);
    assert!(shoreline
        .milestones
        .values()
        .all(|m| m.status == MilestoneStatus::Achieved));
    let (arko_se, _) = commands
        .load::<Project>(&ids::arko_project())
        .await
        .expect("arko project");
    assert_eq!(arko_se.status, ProjectStatus::Active);
    assert!(arko_se.partners.contains_key("SE-1730") && arko_se.partners.contains_key("NO-3401"));
    assert_eq!(arko_se.milestones[&ms("m1-uppstart")].status, MilestoneStatus::Achieved);
    assert_eq!(
        arko_se.milestones[&ms("m3-konferens")].status,
        MilestoneStatus::Cancelled
    );
    let m5 = &arko_se.milestones[&ms("m5-erfarenhetsseminarium")];
    assert_eq!(
        (m5.status, m5.due.to_string().as_str()),
        (MilestoneStatus::Planned, "2027-01-21")
    );
    // The demo does not register the approved application's project: the process manager does.
    let (approved_project, version) = commands
        .load::<Project>(&ids::arko_approved_project())
        .await
        .expect("approved project");
    assert_eq!((approved_project.status, version), (ProjectStatus::None, None));

    // Every demo event carries the loader's metadata.
    let events = store.read_all(None, 10_000).await.expect("read all");
    assert!(!events.is_empty());
    assert!(events
        .iter()
        .all(|e| e.metadata.actor.as_deref() == Some(demo::ACTOR)
            && e.metadata.actor_role.as_deref() == Some(demo::ROLE)));
}

#[test]
fn the_load_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let _guard = runtime.enter();
    let (commands, _) = open(&dir);
    let future = demo::load(&commands);
    assert_send(&future);
}
