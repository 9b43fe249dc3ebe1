//! A strategy document (styrdokument), its goals and follow-ups.

use async_graphql::{Enum, SimpleObject};
use samverkan_app::projections::views as v;
use samverkan_domain as d;
use uuid::Uuid;

use crate::scalars::{Date, GoalId, MunicipalityCode};
use crate::types::*;

/// Kind of strategy document (styrdokument).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::strategy::DocumentKind")]
pub enum DocumentKind {
    Strategy,
    Policy,
    Plan,
    Programme,
}

/// How often a strategy document is followed up (uppföljning).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::strategy::FollowUpCadence")]
pub enum FollowUpCadence {
    /// Every year, reported to the executive board.
    Yearly,
    /// Once per term of office (mandatperiod).
    OncePerTerm,
    /// Yearly and once per term of office.
    YearlyAndOncePerTerm,
}

/// A goal of a strategy document.
#[derive(SimpleObject, Clone, Debug)]
pub struct Goal {
    pub id: GoalId,
    pub title: String,
    /// The focus area (fokusområde) the goal belongs to.
    pub focus_area: Option<String>,
    pub activities: Vec<String>,
}

impl From<&d::strategy::Goal> for Goal {
    fn from(g: &d::strategy::Goal) -> Self {
        Goal {
            id: (&g.id).into(),
            title: g.title.clone(),
            focus_area: g.focus_area.clone(),
            activities: g.activities.clone(),
        }
    }
}

/// A reported follow-up (uppföljning).
#[derive(SimpleObject, Clone, Debug)]
pub struct FollowUp {
    pub period: Period,
    pub reported_on: Date,
    /// The body it was reported to (återrapporteras till).
    pub reported_to: DecisionBody,
    pub summary: String,
}

/// A strategy document (styrdokument): strategy, policy, plan or programme.
#[derive(SimpleObject, Clone, Debug)]
pub struct Strategy {
    pub id: Uuid,
    pub municipality: MunicipalityCode,
    pub title: String,
    pub kind: DocumentKind,
    /// Owning body (ägare), e.g. `Kommunstyrelsen`.
    pub owner: String,
    /// Responsible role (ansvarig).
    pub responsible_role: String,
    pub follow_up_cadence: FollowUpCadence,
    pub focus_areas: Vec<String>,
    pub goals: Vec<Goal>,
    pub topics: Vec<String>,
    pub status: StrategyStatus,
    /// The adoption decision (antagen).
    pub adopted: Option<Decision>,
    /// Valid from / until (`end: null`: until further notice).
    pub validity: Option<Period>,
    /// Revision decisions, oldest first.
    pub revisions: Vec<Decision>,
    pub superseded_by: Option<Uuid>,
    /// When it stopped being in force (superseded or repealed).
    pub ended_on: Option<Date>,
    pub follow_ups: Vec<FollowUp>,
}

impl From<&v::StrategyView> for Strategy {
    fn from(s: &v::StrategyView) -> Self {
        Strategy {
            id: s.id.0,
            municipality: (&s.municipality).into(),
            title: s.title.clone(),
            kind: s.kind.into(),
            owner: s.owner.clone(),
            responsible_role: s.responsible_role.clone(),
            follow_up_cadence: s.follow_up.into(),
            focus_areas: s.content.focus_areas.clone(),
            goals: s.content.goals.iter().map(Goal::from).collect(),
            topics: s.content.topics.clone(),
            status: s.status.into(),
            adopted: s.adopted.as_ref().map(Decision::from),
            validity: s.validity.as_ref().map(Period::from),
            revisions: s.revisions.iter().map(|r| Decision::from(&r.decision)).collect(),
            superseded_by: s.superseded_by.map(|x| x.0),
            ended_on: s.ended_on.map(Date),
            follow_ups: s
                .follow_ups
                .iter()
                .map(|f| FollowUp {
                    period: (&f.period).into(),
                    reported_on: f.reported_on.into(),
                    reported_to: f.reported_to.into(),
                    summary: f.summary.clone(),
                })
                .collect(),
        }
    }
}
