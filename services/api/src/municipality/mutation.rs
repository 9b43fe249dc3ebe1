//! The municipality commands: one line each.

use samverkan_domain::municipality::Municipality as MunicipalityAggregate;

use super::inputs::*;
use crate::command::{command_table, payload};
use crate::types::Municipality;

payload!(
    /// The answer to a municipality command.
    MunicipalityPayload for MunicipalityAggregate,
    municipality: Municipality = |m, code| m.municipality(code, None).map(|v| Municipality::from(&v))
);

command_table! {
    MunicipalityMutation("municipality") {
        /// Register a municipality (administrators only).
        register_municipality(RegisterMunicipalityInput) -> MunicipalityPayload;
        /// Record a new national code of a municipality from a date (administrators
        /// only). The municipality keeps its identity; the old code keeps
        /// answering lookups for its own period.
        change_municipality_code(ChangeMunicipalityCodeInput) -> MunicipalityPayload;
        /// Record a twin-town agreement (vänortsavtal) decided by the council.
        sign_twin_town_agreement(SignTwinTownAgreementInput) -> MunicipalityPayload;
        /// End a twin-town agreement by council decision.
        end_twin_town_agreement(EndTwinTownAgreementInput) -> MunicipalityPayload;
    }
}
