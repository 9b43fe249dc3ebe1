//! The project commands: one line each.

use samverkan_domain::project::Project as ProjectAggregate;

use super::inputs::*;
use super::personal::{AssignContactPersonInput, EraseSubjectInput};
use crate::command::{command_table, payload};
use crate::types::Project;

payload!(
    /// The answer to a project command.
    ProjectPayload for ProjectAggregate,
    project: Project = |m, id| m.project(id, None).map(|v| Project::from(&v))
);

command_table! {
    ProjectMutation("project") {
        /// Register an international project.
        register_project(RegisterProjectInput) -> ProjectPayload;
        /// Plan a milestone within the project period.
        plan_milestone(PlanMilestoneInput) -> ProjectPayload;
        /// Give a milestone a new due date.
        reschedule_milestone(RescheduleMilestoneInput) -> ProjectPayload;
        /// Record that a milestone was achieved.
        achieve_milestone(AchieveMilestoneInput) -> ProjectPayload;
        /// Cancel a planned milestone.
        cancel_milestone(CancelMilestoneInput) -> ProjectPayload;
        /// Change budget, grant or co-financing.
        amend_budget(AmendBudgetInput) -> ProjectPayload;
        /// Add a partner.
        add_partner(AddPartnerInput) -> ProjectPayload;
        /// A partner leaves (the lead cannot).
        remove_partner(RemovePartnerInput) -> ProjectPayload;
        /// Complete the project (no open milestones may remain).
        complete_project(CompleteProjectInput) -> ProjectPayload;
        /// Cancel the project.
        cancel_project(CancelProjectInput) -> ProjectPayload;
        /// The funder approved the project's result (final report accepted): a
        /// lump sum paid all or nothing on the result (`lump_sum_paid_on_result`)
        /// is no longer at risk.
        approve_project_result(ApproveProjectResultInput) -> ProjectPayload;
        /// Name a contact person for a municipality taking part in the
        /// project; name, e-mail and phone are personal data, sealed under a
        /// new data subject's key (`contacts { subject }`).
        assign_contact_person(AssignContactPersonInput) -> ProjectPayload;
        /// Erase a data subject's personal data on a gallringsbeslut, once the
        /// project's retention period is over (administrators only): the
        /// erasure is recorded and the subject's key destroyed.
        erase_subject(EraseSubjectInput) -> ProjectPayload;
    }
}
