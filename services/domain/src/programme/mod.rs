//! Funding programme (Interreg Sverige–Norge, Erasmus+, ESF+, ICLD, …) as
//! its handbook defines it: dated, versioned rule sets and the calls
//! (utlysningar) that name one of them. Administrators record them; joint
//! applications that answer a call are checked against the call's rule set
//! ([`check`]), never against whatever is in force today.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::event::no_upcast;
use crate::{require_text, Aggregate, CommandTarget, Decider, DomainError, ProgrammeKind};

pub mod check;
pub mod rules;
#[cfg(test)]
mod tests;

pub use check::{check, refusal, Conversion, Outcome, Party, PartyAnswer, RuleCheck, SideBudget, Subject};
pub use rules::{CapBasis, ProgrammeRule, RegionalRate, RuleKind, Severity, Stage};

/// A programme's code, e.g. `INTERREG-SE-NO-2021-2027`: 1–64 of `A-Z0-9-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
pub struct ProgrammeCode(String);

impl ProgrammeCode {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(DomainError::InvalidProgrammeCode { value: s.to_string() })
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl fmt::Display for ProgrammeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for ProgrammeCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<ProgrammeCode> for String {
    fn from(c: ProgrammeCode) -> Self {
        c.0
    }
}

/// Which call of which programme an application answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct CallRef {
    pub programme: ProgrammeCode,
    /// The call's code within its programme, e.g. `2025-09`.
    pub call: String,
}

/// A programme is defined. Caused by `DefineProgramme`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProgrammeDefined {
    pub programme: ProgrammeCode,
    /// E.g. `Interreg Sverige–Norge 2021–2027`.
    pub name: String,
    pub kind: ProgrammeKind,
    /// Where the programme's description comes from (document name or address).
    pub source: String,
}

/// A version of the programme's rules, valid on the dates given. Caused by `AdoptRuleSet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RuleSetAdopted {
    pub programme: ProgrammeCode,
    /// The version's name, e.g. `2024-1` or the handbook's version.
    pub version: String,
    pub valid_from: NaiveDate,
    /// Last day the version applies to calls (`null`: until further notice).
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    pub rules: Vec<ProgrammeRule>,
    /// The handbook or page the version follows.
    pub source: String,
}

impl RuleSetAdopted {
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_until.is_none_or(|u| day <= u)
    }
}

/// A call opens. Caused by `OpenCall`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CallOpened {
    pub programme: ProgrammeCode,
    /// The call's code within the programme, e.g. `2025-09`.
    pub call: String,
    pub title: String,
    /// The rule set applications to this call are checked against (in force on `opens_on`).
    pub rule_set: String,
    pub opens_on: NaiveDate,
    /// The call's deadline (UTC instant).
    pub closes_at: DateTime<Utc>,
    /// Funds this call does not have, e.g. `IR` (checked by `fund_available_in_call`).
    #[serde(default)]
    pub unavailable_funds: Vec<String>,
    /// Where the call's dates come from.
    pub source: String,
}

domain_events!(
    /// Events of the funding programme aggregate.
    ProgrammeEvent, "programme", no_upcast, {
        ProgrammeDefined = 1,
        RuleSetAdopted = 1,
        CallOpened = 1,
    }
);

impl ProgrammeEvent {
    pub fn programme(&self) -> &ProgrammeCode {
        match self {
            ProgrammeEvent::ProgrammeDefined(e) => &e.programme,
            ProgrammeEvent::RuleSetAdopted(e) => &e.programme,
            ProgrammeEvent::CallOpened(e) => &e.programme,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub enum ProgrammeCommand {
    Define {
        programme: ProgrammeCode,
        name: String,
        kind: ProgrammeKind,
        source: String,
    },
    AdoptRuleSet {
        version: String,
        valid_from: NaiveDate,
        valid_until: Option<NaiveDate>,
        rules: Vec<ProgrammeRule>,
        source: String,
    },
    OpenCall {
        call: String,
        title: String,
        rule_set: String,
        opens_on: NaiveDate,
        closes_at: DateTime<Utc>,
        unavailable_funds: Vec<String>,
        source: String,
    },
}

/// A programme's definition, its rule sets and its calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeState {
    pub defined: Option<ProgrammeDefined>,
    pub rule_sets: Vec<RuleSetAdopted>,
    pub calls: Vec<CallOpened>,
}

/// A call with the rule set it names: what an application to it is checked against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CallRules {
    pub programme: ProgrammeDefined,
    pub call: CallOpened,
    pub rule_set: RuleSetAdopted,
}

impl ProgrammeState {
    pub fn rule_set(&self, version: &str) -> Option<&RuleSetAdopted> {
        self.rule_sets.iter().find(|r| r.version == version)
    }
    pub fn call(&self, call: &str) -> Option<&CallOpened> {
        self.calls.iter().find(|c| c.call == call)
    }
    /// The call and its rule set, if both exist.
    pub fn call_rules(&self, call: &str) -> Option<CallRules> {
        let c = self.call(call)?;
        Some(CallRules {
            programme: self.defined.clone()?,
            rule_set: self.rule_set(&c.rule_set)?.clone(),
            call: c.clone(),
        })
    }
}

pub struct Programme;

impl Decider for Programme {
    type State = ProgrammeState;
    type Command = ProgrammeCommand;
    type Event = ProgrammeEvent;

