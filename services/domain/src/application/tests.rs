use std::collections::BTreeSet;

use super::*;
use crate::project::EuPriority;
use crate::testing::fixtures::{d, decision as with_case, m, sek, t};
use crate::testing::*;
use crate::{
    ConsortiumCode, Currency, Decision, DecisionBody, Money, MunicipalityCode, Period, Programme, ProgrammeKind,
};

fn aid() -> ApplicationId {
    ApplicationId::from_name("v6-interreg")
}
fn v6_members() -> BTreeSet<MunicipalityCode> {
    ["SE-1445", "SE-1444", "SE-1471", "SE-1494", "SE-1495", "SE-1470"]
        .into_iter()
        .map(m)
        .collect()
}
fn draft_cmd() -> DraftApplication {
    DraftApplication {
        application: aid(),
        consortium: ConsortiumCode::parse("V6").unwrap(),
        consortium_members: v6_members(),
        title: "Hållbar besöksnäring i Västra Skaraborg".into(),
        programme: Programme {
            kind: ProgrammeKind::Interreg,
            name: "Interreg Europe".into(),
        },
        call: "Fourth call".into(),
        lead_applicant: m("SE-1494"),
        deadline: t("2025-09-15T21:59:59Z"),
        total_budget: sek(1_000_000),
        requested: sek(800_000),
        project_period: Period::new(d("2026-01-01"), Some(d("2028-12-31"))).unwrap(),
        serves_goals: vec![],
        eu_priorities: vec![EuPriority::Green],
        now: t("2025-05-01T08:00:00Z"),
        call_ref: None,
        sides: vec![],
        call_rules: None,
    }
}
fn drafted() -> ApplicationEvent {
    let c = draft_cmd();
    ApplicationDrafted {
        application: c.application,
        consortium: c.consortium,
        title: c.title,
        programme: c.programme,
        call: c.call,
        lead_applicant: c.lead_applicant,
        deadline: c.deadline,
        total_budget: c.total_budget,
        requested: c.requested,
        project_period: c.project_period,
        serves_goals: c.serves_goals,
        eu_priorities: c.eu_priorities,
        drafted_at: c.now,
        call_rules: None,
        sides: vec![],
    }
    .into()
}
fn invited(code: &str) -> ApplicationEvent {
    CoApplicantInvited {
        application: aid(),
        municipality: m(code),
        asked: None,
    }
    .into()
}
fn decision(case: &str) -> Decision {
    with_case(DecisionBody::ExecutiveBoard, d("2025-06-01"), "§ 101", case)
}
fn committed(code: &str, units: i64) -> ApplicationEvent {
    CoFinancingCommitted {
        application: aid(),
        municipality: m(code),
        amount: sek(units),
        decision: decision("KS 2025/77"),
        terms: None,
    }
    .into()
}
fn assessed() -> ApplicationEvent {
    RiskAssessmentRecorded {
        application: aid(),
        benefits: "More visitors".into(),
        risks: "Staff turnover".into(),
        democracy_and_human_rights: "All partners are Swedish municipalities".into(),
        assessed_on: d("2025-06-10"),
    }
    .into()
}
fn submitted() -> ApplicationEvent {
    ApplicationSubmitted {
        application: aid(),
        submitted_at: t("2025-09-01T10:00:00Z"),
        co_financing: sek(100_000),
    }
    .into()
}
fn ready() -> Vec<ApplicationEvent> {
    vec![drafted(), invited("SE-1495"), committed("SE-1495", 100_000), assessed()]
}

#[test]
fn draft_happy_path() {
    given_no_history::<Application>()
        .when(ApplicationCommand::Draft(Box::new(draft_cmd())))
        .then([drafted()]);
    given::<Application>([drafted()])
        .when(ApplicationCommand::Draft(Box::new(draft_cmd())))
        .then_error("already_exists");
}

