//! The programme rules at the joint application's commands: the budget
//! sides as drafted (converted once, never again), and the one check
//! ([`crate::programme::check`]) against the call's rule set, whose "E" rules
//! refuse the command of their stage (drafting, committing, submitting).

use chrono::NaiveDate;

use super::{Answer, ApplicationDrafted, ApplicationState};
use crate::programme::{check, refusal, CallRules, Party, PartyAnswer, SideBudget, Stage, Subject};
use crate::{DomainError, Money};

/// The sides as drafted: each in its own currency, converted to the
/// application's where it differs (the conversion is required then), and
/// adding up to the application's budget and request.
pub(super) fn sides(sides: &[SideBudget], total: Money, requested: Money) -> Result<Vec<SideBudget>, DomainError> {
    if sides.is_empty() {
        return Ok(vec![]);
    }
    let mut out = Vec::with_capacity(sides.len());
    let (mut sum_total, mut sum_requested) = (Money::zero(total.currency), Money::zero(total.currency));
    for s in sides {
        crate::require_text("sides.fund", &s.fund)?;
        s.total.same_currency(&s.requested)?;
        if s.requested.amount_minor > s.total.amount_minor {
            return Err(DomainError::RequestExceedsBudget {
                requested: s.requested.amount_minor,
                budget: s.total.amount_minor,
            });
        }
        let mut side = s.clone();
        if s.total.currency == total.currency {
            side.conversion = None;
            side.converted_total = None;
            side.converted_requested = None;
        } else {
            let conversion = s.conversion.as_ref().ok_or(DomainError::CurrencyMismatch {
                expected: total.currency,
                found: s.total.currency,
            })?;
            side.converted_total = Some(conversion.convert(s.total, total.currency)?);
            side.converted_requested = Some(conversion.convert(s.requested, total.currency)?);
        }
        let (t, r) = side.in_application_currency();
        sum_total = sum_total.checked_add(t)?;
        sum_requested = sum_requested.checked_add(r)?;
        out.push(side);
    }
    if sum_total != total || sum_requested != requested {
        return Err(DomainError::BudgetSidesMismatch {
            detail: format!(
                "the sides total {sum_total} with {sum_requested} requested; the application says {total} with {requested} requested"
            ),
        });
    }
    Ok(out)
}

/// The application as the rules see it on `on`.
pub(super) fn subject(state: &ApplicationState, d: &ApplicationDrafted, on: NaiveDate) -> Subject {
    let fund = d.call_rules.as_ref().map_or("", |c| c.programme.name.as_str());
    let answer = |m: &crate::MunicipalityCode, a: Option<&Answer>| match (state.commitments.get(m), a) {
        (_, Some(Answer::Declined)) => PartyAnswer::Declined,
        (Some(c), _) => PartyAnswer::Committed {
            amount: c.amount,
            decided_on: c.decision.date,
            terms: c.terms.clone(),
        },
        _ => PartyAnswer::Pending,
    };
    let confirmed = |m: &crate::MunicipalityCode| state.confirmations.get(m).map(|c| c.confirmed_on);
    let mut parties = vec![Party {
        municipality: d.lead_applicant,
        lead: true,
        answer: answer(&d.lead_applicant, None),
        confirmed_on: confirmed(&d.lead_applicant),
    }];
    parties.extend(state.co_applicants.iter().map(|(m, a)| Party {
        municipality: *m,
        lead: false,
        answer: answer(m, Some(a)),
        confirmed_on: confirmed(m),
    }));
    Subject {
        lead: d.lead_applicant,
        parties,
        total_budget: d.total_budget,
        requested: d.requested,
        sides: d.sides.clone(),
        fund: fund.to_string(),
        deadline: d.deadline,
        project_period: d.project_period,
        on,
        funder_decided_on: state.decided_on,
        today: on,
        // The application aggregate does not see its project; the read side fills it.
        result_approved_on: None,
    }
}

/// Refuse with the first "E" rule of `stage` (or earlier) that `subject` breaks.
pub(super) fn enforce(subject: &Subject, rules: Option<&CallRules>, stage: Stage) -> Result<(), DomainError> {
    match rules {
        Some(r) => refusal(&check(subject, r), stage),
        None => Ok(()),
    }
}
