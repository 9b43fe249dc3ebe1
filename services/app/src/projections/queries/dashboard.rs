//! A municipality's dashboard: strategies in force and their follow-ups,
//! memberships, projects with their milestones, the applications waiting for
//! its answer, funding, twin towns, goals and the handover at a change of term.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use samverkan_domain::application::ApplicationStatus;
use samverkan_domain::project::{MilestoneStatus, ProjectStatus};
use samverkan_domain::strategy::Goal;
use samverkan_domain::{ConsortiumCode, MunicipalityCode, ProjectId, StrategyId};
use serde::Serialize;

use super::follow_ups::{strategy_line, StrategyLine};
use super::funding::{funding_lines, FundingLine};
use super::{on_day, AsOf};
use crate::projections::terms;
use crate::projections::views::*;
use crate::projections::Visible;

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
    /// A cross-border project: the side (country) this municipality takes part in.
    pub side: Option<samverkan_domain::CountryCode>,
    /// Whether this municipality's funding lines hold that side's grant (one holder per side).
    pub holds_side: bool,
    pub next_milestone: Option<MilestoneView>,
    pub overdue_milestones: Vec<MilestoneView>,
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
    /// The co-financing decisions it owes, by deadline, with the meeting that can take each.
    pub decisions_owed: Vec<super::rules::DecisionOwed>,
    /// Its planned meetings from the day on.
    pub meetings: Vec<samverkan_domain::calendar::Meeting>,
}

/// Which parts of a dashboard to build: a query that asks for a few of its
/// fields builds only those (and what they are computed from); the other
/// parts are left empty. [`DashboardParts::ALL`] builds everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DashboardParts {
    pub strategies_in_force: bool,
    pub expiring_strategies: bool,
    pub memberships: bool,
    pub projects: bool,
    pub action_list: bool,
    pub funding: bool,
    pub twin_towns: bool,
    pub goals: bool,
    pub handover: bool,
    pub decisions_owed: bool,
    pub meetings: bool,
}

impl DashboardParts {
    pub const ALL: DashboardParts = DashboardParts {
        strategies_in_force: true,
        expiring_strategies: true,
        memberships: true,
        projects: true,
        action_list: true,
        funding: true,
        twin_towns: true,
        goals: true,
        handover: true,
        decisions_owed: true,
        meetings: true,
    };
}

const EXPIRY_WINDOW_DAYS: i64 = 365;

fn milestone_lines(p: &ProjectView, today: NaiveDate) -> (Option<MilestoneView>, Vec<MilestoneView>) {
    let planned = p.milestones.iter().filter(|m| m.status == MilestoneStatus::Planned);
    let next = planned
        .clone()
        .filter(|m| m.due >= today)
        .min_by_key(|m| m.due)
        .cloned();
    let mut overdue: Vec<MilestoneView> = if p.status == ProjectStatus::Active {
        planned.filter(|m| m.due < today).cloned().collect()
    } else {
        vec![]
    };
    overdue.sort_by_key(|m| m.due);
    (next, overdue)
}

impl Visible<'_> {
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
                    .models
                    .strategies_of(code, when.at, Some(first))
                    .into_iter()
                    .filter(|s| s.in_force_on(first))
                    .map(|s| (s.id, s.title))
                    .collect();
                let mut commitments: Vec<terms::InheritedCommitment> = applications
                    .iter()
                    .filter(|a| a.status != ApplicationStatus::Withdrawn)
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
                    .models
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
        self.dashboard_parts(code, when, valid_at, DashboardParts::ALL)
    }

    /// [`Visible::dashboard_on`] with only `parts` built (the others empty).
    pub fn dashboard_parts(
        &self,
        code: &MunicipalityCode,
        when: AsOf,
        valid_at: Option<NaiveDate>,
        parts: DashboardParts,
    ) -> Option<Dashboard> {
        let v = valid_at;
        let when = on_day(when, v);
        let models = self.models;
        let municipality = models.municipality_on(code, when.at, v)?;
        let today = when.today;
        let mut in_force: Vec<StrategyLine> = vec![];
        if parts.strategies_in_force || parts.expiring_strategies || parts.goals {
            let strategies = models.strategies_of(code, when.at, v);
            in_force = strategies
                .iter()
                .filter(|s| s.in_force_on(today))
                .cloned()
                .map(|s| strategy_line(s, today))
                .collect();
            in_force.sort_by(|a, b| a.strategy.title.cmp(&b.strategy.title));
        }
        let horizon = today + Duration::days(EXPIRY_WINDOW_DAYS);
        let expiring = if parts.expiring_strategies {
            in_force
                .iter()
                .filter(|l| l.valid_until.is_some_and(|u| u <= horizon))
                .cloned()
                .collect()
        } else {
            vec![]
        };

        let mut memberships = vec![];
        if let Some(r) = models.related(code).filter(|_| parts.memberships) {
            for c in &r.consortia {
                let Some(view) = models.consortium_on(c, when.at, v) else {
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

        let projects_all = if parts.projects || parts.funding || parts.goals {
            models.projects_of(code, when.at, v)
        } else {
            vec![]
        };
        let applications = if parts.action_list || parts.funding || parts.handover {
            self.applications_of(code, when.at, v)
        } else {
            vec![]
        };
        let funding = if parts.funding {
            funding_lines(code, &projects_all, &applications, None)
        } else {
            vec![]
        };
        let mut projects = vec![];
        for p in projects_all {
            let (next, overdue) = milestone_lines(&p, today);
            let side = p.side_of(code);
            projects.push(ProjectLine {
                role: p.role_of(code).unwrap_or("partner").to_string(),
                side,
                holds_side: side.is_some_and(|c| super::funding::side_holder(&p, c).as_ref() == Some(code)),
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

        let handover = if parts.handover {
            self.handover(code, when, today, &applications)
        } else {
            vec![]
        };
        let mut action_list: Vec<ApplicationView> = if parts.action_list {
            applications.into_iter().filter(|a| a.pending_for(code)).collect()
        } else {
            vec![]
        };
        action_list.sort_by_key(|a| a.deadline);

        let twin_towns = if parts.twin_towns {
            municipality
                .twin_towns
                .iter()
                .filter(|t| t.ended_on.is_none_or(|e| e > today))
                .cloned()
                .collect()
        } else {
            vec![]
        };

        let mut goals = vec![];
        for s in in_force.iter().map(|l| &l.strategy).filter(|_| parts.goals) {
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

        let on = AsOf { today, ..when };
        let decisions_owed = if parts.decisions_owed {
            self.decisions_owed(code, on, v)
        } else {
            vec![]
        };
        let meetings = if parts.meetings {
            self.models
                .calendar(code, when.at)
                .meetings
                .into_iter()
                .filter(|m| m.date >= today)
                .collect()
        } else {
            vec![]
        };
        if !parts.projects {
            projects.clear();
        }
        if !parts.strategies_in_force {
            in_force.clear();
        }
        Some(Dashboard {
            decisions_owed,
            meetings,
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
}
