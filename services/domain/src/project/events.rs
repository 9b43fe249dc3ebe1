//! The events of the project aggregate.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{EuPriority, Financing, GoalRef, Participant};
use crate::cross_border::ProjectSide;
use crate::event::EventDecodeError;
use crate::{ApplicationId, MilestoneId, Period, Programme, ProjectId};

/// A project is registered. Caused by `RegisterProject` (also by the process
/// manager when a joint application is approved).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProjectRegistered {
    pub project: ProjectId,
    pub title: String,
    pub lead: Participant,
    pub partners: Vec<Participant>,
    pub programme: Programme,
    pub financing: Financing,
    /// Project period; always closed.
    pub period: Period,
    pub serves_goals: Vec<GoalRef>,
    pub eu_priorities: Vec<EuPriority>,
    /// The joint application the project came from, if any.
    #[serde(default)]
    pub from_application: Option<ApplicationId>,
    /// The consortium that applied, if any.
    #[serde(default)]
    pub consortium: Option<crate::ConsortiumCode>,
    /// A cross-border project's budget sides (one per country, each in its
    /// own currency) with each side's funder decision; `financing` holds the
    /// totals in the application's currency (the stored conversions). Added
    /// in schema version 2; version 1 events are upcast with none.
    // Boxed: most projects have none, and the event stays small.
    #[serde(default, skip_serializing_if = "no_sides")]
    pub sides: Box<Vec<ProjectSide>>,
}

fn no_sides<D: std::ops::Deref<Target = Vec<ProjectSide>>>(sides: &D) -> bool {
    sides.is_empty()
}

/// A milestone is planned. Caused by `PlanMilestone`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MilestonePlanned {
    pub project: ProjectId,
    pub milestone: MilestoneId,
    pub title: String,
    pub due: NaiveDate,
}

/// A milestone gets a new due date. Caused by `RescheduleMilestone`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MilestoneRescheduled {
    pub project: ProjectId,
    pub milestone: MilestoneId,
    pub previous_due: NaiveDate,
    pub new_due: NaiveDate,
    pub reason: String,
}

/// A milestone is achieved. Caused by `AchieveMilestone`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MilestoneAchieved {
    pub project: ProjectId,
    pub milestone: MilestoneId,
    pub achieved_on: NaiveDate,
}

/// A milestone is cancelled. Caused by `CancelMilestone`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MilestoneCancelled {
    pub project: ProjectId,
    pub milestone: MilestoneId,
    pub reason: String,
}

/// Budget, grant or co-financing change. Caused by `AmendBudget`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BudgetAmended {
    pub project: ProjectId,
    pub financing: Financing,
    pub reason: String,
}

/// A partner joins. Caused by `AddPartner`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PartnerAdded {
    pub project: ProjectId,
    pub partner: Participant,
    pub joined_on: NaiveDate,
}

/// A partner leaves. Caused by `RemovePartner`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PartnerLeft {
    pub project: ProjectId,
    pub partner: Participant,
    pub left_on: NaiveDate,
}

/// The project is completed. Caused by `CompleteProject`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProjectCompleted {
    pub project: ProjectId,
    pub completed_on: NaiveDate,
}

/// The project is cancelled. Caused by `CancelProject`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProjectCancelled {
    pub project: ProjectId,
    pub cancelled_on: NaiveDate,
    pub reason: String,
}

/// The funder approved the project's result (final report accepted): a
/// lump sum paid all or nothing on the result is no longer at risk. Caused
/// by `ApproveProjectResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProjectResultApproved {
    pub project: ProjectId,
    pub approved_on: NaiveDate,
    /// The funder's reference for the approval (diarienummer, decision number).
    pub decision_reference: String,
}

/// A contact person was named for a municipality taking part in the
/// project (replacing an earlier one for the same municipality and role).
/// Caused by `AssignContactPerson`. Name, e-mail and phone are personal
/// data, sealed under the key of `subject`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ContactPersonAssigned {
    pub project: ProjectId,
    pub municipality: crate::MunicipalityCode,
    /// The contact's role in the project, e.g. `projektledare`.
    pub role: String,
    pub subject: crate::personal::SubjectId,
    pub name: crate::personal::Sealed,
    #[serde(default)]
    pub email: Option<crate::personal::Sealed>,
    #[serde(default)]
    pub phone: Option<crate::personal::Sealed>,
    pub assigned_on: NaiveDate,
}

/// A data subject's personal data in the project was erased on a decision
/// on destruction (gallringsbeslut), after the project's retention period.
/// Caused by `ErasePersonalData` (the API's `eraseSubject`). The key is
/// destroyed after this is recorded; the sealed fields stay in the log,
/// unreadable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PersonalDataErased {
    pub project: ProjectId,
    pub subject: crate::personal::SubjectId,
    /// The gallringsbeslut: body, date, § and diarienummer.
    pub decision: crate::Decision,
    pub erased_on: NaiveDate,
    /// The end of the retention period the erasure came after.
    pub retained_until: NaiveDate,
}

/// Version 1 of `ProjectRegistered` had no `sides`.
fn upcast(event_type: &str, version: u32, mut data: serde_json::Value) -> Result<serde_json::Value, EventDecodeError> {
    if version < 2 && event_type == "ProjectRegistered" {
        if let Some(obj) = data.as_object_mut() {
            obj.entry("sides").or_insert(serde_json::json!([]));
        }
    }
    Ok(data)
}

domain_events!(
    /// Events of the project aggregate.
    ProjectEvent, "project", upcast, {
        ProjectRegistered = 2,
        MilestonePlanned = 1,
        MilestoneRescheduled = 1,
        MilestoneAchieved = 1,
        MilestoneCancelled = 1,
        BudgetAmended = 1,
        PartnerAdded = 1,
        PartnerLeft = 1,
        ProjectCompleted = 1,
        ProjectCancelled = 1,
        ProjectResultApproved = 1,
        ContactPersonAssigned = 1,
        PersonalDataErased = 1,
    }
);

impl ProjectEvent {
    pub fn project(&self) -> ProjectId {
        match self {
            ProjectEvent::ProjectRegistered(e) => e.project,
            ProjectEvent::MilestonePlanned(e) => e.project,
            ProjectEvent::MilestoneRescheduled(e) => e.project,
            ProjectEvent::MilestoneAchieved(e) => e.project,
            ProjectEvent::MilestoneCancelled(e) => e.project,
            ProjectEvent::BudgetAmended(e) => e.project,
            ProjectEvent::PartnerAdded(e) => e.project,
            ProjectEvent::PartnerLeft(e) => e.project,
            ProjectEvent::ProjectCompleted(e) => e.project,
            ProjectEvent::ProjectCancelled(e) => e.project,
            ProjectEvent::ProjectResultApproved(e) => e.project,
            ProjectEvent::ContactPersonAssigned(e) => e.project,
            ProjectEvent::PersonalDataErased(e) => e.project,
        }
    }
}
