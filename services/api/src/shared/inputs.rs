//! Input values shared by the contexts: money, decisions, periods, date
//! ranges, programmes and references to strategy goals.

use async_graphql::InputObject;
use chrono::NaiveDate;
use samverkan_domain as d;
use samverkan_domain::DomainError;
use uuid::Uuid;

use crate::error::ApiError;
use crate::scalars::{Date, GoalId, MinorUnits};
use crate::types::{Currency, DecisionBody, EuPriority, ProgrammeKind};

/// An amount of money: integer minor units and a currency.
#[derive(InputObject, Clone, Debug)]
pub struct MoneyInput {
    /// Minor units (1 SEK = 100 öre); a non-negative integer, never a float.
    pub amount_minor: MinorUnits,
    pub currency: Currency,
}

impl MoneyInput {
    pub fn to_domain(&self) -> Result<d::Money, ApiError> {
        Ok(d::Money::for_command(self.amount_minor.amount(), self.currency.into())?)
    }
}

/// A formal decision.
#[derive(InputObject, Clone, Debug)]
pub struct DecisionInput {
    pub body: DecisionBody,
    pub date: Date,
    /// Paragraph in the minutes, e.g. `§ 12`.
    pub paragraph: Option<String>,
    /// Case number (diarienummer), e.g. `KS 2023/993`.
    pub case_number: Option<String>,
}

impl DecisionInput {
    pub fn to_domain(&self) -> d::Decision {
        d::Decision {
            body: self.body.into(),
            date: self.date.0,
            paragraph: self.paragraph.clone(),
            case_number: self.case_number.clone(),
        }
    }
}

/// A span of dates; leave `end` out for "until further notice".
#[derive(InputObject, Clone, Debug)]
pub struct PeriodInput {
    pub start: Date,
    pub end: Option<Date>,
}

impl PeriodInput {
    pub fn to_domain(&self) -> Result<d::Period, ApiError> {
        Ok(d::Period::new(self.start.0, self.end.map(|e| e.0))?)
    }
}

/// An inclusive range of dates used by list filters.
#[derive(InputObject, Clone, Debug)]
pub struct DateRange {
    pub from: Date,
    pub to: Date,
}

impl DateRange {
    pub fn bounds(&self) -> Result<(NaiveDate, NaiveDate), ApiError> {
        if self.to.0 < self.from.0 {
            return Err(DomainError::PeriodEndsBeforeStart {
                start: self.from.0,
                end: self.to.0,
            }
            .into());
        }
        Ok((self.from.0, self.to.0))
    }
}

/// A funding programme.
#[derive(InputObject, Clone, Debug)]
pub struct ProgrammeInput {
    pub kind: ProgrammeKind,
    /// E.g. `Interreg Sverige–Norge 2021–2027`.
    pub name: String,
}

impl ProgrammeInput {
    pub fn to_domain(&self) -> d::Programme {
        d::Programme {
            kind: self.kind.into(),
            name: self.name.clone(),
        }
    }
}

/// A reference to a goal of a strategy document.
#[derive(InputObject, Clone, Debug)]
pub struct GoalRefInput {
    pub strategy_id: Uuid,
    pub goal_id: GoalId,
}

pub fn goal_refs(refs: &[GoalRefInput]) -> Vec<d::project::GoalRef> {
    refs.iter()
        .map(|g| d::project::GoalRef {
            strategy: d::StrategyId(g.strategy_id),
            goal: g.goal_id.0.clone(),
        })
        .collect()
}

pub fn eu_priorities(p: &[EuPriority]) -> Vec<d::project::EuPriority> {
    p.iter().map(|e| (*e).into()).collect()
}
