use super::*;
use crate::testing::fixtures::{d, ms, sek};
use crate::testing::*;
use crate::{CountryCode, Currency, Money, Period, Programme, ProgrammeKind};

fn pid() -> ProjectId {
    ProjectId::from_name("waste")
}
fn m(s: &str) -> Participant {
    Participant::Municipality {
        code: crate::testing::fixtures::m(s),
    }
}
fn chobe() -> Participant {
    Participant::External {
        name: "Chobe District Council".into(),
        country: CountryCode::parse("BW").unwrap(),
    }
}
fn financing(budget: i64, grant: i64) -> Financing {
    Financing {
        budget: sek(budget),
        grant: sek(grant),
        co_financing: sek((budget - grant).max(0)),
    }
}
fn register(financing: Financing, period: Period) -> RegisterProject {
    RegisterProject {
        project: pid(),
        title: "Waste management".into(),
        lead: m("SE-1487"),
        partners: vec![chobe()],
        programme: Programme {
            kind: ProgrammeKind::Icld,
            name: "ICLD Municipal Partnership".into(),
        },
        financing,
        period,
        serves_goals: vec![],
        eu_priorities: vec![EuPriority::Green, EuPriority::Green],
        from_application: None,
        consortium: None,
        sides: vec![],
    }
}
fn period() -> Period {
    Period::new(d("2018-01-01"), Some(d("2019-12-31"))).unwrap()
}
fn registered() -> ProjectEvent {
    let r = register(financing(1000, 800), period());
    ProjectRegistered {
        project: r.project,
        title: r.title,
        lead: r.lead,
        partners: r.partners,
        programme: r.programme,
        financing: r.financing,
        period: r.period,
        serves_goals: vec![],
        eu_priorities: vec![EuPriority::Green],
        from_application: None,
        consortium: None,
        sides: Box::default(),
    }
    .into()
}
fn planned(id: &str, due: &str) -> ProjectEvent {
    MilestonePlanned {
        project: pid(),
        milestone: MilestoneId::parse(id).unwrap(),
        title: "Kick-off".into(),
        due: d(due),
    }
    .into()
}
#[test]
fn register_happy_path_dedups_priorities() {
    given_no_history::<Project>()
        .when(ProjectCommand::Register(Box::new(register(
            financing(1000, 800),
            period(),
        ))))
        .then([registered()]);
    given::<Project>([registered()])
        .when(ProjectCommand::Register(Box::new(register(
            financing(1000, 800),
            period(),
        ))))
        .then_error("already_exists");
}

#[test]
fn grant_above_budget_is_rejected() {
    given_no_history::<Project>()
        .when(ProjectCommand::Register(Box::new(register(
            financing(1000, 1200),
            period(),
        ))))
        .then_error("grant_exceeds_budget");
}

#[test]
fn mixed_currencies_are_rejected() {
    let mut f = financing(1000, 800);
    f.grant = Money::major(800, Currency::NOK).unwrap();
    given_no_history::<Project>()
        .when(ProjectCommand::Register(Box::new(register(f, period()))))
        .then_error("currency_mismatch");
}

#[test]
fn open_period_and_duplicates_rejected() {
    given_no_history::<Project>()
        .when(ProjectCommand::Register(Box::new(register(
            financing(10, 5),
            Period {
                start: d("2018-01-01"),
                end: None,
            },
        ))))
        .then_error("period_must_end");
    let mut r = register(financing(10, 5), period());
    r.partners.push(m("SE-1487"));
    given_no_history::<Project>()
        .when(ProjectCommand::Register(Box::new(r)))
        .then_error("duplicate_participant");
}

