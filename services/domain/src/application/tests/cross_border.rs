use super::*;
use crate::cross_border::{ProjectSide, SideDecision};
use crate::programme::{Conversion, SideBudget};
use crate::testing::fixtures::money;
use crate::CountryCode;

// ------------------------------------------------ one project across the border

fn eur(units: i64) -> Money {
    money(units, Currency::EUR)
}
fn nok(units: i64) -> Money {
    money(units, Currency::NOK)
}
fn country(s: &str) -> CountryCode {
    CountryCode::parse(s).unwrap()
}
fn conversion(rate: &str) -> Conversion {
    Conversion {
        rate: rate.into(),
        source: "InforEuro, monthly rate 2026-09".into(),
        date: d("2026-09-01"),
    }
}
/// SE: SEK 10,000,000 with 6,500,000 asked of the ERDF; NO: NOK 4,000,000
/// with 2,000,000 asked of IR; the application in EUR.
fn sides() -> Vec<SideBudget> {
    vec![
        SideBudget {
            country: country("SE"),
            fund: "ERDF".into(),
            total: sek(10_000_000),
            requested: sek(6_500_000),
            conversion: Some(conversion("0.0856")),
            converted_total: Some(eur(856_000)),
            converted_requested: Some(eur(556_400)),
        },
        SideBudget {
            country: country("NO"),
            fund: "IR".into(),
            total: nok(4_000_000),
            requested: nok(2_000_000),
            conversion: Some(conversion("0.085")),
            converted_total: Some(eur(340_000)),
            converted_requested: Some(eur(170_000)),
        },
    ]
}
fn cross_border_draft() -> DraftApplication {
    let mut c = draft_cmd();
    c.total_budget = eur(1_196_000);
    c.requested = eur(726_400);
    c.sides = sides()
        .into_iter()
        .map(|mut s| {
            s.converted_total = None;
            s.converted_requested = None;
            s
        })
        .collect();
    c
}
fn cross_border_submitted() -> Vec<ApplicationEvent> {
    let c = cross_border_draft();
    let ApplicationEvent::ApplicationDrafted(mut drafted) = drafted() else {
        unreachable!()
    };
    drafted.total_budget = c.total_budget;
    drafted.requested = c.requested;
    drafted.sides = sides();
    vec![
        drafted.into(),
        assessed(),
        ApplicationSubmitted {
            application: aid(),
            submitted_at: t("2025-09-01T10:00:00Z"),
            co_financing: eur(0),
        }
        .into(),
    ]
}
fn eu_decision(granted: Option<Money>) -> ApplicationCommand {
    ApplicationCommand::RecordFunderDecision(Box::new(RecordFunderDecision {
        country: country("SE"),
        funder: "Region Jämtland Härjedalen (managing authority)".into(),
        decided_on: d("2025-11-20"),
        decision_reference: "JEMS-SE-NO-77".into(),
        granted,
        refusal_reason: None,
    }))
}
fn ir_decision(granted: Option<Money>, refusal: Option<&str>) -> ApplicationCommand {
    ApplicationCommand::RecordFunderDecision(Box::new(RecordFunderDecision {
        country: country("NO"),
        funder: "Innlandet fylkeskommune".into(),
        decided_on: d("2025-12-04"),
        decision_reference: "2025/4411".into(),
        granted,
        refusal_reason: refusal.map(String::from),
    }))
}
fn eu_recorded() -> SideDecision {
    SideDecision {
        country: country("SE"),
        fund: "ERDF".into(),
        funder: "Region Jämtland Härjedalen (managing authority)".into(),
        decided_on: d("2025-11-20"),
        decision_reference: "JEMS-SE-NO-77".into(),
        granted: Some(sek(6_000_000)),
        converted_granted: Some(eur(513_600)),
        refusal_reason: None,
    }
}

