//! The consortium commands' inputs.

use async_graphql::{InputObject, OneofObject};
use samverkan_domain::consortium::{Consortium, ConsortiumCommand, Coordinator as DomainCoordinator};
use samverkan_domain::Rule;

use crate::command::{CommandInput, CommandOf, Filled, IdOf};
use crate::error::ApiError;
use crate::scalars::{ConsortiumCode, Date, MunicipalityCode};
use crate::types::ConsortiumKind;

/// Who coordinates: exactly one of `member` or `office`.
#[derive(OneofObject, Clone, Debug)]
pub enum CoordinatorInput {
    /// A member municipality.
    Member(MunicipalityCode),
    /// The name of a joint office or secretariat.
    Office(String),
}

impl CoordinatorInput {
    pub fn to_domain(&self) -> DomainCoordinator {
        match self {
            CoordinatorInput::Member(m) => DomainCoordinator::Member { municipality: m.0 },
            CoordinatorInput::Office(name) => DomainCoordinator::Office { name: name.clone() },
        }
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct FormConsortiumInput {
    pub code: ConsortiumCode,
    pub name: String,
    pub kind: ConsortiumKind,
    pub purpose: String,
    pub formed_on: Date,
}

impl CommandInput for FormConsortiumInput {
    type Aggregate = Consortium;
    const RULE: Rule = Rule::AdminOnly;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let code = self.code.0;
        let command = ConsortiumCommand::Form {
            code: code.clone(),
            name: self.name,
            kind: self.kind.into(),
            purpose: self.purpose,
            formed_on: self.formed_on.0,
        };
        Ok((code, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct JoinConsortiumInput {
    pub consortium: ConsortiumCode,
    pub municipality: MunicipalityCode,
    pub joined_on: Date,
}

impl CommandInput for JoinConsortiumInput {
    type Aggregate = Consortium;
    const RULE: Rule = Rule::Membership;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ConsortiumCommand::Join {
            municipality: self.municipality.0,
            joined_on: self.joined_on.0,
        };
        Ok((self.consortium.0, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct LeaveConsortiumInput {
    pub consortium: ConsortiumCode,
    pub municipality: MunicipalityCode,
    pub left_on: Date,
}

impl CommandInput for LeaveConsortiumInput {
    type Aggregate = Consortium;
    const RULE: Rule = Rule::Membership;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ConsortiumCommand::Leave {
            municipality: self.municipality.0,
            left_on: self.left_on.0,
        };
        Ok((self.consortium.0, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct AppointCoordinatorInput {
    pub consortium: ConsortiumCode,
    pub coordinator: CoordinatorInput,
    pub from: Date,
}

impl CommandInput for AppointCoordinatorInput {
    type Aggregate = Consortium;
    const RULE: Rule = Rule::OwnConsortium;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ConsortiumCommand::AppointCoordinator {
            coordinator: self.coordinator.to_domain(),
            from: self.from.0,
        };
        Ok((self.consortium.0, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct DissolveConsortiumInput {
    pub consortium: ConsortiumCode,
    pub dissolved_on: Date,
    pub reason: String,
}

impl CommandInput for DissolveConsortiumInput {
    type Aggregate = Consortium;
    const RULE: Rule = Rule::OwnConsortium;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ConsortiumCommand::Dissolve {
            dissolved_on: self.dissolved_on.0,
            reason: self.reason,
        };
        Ok((self.consortium.0, command))
    }
}
