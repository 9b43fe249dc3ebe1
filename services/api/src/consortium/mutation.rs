//! The consortium commands: one line each.

use samverkan_domain::consortium::Consortium as ConsortiumAggregate;

use super::inputs::*;
use crate::command::{command_table, payload};
use crate::types::Consortium;

payload!(
    /// The answer to a consortium command.
    ConsortiumPayload for ConsortiumAggregate,
    consortium: Consortium = |m, code| m.consortium(code, None).map(|v| Consortium::from(&v))
);

command_table! {
    ConsortiumMutation("consortium") {
        /// Form a consortium.
        form_consortium(FormConsortiumInput) -> ConsortiumPayload;
        /// A municipality joins a consortium.
        join_consortium(JoinConsortiumInput) -> ConsortiumPayload;
        /// A municipality leaves a consortium.
        leave_consortium(LeaveConsortiumInput) -> ConsortiumPayload;
        /// Appoint the coordinator (a member municipality or an office).
        appoint_coordinator(AppointCoordinatorInput) -> ConsortiumPayload;
        /// Dissolve a consortium; it accepts no further changes.
        dissolve_consortium(DissolveConsortiumInput) -> ConsortiumPayload;
    }
}
