use super::*;
use crate::testing::fixtures::{d, decision, m};
use crate::testing::*;

fn sid() -> StrategyId {
    StrategyId::from_name("vanersborg-2024")
}
fn vbg() -> MunicipalityCode {
    m("SE-1487")
}
fn content() -> StrategyContent {
    StrategyContent {
        focus_areas: vec!["External funding".into()],
        goals: vec![
            Goal {
                id: GoalId::parse("G1").unwrap(),
                title: "More external funding".into(),
                focus_area: Some("External funding".into()),
                activities: vec![],
            },
            Goal {
                id: GoalId::parse("G2").unwrap(),
                title: "Active twin towns".into(),
                focus_area: None,
                activities: vec![],
            },
        ],
        topics: vec!["EU programmes".into()],
    }
}
fn draft_cmd(content: StrategyContent) -> StrategyCommand {
    StrategyCommand::Draft {
        strategy: sid(),
        municipality: vbg(),
        title: "Strategi för Vänersborgs kommuns internationella arbete 2024–2028".into(),
        kind: DocumentKind::Strategy,
        owner: "Kommunstyrelsen".into(),
        responsible_role: "Avdelningschef Hållbar utveckling".into(),
        follow_up: FollowUpCadence::YearlyAndOncePerTerm,
        content,
    }
}
fn drafted() -> StrategyEvent {
    StrategyDrafted {
        strategy: sid(),
        municipality: vbg(),
        title: "Strategi för Vänersborgs kommuns internationella arbete 2024–2028".into(),
        kind: DocumentKind::Strategy,
        owner: "Kommunstyrelsen".into(),
        responsible_role: "Avdelningschef Hållbar utveckling".into(),
        follow_up: FollowUpCadence::YearlyAndOncePerTerm,
        content: content(),
    }
    .into()
}
fn kf() -> Decision {
    decision(DecisionBody::Council, d("2024-02-12"), "§ 12", "KS 2023/993")
}
fn validity() -> Period {
    Period::new(d("2024-02-12"), Some(d("2028-12-31"))).unwrap()
}
fn adopted() -> StrategyEvent {
    StrategyAdopted {
        strategy: sid(),
        municipality: vbg(),
        decision: kf(),
        validity: validity(),
    }
    .into()
}

#[test]
fn draft_happy_path_and_twice() {
    given_no_history::<Strategy>()
        .when(draft_cmd(content()))
        .then([drafted()]);
    given::<Strategy>([drafted()])
        .when(draft_cmd(content()))
        .then_error("already_exists");
}

#[test]
fn duplicate_goal_ids_are_rejected() {
    let mut c = content();
    c.goals[1].id = GoalId::parse("G1").unwrap();
    given_no_history::<Strategy>()
        .when(draft_cmd(c))
        .then_error("duplicate_goal_id");
}

#[test]
fn adopt_happy_path() {
    let s = given::<Strategy>([drafted()])
        .when(StrategyCommand::Adopt {
            decision: kf(),
            validity: validity(),
        })
        .then([adopted()]);
    assert_eq!(s.status, StrategyStatus::Adopted);
}

#[test]
fn adopt_by_a_committee_is_rejected() {
    let mut decision = kf();
    decision.body = DecisionBody::Committee;
    given::<Strategy>([drafted()])
        .when(StrategyCommand::Adopt {
            decision,
            validity: validity(),
        })
        .then_error("adoption_body_not_allowed");
}

#[test]
fn validity_ending_before_it_starts_is_rejected() {
    let validity = Period {
        start: d("2024-02-12"),
        end: Some(d("2023-12-31")),
    };
    given::<Strategy>([drafted()])
        .when(StrategyCommand::Adopt {
            decision: kf(),
            validity,
        })
        .then_error("period_ends_before_start");
}

#[test]
fn adopt_twice_or_undrafted_is_rejected() {
    given::<Strategy>([drafted(), adopted()])
        .when(StrategyCommand::Adopt {
            decision: kf(),
            validity: validity(),
        })
        .then_error("strategy_status");
    given_no_history::<Strategy>()
        .when(StrategyCommand::Adopt {
            decision: kf(),
            validity: validity(),
        })
        .then_error("not_found");
}

#[test]
fn revise_only_adopted() {
    given::<Strategy>([drafted()])
        .when(StrategyCommand::Revise {
            decision: kf(),
            content: content(),
            validity: validity(),
        })
        .then_error("strategy_status");
    given::<Strategy>([drafted(), adopted()])
        .when(StrategyCommand::Revise {
            decision: kf(),
            content: content(),
            validity: validity(),
        })
        .then_ok();
}

#[test]
fn supersede_rules() {
    let newer = StrategyId::from_name("newer");
    let s = given::<Strategy>([drafted(), adopted()])
        .when(StrategyCommand::Supersede {
            by: newer,
            effective_on: d("2024-02-12"),
        })
        .then([StrategySuperseded {
            strategy: sid(),
            municipality: vbg(),
            superseded_by: newer,
            effective_on: d("2024-02-12"),
        }
        .into()]);
    assert_eq!(s.status, StrategyStatus::Superseded);
    given::<Strategy>([drafted(), adopted()])
        .when(StrategyCommand::Supersede {
            by: sid(),
            effective_on: d("2024-02-12"),
        })
        .then_error("superseded_by_self");
    given::<Strategy>([drafted()])
        .when(StrategyCommand::Supersede {
            by: newer,
            effective_on: d("2024-02-12"),
        })
        .then_error("strategy_status");
}

#[test]
fn repeal_rules() {
    given::<Strategy>([drafted(), adopted()])
        .when(StrategyCommand::Repeal { decision: kf() })
        .then_ok();
    let repealed: StrategyEvent = StrategyRepealed {
        strategy: sid(),
        municipality: vbg(),
        decision: kf(),
    }
    .into();
    given::<Strategy>([drafted(), adopted(), repealed])
        .when(StrategyCommand::Repeal { decision: kf() })
        .then_error("strategy_status");
}

#[test]
fn follow_up_rules() {
    let year = Period::new(d("2024-01-01"), Some(d("2024-12-31"))).unwrap();
    let cmd = |period: Period| StrategyCommand::ReportFollowUp {
        period,
        reported_on: d("2025-03-01"),
        reported_to: DecisionBody::ExecutiveBoard,
        summary: "Uppföljning 2024".into(),
    };
    given::<Strategy>([drafted()])
        .when(cmd(year))
        .then_error("strategy_status");
    let reported: StrategyEvent = FollowUpReported {
        strategy: sid(),
        municipality: vbg(),
        period: year,
        reported_on: d("2025-03-01"),
        reported_to: DecisionBody::ExecutiveBoard,
        summary: "Uppföljning 2024".into(),
    }
    .into();
    given::<Strategy>([drafted(), adopted()])
        .when(cmd(year))
        .then([reported.clone()]);
    given::<Strategy>([drafted(), adopted(), reported])
        .when(cmd(year))
        .then_error("duplicate_follow_up");
    given::<Strategy>([drafted(), adopted()])
        .when(cmd(Period {
            start: d("2024-01-01"),
            end: None,
        }))
        .then_error("period_must_end");
    given::<Strategy>([drafted(), adopted()])
        .when(cmd(Period::new(d("2020-01-01"), Some(d("2020-12-31"))).unwrap()))
        .then_error("follow_up_before_adoption");
}
