//! The joint application commands' inputs.

use async_graphql::InputObject;
use samverkan_domain::application::{Application, ApplicationCommand, DraftApplication};
use samverkan_domain::{ApplicationId, Rule};
use uuid::Uuid;

use crate::command::{CommandInput, CommandOf, Filled, IdOf};
use crate::error::ApiError;
use crate::scalars::{ConsortiumCode, Date, DateTime, MunicipalityCode};
use crate::shared::inputs::{
    eu_priorities, goal_refs, DecisionInput, GoalRefInput, MoneyInput, PeriodInput, ProgrammeInput,
};
use crate::types::EuPriority;

#[derive(InputObject, Clone, Debug)]
pub struct DraftApplicationInput {
    /// The new application's id; when left out it is derived from `commandId`.
    pub application_id: Option<Uuid>,
    pub consortium: ConsortiumCode,
    pub title: String,
    pub programme: ProgrammeInput,
    /// The programme call (utlysning).
    pub call: String,
    /// A current member of the consortium.
    pub lead_applicant: MunicipalityCode,
    /// Submission deadline; must lie ahead (server clock).
    pub deadline: DateTime,
    pub total_budget: MoneyInput,
    pub requested: MoneyInput,
    /// Planned project period; must have an end.
    pub project_period: PeriodInput,
    #[graphql(default)]
    pub serves_goals: Vec<GoalRefInput>,
    #[graphql(default)]
    pub eu_priorities: Vec<EuPriority>,
}

impl CommandInput for DraftApplicationInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::Application;
    fn command(self, server: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let id = ApplicationId(server.new_id(self.application_id, b"application"));
        let command = ApplicationCommand::Draft(Box::new(DraftApplication {
            application: id,
            consortium: self.consortium.0,
            consortium_members: Default::default(),
            title: self.title,
            programme: self.programme.to_domain(),
            call: self.call,
            lead_applicant: self.lead_applicant.0,
            deadline: self.deadline.0,
            total_budget: self.total_budget.to_domain()?,
            requested: self.requested.to_domain()?,
            project_period: self.project_period.to_domain()?,
            serves_goals: goal_refs(&self.serves_goals),
            eu_priorities: eu_priorities(&self.eu_priorities),
            now: server.now(),
        }));
        Ok((id, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct InviteCoApplicantInput {
    pub application_id: Uuid,
    /// A current member of the consortium other than the lead.
    pub municipality: MunicipalityCode,
}

impl CommandInput for InviteCoApplicantInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::Application;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ApplicationCommand::Invite {
            municipality: self.municipality.0,
            consortium_members: Default::default(),
        };
        Ok((ApplicationId(self.application_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct CommitCoFinancingInput {
    pub application_id: Uuid,
    /// The lead applicant or an invited co-applicant.
    pub municipality: MunicipalityCode,
    pub amount: MoneyInput,
    /// The municipality's own decision.
    pub decision: DecisionInput,
}

impl CommandInput for CommitCoFinancingInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::CoFinancing;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ApplicationCommand::CommitCoFinancing {
            municipality: self.municipality.0,
            amount: self.amount.to_domain()?,
            decision: self.decision.to_domain(),
        };
        Ok((ApplicationId(self.application_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct DeclineCoFinancingInput {
    pub application_id: Uuid,
    pub municipality: MunicipalityCode,
    pub reason: String,
}

impl CommandInput for DeclineCoFinancingInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::CoFinancing;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ApplicationCommand::DeclineCoFinancing {
            municipality: self.municipality.0,
            reason: self.reason,
        };
        Ok((ApplicationId(self.application_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct RecordRiskAssessmentInput {
    pub application_id: Uuid,
    pub benefits: String,
    pub risks: String,
    /// Democracy and human-rights aspects of the partners.
    pub democracy_and_human_rights: String,
    pub assessed_on: Date,
}

impl CommandInput for RecordRiskAssessmentInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::Application;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ApplicationCommand::RecordRiskAssessment {
            benefits: self.benefits,
            risks: self.risks,
            democracy_and_human_rights: self.democracy_and_human_rights,
            assessed_on: self.assessed_on.0,
        };
        Ok((ApplicationId(self.application_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct SubmitApplicationInput {
    pub application_id: Uuid,
}

impl CommandInput for SubmitApplicationInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::Application;
    fn command(self, server: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ApplicationCommand::Submit { now: server.now() };
        Ok((ApplicationId(self.application_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct ApproveApplicationInput {
    pub application_id: Uuid,
    pub granted: MoneyInput,
    pub decided_on: Date,
    /// The funder's decision reference.
    pub decision_reference: String,
}

impl CommandInput for ApproveApplicationInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::Application;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ApplicationCommand::Approve {
            granted: self.granted.to_domain()?,
            decided_on: self.decided_on.0,
            decision_reference: self.decision_reference,
        };
        Ok((ApplicationId(self.application_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct RejectApplicationInput {
    pub application_id: Uuid,
    pub decided_on: Date,
    pub reason: String,
}

impl CommandInput for RejectApplicationInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::Application;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ApplicationCommand::Reject {
            decided_on: self.decided_on.0,
            reason: self.reason,
        };
        Ok((ApplicationId(self.application_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct WithdrawApplicationInput {
    pub application_id: Uuid,
    pub withdrawn_on: Date,
    pub reason: String,
}

impl CommandInput for WithdrawApplicationInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::Application;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ApplicationCommand::Withdraw {
            withdrawn_on: self.withdrawn_on.0,
            reason: self.reason,
        };
        Ok((ApplicationId(self.application_id), command))
    }
}