#[test]
fn draft_rules() {
    let mut c = draft_cmd();
    c.lead_applicant = m("SE-1784");
    given_no_history::<Application>()
        .when(ApplicationCommand::Draft(Box::new(c)))
        .then_error("not_a_member");
    let mut c = draft_cmd();
    c.requested = sek(2_000_000);
    given_no_history::<Application>()
        .when(ApplicationCommand::Draft(Box::new(c)))
        .then_error("request_exceeds_budget");
    let mut c = draft_cmd();
    c.requested = Money::major(5, Currency::EUR).unwrap();
    given_no_history::<Application>()
        .when(ApplicationCommand::Draft(Box::new(c)))
        .then_error("currency_mismatch");
    let mut c = draft_cmd();
    c.now = t("2025-10-01T00:00:00Z");
    given_no_history::<Application>()
        .when(ApplicationCommand::Draft(Box::new(c)))
        .then_error("deadline_passed");
    let mut c = draft_cmd();
    c.project_period = Period {
        start: d("2026-01-01"),
        end: Some(d("2025-01-01")),
    };
    given_no_history::<Application>()
        .when(ApplicationCommand::Draft(Box::new(c)))
        .then_error("period_ends_before_start");
}

#[test]
fn invite_rules() {
    given::<Application>([drafted()])
        .when(ApplicationCommand::Invite {
            municipality: m("SE-1495"),
            consortium_members: v6_members(),
        })
        .then([invited("SE-1495")]);
    given::<Application>([drafted()])
        .when(ApplicationCommand::Invite {
            municipality: m("SE-1487"),
            consortium_members: v6_members(),
        })
        .then_error("not_a_member");
    given::<Application>([drafted()])
        .when(ApplicationCommand::Invite {
            municipality: m("SE-1494"),
            consortium_members: v6_members(),
        })
        .then_error("lead_cannot_be_invited");
    given::<Application>([drafted(), invited("SE-1495")])
        .when(ApplicationCommand::Invite {
            municipality: m("SE-1495"),
            consortium_members: v6_members(),
        })
        .then_error("already_invited");
    given_no_history::<Application>()
        .when(ApplicationCommand::Invite {
            municipality: m("SE-1495"),
            consortium_members: v6_members(),
        })
        .then_error("not_found");
}

#[test]
fn commitment_rules() {
    given::<Application>([drafted(), invited("SE-1495")])
        .when(ApplicationCommand::CommitCoFinancing {
            municipality: m("SE-1495"),
            amount: sek(100_000),
            decision: decision("KS 2025/77"),
        })
        .then([committed("SE-1495", 100_000)]);
    // A commitment from a municipality that is not in the consortium (never invited).
    given::<Application>([drafted(), invited("SE-1495")])
        .when(ApplicationCommand::CommitCoFinancing {
            municipality: m("SE-1487"),
            amount: sek(1),
            decision: decision("KS 1"),
        })
        .then_error("not_invited");
    given::<Application>([drafted(), invited("SE-1495")])
        .when(ApplicationCommand::CommitCoFinancing {
            municipality: m("SE-1495"),
            amount: Money::major(1, Currency::NOK).unwrap(),
            decision: decision("KS 1"),
        })
        .then_error("currency_mismatch");
    // The lead may commit its own share without an invitation.
    let s = given::<Application>([drafted()])
        .when(ApplicationCommand::CommitCoFinancing {
            municipality: m("SE-1494"),
            amount: sek(50_000),
            decision: decision("KS 2025/1"),
        })
        .then_ok();
    assert_eq!(s.lead_commitment, Some(sek(50_000)));
}

#[test]
fn decline_rules() {
    given::<Application>([drafted(), invited("SE-1495")])
        .when(ApplicationCommand::DeclineCoFinancing {
            municipality: m("SE-1495"),
            reason: "No budget".into(),
        })
        .then([CoFinancingDeclined {
            application: aid(),
            municipality: m("SE-1495"),
            reason: "No budget".into(),
        }
        .into()]);
    given::<Application>([drafted()])
        .when(ApplicationCommand::DeclineCoFinancing {
            municipality: m("SE-1494"),
            reason: "x".into(),
        })
        .then_error("lead_cannot_decline");
    given::<Application>([drafted()])
        .when(ApplicationCommand::DeclineCoFinancing {
            municipality: m("SE-1495"),
            reason: "x".into(),
        })
        .then_error("not_invited");
}

#[test]
fn risk_assessment_needs_all_three_parts() {
    given::<Application>([drafted()])
        .when(ApplicationCommand::RecordRiskAssessment {
            benefits: "More visitors".into(),
            risks: "Staff turnover".into(),
            democracy_and_human_rights: "All partners are Swedish municipalities".into(),
            assessed_on: d("2025-06-10"),
        })
        .then([assessed()]);
    given::<Application>([drafted()])
        .when(ApplicationCommand::RecordRiskAssessment {
            benefits: "b".into(),
            risks: "r".into(),
            democracy_and_human_rights: " ".into(),
            assessed_on: d("2025-06-10"),
        })
        .then_error("blank_field");
}

