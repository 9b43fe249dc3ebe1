//! A municipality's meeting calendar (sammanträdesplan): the dates its
//! council, executive board and committees meet, entered by its officers or
//! administrators. Decisions owed are weighed against it: does a meeting
//! fall before the call's deadline?

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::event::no_upcast;
use crate::{Aggregate, CommandTarget, Decider, DecisionBody, DomainError, MunicipalityCode};

#[cfg(test)]
mod tests;

/// A meeting is planned. Caused by `ScheduleMeeting`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingScheduled {
    pub municipality: MunicipalityCode,
    /// Council, executive board or committee.
    pub body: DecisionBody,
    pub date: NaiveDate,
    /// Where the date comes from, e.g. `Sammanträdesplan 2027, KF`.
    #[serde(default)]
    pub source: Option<String>,
}

/// A planned meeting is cancelled. Caused by `CancelMeeting`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingCancelled {
    pub municipality: MunicipalityCode,
    pub body: DecisionBody,
    pub date: NaiveDate,
}

domain_events!(
    /// Events of the meeting calendar aggregate.
    CalendarEvent, "calendar", no_upcast, {
        MeetingScheduled = 1,
        MeetingCancelled = 1,
    }
);

impl CalendarEvent {
    pub fn municipality(&self) -> MunicipalityCode {
        match self {
            CalendarEvent::MeetingScheduled(e) => e.municipality,
            CalendarEvent::MeetingCancelled(e) => e.municipality,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub enum CalendarCommand {
    Schedule {
        municipality: MunicipalityCode,
        body: DecisionBody,
        date: NaiveDate,
        source: Option<String>,
    },
    Cancel {
        municipality: MunicipalityCode,
        body: DecisionBody,
        date: NaiveDate,
    },
}

/// A planned meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Meeting {
    pub date: NaiveDate,
    pub body: DecisionBody,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CalendarState {
    /// Planned meetings, by date.
    pub meetings: Vec<Meeting>,
}

impl CalendarState {
    /// The first meeting of a body that can decide co-financing (council,
    /// executive board, committee) on or after `from` and on or before `by`.
    pub fn next_meeting(&self, from: NaiveDate, by: NaiveDate) -> Option<Meeting> {
        self.meetings
            .iter()
            .filter(|m| m.date >= from && m.date <= by)
            .min()
            .copied()
    }
}

fn body_allowed(body: DecisionBody) -> Result<(), DomainError> {
    match body {
        DecisionBody::Council | DecisionBody::ExecutiveBoard | DecisionBody::Committee => Ok(()),
        _ => Err(DomainError::MeetingBodyNotAllowed),
    }
}

pub struct Calendar;

impl Decider for Calendar {
    type State = CalendarState;
    type Command = CalendarCommand;
    type Event = CalendarEvent;

    fn decide(state: &CalendarState, command: &CalendarCommand) -> Result<Vec<CalendarEvent>, DomainError> {
        match command {
            CalendarCommand::Schedule {
                municipality,
                body,
                date,
                source,
            } => {
                body_allowed(*body)?;
                if let Some(s) = source {
                    crate::require_text("source", s)?;
                }
                let meeting = Meeting {
                    date: *date,
                    body: *body,
                };
                if state.meetings.contains(&meeting) {
                    return Err(DomainError::MeetingAlreadyScheduled { date: *date });
                }
                Ok(vec![MeetingScheduled {
                    municipality: *municipality,
                    body: *body,
                    date: *date,
                    source: source.as_ref().map(|s| s.trim().to_string()),
                }
                .into()])
            }
            CalendarCommand::Cancel {
                municipality,
                body,
                date,
            } => {
                if !state.meetings.contains(&Meeting {
                    date: *date,
                    body: *body,
                }) {
                    return Err(DomainError::UnknownMeeting { date: *date });
                }
                Ok(vec![MeetingCancelled {
                    municipality: *municipality,
                    body: *body,
                    date: *date,
                }
                .into()])
            }
        }
    }

    fn evolve(mut state: CalendarState, event: &CalendarEvent) -> CalendarState {
        match event {
            CalendarEvent::MeetingScheduled(e) => {
                state.meetings.push(Meeting {
                    date: e.date,
                    body: e.body,
                });
                state.meetings.sort();
            }
            CalendarEvent::MeetingCancelled(e) => state.meetings.retain(|m| !(m.date == e.date && m.body == e.body)),
        }
        state
    }
}

impl Aggregate for Calendar {
    type Id = MunicipalityCode;
    const CATEGORY: &'static str = "calendar";

    fn command_name(command: &CalendarCommand) -> &'static str {
        match command {
            CalendarCommand::Schedule { .. } => "ScheduleMeeting",
            CalendarCommand::Cancel { .. } => "CancelMeeting",
        }
    }

    /// A municipality's calendar is its officers' (and administrators').
    fn target(id: &MunicipalityCode, _: &CalendarState, _: &CalendarCommand) -> CommandTarget {
        CommandTarget::Municipality(*id)
    }
}
