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
