//! Funding programmes as their handbooks define them: dated rule sets and
//! calls (administrators record them), the check of an application against
//! its call's rules, and the municipalities' meeting calendars.

pub mod inputs;
pub mod mutation;
pub mod query;
pub mod types;
