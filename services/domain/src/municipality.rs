//! Municipality (kommun): registered with country and national code; signs and
//! ends twin-town agreements (vänortsavtal) by council decision.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    require_text, Aggregate, CommandTarget, CountryCode, Decider, Decision, DecisionBody, DomainError,
    EventDecodeError, Facts, MunicipalityCode, Need,
};

/// A municipality is registered (once). Caused by `RegisterMunicipality`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MunicipalityRegistered {
    pub code: MunicipalityCode,
    /// Official name, e.g. `Vänersborgs kommun` or `Vänersborg`.
    pub name: String,
    /// Date from which this national code is valid (codes change, e.g. the
    /// Norwegian 2020 county reform). Added in schema version 2; version 1
    /// events are upcast with `null`.
    pub code_valid_from: Option<NaiveDate>,
}

/// A municipality's national code changes (SCB kommunkod, SSB kommunenummer)
/// without a merger, e.g. Heby SE-1917 → SE-0331 on 2007-01-01 or Bærum
/// NO-0219 → NO-3024 → NO-3201. The municipality keeps its identity (the
/// stream id, its first code); the old code stays valid until the day
/// before `valid_from`. Caused by `ChangeMunicipalityCode`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MunicipalityCodeChanged {
    /// The municipality's identity (its first code).
    pub municipality: MunicipalityCode,
    pub new_code: MunicipalityCode,
    /// First day of the new code.
    pub valid_from: NaiveDate,
    /// The decision behind the change, when there is one.
    #[serde(default)]
    pub decision: Option<Decision>,
    /// Where the change is documented, e.g. an SCB or SSB page.
    pub source: String,
}

/// One code of a municipality with its validity (`valid_until` inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodePeriod {
    pub code: MunicipalityCode,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

impl CodePeriod {
    /// Whether the period overlaps `[from, until]` (None: open).
    pub fn overlaps(&self, from: NaiveDate, until: Option<NaiveDate>) -> bool {
        self.valid_until.is_none_or(|u| u >= from) && until.is_none_or(|u| self.valid_from.is_none_or(|f| f <= u))
    }
}

/// The partner in a twin-town agreement: possibly a registered municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TwinTownPartner {
    /// Name of the twin town, e.g. `Skive`.
    pub name: String,
    pub country: CountryCode,
    /// Its municipality code when it is registered here (e.g. `NO-3401` Kongsvinger).
    #[serde(default)]
    pub code: Option<MunicipalityCode>,
}

impl TwinTownPartner {
    /// The key identifying the partner within one municipality's agreements.
    pub fn key(&self) -> String {
        match &self.code {
            Some(c) => c.to_string(),
            None => format!("{}:{}", self.country, self.name.trim().to_lowercase()),
        }
    }
}

/// A twin-town agreement (vänortsavtal) is signed by council decision.
/// Caused by `SignTwinTownAgreement`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TwinTownAgreementSigned {
    pub municipality: MunicipalityCode,
    pub partner: TwinTownPartner,
    /// The agreement holds from this date.
    pub since: NaiveDate,
    pub decision: Decision,
}

/// A twin-town agreement ends. Caused by `EndTwinTownAgreement`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TwinTownAgreementEnded {
    pub municipality: MunicipalityCode,
    /// The partner key (its municipality code, or `country:name`).
    pub partner_key: String,
    pub ended_on: NaiveDate,
    pub decision: Decision,
}

fn upcast(event_type: &str, version: u32, mut data: Value) -> Result<Value, EventDecodeError> {
    if event_type == "MunicipalityRegistered" && version < 2 {
        // v1 had no `code_valid_from`.
        if let Some(obj) = data.as_object_mut() {
            obj.entry("code_valid_from").or_insert(Value::Null);
        }
        return Ok(data);
    }
    Ok(data)
}

domain_events!(
    /// Events of the municipality aggregate.
    MunicipalityEvent, "municipality", upcast, {
        MunicipalityRegistered = 2,
        TwinTownAgreementSigned = 1,
        TwinTownAgreementEnded = 1,
        MunicipalityCodeChanged = 1,
    }
);

