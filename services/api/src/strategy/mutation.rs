//! The strategy document commands: one line each.

use samverkan_domain::strategy::Strategy as StrategyAggregate;

use super::inputs::*;
use crate::command::{command_table, payload};
use crate::types::Strategy;

payload!(
    /// The answer to a strategy document command.
    StrategyPayload for StrategyAggregate,
    strategy: Strategy = |m, id| m.strategy(id, None).map(|v| Strategy::from(&v))
);

command_table! {
    StrategyMutation("strategy document") {
        /// Draft a strategy document (strategi, policy, plan, program).
        draft_strategy(DraftStrategyInput) -> StrategyPayload;
        /// Adopt a draft (council or executive board).
        adopt_strategy(AdoptStrategyInput) -> StrategyPayload;
        /// Revise an adopted document.
        revise_strategy(ReviseStrategyInput) -> StrategyPayload;
        /// Replace an adopted document by a newer one.
        supersede_strategy(SupersedeStrategyInput) -> StrategyPayload;
        /// Repeal an adopted document.
        repeal_strategy(RepealStrategyInput) -> StrategyPayload;
        /// Record a follow-up report (uppföljning) for a closed period.
        report_follow_up(ReportFollowUpInput) -> StrategyPayload;
    }
}
