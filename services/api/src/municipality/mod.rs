//! Municipalities: registration, national codes, twin towns.

pub mod inputs;
pub mod mutation;
pub mod query;
pub mod types;
