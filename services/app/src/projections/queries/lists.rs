//! Filtered lists: projects and strategy documents (public records, on the
//! read models) and joint applications (as the viewer sees them).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::MunicipalityCode;

use super::{ApplicationFilter, ListFilter, ProjectFilter};
use crate::projections::model::{ReadModels, Related};
use crate::projections::views::*;
use crate::projections::Visible;

impl ReadModels {
    /// The ids a filtered list looks at: the municipality's (of its
    /// [`Related`] ids, by `of`), else the consortium's, else `all`.
    fn candidates<'a, S, I: 'a>(
        &'a self,
        f: &ListFilter<S>,
        of: fn(&Related) -> &BTreeSet<I>,
        all: impl Iterator<Item = &'a I> + 'a,
    ) -> Box<dyn Iterator<Item = &'a I> + 'a> {
        match (&f.municipality, &f.consortium) {
            (Some(m), _) => Box::new(self.related(m).into_iter().flat_map(move |r| of(r).iter())),
            (None, Some(c)) => Box::new(self.by_consortium.get(c).into_iter().flat_map(move |r| of(r).iter())),
            (None, None) => Box::new(all),
        }
    }

    pub fn projects(&self, f: &ProjectFilter, at: Option<DateTime<Utc>>) -> Vec<ProjectView> {
        self.projects_on(f, at, None)
    }

    /// Projects as recorded by `at`, as they stood on `valid_at` (started by then).
    pub fn projects_on(
        &self,
        f: &ProjectFilter,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Vec<ProjectView> {
        let mut out: Vec<ProjectView> = self
            .candidates(f, |r| &r.projects, self.projects.keys())
            .filter_map(|id| self.project_on(id, at, valid_at))
            .filter(|p| f.municipality.as_ref().is_none_or(|m| p.role_of(m).is_some()))
            .filter(|p| f.consortium.as_ref().is_none_or(|c| p.consortium.as_ref() == Some(c)))
            .filter(|p| f.programme.is_none_or(|k| p.programme.kind == k))
            .filter(|p| f.status.is_none_or(|s| p.status == s))
            .filter(|p| f.period.is_none_or(|(from, to)| p.period.overlaps(from, to)))
            .collect();
        out.sort_by(|a, b| a.period.start.cmp(&b.period.start).then(a.id.cmp(&b.id)));
        out
    }

    pub fn strategies_list(
        &self,
        municipality: Option<&MunicipalityCode>,
        at: Option<DateTime<Utc>>,
    ) -> Vec<StrategyView> {
        self.strategies_list_on(municipality, at, None)
    }

    /// Strategy documents as recorded by `at`, as they stood on `valid_at`.
    pub fn strategies_list_on(
        &self,
        municipality: Option<&MunicipalityCode>,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Vec<StrategyView> {
        let mut out: Vec<StrategyView> = match municipality {
            Some(m) => self.strategies_of(m, at, valid_at),
            None => self
                .strategies
                .values()
                .filter_map(|e| valid_on(e.at(at, &self.log), valid_at))
                .collect(),
        };
        out.sort_by(|a, b| a.municipality.cmp(&b.municipality).then(a.title.cmp(&b.title)));
        out
    }
}

impl Visible<'_> {
    pub fn applications_list(&self, f: &ApplicationFilter, at: Option<DateTime<Utc>>) -> Vec<ApplicationView> {
        self.applications_list_on(f, at, None)
    }

    /// Applications as recorded by `at`, as they stood on `valid_at` (drafted
    /// by then), that the viewer may see.
    pub fn applications_list_on(
        &self,
        f: &ApplicationFilter,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Vec<ApplicationView> {
        let models = self.models;
        let mut out: Vec<ApplicationView> = models
            .candidates(f, |r| &r.applications, models.applications.keys())
            .filter_map(|id| models.application_on(id, at, valid_at))
            .filter(|a| self.may_see(a))
            .filter(|a| f.municipality.as_ref().is_none_or(|m| a.involves(m)))
            .filter(|a| f.consortium.as_ref().is_none_or(|c| &a.consortium == c))
            .filter(|a| f.programme.is_none_or(|k| a.programme.kind == k))
            .filter(|a| f.status.is_none_or(|s| a.status == s))
            .filter(|a| {
                f.period
                    .is_none_or(|(from, to)| a.drafted_at.date_naive() >= from && a.drafted_at.date_naive() <= to)
            })
            .collect();
        out.sort_by(|a, b| a.drafted_at.cmp(&b.drafted_at).then(a.id.cmp(&b.id)));
        out
    }
}
