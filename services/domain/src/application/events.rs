//! The events of the joint application aggregate.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cofinancing::CoFinancingTerms;
use crate::cross_border::SideDecision;
use crate::event::EventDecodeError;
use crate::programme::{CallRules, SideBudget};
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
    /// The programme call answered, with the rule set it names as it stood at
    /// drafting: the rules the application is checked against, frozen with it.
    /// Added in schema version 2; version 1 events are upcast with `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_rules: Option<Box<CallRules>>,
    /// The budget per country side (a cross-border project's two budgets),
    /// each converted once to the application's currency where it differs.
    /// Added in schema version 2; version 1 events are upcast with none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sides: Vec<SideBudget>,
}

/// A consortium member is invited as co-applicant. Caused by `InviteCoApplicant`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CoApplicantInvited {
    pub application: ApplicationId,
    pub municipality: MunicipalityCode,
    /// What the coordinator asks the co-applicant to commit, when stated.
    /// Added in schema version 2; version 1 events are upcast with `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked: Option<Money>,
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
    /// Public or private, cash or in kind, its source, the partner's budget
    /// and the conversion used (medfinansieringsintyg, Jems partner
    /// co-financing). Added in schema version 2; version 1 events are upcast with `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<CoFinancingTerms>,
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

/// One funder decides one side of a cross-border application (the EU
/// funds of the Swedish side, the IR funds of the Norwegian side). Caused by
/// `RecordFunderDecision`. When the last side is decided, the same command
/// records `ApplicationApproved` (some side granted) or `ApplicationRejected`
/// (every side refused).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FunderDecisionRecorded {
    pub application: ApplicationId,
    #[serde(flatten)]
    pub decision: SideDecision,
}

/// A committed party confirms its commitment after the funder approved
/// the application (Tillväxtverket: bekräftelse av medfinansiering, due a
/// number of weeks after the decision per the rule set). Caused by
/// `ConfirmCommitment`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommitmentConfirmed {
    pub application: ApplicationId,
    pub municipality: MunicipalityCode,
    /// The day the party confirmed (a calendar date, on or after the funder's decision).
    pub confirmed_on: NaiveDate,
    /// The funder's decision the confirmation answers, e.g. Tillväxtverket's case id.
    pub decision_reference: String,
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

/// Version 1 of `ApplicationDrafted`, `CoApplicantInvited` and
/// `CoFinancingCommitted` had none of the fields version 2 added.
fn upcast(event_type: &str, version: u32, mut data: serde_json::Value) -> Result<serde_json::Value, EventDecodeError> {
    if version < 2 {
        if let Some(obj) = data.as_object_mut() {
            match event_type {
                "ApplicationDrafted" => {
                    obj.entry("call_rules").or_insert(serde_json::Value::Null);
                    obj.entry("sides").or_insert(serde_json::json!([]));
                }
                "CoApplicantInvited" => {
                    obj.entry("asked").or_insert(serde_json::Value::Null);
                }
                "CoFinancingCommitted" => {
                    obj.entry("terms").or_insert(serde_json::Value::Null);
                }
                _ => {}
            }
        }
    }
    Ok(data)
}

domain_events!(
    /// Events of the joint application aggregate.
    ApplicationEvent, "application", upcast, {
        ApplicationDrafted = 2,
        CoApplicantInvited = 2,
        CoFinancingCommitted = 2,
        CoFinancingDeclined = 1,
        RiskAssessmentRecorded = 1,
        ApplicationSubmitted = 1,
        ApplicationApproved = 1,
        ApplicationRejected = 1,
        ApplicationWithdrawn = 1,
        FunderDecisionRecorded = 1,
        CommitmentConfirmed = 1,
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
            ApplicationEvent::FunderDecisionRecorded(e) => e.application,
            ApplicationEvent::CommitmentConfirmed(e) => e.application,
        }
    }
}
