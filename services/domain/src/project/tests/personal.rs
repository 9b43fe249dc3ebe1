//! Contact persons (sealed personal data) and their erasure after the
//! project's retention period.

use super::*;
use crate::personal::{Sealed, SubjectId};
use crate::testing::fixtures::t;
use crate::{Decision, DecisionBody};

fn anna() -> SubjectId {
    SubjectId::parse("person-anna").unwrap()
}

fn sealed(subject: &SubjectId, bytes: &str) -> Sealed {
    Sealed {
        subject: subject.clone(),
        sealed: bytes.into(),
    }
}

fn assign(municipality: &str, subject: &SubjectId, name: Sealed) -> ProjectCommand {
    ProjectCommand::AssignContact {
        municipality: crate::testing::fixtures::m(municipality),
        role: " projektledare ".into(),
        subject: subject.clone(),
        name,
        email: None,
        phone: None,
        assigned_on: d("2018-03-01"),
    }
}

fn assigned() -> ProjectEvent {
    ContactPersonAssigned {
        project: pid(),
        municipality: crate::testing::fixtures::m("SE-1487"),
        role: "projektledare".into(),
        subject: anna(),
        name: sealed(&anna(), "c2VhbGVk"),
        email: None,
        phone: None,
        assigned_on: d("2018-03-01"),
    }
    .into()
}

fn completed(on: &str) -> ProjectEvent {
    ProjectCompleted {
        project: pid(),
        completed_on: d(on),
    }
    .into()
}

fn gallring(case: Option<&str>, date: &str) -> Decision {
    Decision {
        body: DecisionBody::ExecutiveBoard,
        date: d(date),
        paragraph: Some("§ 41".into()),
        case_number: case.map(Into::into),
    }
}

fn erase(years: Option<u32>, now: &str) -> ProjectCommand {
    ProjectCommand::ErasePersonalData {
        subject: anna(),
        decision: gallring(Some("KS 2027/12"), "2027-01-10"),
        retention_years: years,
        now: t(now),
    }
}

#[test]
fn a_contact_is_named_for_a_participating_municipality_with_sealed_fields_of_its_subject() {
    let state = given::<Project>([registered()])
        .when(assign("SE-1487", &anna(), sealed(&anna(), "c2VhbGVk")))
        .then([assigned()]);
    assert_eq!(state.subjects.get(&anna()), Some(&None));
    // Chobe is a partner, but no municipality; Lidköping takes no part.
    given::<Project>([registered()])
        .when(assign("SE-1494", &anna(), sealed(&anna(), "c2VhbGVk")))
        .then_error("not_a_participating_municipality");
    given::<Project>([registered()])
        .when(assign("SE-1487", &anna(), sealed(&anna(), "")))
        .then_error("not_sealed");
    let bo = SubjectId::parse("person-bo").unwrap();
    given::<Project>([registered()])
        .when(assign("SE-1487", &anna(), sealed(&bo, "c2VhbGVk")))
        .then_error("sealed_for_another_subject");
    assert!(SubjectId::parse("Anna Andersson").is_err());
}

#[test]
fn erasure_waits_for_the_closing_and_the_end_of_the_retention_period() {
    // Closed 2019-12-31: kept until the end of 2026 under a 7-year rule.
    let history = [registered(), assigned(), completed("2019-12-31")];
    let err = given::<Project>([registered(), assigned()])
        .when(erase(Some(7), "2027-01-15T09:00:00Z"))
        .then_error("project_still_running");
    assert!(err.to_string().contains("still running"), "{err}");
    given::<Project>(history.clone())
        .when(erase(None, "2027-01-15T09:00:00Z"))
        .then_error("no_retention_rule");
    let err = given::<Project>(history.clone())
        .when(ProjectCommand::ErasePersonalData {
            subject: anna(),
            decision: gallring(Some("KS 2026/12"), "2026-12-01"),
            retention_years: Some(7),
            now: t("2026-12-31T22:00:00Z"),
        })
        .then_error("retention_not_reached");
    assert!(err.to_string().contains("2026-12-31"), "{err}");
    let state = given::<Project>(history.clone())
        .when(erase(Some(7), "2027-01-15T09:00:00Z"))
        .then([PersonalDataErased {
            project: pid(),
            subject: anna(),
            decision: gallring(Some("KS 2027/12"), "2027-01-10"),
            erased_on: d("2027-01-15"),
            retained_until: d("2026-12-31"),
        }
        .into()]);
    assert_eq!(state.subjects.get(&anna()), Some(&Some(d("2027-01-15"))));
}

#[test]
fn erasure_needs_a_diarienummer_a_past_decision_and_a_named_subject_once() {
    let history = vec![registered(), assigned(), completed("2019-12-31")];
    let with = |decision: Decision| ProjectCommand::ErasePersonalData {
        subject: anna(),
        decision,
        retention_years: Some(7),
        now: t("2027-01-15T09:00:00Z"),
    };
    given::<Project>(history.clone())
        .when(with(gallring(None, "2027-01-10")))
        .then_error("blank_field");
    given::<Project>(history.clone())
        .when(with(gallring(Some("KS 2027/12"), "2027-01-16")))
        .then_error("date_in_future");
    given::<Project>(history.clone())
        .when(ProjectCommand::ErasePersonalData {
            subject: SubjectId::parse("person-bo").unwrap(),
            decision: gallring(Some("KS 2027/12"), "2027-01-10"),
            retention_years: Some(7),
            now: t("2027-01-15T09:00:00Z"),
        })
        .then_error("not_found");
    let mut erased = history.clone();
    erased.push(
        PersonalDataErased {
            project: pid(),
            subject: anna(),
            decision: gallring(Some("KS 2027/12"), "2027-01-10"),
            erased_on: d("2027-01-15"),
            retained_until: d("2026-12-31"),
        }
        .into(),
    );
    given::<Project>(erased.clone())
        .when(erase(Some(7), "2027-01-16T09:00:00Z"))
        .then_error("subject_erased");
    // An erased subject is never named again.
    let mut running = vec![registered(), assigned()];
    running.push(erased[3].clone());
    given::<Project>(running)
        .when(assign("SE-1487", &anna(), sealed(&anna(), "c2VhbGVk")))
        .then_error("subject_erased");
}

#[test]
fn the_retention_date_is_the_end_of_the_nth_year_after_the_closing_year() {
    assert_eq!(retained_until_day("2014-12-31", 7), d("2021-12-31"));
    assert_eq!(retained_until_day("2015-01-01", 7), d("2022-12-31"));
}

fn retained_until_day(closed: &str, years: u32) -> NaiveDate {
    crate::project::personal_retained_until(d(closed), years).unwrap()
}
