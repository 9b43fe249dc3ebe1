//! GraphQL input types and their conversion into domain values.

use async_graphql::{InputObject, OneofObject};
use chrono::NaiveDate;
use samverkan_domain as d;
use samverkan_domain::consortium::Coordinator as DomainCoordinator;
use samverkan_domain::project::Participant as DomainParticipant;
use samverkan_domain::DomainError;
use uuid::Uuid;

use crate::error::ApiError;
use crate::scalars::{ConsortiumCode, CountryCode, Date, DateTime, GoalId, MilestoneId, MinorUnits, MunicipalityCode};
use crate::types::{
    ApplicationStatus, ConsortiumKind, Currency, DecisionBody, DocumentKind, EuPriority, FollowUpCadence,
    ProgrammeKind, ProjectStatus, StrategyStatus,
};

/// An amount of money: integer minor units and a currency.
#[derive(InputObject, Clone, Debug)]
pub struct MoneyInput {
    /// Minor units (1 SEK = 100 öre); a non-negative integer, never a float.
    pub amount_minor: MinorUnits,
    pub currency: Currency,
}

impl MoneyInput {
    pub fn to_domain(&self) -> Result<d::Money, ApiError> {
        Ok(d::Money::for_command(self.amount_minor.amount(), self.currency.into())?)
    }
}

/// A formal decision.
#[derive(InputObject, Clone, Debug)]
pub struct DecisionInput {
    pub body: DecisionBody,
    pub date: Date,
    /// Paragraph in the minutes, e.g. `§ 12`.
    pub paragraph: Option<String>,
    /// Case number (diarienummer), e.g. `KS 2023/993`.
    pub case_number: Option<String>,
}

impl DecisionInput {
    pub fn to_domain(&self) -> d::Decision {
        d::Decision {
            body: self.body.into(),
            date: self.date.0,
            paragraph: self.paragraph.clone(),
            case_number: self.case_number.clone(),
        }
    }
}

/// A span of dates; leave `end` out for "until further notice".
#[derive(InputObject, Clone, Debug)]
pub struct PeriodInput {
    pub start: Date,
    pub end: Option<Date>,
}

impl PeriodInput {
    pub fn to_domain(&self) -> Result<d::Period, ApiError> {
        Ok(d::Period::new(self.start.0, self.end.map(|e| e.0))?)
    }
}

/// An inclusive range of dates used by list filters.
#[derive(InputObject, Clone, Debug)]
pub struct DateRange {
    pub from: Date,
    pub to: Date,
}

impl DateRange {
    pub fn bounds(&self) -> Result<(NaiveDate, NaiveDate), ApiError> {
        if self.to.0 < self.from.0 {
            return Err(DomainError::PeriodEndsBeforeStart {
                start: self.from.0,
                end: self.to.0,
            }
            .into());
        }
        Ok((self.from.0, self.to.0))
    }
}

/// A funding programme.
#[derive(InputObject, Clone, Debug)]
pub struct ProgrammeInput {
    pub kind: ProgrammeKind,
    /// E.g. `Interreg Sverige–Norge 2021–2027`.
    pub name: String,
}

impl ProgrammeInput {
    pub fn to_domain(&self) -> d::Programme {
        d::Programme {
            kind: self.kind.into(),
            name: self.name.clone(),
        }
    }
}

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

/// A reference to a goal of a strategy document.
#[derive(InputObject, Clone, Debug)]
pub struct GoalRefInput {
    pub strategy_id: Uuid,
    pub goal_id: GoalId,
}

pub fn goal_refs(refs: &[GoalRefInput]) -> Vec<d::project::GoalRef> {
    refs.iter()
        .map(|g| d::project::GoalRef {
            strategy: d::StrategyId(g.strategy_id),
            goal: g.goal_id.0.clone(),
        })
        .collect()
}

pub fn eu_priorities(p: &[EuPriority]) -> Vec<d::project::EuPriority> {
    p.iter().map(|e| (*e).into()).collect()
}

/// A goal of a strategy document.
#[derive(InputObject, Clone, Debug)]
pub struct GoalInput {
    /// Stable id within the document, e.g. `G1`.
    pub id: GoalId,
    pub title: String,
    pub focus_area: Option<String>,
    #[graphql(default)]
    pub activities: Vec<String>,
}

/// The content of a strategy document.
#[derive(InputObject, Clone, Debug)]
pub struct StrategyContentInput {
    #[graphql(default)]
    pub focus_areas: Vec<String>,
    #[graphql(default)]
    pub goals: Vec<GoalInput>,
    #[graphql(default)]
    pub topics: Vec<String>,
}

impl StrategyContentInput {
    pub fn to_domain(&self) -> d::strategy::StrategyContent {
        d::strategy::StrategyContent {
            focus_areas: self.focus_areas.clone(),
            goals: self
                .goals
                .iter()
                .map(|g| d::strategy::Goal {
                    id: g.id.0.clone(),
                    title: g.title.clone(),
                    focus_area: g.focus_area.clone(),
                    activities: g.activities.clone(),
                })
                .collect(),
            topics: self.topics.clone(),
        }
    }
}