#[test]
fn submit_happy_path() {
    let s = given::<Application>(ready())
        .when(ApplicationCommand::Submit {
            now: t("2025-09-01T10:00:00Z"),
        })
        .then([submitted()]);
    assert_eq!(s.status, ApplicationStatus::Submitted);
}

#[test]
fn submit_without_every_answer_is_rejected() {
    let e = given::<Application>([
        drafted(),
        invited("SE-1495"),
        invited("SE-1470"),
        committed("SE-1495", 1),
        assessed(),
    ])
    .when(ApplicationCommand::Submit {
        now: t("2025-09-01T10:00:00Z"),
    })
    .then_error("co_applicants_not_answered");
    assert_eq!(
        e,
        DomainError::CoApplicantsNotAnswered {
            pending: vec!["SE-1470".into()]
        }
    );
}

#[test]
fn submit_without_risk_assessment_is_rejected() {
    given::<Application>([drafted(), invited("SE-1495"), committed("SE-1495", 1)])
        .when(ApplicationCommand::Submit {
            now: t("2025-09-01T10:00:00Z"),
        })
        .then_error("risk_assessment_missing");
}

#[test]
fn submit_after_deadline_is_rejected() {
    given::<Application>(ready())
        .when(ApplicationCommand::Submit {
            now: t("2025-09-16T00:00:00Z"),
        })
        .then_error("deadline_passed");
}

#[test]
fn submitted_application_is_frozen() {
    let mut h = ready();
    h.push(submitted());
    given::<Application>(h.clone())
        .when(ApplicationCommand::Submit {
            now: t("2025-09-01T10:00:00Z"),
        })
        .then_error("application_status");
    given::<Application>(h.clone())
        .when(ApplicationCommand::CommitCoFinancing {
            municipality: m("SE-1495"),
            amount: sek(1),
            decision: decision("x"),
        })
        .then_error("application_status");
    given::<Application>(h)
        .when(ApplicationCommand::Invite {
            municipality: m("SE-1470"),
            consortium_members: v6_members(),
        })
        .then_error("application_status");
}

#[test]
fn decision_rules() {
    let mut h = ready();
    h.push(submitted());
    given::<Application>(h.clone())
        .when(ApplicationCommand::Approve {
            granted: sek(700_000),
            decided_on: d("2025-12-01"),
            decision_reference: "JEMS-123".into(),
        })
        .then([ApplicationApproved {
            application: aid(),
            granted: sek(700_000),
            decided_on: d("2025-12-01"),
            decision_reference: "JEMS-123".into(),
            project: project_id_for(aid()),
        }
        .into()]);
    given::<Application>(h.clone())
        .when(ApplicationCommand::Approve {
            granted: sek(900_000),
            decided_on: d("2025-12-01"),
            decision_reference: "x".into(),
        })
        .then_error("grant_exceeds_request");
    given::<Application>(ready())
        .when(ApplicationCommand::Approve {
            granted: sek(1),
            decided_on: d("2025-12-01"),
            decision_reference: "x".into(),
        })
        .then_error("application_status");
    given::<Application>(h.clone())
        .when(ApplicationCommand::Reject {
            decided_on: d("2025-12-01"),
            reason: "Low score".into(),
        })
        .then_ok();
    given::<Application>(ready())
        .when(ApplicationCommand::Reject {
            decided_on: d("2025-12-01"),
            reason: "x".into(),
        })
        .then_error("application_status");
    let mut approved = h.clone();
    approved.push(
        ApplicationApproved {
            application: aid(),
            granted: sek(1),
            decided_on: d("2025-12-01"),
            decision_reference: "x".into(),
            project: project_id_for(aid()),
        }
        .into(),
    );
    given::<Application>(approved)
        .when(ApplicationCommand::Withdraw {
            withdrawn_on: d("2026-01-01"),
            reason: "x".into(),
        })
        .then_error("application_status");
    given::<Application>(h)
        .when(ApplicationCommand::Withdraw {
            withdrawn_on: d("2025-10-01"),
            reason: "Partner left".into(),
        })
        .then_ok();
}

mod approved_project;
mod confirmation;
mod cross_border;
mod properties;
