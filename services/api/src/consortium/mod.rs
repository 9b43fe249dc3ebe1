//! Consortia (kommunalförbund, samarbeten): membership, coordinator, dissolution.

pub mod inputs;
pub mod mutation;
pub mod query;
pub mod types;
