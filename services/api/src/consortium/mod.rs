//! Consortia (kommunalförbund, samarbeten): membership, coordinator, dissolution.

pub mod inputs;
pub mod mutation;
