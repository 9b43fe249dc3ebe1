//! The events of the joint application aggregate.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::event::no_upcast;
use crate::project::{EuPriority, GoalRef};
use crate::{ApplicationId, ConsortiumCode, Decision, Money, MunicipalityCode, Period, Programme, ProjectId};

/// The application is drafted. Caused by `DraftApplication`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationDrafted {
    pub application: ApplicationId,
    pub consortium: ConsortiumCode,
    pub title: String,
    pub programme: Programme,
    /// The programme call (utlysning), e.g. `Main projects, deadline 15 September 2025`.
    pub call: String,
    /// The lead applicant (a member of the consortium).
    pub lead_applicant: MunicipalityCode,
    /// Submission deadline (UTC instant).
    pub deadline: DateTime<Utc>,
    pub total_budget: Money,
    /// Amount requested from the programme.
    pub requested: Money,
    /// The planned project period.
    pub project_period: Period,
    pub serves_goals: Vec<GoalRef>,
    pub eu_priorities: Vec<EuPriority>,
    /// When the application was drafted (the business date reports count by).
    pub drafted_at: DateTime<Utc>,
}

/// A consortium member is invited as co-applicant. Caused by `InviteCoApplicant`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CoApplicantInvited {
    pub application: ApplicationId,
    pub municipality: MunicipalityCode,
}

/// A co-applicant (or the lead) commits co-financing (medfinansieringsintyg),
/// backed by its own decision. Caused by `CommitCoFinancing`. A later
/// commitment by the same municipality replaces the earlier one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CoFinancingCommitted {
    pub application: ApplicationId,
    pub municipality: MunicipalityCode,
    pub amount: Money,
    /// The municipality's own decision (body, date, paragraph, diarienummer).
    pub decision: Decision,
}

/// An invited co-applicant declines. Caused by `DeclineCoFinancing`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CoFinancingDeclined {
    pub application: ApplicationId,
    pub municipality: MunicipalityCode,
    pub reason: String,
}

/// The benefit-and-risk assessment (nytto- och riskanalys) Lidköping's strategy
/// demands before any new collaboration. Caused by `RecordRiskAssessment`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RiskAssessmentRecorded {
    pub application: ApplicationId,
    pub benefits: String,
    pub risks: String,
    /// Democracy and human-rights aspects of the partners.
    pub democracy_and_human_rights: String,
    pub assessed_on: NaiveDate,
}

/// The application is submitted to the funder. Caused by `SubmitApplication`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationSubmitted {
    pub application: ApplicationId,
    pub submitted_at: DateTime<Utc>,
    /// Total co-financing committed at submission.
    pub co_financing: Money,
}

/// The funder approves; a project follows. Caused by `ApproveApplication`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationApproved {
    pub application: ApplicationId,
    pub granted: Money,
    pub decided_on: NaiveDate,
    /// The funder's decision reference (e.g. Jems or Tillväxtverket case id).
    pub decision_reference: String,
    /// The project the approval becomes (registered by the process manager).
    pub project: ProjectId,
}

/// The funder rejects. Caused by `RejectApplication`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationRejected {
    pub application: ApplicationId,
    pub decided_on: NaiveDate,
    pub reason: String,
}

/// The consortium withdraws the application. Caused by `WithdrawApplication`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationWithdrawn {
    pub application: ApplicationId,
    pub withdrawn_on: NaiveDate,
    pub reason: String,
}

domain_events!(
    /// Events of the joint application aggregate.
    ApplicationEvent, "application", no_upcast, {
        ApplicationDrafted = 1,
        CoApplicantInvited = 1,
        CoFinancingCommitted = 1,
        CoFinancingDeclined = 1,
        RiskAssessmentRecorded = 1,
        ApplicationSubmitted = 1,
        ApplicationApproved = 1,
        ApplicationRejected = 1,
        ApplicationWithdrawn = 1,
    }
);

impl ApplicationEvent {
    pub fn application(&self) -> ApplicationId {
        match self {
            ApplicationEvent::ApplicationDrafted(e) => e.application,
            ApplicationEvent::CoApplicantInvited(e) => e.application,
            ApplicationEvent::CoFinancingCommitted(e) => e.application,
            ApplicationEvent::CoFinancingDeclined(e) => e.application,
            ApplicationEvent::RiskAssessmentRecorded(e) => e.application,
            ApplicationEvent::ApplicationSubmitted(e) => e.application,
            ApplicationEvent::ApplicationApproved(e) => e.application,
            ApplicationEvent::ApplicationRejected(e) => e.application,
            ApplicationEvent::ApplicationWithdrawn(e) => e.application,
        }
    }
}
