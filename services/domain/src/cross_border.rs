//! One project across the border: a cross-border application (Interreg
//! Sverige–Norge) has one budget side per country, each in its own currency,
//! and each side is decided by its own funder — the EU funds of the Swedish
//! side by the programme's managing authority, the Norwegian side's IR funds
//! by the Norwegian county (fylkeskommune) in a decision of its own. The
//! approved application becomes **one** project that carries every side with
//! its decision, and one shared set of milestones.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::programme::SideBudget;
use crate::{require_text, CountryCode, DomainError, Money};

/// One funder's decision on one side of a cross-border budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SideDecision {
    /// The side decided (its country).
    pub country: CountryCode,
    /// The side's fund, e.g. `ERDF` or `IR`.
    pub fund: String,
    /// Who decided, e.g. `Region Jämtland Härjedalen (managing authority)` or
    /// `Innlandet fylkeskommune`.
    pub funder: String,
    pub decided_on: NaiveDate,
    /// The funder's decision reference (Jems id, diarienummer, saksnummer).
    pub decision_reference: String,
    /// The amount granted, in the side's own currency; `null` when refused.
    #[serde(default)]
    pub granted: Option<Money>,
    /// `granted` in the application's currency, converted once with the
    /// side's recorded conversion (only when the side's currency differs).
    #[serde(default)]
    pub converted_granted: Option<Money>,
    /// Why the funder refused; `null` when granted.
    #[serde(default)]
    pub refusal_reason: Option<String>,
}

impl SideDecision {
    /// `true` when the funder granted money.
    pub fn is_granted(&self) -> bool {
        self.granted.is_some()
    }

    /// The granted amount in the application's currency (zero when refused).
    pub fn granted_in_application_currency(&self, currency: crate::Currency) -> Money {
        self.converted_granted.or(self.granted).unwrap_or(Money::zero(currency))
    }

    /// E.g. `SE: ERDF granted EUR 904 675.00 (Region …, 2018-06-20, ref)`.
    pub fn describe(&self) -> String {
        match (&self.granted, &self.refusal_reason) {
            (Some(g), _) => format!(
                "{}: {} granted {} ({}, {}, {})",
                self.country, self.fund, g, self.funder, self.decided_on, self.decision_reference
            ),
            (None, reason) => format!(
                "{}: {} refused ({}, {}, {}): {}",
                self.country,
                self.fund,
                self.funder,
                self.decided_on,
                self.decision_reference,
                reason.as_deref().unwrap_or_default()
            ),
        }
    }

    /// The decision against its side: same country, the side's currency, at
    /// most the side's request, and either granted or refused with a reason.
    pub fn validate(&self, side: &SideBudget) -> Result<(), DomainError> {
        require_text("funder", &self.funder)?;
        require_text("decision_reference", &self.decision_reference)?;
        if self.country != side.country {
            return Err(DomainError::UnknownBudgetSide {
                country: self.country.to_string(),
            });
        }
        match (&self.granted, &self.refusal_reason) {
            (Some(_), Some(_)) => Err(DomainError::InvalidFunderDecision {
                reason: "give the granted amount or a refusal reason, not both",
            }),
            (None, None) => Err(DomainError::InvalidFunderDecision {
                reason: "give the granted amount or a refusal reason",
            }),
            (None, Some(reason)) => require_text("refusal_reason", reason),
            (Some(granted), None) => {
                side.requested.same_currency(granted)?;
                if granted.amount_minor > side.requested.amount_minor {
                    return Err(DomainError::GrantExceedsRequest {
                        granted: granted.amount_minor,
                        requested: side.requested.amount_minor,
                    });
                }
                Ok(())
            }
        }
    }
}

/// A side of a cross-border project: its budget as applied for (own
/// currency, the conversion and converted amounts stored at drafting) and
/// its funder's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProjectSide {
    pub budget: SideBudget,
    pub decision: SideDecision,
}

impl ProjectSide {
    pub fn validate(&self) -> Result<(), DomainError> {
        self.decision.validate(&self.budget)
    }
}

/// One side per country.
pub fn check_one_side_per_country(sides: &[SideBudget]) -> Result<(), DomainError> {
    let mut seen = std::collections::BTreeSet::new();
    for s in sides {
        if !seen.insert(s.country) {
            return Err(DomainError::DuplicateBudgetSide {
                country: s.country.to_string(),
            });
        }
    }
    Ok(())
}