#[test]
fn milestone_lifecycle() {
    given::<Project>([registered()])
        .when(ProjectCommand::PlanMilestone {
            milestone: ms("M1"),
            title: "Kick-off".into(),
            due: d("2018-03-01"),
        })
        .then([planned("M1", "2018-03-01")]);
    given::<Project>([registered(), planned("M1", "2018-03-01")])
        .when(ProjectCommand::PlanMilestone {
            milestone: ms("M1"),
            title: "Again".into(),
            due: d("2018-03-01"),
        })
        .then_error("duplicate_milestone");
    given::<Project>([registered()])
        .when(ProjectCommand::PlanMilestone {
            milestone: ms("M2"),
            title: "Late".into(),
            due: d("2021-01-01"),
        })
        .then_error("outside_project_period");
    given::<Project>([registered(), planned("M1", "2018-03-01")])
        .when(ProjectCommand::RescheduleMilestone {
            milestone: ms("M1"),
            new_due: d("2018-04-01"),
            reason: "Elections".into(),
        })
        .then([MilestoneRescheduled {
            project: pid(),
            milestone: ms("M1"),
            previous_due: d("2018-03-01"),
            new_due: d("2018-04-01"),
            reason: "Elections".into(),
        }
        .into()]);
    given::<Project>([registered(), planned("M1", "2018-03-01")])
        .when(ProjectCommand::RescheduleMilestone {
            milestone: ms("M1"),
            new_due: d("2018-03-01"),
            reason: "x".into(),
        })
        .then_error("reschedule_to_same_date");
    given::<Project>([registered()])
        .when(ProjectCommand::AchieveMilestone {
            milestone: ms("M9"),
            achieved_on: d("2018-03-01"),
        })
        .then_error("unknown_milestone");
    let achieved: ProjectEvent = MilestoneAchieved {
        project: pid(),
        milestone: ms("M1"),
        achieved_on: d("2018-03-02"),
    }
    .into();
    given::<Project>([registered(), planned("M1", "2018-03-01")])
        .when(ProjectCommand::AchieveMilestone {
            milestone: ms("M1"),
            achieved_on: d("2018-03-02"),
        })
        .then([achieved.clone()]);
    given::<Project>([registered(), planned("M1", "2018-03-01"), achieved.clone()])
        .when(ProjectCommand::AchieveMilestone {
            milestone: ms("M1"),
            achieved_on: d("2018-03-02"),
        })
        .then_error("milestone_already_achieved");
    given::<Project>([registered(), planned("M1", "2018-03-01"), achieved])
        .when(ProjectCommand::CancelMilestone {
            milestone: ms("M1"),
            reason: "x".into(),
        })
        .then_error("milestone_already_achieved");
}

#[test]
fn achieving_a_cancelled_milestone_is_rejected() {
    let cancelled: ProjectEvent = MilestoneCancelled {
        project: pid(),
        milestone: ms("M1"),
        reason: "Covid".into(),
    }
    .into();
    given::<Project>([registered(), planned("M1", "2018-03-01")])
        .when(ProjectCommand::CancelMilestone {
            milestone: ms("M1"),
            reason: "Covid".into(),
        })
        .then([cancelled.clone()]);
    given::<Project>([registered(), planned("M1", "2018-03-01"), cancelled.clone()])
        .when(ProjectCommand::AchieveMilestone {
            milestone: ms("M1"),
            achieved_on: d("2018-03-02"),
        })
        .then_error("milestone_cancelled");
    given::<Project>([registered(), planned("M1", "2018-03-01"), cancelled])
        .when(ProjectCommand::RescheduleMilestone {
            milestone: ms("M1"),
            new_due: d("2018-05-01"),
            reason: "x".into(),
        })
        .then_error("milestone_cancelled");
}

#[test]
fn budget_amendment_rules() {
    given::<Project>([registered()])
        .when(ProjectCommand::AmendBudget {
            financing: financing(2000, 1500),
            reason: "Extra activities".into(),
        })
        .then_ok();
    given::<Project>([registered()])
        .when(ProjectCommand::AmendBudget {
            financing: financing(100, 500),
            reason: "x".into(),
        })
        .then_error("grant_exceeds_budget");
}

#[test]
fn partners_join_and_leave() {
    given::<Project>([registered()])
        .when(ProjectCommand::AddPartner {
            partner: chobe(),
            joined_on: d("2018-06-01"),
        })
        .then_error("duplicate_participant");
    let s = given::<Project>([registered()])
        .when(ProjectCommand::AddPartner {
            partner: m("SE-1494"),
            joined_on: d("2018-06-01"),
        })
        .then_ok();
    assert!(s.partners.contains_key("SE-1494"));
    given::<Project>([registered()])
        .when(ProjectCommand::RemovePartner {
            partner_key: "SE-1487".into(),
            left_on: d("2018-06-01"),
        })
        .then_error("lead_cannot_leave");
    given::<Project>([registered()])
        .when(ProjectCommand::RemovePartner {
            partner_key: "SE-1494".into(),
            left_on: d("2018-06-01"),
        })
        .then_error("not_a_partner");
    given::<Project>([registered()])
        .when(ProjectCommand::RemovePartner {
            partner_key: chobe().key(),
            left_on: d("2018-06-01"),
        })
        .then_ok();
}

