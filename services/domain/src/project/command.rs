//! The commands of the project aggregate.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{EuPriority, Financing, GoalRef, Participant};
use crate::cross_border::ProjectSide;
use crate::{ApplicationId, MilestoneId, Period, Programme, ProjectId};

#[derive(Debug, Clone, Serialize)]
pub struct RegisterProject {
    pub project: ProjectId,
    pub title: String,
    pub lead: Participant,
    pub partners: Vec<Participant>,
    pub programme: Programme,
    pub financing: Financing,
    pub period: Period,
    pub serves_goals: Vec<GoalRef>,
    pub eu_priorities: Vec<EuPriority>,
    pub from_application: Option<ApplicationId>,
    pub consortium: Option<crate::ConsortiumCode>,
    /// A cross-border project's budget sides with their funders' decisions
    /// (empty for a project with one budget).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sides: Vec<ProjectSide>,
}

#[derive(Debug, Clone, Serialize)]
pub enum ProjectCommand {
    Register(Box<RegisterProject>),
    PlanMilestone {
        milestone: MilestoneId,
        title: String,
        due: NaiveDate,
    },
    RescheduleMilestone {
        milestone: MilestoneId,
        new_due: NaiveDate,
        reason: String,
    },
    AchieveMilestone {
        milestone: MilestoneId,
        achieved_on: NaiveDate,
    },
    CancelMilestone {
        milestone: MilestoneId,
        reason: String,
    },
    AmendBudget {
        financing: Financing,
        reason: String,
    },
    AddPartner {
        partner: Participant,
        joined_on: NaiveDate,
    },
    RemovePartner {
        partner_key: String,
        left_on: NaiveDate,
    },
    Complete {
        completed_on: NaiveDate,
    },
    Cancel {
        cancelled_on: NaiveDate,
        reason: String,
    },
    /// Name a contact person for a participating municipality; the personal
    /// fields arrive sealed (the server seals them before the domain sees them).
    AssignContact {
        municipality: crate::MunicipalityCode,
        role: String,
        subject: crate::personal::SubjectId,
        name: crate::personal::Sealed,
        email: Option<crate::personal::Sealed>,
        phone: Option<crate::personal::Sealed>,
        assigned_on: NaiveDate,
    },
    /// Erase a data subject's personal data in the project on a gallringsbeslut,
    /// once the project's retention period is over.
    ErasePersonalData {
        subject: crate::personal::SubjectId,
        decision: crate::Decision,
        /// The retention rule of the project's programme rule set: records
        /// are kept until the end of this many years after the calendar
        /// year the project closed (`None`: the rule set has none).
        retention_years: Option<u32>,
        /// Set by the server: not fingerprinted.
        #[serde(skip)]
        now: DateTime<Utc>,
    },
    /// The funder approved the project's result (final report accepted);
    /// accepted on an active or completed project.
    ApproveResult {
        approved_on: NaiveDate,
        decision_reference: String,
        /// Set by the server (the approval may not lie ahead): not fingerprinted.
        #[serde(skip)]
        now: DateTime<Utc>,
    },
}
