//! A co-financing commitment as funders ask for it (Tillväxtverket's
//! medfinansieringsintyg, Jems's partner co-financing): public or private,
//! cash or in kind, where the money comes from, the partner's budget and
//! its cost lines, and the conversion used when the amount was given in
//! another currency.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::programme::Conversion;
use crate::{require_text, DomainError, Money};

/// Public or private money (Jems: Public / Private).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FundingOrigin {
    Public,
    Private,
}

/// Cash or in kind (e.g. staff time, premises).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContributionForm {
    Cash,
    InKind,
}

/// Where the co-financing comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CoFinancingSource {
    /// The municipality's own budget.
    OwnBudget,
    /// A region (region, fylkeskommune).
    Region,
    /// A state agency.
    StateAgency,
    /// A private company.
    PrivateCompany,
}

/// A budget line of a partner, by cost category (e.g. `salaries`, `travel`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CostLine {
    pub category: String,
    pub amount: Money,
}

/// An amount given in another currency and the conversion used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConvertedAmount {
    /// The amount as given, in its own currency.
    pub original: Money,
    #[serde(flatten)]
    pub conversion: Conversion,
}

/// What a commitment states besides its amount and decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CoFinancingTerms {
    pub origin: FundingOrigin,
    pub form: ContributionForm,
    pub source: CoFinancingSource,
    /// The partner's own budget (its eligible costs) in the application's
    /// currency: its fund share and own contribution must make 100 % of it.
    #[serde(default)]
    pub partner_budget: Option<Money>,
    /// The partner's budget by cost category.
    #[serde(default)]
    pub cost_lines: Vec<CostLine>,
    /// When the amount was given in another currency: the original and the rate used.
    #[serde(default)]
    pub converted_from: Option<ConvertedAmount>,
}

impl CoFinancingTerms {
    /// Validate against the commitment's `amount` in the application's currency.
    pub fn validate(&self, amount: &Money) -> Result<(), DomainError> {
        if let Some(b) = &self.partner_budget {
            amount.same_currency(b)?;
        }
        for line in &self.cost_lines {
            require_text("cost_lines.category", &line.category)?;
            amount.same_currency(&line.amount)?;
        }
        if let Some(c) = &self.converted_from {
            let computed = c.conversion.convert(c.original, amount.currency)?;
            if computed != *amount {
                return Err(DomainError::ConversionMismatch {
                    given: amount.to_string(),
                    computed: computed.to_string(),
                });
            }
        }
        Ok(())
    }
}
