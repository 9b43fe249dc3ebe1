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

use chrono::{DateTime, Datelike, Utc};
use samverkan_app::projections::queries::{FundingLine, MemberCoFinancing};
use samverkan_app::projections::views::{self as v, ApplicationStatusView, ApplicationView};
use samverkan_app::projections::{
    ApplicationFilter, ConsortiumOverview, Dashboard, FollowUpReport, Subject, TimelineEntry,
};
use samverkan_app::ReadModels;
use samverkan_domain::{add_to_total, ApplicationId, Currency, MunicipalityCode, ProgrammeKind};

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
        // Recompute the funding lines as the read models do, without the
        // hidden applications: grants of projects by start year, own
        // commitments by decision year.
        let mut funding: Lines = BTreeMap::new();
        for line in &d.projects {
            let p = &line.project;
            let g = p.financing.grant;
            add_to_total(
                &mut funding
                    .entry((p.period.start.year(), p.programme.kind, g.currency))
                    .or_default()
                    .0,
                g.amount_minor,
            );
        }
        for a in applications.iter().filter(|a| self.may_see(models, a)) {
            for (m, money, decision) in a.commitments() {
                if m == &code && a.status != ApplicationStatusView::Withdrawn {
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
        d.funding = lines(&funding);
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

    /// Remove hidden drafts from a follow-up report and recompute its funding.
    pub(crate) fn report(&self, models: &ReadModels, r: &mut FollowUpReport) {
        if self.sees_everything() || r.applications.iter().all(|a| self.may_see(models, a)) {
            return;
        }
        r.applications.retain(|a| self.may_see(models, a));
        let (year, code) = (r.year, r.municipality.code);
        let mut funding: Lines = BTreeMap::new();
        for a in &r.applications {
            if let (Some(g), Some(d)) = (&a.granted, a.decided_on) {
                if d.year() == year {
                    add_to_total(
                        &mut funding.entry((year, a.programme.kind, g.currency)).or_default().0,
                        g.amount_minor,
                    );
                }
            }
            for (m, money, decision) in a.commitments() {
                if m == &code && decision.date.year() == year && a.status != ApplicationStatusView::Withdrawn {
                    add_to_total(
                        &mut funding.entry((year, a.programme.kind, money.currency)).or_default().1,
                        money.amount_minor,
                    );
                }
            }
        }
        r.funding_obtained = lines(&funding);
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

type Lines = BTreeMap<(i32, ProgrammeKind, Currency), (i128, i128)>;

fn lines(map: &Lines) -> Vec<FundingLine> {
    map.iter()
        .map(|((year, programme, currency), (g, c))| FundingLine {
            year: *year,
            programme: *programme,
            currency: *currency,
            granted_minor: *g,
            co_financing_minor: *c,
        })
        .collect()
}
