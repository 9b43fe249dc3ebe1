//! The yearly follow-up (uppföljning) of a municipality: the query and its types.

use async_graphql::SimpleObject;
use samverkan_app::projections::queries as q;
use uuid::Uuid;

use crate::error::ApiError;
use crate::scalars::{Date, DateTime, MunicipalityCode};
use crate::types::*;

/// A project active in the reported year.
#[derive(SimpleObject, Clone, Debug)]
pub struct ReportProject {
    pub project: Project,
    pub role: ProjectRole,
    pub started_in_year: bool,
    pub ended_in_year: bool,
}

/// A milestone in the report.
#[derive(SimpleObject, Clone, Debug)]
pub struct ReportMilestone {
    pub project_id: Uuid,
    pub project_title: String,
    pub milestone: Milestone,
}

impl From<&q::ReportMilestone> for ReportMilestone {
    fn from(m: &q::ReportMilestone) -> Self {
        ReportMilestone {
            project_id: m.project.0,
            project_title: m.project_title.clone(),
            milestone: (&m.milestone).into(),
        }
    }
}

/// A count per key (focus area or EU priority).
#[derive(SimpleObject, Clone, Debug)]
pub struct KeyCount {
    pub key: String,
    pub count: u32,
}

/// The yearly follow-up (uppföljning) of a municipality's international work.
#[derive(SimpleObject, Clone, Debug)]
pub struct FollowUpReport {
    pub municipality: Municipality,
    pub year: i32,
    /// The business date the report is computed on (`validAt`, or today).
    pub valid_at: Date,
    /// The recording instant this answer is about (`asOf`); null: everything recorded.
    pub as_of: Option<DateTime>,
    /// Projects (as lead or partner) active some time in the year.
    pub projects_active: Vec<ReportProject>,
    /// Applications drafted, submitted or decided in the year.
    pub applications: Vec<Application>,
    /// Funding granted and own co-financing committed in the year.
    pub funding_obtained: Vec<FundingLine>,
    pub milestones_achieved: Vec<ReportMilestone>,
    /// Milestones due in the year that were not achieved on time.
    pub milestones_missed: Vec<ReportMilestone>,
    pub milestones_rescheduled: Vec<ReportMilestone>,
    pub strategies_adopted: Vec<Strategy>,
    pub strategies_revised: Vec<Strategy>,
    /// Adopted documents whose validity ends in the year.
    pub strategies_expiring: Vec<Strategy>,
    pub strategies_due_for_follow_up: Vec<StrategyLine>,
    pub projects_per_focus_area: Vec<KeyCount>,
    pub projects_per_eu_priority: Vec<KeyCount>,
}

impl From<&q::FollowUpReport> for FollowUpReport {
    fn from(r: &q::FollowUpReport) -> Self {
        let counts = |m: &std::collections::BTreeMap<String, u32>| {
            m.iter()
                .map(|(k, n)| KeyCount {
                    key: k.clone(),
                    count: *n,
                })
                .collect()
        };
        FollowUpReport {
            municipality: (&r.municipality).into(),
            year: r.year,
            valid_at: r.valid_at.into(),
            as_of: r.as_of.map(DateTime),
            projects_active: r
                .projects_active
                .iter()
                .map(|p| ReportProject {
                    project: (&p.project).into(),
                    role: ProjectRole::from_label(&p.role),
                    started_in_year: p.started_in_year,
                    ended_in_year: p.ended_in_year,
                })
                .collect(),
            applications: r.applications.iter().map(Application::from).collect(),
            funding_obtained: r.funding_obtained.iter().map(FundingLine::from).collect(),
            milestones_achieved: r.milestones_achieved.iter().map(ReportMilestone::from).collect(),
            milestones_missed: r.milestones_missed.iter().map(ReportMilestone::from).collect(),
            milestones_rescheduled: r.milestones_rescheduled.iter().map(ReportMilestone::from).collect(),
            strategies_adopted: r.strategies_adopted.iter().map(Strategy::from).collect(),
            strategies_revised: r.strategies_revised.iter().map(Strategy::from).collect(),
            strategies_expiring: r.strategies_expiring.iter().map(Strategy::from).collect(),
            strategies_due_for_follow_up: r.strategies_due_for_follow_up.iter().map(StrategyLine::from).collect(),
            projects_per_focus_area: counts(&r.projects_per_focus_area),
            projects_per_eu_priority: counts(&r.projects_per_eu_priority),
        }
    }
}

crate::query::read_fields! {
    FollowUpQuery {
        /// The yearly follow-up (uppföljning) of a municipality: projects active in
        /// the year, applications, funding obtained, milestones achieved, missed
        /// and rescheduled, strategies adopted, revised, expiring and due for
        /// follow-up. Use `asOf` to reproduce a report as it stood on a date.
        one fn follow_up_report(ctx, at, municipality: MunicipalityCode, year: i32) -> FollowUpReport {
            if !(1900..=2200).contains(&year) {
                return Err(
                    ApiError::validation("invalid_year", format!("year {year} is out of range (1900–2200)")).into(),
                );
            }
            at.find_seen(ctx, "municipality", municipality.0, |seen| {
                seen.follow_up_report_on(&municipality.0, year, at.when(), at.valid)
                    .map(|x| FollowUpReport::from(&x))
            })
            .await
        }
    }
}
