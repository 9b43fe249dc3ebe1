//! The project commands' inputs.

use async_graphql::{InputObject, OneofObject};
use samverkan_domain as d;
use samverkan_domain::project::{Participant as DomainParticipant, Project, ProjectCommand, RegisterProject};
use samverkan_domain::{ProjectId, Rule};
use uuid::Uuid;

use crate::command::{CommandInput, CommandOf, Filled, IdOf};
use crate::error::ApiError;
use crate::scalars::{ConsortiumCode, CountryCode, Date, MilestoneId, MunicipalityCode};
use crate::shared::inputs::{eu_priorities, goal_refs, GoalRefInput, MoneyInput, PeriodInput, ProgrammeInput};
use crate::types::EuPriority;

/// An organisation outside Samverkan.
#[derive(InputObject, Clone, Debug)]
pub struct ExternalOrganisationInput {
    pub name: String,
    pub country: CountryCode,
}

/// A project participant: exactly one of `municipality` or `external`.
#[derive(OneofObject, Clone, Debug)]
pub enum ParticipantInput {
    Municipality(MunicipalityCode),
    External(ExternalOrganisationInput),
}

impl ParticipantInput {
    pub fn to_domain(&self) -> DomainParticipant {
        match self {
            ParticipantInput::Municipality(m) => DomainParticipant::Municipality { code: m.0 },
            ParticipantInput::External(e) => DomainParticipant::External {
                name: e.name.clone(),
                country: e.country.0,
            },
        }
    }
}

/// Budget, grant and co-financing, all in the same currency.
#[derive(InputObject, Clone, Debug)]
pub struct FinancingInput {
    pub budget: MoneyInput,
    pub grant: MoneyInput,
    pub co_financing: MoneyInput,
}

impl FinancingInput {
    pub fn to_domain(&self) -> Result<d::project::Financing, ApiError> {
        Ok(d::project::Financing {
            budget: self.budget.to_domain()?,
            grant: self.grant.to_domain()?,
            co_financing: self.co_financing.to_domain()?,
        })
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct RegisterProjectInput {
    /// The new project's id; when left out it is derived from `commandId`.
    pub project_id: Option<Uuid>,
    pub title: String,
    pub lead: ParticipantInput,
    #[graphql(default)]
    pub partners: Vec<ParticipantInput>,
    pub programme: ProgrammeInput,
    pub financing: FinancingInput,
    /// Must have an end.
    pub period: PeriodInput,
    #[graphql(default)]
    pub serves_goals: Vec<GoalRefInput>,
    #[graphql(default)]
    pub eu_priorities: Vec<EuPriority>,
    /// The consortium the project belongs to, if any.
    pub consortium: Option<ConsortiumCode>,
}

impl CommandInput for RegisterProjectInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::RegisterProject;
    fn command(self, server: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let id = ProjectId(server.new_id(self.project_id, b"project"));
        let command = ProjectCommand::Register(Box::new(RegisterProject {
            project: id,
            title: self.title,
            lead: self.lead.to_domain(),
            partners: self.partners.iter().map(ParticipantInput::to_domain).collect(),
            programme: self.programme.to_domain(),
            financing: self.financing.to_domain()?,
            period: self.period.to_domain()?,
            serves_goals: goal_refs(&self.serves_goals),
            eu_priorities: eu_priorities(&self.eu_priorities),
            from_application: None,
            consortium: self.consortium.map(|c| c.0),
            sides: vec![],
        }));
        Ok((id, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct PlanMilestoneInput {
    pub project_id: Uuid,
    pub milestone_id: MilestoneId,
    pub title: String,
    pub due: Date,
}

impl CommandInput for PlanMilestoneInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::Project;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ProjectCommand::PlanMilestone {
            milestone: self.milestone_id.0,
            title: self.title,
            due: self.due.0,
        };
        Ok((ProjectId(self.project_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct RescheduleMilestoneInput {
    pub project_id: Uuid,
    pub milestone_id: MilestoneId,
    pub new_due: Date,
    pub reason: String,
}

impl CommandInput for RescheduleMilestoneInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::Project;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ProjectCommand::RescheduleMilestone {
            milestone: self.milestone_id.0,
            new_due: self.new_due.0,
            reason: self.reason,
        };
        Ok((ProjectId(self.project_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct AchieveMilestoneInput {
    pub project_id: Uuid,
    pub milestone_id: MilestoneId,
    pub achieved_on: Date,
}

impl CommandInput for AchieveMilestoneInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::Project;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ProjectCommand::AchieveMilestone {
            milestone: self.milestone_id.0,
            achieved_on: self.achieved_on.0,
        };
        Ok((ProjectId(self.project_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct CancelMilestoneInput {
    pub project_id: Uuid,
    pub milestone_id: MilestoneId,
    pub reason: String,
}

impl CommandInput for CancelMilestoneInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::Project;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ProjectCommand::CancelMilestone {
            milestone: self.milestone_id.0,
            reason: self.reason,
        };
        Ok((ProjectId(self.project_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct AmendBudgetInput {
    pub project_id: Uuid,
    pub financing: FinancingInput,
    pub reason: String,
}

impl CommandInput for AmendBudgetInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::Project;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ProjectCommand::AmendBudget {
            financing: self.financing.to_domain()?,
            reason: self.reason,
        };
        Ok((ProjectId(self.project_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct AddPartnerInput {
    pub project_id: Uuid,
    pub partner: ParticipantInput,
    pub joined_on: Date,
}

impl CommandInput for AddPartnerInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::Project;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ProjectCommand::AddPartner {
            partner: self.partner.to_domain(),
            joined_on: self.joined_on.0,
        };
        Ok((ProjectId(self.project_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct RemovePartnerInput {
    pub project_id: Uuid,
    /// The partner's key (see `Participant.key`).
    pub partner_key: String,
    pub left_on: Date,
}

impl CommandInput for RemovePartnerInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::Project;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ProjectCommand::RemovePartner {
            partner_key: self.partner_key,
            left_on: self.left_on.0,
        };
        Ok((ProjectId(self.project_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct CompleteProjectInput {
    pub project_id: Uuid,
    pub completed_on: Date,
}

impl CommandInput for CompleteProjectInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::Project;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ProjectCommand::Complete {
            completed_on: self.completed_on.0,
        };
        Ok((ProjectId(self.project_id), command))
    }
}

/// The funder approved the project's result (final report accepted). Once
/// per project, on an active or completed project, on or after the
/// project's start and not after today. Ends `Project.paymentAtRisk`.
#[derive(InputObject, Clone, Debug)]
pub struct ApproveProjectResultInput {
    pub project_id: Uuid,
    /// The day the funder approved the result (a calendar date; not after today, server clock).
    pub approved_on: Date,
    /// The funder's reference for the approval, e.g. its decision number (diarienummer).
    pub decision_reference: String,
}

impl CommandInput for ApproveProjectResultInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::Project;
    fn command(self, server: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ProjectCommand::ApproveResult {
            approved_on: self.approved_on.0,
            decision_reference: self.decision_reference,
            now: server.now(),
        };
        Ok((ProjectId(self.project_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct CancelProjectInput {
    pub project_id: Uuid,
    pub cancelled_on: Date,
    pub reason: String,
}

impl CommandInput for CancelProjectInput {
    type Aggregate = Project;
    const RULE: Rule = Rule::Project;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ProjectCommand::Cancel {
            cancelled_on: self.cancelled_on.0,
            reason: self.reason,
        };
        Ok((ProjectId(self.project_id), command))
    }
}
