//! What the contexts share: input values (money, decisions, periods) and output values and enums.

pub mod inputs;
pub mod types;
