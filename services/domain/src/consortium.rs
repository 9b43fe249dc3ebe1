//! Consortium (samverkan, nätverk): V6, ARKO, twin-town rings, ICLD
//! partnerships. Members join and leave on dates; a coordinator is appointed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::event::no_upcast;
use crate::{require_text, Aggregate, CommandTarget, ConsortiumCode, Decider, DomainError, MunicipalityCode};

/// What kind of cooperation a consortium is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsortiumKind {
    /// Regional cooperation between neighbours, e.g. V6 (Västra Skaraborg).
    RegionalCooperation,
    /// Cross-border committee, e.g. ARKO (Swedish–Norwegian border municipalities).
    CrossBorder,
    /// A ring of twin towns (vänortsring), e.g. Arvika–Ylöjärvi–Skive–Kongsvinger.
    TwinTownRing,
    /// A municipal partnership, e.g. ICLD Vänersborg–Chobe District Council.
    MunicipalPartnership,
}

/// Who coordinates the consortium: one member municipality or an office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Coordinator {
    /// A member municipality coordinates (e.g. Lidköping for V6).
    Member { municipality: MunicipalityCode },
    /// A joint office or secretariat (e.g. the ARKO secretariat).
    Office { name: String },
}

/// A consortium is formed. Caused by `FormConsortium`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConsortiumFormed {
    pub code: ConsortiumCode,
    pub name: String,
    pub kind: ConsortiumKind,
    /// What the members cooperate on.
    pub purpose: String,
    pub formed_on: NaiveDate,
}

/// A municipality joins. Caused by `JoinConsortium`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MemberJoined {
    pub consortium: ConsortiumCode,
    pub municipality: MunicipalityCode,
    pub joined_on: NaiveDate,
}

/// A municipality leaves (e.g. Våler left ARKO). Caused by `LeaveConsortium`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MemberLeft {
    pub consortium: ConsortiumCode,
    pub municipality: MunicipalityCode,
    pub left_on: NaiveDate,
}

/// A coordinator is appointed (replacing any earlier one). Caused by `AppointCoordinator`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CoordinatorAppointed {
    pub consortium: ConsortiumCode,
    pub coordinator: Coordinator,
    pub from: NaiveDate,
}

/// The consortium is dissolved; no further changes. Caused by `DissolveConsortium`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConsortiumDissolved {
    pub consortium: ConsortiumCode,
    pub dissolved_on: NaiveDate,
    pub reason: String,
}

domain_events!(
    /// Events of the consortium aggregate.
    ConsortiumEvent, "consortium", no_upcast, {
        ConsortiumFormed = 1,
        MemberJoined = 1,
        MemberLeft = 1,
        CoordinatorAppointed = 1,
        ConsortiumDissolved = 1,
    }
);

