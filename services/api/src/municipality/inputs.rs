//! The municipality commands' inputs.

use async_graphql::InputObject;
use samverkan_app::projections::CodeResolution;
use samverkan_domain::municipality::{Municipality, MunicipalityCommand, TwinTownPartner};
use samverkan_domain::Rule;

use crate::command::{CommandInput, CommandOf, Filled, IdOf};
use crate::error::ApiError;
use crate::scalars::{CountryCode, Date, MunicipalityCode};
use crate::shared::inputs::DecisionInput;

/// The other party of a twin-town agreement.
#[derive(InputObject, Clone, Debug)]
pub struct TwinTownPartnerInput {
    pub name: String,
    pub country: CountryCode,
    /// Its municipality code, when it is registered here.
    pub code: Option<MunicipalityCode>,
}

#[derive(InputObject, Clone, Debug)]
pub struct RegisterMunicipalityInput {
    pub code: MunicipalityCode,
    /// Official name, e.g. `Vänersborgs kommun`.
    pub name: String,
    /// From when the national code is valid.
    pub code_valid_from: Option<Date>,
}

impl CommandInput for RegisterMunicipalityInput {
    type Aggregate = Municipality;
    const RULE: Rule = Rule::AdminOnly;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let code = self.code.0;
        let command = MunicipalityCommand::Register {
            code,
            name: self.name,
            code_valid_from: self.code_valid_from.map(|x| x.0),
        };
        Ok((code, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct ChangeMunicipalityCodeInput {
    /// The municipality: its identity (first code) or its code today.
    pub municipality: MunicipalityCode,
    /// The new national code, of the same country.
    pub new_code: MunicipalityCode,
    /// First day of the new code; the current code ends the day before.
    pub valid_from: Date,
    /// The decision behind the change, when there is one.
    pub decision: Option<DecisionInput>,
    /// Where the change is documented (e.g. an SCB or SSB page).
    pub source: String,
}

impl CommandInput for ChangeMunicipalityCodeInput {
    type Aggregate = Municipality;
    const RULE: Rule = Rule::AdminOnly;
    fn command(self, server: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        // The identity, or the code valid today.
        let asked = self.municipality.0;
        let today = server.now().date_naive();
        let code = server.look_up(|m| match m.resolve_code(&asked, None, Some(today)) {
            CodeResolution::Found(identity) => identity,
            _ => asked,
        });
        let command = MunicipalityCommand::ChangeCode {
            new_code: self.new_code.0,
            valid_from: self.valid_from.0,
            decision: self.decision.map(|d| d.to_domain()),
            source: self.source,
            in_use: vec![],
        };
        Ok((code, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct SignTwinTownAgreementInput {
    pub municipality: MunicipalityCode,
    pub partner: TwinTownPartnerInput,
    pub since: Date,
    /// Must be a council decision.
    pub decision: DecisionInput,
}

impl CommandInput for SignTwinTownAgreementInput {
    type Aggregate = Municipality;
    const RULE: Rule = Rule::OwnMunicipality;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let partner = TwinTownPartner {
            name: self.partner.name,
            country: self.partner.country.0,
            code: self.partner.code.map(|c| c.0),
        };
        let command = MunicipalityCommand::SignTwinTownAgreement {
            partner,
            since: self.since.0,
            decision: self.decision.to_domain(),
        };
        Ok((self.municipality.0, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct EndTwinTownAgreementInput {
    pub municipality: MunicipalityCode,
    /// The partner's key (see `TwinTownPartner.key`).
    pub partner_key: String,
    pub ended_on: Date,
    /// Must be a council decision.
    pub decision: DecisionInput,
}

impl CommandInput for EndTwinTownAgreementInput {
    type Aggregate = Municipality;
    const RULE: Rule = Rule::OwnMunicipality;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = MunicipalityCommand::EndTwinTownAgreement {
            partner_key: self.partner_key,
            ended_on: self.ended_on.0,
            decision: self.decision.to_domain(),
        };
        Ok((self.municipality.0, command))
    }
}
