//! A municipality's dashboard: the query and its types.

use async_graphql::{Enum, SimpleObject};
use samverkan_app::projections::queries as q;
use samverkan_app::projections::terms;
use samverkan_domain as d;
use uuid::Uuid;

use crate::scalars::{ConsortiumCode, CountryCode, Date, DateTime, MunicipalityCode};
use crate::shared::{all, output_from};
use crate::types::*;

output_from! {
    /// A strategy document in force, with its follow-up status.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct StrategyLine from l: &q::StrategyLine {
        pub strategy: Strategy = (&l.strategy).into(),
        pub valid_until: Option<Date> = l.valid_until.map(Date),
        /// The council term of office the strategy is in force in on the day asked about.
        pub term: TermOfOffice = (&l.term).into(),
        /// The term the next follow-up is owed for (a missed past term stays owed).
        pub follow_up_term: Option<TermOfOffice> = l.follow_up_term.as_ref().map(TermOfOffice::from),
        /// When the next follow-up is due.
        pub next_follow_up_due: Option<Date> = l.next_follow_up_due.map(Date),
        pub follow_up_overdue: bool = l.follow_up_overdue,
    }
}

/// The body a term of office belongs to.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_app::projections::terms::TermBody")]
pub enum TermBody {
    /// Kommunfullmäktige (SE), kommunestyre (NO).
    Council,
    /// Kommunstyrelsen (SE).
    ExecutiveBoard,
}

output_from! {
    /// A term of office from the term table (real dates per country and body).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct TermOfOffice from t: &terms::Term {
        pub country: String = t.country.to_string(),
        pub body: TermBody = t.body.into(),
        pub start: Date = t.start.into(),
        /// Last day of the term (inclusive).
        pub end: Date = t.end.into(),
        /// Where the dates come from.
        pub source: String = t.source.to_string(),
    }
}

/// A strategy referenced from a handover.
#[derive(SimpleObject, Clone, Debug)]
pub struct StrategyRef {
    pub id: Uuid,
    pub title: String,
}

output_from! {
    /// A co-financing commitment a new council inherits.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct InheritedCommitment from c: &terms::InheritedCommitment {
        pub application_id: Uuid = c.application.0,
        pub title: String = c.title.clone(),
        pub amount: Money = (&c.amount).into(),
        pub decided_on: Date = c.decided_on.into(),
    }
}

output_from! {
    /// What the new council inherits at a change of term of office.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Handover from h: &terms::Handover {
        /// The new term; its first day is the day of the change.
        pub term: TermOfOffice = (&h.term).into(),
        /// Strategies in force on the first day of the new term.
        pub strategies_in_force: Vec<StrategyRef> = h
            .strategies_in_force
            .iter()
            .map(|(id, title)| StrategyRef {
                id: id.0,
                title: title.clone(),
            })
            .collect(),
        /// This municipality's co-financing commitments decided before that day.
        pub commitments: Vec<InheritedCommitment> = all(&h.commitments),
        /// Projects running on that day.
        pub projects_running: Vec<ProjectRef> = project_refs(&h.projects_running),
    }
}

output_from! {
    /// A consortium membership seen from the member.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct MembershipLine from m: &q::MembershipLine {
        pub consortium: ConsortiumCode = (&m.consortium).into(),
        pub name: String = m.name.clone(),
        pub joined_on: Date = m.joined_on.into(),
        pub left_on: Option<Date> = m.left_on.map(Date),
        /// The member coordinates the consortium.
        pub coordinator: bool = m.coordinator,
    }
}

output_from! {
    /// A project seen from one municipality.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct ProjectLine from l: &q::ProjectLine {
        pub project: Project = (&l.project).into(),
        pub role: ProjectRole = ProjectRole::from_label(&l.role),
        /// A cross-border project: the side (country) this municipality takes
        /// part in, i.e. its own country's side; `null` for one budget.
        pub side: Option<CountryCode> = l.side.map(Into::into),
        /// Whether this municipality's funding lines hold that side's grant:
        /// one member holds each side (the lead for its country, else the
        /// side's first municipal partner), so consortium totals count it once.
        pub holds_side: bool = l.holds_side,
        /// The next planned milestone on or after today.
        pub next_milestone: Option<Milestone> = l.next_milestone.as_ref().map(Milestone::from),
        /// Planned milestones whose due date has passed (active projects only).
        pub overdue_milestones: Vec<Milestone> = all(&l.overdue_milestones),
    }
}

output_from! {
    /// External funding and own co-financing per year, programme and currency.
    /// The dashboard and the follow-up report use the same rule, so their lines
    /// for a year agree.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct FundingLine from f: &q::FundingLine {
        /// The year of the decision: the funder's for a grant (a directly
        /// registered project without sides: its start; a cross-border side:
        /// its funder's decision), the municipality's own for co-financing.
        pub year: i32 = f.year,
        pub programme: ProgrammeKind = f.programme.into(),
        pub currency: Currency = f.currency.into(),
        /// External funding granted, credited to the lead applicant (or project
        /// lead) only: a partner's line never holds the project's grant. A
        /// cross-border project's side (its own currency) is credited to the
        /// member holding that side: the lead for the lead's country, else the
        /// side's first municipal partner — each side counted once.
        pub granted: Money = money(f.granted_minor, f.currency),
        /// This municipality's own co-financing committed (withdrawn applications left out).
        pub co_financing: Money = money(f.co_financing_minor, f.currency),
    }
}

