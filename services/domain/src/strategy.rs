//! Strategy document (styrdokument: strategi, policy, plan, program): drafted,
//! adopted by the council or the executive board, revised, superseded,
//! repealed; follow-up (uppföljning) reported against it.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::event::no_upcast;
use crate::{
    require_text, Aggregate, CommandTarget, Decider, Decision, DecisionBody, DomainError, GoalId, MunicipalityCode,
    Period, StrategyId,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Strategy,
    Policy,
    Plan,
    Programme,
}

/// How often the document is followed up (uppföljning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpCadence {
    /// Every year, reported to the executive board.
    Yearly,
    /// Once per term of office (mandatperiod).
    OncePerTerm,
    /// Yearly in the ordinary reporting cycle and once per term of office.
    YearlyAndOncePerTerm,
}

/// A goal with a stable id, e.g. Arvika's "an attractive municipality through active international work".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Goal {
    pub id: GoalId,
    pub title: String,
    /// The focus area (fokusområde) the goal belongs to, if any.
    #[serde(default)]
    pub focus_area: Option<String>,
    /// Activities listed under the goal.
    #[serde(default)]
    pub activities: Vec<String>,
}

/// The content of a strategy document that revisions can change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StrategyContent {
    pub focus_areas: Vec<String>,
    pub goals: Vec<Goal>,
    pub topics: Vec<String>,
}

impl StrategyContent {
    fn validate(&self) -> Result<(), DomainError> {
        let mut seen = BTreeSet::new();
        for g in &self.goals {
            require_text("goal.title", &g.title)?;
            if !seen.insert(&g.id) {
                return Err(DomainError::DuplicateGoalId { goal: g.id.to_string() });
            }
        }
        for f in &self.focus_areas {
            require_text("focus_area", f)?;
        }
        Ok(())
    }
}

/// A strategy document is drafted. Caused by `DraftStrategy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StrategyDrafted {
    pub strategy: StrategyId,
    /// The municipality whose document it is.
    pub municipality: MunicipalityCode,
    pub title: String,
    pub kind: DocumentKind,
    /// Owning body (ägare), e.g. `Kommunstyrelsen`.
    pub owner: String,
    /// Responsible role (ansvarig), e.g. head of the Sustainable Development department.
    pub responsible_role: String,
    pub follow_up: FollowUpCadence,
    pub content: StrategyContent,
}

/// The document is adopted (antagen) by council or executive board. Caused by `AdoptStrategy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StrategyAdopted {
    pub strategy: StrategyId,
    pub municipality: MunicipalityCode,
    /// Body, date, paragraph (`§ 12`) and case number (`KS 2023/993`).
    pub decision: Decision,
    /// Valid from / until; `end = null` means until further notice (tills vidare).
    pub validity: Period,
}

/// The adopted document is revised (reviderad). Caused by `ReviseStrategy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StrategyRevised {
    pub strategy: StrategyId,
    pub municipality: MunicipalityCode,
    pub decision: Decision,
    pub content: StrategyContent,
    pub validity: Period,
}

/// The document is replaced by a newer one (e.g. Vänersborg's policy by its
/// 2024–2028 strategy). Caused by `SupersedeStrategy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StrategySuperseded {
    pub strategy: StrategyId,
    pub municipality: MunicipalityCode,
    pub superseded_by: StrategyId,
    pub effective_on: NaiveDate,
}

/// The document is repealed (upphävd). Caused by `RepealStrategy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StrategyRepealed {
    pub strategy: StrategyId,
    pub municipality: MunicipalityCode,
    pub decision: Decision,
}

/// A follow-up (uppföljning) for a period is reported. Caused by `ReportFollowUp`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FollowUpReported {
    pub strategy: StrategyId,
    pub municipality: MunicipalityCode,
    /// The period followed up (always closed).
    pub period: Period,
    pub reported_on: NaiveDate,
    /// The body reported to (återrapporteras till), usually the executive board.
    pub reported_to: DecisionBody,
    pub summary: String,
}

domain_events!(
    /// Events of the strategy document aggregate.
    StrategyEvent, "strategy", no_upcast, {
        StrategyDrafted = 1,
        StrategyAdopted = 1,
        StrategyRevised = 1,
        StrategySuperseded = 1,
        StrategyRepealed = 1,
        FollowUpReported = 1,
    }
);

