//! The commands of the joint application aggregate.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::cofinancing::CoFinancingTerms;
use crate::programme::{CallRef, CallRules, SideBudget};
use crate::project::{EuPriority, GoalRef};
use crate::{ApplicationId, ConsortiumCode, CountryCode, Decision, Money, MunicipalityCode, Period, Programme};

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
    /// The programme call answered (its rule set is checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_ref: Option<CallRef>,
    /// The budget per country side; each side's amounts in its own currency.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sides: Vec<SideBudget>,
    /// The call and its rule set, filled in by the command handler from the
    /// programme's stream (not by the caller; not fingerprinted).
    #[serde(skip)]
    pub call_rules: Option<Box<CallRules>>,
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
    /// `InviteCoApplicant` stating what the co-applicant is asked to commit.
    InviteAsking {
        municipality: MunicipalityCode,
        asked: Money,
        #[serde(skip)]
        consortium_members: BTreeSet<MunicipalityCode>,
    },
    /// `CommitCoFinancing` with what the funder's certificate asks for.
    CommitWithTerms(Box<CommitWithTerms>),
    /// One side's funder decision on a submitted cross-border application.
    RecordFunderDecision(Box<RecordFunderDecision>),
    /// A committed party confirms its commitment after the funder's
    /// decision (Tillväxtverket: bekräftelse av medfinansiering).
    ConfirmCommitment {
        municipality: MunicipalityCode,
        confirmed_on: NaiveDate,
        decision_reference: String,
        /// Set by the server (the confirmation may not lie ahead): not fingerprinted.
        #[serde(skip)]
        now: DateTime<Utc>,
    },
}

/// See [`ApplicationCommand::RecordFunderDecision`]: the side is named by its
/// country; exactly one of `granted` (in the side's currency) and
/// `refusal_reason` is given.
#[derive(Debug, Clone, Serialize)]
pub struct RecordFunderDecision {
    pub country: CountryCode,
    pub funder: String,
    pub decided_on: NaiveDate,
    pub decision_reference: String,
    pub granted: Option<Money>,
    pub refusal_reason: Option<String>,
}

/// A commitment with its terms (see [`ApplicationCommand::CommitWithTerms`]).
#[derive(Debug, Clone, Serialize)]
pub struct CommitWithTerms {
    pub municipality: MunicipalityCode,
    pub amount: Money,
    pub decision: Decision,
    pub terms: CoFinancingTerms,
}