    fn decide(state: &ProgrammeState, command: &ProgrammeCommand) -> Result<Vec<ProgrammeEvent>, DomainError> {
        let defined = || {
            state.defined.as_ref().ok_or(DomainError::NotFound {
                aggregate: "programme",
                id: String::new(),
            })
        };
        match command {
            ProgrammeCommand::Define { .. } if state.defined.is_some() => Err(DomainError::AlreadyExists {
                aggregate: "programme",
                id: state
                    .defined
                    .as_ref()
                    .map(|d| d.programme.to_string())
                    .unwrap_or_default(),
            }),
            ProgrammeCommand::Define {
                programme,
                name,
                kind,
                source,
            } => {
                require_text("name", name)?;
                require_text("source", source)?;
                Ok(vec![ProgrammeDefined {
                    programme: programme.clone(),
                    name: name.trim().into(),
                    kind: *kind,
                    source: source.trim().into(),
                }
                .into()])
            }
            ProgrammeCommand::AdoptRuleSet {
                version,
                valid_from,
                valid_until,
                rules,
                source,
            } => {
                let p = defined()?;
                require_text("version", version)?;
                require_text("source", source)?;
                if let Some(until) = valid_until {
                    crate::Period::new(*valid_from, Some(*until))?;
                }
                if state.rule_set(version.trim()).is_some() {
                    return Err(DomainError::DuplicateRuleSet {
                        version: version.trim().into(),
                    });
                }
                for rule in rules {
                    rule.validate()?;
                }
                Ok(vec![RuleSetAdopted {
                    programme: p.programme.clone(),
                    version: version.trim().into(),
                    valid_from: *valid_from,
                    valid_until: *valid_until,
                    rules: rules.clone(),
                    source: source.trim().into(),
                }
                .into()])
            }
            ProgrammeCommand::OpenCall {
                call,
                title,
                rule_set,
                opens_on,
                closes_at,
                unavailable_funds,
                source,
            } => {
                let p = defined()?;
                require_text("call", call)?;
                require_text("title", title)?;
                require_text("source", source)?;
                if state.call(call.trim()).is_some() {
                    return Err(DomainError::DuplicateCall {
                        call: call.trim().into(),
                    });
                }
                let rules = state
                    .rule_set(rule_set.trim())
                    .ok_or_else(|| DomainError::UnknownRuleSet {
                        version: rule_set.trim().into(),
                    })?;
                if !rules.in_force_on(*opens_on) {
                    return Err(DomainError::RuleSetNotInForce {
                        version: rules.version.clone(),
                        day: *opens_on,
                    });
                }
                if closes_at.date_naive() < *opens_on {
                    return Err(DomainError::PeriodEndsBeforeStart {
                        start: *opens_on,
                        end: closes_at.date_naive(),
                    });
                }
                Ok(vec![CallOpened {
                    programme: p.programme.clone(),
                    call: call.trim().into(),
                    title: title.trim().into(),
                    rule_set: rules.version.clone(),
                    opens_on: *opens_on,
                    closes_at: *closes_at,
                    unavailable_funds: unavailable_funds.iter().map(|f| f.trim().to_string()).collect(),
                    source: source.trim().into(),
                }
                .into()])
            }
        }
    }

    fn evolve(mut state: ProgrammeState, event: &ProgrammeEvent) -> ProgrammeState {
        match event {
            ProgrammeEvent::ProgrammeDefined(e) => state.defined = Some(e.clone()),
            ProgrammeEvent::RuleSetAdopted(e) => state.rule_sets.push(e.clone()),
            ProgrammeEvent::CallOpened(e) => state.calls.push(e.clone()),
        }
        state
    }
}

impl Aggregate for Programme {
    type Id = ProgrammeCode;
    const CATEGORY: &'static str = "programme";

    fn command_name(command: &ProgrammeCommand) -> &'static str {
        match command {
            ProgrammeCommand::Define { .. } => "DefineProgramme",
            ProgrammeCommand::AdoptRuleSet { .. } => "AdoptRuleSet",
            ProgrammeCommand::OpenCall { .. } => "OpenCall",
        }
    }

    /// Programmes, their rule sets and calls are recorded by administrators.
    fn target(id: &ProgrammeCode, _: &ProgrammeState, _: &ProgrammeCommand) -> CommandTarget {
        CommandTarget::Programme(id.to_string())
    }
}
