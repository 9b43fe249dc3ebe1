//! Joint application (gemensam ansökan): drafted by a consortium for a
//! programme call, co-applicants invited among the members, each commits
//! co-financing (medfinansiering) with its own decision or declines, a
//! benefit-and-risk assessment is recorded, then submitted and decided.

use crate::programme::Stage;
use crate::{require_text, Aggregate, ApplicationId, CommandTarget, Decider, DomainError, Facts, Need, ProjectId};

mod command;
mod events;
mod state;

pub use command::{ApplicationCommand, CommitWithTerms, DraftApplication, RecordFunderDecision};
pub use events::{
    ApplicationApproved, ApplicationDrafted, ApplicationEvent, ApplicationRejected, ApplicationSubmitted,
    ApplicationWithdrawn, CoApplicantInvited, CoFinancingCommitted, CoFinancingDeclined, CommitmentConfirmed,
    FunderDecisionRecorded, RiskAssessmentRecorded,
};
pub use state::{Answer, ApplicationState, ApplicationStatus};

/// The project id an approved application becomes: derived, so the process
/// manager registers it exactly once.
pub fn project_id_for(application: ApplicationId) -> ProjectId {
    ProjectId(uuid::Uuid::new_v5(&application.0, b"project"))
}

pub struct Application;

impl Decider for Application {
    type State = ApplicationState;
    type Command = ApplicationCommand;
    type Event = ApplicationEvent;

