//! A party's confirmation of its commitment after the funder's decision
//! (Tillväxtverket's ERDF: bekräftelse av medfinansiering). The rule set says
//! within how many weeks ([`crate::programme::RuleKind::CommitmentsConfirmedWithin`]);
//! the check warns when a confirmation is missing near or after that day.
//! The command records what happened: once per committed party, on or after
//! the decision's day and not after today.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Answer, ApplicationDrafted, ApplicationEvent, ApplicationState, CommitmentConfirmed};
use crate::{require_text, DomainError, MunicipalityCode};

pub(super) fn decide(
    state: &ApplicationState,
    d: &ApplicationDrafted,
    municipality: MunicipalityCode,
    confirmed_on: NaiveDate,
    decision_reference: &str,
    now: DateTime<Utc>,
) -> Result<Vec<ApplicationEvent>, DomainError> {
    let declined = state.co_applicants.get(&municipality) == Some(&Answer::Declined);
    if !state.commitments.contains_key(&municipality) || declined {
        return Err(DomainError::NotCommittedParty {
            municipality: municipality.to_string(),
        });
    }
    if let Some(earlier) = state.confirmations.get(&municipality) {
        return Err(DomainError::CommitmentAlreadyConfirmed {
            municipality: municipality.to_string(),
            confirmed_on: earlier.confirmed_on,
        });
    }
    let today = now.date_naive();
    if confirmed_on > today {
        return Err(DomainError::DateInFuture {
            field: "confirmedOn",
            date: confirmed_on,
            today,
        });
    }
    if let Some(decided_on) = state.decided_on.filter(|day| confirmed_on < *day) {
        return Err(DomainError::ConfirmationBeforeDecision {
            confirmed_on,
            decided_on,
        });
    }
    require_text("decision_reference", decision_reference)?;
    Ok(vec![CommitmentConfirmed {
        application: d.application,
        municipality,
        confirmed_on,
        decision_reference: decision_reference.trim().into(),
    }
    .into()])
}
