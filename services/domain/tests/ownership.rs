//! Who owns an aggregate, as its folded state says (`Aggregate::target`), and
//! what a command needs from other aggregates (`Aggregate::needs`): given
//! events, when a command, then the target.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use samverkan_domain::application::{Application, ApplicationCommand, ApplicationEvent, ApplicationState};
use samverkan_domain::project::{Financing, Participant, Project, ProjectCommand, RegisterProject};
use samverkan_domain::strategy::{DocumentKind, FollowUpCadence, Strategy, StrategyCommand, StrategyContent};
use samverkan_domain::{
    Aggregate, ApplicationId, CommandTarget, ConsortiumCode, CountryCode, Currency, Decider, Money, Need, Period,
    Programme, ProgrammeKind, ProjectId, StrategyId,
};

use samverkan_domain::testing::fixtures::{c, d as day, m};

fn v6() -> ConsortiumCode {
    c("V6")
}

/// The state after `command` on a new aggregate.
fn after<A: Aggregate>(command: &A::Command) -> A::State {
    let events = A::decide(&A::State::default(), command).unwrap();
    A::fold(&events)
}

#[test]
fn a_strategy_is_owned_by_the_municipality_that_drafted_it() {
    let id = StrategyId::from_name("ownership");
    let draft = |by: &str| StrategyCommand::Draft {
        strategy: id,
        municipality: m(by),
        title: "Internationell strategi".into(),
        kind: DocumentKind::Strategy,
        owner: "Kommunfullmäktige".into(),
        responsible_role: "Kanslichef".into(),
        follow_up: FollowUpCadence::Yearly,
        content: StrategyContent {
            focus_areas: vec![],
            goals: vec![],
            topics: vec![],
        },
    };
    let repeal = StrategyCommand::Supersede {
        by: StrategyId::from_name("newer"),
        effective_on: day("2026-01-01"),
    };
    let none = Default::default();
    assert_eq!(Strategy::target(&id, &none, &repeal), CommandTarget::Unknown);
    assert_eq!(
        Strategy::target(&id, &none, &draft("SE-1487")),
        CommandTarget::Municipality(m("SE-1487"))
    );
    let drafted = after::<Strategy>(&draft("SE-1487"));
    assert_eq!(
        Strategy::target(&id, &drafted, &repeal),
        CommandTarget::Municipality(m("SE-1487"))
    );
    // A draft names its municipality itself (and is refused as existing).
    assert_eq!(
        Strategy::target(&id, &drafted, &draft("SE-1494")),
        CommandTarget::Municipality(m("SE-1494"))
    );
}

fn register(lead: Participant, consortium: Option<ConsortiumCode>, from: Option<ApplicationId>) -> ProjectCommand {
    let sek = |minor| Money::new(minor, Currency::SEK).unwrap();
    ProjectCommand::Register(Box::new(RegisterProject {
        project: ProjectId::from_name("ownership"),
        title: "Vänort".into(),
        lead,
        partners: vec![],
        programme: Programme {
            kind: ProgrammeKind::Interreg,
            name: "Interreg".into(),
        },
        financing: Financing {
            budget: sek(100),
            grant: sek(50),
            co_financing: sek(50),
        },
        period: Period::new(day("2025-01-01"), Some(day("2026-12-31"))).unwrap(),
        serves_goals: vec![],
        eu_priorities: vec![],
        from_application: from,
        consortium,
        sides: vec![],
    }))
}

#[test]
fn a_project_is_run_by_its_lead_and_by_the_consortium_whose_application_it_came_from() {
    let id = ProjectId::from_name("ownership");
    let complete = ProjectCommand::Complete {
        completed_on: day("2026-12-31"),
    };
    let lead = || Participant::Municipality { code: m("SE-1494") };
    let runs = |command: &ProjectCommand| Project::target(&id, &after::<Project>(command), &complete);
    assert_eq!(
        Project::target(&id, &Default::default(), &complete),
        CommandTarget::Unknown
    );
    // Registered by the municipality itself: naming a consortium gives it no say.
    assert_eq!(
        runs(&register(lead(), Some(v6()), None)),
        CommandTarget::Project {
            lead: Some(m("SE-1494")),
            consortium: None
        }
    );
    // From the consortium's approved application: both.
    assert_eq!(
        runs(&register(lead(), Some(v6()), Some(ApplicationId::from_name("a")))),
        CommandTarget::Project {
            lead: Some(m("SE-1494")),
            consortium: Some(v6())
        }
    );
    // Led by an organisation outside Samverkan: the consortium.
    let external = Participant::External {
        name: "Chobe District Council".into(),
        country: CountryCode::parse("BW").unwrap(),
    };
    assert_eq!(
        runs(&register(external, Some(v6()), None)),
        CommandTarget::Project {
            lead: None,
            consortium: Some(v6())
        }
    );
}

#[test]
fn an_application_is_run_by_its_consortium_and_answered_by_each_municipality() {
    let id = ApplicationId::from_name("ownership");
    let invite = ApplicationCommand::Invite {
        municipality: m("SE-1487"),
        consortium_members: Default::default(),
    };
    let decline = ApplicationCommand::DeclineCoFinancing {
        municipality: m("SE-1487"),
        reason: "No budget".into(),
    };
    let none = ApplicationState::default();
    assert_eq!(Application::target(&id, &none, &invite), CommandTarget::Unknown);
    assert_eq!(Application::needs(&id, &none, &invite), None, "nothing to invite to");

    let drafted = serde_json::json!({
        "application": id, "consortium": "V6", "title": "Hållbar besöksnäring",
        "programme": { "kind": "interreg", "name": "Interreg" }, "call": "Huvudprojekt",
        "lead_applicant": "SE-1494", "deadline": "2030-02-15T22:59:00Z",
        "total_budget": { "amount_minor": 600, "currency": "SEK" },
        "requested": { "amount_minor": 300, "currency": "SEK" },
        "project_period": { "start": "2030-09-01", "end": "2032-08-31" },
        "serves_goals": [], "eu_priorities": [], "drafted_at": "2029-01-01T00:00:00Z"
    });
    let drafted = ApplicationEvent::ApplicationDrafted(serde_json::from_value(drafted).unwrap());
    let state = Application::fold([&drafted]);
    assert_eq!(
        Application::target(&id, &state, &invite),
        CommandTarget::Application { consortium: v6() }
    );
    assert_eq!(
        Application::target(&id, &state, &decline),
        CommandTarget::CoFinancing {
            consortium: v6(),
            municipality: m("SE-1487")
        }
    );
    assert_eq!(
        Application::needs(&id, &state, &invite),
        Some(Need::ConsortiumMembers(v6()))
    );
    assert_eq!(Application::needs(&id, &state, &decline), None);
}
