//! International projects: registration, milestones, budget, partners.

pub mod inputs;
pub mod mutation;
pub mod personal;
pub mod query;
pub mod types;
