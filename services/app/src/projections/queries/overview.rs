//! A consortium's overview for its coordinator: members, applications by
//! status, amounts requested and granted, each member's co-financing,
//! success rate.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::application::ApplicationStatus;
use samverkan_domain::programme::Outcome;
use samverkan_domain::{ConsortiumCode, MunicipalityCode};
use serde::Serialize;

use super::rules::{DecisionOwed, PartyStatus};
use super::{on_day, AsOf};
use crate::projections::views::*;
use crate::projections::Visible;

#[derive(Debug, Clone, Serialize)]
pub struct MemberCoFinancing {
    pub municipality: MunicipalityCode,
    pub committed: Amounts,
}

/// How one application stands against its call's rule set, for the coordinator.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationStanding {
    pub application: ApplicationView,
    /// The day checked for: its submission's day, else the overview's day (`validAt`, else today).
    pub checked_on: NaiveDate,
    /// The "W" rules it breaks.
    pub warnings: Vec<samverkan_domain::programme::RuleCheck>,
    /// The "E" rules it breaks (the command of their stage would be refused).
    pub failures: Vec<samverkan_domain::programme::RuleCheck>,
    /// Each party's status: committed (and whether the commitment satisfies
    /// the rules), pending with its next meeting, declined.
    pub party_statuses: Vec<PartyStatus>,
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
    /// Each application's standing against its rule set (the same
    /// applications, as the viewer may see them).
    pub standings: Vec<ApplicationStanding>,
    /// The co-financing decisions the parties owe in its drafts, by deadline.
    pub decisions_owed: Vec<DecisionOwed>,
}

/// The key an application status is counted under in
/// [`ConsortiumOverview::applications_by_status`].
fn status_key(status: ApplicationStatus) -> &'static str {
    match status {
        ApplicationStatus::None | ApplicationStatus::Draft => "draft",
        ApplicationStatus::Submitted => "submitted",
        ApplicationStatus::Approved => "approved",
        ApplicationStatus::Rejected => "rejected",
        ApplicationStatus::Withdrawn => "withdrawn",
    }
}

impl Visible<'_> {
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
        let when = on_day(when, v);
        let models = self.models;
        let consortium = models.consortium_on(code, when.at, v)?;
        let current_members = consortium
            .memberships
            .iter()
            .filter(|m| m.active_on(when.today) || (m.left_on.is_none() && m.joined_on <= when.today))
            .map(|m| m.municipality)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let related = models.by_consortium.get(code);
        let mut applications: Vec<ApplicationView> = related
            .map(|r| {
                r.applications
                    .iter()
                    .filter_map(|id| models.application_on(id, when.at, v))
                    .filter(|a| self.may_see(a))
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
            *by_status.entry(status_key(a.status).to_string()).or_default() += 1;
            if a.status != ApplicationStatus::Draft && a.status != ApplicationStatus::Withdrawn {
                add(&mut requested, &a.requested);
            }
            if let Some(g) = &a.granted {
                add(&mut granted, g);
            }
            if a.status != ApplicationStatus::Withdrawn {
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
                    .filter_map(|id| models.project_on(id, when.at, v))
                    .collect()
            })
            .unwrap_or_default();
        projects.sort_by(|a, b| a.period.start.cmp(&b.period.start).then(a.title.cmp(&b.title)));
        let standings = applications
            .iter()
            .map(|a| {
                let check = models.check_application(a, when);
                let of = |o: Outcome| check.checks.iter().filter(|c| c.outcome == o).cloned().collect();
                ApplicationStanding {
                    checked_on: check.on,
                    warnings: of(Outcome::Warning),
                    failures: of(Outcome::Fail),
                    party_statuses: models.party_statuses(a, when),
                    application: a.clone(),
                }
            })
            .collect();
        let decisions_owed = models.decisions_owed_in(&applications, when);
        Some(ConsortiumOverview {
            standings,
            decisions_owed,
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
}
