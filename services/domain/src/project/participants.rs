//! Who takes part in a project and how it is financed: participants, EU
//! priorities, the strategy goals it serves, and its financing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{CountryCode, DomainError, GoalId, Money, MunicipalityCode, StrategyId};

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
