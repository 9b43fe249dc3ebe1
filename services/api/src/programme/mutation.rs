//! The programme and meeting-calendar commands: one line each.

use samverkan_domain::calendar::Calendar;
use samverkan_domain::programme::Programme;

use super::inputs::*;
use super::types::{FundingProgramme, Meeting, MeetingCalendar};
use crate::command::{command_table, payload};
use crate::shared::all;

payload!(
    /// The answer to a programme command.
    ProgrammePayload for Programme,
    programme: FundingProgramme = |m, code| m.programme(code, None).as_ref().and_then(FundingProgramme::from_state)
);

payload!(
    /// The answer to a meeting-calendar command.
    MeetingCalendarPayload for Calendar,
    calendar: MeetingCalendar = |m, code| Some(MeetingCalendar {
        municipality: (*code).into(),
        meetings: all::<_, Meeting>(&m.calendar(code, None).meetings),
    })
);

command_table! {
    ProgrammeMutation("funding programme") {
        /// Define a funding programme (administrators).
        define_programme(DefineProgrammeInput) -> ProgrammePayload;
        /// Adopt a dated version of a programme's rules (administrators).
        adopt_rule_set(AdoptRuleSetInput) -> ProgrammePayload;
        /// Open a call naming the rule set in force on its opening day (administrators).
        open_call(OpenCallInput) -> ProgrammePayload;
        /// Plan a meeting of a municipality's council, executive board or committee.
        schedule_meeting(ScheduleMeetingInput) -> MeetingCalendarPayload;
        /// Cancel a planned meeting.
        cancel_meeting(CancelMeetingInput) -> MeetingCalendarPayload;
    }
}
