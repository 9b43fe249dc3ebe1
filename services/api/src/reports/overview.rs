//! A consortium's overview for its coordinator: the query and its types.

use async_graphql::SimpleObject;
use samverkan_app::projections::queries as q;

use samverkan_app::projections::AsOf;

use crate::programme::types::{DecisionOwed, PartyStatus, RuleCheck};
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

/// How one application stands against its call's rule set.
#[derive(SimpleObject, Clone, Debug)]
pub struct ApplicationStanding {
    pub application: Application,
    /// The day checked for: its submission's day, else the overview's day
    /// (`validAt`; else the day of `asOf`; else today).
    pub checked_on: Date,
    /// The "W" rules it breaks, each with its name (`rule`) and numbers.
    pub warnings: Vec<RuleCheck>,
    /// The "E" rules it breaks: the command of the rule's `stage` would be refused.
    pub failures: Vec<RuleCheck>,
    /// Each party's status: committed (and whether the commitment satisfies
    /// the rules that name it), pending with its next meeting up to the
    /// deadline, declined.
    pub party_statuses: Vec<PartyStatus>,
}

fn standing(s: &q::ApplicationStanding, when: AsOf) -> ApplicationStanding {
    ApplicationStanding {
        application: Application::from(&s.application).on(when),
        checked_on: s.checked_on.into(),
        warnings: all(&s.warnings),
        failures: all(&s.failures),
        party_statuses: all(&s.party_statuses),
    }
}

fn axis(o: &q::ConsortiumOverview) -> AsOf {
    AsOf {
        at: o.as_of,
        today: o.valid_at,
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
        pub applications: Vec<Application> = o.applications.iter().map(|a| Application::from(a).on(axis(o))).collect(),
        pub projects: Vec<Project> = all(&o.projects),
        /// Each application's standing against its call's rule set: the rule
        /// warnings and broken "E" rules, each member's status. The same
        /// applications as `applications` (drafts only for those who may see
        /// them), judged on `validAt`, calendars as recorded by `asOf`.
        pub standings: Vec<ApplicationStanding> = o.standings.iter().map(|s| standing(s, axis(o))).collect(),
        /// The co-financing decisions the parties owe in the consortium's
        /// drafts, by deadline, each with the next meeting that can take it
        /// or the warning `no_meeting_before_deadline` (on `validAt`).
        pub decisions_owed: Vec<DecisionOwed> = o.decisions_owed.iter().map(|d| DecisionOwed::from(d).on(axis(o))).collect(),
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
