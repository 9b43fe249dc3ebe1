//! Questions the read models answer: dashboards, consortium overviews, the
//! yearly follow-up report, timelines and filtered lists, now or as of a past
//! instant. "Overdue", "expiring" and "due" are computed against `today`,
//! the as-of date or the current date.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use samverkan_domain::project::EuPriority;
use samverkan_domain::strategy::{FollowUpCadence, Goal};
use samverkan_domain::{
    add_to_total, ApplicationId, ConsortiumCode, Currency, MunicipalityCode, ProgrammeKind, ProjectId, StrategyId,
};
use serde::Serialize;

use super::model::*;
use super::terms;
use super::views::*;

/// The moment a question is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    /// Only events recorded up to this instant count (`None`: everything).
    pub at: Option<DateTime<Utc>>,
    /// The calendar day "overdue", "expiring" and "due" are measured against.
    pub today: NaiveDate,
}

impl AsOf {
    pub fn now(now: DateTime<Utc>) -> Self {
        Self {
            at: None,
            today: now.date_naive(),
        }
    }
    pub fn past(at: DateTime<Utc>) -> Self {
        Self {
            at: Some(at),
            today: at.date_naive(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StrategyLine {
    pub strategy: StrategyView,
    pub valid_until: Option<NaiveDate>,
    /// The council term the strategy is in force in on the day asked about.
    pub term: terms::Term,
    /// The term the next follow-up is owed for.
    pub follow_up_term: Option<terms::Term>,
    pub next_follow_up_due: Option<NaiveDate>,
    pub follow_up_overdue: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MembershipLine {
    pub consortium: ConsortiumCode,
    pub name: String,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub coordinator: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectLine {
    pub project: ProjectView,
    /// `lead` or `partner`.
    pub role: String,
    pub next_milestone: Option<MilestoneView>,
    pub overdue_milestones: Vec<MilestoneView>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FundingLine {
    pub year: i32,
    pub programme: ProgrammeKind,
    pub currency: Currency,
    /// External funding granted (minor units; 128-bit, a total never wraps).
    pub granted_minor: i128,
    /// Own co-financing committed (minor units; 128-bit).
    pub co_financing_minor: i128,
}

#[derive(Debug, Clone, Serialize)]
pub struct GoalLine {
    pub strategy: StrategyId,
    pub strategy_title: String,
    pub goal: Goal,
    pub projects: Vec<(ProjectId, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub municipality: MunicipalityView,
    pub today: NaiveDate,
    /// The business date asked about (`None`: today, by every decision recorded).
    pub valid_at: Option<NaiveDate>,
    /// The recording instant asked about (`None`: everything recorded).
    pub as_of: Option<DateTime<Utc>>,
    pub strategies_in_force: Vec<StrategyLine>,
    pub expiring_strategies: Vec<StrategyLine>,
    pub memberships: Vec<MembershipLine>,
    pub projects: Vec<ProjectLine>,
    /// Joint applications waiting for this municipality's co-financing answer.
    pub action_list: Vec<ApplicationView>,
    pub funding: Vec<FundingLine>,
    pub twin_towns: Vec<TwinTownView>,
    pub goals: Vec<GoalLine>,
    /// What the new council inherits at the most recent change of term (on or
    /// before the day) and at the next one.
    pub handover: Vec<terms::Handover>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberCoFinancing {
    pub municipality: MunicipalityCode,
    pub committed: Amounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsortiumOverview {
    pub consortium: ConsortiumView,
    /// The calendar day members are counted on (validAt, or today).
    pub valid_at: NaiveDate,
    pub as_of: Option<DateTime<Utc>>,
    pub current_members: Vec<MunicipalityCode>,
    pub applications_by_status: BTreeMap<String, u32>,
    pub requested: Amounts,
    pub granted: Amounts,
    pub member_co_financing: Vec<MemberCoFinancing>,
    /// Approved / (approved + rejected); `None` before any decision.
    pub success_rate: Option<f64>,
    pub applications: Vec<ApplicationView>,
    pub projects: Vec<ProjectView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportProject {
    pub project: ProjectView,
    pub role: String,
    pub started_in_year: bool,
    pub ended_in_year: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportMilestone {
    pub project: ProjectId,
    pub project_title: String,
    pub milestone: MilestoneView,
}

#[derive(Debug, Clone, Serialize)]
pub struct FollowUpReport {
    pub municipality: MunicipalityView,
    pub year: i32,
    /// The calendar day the report is computed on (validAt, or today).
    pub valid_at: NaiveDate,
    pub as_of: Option<DateTime<Utc>>,
    pub projects_active: Vec<ReportProject>,
    pub applications: Vec<ApplicationView>,
    pub funding_obtained: Vec<FundingLine>,
    pub milestones_achieved: Vec<ReportMilestone>,
    pub milestones_missed: Vec<ReportMilestone>,
    pub milestones_rescheduled: Vec<ReportMilestone>,
    pub strategies_adopted: Vec<StrategyView>,
    pub strategies_revised: Vec<StrategyView>,
    pub strategies_expiring: Vec<StrategyView>,
    pub strategies_due_for_follow_up: Vec<StrategyLine>,
    pub projects_per_focus_area: BTreeMap<String, u32>,
    pub projects_per_eu_priority: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub municipality: Option<MunicipalityCode>,
    pub consortium: Option<ConsortiumCode>,
    pub programme: Option<ProgrammeKind>,
    pub status: Option<ProjectStatusView>,
    /// Active some time in `[from, to]`.
    pub period: Option<(NaiveDate, NaiveDate)>,
}

#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub municipality: Option<MunicipalityCode>,
    pub consortium: Option<ConsortiumCode>,
    pub programme: Option<ProgrammeKind>,
    pub status: Option<ApplicationStatusView>,
    /// Drafted in `[from, to]`.
    pub period: Option<(NaiveDate, NaiveDate)>,
}

const EXPIRY_WINDOW_DAYS: i64 = 365;

/// The council term of `country` on `day` (from the term table in
/// [`super::terms`]).
pub fn term_of_office(country: &str, day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let t = terms::term_on(country, terms::TermBody::Council, day);
    (t.start, t.end)
}

/// The term a follow-up is due for (as of `today`), or `None` for a document
/// not in force. Yearly: the report on year Y is due 31 March of Y+1, where Y
/// is the year after the last reported one (or the adoption year if none is
/// reported); its term is the executive board's on that day (the yearly
/// report goes to kommunstyrelsen). Once per term: see
/// [`terms::once_per_term_due`] (a missed past term stays due at its end).
pub fn follow_up_due(s: &StrategyView, today: NaiveDate) -> Option<(NaiveDate, terms::Term)> {
    if !s.in_force_on(today) {
        return None;
    }
    let start = s.validity?.start;
    let country = s.municipality.country();
    let country = country.as_str();
    let yearly = || {
        let last_reported = s.follow_ups.iter().filter_map(|f| f.period.end.map(|e| e.year())).max();
        let next_year = last_reported.map_or(start.year(), |y| y + 1);
        NaiveDate::from_ymd_opt(next_year + 1, 3, 31)
            .map(|d| (d, terms::term_on(country, terms::TermBody::ExecutiveBoard, d)))
    };
    let per_term = || {
        let ends: Vec<NaiveDate> = s.follow_ups.iter().filter_map(|f| f.period.end).collect();
        let t = terms::once_per_term_due(country, start, &ends, today);
        Some((t.end, t))
    };
    match s.follow_up {
        FollowUpCadence::Yearly => yearly(),
        FollowUpCadence::OncePerTerm => per_term(),
        FollowUpCadence::YearlyAndOncePerTerm => [yearly(), per_term()].into_iter().flatten().min_by_key(|x| x.0),
    }
}

/// When is the next follow-up of an adopted document due (as of `today`)?
pub fn next_follow_up_due(s: &StrategyView, today: NaiveDate) -> Option<NaiveDate> {
    follow_up_due(s, today).map(|x| x.0)
}

fn strategy_line(s: StrategyView, today: NaiveDate) -> StrategyLine {
    let due = follow_up_due(&s, today);
    let next = due.map(|x| x.0);
    StrategyLine {
        valid_until: s.validity.and_then(|v| v.end),
        term: terms::term_on(s.municipality.country().as_str(), terms::TermBody::Council, today),
        follow_up_term: due.map(|x| x.1),
        next_follow_up_due: next,
        follow_up_overdue: next.is_some_and(|d| d < today),
        strategy: s,
    }
}

fn milestone_lines(p: &ProjectView, today: NaiveDate) -> (Option<MilestoneView>, Vec<MilestoneView>) {
    let planned = p.milestones.iter().filter(|m| m.status == MilestoneStatusView::Planned);
    let next = planned
        .clone()
        .filter(|m| m.due >= today)
        .min_by_key(|m| m.due)
        .cloned();
    let mut overdue: Vec<MilestoneView> = if p.status == ProjectStatusView::Active {
        planned.filter(|m| m.due < today).cloned().collect()
    } else {
        vec![]
    };
    overdue.sort_by_key(|m| m.due);
    (next, overdue)
}

fn programme_year_lines(lines: BTreeMap<(i32, ProgrammeKind, Currency), (i128, i128)>) -> Vec<FundingLine> {
    lines
        .into_iter()
        .map(
            |((year, programme, currency), (granted_minor, co_financing_minor))| FundingLine {
                year,
                programme,
                currency,
                granted_minor,
                co_financing_minor,
            },
        )
        .collect()
}

/// A municipality's funding lines, by year, programme and currency — the one
/// rule behind the dashboard's funding, the follow-up report's "funding
/// obtained" and the API's recomputation without hidden drafts (see
/// `docs/domain.md`, "Which date and whose money"):
///
/// * a grant counts in the year of the funder's decision: an approved
///   application's `decided_on`; a project registered directly (not from an
///   application) carries no decision date, so its period start stands in;
/// * a grant is credited to the lead only (the lead applicant, or the
///   registered project's lead): the events carry no per-partner share of a
///   grant, so partners never get the whole project's grant;
/// * co-financing is the municipality's own commitments to applications not
///   withdrawn, in the year of its own decision; a directly registered
///   project's co-financing has no per-partner split and is not counted.
///
/// `projects` and `applications` are those the municipality takes part in;
/// `year` keeps one year only. Sums are checked 128-bit ([`add_to_total`]).
pub fn funding_lines<'a>(
    code: &MunicipalityCode,
    projects: impl IntoIterator<Item = &'a ProjectView>,
    applications: impl IntoIterator<Item = &'a ApplicationView>,
    year: Option<i32>,
) -> Vec<FundingLine> {
    let mut funding: BTreeMap<(i32, ProgrammeKind, Currency), (i128, i128)> = BTreeMap::new();
    let wanted = |y: i32| year.is_none_or(|w| w == y);
    for p in projects {
        if p.from_application.is_some() || p.lead.municipality() != Some(code) {
            continue;
        }
        let (g, y) = (p.financing.grant, p.period.start.year());
        if wanted(y) {
            add_to_total(
                &mut funding.entry((y, p.programme.kind, g.currency)).or_default().0,
                g.amount_minor,
            );
        }
    }
    for a in applications {
        if let (Some(g), Some(d)) = (&a.granted, a.decided_on) {
            if &a.lead_applicant == code && wanted(d.year()) {
                add_to_total(
                    &mut funding.entry((d.year(), a.programme.kind, g.currency)).or_default().0,
                    g.amount_minor,
                );
            }
        }
        if a.status == ApplicationStatusView::Withdrawn {
            continue;
        }
        for (m, money, decision) in a.commitments() {
            if m == code && wanted(decision.date.year()) {
                add_to_total(
                    &mut funding
                        .entry((decision.date.year(), a.programme.kind, money.currency))
                        .or_default()
                        .1,
                    money.amount_minor,
                );
            }
        }
    }
    programme_year_lines(funding)
}

/// What a code lookup found.
#[derive(Debug, Clone, PartialEq)]
pub enum CodeResolution {
    /// The code was this municipality's on the day.
    Found(MunicipalityCode),
    /// The code was a municipality's, but not on the day.
    NotValidOn {
        identity: MunicipalityCode,
        name: String,
        period: crate::projections::views::CodePeriodView,
        day: NaiveDate,
        /// The municipality's code on the day.
        code_then: MunicipalityCode,
    },
    /// No municipality ever had the code.
    Unknown,
}

impl CodeResolution {
    /// A plain message for a miss, naming the code's validity.
    pub fn message(&self, code: &MunicipalityCode) -> String {
        match self {
            CodeResolution::NotValidOn {
                name,
                period,
                day,
                code_then,
                ..
            } => format!(
                "{code} is {name}'s code from {} until {}, not on {day}; on {day} {name} has the code {code_then}",
                period
                    .valid_from
                    .map_or("its registration".to_string(), |d| d.to_string()),
                period
                    .valid_until
                    .map_or("further notice".to_string(), |d| d.to_string()),
            ),
            _ => format!("municipality `{code}` does not exist"),
        }
    }
}

impl ReadModels {
    fn related(&self, m: &MunicipalityCode) -> Option<&Related> {
        self.by_municipality.get(m)
    }

    pub fn municipality(&self, code: &MunicipalityCode, at: Option<DateTime<Utc>>) -> Option<MunicipalityView> {
        self.municipalities.get(code)?.at(at, &self.log)
    }
    /// Resolve a code to the municipality whose code it was on `valid_at`
    /// (default: today), as recorded by `at`. The first code of a
    /// municipality also answers for dates before its recorded start.
    pub fn resolve_code(
        &self,
        code: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> CodeResolution {
        let day = valid_at.unwrap_or_else(|| Utc::now().date_naive());
        let mut miss = None;
        let mut identities: Vec<MunicipalityCode> = self.code_index.get(code).into_iter().flatten().copied().collect();
        if !identities.contains(code) && self.municipalities.contains_key(code) {
            identities.push(*code);
        }
        for identity in &identities {
            let Some(view) = self.municipality(identity, at) else {
                continue;
            };
            for (i, p) in view.codes.iter().enumerate() {
                if p.code != *code {
                    continue;
                }
                if p.contains(day, i == 0) {
                    return CodeResolution::Found(*identity);
                }
                miss.get_or_insert(CodeResolution::NotValidOn {
                    identity: *identity,
                    name: view.name.clone(),
                    period: p.clone(),
                    day,
                    code_then: view.code_on(day),
                });
            }
        }
        miss.unwrap_or(CodeResolution::Unknown)
    }
    /// As recorded by `at`, as the world stood on `valid_at`.
    pub fn municipality_on(
        &self,
        code: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Option<MunicipalityView> {
        valid_on(self.municipality(code, at), valid_at)
    }
    pub fn consortium(&self, code: &ConsortiumCode, at: Option<DateTime<Utc>>) -> Option<ConsortiumView> {
        self.consortia.get(code)?.at(at, &self.log)
    }
    /// As recorded by `at`, as the world stood on `valid_at`.
    pub fn consortium_on(
        &self,
        code: &ConsortiumCode,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Option<ConsortiumView> {
        valid_on(self.consortium(code, at), valid_at)
    }
    pub fn strategy(&self, id: &StrategyId, at: Option<DateTime<Utc>>) -> Option<StrategyView> {
        self.strategies.get(id)?.at(at, &self.log)
    }
    /// As recorded by `at`, as the world stood on `valid_at`.
    pub fn strategy_on(
        &self,
        id: &StrategyId,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Option<StrategyView> {
        valid_on(self.strategy(id, at), valid_at)
    }
    pub fn project(&self, id: &ProjectId, at: Option<DateTime<Utc>>) -> Option<ProjectView> {
        self.projects.get(id)?.at(at, &self.log)
    }
    /// As recorded by `at`, as the world stood on `valid_at`.
    pub fn project_on(
        &self,
        id: &ProjectId,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Option<ProjectView> {
        valid_on(self.project(id, at), valid_at)
    }
    pub fn application(&self, id: &ApplicationId, at: Option<DateTime<Utc>>) -> Option<ApplicationView> {
        self.applications.get(id)?.at(at, &self.log)
    }
    /// As recorded by `at`, as the world stood on `valid_at`.
    pub fn application_on(
        &self,
        id: &ApplicationId,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Option<ApplicationView> {
        valid_on(self.application(id, at), valid_at)
    }

    pub fn municipality_codes(&self) -> Vec<MunicipalityCode> {
        let mut v: Vec<_> = self.municipalities.keys().cloned().collect();
        v.sort();
        v
    }
    pub fn consortium_codes(&self) -> Vec<ConsortiumCode> {
        let mut v: Vec<_> = self.consortia.keys().cloned().collect();
        v.sort();
        v
    }

    fn projects_of(&self, m: &MunicipalityCode, at: Option<DateTime<Utc>>, v: Option<NaiveDate>) -> Vec<ProjectView> {
        let Some(r) = self.related(m) else { return vec![] };
        r.projects
            .iter()
            .filter_map(|id| self.project_on(id, at, v))
            .filter(|p| p.role_of(m).is_some())
            .collect()
    }
    fn strategies_of(
        &self,
        m: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        v: Option<NaiveDate>,
    ) -> Vec<StrategyView> {
        let Some(r) = self.related(m) else { return vec![] };
        r.strategies
            .iter()
            .filter_map(|id| self.strategy_on(id, at, v))
            .collect()
    }
    fn applications_of(
        &self,
        m: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        v: Option<NaiveDate>,
    ) -> Vec<ApplicationView> {
        let Some(r) = self.related(m) else { return vec![] };
        r.applications
            .iter()
            .filter_map(|id| self.application_on(id, at, v))
            .filter(|a| a.involves(m))
            .collect()
    }

    /// A municipality's funding lines ([`funding_lines`]) as recorded by `at`,
    /// as the world stood on `valid_at`, counting only the applications `keep`
    /// lets through (the API leaves out drafts the caller may not see).
    pub fn funding_on(
        &self,
        code: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
        year: Option<i32>,
        keep: impl Fn(&ApplicationView) -> bool,
    ) -> Vec<FundingLine> {
        let projects = self.projects_of(code, at, valid_at);
        let applications: Vec<ApplicationView> = self
            .applications_of(code, at, valid_at)
            .into_iter()
            .filter(|a| keep(a))
            .collect();
        funding_lines(code, &projects, &applications, year)
    }

    /// The dashboard's handover lines (see [`Dashboard::handover`]).
    fn handover(
        &self,
        code: &MunicipalityCode,
        when: AsOf,
        today: NaiveDate,
        applications: &[ApplicationView],
    ) -> Vec<terms::Handover> {
        terms::handover_terms(code.country().as_str(), today)
            .into_iter()
            .map(|term| {
                let first = term.start;
                let strategies_in_force = self
                    .strategies_of(code, when.at, Some(first))
                    .into_iter()
                    .filter(|s| s.in_force_on(first))
                    .map(|s| (s.id, s.title))
                    .collect();
                let mut commitments: Vec<terms::InheritedCommitment> = applications
                    .iter()
                    .filter(|a| a.status != ApplicationStatusView::Withdrawn)
                    .flat_map(|a| {
                        a.commitments()
                            .filter(|(m, _, decision)| *m == code && decision.date < first && decision.date <= today)
                            .map(|(_, money, decision)| terms::InheritedCommitment {
                                application: a.id,
                                title: a.title.clone(),
                                amount: *money,
                                decided_on: decision.date,
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect();
                commitments.sort_by_key(|c| c.decided_on);
                let projects_running = self
                    .projects_of(code, when.at, Some(first))
                    .into_iter()
                    .filter(|p| p.period.contains(first) && p.closed_on.is_none_or(|c| first < c))
                    .map(|p| (p.id, p.title))
                    .collect();
                terms::Handover {
                    term,
                    strategies_in_force,
                    commitments,
                    projects_running,
                }
            })
            .collect()
    }

    /// A municipality's dashboard.
    pub fn dashboard(&self, code: &MunicipalityCode, when: AsOf) -> Option<Dashboard> {
        self.dashboard_on(code, when, None)
    }

    /// A municipality's dashboard as the world stood on `valid_at` (business
    /// time; "today" is then that day), as recorded by `when.at`.
    pub fn dashboard_on(&self, code: &MunicipalityCode, when: AsOf, valid_at: Option<NaiveDate>) -> Option<Dashboard> {
        let v = valid_at;
        let when = AsOf {
            today: v.unwrap_or(when.today),
            ..when
        };
        let municipality = self.municipality_on(code, when.at, v)?;
        let today = when.today;
        let strategies = self.strategies_of(code, when.at, v);
        let mut in_force: Vec<StrategyLine> = strategies
            .iter()
            .filter(|s| s.in_force_on(today))
            .cloned()
            .map(|s| strategy_line(s, today))
            .collect();
        in_force.sort_by(|a, b| a.strategy.title.cmp(&b.strategy.title));
        let horizon = today + Duration::days(EXPIRY_WINDOW_DAYS);
        let expiring = in_force
            .iter()
            .filter(|l| l.valid_until.is_some_and(|u| u <= horizon))
            .cloned()
            .collect();

        let mut memberships = vec![];
        if let Some(r) = self.related(code) {
            for c in &r.consortia {
                let Some(view) = self.consortium_on(c, when.at, v) else {
                    continue;
                };
                let coordinator =
                    view.coordinator == Some(samverkan_domain::consortium::Coordinator::Member { municipality: *code });
                for m in view.memberships.iter().filter(|m| &m.municipality == code) {
                    memberships.push(MembershipLine {
                        consortium: view.code.clone(),
                        name: view.name.clone(),
                        joined_on: m.joined_on,
                        left_on: m.left_on,
                        coordinator: coordinator && m.left_on.is_none(),
                    });
                }
            }
        }

        let projects_all = self.projects_of(code, when.at, v);
        let applications = self.applications_of(code, when.at, v);
        let funding = funding_lines(code, &projects_all, &applications, None);
        let mut projects = vec![];
        for p in projects_all {
            let (next, overdue) = milestone_lines(&p, today);
            projects.push(ProjectLine {
                role: p.role_of(code).unwrap_or("partner").to_string(),
                next_milestone: next,
                overdue_milestones: overdue,
                project: p,
            });
        }
        projects.sort_by(|a, b| {
            b.project
                .period
                .start
                .cmp(&a.project.period.start)
                .then(a.project.title.cmp(&b.project.title))
        });

        let handover = self.handover(code, when, today, &applications);
        let mut action_list: Vec<ApplicationView> = applications.into_iter().filter(|a| a.pending_for(code)).collect();
        action_list.sort_by_key(|a| a.deadline);

        let twin_towns = municipality
            .twin_towns
            .iter()
            .filter(|t| t.ended_on.is_none_or(|e| e > today))
            .cloned()
            .collect();

        let mut goals = vec![];
        for s in in_force.iter().map(|l| &l.strategy) {
            for goal in &s.content.goals {
                let projects = projects
                    .iter()
                    .map(|l| &l.project)
                    .filter(|p| p.serves_goals.iter().any(|g| g.strategy == s.id && g.goal == goal.id))
                    .map(|p| (p.id, p.title.clone()))
                    .collect();
                goals.push(GoalLine {
                    strategy: s.id,
                    strategy_title: s.title.clone(),
                    goal: goal.clone(),
                    projects,
                });
            }
        }

        Some(Dashboard {
            municipality,
            today,
            valid_at: v,
            as_of: when.at,
            strategies_in_force: in_force,
            expiring_strategies: expiring,
            handover,
            memberships,
            projects,
            action_list,
            funding,
            twin_towns,
            goals,
        })
    }

    /// A consortium's overview.
    pub fn consortium_overview(&self, code: &ConsortiumCode, when: AsOf) -> Option<ConsortiumOverview> {
        self.consortium_overview_on(code, when, None)
    }

    /// A consortium's overview as the world stood on `valid_at`, as recorded by `when.at`.
    pub fn consortium_overview_on(
        &self,
        code: &ConsortiumCode,
        when: AsOf,
        valid_at: Option<NaiveDate>,
    ) -> Option<ConsortiumOverview> {
        let v = valid_at;
        let when = AsOf {
            today: v.unwrap_or(when.today),
            ..when
        };
        let consortium = self.consortium_on(code, when.at, v)?;
        let current_members = consortium
            .memberships
            .iter()
            .filter(|m| m.active_on(when.today) || (m.left_on.is_none() && m.joined_on <= when.today))
            .map(|m| m.municipality)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let related = self.by_consortium.get(code);
        let mut applications: Vec<ApplicationView> = related
            .map(|r| {
                r.applications
                    .iter()
                    .filter_map(|id| self.application_on(id, when.at, v))
                    .collect()
            })
            .unwrap_or_default();
        applications.sort_by_key(|a| a.drafted_at);
        let mut by_status: BTreeMap<String, u32> = ["draft", "submitted", "approved", "rejected", "withdrawn"]
            .iter()
            .map(|s| (s.to_string(), 0))
            .collect();
        let mut requested = Amounts::new();
        let mut granted = Amounts::new();
        let mut members: BTreeMap<MunicipalityCode, Amounts> = BTreeMap::new();
        for a in &applications {
            *by_status.entry(a.status.as_str().to_string()).or_default() += 1;
            if a.status != ApplicationStatusView::Draft && a.status != ApplicationStatusView::Withdrawn {
                add(&mut requested, &a.requested);
            }
            if let Some(g) = &a.granted {
                add(&mut granted, g);
            }
            if a.status != ApplicationStatusView::Withdrawn {
                for (m, money, _) in a.commitments() {
                    add(members.entry(*m).or_default(), money);
                }
            }
        }
        let approved = by_status.get("approved").copied().unwrap_or(0);
        let rejected = by_status.get("rejected").copied().unwrap_or(0);
        let success_rate = (approved + rejected > 0).then(|| f64::from(approved) / f64::from(approved + rejected));
        let mut projects: Vec<ProjectView> = related
            .map(|r| {
                r.projects
                    .iter()
                    .filter_map(|id| self.project_on(id, when.at, v))
                    .collect()
            })
            .unwrap_or_default();
        projects.sort_by(|a, b| a.period.start.cmp(&b.period.start).then(a.title.cmp(&b.title)));
        Some(ConsortiumOverview {
            consortium,
            valid_at: when.today,
            as_of: when.at,
            current_members,
            applications_by_status: by_status,
            requested,
            granted,
            member_co_financing: members
                .into_iter()
                .map(|(municipality, committed)| MemberCoFinancing {
                    municipality,
                    committed,
                })
                .collect(),
            success_rate,
            applications,
            projects,
        })
    }

    /// The yearly follow-up (uppföljning) for a municipality and a year.
    pub fn follow_up_report(&self, code: &MunicipalityCode, year: i32, when: AsOf) -> Option<FollowUpReport> {
        self.follow_up_report_on(code, year, when, None)
    }

    /// The yearly follow-up as the world stood on `valid_at`, as recorded by `when.at`.
    pub fn follow_up_report_on(
        &self,
        code: &MunicipalityCode,
        year: i32,
        when: AsOf,
        valid_at: Option<NaiveDate>,
    ) -> Option<FollowUpReport> {
        let v = valid_at;
        let when = AsOf {
            today: v.unwrap_or(when.today),
            ..when
        };
        let municipality = self.municipality_on(code, when.at, v)?;
        let first = NaiveDate::from_ymd_opt(year, 1, 1)?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31)?;
        let in_year = |d: NaiveDate| d.year() == year;
        let today = when.today;

        let projects = self.projects_of(code, when.at, v);
        let mut active = vec![];
        let mut achieved = vec![];
        let mut missed = vec![];
        let mut rescheduled = vec![];
        let mut focus: BTreeMap<String, u32> = BTreeMap::new();
        let mut eu: BTreeMap<String, u32> = BTreeMap::new();
        let strategies = self.strategies_of(code, when.at, v);
        for p in &projects {
            for m in &p.milestones {
                let line = || ReportMilestone {
                    project: p.id,
                    project_title: p.title.clone(),
                    milestone: m.clone(),
                };
                if m.achieved_on.is_some_and(in_year) {
                    achieved.push(line());
                }
                let due_passed = m.due < today && in_year(m.due);
                let late = match m.status {
                    MilestoneStatusView::Planned => due_passed,
                    MilestoneStatusView::Achieved => in_year(m.due) && m.achieved_on.is_some_and(|a| a > m.due),
                    MilestoneStatusView::Cancelled => false,
                };
                if late {
                    missed.push(line());
                }
                if m.rescheduled_at.iter().any(|d| in_year(*d)) {
                    rescheduled.push(line());
                }
            }
            if !p.period.overlaps(first, last) {
                continue;
            }
            active.push(ReportProject {
                role: p.role_of(code).unwrap_or("partner").to_string(),
                started_in_year: in_year(p.period.start),
                ended_in_year: p.closed_on.or(p.period.end).is_some_and(in_year),
                project: p.clone(),
            });
            let mut areas = BTreeSet::new();
            for g in &p.serves_goals {
                if let Some(area) = self.strategy_on(&g.strategy, when.at, v).and_then(|s| {
                    s.content
                        .goals
                        .iter()
                        .find(|x| x.id == g.goal)
                        .and_then(|x| x.focus_area.clone())
                }) {
                    areas.insert(area);
                }
            }
            for a in areas {
                *focus.entry(a).or_default() += 1;
            }
            for e in &p.eu_priorities {
                let key = match e {
                    EuPriority::Inclusive => "inclusive",
                    EuPriority::Digital => "digital",
                    EuPriority::Green => "green",
                };
                *eu.entry(key.to_string()).or_default() += 1;
            }
        }

        let involved = self.applications_of(code, when.at, v);
        let funding = funding_lines(code, &projects, &involved, Some(year));
        let applications: Vec<ApplicationView> = involved
            .into_iter()
            .filter(|a| {
                in_year(a.drafted_at.date_naive())
                    || a.submitted_at.is_some_and(|s| in_year(s.date_naive()))
                    || a.decided_on.is_some_and(in_year)
            })
            .collect();

        let adopted = strategies
            .iter()
            .filter(|s| s.adopted.as_ref().is_some_and(|d| in_year(d.date)))
            .cloned()
            .collect();
        let revised = strategies
            .iter()
            .filter(|s| s.revisions.iter().any(|r| in_year(r.decision.date)))
            .cloned()
            .collect();
        let expiring = strategies
            .iter()
            .filter(|s| s.status == StrategyStatusView::Adopted && s.validity.and_then(|v| v.end).is_some_and(in_year))
            .cloned()
            .collect();
        let reference_day = if today < last { today } else { last };
        let due = strategies
            .iter()
            .filter(|s| s.in_force_on(reference_day))
            .cloned()
            .map(|s| strategy_line(s, reference_day))
            .filter(|l| l.next_follow_up_due.is_some_and(|d| d <= last || d.year() == year + 1))
            .collect();

        Some(FollowUpReport {
            municipality,
            year,
            valid_at: when.today,
            as_of: when.at,
            projects_active: active,
            applications,
            funding_obtained: funding,
            milestones_achieved: achieved,
            milestones_missed: missed,
            milestones_rescheduled: rescheduled,
            strategies_adopted: adopted,
            strategies_revised: revised,
            strategies_expiring: expiring,
            strategies_due_for_follow_up: due,
            projects_per_focus_area: focus,
            projects_per_eu_priority: eu,
        })
    }

    /// Timeline of a subject (`municipality:SE-1487`, `consortium:V6`), newest
    /// first, entries strictly before position `before`, at most `limit`.
    /// Returns the entries and whether older ones remain.
    pub fn timeline(
        &self,
        subject: &str,
        before: Option<u64>,
        limit: usize,
        at: Option<DateTime<Utc>>,
    ) -> (Vec<TimelineEntry>, bool) {
        self.timeline_on(subject, before, limit, at, None)
    }

    /// The timeline without the events whose own date is after `valid_at`
    /// (events without a business date stay).
    pub fn timeline_on(
        &self,
        subject: &str,
        before: Option<u64>,
        limit: usize,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> (Vec<TimelineEntry>, bool) {
        let Some(indices) = Subject::parse(subject).and_then(|s| self.by_subject.get(&s)) else {
            return (vec![], false);
        };
        let mut out = vec![];
        let mut more = false;
        for &i in indices.iter().rev() {
            let Some(e) = self.log.get(i as usize) else { continue };
            if before.is_some_and(|b| e.stored.at.position >= b)
                || at.is_some_and(|t| e.stored.at.recorded_at > t)
                || e.after_business_day(valid_at)
            {
                continue;
            }
            if out.len() == limit {
                more = true;
                break;
            }
            out.push(e.to_timeline());
        }
        (out, more)
    }

    pub fn projects(&self, f: &ProjectFilter, at: Option<DateTime<Utc>>) -> Vec<ProjectView> {
        self.projects_on(f, at, None)
    }

    /// Projects as recorded by `at`, as they stood on `valid_at` (started by then).
    pub fn projects_on(
        &self,
        f: &ProjectFilter,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Vec<ProjectView> {
        let ids: Box<dyn Iterator<Item = &ProjectId>> = match (&f.municipality, &f.consortium) {
            (Some(m), _) => Box::new(self.related(m).into_iter().flat_map(|r| r.projects.iter())),
            (None, Some(c)) => Box::new(self.by_consortium.get(c).into_iter().flat_map(|r| r.projects.iter())),
            (None, None) => Box::new(self.projects.keys()),
        };
        let mut out: Vec<ProjectView> = ids
            .filter_map(|id| self.project_on(id, at, valid_at))
            .filter(|p| f.municipality.as_ref().is_none_or(|m| p.role_of(m).is_some()))
            .filter(|p| f.consortium.as_ref().is_none_or(|c| p.consortium.as_ref() == Some(c)))
            .filter(|p| f.programme.is_none_or(|k| p.programme.kind == k))
            .filter(|p| f.status.is_none_or(|s| p.status == s))
            .filter(|p| f.period.is_none_or(|(from, to)| p.period.overlaps(from, to)))
            .collect();
        out.sort_by(|a, b| a.period.start.cmp(&b.period.start).then(a.id.cmp(&b.id)));
        out
    }

    pub fn applications_list(&self, f: &ApplicationFilter, at: Option<DateTime<Utc>>) -> Vec<ApplicationView> {
        self.applications_list_on(f, at, None)
    }

    /// Applications as recorded by `at`, as they stood on `valid_at` (drafted by then).
    pub fn applications_list_on(
        &self,
        f: &ApplicationFilter,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Vec<ApplicationView> {
        let ids: Box<dyn Iterator<Item = &ApplicationId>> = match (&f.municipality, &f.consortium) {
            (Some(m), _) => Box::new(self.related(m).into_iter().flat_map(|r| r.applications.iter())),
            (None, Some(c)) => Box::new(
                self.by_consortium
                    .get(c)
                    .into_iter()
                    .flat_map(|r| r.applications.iter()),
            ),
            (None, None) => Box::new(self.applications.keys()),
        };
        let mut out: Vec<ApplicationView> = ids
            .filter_map(|id| self.application_on(id, at, valid_at))
            .filter(|a| f.municipality.as_ref().is_none_or(|m| a.involves(m)))
            .filter(|a| f.consortium.as_ref().is_none_or(|c| &a.consortium == c))
            .filter(|a| f.programme.is_none_or(|k| a.programme.kind == k))
            .filter(|a| f.status.is_none_or(|s| a.status == s))
            .filter(|a| {
                f.period
                    .is_none_or(|(from, to)| a.drafted_at.date_naive() >= from && a.drafted_at.date_naive() <= to)
            })
            .collect();
        out.sort_by(|a, b| a.drafted_at.cmp(&b.drafted_at).then(a.id.cmp(&b.id)));
        out
    }

    pub fn strategies_list(
        &self,
        municipality: Option<&MunicipalityCode>,
        at: Option<DateTime<Utc>>,
    ) -> Vec<StrategyView> {
        self.strategies_list_on(municipality, at, None)
    }

    /// Strategy documents as recorded by `at`, as they stood on `valid_at`.
    pub fn strategies_list_on(
        &self,
        municipality: Option<&MunicipalityCode>,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Vec<StrategyView> {
        let mut out: Vec<StrategyView> = match municipality {
            Some(m) => self.strategies_of(m, at, valid_at),
            None => self
                .strategies
                .values()
                .filter_map(|e| valid_on(e.at(at, &self.log), valid_at))
                .collect(),
        };
        out.sort_by(|a, b| a.municipality.cmp(&b.municipality).then(a.title.cmp(&b.title)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn terms_of_office() {
        assert_eq!(
            term_of_office("SE", d("2024-02-12")),
            (d("2022-10-15"), d("2026-10-14"))
        );
        assert_eq!(
            term_of_office("SE", d("2026-11-23")),
            (d("2026-10-15"), d("2030-10-14"))
        );
        assert_eq!(
            term_of_office("SE", d("2026-10-14")),
            (d("2022-10-15"), d("2026-10-14"))
        );
        assert_eq!(
            term_of_office("NO", d("2024-05-01")),
            (d("2023-10-01"), d("2027-09-30"))
        );
    }
}
