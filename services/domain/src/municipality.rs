//! Municipality (kommun): registered with country and national code; signs and
//! ends twin-town agreements (vänortsavtal) by council decision.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    require_text, Aggregate, CountryCode, Decider, Decision, DecisionBody, DomainError, EventDecodeError,
    MunicipalityCode,
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
        }
    }

    fn evolve(mut state: MunicipalityState, event: &MunicipalityEvent) -> MunicipalityState {
        match event {
            MunicipalityEvent::MunicipalityRegistered(e) => state.registered = Some((e.code, e.name.clone())),
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
mod tests {
    use super::*;
    use crate::testing::*;
    use crate::DomainEvent;

    fn code(s: &str) -> MunicipalityCode {
        MunicipalityCode::parse(s).unwrap()
    }
    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn council(date: &str) -> Decision {
        Decision {
            body: DecisionBody::Council,
            date: d(date),
            paragraph: Some("§ 40".into()),
            case_number: Some("KS 2011/12".into()),
        }
    }
    fn arvika() -> MunicipalityEvent {
        MunicipalityRegistered {
            code: code("SE-1784"),
            name: "Arvika".into(),
            code_valid_from: None,
        }
        .into()
    }
    fn skive() -> TwinTownPartner {
        TwinTownPartner {
            name: "Skive".into(),
            country: CountryCode::parse("DK").unwrap(),
            code: None,
        }
    }

    #[test]
    fn register_happy_path() {
        given_no_history::<Municipality>()
            .when(MunicipalityCommand::Register {
                code: code("SE-1784"),
                name: " Arvika ".into(),
                code_valid_from: None,
            })
            .then([arvika()]);
    }

    #[test]
    fn register_twice_is_rejected() {
        given::<Municipality>([arvika()])
            .when(MunicipalityCommand::Register {
                code: code("SE-1784"),
                name: "Arvika".into(),
                code_valid_from: None,
            })
            .then_error("already_exists");
    }

    #[test]
    fn register_needs_a_name() {
        given_no_history::<Municipality>()
            .when(MunicipalityCommand::Register {
                code: code("SE-1784"),
                name: "  ".into(),
                code_valid_from: None,
            })
            .then_error("blank_field");
    }

    #[test]
    fn sign_twin_town_happy_path_and_twice_rejected() {
        let signed: MunicipalityEvent = TwinTownAgreementSigned {
            municipality: code("SE-1784"),
            partner: skive(),
            since: d("1947-01-01"),
            decision: council("1947-01-01"),
        }
        .into();
        given::<Municipality>([arvika()])
            .when(MunicipalityCommand::SignTwinTownAgreement {
                partner: skive(),
                since: d("1947-01-01"),
                decision: council("1947-01-01"),
            })
            .then([signed.clone()]);
        given::<Municipality>([arvika(), signed])
            .when(MunicipalityCommand::SignTwinTownAgreement {
                partner: skive(),
                since: d("1950-01-01"),
                decision: council("1950-01-01"),
            })
            .then_error("already_twin_town");
    }

    #[test]
    fn twin_town_needs_council_decision() {
        let mut decision = council("2011-05-01");
        decision.body = DecisionBody::ExecutiveBoard;
        given::<Municipality>([arvika()])
            .when(MunicipalityCommand::SignTwinTownAgreement {
                partner: skive(),
                since: d("2011-05-01"),
                decision,
            })
            .then_error("twin_town_needs_council_decision");
    }

    #[test]
    fn twin_town_is_not_self() {
        let me = TwinTownPartner {
            name: "Arvika".into(),
            country: CountryCode::parse("SE").unwrap(),
            code: Some(code("SE-1784")),
        };
        given::<Municipality>([arvika()])
            .when(MunicipalityCommand::SignTwinTownAgreement {
                partner: me,
                since: d("2011-05-01"),
                decision: council("2011-05-01"),
            })
            .then_error("twin_town_is_self");
    }

    #[test]
    fn sign_on_unregistered_municipality_is_not_found() {
        given_no_history::<Municipality>()
            .when(MunicipalityCommand::SignTwinTownAgreement {
                partner: skive(),
                since: d("2011-05-01"),
                decision: council("2011-05-01"),
            })
            .then_error("not_found");
    }

    #[test]
    fn end_twin_town() {
        let signed: MunicipalityEvent = TwinTownAgreementSigned {
            municipality: code("SE-1784"),
            partner: skive(),
            since: d("1947-01-01"),
            decision: council("1947-01-01"),
        }
        .into();
        let state = given::<Municipality>([arvika(), signed.clone()])
            .when(MunicipalityCommand::EndTwinTownAgreement {
                partner_key: skive().key(),
                ended_on: d("2020-01-01"),
                decision: council("2019-12-01"),
            })
            .then([TwinTownAgreementEnded {
                municipality: code("SE-1784"),
                partner_key: skive().key(),
                ended_on: d("2020-01-01"),
                decision: council("2019-12-01"),
            }
            .into()]);
        assert!(state.twin_towns.is_empty());
        given::<Municipality>([arvika(), signed.clone()])
            .when(MunicipalityCommand::EndTwinTownAgreement {
                partner_key: skive().key(),
                ended_on: d("1940-01-01"),
                decision: council("1940-01-01"),
            })
            .then_error("ends_before_start");
        given::<Municipality>([arvika()])
            .when(MunicipalityCommand::EndTwinTownAgreement {
                partner_key: skive().key(),
                ended_on: d("2020-01-01"),
                decision: council("2019-12-01"),
            })
            .then_error("not_twin_town");
    }

    #[test]
    fn v1_registration_is_upcast() {
        let v1 = serde_json::json!({"code": "NO-0402", "name": "Kongsvinger"});
        let e = MunicipalityEvent::from_json("MunicipalityRegistered", 1, v1.to_string().as_bytes()).unwrap();
        assert_eq!(
            e,
            MunicipalityRegistered {
                code: code("NO-0402"),
                name: "Kongsvinger".into(),
                code_valid_from: None
            }
            .into()
        );
        assert_eq!(e.schema_version(), 2);
    }

    #[test]
    fn future_versions_are_refused() {
        let err = MunicipalityEvent::from_json("MunicipalityRegistered", 3, b"{}").unwrap_err();
        assert!(matches!(err, EventDecodeError::FutureVersion { .. }));
    }
}
