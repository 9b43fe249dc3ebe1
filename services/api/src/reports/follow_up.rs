//! The yearly follow-up (uppföljning) of a municipality: the query and its types.

use std::collections::BTreeMap;

use async_graphql::SimpleObject;
use samverkan_app::projections::queries as q;
use uuid::Uuid;

use crate::error::ApiError;
use crate::scalars::{CountryCode, Date, DateTime, MunicipalityCode};
use crate::shared::{all, output_from};
use crate::types::*;

output_from! {
    /// A project active in the reported year.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct ReportProject from p: &q::ReportProject {
        pub project: Project = (&p.project).into(),
        pub role: ProjectRole = ProjectRole::from_label(&p.role),
        /// A cross-border project: the side (country) this municipality takes
        /// part in, i.e. its own country's side; `null` for one budget.
        pub side: Option<CountryCode> = p.side.map(Into::into),
        /// Whether this municipality's funding lines hold that side's grant
        /// (one holder per side; see `FundingLine.granted`).
        pub holds_side: bool = p.holds_side,
        pub started_in_year: bool = p.started_in_year,
        pub ended_in_year: bool = p.ended_in_year,
    }
}

output_from! {
    /// A milestone in the report.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct ReportMilestone from m: &q::ReportMilestone {
        pub project_id: Uuid = m.project.0,
        pub project_title: String = m.project_title.clone(),
        pub milestone: Milestone = (&m.milestone).into(),
    }
}

/// A count per key (focus area or EU priority).
#[derive(SimpleObject, Clone, Debug)]
pub struct KeyCount {
    pub key: String,
    pub count: u32,
}

fn counts(m: &BTreeMap<String, u32>) -> Vec<KeyCount> {
    m.iter()
        .map(|(k, n)| KeyCount {
            key: k.clone(),
            count: *n,
        })
        .collect()
}

output_from! {
    /// The yearly follow-up (uppföljning) of a municipality's international work.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct FollowUpReport from r: &q::FollowUpReport {
        pub municipality: Municipality = (&r.municipality).into(),
        pub year: i32 = r.year,
        /// The business date the report is computed on (`validAt`, or today).
        pub valid_at: Date = r.valid_at.into(),
        /// The recording instant this answer is about (`asOf`); null: everything recorded.
        pub as_of: Option<DateTime> = r.as_of.map(DateTime),
        /// Projects (as lead or partner) active some time in the year.
        pub projects_active: Vec<ReportProject> = all(&r.projects_active),
        /// Applications drafted, submitted or decided in the year.
        pub applications: Vec<Application> = r
            .applications
            .iter()
            .map(|a| Application::from(a).on(samverkan_app::projections::AsOf { at: r.as_of, today: r.valid_at }))
            .collect(),
        /// Funding granted and own co-financing committed in the year.
        pub funding_obtained: Vec<FundingLine> = all(&r.funding_obtained),
        pub milestones_achieved: Vec<ReportMilestone> = all(&r.milestones_achieved),
        /// Milestones due in the year that were not achieved on time.
        pub milestones_missed: Vec<ReportMilestone> = all(&r.milestones_missed),
        pub milestones_rescheduled: Vec<ReportMilestone> = all(&r.milestones_rescheduled),
        pub strategies_adopted: Vec<Strategy> = all(&r.strategies_adopted),
        pub strategies_revised: Vec<Strategy> = all(&r.strategies_revised),
        /// Adopted documents whose validity ends in the year.
        pub strategies_expiring: Vec<Strategy> = all(&r.strategies_expiring),
        pub strategies_due_for_follow_up: Vec<StrategyLine> = all(&r.strategies_due_for_follow_up),
        pub projects_per_focus_area: Vec<KeyCount> = counts(&r.projects_per_focus_area),
        pub projects_per_eu_priority: Vec<KeyCount> = counts(&r.projects_per_eu_priority),
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
