//! A municipality's dashboard: the query and its types.

use async_graphql::{Enum, SimpleObject};
use samverkan_app::projections::queries as q;
use uuid::Uuid;

use crate::scalars::{ConsortiumCode, Date, DateTime, MunicipalityCode};
use crate::types::*;

/// A strategy document in force, with its follow-up status.
#[derive(SimpleObject, Clone, Debug)]
pub struct StrategyLine {
    pub strategy: Strategy,
    pub valid_until: Option<Date>,
    /// The council term of office the strategy is in force in on the day asked about.
    pub term: TermOfOffice,
    /// The term the next follow-up is owed for (a missed past term stays owed).
    pub follow_up_term: Option<TermOfOffice>,
    /// When the next follow-up is due.
    pub next_follow_up_due: Option<Date>,
    pub follow_up_overdue: bool,
}

/// The body a term of office belongs to.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum TermBody {
    /// Kommunfullmäktige (SE), kommunestyre (NO).
    Council,
    /// Kommunstyrelsen (SE).
    ExecutiveBoard,
}

/// A term of office from the term table (real dates per country and body).
#[derive(SimpleObject, Clone, Debug)]
pub struct TermOfOffice {
    pub country: String,
    pub body: TermBody,
    pub start: Date,
    /// Last day of the term (inclusive).
    pub end: Date,
    /// Where the dates come from.
    pub source: String,
}

impl From<&samverkan_app::projections::terms::Term> for TermOfOffice {
    fn from(t: &samverkan_app::projections::terms::Term) -> Self {
        use samverkan_app::projections::terms::TermBody as B;
        TermOfOffice {
            country: t.country.to_string(),
            body: match t.body {
                B::Council => TermBody::Council,
                B::ExecutiveBoard => TermBody::ExecutiveBoard,
            },
            start: t.start.into(),
            end: t.end.into(),
            source: t.source.to_string(),
        }
    }
}

/// A strategy referenced from a handover.
#[derive(SimpleObject, Clone, Debug)]
pub struct StrategyRef {
    pub id: Uuid,
    pub title: String,
}

/// A co-financing commitment a new council inherits.
#[derive(SimpleObject, Clone, Debug)]
pub struct InheritedCommitment {
    pub application_id: Uuid,
    pub title: String,
    pub amount: Money,
    pub decided_on: Date,
}

/// What the new council inherits at a change of term of office.
#[derive(SimpleObject, Clone, Debug)]
pub struct Handover {
    /// The new term; its first day is the day of the change.
    pub term: TermOfOffice,
    /// Strategies in force on the first day of the new term.
    pub strategies_in_force: Vec<StrategyRef>,
    /// This municipality's co-financing commitments decided before that day.
    pub commitments: Vec<InheritedCommitment>,
    /// Projects running on that day.
    pub projects_running: Vec<ProjectRef>,
}

impl From<&samverkan_app::projections::terms::Handover> for Handover {
    fn from(h: &samverkan_app::projections::terms::Handover) -> Self {
        Handover {
            term: (&h.term).into(),
            strategies_in_force: h
                .strategies_in_force
                .iter()
                .map(|(id, title)| StrategyRef {
                    id: id.0,
                    title: title.clone(),
                })
                .collect(),
            commitments: h
                .commitments
                .iter()
                .map(|c| InheritedCommitment {
                    application_id: c.application.0,
                    title: c.title.clone(),
                    amount: (&c.amount).into(),
                    decided_on: c.decided_on.into(),
                })
                .collect(),
            projects_running: h
                .projects_running
                .iter()
                .map(|(id, title)| ProjectRef {
                    id: id.0,
                    title: title.clone(),
                })
                .collect(),
        }
    }
}

impl From<&q::StrategyLine> for StrategyLine {
    fn from(l: &q::StrategyLine) -> Self {
        StrategyLine {
            strategy: (&l.strategy).into(),
            valid_until: l.valid_until.map(Date),
            term: (&l.term).into(),
            follow_up_term: l.follow_up_term.as_ref().map(TermOfOffice::from),
            next_follow_up_due: l.next_follow_up_due.map(Date),
            follow_up_overdue: l.follow_up_overdue,
        }
    }
}

/// A consortium membership seen from the member.
#[derive(SimpleObject, Clone, Debug)]
pub struct MembershipLine {
    pub consortium: ConsortiumCode,
    pub name: String,
    pub joined_on: Date,
    pub left_on: Option<Date>,
    /// The member coordinates the consortium.
    pub coordinator: bool,
}

/// A project seen from one municipality.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProjectLine {
    pub project: Project,
    pub role: ProjectRole,
    /// The next planned milestone on or after today.
    pub next_milestone: Option<Milestone>,
    /// Planned milestones whose due date has passed (active projects only).
    pub overdue_milestones: Vec<Milestone>,
}

