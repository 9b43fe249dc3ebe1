//! The joint application commands: one line each.

use samverkan_domain::application::Application as ApplicationAggregate;

use super::inputs::*;
use crate::command::command_table;
use crate::types::{Application, RuleCheck};

/// The answer to a joint application command, with the programme rules'
/// warnings ("W" rules the application now breaks; "E" rules refuse instead).
#[derive(async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct ApplicationPayload {
    /// Global log position of the command's last event: pass it as
    /// `atLeastPosition` to read your own write.
    pub position: crate::scalars::Position,
    /// Version (0-based) of the aggregate's stream after the command:
    /// pass it as `expectedVersion` to the next command.
    pub version: u64,
    /// Events appended by this call (0 when the command id was already handled).
    pub appended: u32,
    /// Types of the command's events, e.g. `StrategyAdopted`.
    pub event_types: Vec<String>,
    /// The entity after the command; null only when the read models did
    /// not reach `position` within the wait (then query with `atLeastPosition`).
    pub application: Option<Application>,
}

#[async_graphql::ComplexObject]
impl ApplicationPayload {
    /// The "W" rules of the application's call it breaks after the command
    /// (empty when it names no call or the read models did not catch up).
    async fn warnings(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<Vec<RuleCheck>> {
        let when = samverkan_app::projections::AsOf::now(crate::context::now(ctx)?);
        let state = crate::context::state(ctx)?;
        Ok(self.application.as_ref().map_or_else(Vec::new, |a| {
            let approved = state.projections.read().result_approved_on(&a.view, when);
            crate::shared::all(
                &samverkan_app::projections::queries::rules::check_application(&a.view, when.today, approved)
                    .warnings(),
            )
        }))
    }
}

impl crate::command::Answer for ApplicationPayload {
    type Aggregate = ApplicationAggregate;
    type Entity = Application;
    const ENTITY_FIELDS: &'static [&'static str] = &["application", "warnings"];
    fn entity(models: &samverkan_app::ReadModels, id: &samverkan_domain::ApplicationId) -> Option<Application> {
        models.application(id, None).map(|v| Application::from(&v))
    }
    fn new(outcome: samverkan_app::CommandOutcome, application: Option<Application>) -> Self {
        Self {
            position: crate::scalars::Position(outcome.position),
            version: outcome.version,
            appended: u32::try_from(outcome.appended).unwrap_or(u32::MAX),
            event_types: outcome.event_types,
            application,
        }
    }
}

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
        /// A cross-border application is decided per side instead (`recordFunderDecision`).
        approve_application(ApproveApplicationInput) -> ApplicationPayload;
        /// Record the funder's rejection.
        reject_application(RejectApplicationInput) -> ApplicationPayload;
        /// Withdraw a draft or submitted application.
        withdraw_application(WithdrawApplicationInput) -> ApplicationPayload;
        /// Record one side's funder decision on a submitted cross-border application
        /// (EU funds for the Swedish side, IR funds for the Norwegian side); the last
        /// side's decision approves it (some side granted; the process manager then
        /// registers one project with every side) or rejects it (every side refused).
        record_funder_decision(RecordFunderDecisionInput) -> ApplicationPayload;
        /// A committed party confirms its commitment after the funder's approval
        /// (bekräftelse av medfinansiering); the rule set's `commitments_confirmed_within`
        /// rule warns while a confirmation is missing near or after its due day.
        confirm_commitment(ConfirmCommitmentInput) -> ApplicationPayload;
    }
}
