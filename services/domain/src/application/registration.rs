//! What an approved joint application becomes: the project the process
//! manager registers for the same partners and amounts (a pure mapping of the
//! application's state; the process manager only runs it and appends).

use super::{project_id_for, Answer, ApplicationState, ApplicationStatus};
use crate::cross_border::ProjectSide;
use crate::project::{Financing, Participant, RegisterProject};
use crate::{DomainError, Money};

/// The project registration for an approved application: the lead applicant
/// as lead, the co-applicants that committed co-financing as partners, the
/// granted amount as grant, the committed co-financing (lead included) as
/// co-financing, and a budget of at least the grant; a cross-border
/// application decided per side carries its sides with their decisions (the
/// grant is then the sides' granted amounts in the application's currency). `None` while the
/// application is not approved (or not drafted).
pub fn project_for_approved(state: &ApplicationState) -> Result<Option<RegisterProject>, DomainError> {
    let (Some(drafted), ApplicationStatus::Approved, Some(grant)) = (&state.drafted, state.status, state.granted)
    else {
        return Ok(None);
    };
    let currency = drafted.total_budget.currency;
    let partners = state
        .co_applicants
        .iter()
        .filter(|(_, answer)| matches!(answer, Answer::Committed(_)))
        .map(|(code, _)| Participant::Municipality { code: *code })
        .collect();
    let co_financing = state.committed_total().unwrap_or(Money::zero(currency));
    // A cross-border application decided per side: every side with its
    // funder's decision (a side refused included), one project.
    let sides = drafted
        .sides
        .iter()
        .filter_map(|budget| {
            state.side_decisions.get(&budget.country).map(|decision| ProjectSide {
                budget: budget.clone(),
                decision: decision.clone(),
            })
        })
        .collect();
    let budget = Money::new(drafted.total_budget.amount_minor.max(grant.amount_minor), currency)?;
    Ok(Some(RegisterProject {
        project: project_id_for(drafted.application),
        title: drafted.title.clone(),
        lead: Participant::Municipality {
            code: drafted.lead_applicant,
        },
        partners,
        programme: drafted.programme.clone(),
        financing: Financing {
            budget,
            grant,
            co_financing,
        },
        period: drafted.project_period,
        serves_goals: drafted.serves_goals.clone(),
        eu_priorities: drafted.eu_priorities.clone(),
        from_application: Some(drafted.application),
        consortium: Some(drafted.consortium.clone()),
        sides,
    }))
}