/// The other party of a twin-town agreement.
#[derive(InputObject, Clone, Debug)]
pub struct TwinTownPartnerInput {
    pub name: String,
    pub country: CountryCode,
    /// Its municipality code, when it is registered here.
    pub code: Option<MunicipalityCode>,
}

/// Who coordinates: exactly one of `member` or `office`.
#[derive(OneofObject, Clone, Debug)]
pub enum CoordinatorInput {
    /// A member municipality.
    Member(MunicipalityCode),
    /// The name of a joint office or secretariat.
    Office(String),
}

impl CoordinatorInput {
    pub fn to_domain(&self) -> DomainCoordinator {
        match self {
            CoordinatorInput::Member(m) => DomainCoordinator::Member { municipality: m.0 },
            CoordinatorInput::Office(name) => DomainCoordinator::Office { name: name.clone() },
        }
    }
}

// ---------------------------------------------------------------- filters

/// Filters for `projects`. All given filters must match.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ProjectFilter {
    /// Projects the municipality leads or is a current partner of.
    pub municipality: Option<MunicipalityCode>,
    pub consortium: Option<ConsortiumCode>,
    pub programme: Option<ProgrammeKind>,
    pub status: Option<ProjectStatus>,
    /// Projects whose period overlaps the range.
    pub active_during: Option<DateRange>,
}

/// Filters for `applications`. All given filters must match.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ApplicationFilter {
    /// Applications the municipality leads or is invited to.
    pub municipality: Option<MunicipalityCode>,
    pub consortium: Option<ConsortiumCode>,
    pub programme: Option<ProgrammeKind>,
    pub status: Option<ApplicationStatus>,
    /// Applications drafted (recorded) within the range.
    pub drafted_during: Option<DateRange>,
}

/// Filters for `strategies`. All given filters must match.
#[derive(InputObject, Clone, Debug, Default)]
pub struct StrategyFilter {
    pub municipality: Option<MunicipalityCode>,
    pub status: Option<StrategyStatus>,
    pub kind: Option<DocumentKind>,
    /// Documents in force (adopted and valid) on this day.
    pub in_force_on: Option<Date>,
    /// Documents whose validity overlaps the range.
    pub valid_during: Option<DateRange>,
}

/// Filters for `consortia`.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ConsortiumFilter {
    /// Consortia the municipality currently belongs to.
    pub member: Option<MunicipalityCode>,
    pub kind: Option<ConsortiumKind>,
    /// Include dissolved consortia (default true).
    pub include_dissolved: Option<bool>,
}

// ---------------------------------------------------------------- municipality commands

#[derive(InputObject, Clone, Debug)]
pub struct RegisterMunicipalityInput {
    pub code: MunicipalityCode,
    /// Official name, e.g. `Vänersborgs kommun`.
    pub name: String,
    /// From when the national code is valid.
    pub code_valid_from: Option<Date>,
}

#[derive(InputObject, Clone, Debug)]
pub struct ChangeMunicipalityCodeInput {
    /// The municipality: its identity (first code) or its code today.
    pub municipality: MunicipalityCode,
    /// The new national code, of the same country.
    pub new_code: MunicipalityCode,
    /// First day of the new code; the current code ends the day before.
    pub valid_from: Date,
    /// The decision behind the change, when there is one.
    pub decision: Option<DecisionInput>,
    /// Where the change is documented (e.g. an SCB or SSB page).
    pub source: String,
}

#[derive(InputObject, Clone, Debug)]
pub struct SignTwinTownAgreementInput {
    pub municipality: MunicipalityCode,
    pub partner: TwinTownPartnerInput,
    pub since: Date,
    /// Must be a council decision.
    pub decision: DecisionInput,
}

#[derive(InputObject, Clone, Debug)]
pub struct EndTwinTownAgreementInput {
    pub municipality: MunicipalityCode,
    /// The partner's key (see `TwinTownPartner.key`).
    pub partner_key: String,
    pub ended_on: Date,
    /// Must be a council decision.
    pub decision: DecisionInput,
}

// ---------------------------------------------------------------- consortium commands

#[derive(InputObject, Clone, Debug)]
pub struct FormConsortiumInput {
    pub code: ConsortiumCode,
    pub name: String,
    pub kind: ConsortiumKind,
    pub purpose: String,
    pub formed_on: Date,
}

#[derive(InputObject, Clone, Debug)]
pub struct JoinConsortiumInput {
    pub consortium: ConsortiumCode,
    pub municipality: MunicipalityCode,
    pub joined_on: Date,
}

#[derive(InputObject, Clone, Debug)]
pub struct LeaveConsortiumInput {
    pub consortium: ConsortiumCode,
    pub municipality: MunicipalityCode,
    pub left_on: Date,
}

#[derive(InputObject, Clone, Debug)]
pub struct AppointCoordinatorInput {
    pub consortium: ConsortiumCode,
    pub coordinator: CoordinatorInput,
    pub from: Date,
}