#[test]
fn completion_rules() {
    given::<Project>([registered(), planned("M1", "2018-03-01")])
        .when(ProjectCommand::Complete {
            completed_on: d("2019-12-31"),
        })
        .then_error("open_milestones_remain");
    let done: ProjectEvent = ProjectCompleted {
        project: pid(),
        completed_on: d("2019-12-31"),
    }
    .into();
    given::<Project>([registered()])
        .when(ProjectCommand::Complete {
            completed_on: d("2019-12-31"),
        })
        .then([done.clone()]);
    given::<Project>([registered(), done])
        .when(ProjectCommand::PlanMilestone {
            milestone: ms("M1"),
            title: "x".into(),
            due: d("2018-03-01"),
        })
        .then_error("project_closed");
    let cancelled: ProjectEvent = ProjectCancelled {
        project: pid(),
        cancelled_on: d("2018-06-01"),
        reason: "No funding".into(),
    }
    .into();
    given::<Project>([registered()])
        .when(ProjectCommand::Cancel {
            cancelled_on: d("2018-06-01"),
            reason: "No funding".into(),
        })
        .then([cancelled.clone()]);
    given::<Project>([registered(), cancelled])
        .when(ProjectCommand::Cancel {
            cancelled_on: d("2018-06-01"),
            reason: "x".into(),
        })
        .then_error("project_closed");
    given_no_history::<Project>()
        .when(ProjectCommand::Cancel {
            cancelled_on: d("2018-06-01"),
            reason: "x".into(),
        })
        .then_error("not_found");
}

#[test]
fn v1_registration_is_upcast_without_sides_and_sides_are_checked() {
    use crate::DomainEvent;
    // Given a version 1 body (before cross-border sides) …
    let ProjectEvent::ProjectRegistered(mut v2) = registered() else {
        unreachable!()
    };
    let v1 = serde_json::to_value(&v2).unwrap();
    assert!(v1.get("sides").is_none(), "no sides: the body is as version 1 wrote it");
    // … it decodes with no sides, as version 2.
    let e = ProjectEvent::from_json("ProjectRegistered", 1, v1.to_string().as_bytes()).unwrap();
    assert_eq!(e, v2.clone().into());
    assert_eq!(e.schema_version(), 2);

    // A side whose decision grants more than the side asked for is refused.
    let side = crate::cross_border::ProjectSide {
        budget: crate::programme::SideBudget {
            country: CountryCode::parse("NO").unwrap(),
            fund: "IR".into(),
            total: Money::major(100, Currency::NOK).unwrap(),
            requested: Money::major(50, Currency::NOK).unwrap(),
            conversion: None,
            converted_total: None,
            converted_requested: None,
        },
        decision: crate::cross_border::SideDecision {
            country: CountryCode::parse("NO").unwrap(),
            fund: "IR".into(),
            funder: "Innlandet fylkeskommune".into(),
            decided_on: d("2018-01-10"),
            decision_reference: "2018/1".into(),
            granted: Some(Money::major(51, Currency::NOK).unwrap()),
            converted_granted: None,
            refusal_reason: None,
        },
    };
    let mut r = register(financing(1000, 800), period());
    r.sides = vec![side.clone()];
    given_no_history::<Project>()
        .when(ProjectCommand::Register(Box::new(r.clone())))
        .then_error("grant_exceeds_request");
    // Within the request it is registered with its side.
    r.sides[0].decision.granted = Some(Money::major(50, Currency::NOK).unwrap());
    v2.sides = Box::new(r.sides.clone());
    given_no_history::<Project>()
        .when(ProjectCommand::Register(Box::new(r)))
        .then([v2.into()]);
}

mod personal;
mod result;
