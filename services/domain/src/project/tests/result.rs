//! `ApproveProjectResult`: the funder approves the project's result once.

use super::*;
use crate::testing::fixtures::t;

fn approve(on: &str, reference: &str) -> ProjectCommand {
    ProjectCommand::ApproveResult {
        approved_on: d(on),
        decision_reference: reference.into(),
        now: t("2020-03-02T09:00:00Z"),
    }
}

fn approved(on: &str) -> ProjectEvent {
    ProjectResultApproved {
        project: pid(),
        approved_on: d(on),
        decision_reference: "KA220-2018-0042".into(),
    }
    .into()
}

#[test]
fn the_result_is_approved_once_on_an_active_or_completed_project() {
    let state = given::<Project>([registered()])
        .when(approve("2020-03-01", "  KA220-2018-0042 "))
        .then([approved("2020-03-01")]);
    assert_eq!(state.result_approved_on, Some(d("2020-03-01")));
    // The final report is often accepted after the project is completed.
    let done: ProjectEvent = ProjectCompleted {
        project: pid(),
        completed_on: d("2019-12-31"),
    }
    .into();
    given::<Project>([registered(), done.clone()])
        .when(approve("2020-03-02", "KA220-2018-0042"))
        .then([approved("2020-03-02")]);
    let err = given::<Project>([registered(), done, approved("2020-03-01")])
        .when(approve("2020-03-02", "KA220-2018-0042"))
        .then_error("result_already_approved");
    assert!(err.to_string().contains("2020-03-01"), "{err}");
}

#[test]
fn an_approval_ahead_of_today_before_the_start_blank_or_of_no_project_is_refused() {
    let err = given::<Project>([registered()])
        .when(approve("2020-03-03", "KA220-2018-0042"))
        .then_error("date_in_future");
    assert!(err.to_string().contains("2020-03-02"), "{err}");
    let err = given::<Project>([registered()])
        .when(approve("2017-12-31", "KA220-2018-0042"))
        .then_error("result_approved_before_start");
    assert!(err.to_string().contains("2018-01-01"), "{err}");
    given::<Project>([registered()])
        .when(approve("2019-06-01", "  "))
        .then_error("blank_field");
    given_no_history::<Project>()
        .when(approve("2019-06-01", "KA220-2018-0042"))
        .then_error("not_found");
    let cancelled: ProjectEvent = ProjectCancelled {
        project: pid(),
        cancelled_on: d("2018-06-01"),
        reason: "No funding".into(),
    }
    .into();
    given::<Project>([registered(), cancelled])
        .when(approve("2019-06-01", "KA220-2018-0042"))
        .then_error("project_closed");
}
