//! Projection tests: real commands through the real embedded store on disk,
//! the real projection runner and process manager; assertions on the read models.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use samverkan_app::projections::Unrestricted;
use samverkan_app::projections::{rebuild, AsOf, ProjectFilter, Projections};
use samverkan_app::{CommandOutcome, ProcessManager};
use samverkan_domain::application::ApplicationStatus;
use samverkan_domain::application::{project_id_for, Application, ApplicationCommand, DraftApplication};
use samverkan_domain::consortium::{Consortium, ConsortiumCommand, Coordinator};
use samverkan_domain::municipality::{Municipality, MunicipalityCommand};
use samverkan_domain::project::ProjectStatus;
use samverkan_domain::project::{
    EuPriority, Financing, GoalRef, Participant, Project, ProjectCommand, RegisterProject,
};
use samverkan_domain::strategy::{DocumentKind, FollowUpCadence, Goal, Strategy, StrategyCommand, StrategyContent};
use samverkan_domain::testing::fixtures::{d, decision, m, sek};
use samverkan_domain::*;
use samverkan_eventstore::{EventMetadata, ExpectedVersion, NewEvent};
use uuid::Uuid;

mod support;
use support::{ctx, v6, World};

fn strategy_id() -> StrategyId {
    StrategyId::from_name("test-lidkoping-2020")
}
fn app_id() -> ApplicationId {
    ApplicationId::from_name("test-v6-app")
}
fn kf(date: &str) -> Decision {
    decision(DecisionBody::Council, d(date), "§ 1", "KS 2020/1")
}

async fn setup_v6(w: &World) -> CommandOutcome {
    for (code, name) in [
        ("SE-1494", "Lidköping"),
        ("SE-1495", "Skara"),
        ("SE-1470", "Vara"),
        ("SE-1487", "Vänersborg"),
    ] {
        w.register(code, name).await;
    }
    w.form_v6("Tourism, environment, purchasing", d("2000-01-01")).await;
    for code in ["SE-1494", "SE-1495", "SE-1470"] {
        w.join_v6(code, d("2000-01-01")).await;
    }
    w.commands
        .execute::<Consortium>(
            &v6(),
            ConsortiumCommand::AppointCoordinator {
                coordinator: Coordinator::Member {
                    municipality: m("SE-1494"),
                },
                from: d("2000-01-01"),
            },
            &ctx(),
        )
        .await
        .unwrap();
    w.commands
        .execute::<Strategy>(
            &strategy_id(),
            StrategyCommand::Draft {
                strategy: strategy_id(),
                municipality: m("SE-1494"),
                title: "Internationell strategi".into(),
                kind: DocumentKind::Strategy,
                owner: "Kommunstyrelsen".into(),
                responsible_role: "Utvecklings- och kommunikationschef".into(),
                follow_up: FollowUpCadence::Yearly,
                content: StrategyContent {
                    focus_areas: vec!["Extern finansiering".into()],
                    goals: vec![
                        Goal {
                            id: GoalId::parse("funding").unwrap(),
                            title: "Öka extern finansiering".into(),
                            focus_area: Some("Extern finansiering".into()),
                            activities: vec![],
                        },
                        Goal {
                            id: GoalId::parse("youth").unwrap(),
                            title: "Ungas internationella utbyten".into(),
                            focus_area: None,
                            activities: vec![],
                        },
                    ],
                    topics: vec!["EU".into()],
                },
            },
            &ctx(),
        )
        .await
        .unwrap();
    w.commands
        .execute::<Strategy>(
            &strategy_id(),
            StrategyCommand::Adopt {
                decision: kf("2020-09-28"),
                validity: Period::new(d("2020-09-28"), None).unwrap(),
            },
            &ctx(),
        )
        .await
        .unwrap()
}

