//! What every context shares.

pub mod types;
