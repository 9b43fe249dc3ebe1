//! International projects: registration, milestones, budget, partners.

pub mod inputs;
pub mod mutation;
