//! The consortium context: its GraphQL query fields and output types.

pub mod query;
pub mod types;
