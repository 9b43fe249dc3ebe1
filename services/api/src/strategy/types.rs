//! A strategy document (styrdokument), its goals and follow-ups.

use async_graphql::{Enum, SimpleObject};
use samverkan_app::projections::views as v;
use samverkan_domain as d;
use uuid::Uuid;

use crate::scalars::{Date, GoalId, MunicipalityCode};
use crate::shared::output_from;
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

output_from! {
    /// A goal of a strategy document.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Goal from g: &d::strategy::Goal {
        pub id: GoalId = (&g.id).into(),
        pub title: String = g.title.clone(),
        /// The focus area (fokusområde) the goal belongs to.
        pub focus_area: Option<String> = g.focus_area.clone(),
        pub activities: Vec<String> = g.activities.clone(),
    }
}

output_from! {
    /// A reported follow-up (uppföljning).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct FollowUp from f: &v::FollowUpView {
        pub period: Period = (&f.period).into(),
        pub reported_on: Date = f.reported_on.into(),
        /// The body it was reported to (återrapporteras till).
        pub reported_to: DecisionBody = f.reported_to.into(),
        pub summary: String = f.summary.clone(),
    }
}

output_from! {
    /// A strategy document (styrdokument): strategy, policy, plan or programme.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Strategy from s: &v::StrategyView {
        pub id: Uuid = s.id.0,
        pub municipality: MunicipalityCode = (&s.municipality).into(),
        pub title: String = s.title.clone(),
        pub kind: DocumentKind = s.kind.into(),
        /// Owning body (ägare), e.g. `Kommunstyrelsen`.
        pub owner: String = s.owner.clone(),
        /// Responsible role (ansvarig).
        pub responsible_role: String = s.responsible_role.clone(),
        pub follow_up_cadence: FollowUpCadence = s.follow_up.into(),
        pub focus_areas: Vec<String> = s.content.focus_areas.clone(),
        pub goals: Vec<Goal> = s.content.goals.iter().map(Goal::from).collect(),
        pub topics: Vec<String> = s.content.topics.clone(),
        pub status: StrategyStatus = s.status.into(),
        /// The adoption decision (antagen).
        pub adopted: Option<Decision> = s.adopted.as_ref().map(Decision::from),
        /// Valid from / until (`end: null`: until further notice).
        pub validity: Option<Period> = s.validity.as_ref().map(Period::from),
        /// Revision decisions, oldest first.
        pub revisions: Vec<Decision> = s.revisions.iter().map(|r| Decision::from(&r.decision)).collect(),
        pub superseded_by: Option<Uuid> = s.superseded_by.map(|x| x.0),
        /// When it stopped being in force (superseded or repealed).
        pub ended_on: Option<Date> = s.ended_on.map(Date),
        pub follow_ups: Vec<FollowUp> = s.follow_ups.iter().map(FollowUp::from).collect(),
    }
}