impl From<&q::ProjectLine> for ProjectLine {
    fn from(l: &q::ProjectLine) -> Self {
        ProjectLine {
            project: (&l.project).into(),
            role: ProjectRole::from_label(&l.role),
            next_milestone: l.next_milestone.as_ref().map(Milestone::from),
            overdue_milestones: l.overdue_milestones.iter().map(Milestone::from).collect(),
        }
    }
}

/// External funding and own co-financing per year, programme and currency.
/// The dashboard and the follow-up report use the same rule, so their lines
/// for a year agree.
#[derive(SimpleObject, Clone, Debug)]
pub struct FundingLine {
    /// The year of the decision: the funder's for a grant (a directly
    /// registered project: its start), the municipality's own for co-financing.
    pub year: i32,
    pub programme: ProgrammeKind,
    pub currency: Currency,
    /// External funding granted, credited to the lead applicant (or project
    /// lead) only: a partner's line never holds the project's grant.
    pub granted: Money,
    /// This municipality's own co-financing committed (withdrawn applications left out).
    pub co_financing: Money,
}

impl From<&q::FundingLine> for FundingLine {
    fn from(f: &q::FundingLine) -> Self {
        FundingLine {
            year: f.year,
            programme: f.programme.into(),
            currency: f.currency.into(),
            granted: money(f.granted_minor, f.currency),
            co_financing: money(f.co_financing_minor, f.currency),
        }
    }
}

/// A project referenced from a goal.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProjectRef {
    pub id: Uuid,
    pub title: String,
}

/// A goal of a strategy in force and the projects serving it.
#[derive(SimpleObject, Clone, Debug)]
pub struct GoalLine {
    pub strategy_id: Uuid,
    pub strategy_title: String,
    pub goal: Goal,
    pub projects: Vec<ProjectRef>,
}

/// A municipality's dashboard.
#[derive(SimpleObject, Clone, Debug)]
pub struct Dashboard {
    pub municipality: Municipality,
    /// The day "overdue", "expiring" and "due" are measured against.
    pub today: Date,
    /// The business date this answer is about (`validAt`, or today): the
    /// world as the decisions' own dates describe it on that day.
    pub valid_at: Date,
    /// The recording instant this answer is about (`asOf`); null: everything recorded.
    pub as_of: Option<DateTime>,
    pub strategies_in_force: Vec<StrategyLine>,
    /// Strategies in force that expire within a year.
    pub expiring_strategies: Vec<StrategyLine>,
    pub memberships: Vec<MembershipLine>,
    /// Projects as lead or partner, newest first.
    pub projects: Vec<ProjectLine>,
    /// Joint applications waiting for this municipality's co-financing answer.
    pub action_list: Vec<Application>,
    /// External funding obtained and co-financing committed.
    pub funding: Vec<FundingLine>,
    /// Current twin towns.
    pub twin_towns: Vec<TwinTown>,
    pub goals: Vec<GoalLine>,
    /// What the new council inherits at the most recent change of term of
    /// office (on or before the day) and at the next one.
    pub handover: Vec<Handover>,
}

impl From<&q::Dashboard> for Dashboard {
    fn from(x: &q::Dashboard) -> Self {
        Dashboard {
            municipality: (&x.municipality).into(),
            today: x.today.into(),
            valid_at: x.today.into(),
            as_of: x.as_of.map(DateTime),
            strategies_in_force: x.strategies_in_force.iter().map(StrategyLine::from).collect(),
            expiring_strategies: x.expiring_strategies.iter().map(StrategyLine::from).collect(),
            memberships: x
                .memberships
                .iter()
                .map(|m| MembershipLine {
                    consortium: (&m.consortium).into(),
                    name: m.name.clone(),
                    joined_on: m.joined_on.into(),
                    left_on: m.left_on.map(Date),
                    coordinator: m.coordinator,
                })
                .collect(),
            projects: x.projects.iter().map(ProjectLine::from).collect(),
            action_list: x.action_list.iter().map(Application::from).collect(),
            funding: x.funding.iter().map(FundingLine::from).collect(),
            twin_towns: x.twin_towns.iter().map(TwinTown::from).collect(),
            handover: x.handover.iter().map(Handover::from).collect(),
            goals: x
                .goals
                .iter()
                .map(|g| GoalLine {
                    strategy_id: g.strategy.0,
                    strategy_title: g.strategy_title.clone(),
                    goal: (&g.goal).into(),
                    projects: g
                        .projects
                        .iter()
                        .map(|(id, title)| ProjectRef {
                            id: id.0,
                            title: title.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

crate::query::read_fields! {
    DashboardQuery {
        /// A municipality's dashboard: strategies in force and their follow-ups,
        /// memberships, projects with next and overdue milestones, applications
        /// waiting for its co-financing answer, funding, twin towns, goals.
        one fn dashboard(ctx, at, municipality: MunicipalityCode) -> Dashboard {
            at.find_seen(ctx, "municipality", municipality.0, |seen| {
                seen.dashboard_on(&municipality.0, at.when(), at.valid).map(|x| Dashboard::from(&x))
            })
            .await
        }
    }
}
