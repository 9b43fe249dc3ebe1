//! The joint application commands' inputs.

use async_graphql::InputObject;
use samverkan_domain::application::{Application, ApplicationCommand, CommitWithTerms, DraftApplication};
use samverkan_domain::cofinancing as cf;
use samverkan_domain::programme as p;
use samverkan_domain::{ApplicationId, Rule};
use uuid::Uuid;

use crate::command::{CommandInput, CommandOf, Filled, IdOf};
use crate::error::ApiError;
use crate::scalars::{ConsortiumCode, Date, DateTime, MunicipalityCode};
use crate::shared::inputs::{
    eu_priorities, goal_refs, DecisionInput, GoalRefInput, MoneyInput, PeriodInput, ProgrammeInput,
};
use crate::types::{CoFinancingSource, ContributionForm, EuPriority, FundingOrigin};
use samverkan_domain as d;

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
    /// The programme call answered: its rule set is checked (see `checkApplication`).
    pub call_ref: Option<CallRefInput>,
    /// The budget per country side (cross-border programmes: the Swedish
    /// side's EU funds, the Norwegian side's IR funds), adding up to
    /// `totalBudget` and `requested`.
    #[graphql(default)]
    pub sides: Vec<SideBudgetInput>,
}

/// Which call of which programme.
#[derive(InputObject, Clone, Debug)]
pub struct CallRefInput {
    /// The programme's code, e.g. `INTERREG-SE-NO`.
    pub programme: String,
    /// The call's code, e.g. `2027-02`.
    pub call: String,
}

/// A conversion from another currency: the rate, where it comes from and its date.
#[derive(InputObject, Clone, Debug)]
pub struct ConversionInput {
    /// Units of the application's currency per unit of the other, at most six decimals, e.g. `0.0856`.
    pub rate: String,
    /// E.g. `InforEuro, monthly rate 2025-09`.
    pub source: String,
    pub date: Date,
}

impl ConversionInput {
    fn to_domain(&self) -> p::Conversion {
        p::Conversion {
            rate: self.rate.clone(),
            source: self.source.clone(),
            date: self.date.0,
        }
    }
}

/// One country's side of the budget, in its own currency.
#[derive(InputObject, Clone, Debug)]
pub struct SideBudgetInput {
    /// ISO 3166 alpha-2, e.g. `SE` or `NO`.
    pub country: String,
    /// The fund asked from, e.g. `ERDF` or `IR`.
    pub fund: String,
    pub total: MoneyInput,
    pub requested: MoneyInput,
    /// Required when the side's currency is not the application's.
    pub conversion: Option<ConversionInput>,
}

impl SideBudgetInput {
    fn to_domain(&self) -> Result<p::SideBudget, ApiError> {
        Ok(p::SideBudget {
            country: d::CountryCode::parse(&self.country)?,
            fund: self.fund.clone(),
            total: self.total.to_domain()?,
            requested: self.requested.to_domain()?,
            conversion: self.conversion.as_ref().map(ConversionInput::to_domain),
            converted_total: None,
            converted_requested: None,
        })
    }
}

/// What a co-financing certificate states besides amount and decision.
#[derive(InputObject, Clone, Debug)]
pub struct CoFinancingTermsInput {
    pub origin: FundingOrigin,
    pub form: ContributionForm,
    pub source: CoFinancingSource,
    /// The partner's budget (eligible costs), in the application's currency.
    pub partner_budget: Option<MoneyInput>,
    #[graphql(default)]
    pub cost_lines: Vec<CostLineInput>,
    /// When the amount was given in another currency: the original and the rate
    /// (`amount` must be the original converted, rounded down to the minor unit).
    pub converted_from: Option<ConvertedAmountInput>,
}

/// A budget line by cost category.
#[derive(InputObject, Clone, Debug)]
pub struct CostLineInput {
    /// E.g. `salaries`, `travel`, `per_diems`.
    pub category: String,
    pub amount: MoneyInput,
}

/// An amount as given in its own currency and the conversion used.
#[derive(InputObject, Clone, Debug)]
pub struct ConvertedAmountInput {
    pub original: MoneyInput,
    pub conversion: ConversionInput,
}

