use super::*;

// ---------------------------------------------------------------- approved → project

fn approved(units: i64) -> ApplicationEvent {
    ApplicationApproved {
        application: aid(),
        granted: sek(units),
        decided_on: d("2025-12-01"),
        decision_reference: "JEMS-123".into(),
        project: project_id_for(aid()),
    }
    .into()
}

#[test]
fn an_approved_application_becomes_its_project() {
    let mut h = vec![
        drafted(),
        invited("SE-1495"),
        invited("SE-1470"),
        committed("SE-1495", 100_000),
        committed("SE-1494", 50_000),
        assessed(),
    ];
    h.push(
        CoFinancingDeclined {
            application: aid(),
            municipality: m("SE-1470"),
            reason: "No budget this year".into(),
        }
        .into(),
    );
    h.push(submitted());
    // Given a submitted application, when it is approved …
    let state = given::<Application>(h.clone())
        .when(ApplicationCommand::Approve {
            granted: sek(700_000),
            decided_on: d("2025-12-01"),
            decision_reference: "JEMS-123".into(),
        })
        .then([approved(700_000)]);
    // … then it maps to the project of the lead, the partners that committed
    // (not the one that declined) and the amounts granted and committed.
    let c = draft_cmd();
    let expected = crate::project::RegisterProject {
        project: project_id_for(aid()),
        title: c.title,
        lead: crate::project::Participant::Municipality { code: m("SE-1494") },
        partners: vec![crate::project::Participant::Municipality { code: m("SE-1495") }],
        programme: c.programme,
        financing: crate::project::Financing {
            budget: sek(1_000_000),
            grant: sek(700_000),
            co_financing: sek(150_000),
        },
        period: c.project_period,
        serves_goals: c.serves_goals,
        eu_priorities: c.eu_priorities,
        from_application: Some(aid()),
        consortium: Some(c.consortium),
        sides: vec![],
    };
    let project = project_for_approved(&state).unwrap().expect("approved");
    assert_eq!(
        serde_json::to_value(&project).unwrap(),
        serde_json::to_value(&expected).unwrap()
    );
    // Before the decision there is no project.
    let submitted_only = h.iter().fold(ApplicationState::default(), Application::evolve);
    assert!(project_for_approved(&submitted_only).unwrap().is_none());
}
