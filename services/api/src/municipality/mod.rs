//! Municipalities: registration, national codes, twin towns.

pub mod inputs;
pub mod mutation;
