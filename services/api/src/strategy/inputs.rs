//! The strategy document commands' inputs.

use async_graphql::InputObject;
use samverkan_domain as d;
use samverkan_domain::strategy::{Strategy, StrategyCommand};
use samverkan_domain::{Rule, StrategyId};
use uuid::Uuid;

use crate::command::{CommandInput, CommandOf, Filled, IdOf};
use crate::error::ApiError;
use crate::scalars::{Date, GoalId, MunicipalityCode};
use crate::shared::inputs::{DecisionInput, PeriodInput};
use crate::types::{DecisionBody, DocumentKind, FollowUpCadence};

/// A goal of a strategy document.
#[derive(InputObject, Clone, Debug)]
pub struct GoalInput {
    /// Stable id within the document, e.g. `G1`.
    pub id: GoalId,
    pub title: String,
    pub focus_area: Option<String>,
    #[graphql(default)]
    pub activities: Vec<String>,
}

/// The content of a strategy document.
#[derive(InputObject, Clone, Debug)]
pub struct StrategyContentInput {
    #[graphql(default)]
    pub focus_areas: Vec<String>,
    #[graphql(default)]
    pub goals: Vec<GoalInput>,
    #[graphql(default)]
    pub topics: Vec<String>,
}

impl StrategyContentInput {
    pub fn to_domain(&self) -> d::strategy::StrategyContent {
        d::strategy::StrategyContent {
            focus_areas: self.focus_areas.clone(),
            goals: self
                .goals
                .iter()
                .map(|g| d::strategy::Goal {
                    id: g.id.0.clone(),
                    title: g.title.clone(),
                    focus_area: g.focus_area.clone(),
                    activities: g.activities.clone(),
                })
                .collect(),
            topics: self.topics.clone(),
        }
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct DraftStrategyInput {
    /// The new document's id; when left out it is derived from `commandId`
    /// (so a retry addresses the same document).
    pub strategy_id: Option<Uuid>,
    pub municipality: MunicipalityCode,
    pub title: String,
    pub kind: DocumentKind,
    /// Owning body (ägare), e.g. `Kommunstyrelsen`.
    pub owner: String,
    /// Responsible role (ansvarig).
    pub responsible_role: String,
    pub follow_up_cadence: FollowUpCadence,
    pub content: StrategyContentInput,
}

impl CommandInput for DraftStrategyInput {
    type Aggregate = Strategy;
    const RULE: Rule = Rule::OwnMunicipality;
    fn command(self, server: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let id = StrategyId(server.new_id(self.strategy_id, b"strategy"));
        let command = StrategyCommand::Draft {
            strategy: id,
            municipality: self.municipality.0,
            title: self.title,
            kind: self.kind.into(),
            owner: self.owner,
            responsible_role: self.responsible_role,
            follow_up: self.follow_up_cadence.into(),
            content: self.content.to_domain(),
        };
        Ok((id, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct AdoptStrategyInput {
    pub strategy_id: Uuid,
    /// Council or executive board.
    pub decision: DecisionInput,
    pub validity: PeriodInput,
}

impl CommandInput for AdoptStrategyInput {
    type Aggregate = Strategy;
    const RULE: Rule = Rule::OwnMunicipality;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = StrategyCommand::Adopt {
            decision: self.decision.to_domain(),
            validity: self.validity.to_domain()?,
        };
        Ok((StrategyId(self.strategy_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct ReviseStrategyInput {
    pub strategy_id: Uuid,
    pub decision: DecisionInput,
    pub content: StrategyContentInput,
    pub validity: PeriodInput,
}

impl CommandInput for ReviseStrategyInput {
    type Aggregate = Strategy;
    const RULE: Rule = Rule::OwnMunicipality;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = StrategyCommand::Revise {
            decision: self.decision.to_domain(),
            content: self.content.to_domain(),
            validity: self.validity.to_domain()?,
        };
        Ok((StrategyId(self.strategy_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct SupersedeStrategyInput {
    pub strategy_id: Uuid,
    /// The newer document.
    pub superseded_by: Uuid,
    pub effective_on: Date,
}

impl CommandInput for SupersedeStrategyInput {
    type Aggregate = Strategy;
    const RULE: Rule = Rule::OwnMunicipality;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = StrategyCommand::Supersede {
            by: StrategyId(self.superseded_by),
            effective_on: self.effective_on.0,
        };
        Ok((StrategyId(self.strategy_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct RepealStrategyInput {
    pub strategy_id: Uuid,
    pub decision: DecisionInput,
}

impl CommandInput for RepealStrategyInput {
    type Aggregate = Strategy;
    const RULE: Rule = Rule::OwnMunicipality;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = StrategyCommand::Repeal {
            decision: self.decision.to_domain(),
        };
        Ok((StrategyId(self.strategy_id), command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct ReportFollowUpInput {
    pub strategy_id: Uuid,
    /// The period followed up; must have an end.
    pub period: PeriodInput,
    pub reported_on: Date,
    pub reported_to: DecisionBody,
    pub summary: String,
}

impl CommandInput for ReportFollowUpInput {
    type Aggregate = Strategy;
    const RULE: Rule = Rule::OwnMunicipality;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = StrategyCommand::ReportFollowUp {
            period: self.period.to_domain()?,
            reported_on: self.reported_on.0,
            reported_to: self.reported_to.into(),
            summary: self.summary,
        };
        Ok((StrategyId(self.strategy_id), command))
    }
}
