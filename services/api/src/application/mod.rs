//! Joint applications: draft, co-applicants and co-financing, submission, the funder’s decision.

pub mod inputs;
pub mod mutation;
pub mod query;
pub mod types;
