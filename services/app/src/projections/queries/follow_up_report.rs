//! The yearly follow-up (uppföljning) of a municipality's international work.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use samverkan_domain::project::{EuPriority, MilestoneStatus};
use samverkan_domain::strategy::StrategyStatus;
use samverkan_domain::{MunicipalityCode, ProjectId};
use serde::Serialize;

use super::follow_ups::{strategy_line, StrategyLine};
use super::funding::{funding_lines, FundingLine};
use super::{on_day, AsOf};
use crate::projections::views::*;
use crate::projections::Visible;

#[derive(Debug, Clone, Serialize)]
pub struct ReportProject {
    pub project: ProjectView,
    pub role: String,
    /// A cross-border project: the side (country) this municipality takes part in.
    pub side: Option<samverkan_domain::CountryCode>,
    /// Whether this municipality's funding lines hold that side's grant (one holder per side).
    pub holds_side: bool,
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

impl Visible<'_> {
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
        let when = on_day(when, v);
        let models = self.models;
        let municipality = models.municipality_on(code, when.at, v)?;
        let first = NaiveDate::from_ymd_opt(year, 1, 1)?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31)?;
        let in_year = |d: NaiveDate| d.year() == year;
        let today = when.today;

        let projects = models.projects_of(code, when.at, v);
        let mut active = vec![];
        let mut achieved = vec![];
        let mut missed = vec![];
        let mut rescheduled = vec![];
        let mut focus: BTreeMap<String, u32> = BTreeMap::new();
        let mut eu: BTreeMap<String, u32> = BTreeMap::new();
        let strategies = models.strategies_of(code, when.at, v);
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
                    MilestoneStatus::Planned => due_passed,
                    MilestoneStatus::Achieved => in_year(m.due) && m.achieved_on.is_some_and(|a| a > m.due),
                    MilestoneStatus::Cancelled => false,
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
            let side = p.side_of(code);
            active.push(ReportProject {
                role: p.role_of(code).unwrap_or("partner").to_string(),
                side,
                holds_side: side.is_some_and(|c| super::funding::side_holder(p, c).as_ref() == Some(code)),
                started_in_year: in_year(p.period.start),
                ended_in_year: p.closed_on.or(p.period.end).is_some_and(in_year),
                project: p.clone(),
            });
            let mut areas = BTreeSet::new();
            for g in &p.serves_goals {
                if let Some(area) = models.strategy_on(&g.strategy, when.at, v).and_then(|s| {
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
            .filter(|s| s.status == StrategyStatus::Adopted && s.validity.and_then(|v| v.end).is_some_and(in_year))
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
}
