use super::*;

// ------------------------------------- confirmations after the funder's decision

fn approved() -> Vec<ApplicationEvent> {
    let mut h = ready();
    h.push(submitted());
    h.push(
        ApplicationApproved {
            application: aid(),
            granted: sek(700_000),
            decided_on: d("2025-12-01"),
            decision_reference: "TVV 2025-00042".into(),
            project: project_id_for(aid()),
        }
        .into(),
    );
    h
}
fn confirm(code: &str, on: &str) -> ApplicationCommand {
    ApplicationCommand::ConfirmCommitment {
        municipality: m(code),
        confirmed_on: d(on),
        decision_reference: " TVV 2025-00042 ".into(),
        now: t("2026-01-15T09:00:00Z"),
    }
}
fn confirmed(code: &str, on: &str) -> ApplicationEvent {
    CommitmentConfirmed {
        application: aid(),
        municipality: m(code),
        confirmed_on: d(on),
        decision_reference: "TVV 2025-00042".into(),
    }
    .into()
}

#[test]
fn a_committed_party_confirms_its_commitment_once_after_the_decision() {
    let state = given::<Application>(approved())
        .when(confirm("SE-1495", "2025-12-10"))
        .then([confirmed("SE-1495", "2025-12-10")]);
    assert_eq!(state.confirmations[&m("SE-1495")].confirmed_on, d("2025-12-10"));
    // On the decision's own day is after the decision.
    given::<Application>(approved())
        .when(confirm("SE-1495", "2025-12-01"))
        .then_ok();
    // Twice.
    let mut h = approved();
    h.push(confirmed("SE-1495", "2025-12-10"));
    let e = given::<Application>(h)
        .when(confirm("SE-1495", "2025-12-11"))
        .then_error("commitment_already_confirmed");
    assert!(e.to_string().contains("2025-12-10"), "{e}");
}

#[test]
fn a_confirmation_is_refused_from_a_party_without_commitment_before_the_decision_or_ahead_of_today() {
    // The lead (SE-1494) has not committed; SE-1444 is not in the application.
    for code in ["SE-1494", "SE-1444"] {
        given::<Application>(approved())
            .when(confirm(code, "2025-12-10"))
            .then_error("not_committed_party");
    }
    // Before the funder's decision: still submitted, and a day before its date.
    let mut h = ready();
    h.push(submitted());
    given::<Application>(h)
        .when(confirm("SE-1495", "2025-12-10"))
        .then_error("application_status");
    let e = given::<Application>(approved())
        .when(confirm("SE-1495", "2025-11-30"))
        .then_error("confirmation_before_decision");
    assert!(e.to_string().contains("2025-12-01"), "{e}");
    // After today (the injected clock says 2026-01-15).
    given::<Application>(approved())
        .when(confirm("SE-1495", "2026-01-16"))
        .then_error("date_in_future");
    given::<Application>(approved())
        .when(ApplicationCommand::ConfirmCommitment {
            municipality: m("SE-1495"),
            confirmed_on: d("2025-12-10"),
            decision_reference: "  ".into(),
            now: t("2026-01-15T09:00:00Z"),
        })
        .then_error("blank_field");
}