#[derive(Debug, Clone, Serialize)]
pub enum MunicipalityCommand {
    Register {
        code: MunicipalityCode,
        name: String,
        code_valid_from: Option<NaiveDate>,
    },
    SignTwinTownAgreement {
        partner: TwinTownPartner,
        since: NaiveDate,
        decision: Decision,
    },
    EndTwinTownAgreement {
        partner_key: String,
        ended_on: NaiveDate,
        decision: Decision,
    },
    /// Record a new national code from `valid_from`. `in_use` is filled in by
    /// the application: the periods in which other municipalities hold `new_code`.
    ChangeCode {
        new_code: MunicipalityCode,
        valid_from: NaiveDate,
        decision: Option<Decision>,
        source: String,
        /// Not part of the command's fingerprint: derived state, not input.
        #[serde(skip)]
        in_use: Vec<(MunicipalityCode, CodePeriod)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct TwinTown {
    pub partner: TwinTownPartner,
    pub since: NaiveDate,
    pub decision: Decision,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MunicipalityState {
    pub registered: Option<(MunicipalityCode, String)>,
    /// The municipality's codes, oldest first; the last one is current.
    pub codes: Vec<CodePeriod>,
    /// Current twin towns by partner key.
    pub twin_towns: BTreeMap<String, TwinTown>,
}

pub struct Municipality;

impl Decider for Municipality {
    type State = MunicipalityState;
    type Command = MunicipalityCommand;
    type Event = MunicipalityEvent;

    fn decide(state: &MunicipalityState, command: &MunicipalityCommand) -> Result<Vec<MunicipalityEvent>, DomainError> {
        use MunicipalityCommand::*;
        match command {
            Register {
                code,
                name,
                code_valid_from,
            } => {
                if let Some((existing, _)) = &state.registered {
                    return Err(DomainError::AlreadyExists {
                        aggregate: "municipality",
                        id: existing.to_string(),
                    });
                }
                require_text("name", name)?;
                Ok(vec![MunicipalityRegistered {
                    code: *code,
                    name: name.trim().to_string(),
                    code_valid_from: *code_valid_from,
                }
                .into()])
            }
            SignTwinTownAgreement {
                partner,
                since,
                decision,
            } => {
                let code = registered(state)?;
                require_text("partner.name", &partner.name)?;
                decision.validate()?;
                if decision.body != DecisionBody::Council {
                    return Err(DomainError::TwinTownNeedsCouncilDecision);
                }
                if partner.code.as_ref() == Some(code) {
                    return Err(DomainError::TwinTownIsSelf);
                }
                if state.twin_towns.contains_key(&partner.key()) {
                    return Err(DomainError::AlreadyTwinTown {
                        partner: partner.name.clone(),
                    });
                }
                Ok(vec![TwinTownAgreementSigned {
                    municipality: *code,
                    partner: partner.clone(),
                    since: *since,
                    decision: decision.clone(),
                }
                .into()])
            }
            EndTwinTownAgreement {
                partner_key,
                ended_on,
                decision,
            } => {
                let code = registered(state)?;
                decision.validate()?;
                if decision.body != DecisionBody::Council {
                    return Err(DomainError::TwinTownNeedsCouncilDecision);
                }
                let twin = state
                    .twin_towns
                    .get(partner_key)
                    .ok_or_else(|| DomainError::NotTwinTown {
                        partner: partner_key.clone(),
                    })?;
                if *ended_on < twin.since {
                    return Err(DomainError::EndsBeforeStart {
                        since: twin.since,
                        ended_on: *ended_on,
                    });
                }
                Ok(vec![TwinTownAgreementEnded {
                    municipality: *code,
                    partner_key: partner_key.clone(),
                    ended_on: *ended_on,
                    decision: decision.clone(),
                }
                .into()])
            }
            ChangeCode {
                new_code,
                valid_from,
                decision,
                source,
                in_use,
            } => {
                let identity = registered(state)?;
                require_text("source", source)?;
                if let Some(d) = decision {
                    d.validate()?;
                }
                if new_code.country() != identity.country() {
                    return Err(DomainError::CodeOfAnotherCountry {
                        code: new_code.to_string(),
                        country: identity.country().to_string(),
                    });
                }
                let current = state.codes.last().cloned().unwrap_or(CodePeriod {
                    code: *identity,
                    valid_from: None,
                    valid_until: None,
                });
                if current.code == *new_code {
                    return Err(DomainError::CodeUnchanged {
                        code: new_code.to_string(),
                    });
                }
                if let Some(from) = current.valid_from {
                    if *valid_from <= from {
                        return Err(DomainError::CodeChangeBeforeCurrent {
                            valid_from: *valid_from,
                            current: current.code.to_string(),
                            current_from: from,
                        });
                    }
                }
                if let Some((other, p)) = in_use
                    .iter()
                    .find(|(m, p)| m != identity && p.overlaps(*valid_from, None))
                {
                    return Err(DomainError::CodeInUse {
                        code: new_code.to_string(),
                        municipality: other.to_string(),
                        from: p.valid_from,
                        until: p.valid_until,
                    });
                }
                Ok(vec![MunicipalityCodeChanged {
                    municipality: *identity,
                    new_code: *new_code,
                    valid_from: *valid_from,
                    decision: decision.clone(),
                    source: source.trim().to_string(),
                }
                .into()])
            }
        }
    }

    fn evolve(mut state: MunicipalityState, event: &MunicipalityEvent) -> MunicipalityState {
        match event {
            MunicipalityEvent::MunicipalityRegistered(e) => {
                state.registered = Some((e.code, e.name.clone()));
                state.codes = vec![CodePeriod {
                    code: e.code,
                    valid_from: e.code_valid_from,
                    valid_until: None,
                }];
            }
            MunicipalityEvent::MunicipalityCodeChanged(e) => {
                if let Some(last) = state.codes.last_mut() {
                    last.valid_until = e.valid_from.pred_opt();
                }
                state.codes.push(CodePeriod {
                    code: e.new_code,
                    valid_from: Some(e.valid_from),
                    valid_until: None,
                });
            }
            MunicipalityEvent::TwinTownAgreementSigned(e) => {
                state.twin_towns.insert(
                    e.partner.key(),
                    TwinTown {
                        partner: e.partner.clone(),
                        since: e.since,
                        decision: e.decision.clone(),
                    },
                );
            }
            MunicipalityEvent::TwinTownAgreementEnded(e) => {
                state.twin_towns.remove(&e.partner_key);
            }
        }
        state
    }
}

impl Aggregate for Municipality {
    type Id = MunicipalityCode;
    const CATEGORY: &'static str = "municipality";

    fn command_name(command: &MunicipalityCommand) -> &'static str {
        match command {
            MunicipalityCommand::Register { .. } => "RegisterMunicipality",
            MunicipalityCommand::SignTwinTownAgreement { .. } => "SignTwinTownAgreement",
            MunicipalityCommand::EndTwinTownAgreement { .. } => "EndTwinTownAgreement",
            MunicipalityCommand::ChangeCode { .. } => "ChangeMunicipalityCode",
        }
    }

    /// A municipality is its own owner; registering one and changing its
    /// code are for administrators.
    fn target(id: &MunicipalityCode, _: &MunicipalityState, command: &MunicipalityCommand) -> CommandTarget {
        match command {
            MunicipalityCommand::Register { .. } => CommandTarget::RegisterMunicipality(*id),
            MunicipalityCommand::ChangeCode { .. } => CommandTarget::ChangeMunicipalityCode(*id),
            MunicipalityCommand::SignTwinTownAgreement { .. } | MunicipalityCommand::EndTwinTownAgreement { .. } => {
                CommandTarget::Municipality(*id)
            }
        }
    }

    /// A code change needs the periods in which other municipalities hold the new code.
    fn needs(id: &MunicipalityCode, _: &MunicipalityState, command: &MunicipalityCommand) -> Option<Need> {
        match command {
            MunicipalityCommand::ChangeCode { new_code, .. } => Some(Need::CodeHolders {
                code: *new_code,
                except: *id,
            }),
            _ => None,
        }
    }

    fn supply(command: &mut MunicipalityCommand, facts: Facts) {
        if let (MunicipalityCommand::ChangeCode { in_use, .. }, Facts::CodeHolders(holders)) = (command, facts) {
            *in_use = holders;
        }
    }
}

fn registered(state: &MunicipalityState) -> Result<&MunicipalityCode, DomainError> {
    state.registered.as_ref().map(|(c, _)| c).ok_or(DomainError::NotFound {
        aggregate: "municipality",
        id: String::new(),
    })
}

#[cfg(test)]
mod tests;
