//! International project: lead and partners, programme, budget, grant and
//! co-financing (medfinansiering), period, the strategy goals it serves, EU
//! priorities, and milestones.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::event::no_upcast;
use crate::{
    require_text, Aggregate, ApplicationId, CommandTarget, ConsortiumCode, CountryCode, Decider, DomainError, GoalId,
    MilestoneId, Money, MunicipalityCode, Period, Programme, ProjectId, StrategyId,
};

/// A participant: a member municipality or an external organisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Participant {
    Municipality {
        code: MunicipalityCode,
    },
    /// An organisation outside Samverkan, e.g. Chobe District Council (BW).
    External {
        name: String,
        country: CountryCode,
    },
}

impl Participant {
    pub fn key(&self) -> String {
        match self {
            Participant::Municipality { code } => code.to_string(),
            Participant::External { name, country } => format!("{}:{}", country, name.trim().to_lowercase()),
        }
    }
    pub fn municipality(&self) -> Option<&MunicipalityCode> {
        match self {
            Participant::Municipality { code } => Some(code),
            Participant::External { .. } => None,
        }
    }
}

/// EU priority tags (the 2021–2027 policy objectives the seeds name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EuPriority {
    Inclusive,
    Digital,
    Green,
}

/// A reference to a goal of a strategy document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct GoalRef {
    pub strategy: StrategyId,
    pub goal: GoalId,
}

/// Budget, grant and co-financing, all in the budget's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Financing {
    /// Total budget.
    pub budget: Money,
    /// External funding granted by the programme.
    pub grant: Money,
    /// Co-financing (medfinansiering) by the partners.
    pub co_financing: Money,
}

impl Financing {
    pub fn validate(&self) -> Result<(), DomainError> {
        self.budget.same_currency(&self.grant)?;
        self.budget.same_currency(&self.co_financing)?;
        if self.grant.amount_minor > self.budget.amount_minor {
            return Err(DomainError::GrantExceedsBudget {
                grant: self.grant.amount_minor,
                budget: self.budget.amount_minor,
            });
        }
        Ok(())
    }
}

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

