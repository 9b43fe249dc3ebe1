//! Lookups of one entity (now, as of an instant, on a business day), code
//! resolution, and the entities a municipality is linked to.

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::{ApplicationId, ConsortiumCode, MunicipalityCode, ProjectId, StrategyId};

use crate::projections::model::{ReadModels, Related};
use crate::projections::views::*;

/// What a code lookup found.
#[derive(Debug, Clone, PartialEq)]
pub enum CodeResolution {
    /// The code was this municipality's on the day.
    Found(MunicipalityCode),
    /// The code was a municipality's, but not on the day.
    NotValidOn {
        identity: MunicipalityCode,
        name: String,
        period: crate::projections::views::CodePeriodView,
        day: NaiveDate,
        /// The municipality's code on the day.
        code_then: MunicipalityCode,
    },
    /// No municipality ever had the code.
    Unknown,
}

impl CodeResolution {
    /// A plain message for a miss, naming the code's validity.
    pub fn message(&self, code: &MunicipalityCode) -> String {
        match self {
            CodeResolution::NotValidOn {
                name,
                period,
                day,
                code_then,
                ..
            } => format!(
                "{code} is {name}'s code from {} until {}, not on {day}; on {day} {name} has the code {code_then}",
                period
                    .valid_from
                    .map_or("its registration".to_string(), |d| d.to_string()),
                period
                    .valid_until
                    .map_or("further notice".to_string(), |d| d.to_string()),
            ),
            _ => format!("municipality `{code}` does not exist"),
        }
    }
}

impl ReadModels {
    pub(crate) fn related(&self, m: &MunicipalityCode) -> Option<&Related> {
        self.by_municipality.get(m)
    }

    pub fn municipality(&self, code: &MunicipalityCode, at: Option<DateTime<Utc>>) -> Option<MunicipalityView> {
        self.municipalities.get(code)?.at(at, &self.log)
    }
    /// Resolve a code to the municipality whose code it was on `valid_at`
    /// (default: today), as recorded by `at`. The first code of a
    /// municipality also answers for dates before its recorded start.
    pub fn resolve_code(
        &self,
        code: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> CodeResolution {
        let day = valid_at.unwrap_or_else(|| Utc::now().date_naive());
        let mut miss = None;
        let mut identities: Vec<MunicipalityCode> = self.code_index.get(code).into_iter().flatten().copied().collect();
        if !identities.contains(code) && self.municipalities.contains_key(code) {
            identities.push(*code);
        }
        for identity in &identities {
            let Some(view) = self.municipality(identity, at) else {
                continue;
            };
            for (i, p) in view.codes.iter().enumerate() {
                if p.code != *code {
                    continue;
                }
                if p.contains(day, i == 0) {
                    return CodeResolution::Found(*identity);
                }
                miss.get_or_insert(CodeResolution::NotValidOn {
                    identity: *identity,
                    name: view.name.clone(),
                    period: p.clone(),
                    day,
                    code_then: view.code_on(day),
                });
            }
        }
        miss.unwrap_or(CodeResolution::Unknown)
    }
    /// As recorded by `at`, as the world stood on `valid_at`.
    pub fn municipality_on(
        &self,
        code: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Option<MunicipalityView> {
        valid_on(self.municipality(code, at), valid_at)
    }
    pub fn consortium(&self, code: &ConsortiumCode, at: Option<DateTime<Utc>>) -> Option<ConsortiumView> {
        self.consortia.get(code)?.at(at, &self.log)
    }
    /// As recorded by `at`, as the world stood on `valid_at`.
    pub fn consortium_on(
        &self,
        code: &ConsortiumCode,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Option<ConsortiumView> {
        valid_on(self.consortium(code, at), valid_at)
    }
    pub fn strategy(&self, id: &StrategyId, at: Option<DateTime<Utc>>) -> Option<StrategyView> {
        self.strategies.get(id)?.at(at, &self.log)
    }
    /// As recorded by `at`, as the world stood on `valid_at`.
    pub fn strategy_on(
        &self,
        id: &StrategyId,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Option<StrategyView> {
        valid_on(self.strategy(id, at), valid_at)
    }
    pub fn project(&self, id: &ProjectId, at: Option<DateTime<Utc>>) -> Option<ProjectView> {
        self.projects.get(id)?.at(at, &self.log)
    }
    /// As recorded by `at`, as the world stood on `valid_at`.
    pub fn project_on(
        &self,
        id: &ProjectId,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Option<ProjectView> {
        valid_on(self.project(id, at), valid_at)
    }
    pub fn application(&self, id: &ApplicationId, at: Option<DateTime<Utc>>) -> Option<ApplicationView> {
        self.applications.get(id)?.at(at, &self.log)
    }
    /// The application's current view (drafts are judged on it).
    pub(crate) fn current_application(&self, id: &ApplicationId) -> Option<&ApplicationView> {
        self.applications.get(id)?.current.as_ref()
    }
    /// As recorded by `at`, as the world stood on `valid_at`, whoever asks:
    /// callers go through [`Visible::application_on`](crate::projections::Visible::application_on).
    pub(crate) fn application_on(
        &self,
        id: &ApplicationId,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Option<ApplicationView> {
        valid_on(self.application(id, at), valid_at)
    }

    pub fn municipality_codes(&self) -> Vec<MunicipalityCode> {
        let mut v: Vec<_> = self.municipalities.keys().cloned().collect();
        v.sort();
        v
    }
    pub fn consortium_codes(&self) -> Vec<ConsortiumCode> {
        let mut v: Vec<_> = self.consortia.keys().cloned().collect();
        v.sort();
        v
    }

    pub(crate) fn projects_of(
        &self,
        m: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        v: Option<NaiveDate>,
    ) -> Vec<ProjectView> {
        let Some(r) = self.related(m) else { return vec![] };
        r.projects
            .iter()
            .filter_map(|id| self.project_on(id, at, v))
            .filter(|p| p.role_of(m).is_some())
            .collect()
    }
    pub(crate) fn strategies_of(
        &self,
        m: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        v: Option<NaiveDate>,
    ) -> Vec<StrategyView> {
        let Some(r) = self.related(m) else { return vec![] };
        r.strategies
            .iter()
            .filter_map(|id| self.strategy_on(id, at, v))
            .collect()
    }
    pub(crate) fn applications_of(
        &self,
        m: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        v: Option<NaiveDate>,
    ) -> Vec<ApplicationView> {
        let Some(r) = self.related(m) else { return vec![] };
        r.applications
            .iter()
            .filter_map(|id| self.application_on(id, at, v))
            .filter(|a| a.involves(m))
            .collect()
    }
}
