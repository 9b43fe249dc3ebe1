//! The joint application commands: one line each.

use samverkan_domain::application::Application as ApplicationAggregate;

use super::inputs::*;
use crate::command::{command_table, payload};
use crate::types::Application;

payload!(
    /// The answer to a joint application command.
    ApplicationPayload for ApplicationAggregate,
    application: Application = |m, id| m.application(id, None).map(|v| Application::from(&v))
);

command_table! {
    ApplicationMutation("joint application") {
        /// Draft a joint application for a programme call (the deadline must lie ahead).
        draft_application(DraftApplicationInput) -> ApplicationPayload;
        /// Invite a consortium member as co-applicant.
        invite_co_applicant(InviteCoApplicantInput) -> ApplicationPayload;
        /// A co-applicant (or the lead) commits co-financing with its own decision.
        commit_co_financing(CommitCoFinancingInput) -> ApplicationPayload;
        /// An invited co-applicant declines.
        decline_co_financing(DeclineCoFinancingInput) -> ApplicationPayload;
        /// Record the benefit-and-risk assessment (nytto- och riskanalys).
        record_risk_assessment(RecordRiskAssessmentInput) -> ApplicationPayload;
        /// Submit (every co-applicant answered, risk assessed, before the deadline).
        submit_application(SubmitApplicationInput) -> ApplicationPayload;
        /// Record the funder's approval; the process manager registers the project.
        approve_application(ApproveApplicationInput) -> ApplicationPayload;
        /// Record the funder's rejection.
        reject_application(RejectApplicationInput) -> ApplicationPayload;
        /// Withdraw a draft or submitted application.
        withdraw_application(WithdrawApplicationInput) -> ApplicationPayload;
    }
}
