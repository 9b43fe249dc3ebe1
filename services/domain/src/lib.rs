//! Samverkan's domain core.
//!
//! Every aggregate is a *decider*: an initial state (`Default`), a pure
//! [`Decider::decide`] that turns a command into events or a typed
//! [`DomainError`], and a pure [`Decider::evolve`] that folds one event into
//! the state. Nothing here does I/O, async or reads a clock: commands carry
//! every instant they need as a value.

#[macro_use]
mod event;
mod access;
pub mod application;
pub mod calendar;
pub mod catalogue;
pub mod cofinancing;
pub mod consortium;
pub mod cross_border;
mod decider;
mod error;
mod ids;
mod money;
pub mod municipality;
pub mod personal;
pub mod programme;
pub mod project;
pub mod strategy;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod values;

pub use access::{authorize, CommandTarget, Refused, Role, Rule};
pub use decider::{Aggregate, Decider, Facts, Need};
pub use error::DomainError;
pub use event::{AnyEvent, DomainEvent, EventDecodeError, EventSpec};
pub use ids::{
    ApplicationId, ConsortiumCode, CountryCode, GoalId, MilestoneId, MunicipalityCode, ProjectId, StrategyId,
};
pub use money::{add_to_total, format_total, Currency, Money, MAX_AMOUNT_MINOR};
pub use values::{Decision, DecisionBody, Period, Programme, ProgrammeKind};

/// Macro helper: ensure a string field is not blank.
pub(crate) fn require_text(field: &'static str, value: &str) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        Err(DomainError::BlankField { field })
    } else {
        Ok(())
    }
}
