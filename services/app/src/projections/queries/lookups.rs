//! Lookups of one entity (now, as of an instant, on a business day), code
//! resolution, and the entities a municipality is linked to.

use std::collections::BTreeSet;

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

    /// The application's current view (drafts are judged on it).
    pub(crate) fn current_application(&self, id: &ApplicationId) -> Option<&ApplicationView> {
        self.applications.get(id)?.current.as_ref()
    }

    /// The entities of one kind a municipality is linked to (its [`Related`]
    /// ids of that kind), each as `on` finds it.
    pub(crate) fn linked<I, V>(
        &self,
        m: &MunicipalityCode,
        ids: fn(&Related) -> &BTreeSet<I>,
        on: impl Fn(&I) -> Option<V>,
    ) -> Vec<V> {
        self.related(m)
            .map_or_else(Vec::new, |r| ids(r).iter().filter_map(on).collect())
    }
    /// The projects a municipality leads or is a current partner of.
    pub(crate) fn projects_of(
        &self,
        m: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        v: Option<NaiveDate>,
    ) -> Vec<ProjectView> {
        let on = |id: &ProjectId| self.project_on(id, at, v).filter(|p| p.role_of(m).is_some());
        self.linked(m, |r| &r.projects, on)
    }
    /// A municipality's strategy documents.
    pub(crate) fn strategies_of(
        &self,
        m: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        v: Option<NaiveDate>,
    ) -> Vec<StrategyView> {
        self.linked(m, |r| &r.strategies, |id| self.strategy_on(id, at, v))
    }
}

/// Per kind of entity, in the read models' map `$map` by `$key`:
/// `$now(key, at)`, its view as recorded by `at` (`None`: everything
/// recorded), and `$on(key, at, valid_at)`, that view as the world stood on
/// `valid_at` (business time; `None`: as recorded).
macro_rules! lookups {
    ($($map:ident: $key:ty => $view:ty, $now:ident, $(#[$doc:meta])* $on_vis:vis $on:ident;)*) => {
        impl ReadModels {
            $(
                pub fn $now(&self, key: &$key, at: Option<DateTime<Utc>>) -> Option<$view> {
                    self.$map.get(key)?.at(at, &self.log)
                }
                /// As recorded by `at`, as the world stood on `valid_at`.
                $(#[$doc])*
                $on_vis fn $on(&self, key: &$key, at: Option<DateTime<Utc>>, valid_at: Option<NaiveDate>) -> Option<$view> {
                    valid_on(self.$now(key, at), valid_at)
                }
            )*
        }
    };
}

lookups! {
    municipalities: MunicipalityCode => MunicipalityView, municipality, pub municipality_on;
    consortia: ConsortiumCode => ConsortiumView, consortium, pub consortium_on;
    strategies: StrategyId => StrategyView, strategy, pub strategy_on;
    projects: ProjectId => ProjectView, project, pub project_on;
    applications: ApplicationId => ApplicationView, application,
        /// Whoever asks: callers go through
        /// [`Visible::application_on`](crate::projections::Visible::application_on).
        pub(crate) application_on;
}