#[derive(Debug, Clone, Serialize)]
pub enum ConsortiumCommand {
    Form {
        code: ConsortiumCode,
        name: String,
        kind: ConsortiumKind,
        purpose: String,
        formed_on: NaiveDate,
    },
    Join {
        municipality: MunicipalityCode,
        joined_on: NaiveDate,
    },
    Leave {
        municipality: MunicipalityCode,
        left_on: NaiveDate,
    },
    AppointCoordinator {
        coordinator: Coordinator,
        from: NaiveDate,
    },
    Dissolve {
        dissolved_on: NaiveDate,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsortiumState {
    pub formed: Option<ConsortiumFormed>,
    /// Every membership period, per municipality, oldest first.
    pub memberships: BTreeMap<MunicipalityCode, Vec<Membership>>,
    pub coordinator: Option<Coordinator>,
    pub dissolved_on: Option<NaiveDate>,
}

impl ConsortiumState {
    /// Current members (joined and not left).
    pub fn current_members(&self) -> BTreeSet<MunicipalityCode> {
        self.memberships
            .iter()
            .filter(|(_, periods)| periods.last().is_some_and(|p| p.left_on.is_none()))
            .map(|(m, _)| *m)
            .collect()
    }
    pub fn is_member(&self, municipality: &MunicipalityCode) -> bool {
        self.memberships
            .get(municipality)
            .and_then(|p| p.last())
            .is_some_and(|p| p.left_on.is_none())
    }
}

pub struct Consortium;

impl Decider for Consortium {
    type State = ConsortiumState;
    type Command = ConsortiumCommand;
    type Event = ConsortiumEvent;

    fn decide(state: &ConsortiumState, command: &ConsortiumCommand) -> Result<Vec<ConsortiumEvent>, DomainError> {
        use ConsortiumCommand::*;
        if let (
            Form {
                code,
                name,
                kind,
                purpose,
                formed_on,
            },
            None,
        ) = (command, &state.formed)
        {
            require_text("name", name)?;
            require_text("purpose", purpose)?;
            return Ok(vec![ConsortiumFormed {
                code: code.clone(),
                name: name.trim().into(),
                kind: *kind,
                purpose: purpose.trim().into(),
                formed_on: *formed_on,
            }
            .into()]);
        }
        let formed = state.formed.as_ref().ok_or(DomainError::NotFound {
            aggregate: "consortium",
            id: String::new(),
        })?;
        if state.dissolved_on.is_some() && !matches!(command, Form { .. }) {
            return Err(DomainError::ConsortiumDissolved);
        }
        let consortium = formed.code.clone();
        let not_before_formation = |date: NaiveDate| {
            if date < formed.formed_on {
                Err(DomainError::BeforeFormation {
                    date,
                    formed_on: formed.formed_on,
                })
            } else {
                Ok(())
            }
        };
        match command {
            Form { code, .. } => Err(DomainError::AlreadyExists {
                aggregate: "consortium",
                id: code.to_string(),
            }),
            Join {
                municipality,
                joined_on,
            } => {
                if state.is_member(municipality) {
                    return Err(DomainError::AlreadyMember {
                        municipality: municipality.to_string(),
                    });
                }
                not_before_formation(*joined_on)?;
                if let Some(left_on) = state
                    .memberships
                    .get(municipality)
                    .and_then(|p| p.last())
                    .and_then(|p| p.left_on)
                {
                    if *joined_on < left_on {
                        return Err(DomainError::EndsBeforeStart {
                            since: left_on,
                            ended_on: *joined_on,
                        });
                    }
                }
                Ok(vec![MemberJoined {
                    consortium,
                    municipality: *municipality,
                    joined_on: *joined_on,
                }
                .into()])
            }
            Leave { municipality, left_on } => {
                let current = state
                    .memberships
                    .get(municipality)
                    .and_then(|p| p.last())
                    .filter(|p| p.left_on.is_none())
                    .ok_or_else(|| DomainError::NotAMember {
                        municipality: municipality.to_string(),
                    })?;
                if *left_on < current.joined_on {
                    return Err(DomainError::LeavesBeforeJoining {
                        municipality: municipality.to_string(),
                        joined_on: current.joined_on,
                        left_on: *left_on,
                    });
                }
                Ok(vec![MemberLeft {
                    consortium,
                    municipality: *municipality,
                    left_on: *left_on,
                }
                .into()])
            }
            AppointCoordinator { coordinator, from } => {
                not_before_formation(*from)?;
                match coordinator {
                    Coordinator::Member { municipality } if !state.is_member(municipality) => {
                        return Err(DomainError::NotAMember {
                            municipality: municipality.to_string(),
                        });
                    }
                    Coordinator::Office { name } => require_text("coordinator.name", name)?,
                    Coordinator::Member { .. } => {}
                }
                Ok(vec![CoordinatorAppointed {
                    consortium,
                    coordinator: coordinator.clone(),
                    from: *from,
                }
                .into()])
            }
            Dissolve { dissolved_on, reason } => {
                not_before_formation(*dissolved_on)?;
                require_text("reason", reason)?;
                Ok(vec![ConsortiumDissolved {
                    consortium,
                    dissolved_on: *dissolved_on,
                    reason: reason.trim().into(),
                }
                .into()])
            }
        }
    }

    fn evolve(mut state: ConsortiumState, event: &ConsortiumEvent) -> ConsortiumState {
        match event {
            ConsortiumEvent::ConsortiumFormed(e) => state.formed = Some(e.clone()),
            ConsortiumEvent::MemberJoined(e) => {
                state.memberships.entry(e.municipality).or_default().push(Membership {
                    joined_on: e.joined_on,
                    left_on: None,
                });
            }
            ConsortiumEvent::MemberLeft(e) => {
                if let Some(p) = state.memberships.get_mut(&e.municipality).and_then(|p| p.last_mut()) {
                    p.left_on = Some(e.left_on);
                }
                if state.coordinator
                    == Some(Coordinator::Member {
                        municipality: e.municipality,
                    })
                {
                    state.coordinator = None;
                }
            }
            ConsortiumEvent::CoordinatorAppointed(e) => state.coordinator = Some(e.coordinator.clone()),
            ConsortiumEvent::ConsortiumDissolved(e) => state.dissolved_on = Some(e.dissolved_on),
        }
        state
    }
}

impl Aggregate for Consortium {
    type Id = ConsortiumCode;
    const CATEGORY: &'static str = "consortium";

    fn command_name(command: &ConsortiumCommand) -> &'static str {
        match command {
            ConsortiumCommand::Form { .. } => "FormConsortium",
            ConsortiumCommand::Join { .. } => "JoinConsortium",
            ConsortiumCommand::Leave { .. } => "LeaveConsortium",
            ConsortiumCommand::AppointCoordinator { .. } => "AppointCoordinator",
            ConsortiumCommand::Dissolve { .. } => "DissolveConsortium",
        }
    }

    /// A consortium is its own owner (run by its coordinator); forming one is
    /// for administrators.
    fn target(id: &ConsortiumCode, _: &ConsortiumState, command: &ConsortiumCommand) -> CommandTarget {
        match command {
            ConsortiumCommand::Form { .. } => CommandTarget::FormConsortium(id.clone()),
            ConsortiumCommand::Join { municipality, .. } | ConsortiumCommand::Leave { municipality, .. } => {
                CommandTarget::Membership {
                    consortium: id.clone(),
                    municipality: *municipality,
                }
            }
            ConsortiumCommand::AppointCoordinator { .. } | ConsortiumCommand::Dissolve { .. } => {
                CommandTarget::Consortium(id.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests;
