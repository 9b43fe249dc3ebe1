use super::*;
use crate::testing::fixtures::{d, m};
use crate::testing::{given, given_no_history};

fn schedule(body: DecisionBody, date: &str) -> CalendarCommand {
    CalendarCommand::Schedule {
        municipality: m("SE-1495"),
        body,
        date: d(date),
        source: Some("Sammanträdesplan 2027".into()),
    }
}

fn scheduled(body: DecisionBody, date: &str) -> CalendarEvent {
    MeetingScheduled {
        municipality: m("SE-1495"),
        body,
        date: d(date),
        source: Some("Sammanträdesplan 2027".into()),
    }
    .into()
}

#[test]
fn meetings_are_planned_once_and_cancelled() {
    given_no_history::<Calendar>()
        .when(schedule(DecisionBody::Council, "2027-01-25"))
        .then([scheduled(DecisionBody::Council, "2027-01-25")]);
    given_no_history::<Calendar>()
        .when(schedule(DecisionBody::Official, "2027-01-25"))
        .then_error("meeting_body_not_allowed");
    given::<Calendar>([scheduled(DecisionBody::Council, "2027-01-25")])
        .when(schedule(DecisionBody::Council, "2027-01-25"))
        .then_error("meeting_already_scheduled");
    given_no_history::<Calendar>()
        .when(CalendarCommand::Cancel {
            municipality: m("SE-1495"),
            body: DecisionBody::Council,
            date: d("2027-01-25"),
        })
        .then_error("unknown_meeting");
}

#[test]
fn the_next_meeting_before_a_deadline() {
    let state = given::<Calendar>([
        scheduled(DecisionBody::Council, "2027-03-01"),
        scheduled(DecisionBody::ExecutiveBoard, "2027-01-20"),
        scheduled(DecisionBody::Council, "2026-11-30"),
    ])
    .when(CalendarCommand::Cancel {
        municipality: m("SE-1495"),
        body: DecisionBody::ExecutiveBoard,
        date: d("2027-01-20"),
    })
    .then_ok();
    assert_eq!(
        state.next_meeting(d("2026-12-01"), d("2027-02-15")),
        None,
        "cancelled, and the council meets after the deadline"
    );
    assert_eq!(
        state.next_meeting(d("2026-11-01"), d("2027-02-15")).map(|m| m.date),
        Some(d("2026-11-30"))
    );
}