/// A project referenced from a goal.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProjectRef {
    pub id: Uuid,
    pub title: String,
}

fn project_refs(projects: &[(d::ProjectId, String)]) -> Vec<ProjectRef> {
    projects
        .iter()
        .map(|(id, title)| ProjectRef {
            id: id.0,
            title: title.clone(),
        })
        .collect()
}

output_from! {
    /// A goal of a strategy in force and the projects serving it.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct GoalLine from g: &q::GoalLine {
        pub strategy_id: Uuid = g.strategy.0,
        pub strategy_title: String = g.strategy_title.clone(),
        pub goal: Goal = (&g.goal).into(),
        pub projects: Vec<ProjectRef> = project_refs(&g.projects),
    }
}

output_from! {
    /// A municipality's dashboard.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Dashboard from x: &q::Dashboard {
        pub municipality: Municipality = (&x.municipality).into(),
        /// The day "overdue", "expiring" and "due" are measured against.
        pub today: Date = x.today.into(),
        /// The business date this answer is about (`validAt`, or today): the
        /// world as the decisions' own dates describe it on that day.
        pub valid_at: Date = x.today.into(),
        /// The recording instant this answer is about (`asOf`); null: everything recorded.
        pub as_of: Option<DateTime> = x.as_of.map(DateTime),
        pub strategies_in_force: Vec<StrategyLine> = all(&x.strategies_in_force),
        /// Strategies in force that expire within a year.
        pub expiring_strategies: Vec<StrategyLine> = all(&x.expiring_strategies),
        pub memberships: Vec<MembershipLine> = all(&x.memberships),
        /// Projects as lead or partner, newest first.
        pub projects: Vec<ProjectLine> = all(&x.projects),
        /// Joint applications waiting for this municipality's co-financing answer.
        pub action_list: Vec<Application> = x
            .action_list
            .iter()
            .map(|a| Application::from(a).on(samverkan_app::projections::AsOf { at: x.as_of, today: x.today }))
            .collect(),
        /// External funding obtained and co-financing committed.
        pub funding: Vec<FundingLine> = all(&x.funding),
        /// Current twin towns.
        pub twin_towns: Vec<TwinTown> = all(&x.twin_towns),
        pub goals: Vec<GoalLine> = all(&x.goals),
        /// What the new council inherits at the most recent change of term of
        /// office (on or before the day) and at the next one.
        pub handover: Vec<Handover> = all(&x.handover),
        /// The co-financing decisions this municipality owes, by deadline: which
        /// application, how much, by when, and its next meeting before then
        /// (or the warning `no_meeting_before_deadline`). Judged on the
        /// dashboard's day (`validAt`; else the day of `asOf`; else today),
        /// the applications as they stood then, the calendar as recorded by `asOf`.
        pub decisions_owed: Vec<DecisionOwed> = x
            .decisions_owed
            .iter()
            .map(|o| DecisionOwed::from(o).on(samverkan_app::projections::AsOf { at: x.as_of, today: x.today }))
            .collect(),
        /// Its planned council, executive-board and committee meetings from the day on.
        pub meetings: Vec<Meeting> = all(&x.meetings),
    }
}

crate::query::read_fields! {
    DashboardQuery {
        /// A municipality's dashboard: strategies in force and their follow-ups,
        /// memberships, projects with next and overdue milestones, applications
        /// waiting for its co-financing answer, funding, twin towns, goals.
        one fn dashboard(ctx, at, municipality: MunicipalityCode) -> Dashboard {
            let parts = selected_parts(ctx);
            at.find_seen(ctx, "municipality", municipality.0, |seen| {
                seen.dashboard_parts(&municipality.0, at.when(), at.valid, parts).map(|x| Dashboard::from(&x))
            })
            .await
        }
    }
}

/// The dashboard's parts the query selects (fragments included): only those
/// are built.
fn selected_parts(ctx: &async_graphql::Context<'_>) -> samverkan_app::projections::DashboardParts {
    let look = ctx.look_ahead();
    let asks = |field: &str| look.field(field).exists();
    samverkan_app::projections::DashboardParts {
        strategies_in_force: asks("strategiesInForce"),
        expiring_strategies: asks("expiringStrategies"),
        memberships: asks("memberships"),
        projects: asks("projects"),
        action_list: asks("actionList"),
        funding: asks("funding"),
        twin_towns: asks("twinTowns"),
        goals: asks("goals"),
        handover: asks("handover"),
        decisions_owed: asks("decisionsOwed"),
        meetings: asks("meetings"),
    }
}
