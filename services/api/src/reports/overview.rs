//! A consortium's overview for its coordinator: the query and its types.

use async_graphql::SimpleObject;
use samverkan_app::projections::queries as q;

use crate::scalars::{ConsortiumCode, Date, DateTime, MunicipalityCode};
use crate::shared::{all, output_from};
use crate::types::*;

/// How many applications have a status.
#[derive(SimpleObject, Clone, Debug)]
pub struct StatusCount {
    pub status: ApplicationStatus,
    pub count: u32,
}

output_from! {
    /// A member's committed co-financing over all non-withdrawn applications.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct MemberCoFinancing from m: &q::MemberCoFinancing {
        pub municipality: MunicipalityCode = (&m.municipality).into(),
        pub committed: Vec<Money> = amounts(&m.committed),
    }
}

output_from! {
    /// A consortium's overview for its coordinator.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct ConsortiumOverview from o: &q::ConsortiumOverview {
        pub consortium: Consortium = (&o.consortium).into(),
        /// The business date members are counted on (`validAt`, or today).
        pub valid_at: Date = o.valid_at.into(),
        /// The recording instant this answer is about (`asOf`); null: everything recorded.
        pub as_of: Option<DateTime> = o.as_of.map(DateTime),
        pub current_members: Vec<MunicipalityCode> = all(&o.current_members),
        /// Every status, also those with count 0.
        pub applications_by_status: Vec<StatusCount> = o
            .applications_by_status
            .iter()
            .filter_map(|(s, n)| status_from_label(s).map(|status| StatusCount { status, count: *n }))
            .collect(),
        /// Requested by submitted and decided applications, per currency.
        pub requested: Vec<Money> = amounts(&o.requested),
        pub granted: Vec<Money> = amounts(&o.granted),
        pub member_co_financing: Vec<MemberCoFinancing> = all(&o.member_co_financing),
        /// approved / (approved + rejected); null before any decision.
        pub success_rate: Option<f64> = o.success_rate,
        pub applications: Vec<Application> = all(&o.applications),
        pub projects: Vec<Project> = all(&o.projects),
    }
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
