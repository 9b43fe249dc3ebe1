//! A funding programme's view (its definition, rule sets and calls: the
//! domain's own state) and a municipality's meeting calendar.

use chrono::NaiveDate;
use samverkan_domain::calendar::{Calendar, CalendarEvent, CalendarState};
use samverkan_domain::programme::{Programme, ProgrammeEvent, ProgrammeState};
use samverkan_domain::Decider;
use serde::{Deserialize, Serialize};

use super::ValidOn;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeView(pub ProgrammeState);

impl ProgrammeView {
    pub fn apply(view: Option<Self>, e: &ProgrammeEvent) -> Option<Self> {
        let state = view.map(|v| v.0).unwrap_or_default();
        Some(Self(Programme::evolve(state, e)))
    }
}

impl ValidOn for ProgrammeView {
    /// Rule sets and calls are data of their own dates; a programme is shown whole.
    fn on(self, _: NaiveDate) -> Option<Self> {
        Some(self)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarView(pub CalendarState);

impl CalendarView {
    pub fn apply(view: Option<Self>, e: &CalendarEvent) -> Option<Self> {
        let state = view.map(|v| v.0).unwrap_or_default();
        Some(Self(Calendar::evolve(state, e)))
    }
}