    fn decide(state: &ApplicationState, command: &ApplicationCommand) -> Result<Vec<ApplicationEvent>, DomainError> {
        use ApplicationCommand::*;
        let require = |required: &'static str, ok: bool| match &state.drafted {
            Some(d) if ok => Ok(d),
            None => Err(DomainError::NotFound {
                aggregate: "application",
                id: String::new(),
            }),
            Some(_) => Err(DomainError::ApplicationStatus {
                status: state.status.as_str(),
                required,
            }),
        };
        let is_draft = state.status == ApplicationStatus::Draft;
        match command {
            Draft(c) => {
                if state.status != ApplicationStatus::None {
                    return Err(DomainError::AlreadyExists {
                        aggregate: "application",
                        id: c.application.to_string(),
                    });
                }
                require_text("title", &c.title)?;
                require_text("call", &c.call)?;
                c.programme.validate()?;
                c.project_period.validate()?;
                c.project_period.end.ok_or(DomainError::PeriodMustEnd {
                    field: "project_period",
                })?;
                c.total_budget.same_currency(&c.requested)?;
                if c.requested.amount_minor > c.total_budget.amount_minor {
                    return Err(DomainError::RequestExceedsBudget {
                        requested: c.requested.amount_minor,
                        budget: c.total_budget.amount_minor,
                    });
                }
                if !c.consortium_members.contains(&c.lead_applicant) {
                    return Err(DomainError::NotAMember {
                        municipality: c.lead_applicant.to_string(),
                    });
                }
                if c.deadline < c.now {
                    return Err(DomainError::DeadlinePassed {
                        deadline: c.deadline,
                        now: c.now,
                    });
                }
                crate::cross_border::check_one_side_per_country(&c.sides)?;
                let sides = rules::sides(&c.sides, c.total_budget, c.requested)?;
                let mut eu = c.eu_priorities.clone();
                eu.sort();
                eu.dedup();
                let call = match (&c.call_ref, &c.call_rules) {
                    (Some(_), None) => {
                        return Err(DomainError::NotFound {
                            aggregate: "programme call",
                            id: String::new(),
                        })
                    }
                    (_, rules) => rules.clone(),
                };
                let drafted = ApplicationDrafted {
                    application: c.application,
                    consortium: c.consortium.clone(),
                    title: c.title.trim().into(),
                    programme: c.programme.clone(),
                    call: c.call.trim().into(),
                    lead_applicant: c.lead_applicant,
                    deadline: c.deadline,
                    total_budget: c.total_budget,
                    requested: c.requested,
                    project_period: c.project_period,
                    serves_goals: c.serves_goals.clone(),
                    eu_priorities: eu,
                    drafted_at: c.now,
                    call_rules: call,
                    sides,
                };
                let subject = rules::subject(state, &drafted, c.now.date_naive());
                rules::enforce(&subject, drafted.call_rules.as_deref(), Stage::Draft)?;
                Ok(vec![drafted.into()])
            }
            Invite {
                municipality,
                consortium_members,
            } => {
                let d = require("a draft", is_draft)?;
                if *municipality == d.lead_applicant {
                    return Err(DomainError::LeadCannotBeInvited {
                        municipality: municipality.to_string(),
                    });
                }
                if !consortium_members.contains(municipality) {
                    return Err(DomainError::NotAMember {
                        municipality: municipality.to_string(),
                    });
                }
                if state.co_applicants.contains_key(municipality) {
                    return Err(DomainError::AlreadyInvited {
                        municipality: municipality.to_string(),
                    });
                }
                Ok(vec![CoApplicantInvited {
                    application: d.application,
                    municipality: *municipality,
                    asked: None,
                }
                .into()])
            }
            CommitCoFinancing {
                municipality,
                amount,
                decision,
            } => {
                let d = require("a draft", is_draft)?;
                if *municipality != d.lead_applicant && !state.co_applicants.contains_key(municipality) {
                    return Err(DomainError::NotInvited {
                        municipality: municipality.to_string(),
                    });
                }
                d.total_budget.same_currency(amount)?;
                decision.validate()?;
                Ok(vec![CoFinancingCommitted {
                    application: d.application,
                    municipality: *municipality,
                    amount: *amount,
                    decision: decision.clone(),
                    terms: None,
                }
                .into()])
            }
            DeclineCoFinancing { municipality, reason } => {
                let d = require("a draft", is_draft)?;
                if *municipality == d.lead_applicant {
                    return Err(DomainError::LeadCannotDecline);
                }
                if !state.co_applicants.contains_key(municipality) {
                    return Err(DomainError::NotInvited {
                        municipality: municipality.to_string(),
                    });
                }
                require_text("reason", reason)?;
                Ok(vec![CoFinancingDeclined {
                    application: d.application,
                    municipality: *municipality,
                    reason: reason.trim().into(),
                }
                .into()])
            }
            RecordRiskAssessment {
                benefits,
                risks,
                democracy_and_human_rights,
                assessed_on,
            } => {
                let d = require("a draft", is_draft)?;
                require_text("benefits", benefits)?;
                require_text("risks", risks)?;
                require_text("democracy_and_human_rights", democracy_and_human_rights)?;
                Ok(vec![RiskAssessmentRecorded {
                    application: d.application,
                    benefits: benefits.trim().into(),
                    risks: risks.trim().into(),
                    democracy_and_human_rights: democracy_and_human_rights.trim().into(),
                    assessed_on: *assessed_on,
                }
                .into()])
            }
            Submit { now } => {
                let d = require("a draft", is_draft)?;
                let pending: Vec<String> = state
                    .co_applicants
                    .iter()
                    .filter(|(_, a)| **a == Answer::Pending)
                    .map(|(m, _)| m.to_string())
                    .collect();
                if !pending.is_empty() {
                    return Err(DomainError::CoApplicantsNotAnswered { pending });
                }
                if !state.risk_assessed {
                    return Err(DomainError::RiskAssessmentMissing);
                }
                if *now > d.deadline {
                    return Err(DomainError::DeadlinePassed {
                        deadline: d.deadline,
                        now: *now,
                    });
                }
                let subject = rules::subject(state, d, now.date_naive());
                rules::enforce(&subject, d.call_rules.as_deref(), Stage::Submission)?;
                let co_financing = state.committed_total().ok_or(DomainError::AmountOverflow)?;
                Ok(vec![ApplicationSubmitted {
                    application: d.application,
                    submitted_at: *now,
                    co_financing,
                }
                .into()])
            }
            Approve {
                granted,
                decided_on,
                decision_reference,
            } => {
                let d = require("submitted", state.status == ApplicationStatus::Submitted)?;
                if d.sides.len() > 1 {
                    return Err(DomainError::FunderDecisionPerSide);
                }
                d.requested.same_currency(granted)?;
                if granted.amount_minor > d.requested.amount_minor {
                    return Err(DomainError::GrantExceedsRequest {
                        granted: granted.amount_minor,
                        requested: d.requested.amount_minor,
                    });
                }
                require_text("decision_reference", decision_reference)?;
                Ok(vec![ApplicationApproved {
                    application: d.application,
                    granted: *granted,
                    decided_on: *decided_on,
                    decision_reference: decision_reference.trim().into(),
                    project: project_id_for(d.application),
                }
                .into()])
            }
            Reject { decided_on, reason } => {
                let d = require("submitted", state.status == ApplicationStatus::Submitted)?;
                // A side's refusal is its funder's decision (recordFunderDecision);
                // the application is rejected when every side has refused.
                if d.sides.len() > 1 {
                    return Err(DomainError::FunderDecisionPerSide);
                }
                require_text("reason", reason)?;
                Ok(vec![ApplicationRejected {
                    application: d.application,
                    decided_on: *decided_on,
                    reason: reason.trim().into(),
                }
                .into()])
            }
            InviteAsking {
                municipality,
                asked,
                consortium_members,
            } => {
                let d = require("a draft", is_draft)?;
                d.total_budget.same_currency(asked)?;
                let invite = Invite {
                    municipality: *municipality,
                    consortium_members: consortium_members.clone(),
                };
                let mut events = Self::decide(state, &invite)?;
                for e in &mut events {
                    if let ApplicationEvent::CoApplicantInvited(i) = e {
                        i.asked = Some(*asked);
                    }
                }
                Ok(events)
            }
            CommitWithTerms(c) => {
                let d = require("a draft", is_draft)?;
                c.terms.validate(&c.amount)?;
                let commit = CommitCoFinancing {
                    municipality: c.municipality,
                    amount: c.amount,
                    decision: c.decision.clone(),
                };
                let mut events = Self::decide(state, &commit)?;
                for e in &mut events {
                    if let ApplicationEvent::CoFinancingCommitted(x) = e {
                        x.terms = Some(c.terms.clone());
                        // The rules as they would stand with this commitment.
                        let after = Self::evolve(state.clone(), &ApplicationEvent::CoFinancingCommitted(x.clone()));
                        let subject = rules::subject(&after, d, x.decision.date);
                        rules::enforce(&subject, d.call_rules.as_deref(), Stage::Commitment)?;
                    }
                }
                Ok(events)
            }
            RecordFunderDecision(c) => {
                if let Some(earlier) = state.side_decisions.get(&c.country) {
                    return Err(DomainError::SideAlreadyDecided {
                        country: c.country.to_string(),
                        decision: earlier.describe(),
                    });
                }
                let d = require("submitted", state.status == ApplicationStatus::Submitted)?;
                funders::decide(state, d, c)
            }
            ConfirmCommitment {
                municipality,
                confirmed_on,
                decision_reference,
                now,
            } => {
                let d = require("approved", state.status == ApplicationStatus::Approved)?;
                confirmation::decide(state, d, *municipality, *confirmed_on, decision_reference, *now)
            }
            Withdraw { withdrawn_on, reason } => {
                let d = require(
                    "a draft or submitted",
                    matches!(state.status, ApplicationStatus::Draft | ApplicationStatus::Submitted),
                )?;
                require_text("reason", reason)?;
                Ok(vec![ApplicationWithdrawn {
                    application: d.application,
                    withdrawn_on: *withdrawn_on,
                    reason: reason.trim().into(),
                }
                .into()])
            }
        }
    }

    fn evolve(mut state: ApplicationState, event: &ApplicationEvent) -> ApplicationState {
        match event {
            ApplicationEvent::ApplicationDrafted(e) => {
                state.status = ApplicationStatus::Draft;
                state.drafted = Some(e.clone());
            }
            ApplicationEvent::CoApplicantInvited(e) => {
                state.co_applicants.insert(e.municipality, Answer::Pending);
            }
            ApplicationEvent::CoFinancingCommitted(e) => {
                state.commitments.insert(e.municipality, e.clone());
                if state
                    .drafted
                    .as_ref()
                    .is_some_and(|d| d.lead_applicant == e.municipality)
                {
                    state.lead_commitment = Some(e.amount);
                } else {
                    state.co_applicants.insert(e.municipality, Answer::Committed(e.amount));
                }
            }
            ApplicationEvent::CoFinancingDeclined(e) => {
                state.co_applicants.insert(e.municipality, Answer::Declined);
            }
            ApplicationEvent::RiskAssessmentRecorded(_) => state.risk_assessed = true,
            ApplicationEvent::ApplicationSubmitted(_) => state.status = ApplicationStatus::Submitted,
            ApplicationEvent::ApplicationApproved(e) => {
                state.status = ApplicationStatus::Approved;
                state.granted = Some(e.granted);
                state.decided_on = Some(e.decided_on);
            }
            ApplicationEvent::CommitmentConfirmed(e) => {
                state.confirmations.insert(e.municipality, e.clone());
            }
            ApplicationEvent::ApplicationRejected(_) => state.status = ApplicationStatus::Rejected,
            ApplicationEvent::ApplicationWithdrawn(_) => state.status = ApplicationStatus::Withdrawn,
            ApplicationEvent::FunderDecisionRecorded(e) => {
                state.side_decisions.insert(e.decision.country, e.decision.clone());
            }
        }
        state
    }
}

