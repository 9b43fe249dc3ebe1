//! The funders' decisions on a cross-border application, one per budget
//! side (see [`crate::cross_border`]). Interreg Sverige–Norge decides in two
//! steps: the managing authority decides the EU funds of the Swedish side and
//! the Norwegian county (fylkeskommune) decides the IR funds of the Norwegian
//! side, each on its own date with its own reference. So each decision is a
//! command of its own; the application is approved when every side has been
//! decided and at least one side was granted (rejected when every side was
//! refused). A refused side stays on record with its reason.

use super::{
    project_id_for, ApplicationApproved, ApplicationDrafted, ApplicationEvent, ApplicationRejected, ApplicationState,
    FunderDecisionRecorded, RecordFunderDecision,
};
use crate::cross_border::SideDecision;
use crate::{DomainError, Money};

pub(super) fn decide(
    state: &ApplicationState,
    d: &ApplicationDrafted,
    c: &RecordFunderDecision,
) -> Result<Vec<ApplicationEvent>, DomainError> {
    let side = d
        .sides
        .iter()
        .find(|s| s.country == c.country)
        .ok_or_else(|| DomainError::UnknownBudgetSide {
            country: c.country.to_string(),
        })?;
    if let Some(earlier) = state.side_decisions.get(&c.country) {
        return Err(DomainError::SideAlreadyDecided {
            country: c.country.to_string(),
            decision: earlier.describe(),
        });
    }
    let mut decision = SideDecision {
        country: c.country,
        fund: side.fund.clone(),
        funder: c.funder.trim().into(),
        decided_on: c.decided_on,
        decision_reference: c.decision_reference.trim().into(),
        granted: c.granted,
        converted_granted: None,
        refusal_reason: c.refusal_reason.as_ref().map(|r| r.trim().to_string()),
    };
    decision.validate(side)?;
    let currency = d.total_budget.currency;
    if let (Some(granted), Some(conversion)) = (&decision.granted, &side.conversion) {
        if granted.currency != currency {
            decision.converted_granted = Some(conversion.convert(*granted, currency)?);
        }
    }
    let mut events: Vec<ApplicationEvent> = vec![FunderDecisionRecorded {
        application: d.application,
        decision: decision.clone(),
    }
    .into()];
    // Every side decided with this one: the application's outcome.
    let mut decided: Vec<&SideDecision> = state.side_decisions.values().collect();
    decided.push(&decision);
    if decided.len() < d.sides.len() {
        return Ok(events);
    }
    decided.sort_by_key(|s| s.country);
    let decided_on = decided.iter().map(|s| s.decided_on).max().unwrap_or(c.decided_on);
    if decided.iter().any(|s| s.is_granted()) {
        let mut granted = Money::zero(currency);
        for s in &decided {
            granted = granted.checked_add(s.granted_in_application_currency(currency))?;
        }
        let reference = decided
            .iter()
            .map(|s| format!("{}: {}", s.country, s.decision_reference))
            .collect::<Vec<_>>()
            .join("; ");
        events.push(
            ApplicationApproved {
                application: d.application,
                granted,
                decided_on,
                decision_reference: reference,
                project: project_id_for(d.application),
            }
            .into(),
        );
    } else {
        let reason = decided.iter().map(|s| s.describe()).collect::<Vec<_>>().join("; ");
        events.push(
            ApplicationRejected {
                application: d.application,
                decided_on,
                reason: format!("every side was refused: {reason}"),
            }
            .into(),
        );
    }
    Ok(events)
}