impl CoFinancingTermsInput {
    fn to_domain(&self) -> Result<cf::CoFinancingTerms, ApiError> {
        Ok(cf::CoFinancingTerms {
            origin: self.origin.into(),
            form: self.form.into(),
            source: self.source.into(),
            partner_budget: self.partner_budget.as_ref().map(MoneyInput::to_domain).transpose()?,
            cost_lines: self
                .cost_lines
                .iter()
                .map(|l| {
                    Ok(cf::CostLine {
                        category: l.category.clone(),
                        amount: l.amount.to_domain()?,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            converted_from: self
                .converted_from
                .as_ref()
                .map(|c| {
                    Ok::<_, ApiError>(cf::ConvertedAmount {
                        original: c.original.to_domain()?,
                        conversion: c.conversion.to_domain(),
                    })
                })
                .transpose()?,
        })
    }
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
            call_ref: self
                .call_ref
                .map(|c| {
                    Ok::<_, ApiError>(p::CallRef {
                        programme: p::ProgrammeCode::parse(&c.programme)?,
                        call: c.call,
                    })
                })
                .transpose()?,
            sides: self
                .sides
                .iter()
                .map(SideBudgetInput::to_domain)
                .collect::<Result<_, _>>()?,
            call_rules: None,
        }));
        Ok((id, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct InviteCoApplicantInput {
    pub application_id: Uuid,
    /// A current member of the consortium other than the lead.
    pub municipality: MunicipalityCode,
    /// What the co-applicant is asked to commit (shown in its decisions owed).
    pub asked: Option<MoneyInput>,
}

impl CommandInput for InviteCoApplicantInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::Application;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = match self.asked {
            None => ApplicationCommand::Invite {
                municipality: self.municipality.0,
                consortium_members: Default::default(),
            },
            Some(asked) => ApplicationCommand::InviteAsking {
                municipality: self.municipality.0,
                asked: asked.to_domain()?,
                consortium_members: Default::default(),
            },
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
    /// Public or private, cash or in kind, the source, the partner's budget, a conversion.
    pub terms: Option<CoFinancingTermsInput>,
}

impl CommandInput for CommitCoFinancingInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::CoFinancing;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = match &self.terms {
            None => ApplicationCommand::CommitCoFinancing {
                municipality: self.municipality.0,
                amount: self.amount.to_domain()?,
                decision: self.decision.to_domain(),
            },
            Some(terms) => ApplicationCommand::CommitWithTerms(Box::new(CommitWithTerms {
                municipality: self.municipality.0,
                amount: self.amount.to_domain()?,
                decision: self.decision.to_domain(),
                terms: terms.to_domain()?,
            })),
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

/// One funder's decision on one side of a cross-border application: the
/// managing authority's on the Swedish side's EU funds, the Norwegian
/// county's (fylkeskommune) on the Norwegian side's IR funds. Give either
/// `granted` or `refusalReason`.
#[derive(InputObject, Clone, Debug)]
pub struct RecordFunderDecisionInput {
    pub application_id: Uuid,
    /// The side decided: its country, e.g. `SE` or `NO`.
    pub country: crate::scalars::CountryCode,
    /// Who decided, e.g. `Region Jämtland Härjedalen (managing authority)` or `Innlandet fylkeskommune`.
    pub funder: String,
    pub decided_on: Date,
    /// The funder's decision reference (Jems id, diarienummer, saksnummer).
    pub decision_reference: String,
    /// The amount granted, in the side's own currency, at most the side's request.
    pub granted: Option<MoneyInput>,
    /// Why the funder refused the side.
    pub refusal_reason: Option<String>,
}

/// A committed party confirms its commitment after the funder approved the
/// application (Tillväxtverket: bekräftelse av medfinansiering). Once per
/// party, on or after the decision's day, not after today.
#[derive(InputObject, Clone, Debug)]
pub struct ConfirmCommitmentInput {
    pub application_id: Uuid,
    /// The party confirming: the lead or a co-applicant that committed.
    pub municipality: MunicipalityCode,
    /// The day it confirmed (a calendar date; not after today, server clock).
    pub confirmed_on: Date,
    /// The funder's decision it answers, e.g. Tillväxtverket's case id (ärendenummer).
    pub decision_reference: String,
}

impl CommandInput for ConfirmCommitmentInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::CoFinancing;
    fn command(self, server: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ApplicationCommand::ConfirmCommitment {
            municipality: self.municipality.0,
            confirmed_on: self.confirmed_on.0,
            decision_reference: self.decision_reference,
            now: server.now(),
        };
        Ok((ApplicationId(self.application_id), command))
    }
}

impl CommandInput for RecordFunderDecisionInput {
    type Aggregate = Application;
    const RULE: Rule = Rule::Application;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command =
            ApplicationCommand::RecordFunderDecision(Box::new(samverkan_domain::application::RecordFunderDecision {
                country: self.country.0,
                funder: self.funder,
                decided_on: self.decided_on.0,
                decision_reference: self.decision_reference,
                granted: self.granted.map(|g| g.to_domain()).transpose()?,
                refusal_reason: self.refusal_reason,
            }));
        Ok((ApplicationId(self.application_id), command))
    }
}