domain_events!(
    /// Events of the project aggregate.
    ProjectEvent, "project", no_upcast, {
        ProjectRegistered = 1,
        MilestonePlanned = 1,
        MilestoneRescheduled = 1,
        MilestoneAchieved = 1,
        MilestoneCancelled = 1,
        BudgetAmended = 1,
        PartnerAdded = 1,
        PartnerLeft = 1,
        ProjectCompleted = 1,
        ProjectCancelled = 1,
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
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RegisterProject {
    pub project: ProjectId,
    pub title: String,
    pub lead: Participant,
    pub partners: Vec<Participant>,
    pub programme: Programme,
    pub financing: Financing,
    pub period: Period,
    pub serves_goals: Vec<GoalRef>,
    pub eu_priorities: Vec<EuPriority>,
    pub from_application: Option<ApplicationId>,
    pub consortium: Option<crate::ConsortiumCode>,
}

#[derive(Debug, Clone, Serialize)]
pub enum ProjectCommand {
    Register(Box<RegisterProject>),
    PlanMilestone {
        milestone: MilestoneId,
        title: String,
        due: NaiveDate,
    },
    RescheduleMilestone {
        milestone: MilestoneId,
        new_due: NaiveDate,
        reason: String,
    },
    AchieveMilestone {
        milestone: MilestoneId,
        achieved_on: NaiveDate,
    },
    CancelMilestone {
        milestone: MilestoneId,
        reason: String,
    },
    AmendBudget {
        financing: Financing,
        reason: String,
    },
    AddPartner {
        partner: Participant,
        joined_on: NaiveDate,
    },
    RemovePartner {
        partner_key: String,
        left_on: NaiveDate,
    },
    Complete {
        completed_on: NaiveDate,
    },
    Cancel {
        cancelled_on: NaiveDate,
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MilestoneStatus {
    Planned,
    Achieved,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneState {
    pub due: NaiveDate,
    pub status: MilestoneStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ProjectStatus {
    #[default]
    None,
    Active,
    Completed,
    Cancelled,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectState {
    pub status: ProjectStatus,
    pub id: Option<ProjectId>,
    pub lead: Option<Participant>,
    /// Current partners by key.
    pub partners: BTreeMap<String, Participant>,
    pub financing: Option<Financing>,
    pub period: Option<Period>,
    pub milestones: BTreeMap<MilestoneId, MilestoneState>,
    /// The consortium the project names, if any.
    pub consortium: Option<ConsortiumCode>,
    /// The joint application the project came from, if any.
    pub from_application: Option<ApplicationId>,
}

/// Who runs a project: the officers of its lead municipality, and the
/// coordinator of its consortium when the project came from that consortium's
/// joint application or its lead is not a municipality.
pub fn runs_project(lead: &Participant, consortium: Option<&ConsortiumCode>, from_application: bool) -> CommandTarget {
    let lead = lead.municipality().cloned();
    let consortium = consortium.filter(|_| from_application || lead.is_none()).cloned();
    CommandTarget::Project { lead, consortium }
}

pub struct Project;

impl Decider for Project {
    type State = ProjectState;
    type Command = ProjectCommand;
    type Event = ProjectEvent;

    fn decide(state: &ProjectState, command: &ProjectCommand) -> Result<Vec<ProjectEvent>, DomainError> {
        use ProjectCommand::*;
        if let Register(r) = command {
            if state.status != ProjectStatus::None {
                return Err(DomainError::AlreadyExists {
                    aggregate: "project",
                    id: r.project.to_string(),
                });
            }
            require_text("title", &r.title)?;
            r.programme.validate()?;
            r.financing.validate()?;
            r.period.validate()?;
            r.period.end.ok_or(DomainError::PeriodMustEnd { field: "period" })?;
            let mut seen = std::collections::BTreeSet::new();
            for p in std::iter::once(&r.lead).chain(&r.partners) {
                if let Participant::External { name, .. } = p {
                    require_text("partner.name", name)?;
                }
                if !seen.insert(p.key()) {
                    return Err(DomainError::DuplicateParticipant { participant: p.key() });
                }
            }
            let mut eu = r.eu_priorities.clone();
            eu.sort();
            eu.dedup();
            return Ok(vec![ProjectRegistered {
                project: r.project,
                title: r.title.trim().into(),
                lead: r.lead.clone(),
                partners: r.partners.clone(),
                programme: r.programme.clone(),
                financing: r.financing,
                period: r.period,
                serves_goals: r.serves_goals.clone(),
                eu_priorities: eu,
                from_application: r.from_application,
                consortium: r.consortium.clone(),
            }
            .into()]);
        }
        let (project, period) = match (state.status, state.id, state.period) {
            (ProjectStatus::Active, Some(id), Some(p)) => (id, p),
            (ProjectStatus::None, _, _) | (_, None, _) | (_, _, None) => {
                return Err(DomainError::NotFound {
                    aggregate: "project",
                    id: String::new(),
                })
            }
            (ProjectStatus::Completed, _, _) => return Err(DomainError::ProjectClosed { status: "completed" }),
            (ProjectStatus::Cancelled, _, _) => return Err(DomainError::ProjectClosed { status: "cancelled" }),
        };
        let within = |date: NaiveDate| {
            let end = period.end.unwrap_or(date);
            if date < period.start || date > end {
                Err(DomainError::OutsideProjectPeriod {
                    date,
                    start: period.start,
                    end,
                })
            } else {
                Ok(())
            }
        };
        let milestone_of = |id: &MilestoneId| {
            state.milestones.get(id).ok_or_else(|| DomainError::UnknownMilestone {
                milestone: id.to_string(),
            })
        };
        match command {
            Register(r) => Err(DomainError::AlreadyExists {
                aggregate: "project",
                id: r.project.to_string(),
            }),
            PlanMilestone { milestone, title, due } => {
                if state.milestones.contains_key(milestone) {
                    return Err(DomainError::DuplicateMilestone {
                        milestone: milestone.to_string(),
                    });
                }
                require_text("title", title)?;
                within(*due)?;
                Ok(vec![MilestonePlanned {
                    project,
                    milestone: milestone.clone(),
                    title: title.trim().into(),
                    due: *due,
                }
                .into()])
            }
            RescheduleMilestone {
                milestone,
                new_due,
                reason,
            } => {
                let m = milestone_of(milestone)?;
                match m.status {
                    MilestoneStatus::Cancelled => {
                        return Err(DomainError::MilestoneCancelled {
                            milestone: milestone.to_string(),
                            action: "rescheduled",
                        })
                    }
                    MilestoneStatus::Achieved => {
                        return Err(DomainError::MilestoneAlreadyAchieved {
                            milestone: milestone.to_string(),
                        })
                    }
                    MilestoneStatus::Planned => {}
                }
                if m.due == *new_due {
                    return Err(DomainError::RescheduleToSameDate);
                }
                require_text("reason", reason)?;
                within(*new_due)?;
                Ok(vec![MilestoneRescheduled {
                    project,
                    milestone: milestone.clone(),
                    previous_due: m.due,
                    new_due: *new_due,
                    reason: reason.trim().into(),
                }
                .into()])
            }
            AchieveMilestone { milestone, achieved_on } => {
                let m = milestone_of(milestone)?;
                match m.status {
                    MilestoneStatus::Cancelled => Err(DomainError::MilestoneCancelled {
                        milestone: milestone.to_string(),
                        action: "achieved",
                    }),
                    MilestoneStatus::Achieved => Err(DomainError::MilestoneAlreadyAchieved {
                        milestone: milestone.to_string(),
                    }),
                    MilestoneStatus::Planned => Ok(vec![MilestoneAchieved {
                        project,
                        milestone: milestone.clone(),
                        achieved_on: *achieved_on,
                    }
                    .into()]),
                }
            }
            CancelMilestone { milestone, reason } => {
                let m = milestone_of(milestone)?;
                require_text("reason", reason)?;
                match m.status {
                    MilestoneStatus::Cancelled => Err(DomainError::MilestoneCancelled {
                        milestone: milestone.to_string(),
                        action: "cancelled again",
                    }),
                    MilestoneStatus::Achieved => Err(DomainError::MilestoneAlreadyAchieved {
                        milestone: milestone.to_string(),
                    }),
                    MilestoneStatus::Planned => Ok(vec![MilestoneCancelled {
                        project,
                        milestone: milestone.clone(),
                        reason: reason.trim().into(),
                    }
                    .into()]),
                }
            }
            AmendBudget { financing, reason } => {
                financing.validate()?;
                require_text("reason", reason)?;
                Ok(vec![BudgetAmended {
                    project,
                    financing: *financing,
                    reason: reason.trim().into(),
                }
                .into()])
            }
            AddPartner { partner, joined_on } => {
                let key = partner.key();
                if state.lead.as_ref().map(Participant::key) == Some(key.clone()) || state.partners.contains_key(&key) {
                    return Err(DomainError::DuplicateParticipant { participant: key });
                }
                within(*joined_on)?;
                Ok(vec![PartnerAdded {
                    project,
                    partner: partner.clone(),
                    joined_on: *joined_on,
                }
                .into()])
            }
            RemovePartner { partner_key, left_on } => {
                if state.lead.as_ref().map(Participant::key).as_ref() == Some(partner_key) {
                    return Err(DomainError::LeadCannotLeave);
                }
                let partner = state
                    .partners
                    .get(partner_key)
                    .ok_or_else(|| DomainError::NotAPartner {
                        participant: partner_key.clone(),
                    })?;
                Ok(vec![PartnerLeft {
                    project,
                    partner: partner.clone(),
                    left_on: *left_on,
                }
                .into()])
            }
            Complete { completed_on } => {
                let open: Vec<String> = state
                    .milestones
                    .iter()
                    .filter(|(_, m)| m.status == MilestoneStatus::Planned)
                    .map(|(id, _)| id.to_string())
                    .collect();
                if !open.is_empty() {
                    return Err(DomainError::OpenMilestonesRemain { milestones: open });
                }
                if *completed_on < period.start {
                    return Err(DomainError::OutsideProjectPeriod {
                        date: *completed_on,
                        start: period.start,
                        end: period.end.unwrap_or(period.start),
                    });
                }
                Ok(vec![ProjectCompleted {
                    project,
                    completed_on: *completed_on,
                }
                .into()])
            }
            Cancel { cancelled_on, reason } => {
                require_text("reason", reason)?;
                Ok(vec![ProjectCancelled {
                    project,
                    cancelled_on: *cancelled_on,
                    reason: reason.trim().into(),
                }
                .into()])
            }
        }
    }

    fn evolve(mut state: ProjectState, event: &ProjectEvent) -> ProjectState {
        match event {
            ProjectEvent::ProjectRegistered(e) => {
                state.status = ProjectStatus::Active;
                state.id = Some(e.project);
                state.lead = Some(e.lead.clone());
                state.consortium = e.consortium.clone();
                state.from_application = e.from_application;
                state.partners = e.partners.iter().map(|p| (p.key(), p.clone())).collect();
                state.financing = Some(e.financing);
                state.period = Some(e.period);
            }
            ProjectEvent::MilestonePlanned(e) => {
                state.milestones.insert(
                    e.milestone.clone(),
                    MilestoneState {
                        due: e.due,
                        status: MilestoneStatus::Planned,
                    },
                );
            }
            ProjectEvent::MilestoneRescheduled(e) => {
                if let Some(m) = state.milestones.get_mut(&e.milestone) {
                    m.due = e.new_due;
                }
            }
            ProjectEvent::MilestoneAchieved(e) => {
                if let Some(m) = state.milestones.get_mut(&e.milestone) {
                    m.status = MilestoneStatus::Achieved;
                }
            }
            ProjectEvent::MilestoneCancelled(e) => {
                if let Some(m) = state.milestones.get_mut(&e.milestone) {
                    m.status = MilestoneStatus::Cancelled;
                }
            }
            ProjectEvent::BudgetAmended(e) => state.financing = Some(e.financing),
            ProjectEvent::PartnerAdded(e) => {
                state.partners.insert(e.partner.key(), e.partner.clone());
            }
            ProjectEvent::PartnerLeft(e) => {
                state.partners.remove(&e.partner.key());
            }
            ProjectEvent::ProjectCompleted(_) => state.status = ProjectStatus::Completed,
            ProjectEvent::ProjectCancelled(_) => state.status = ProjectStatus::Cancelled,
        }
        state
    }
}

impl Aggregate for Project {
    type Id = ProjectId;
    const CATEGORY: &'static str = "project";

    fn command_name(command: &ProjectCommand) -> &'static str {
        match command {
            ProjectCommand::Register(_) => "RegisterProject",
            ProjectCommand::PlanMilestone { .. } => "PlanMilestone",
            ProjectCommand::RescheduleMilestone { .. } => "RescheduleMilestone",
            ProjectCommand::AchieveMilestone { .. } => "AchieveMilestone",
            ProjectCommand::CancelMilestone { .. } => "CancelMilestone",
            ProjectCommand::AmendBudget { .. } => "AmendBudget",
            ProjectCommand::AddPartner { .. } => "AddPartner",
            ProjectCommand::RemovePartner { .. } => "RemovePartner",
            ProjectCommand::Complete { .. } => "CompleteProject",
            ProjectCommand::Cancel { .. } => "CancelProject",
        }
    }

    /// A project is run by its lead municipality (and see [`runs_project`]).
    fn target(_: &ProjectId, state: &ProjectState, command: &ProjectCommand) -> CommandTarget {
        match (command, &state.lead) {
            (ProjectCommand::Register(r), _) => {
                runs_project(&r.lead, r.consortium.as_ref(), r.from_application.is_some())
            }
            (_, Some(lead)) => runs_project(lead, state.consortium.as_ref(), state.from_application.is_some()),
            (_, None) => CommandTarget::Unknown,
        }
    }
}

#[cfg(test)]
mod tests;