impl Aggregate for Application {
    type Id = ApplicationId;
    const CATEGORY: &'static str = "application";

    fn command_name(command: &ApplicationCommand) -> &'static str {
        match command {
            ApplicationCommand::Draft(_) => "DraftApplication",
            ApplicationCommand::Invite { .. } => "InviteCoApplicant",
            ApplicationCommand::CommitCoFinancing { .. } => "CommitCoFinancing",
            ApplicationCommand::DeclineCoFinancing { .. } => "DeclineCoFinancing",
            ApplicationCommand::RecordRiskAssessment { .. } => "RecordRiskAssessment",
            ApplicationCommand::Submit { .. } => "SubmitApplication",
            ApplicationCommand::Approve { .. } => "ApproveApplication",
            ApplicationCommand::Reject { .. } => "RejectApplication",
            ApplicationCommand::Withdraw { .. } => "WithdrawApplication",
            ApplicationCommand::InviteAsking { .. } => "InviteCoApplicant",
            ApplicationCommand::CommitWithTerms(_) => "CommitCoFinancing",
            ApplicationCommand::RecordFunderDecision(_) => "RecordFunderDecision",
            ApplicationCommand::ConfirmCommitment { .. } => "ConfirmCommitment",
        }
    }

    /// A joint application is run by its consortium's coordinator; each
    /// municipality gives its own co-financing answer.
    fn target(_: &ApplicationId, state: &ApplicationState, command: &ApplicationCommand) -> CommandTarget {
        let consortium = match (command, &state.drafted) {
            (ApplicationCommand::Draft(draft), _) => draft.consortium.clone(),
            (_, Some(drafted)) => drafted.consortium.clone(),
            (_, None) => return CommandTarget::Unknown,
        };
        match command {
            ApplicationCommand::CommitCoFinancing { municipality, .. }
            | ApplicationCommand::DeclineCoFinancing { municipality, .. } => CommandTarget::CoFinancing {
                consortium,
                municipality: *municipality,
            },
            ApplicationCommand::CommitWithTerms(c) => CommandTarget::CoFinancing {
                consortium,
                municipality: c.municipality,
            },
            ApplicationCommand::ConfirmCommitment { municipality, .. } => CommandTarget::CoFinancing {
                consortium,
                municipality: *municipality,
            },
            _ => CommandTarget::Application { consortium },
        }
    }

    /// Drafting and inviting need the consortium's current members.
    fn needs(_: &ApplicationId, state: &ApplicationState, command: &ApplicationCommand) -> Option<Need> {
        match (command, &state.drafted) {
            (ApplicationCommand::Draft(draft), _) => match &draft.call_ref {
                None => Some(Need::ConsortiumMembers(draft.consortium.clone())),
                Some(call) => Some(Need::All(vec![
                    Need::ConsortiumMembers(draft.consortium.clone()),
                    Need::Call(call.clone()),
                ])),
            },
            (ApplicationCommand::Invite { .. } | ApplicationCommand::InviteAsking { .. }, Some(drafted)) => {
                Some(Need::ConsortiumMembers(drafted.consortium.clone()))
            }
            _ => None,
        }
    }

    fn supply(command: &mut ApplicationCommand, facts: Facts) {
        match (command, facts) {
            (command, Facts::All(all)) => {
                for facts in all {
                    Self::supply(command, facts);
                }
            }
            (ApplicationCommand::Draft(draft), Facts::ConsortiumMembers(members)) => draft.consortium_members = members,
            (ApplicationCommand::Draft(draft), Facts::Call(rules)) => draft.call_rules = Some(rules),
            (
                ApplicationCommand::Invite { consortium_members, .. }
                | ApplicationCommand::InviteAsking { consortium_members, .. },
                Facts::ConsortiumMembers(members),
            ) => *consortium_members = members,
            _ => {}
        }
    }
}

mod confirmation;
mod funders;
mod registration;
mod rules;
pub use registration::project_for_approved;

#[cfg(test)]
mod tests;
