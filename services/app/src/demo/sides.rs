//! A cross-border project's budget sides from its facts: each side in its
//! own currency, converted into the project's where it differs, with its
//! funder's decision.

use samverkan_domain::cross_border::{ProjectSide, SideDecision};
use samverkan_domain::programme::{Conversion, SideBudget};
use samverkan_domain::{CountryCode, Money};

use super::facts::{Amount, ProjectFact};
use crate::AppError;

fn money(amount: Amount) -> Result<Money, AppError> {
    Ok(Money::major(amount.units, amount.currency)?)
}

fn country(s: &str) -> Result<CountryCode, AppError> {
    Ok(CountryCode::parse(s)?)
}

/// A cross-border project's sides, each converted into the project's
/// currency where it differs; the sides must sum to the stated budget and
/// grant (a mistyped figure stops the load).
pub(super) fn sides(f: &ProjectFact) -> Result<Vec<ProjectSide>, AppError> {
    if f.sides.is_empty() {
        return Ok(vec![]);
    }
    let currency = f.budget.currency;
    let (mut total, mut granted) = (Money::zero(currency), Money::zero(currency));
    let mut out = Vec::with_capacity(f.sides.len());
    for s in f.sides {
        let conversion = s.conversion.map(|(rate, source, date)| Conversion {
            rate: rate.into(),
            source: source.into(),
            date,
        });
        let (side_total, side_requested, side_granted) = (money(s.total)?, money(s.requested)?, money(s.granted)?);
        let convert = |m: Money| -> Result<Option<Money>, AppError> {
            match &conversion {
                Some(c) => Ok(Some(c.convert(m, currency)?)),
                None => Ok(None),
            }
        };
        let budget = SideBudget {
            country: country(s.country)?,
            fund: s.fund.into(),
            total: side_total,
            requested: side_requested,
            converted_total: convert(side_total)?,
            converted_requested: convert(side_requested)?,
            conversion: conversion.clone(),
        };
        let decision = SideDecision {
            country: budget.country,
            fund: s.fund.into(),
            funder: s.funder.into(),
            decided_on: s.decided_on,
            decision_reference: s.decision_reference.into(),
            granted: Some(side_granted),
            converted_granted: convert(side_granted)?,
            refusal_reason: None,
        };
        total = total.checked_add(budget.in_application_currency().0)?;
        granted = granted.checked_add(decision.granted_in_application_currency(currency))?;
        out.push(ProjectSide { budget, decision });
    }
    if total != money(f.budget)? || granted != money(f.grant)? {
        return Err(AppError::Conflict(format!(
            "demo project `{}`: its sides sum to {total} with {granted} granted, not its stated budget and grant",
            f.title
        )));
    }
    Ok(out)
}
