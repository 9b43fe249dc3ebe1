//! A consortium's overview for its coordinator: the query and its types.

use async_graphql::SimpleObject;
use samverkan_app::projections::queries as q;

use crate::scalars::{ConsortiumCode, Date, DateTime, MunicipalityCode};
use crate::types::*;

/// How many applications have a status.
#[derive(SimpleObject, Clone, Debug)]
pub struct StatusCount {
    pub status: ApplicationStatus,
    pub count: u32,
}

/// A member's committed co-financing over all non-withdrawn applications.
#[derive(SimpleObject, Clone, Debug)]
pub struct MemberCoFinancing {
    pub municipality: MunicipalityCode,
    pub committed: Vec<Money>,
}

/// A consortium's overview for its coordinator.
#[derive(SimpleObject, Clone, Debug)]
pub struct ConsortiumOverview {
    pub consortium: Consortium,
    /// The business date members are counted on (`validAt`, or today).
    pub valid_at: Date,
    /// The recording instant this answer is about (`asOf`); null: everything recorded.
    pub as_of: Option<DateTime>,
    pub current_members: Vec<MunicipalityCode>,
    /// Every status, also those with count 0.
    pub applications_by_status: Vec<StatusCount>,
    /// Requested by submitted and decided applications, per currency.
    pub requested: Vec<Money>,
    pub granted: Vec<Money>,
    pub member_co_financing: Vec<MemberCoFinancing>,
    /// approved / (approved + rejected); null before any decision.
    pub success_rate: Option<f64>,
    pub applications: Vec<Application>,
    pub projects: Vec<Project>,
}

fn status_from_label(s: &str) -> Option<ApplicationStatus> {
    Some(match s {
        "draft" => ApplicationStatus::Draft,
        "submitted" => ApplicationStatus::Submitted,
        "approved" => ApplicationStatus::Approved,
        "rejected" => ApplicationStatus::Rejected,
        "withdrawn" => ApplicationStatus::Withdrawn,
        _ => return None,
    })
}

impl From<&q::ConsortiumOverview> for ConsortiumOverview {
    fn from(o: &q::ConsortiumOverview) -> Self {
        ConsortiumOverview {
            consortium: (&o.consortium).into(),
            valid_at: o.valid_at.into(),
            as_of: o.as_of.map(DateTime),
            current_members: o.current_members.iter().map(MunicipalityCode::from).collect(),
            applications_by_status: o
                .applications_by_status
                .iter()
                .filter_map(|(s, n)| status_from_label(s).map(|status| StatusCount { status, count: *n }))
                .collect(),
            requested: amounts(&o.requested),
            granted: amounts(&o.granted),
            member_co_financing: o
                .member_co_financing
                .iter()
                .map(|m| MemberCoFinancing {
                    municipality: (&m.municipality).into(),
                    committed: amounts(&m.committed),
                })
                .collect(),
            success_rate: o.success_rate,
            applications: o.applications.iter().map(Application::from).collect(),
            projects: o.projects.iter().map(Project::from).collect(),
        }
    }
}

crate::query::read_fields! {
    OverviewQuery {
        /// A consortium's overview: members, applications by status, amounts
        /// requested and granted, each member's co-financing, success rate.
        one fn consortium_overview(ctx, at, consortium: ConsortiumCode) -> ConsortiumOverview {
            at.find_seen(ctx, "consortium", &consortium.0, |seen| {
                seen.consortium_overview_on(&consortium.0, at.when(), at.valid)
                    .map(|x| ConsortiumOverview::from(&x))
            })
            .await
        }
    }
}
