//! Strategy documents (strategi, policy, plan, program): drafting, adoption, follow-up.

pub mod inputs;
pub mod mutation;
pub mod query;
pub mod types;
