//! Read rules: municipalities, strategies, consortia, projects and submitted
//! applications are public records for every authenticated caller; a joint
//! application that has not been submitted is seen only by its parties
//! ([`may_read_draft`]). Everything the read models answer passes through
//! here before it is turned into GraphQL types, so that a draft leaks
//! nowhere: lookups and lists of applications, dashboards' action lists and
//! funding sums, consortium overviews, follow-up reports, timelines and the
//! subscription feeds.
//!
//! Whether an application is still a draft is judged on its *current* state,
//! also for `asOf` questions: once submitted, its whole history is public.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_app::projections::queries::MemberCoFinancing;
use samverkan_app::projections::views::{self as v, ApplicationStatusView, ApplicationView};
use samverkan_app::projections::{
    ApplicationFilter, ConsortiumOverview, Dashboard, FollowUpReport, Subject, TimelineEntry,
};
use samverkan_app::ReadModels;
use samverkan_domain::{ApplicationId, MunicipalityCode};

use crate::auth::{may_read_draft, Principal};

/// The caller, as far as reading goes.
pub(crate) struct Viewer<'p> {
    principal: &'p Principal,
}

impl<'p> Viewer<'p> {
    pub(crate) fn new(principal: &'p Principal) -> Self {
        Self { principal }
    }

    fn sees_everything(&self) -> bool {
        self.principal.is_admin()
    }

    /// Whether the caller may see this application (given as of any instant).
    pub(crate) fn may_see(&self, models: &ReadModels, a: &ApplicationView) -> bool {
        if self.sees_everything() {
            return true;
        }
        let current = models.applications.get(&a.id).and_then(|e| e.current.as_ref());
        let view = current.unwrap_or(a);
        view.submitted_at.is_some() || self.party(view)
    }

    /// Whether the caller may see the application with this id (unknown ids: yes).
    pub(crate) fn may_see_id(&self, models: &ReadModels, id: &ApplicationId) -> bool {
        if self.sees_everything() {
            return true;
        }
        match models.applications.get(id).and_then(|e| e.current.as_ref()) {
            Some(view) => view.submitted_at.is_some() || self.party(view),
            None => true,
        }
    }

    fn party(&self, a: &ApplicationView) -> bool {
        let invited: Vec<MunicipalityCode> = a.co_applicants.iter().map(|c| c.municipality).collect();
        may_read_draft(self.principal, &a.consortium, &a.lead_applicant, &invited)
    }

    /// Remove hidden drafts from a dashboard: its action list, and their
    /// co-financing from its funding lines.
    pub(crate) fn dashboard(&self, models: &ReadModels, d: &mut Dashboard, at: Option<DateTime<Utc>>) {
        if self.sees_everything() {
            return;
        }
        d.action_list.retain(|a| self.may_see(models, a));
        let code = d.municipality.code;
        let filter = ApplicationFilter {
            municipality: Some(code),
            ..ApplicationFilter::default()
        };
        let applications = models.applications_list_on(&filter, at, d.valid_at);
        if applications.iter().all(|a| self.may_see(models, a)) {
            return;
        }
        // Recompute the funding lines by the read models' own rule, without
        // the hidden applications.
        d.funding = models.funding_on(&code, at, d.valid_at, None, |a| self.may_see(models, a));
    }

    /// Remove hidden drafts from a consortium overview and recompute its sums.
    pub(crate) fn overview(&self, models: &ReadModels, o: &mut ConsortiumOverview) {
        if self.sees_everything() || o.applications.iter().all(|a| self.may_see(models, a)) {
            return;
        }
        o.applications.retain(|a| self.may_see(models, a));
        let mut by_status: BTreeMap<String, u32> = ["draft", "submitted", "approved", "rejected", "withdrawn"]
            .iter()
            .map(|s| (s.to_string(), 0))
            .collect();
        let mut requested = v::Amounts::new();
        let mut granted = v::Amounts::new();
        let mut members: BTreeMap<MunicipalityCode, v::Amounts> = BTreeMap::new();
        for a in &o.applications {
            *by_status.entry(a.status.as_str().to_string()).or_default() += 1;
            if a.status != ApplicationStatusView::Draft && a.status != ApplicationStatusView::Withdrawn {
                v::add(&mut requested, &a.requested);
            }
            if let Some(g) = &a.granted {
                v::add(&mut granted, g);
            }
            if a.status != ApplicationStatusView::Withdrawn {
                for (m, money, _) in a.commitments() {
                    v::add(members.entry(*m).or_default(), money);
                }
            }
        }
        let approved = by_status.get("approved").copied().unwrap_or(0);
        let rejected = by_status.get("rejected").copied().unwrap_or(0);
        o.success_rate = (approved + rejected > 0).then(|| f64::from(approved) / f64::from(approved + rejected));
        o.applications_by_status = by_status;
        o.requested = requested;
        o.granted = granted;
        o.member_co_financing = members
            .into_iter()
            .map(|(municipality, committed)| MemberCoFinancing {
                municipality,
                committed,
            })
            .collect();
    }

    /// Remove hidden drafts from a follow-up report and recompute its funding
    /// (`valid_at`: the business day the report was asked on, if any).
    pub(crate) fn report(&self, models: &ReadModels, r: &mut FollowUpReport, valid_at: Option<NaiveDate>) {
        if self.sees_everything() || r.applications.iter().all(|a| self.may_see(models, a)) {
            return;
        }
        r.applications.retain(|a| self.may_see(models, a));
        let code = r.municipality.code;
        r.funding_obtained = models.funding_on(&code, r.as_of, valid_at, Some(r.year), |a| self.may_see(models, a));
    }

    /// A subject's timeline, newest first, without the entries of hidden
    /// drafts: entries strictly before position `before`, at most `limit`,
    /// and whether older visible ones remain.
    pub(crate) fn timeline(
        &self,
        models: &ReadModels,
        subject: &str,
        before: Option<u64>,
        limit: usize,
        at: Option<DateTime<Utc>>,
        valid_at: Option<chrono::NaiveDate>,
    ) -> (Vec<TimelineEntry>, bool) {
        if self.sees_everything() {
            return models.timeline_on(subject, before, limit, at, valid_at);
        }
        let Some(indices) = Subject::parse(subject).and_then(|s| models.by_subject.get(&s)) else {
            return (vec![], false);
        };
        let mut seen: HashMap<ApplicationId, bool> = HashMap::new();
        let mut out = vec![];
        for &i in indices.iter().rev() {
            let Some(e) = models.log.get(i as usize) else { continue };
            if before.is_some_and(|b| e.stored.at.position >= b)
                || at.is_some_and(|t| e.stored.at.recorded_at > t)
                || e.after_business_day(valid_at)
            {
                continue;
            }
            if let Some(id) = e.application() {
                let visible = *seen.entry(id).or_insert_with(|| self.may_see_id(models, &id));
                if !visible {
                    continue;
                }
            }
            if out.len() == limit {
                return (out, true);
            }
            out.push(e.to_timeline());
        }
        (out, false)
    }

    /// Whether a live timeline entry may be sent to the caller.
    pub(crate) fn may_see_entry(&self, models: &ReadModels, entry: &TimelineEntry) -> bool {
        entry.application.is_none_or(|id| self.may_see_id(models, &id))
    }
}
