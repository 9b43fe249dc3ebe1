//! The state of a project, folded from its events.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Financing, Participant};
use crate::{ApplicationId, ConsortiumCode, MilestoneId, Period, ProjectId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MilestoneStatus {
    Planned,
    Achieved,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneState {
    pub due: NaiveDate,
    pub status: MilestoneStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ProjectStatus {
    #[default]
    None,
    Active,
    Completed,
    Cancelled,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectState {
    pub status: ProjectStatus,
    pub id: Option<ProjectId>,
    pub lead: Option<Participant>,
    /// Current partners by key.
    pub partners: BTreeMap<String, Participant>,
    pub financing: Option<Financing>,
    pub period: Option<Period>,
    pub milestones: BTreeMap<MilestoneId, MilestoneState>,
    /// The consortium the project names, if any.
    pub consortium: Option<ConsortiumCode>,
    /// The joint application the project came from, if any.
    pub from_application: Option<ApplicationId>,
    /// The day the funder approved the project's result, if it has.
    pub result_approved_on: Option<NaiveDate>,
    /// The day the project was completed or cancelled.
    pub closed_on: Option<NaiveDate>,
    /// Every data subject named in the project, with the day its personal
    /// data was erased (`None`: not erased).
    pub subjects: BTreeMap<crate::personal::SubjectId, Option<NaiveDate>>,
}
