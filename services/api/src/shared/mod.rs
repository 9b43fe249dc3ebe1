//! What the contexts share: input values (money, decisions, periods).

pub mod inputs;