#[test]
fn each_side_is_decided_by_its_funder_and_the_last_decision_approves_one_project() {
    // Given a submitted Sverige–Norge application with a Swedish and a
    // Norwegian side, when the managing authority grants the Swedish side …
    let after_eu = given::<Application>(cross_border_submitted())
        .when(eu_decision(Some(sek(6_000_000))))
        .then([FunderDecisionRecorded {
            application: aid(),
            decision: eu_recorded(),
        }
        .into()]);
    // … then the application waits for the Norwegian side.
    assert_eq!(after_eu.status, ApplicationStatus::Submitted);
    let mut history = cross_border_submitted();
    history.push(
        FunderDecisionRecorded {
            application: aid(),
            decision: eu_recorded(),
        }
        .into(),
    );
    // When the county grants the IR funds, the application is approved with
    // the sides' grants added in EUR through the stored conversions.
    let ir = SideDecision {
        country: country("NO"),
        fund: "IR".into(),
        funder: "Innlandet fylkeskommune".into(),
        decided_on: d("2025-12-04"),
        decision_reference: "2025/4411".into(),
        granted: Some(nok(2_000_000)),
        converted_granted: Some(eur(170_000)),
        refusal_reason: None,
    };
    let approved = given::<Application>(history.clone())
        .when(ir_decision(Some(nok(2_000_000)), None))
        .then([
            FunderDecisionRecorded {
                application: aid(),
                decision: ir.clone(),
            }
            .into(),
            ApplicationApproved {
                application: aid(),
                granted: eur(683_600),
                decided_on: d("2025-12-04"),
                decision_reference: "NO: 2025/4411; SE: JEMS-SE-NO-77".into(),
                project: project_id_for(aid()),
            }
            .into(),
        ]);
    // One project: both sides with their decisions, the totals in EUR.
    let project = project_for_approved(&approved).unwrap().expect("approved");
    let sides = sides();
    assert_eq!(
        project.sides,
        vec![
            ProjectSide {
                budget: sides[0].clone(),
                decision: eu_recorded(),
            },
            ProjectSide {
                budget: sides[1].clone(),
                decision: ir,
            },
        ]
    );
    assert_eq!(project.financing.grant, eur(683_600));
    assert_eq!(project.financing.budget, eur(1_196_000));

    // A second decision for a decided side is refused.
    given::<Application>(history.clone())
        .when(eu_decision(Some(sek(1))))
        .then_error("side_already_decided");
    // A grant above the side's request (in the side's currency) is refused.
    given::<Application>(history.clone())
        .when(ir_decision(Some(nok(2_000_001)), None))
        .then_error("grant_exceeds_request");
    // … and one in another currency than the side's.
    given::<Application>(history.clone())
        .when(ir_decision(Some(sek(1)), None))
        .then_error("currency_mismatch");
    // Neither or both of grant and refusal.
    given::<Application>(history.clone())
        .when(ir_decision(None, None))
        .then_error("invalid_funder_decision");
    given::<Application>(history.clone())
        .when(ir_decision(Some(nok(1)), Some("no")))
        .then_error("invalid_funder_decision");
    // A side the budget does not have.
    given::<Application>(history.clone())
        .when(ApplicationCommand::RecordFunderDecision(Box::new(
            RecordFunderDecision {
                country: country("FI"),
                funder: "Lapin liitto".into(),
                decided_on: d("2025-12-04"),
                decision_reference: "x".into(),
                granted: Some(eur(1)),
                refusal_reason: None,
            },
        )))
        .then_error("unknown_budget_side");
    // One approval for the whole cross-border application is refused.
    given::<Application>(cross_border_submitted())
        .when(ApplicationCommand::Approve {
            granted: eur(1),
            decided_on: d("2025-12-01"),
            decision_reference: "x".into(),
        })
        .then_error("funder_decision_per_side");
    // So is one rejection, before or after a side has decided.
    for decided in [0, 1] {
        let mut history = cross_border_submitted();
        if decided == 1 {
            history.push(
                FunderDecisionRecorded {
                    application: aid(),
                    decision: eu_recorded(),
                }
                .into(),
            );
        }
        given::<Application>(history)
            .when(ApplicationCommand::Reject {
                decided_on: d("2025-12-01"),
                reason: "x".into(),
            })
            .then_error("funder_decision_per_side");
    }
    // Before submission there is nothing to decide.
    given::<Application>(cross_border_submitted().into_iter().take(2))
        .when(eu_decision(Some(sek(1))))
        .then_error("application_status");
}

#[test]
fn a_refused_side_is_recorded_and_every_side_refused_rejects() {
    let mut history = cross_border_submitted();
    history.push(
        FunderDecisionRecorded {
            application: aid(),
            decision: eu_recorded(),
        }
        .into(),
    );
    // The Norwegian side refused: the application is approved on the Swedish
    // grant alone, and the refusal stays with the project's Norwegian side.
    let state = given::<Application>(history)
        .when(ir_decision(None, Some("IR funds for the call are used up")))
        .then_ok();
    assert_eq!(state.status, ApplicationStatus::Approved);
    assert_eq!(state.granted, Some(eur(513_600)));
    let project = project_for_approved(&state).unwrap().expect("approved");
    assert_eq!(project.sides.len(), 2);
    assert_eq!(
        project.sides[1].decision.refusal_reason.as_deref(),
        Some("IR funds for the call are used up")
    );
    assert_eq!(project.sides[1].decision.granted, None);

    // Both refused: rejected on the later date, with both reasons.
    let mut refused = cross_border_submitted();
    refused.push(
        FunderDecisionRecorded {
            application: aid(),
            decision: SideDecision {
                granted: None,
                converted_granted: None,
                refusal_reason: Some("Low score".into()),
                ..eu_recorded()
            },
        }
        .into(),
    );
    let events = Application::decide(
        &refused.iter().fold(ApplicationState::default(), Application::evolve),
        &ir_decision(None, Some("No funds")),
    )
    .unwrap();
    let ApplicationEvent::ApplicationRejected(r) = &events[1] else {
        panic!("expected a rejection, got {events:?}")
    };
    assert_eq!(r.decided_on, d("2025-12-04"));
    assert!(
        r.reason.contains("Low score") && r.reason.contains("No funds"),
        "{}",
        r.reason
    );
}

#[test]
fn a_budget_has_one_side_per_country() {
    let mut c = cross_border_draft();
    c.sides[1].country = country("SE");
    given_no_history::<Application>()
        .when(ApplicationCommand::Draft(Box::new(c)))
        .then_error("duplicate_budget_side");
    // The two-sided draft itself is accepted, converted once.
    let s = given_no_history::<Application>()
        .when(ApplicationCommand::Draft(Box::new(cross_border_draft())))
        .then_ok();
    assert_eq!(s.drafted.unwrap().sides, sides());
}