fn draft() -> ApplicationCommand {
    ApplicationCommand::Draft(Box::new(DraftApplication {
        application: app_id(),
        consortium: v6(),
        consortium_members: BTreeSet::new(),
        title: "Hållbar besöksnäring".into(),
        programme: Programme {
            kind: ProgrammeKind::Interreg,
            name: "Interreg Europe".into(),
        },
        call: "Call 5".into(),
        lead_applicant: m("SE-1494"),
        deadline: "2099-01-01T00:00:00Z".parse().unwrap(),
        total_budget: sek(1_000_000),
        requested: sek(800_000),
        project_period: Period::new(d("2026-01-01"), Some(d("2028-12-31"))).unwrap(),
        serves_goals: vec![GoalRef {
            strategy: strategy_id(),
            goal: GoalId::parse("funding").unwrap(),
        }],
        eu_priorities: vec![EuPriority::Green],
        now: Utc::now(),
        call_ref: None,
        sides: vec![],
        call_rules: None,
    }))
}

fn board(case: &str) -> Decision {
    decision(DecisionBody::ExecutiveBoard, d("2026-03-01"), "§ 5", case)
}

/// Draft → invite → answers → assessment → submit → approve, with instants between steps.
async fn application_flow(w: &World) -> (DateTime<Utc>, DateTime<Utc>, CommandOutcome) {
    let a = app_id();
    w.commands.execute::<Application>(&a, draft(), &ctx()).await.unwrap();
    for code in ["SE-1495", "SE-1470"] {
        w.commands
            .execute::<Application>(
                &a,
                ApplicationCommand::Invite {
                    municipality: m(code),
                    consortium_members: BTreeSet::new(),
                },
                &ctx(),
            )
            .await
            .unwrap();
    }
    w.settle().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let after_invites = Utc::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    w.commands
        .execute::<Application>(
            &a,
            ApplicationCommand::CommitCoFinancing {
                municipality: m("SE-1495"),
                amount: sek(100_000),
                decision: board("KS 2026/12"),
            },
            &ctx(),
        )
        .await
        .unwrap();
    w.commands
        .execute::<Application>(
            &a,
            ApplicationCommand::CommitCoFinancing {
                municipality: m("SE-1494"),
                amount: sek(100_000),
                decision: board("KS 2026/3"),
            },
            &ctx(),
        )
        .await
        .unwrap();
    w.commands
        .execute::<Application>(
            &a,
            ApplicationCommand::DeclineCoFinancing {
                municipality: m("SE-1470"),
                reason: "Ingen budget 2026".into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    w.commands
        .execute::<Application>(
            &a,
            ApplicationCommand::RecordRiskAssessment {
                benefits: "Fler besökare".into(),
                risks: "Personalomsättning".into(),
                democracy_and_human_rights: "Alla partner är svenska kommuner".into(),
                assessed_on: d("2026-03-02"),
            },
            &ctx(),
        )
        .await
        .unwrap();
    w.commands
        .execute::<Application>(&a, ApplicationCommand::Submit { now: Utc::now() }, &ctx())
        .await
        .unwrap();
    w.settle().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let before_approval = Utc::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let approved = w
        .commands
        .execute::<Application>(
            &a,
            ApplicationCommand::Approve {
                granted: sek(700_000),
                decided_on: d("2026-06-01"),
                decision_reference: "JEMS-42".into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    (after_invites, before_approval, approved)
}

async fn wait_for_project(w: &World, id: ProjectId) {
    for _ in 0..200 {
        if w.projections.read().project(&id, None).is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("project {id} never appeared");
}

#[tokio::test]
async fn dashboards_follow_the_application_to_a_project() {
    let w = World::new().await;
    setup_v6(&w).await;
    let (after_invites, before_approval, approved) = application_flow(&w).await;
    let project = project_id_for(app_id());
    wait_for_project(&w, project).await;
    w.settle().await;
    let now = AsOf::now(Utc::now());
    let models = w.projections.read();

    // The process manager registered the project for the lead and the committed partner only.
    let p = models.project(&project, None).unwrap();
    assert_eq!(p.financing.grant, sek(700_000));
    assert_eq!(p.financing.co_financing, sek(200_000));
    assert_eq!(p.from_application, Some(app_id()));
    let skara = models.seen_by(&Unrestricted).dashboard(&m("SE-1495"), now).unwrap();
    assert!(skara
        .projects
        .iter()
        .any(|l| l.project.id == project && l.role == "partner"));
    let lidkoping = models.seen_by(&Unrestricted).dashboard(&m("SE-1494"), now).unwrap();
    assert!(lidkoping
        .projects
        .iter()
        .any(|l| l.project.id == project && l.role == "lead"));
    let vara = models.seen_by(&Unrestricted).dashboard(&m("SE-1470"), now).unwrap();
    assert!(
        vara.projects.iter().all(|l| l.project.id != project),
        "Vara declined and is no partner"
    );
    assert!(vara.action_list.is_empty());

    // Goals of Lidköping's strategy and the projects serving them (and one no project serves).
    let funding_goal = lidkoping
        .goals
        .iter()
        .find(|g| g.goal.id.as_str() == "funding")
        .unwrap();
    assert_eq!(
        funding_goal.projects,
        vec![(project, "Hållbar besöksnäring".to_string())]
    );
    assert!(lidkoping
        .goals
        .iter()
        .any(|g| g.goal.id.as_str() == "youth" && g.projects.is_empty()));
    assert_eq!(lidkoping.strategies_in_force.len(), 1);
    assert!(lidkoping
        .memberships
        .iter()
        .any(|x| x.consortium == v6() && x.coordinator));

    // Funding by year, programme and currency: Skara committed 100,000 SEK in
    // 2026; the grant is the lead's (Lidköping's), in the year of the decision.
    let line = skara
        .funding
        .iter()
        .find(|f| f.year == 2026 && f.programme == ProgrammeKind::Interreg && f.currency == Currency::SEK)
        .unwrap();
    assert_eq!(line.co_financing_minor, 100_000 * 100);
    assert_eq!(line.granted_minor, 0, "a partner is not credited with the lead's grant");
    let line = lidkoping
        .funding
        .iter()
        .find(|f| f.year == 2026 && f.programme == ProgrammeKind::Interreg && f.currency == Currency::SEK)
        .unwrap();
    assert_eq!(line.co_financing_minor, 100_000 * 100);
    assert_eq!(line.granted_minor, 700_000 * 100);

    // As of right after the invitations: the application sat on Skara's and Vara's action lists.
    let skara_then = models
        .seen_by(&Unrestricted)
        .dashboard(&m("SE-1495"), AsOf::past(after_invites))
        .unwrap();
    assert_eq!(skara_then.action_list.len(), 1);
    assert_eq!(skara_then.action_list[0].status, ApplicationStatus::Draft);
    assert!(skara_then.projects.is_empty());
    // As of before the approval: submitted, no project yet.
    let overview_then = models
        .seen_by(&Unrestricted)
        .consortium_overview(&v6(), AsOf::past(before_approval))
        .unwrap();
    assert_eq!(overview_then.applications_by_status["submitted"], 1);
    assert_eq!(overview_then.success_rate, None);
    assert!(overview_then.projects.is_empty());

    // Consortium overview now.
    let overview = models.seen_by(&Unrestricted).consortium_overview(&v6(), now).unwrap();
    assert_eq!(overview.applications_by_status["approved"], 1);
    assert_eq!(overview.success_rate, Some(1.0));
    assert_eq!(overview.granted.get(&Currency::SEK), Some(&(700_000 * 100)));
    assert_eq!(overview.requested.get(&Currency::SEK), Some(&(800_000 * 100)));
    assert_eq!(overview.projects.len(), 1);
    assert_eq!(overview.current_members.len(), 3);
    let skara_share = overview
        .member_co_financing
        .iter()
        .find(|x| x.municipality == m("SE-1495"))
        .unwrap();
    assert_eq!(skara_share.committed.get(&Currency::SEK), Some(&(100_000 * 100)));

    // Timeline: newest first, with the actor, paginated.
    let (page1, more) = models.seen_by(&Unrestricted).timeline("consortium:V6", None, 3, None);
    assert_eq!(page1.len(), 3);
    assert!(more);
    assert!(page1.windows(2).all(|w| w[0].position > w[1].position));
    assert_eq!(page1[0].actor.as_deref(), Some("process-manager"));
    let (page2, _) = models
        .seen_by(&Unrestricted)
        .timeline("consortium:V6", Some(page1[2].position), 3, None);
    assert!(page2[0].position < page1[2].position);
    assert!(
        approved.position > 0
            && models
                .seen_by(&Unrestricted)
                .timeline("municipality:SE-1495", None, 100, None)
                .0
                .iter()
                .any(|e| e.position == approved.position)
    );
}

#[tokio::test]
async fn read_your_writes_and_overdue_against_the_as_of_day() {
    let w = World::new().await;
    setup_v6(&w).await;
    let pid = ProjectId::from_name("test-project");
    let out = w
        .commands
        .execute::<Project>(
            &pid,
            ProjectCommand::Register(Box::new(RegisterProject {
                project: pid,
                title: "Ungdomsutbyte".into(),
                lead: Participant::Municipality { code: m("SE-1487") },
                partners: vec![Participant::External {
                    name: "Chobe District Council".into(),
                    country: CountryCode::parse("BW").unwrap(),
                }],
                programme: Programme {
                    kind: ProgrammeKind::Icld,
                    name: "ICLD".into(),
                },
                financing: Financing {
                    budget: sek(500_000),
                    grant: sek(500_000),
                    co_financing: sek(0),
                },
                period: Period::new(d("2020-01-01"), Some(d("2021-12-31"))).unwrap(),
                serves_goals: vec![],
                eu_priorities: vec![EuPriority::Inclusive],
                from_application: None,
                consortium: None,
                sides: vec![],
            })),
            &ctx(),
        )
        .await
        .unwrap();
    let out2 = w
        .commands
        .execute::<Project>(
            &pid,
            ProjectCommand::PlanMilestone {
                milestone: MilestoneId::parse("M1").unwrap(),
                title: "Study visit".into(),
                due: d("2020-06-01"),
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(out2.position > out.position);
    assert!(w.projections.wait_for(out2.position, Duration::from_secs(5)).await);
    let models = w.projections.read();
    let before = models
        .seen_by(&Unrestricted)
        .dashboard(
            &m("SE-1487"),
            AsOf {
                at: None,
                today: d("2020-05-01"),
            },
        )
        .unwrap();
    assert!(before.projects[0].overdue_milestones.is_empty());
    assert_eq!(before.projects[0].next_milestone.as_ref().unwrap().due, d("2020-06-01"));
    let after = models
        .seen_by(&Unrestricted)
        .dashboard(
            &m("SE-1487"),
            AsOf {
                at: None,
                today: d("2020-07-01"),
            },
        )
        .unwrap();
    assert_eq!(after.projects[0].overdue_milestones.len(), 1);
    let report = models
        .seen_by(&Unrestricted)
        .follow_up_report(
            &m("SE-1487"),
            2020,
            AsOf {
                at: None,
                today: d("2021-02-01"),
            },
        )
        .unwrap();
    assert_eq!(report.projects_active.len(), 1);
    assert!(report.projects_active[0].started_in_year);
    assert_eq!(report.milestones_missed.len(), 1);
    assert_eq!(report.projects_per_eu_priority.get("inclusive"), Some(&1));
    let list = models.projects(
        &ProjectFilter {
            programme: Some(ProgrammeKind::Icld),
            status: Some(ProjectStatus::Active),
            ..Default::default()
        },
        None,
    );
    assert_eq!(list.len(), 1);
    assert!(models
        .projects(
            &ProjectFilter {
                period: Some((d("2023-01-01"), d("2023-12-31"))),
                ..Default::default()
            },
            None
        )
        .is_empty());
}

#[tokio::test]
async fn follow_up_report_counts_strategies_and_applications() {
    let w = World::new().await;
    setup_v6(&w).await;
    application_flow(&w).await;
    wait_for_project(&w, project_id_for(app_id())).await;
    w.commands
        .execute::<Strategy>(
            &strategy_id(),
            StrategyCommand::ReportFollowUp {
                period: Period::new(d("2025-01-01"), Some(d("2025-12-31"))).unwrap(),
                reported_on: d("2026-03-15"),
                reported_to: DecisionBody::ExecutiveBoard,
                summary: "Uppföljning 2025".into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    w.settle().await;
    let models = w.projections.read();
    let r2020 = models
        .seen_by(&Unrestricted)
        .follow_up_report(&m("SE-1494"), 2020, AsOf::now(Utc::now()))
        .unwrap();
    assert_eq!(r2020.strategies_adopted.len(), 1);
    let r2026 = models
        .seen_by(&Unrestricted)
        .follow_up_report(&m("SE-1494"), 2026, AsOf::now(Utc::now()))
        .unwrap();
    assert_eq!(r2026.applications.len(), 1);
    assert_eq!(r2026.applications[0].status, ApplicationStatus::Approved);
    assert_eq!(r2026.projects_active.len(), 1);
    assert_eq!(r2026.projects_per_focus_area.get("Extern finansiering"), Some(&1));
    let obtained: i128 = r2026.funding_obtained.iter().map(|f| f.granted_minor).sum();
    assert_eq!(obtained, 700_000 * 100);
    // 2025 reported, so the next yearly follow-up covers 2026 and is due 2027-03-31.
    let dash = models
        .seen_by(&Unrestricted)
        .dashboard(
            &m("SE-1494"),
            AsOf {
                at: None,
                today: d("2026-11-23"),
            },
        )
        .unwrap();
    assert_eq!(dash.strategies_in_force[0].next_follow_up_due, Some(d("2027-03-31")));
}

#[tokio::test]
async fn rebuild_restart_and_unknown_events() {
    let w = World::new().await;
    setup_v6(&w).await;
    application_flow(&w).await;
    wait_for_project(&w, project_id_for(app_id())).await;
    // An event type from a future version of Samverkan: skipped with a warning, not a crash.
    w.store
        .append(
            "future-1",
            ExpectedVersion::Any,
            vec![NewEvent {
                id: Uuid::new_v4(),
                event_type: "SomethingFromTheFuture".into(),
                schema_version: 1,
                data: b"{}".to_vec(),
                metadata: EventMetadata::default(),
            }],
        )
        .await
        .unwrap();
    w.settle().await;
    assert_eq!(w.projections.read().skipped(), 1);

    // A full rebuild from the log gives identical read models.
    let rebuilt = rebuild(w.store.as_ref()).await.unwrap();
    let live = serde_json::to_value(&*w.projections.read()).unwrap();
    assert_eq!(serde_json::to_value(&rebuilt).unwrap(), live);

    // Restart: snapshot + checkpoint, then continue where it stopped.
    w.projections.save_snapshot().unwrap();
    let checkpoint = w.projections.position();
    let restarted = Projections::new(Some(w.dir.join("projections.json")));
    assert_eq!(
        restarted.position(),
        checkpoint,
        "restart continues from the saved checkpoint"
    );
    restarted.start(w.store.clone());
    let out = w
        .commands
        .execute::<Municipality>(
            &m("SE-1445"),
            MunicipalityCommand::Register {
                code: m("SE-1445"),
                name: "Essunga".into(),
                code_valid_from: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(restarted.wait_for(out.position, Duration::from_secs(5)).await);
    assert!(w.projections.wait_for(out.position, Duration::from_secs(5)).await);
    let rebuilt = rebuild(w.store.as_ref()).await.unwrap();
    assert_eq!(
        serde_json::to_value(&*restarted.read()).unwrap(),
        serde_json::to_value(&rebuilt).unwrap()
    );
    assert_eq!(
        serde_json::to_value(&*w.projections.read()).unwrap(),
        serde_json::to_value(&rebuilt).unwrap()
    );
}

#[tokio::test]
async fn process_manager_registers_exactly_once_across_restarts() {
    let w = World::new().await;
    setup_v6(&w).await;
    application_flow(&w).await;
    let project = project_id_for(app_id());
    wait_for_project(&w, project).await;
    // Two more process managers replay the whole log from scratch (no checkpoint).
    let a = ProcessManager::new(w.commands.clone(), None).start(w.store.clone());
    let b = ProcessManager::new(w.commands.clone(), Some(w.dir.join("pm2.checkpoint"))).start(w.store.clone());
    tokio::time::sleep(Duration::from_millis(500)).await;
    w.settle().await;
    a.abort();
    b.abort();
    let stream = w
        .store
        .read_stream(
            &format!("project-{project}"),
            samverkan_eventstore::Direction::Forwards,
            Some(0),
            100,
        )
        .await
        .unwrap();
    assert_eq!(stream.len(), 1, "exactly one ProjectRegistered");
    assert_eq!(stream[0].event_type, "ProjectRegistered");
}

#[tokio::test]
async fn retried_command_appends_nothing_and_returns_the_same_outcome() {
    let w = World::new().await;
    setup_v6(&w).await;
    let c = ctx();
    let first = w
        .commands
        .execute::<Consortium>(
            &v6(),
            ConsortiumCommand::Join {
                municipality: m("SE-1487"),
                joined_on: d("2024-01-01"),
            },
            &c,
        )
        .await
        .unwrap();
    let head = w.store.head_position().await.unwrap();
    let again = w
        .commands
        .execute::<Consortium>(
            &v6(),
            ConsortiumCommand::Join {
                municipality: m("SE-1487"),
                joined_on: d("2024-01-01"),
            },
            &c,
        )
        .await
        .unwrap();
    assert_eq!(again.position, first.position);
    assert_eq!(again.appended, 0);
    assert_eq!(w.store.head_position().await.unwrap(), head);
    // A different command id for the same join breaks the rule instead.
    let err = w
        .commands
        .execute::<Consortium>(
            &v6(),
            ConsortiumCommand::Join {
                municipality: m("SE-1487"),
                joined_on: d("2024-01-01"),
            },
            &ctx(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        samverkan_app::AppError::Domain(DomainError::AlreadyMember { .. })
    ));
    // A pinned wrong expected version is a conflict and writes nothing.
    let mut pinned = ctx();
    pinned.expected_version = Some(ExpectedVersion::Exact(0));
    let err = w
        .commands
        .execute::<Consortium>(
            &v6(),
            ConsortiumCommand::Leave {
                municipality: m("SE-1487"),
                left_on: d("2025-01-01"),
            },
            &pinned,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, samverkan_app::AppError::Conflict(_)));
    assert_eq!(w.store.head_position().await.unwrap(), head);
}

#[tokio::test]
async fn concurrent_commands_on_one_aggregate_are_redecided() {
    let w = World::new().await;
    setup_v6(&w).await;
    let codes = [
        "SE-1445", "SE-1444", "SE-1471", "SE-1487", "SE-1784", "SE-1730", "SE-1737", "SE-1766",
    ];
    let mut tasks = vec![];
    for code in codes {
        let c = w.commands.clone();
        tasks.push(tokio::spawn(async move {
            c.execute::<Consortium>(
                &v6(),
                ConsortiumCommand::Join {
                    municipality: m(code),
                    joined_on: d("2024-01-01"),
                },
                &ctx(),
            )
            .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let (state, _) = w.commands.load::<Consortium>(&v6()).await.unwrap();
    assert_eq!(state.current_members().len(), 3 + codes.len());
}