#[derive(InputObject, Clone, Debug)]
pub struct DissolveConsortiumInput {
    pub consortium: ConsortiumCode,
    pub dissolved_on: Date,
    pub reason: String,
}

// ---------------------------------------------------------------- strategy commands

#[derive(InputObject, Clone, Debug)]
pub struct DraftStrategyInput {
    /// The new document's id; when left out it is derived from `commandId`
    /// (so a retry addresses the same document).
    pub strategy_id: Option<Uuid>,
    pub municipality: MunicipalityCode,
    pub title: String,
    pub kind: DocumentKind,
    /// Owning body (ägare), e.g. `Kommunstyrelsen`.
    pub owner: String,
    /// Responsible role (ansvarig).
    pub responsible_role: String,
    pub follow_up_cadence: FollowUpCadence,
    pub content: StrategyContentInput,
}

#[derive(InputObject, Clone, Debug)]
pub struct AdoptStrategyInput {
    pub strategy_id: Uuid,
    /// Council or executive board.
    pub decision: DecisionInput,
    pub validity: PeriodInput,
}

#[derive(InputObject, Clone, Debug)]
pub struct ReviseStrategyInput {
    pub strategy_id: Uuid,
    pub decision: DecisionInput,
    pub content: StrategyContentInput,
    pub validity: PeriodInput,
}

#[derive(InputObject, Clone, Debug)]
pub struct SupersedeStrategyInput {
    pub strategy_id: Uuid,
    /// The newer document.
    pub superseded_by: Uuid,
    pub effective_on: Date,
}

#[derive(InputObject, Clone, Debug)]
pub struct RepealStrategyInput {
    pub strategy_id: Uuid,
    pub decision: DecisionInput,
}

#[derive(InputObject, Clone, Debug)]
pub struct ReportFollowUpInput {
    pub strategy_id: Uuid,
    /// The period followed up; must have an end.
    pub period: PeriodInput,
    pub reported_on: Date,
    pub reported_to: DecisionBody,
    pub summary: String,
}

// ---------------------------------------------------------------- project commands

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

#[derive(InputObject, Clone, Debug)]
pub struct PlanMilestoneInput {
    pub project_id: Uuid,
    pub milestone_id: MilestoneId,
    pub title: String,
    pub due: Date,
}

#[derive(InputObject, Clone, Debug)]
pub struct RescheduleMilestoneInput {
    pub project_id: Uuid,
    pub milestone_id: MilestoneId,
    pub new_due: Date,
    pub reason: String,
}

#[derive(InputObject, Clone, Debug)]
pub struct AchieveMilestoneInput {
    pub project_id: Uuid,
    pub milestone_id: MilestoneId,
    pub achieved_on: Date,
}

#[derive(InputObject, Clone, Debug)]
pub struct CancelMilestoneInput {
    pub project_id: Uuid,
    pub milestone_id: MilestoneId,
    pub reason: String,
}

#[derive(InputObject, Clone, Debug)]
pub struct AmendBudgetInput {
    pub project_id: Uuid,
    pub financing: FinancingInput,
    pub reason: String,
}

#[derive(InputObject, Clone, Debug)]
pub struct AddPartnerInput {
    pub project_id: Uuid,
    pub partner: ParticipantInput,
    pub joined_on: Date,
}

#[derive(InputObject, Clone, Debug)]
pub struct RemovePartnerInput {
    pub project_id: Uuid,
    /// The partner's key (see `Participant.key`).
    pub partner_key: String,
    pub left_on: Date,
}

#[derive(InputObject, Clone, Debug)]
pub struct CompleteProjectInput {
    pub project_id: Uuid,
    pub completed_on: Date,
}

#[derive(InputObject, Clone, Debug)]
pub struct CancelProjectInput {
    pub project_id: Uuid,
    pub cancelled_on: Date,
    pub reason: String,
}

// ---------------------------------------------------------------- application commands

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

#[derive(InputObject, Clone, Debug)]
pub struct InviteCoApplicantInput {
    pub application_id: Uuid,
    /// A current member of the consortium other than the lead.
    pub municipality: MunicipalityCode,
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

#[derive(InputObject, Clone, Debug)]
pub struct DeclineCoFinancingInput {
    pub application_id: Uuid,
    pub municipality: MunicipalityCode,
    pub reason: String,
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

#[derive(InputObject, Clone, Debug)]
pub struct SubmitApplicationInput {
    pub application_id: Uuid,
}

#[derive(InputObject, Clone, Debug)]
pub struct ApproveApplicationInput {
    pub application_id: Uuid,
    pub granted: MoneyInput,
    pub decided_on: Date,
    /// The funder's decision reference.
    pub decision_reference: String,
}

#[derive(InputObject, Clone, Debug)]
pub struct RejectApplicationInput {
    pub application_id: Uuid,
    pub decided_on: Date,
    pub reason: String,
}

#[derive(InputObject, Clone, Debug)]
pub struct WithdrawApplicationInput {
    pub application_id: Uuid,
    pub withdrawn_on: Date,
    pub reason: String,
}
