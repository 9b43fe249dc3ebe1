//! The commands of the joint application aggregate.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::project::{EuPriority, GoalRef};
use crate::{ApplicationId, ConsortiumCode, Decision, Money, MunicipalityCode, Period, Programme};

#[derive(Debug, Clone, Serialize)]
pub struct DraftApplication {
    pub application: ApplicationId,
    pub consortium: ConsortiumCode,
    /// Current members of the consortium, filled in by the command handler
    /// from the consortium's stream (not by the caller; not fingerprinted).
    #[serde(skip)]
    pub consortium_members: BTreeSet<MunicipalityCode>,
    pub title: String,
    pub programme: Programme,
    pub call: String,
    pub lead_applicant: MunicipalityCode,
    pub deadline: DateTime<Utc>,
    pub total_budget: Money,
    pub requested: Money,
    pub project_period: Period,
    pub serves_goals: Vec<GoalRef>,
    pub eu_priorities: Vec<EuPriority>,
    /// The instant the command is decided (the deadline must lie ahead);
    /// set by the server, so not fingerprinted.
    #[serde(skip)]
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub enum ApplicationCommand {
    Draft(Box<DraftApplication>),
    /// `consortium_members` is filled by the command handler from the consortium's stream.
    Invite {
        municipality: MunicipalityCode,
        #[serde(skip)]
        consortium_members: BTreeSet<MunicipalityCode>,
    },
    CommitCoFinancing {
        municipality: MunicipalityCode,
        amount: Money,
        decision: Decision,
    },
    DeclineCoFinancing {
        municipality: MunicipalityCode,
        reason: String,
    },
    RecordRiskAssessment {
        benefits: String,
        risks: String,
        democracy_and_human_rights: String,
        assessed_on: NaiveDate,
    },
    Submit {
        /// Set by the server: not fingerprinted.
        #[serde(skip)]
        now: DateTime<Utc>,
    },
    Approve {
        granted: Money,
        decided_on: NaiveDate,
        decision_reference: String,
    },
    Reject {
        decided_on: NaiveDate,
        reason: String,
    },
    Withdraw {
        withdrawn_on: NaiveDate,
        reason: String,
    },
}
