//! International project: lead and partners, programme, budget, grant and
//! co-financing (medfinansiering), period, the strategy goals it serves, EU
//! priorities, and milestones.

use chrono::NaiveDate;

use crate::{require_text, Aggregate, CommandTarget, ConsortiumCode, Decider, DomainError, MilestoneId, ProjectId};

mod command;
mod events;
mod participants;
mod personal;
mod state;

pub use command::{ProjectCommand, RegisterProject};
pub use events::{
    BudgetAmended, ContactPersonAssigned, MilestoneAchieved, MilestoneCancelled, MilestonePlanned,
    MilestoneRescheduled, PartnerAdded, PartnerLeft, PersonalDataErased, ProjectCancelled, ProjectCompleted,
    ProjectEvent, ProjectRegistered, ProjectResultApproved,
};
pub use participants::{EuPriority, Financing, GoalRef, Participant};
pub use personal::retained_until as personal_retained_until;
pub use state::{MilestoneState, MilestoneStatus, ProjectState, ProjectStatus};

/// Who runs a project: the officers of its lead municipality, and the
/// coordinator of its consortium when the project came from that consortium's
/// joint application or its lead is not a municipality.
pub fn runs_project(lead: &Participant, consortium: Option<&ConsortiumCode>, from_application: bool) -> CommandTarget {
    let lead = lead.municipality().cloned();
    let consortium = consortium.filter(|_| from_application || lead.is_none()).cloned();
    CommandTarget::Project { lead, consortium }
}

/// `ApproveProjectResult`: once, on an active or completed project, on or
/// after the project's start and not after today.
fn approve_result(
    state: &ProjectState,
    approved_on: NaiveDate,
    decision_reference: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<ProjectEvent>, DomainError> {
    let (project, period) = match (state.status, state.id, state.period) {
        (ProjectStatus::Active | ProjectStatus::Completed, Some(id), Some(p)) => (id, p),
        (ProjectStatus::Cancelled, _, _) => return Err(DomainError::ProjectClosed { status: "cancelled" }),
        _ => {
            return Err(DomainError::NotFound {
                aggregate: "project",
                id: String::new(),
            })
        }
    };
    if let Some(earlier) = state.result_approved_on {
        return Err(DomainError::ResultAlreadyApproved { approved_on: earlier });
    }
    let today = now.date_naive();
    if approved_on > today {
        return Err(DomainError::DateInFuture {
            field: "approvedOn",
            date: approved_on,
            today,
        });
    }
    if approved_on < period.start {
        return Err(DomainError::ResultApprovedBeforeStart {
            approved_on,
            start: period.start,
        });
    }
    require_text("decision_reference", decision_reference)?;
    Ok(vec![ProjectResultApproved {
        project,
        approved_on,
        decision_reference: decision_reference.trim().into(),
    }
    .into()])
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
            crate::cross_border::check_one_side_per_country(
                &r.sides.iter().map(|s| s.budget.clone()).collect::<Vec<_>>(),
            )?;
            for side in &r.sides {
                side.validate()?;
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
                sides: Box::new(r.sides.clone()),
            }
            .into()]);
        }
        if let ApproveResult {
            approved_on,
            decision_reference,
            now,
        } = command
        {
            return approve_result(state, *approved_on, decision_reference, *now);
        }
        if let ErasePersonalData {
            subject,
            decision,
            retention_years,
            now,
        } = command
        {
            return personal::erase(state, subject, decision, *retention_years, *now);
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
            ApproveResult {
                approved_on,
                decision_reference,
                now,
            } => approve_result(state, *approved_on, decision_reference, *now),
            ErasePersonalData {
                subject,
                decision,
                retention_years,
                now,
            } => personal::erase(state, subject, decision, *retention_years, *now),
            AssignContact {
                municipality,
                role,
                subject,
                name,
                email,
                phone,
                assigned_on,
            } => {
                within(*assigned_on)?;
                personal::assign(
                    state,
                    project,
                    personal::Contact {
                        municipality,
                        role,
                        subject,
                        name,
                        email: email.as_ref(),
                        phone: phone.as_ref(),
                        assigned_on: *assigned_on,
                    },
                )
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
            ProjectEvent::ProjectCompleted(e) => {
                state.status = ProjectStatus::Completed;
                state.closed_on = Some(e.completed_on);
            }
            ProjectEvent::ProjectCancelled(e) => {
                state.status = ProjectStatus::Cancelled;
                state.closed_on = Some(e.cancelled_on);
            }
            ProjectEvent::ProjectResultApproved(e) => state.result_approved_on = Some(e.approved_on),
            ProjectEvent::ContactPersonAssigned(e) => {
                state.subjects.entry(e.subject.clone()).or_insert(None);
            }
            ProjectEvent::PersonalDataErased(e) => {
                state.subjects.insert(e.subject.clone(), Some(e.erased_on));
            }
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
            ProjectCommand::ApproveResult { .. } => "ApproveProjectResult",
            ProjectCommand::AssignContact { .. } => "AssignContactPerson",
            ProjectCommand::ErasePersonalData { .. } => "EraseSubject",
        }
    }

    /// A project is run by its lead municipality (and see [`runs_project`]).
    fn target(_: &ProjectId, state: &ProjectState, command: &ProjectCommand) -> CommandTarget {
        match (command, &state.lead) {
            (ProjectCommand::ErasePersonalData { .. }, _) => CommandTarget::Erasure,
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