#[derive(Debug, Clone, Serialize)]
pub enum StrategyCommand {
    Draft {
        strategy: StrategyId,
        municipality: MunicipalityCode,
        title: String,
        kind: DocumentKind,
        owner: String,
        responsible_role: String,
        follow_up: FollowUpCadence,
        content: StrategyContent,
    },
    Adopt {
        decision: Decision,
        validity: Period,
    },
    Revise {
        decision: Decision,
        content: StrategyContent,
        validity: Period,
    },
    Supersede {
        by: StrategyId,
        effective_on: NaiveDate,
    },
    Repeal {
        decision: Decision,
    },
    ReportFollowUp {
        period: Period,
        reported_on: NaiveDate,
        reported_to: DecisionBody,
        summary: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum StrategyStatus {
    #[default]
    None,
    Draft,
    Adopted,
    Superseded,
    Repealed,
}

impl StrategyStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::None => "not drafted",
            Self::Draft => "a draft",
            Self::Adopted => "adopted",
            Self::Superseded => "superseded",
            Self::Repealed => "repealed",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StrategyState {
    pub status: StrategyStatus,
    pub id: Option<StrategyId>,
    pub municipality: Option<MunicipalityCode>,
    pub adopted: Option<Decision>,
    pub validity: Option<Period>,
    pub content: Option<StrategyContent>,
    pub follow_ups: Vec<Period>,
}

pub struct Strategy;

fn adoption_body(decision: &Decision) -> Result<(), DomainError> {
    decision.validate()?;
    match decision.body {
        DecisionBody::Council | DecisionBody::ExecutiveBoard => Ok(()),
        _ => Err(DomainError::AdoptionBodyNotAllowed),
    }
}

impl Decider for Strategy {
    type State = StrategyState;
    type Command = StrategyCommand;
    type Event = StrategyEvent;

    fn decide(state: &StrategyState, command: &StrategyCommand) -> Result<Vec<StrategyEvent>, DomainError> {
        use StrategyCommand::*;
        let require = |required: &'static str, ok: bool| match (&state.id, &state.municipality) {
            (Some(id), Some(m)) if ok => Ok((*id, *m)),
            _ if state.status == StrategyStatus::None => Err(DomainError::NotFound {
                aggregate: "strategy",
                id: String::new(),
            }),
            _ => Err(DomainError::StrategyStatus {
                status: state.status.as_str(),
                required,
            }),
        };
        match command {
            Draft {
                strategy,
                municipality,
                title,
                kind,
                owner,
                responsible_role,
                follow_up,
                content,
            } => {
                if state.status != StrategyStatus::None {
                    return Err(DomainError::AlreadyExists {
                        aggregate: "strategy",
                        id: strategy.to_string(),
                    });
                }
                require_text("title", title)?;
                require_text("owner", owner)?;
                require_text("responsible_role", responsible_role)?;
                content.validate()?;
                Ok(vec![StrategyDrafted {
                    strategy: *strategy,
                    municipality: *municipality,
                    title: title.trim().into(),
                    kind: *kind,
                    owner: owner.trim().into(),
                    responsible_role: responsible_role.trim().into(),
                    follow_up: *follow_up,
                    content: content.clone(),
                }
                .into()])
            }
            Adopt { decision, validity } => {
                let (strategy, municipality) = require("a draft", state.status == StrategyStatus::Draft)?;
                adoption_body(decision)?;
                validity.validate()?;
                Ok(vec![StrategyAdopted {
                    strategy,
                    municipality,
                    decision: decision.clone(),
                    validity: *validity,
                }
                .into()])
            }
            Revise {
                decision,
                content,
                validity,
            } => {
                let (strategy, municipality) = require("adopted", state.status == StrategyStatus::Adopted)?;
                adoption_body(decision)?;
                validity.validate()?;
                content.validate()?;
                Ok(vec![StrategyRevised {
                    strategy,
                    municipality,
                    decision: decision.clone(),
                    content: content.clone(),
                    validity: *validity,
                }
                .into()])
            }
            Supersede { by, effective_on } => {
                let (strategy, municipality) = require("adopted", state.status == StrategyStatus::Adopted)?;
                if *by == strategy {
                    return Err(DomainError::SupersededBySelf);
                }
                Ok(vec![StrategySuperseded {
                    strategy,
                    municipality,
                    superseded_by: *by,
                    effective_on: *effective_on,
                }
                .into()])
            }
            Repeal { decision } => {
                let (strategy, municipality) = require("adopted", state.status == StrategyStatus::Adopted)?;
                adoption_body(decision)?;
                Ok(vec![StrategyRepealed {
                    strategy,
                    municipality,
                    decision: decision.clone(),
                }
                .into()])
            }
            ReportFollowUp {
                period,
                reported_on,
                reported_to,
                summary,
            } => {
                let (strategy, municipality) = require(
                    "adopted, superseded or repealed",
                    matches!(
                        state.status,
                        StrategyStatus::Adopted | StrategyStatus::Superseded | StrategyStatus::Repealed
                    ),
                )?;
                period.validate()?;
                let end = period.end.ok_or(DomainError::PeriodMustEnd { field: "period" })?;
                require_text("summary", summary)?;
                if let Some(adopted) = &state.adopted {
                    let valid_from = state
                        .validity
                        .map(|v| v.start)
                        .unwrap_or(adopted.date)
                        .min(adopted.date);
                    // The period must reach into the document's life (a yearly
                    // follow-up of the adoption year starts before the adoption).
                    if end < valid_from {
                        return Err(DomainError::FollowUpBeforeAdoption {
                            start: period.start,
                            adopted: valid_from,
                        });
                    }
                }
                if state.follow_ups.contains(period) {
                    return Err(DomainError::DuplicateFollowUp {
                        start: period.start,
                        end,
                    });
                }
                Ok(vec![FollowUpReported {
                    strategy,
                    municipality,
                    period: *period,
                    reported_on: *reported_on,
                    reported_to: *reported_to,
                    summary: summary.trim().into(),
                }
                .into()])
            }
        }
    }

    fn evolve(mut state: StrategyState, event: &StrategyEvent) -> StrategyState {
        match event {
            StrategyEvent::StrategyDrafted(e) => {
                state.status = StrategyStatus::Draft;
                state.id = Some(e.strategy);
                state.municipality = Some(e.municipality);
                state.content = Some(e.content.clone());
            }
            StrategyEvent::StrategyAdopted(e) => {
                state.status = StrategyStatus::Adopted;
                state.adopted = Some(e.decision.clone());
                state.validity = Some(e.validity);
            }
            StrategyEvent::StrategyRevised(e) => {
                state.content = Some(e.content.clone());
                state.validity = Some(e.validity);
            }
            StrategyEvent::StrategySuperseded(_) => state.status = StrategyStatus::Superseded,
            StrategyEvent::StrategyRepealed(_) => state.status = StrategyStatus::Repealed,
            StrategyEvent::FollowUpReported(e) => state.follow_ups.push(e.period),
        }
        state
    }
}

impl Aggregate for Strategy {
    type Id = StrategyId;
    const CATEGORY: &'static str = "strategy";

    fn command_name(command: &StrategyCommand) -> &'static str {
        match command {
            StrategyCommand::Draft { .. } => "DraftStrategy",
            StrategyCommand::Adopt { .. } => "AdoptStrategy",
            StrategyCommand::Revise { .. } => "ReviseStrategy",
            StrategyCommand::Supersede { .. } => "SupersedeStrategy",
            StrategyCommand::Repeal { .. } => "RepealStrategy",
            StrategyCommand::ReportFollowUp { .. } => "ReportFollowUp",
        }
    }

    /// A strategy document is owned by the municipality that drafted it.
    fn target(_: &StrategyId, state: &StrategyState, command: &StrategyCommand) -> CommandTarget {
        match (command, state.municipality) {
            (StrategyCommand::Draft { municipality, .. }, _) => CommandTarget::Municipality(*municipality),
            (_, Some(owner)) => CommandTarget::Municipality(owner),
            (_, None) => CommandTarget::Unknown,
        }
    }
}

#[cfg(test)]
mod tests;
