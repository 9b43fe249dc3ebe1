//! The open-data datasets (DCAT-AP-SE catalogue at `GET /open-data/…`): what
//! anyone may read without a token, flattened into rows for CSV and JSON.
//!
//! Only public records are in them: registered projects, and the funding the
//! dashboard and follow-up report count ([`funding_lines`](super::funding_lines)),
//! asked through [`Visible`] with [`NoDrafts`], a viewer that may read no
//! draft, so a draft application's figures never appear.

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::project::{Participant, ProjectStatus};
use samverkan_domain::{Currency, MunicipalityCode, ProgrammeKind};
use serde::Serialize;

use crate::projections::views::{ApplicationView, ProjectView};
use crate::projections::{ReadModels, Visibility};

/// The anonymous reader of open data: no draft is readable.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDrafts;

impl Visibility for NoDrafts {
    fn may_read_draft(&self, _: &ApplicationView) -> bool {
        false
    }
}

/// One row of the projects dataset: a project as one municipality takes
/// part in it, per budget side. A single-budget project has one row per
/// municipality; a cross-border project one per municipality and side, each
/// side in its own currency (never summed across currencies).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenProjectRow {
    pub municipality: MunicipalityCode,
    /// `lead` or `partner`.
    pub role: &'static str,
    pub project_id: String,
    pub title: String,
    pub consortium: Option<String>,
    /// The lead: a municipality's code or an outside organisation's name.
    pub lead: String,
    pub programme_kind: ProgrammeKind,
    pub programme_name: String,
    pub period_start: NaiveDate,
    pub period_end: Option<NaiveDate>,
    pub status: ProjectStatus,
    /// The budget side's country (ISO 3166-1 alpha-2); empty for a single budget.
    pub side: Option<String>,
    /// Total budget of the project (or of the side), minor units.
    pub budget_minor: i64,
    /// Granted by the funder (for the side: its funder's grant; 0 if refused), minor units.
    pub grant_minor: i64,
    pub currency: Currency,
    /// When the project was registered (recording time, UTC).
    pub registered_at: DateTime<Utc>,
}

/// One row of the grants dataset: a municipality's funding in a year,
/// programme and currency, exactly the dashboard's funding line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenGrantRow {
    pub municipality: MunicipalityCode,
    /// The year of the funder's decision (business time).
    pub year: i32,
    pub programme_kind: ProgrammeKind,
    pub currency: Currency,
    /// External funding granted with the municipality as lead, minor units.
    pub granted_minor: i128,
    /// The municipality's own co-financing committed, minor units.
    pub co_financing_minor: i128,
}

fn lead_name(p: &Participant) -> String {
    match p {
        Participant::Municipality { code } => code.to_string(),
        Participant::External { name, .. } => name.clone(),
    }
}

fn project_rows(code: &MunicipalityCode, role: &'static str, p: &ProjectView) -> Vec<OpenProjectRow> {
    let row = |side: Option<String>, budget_minor, grant_minor, currency| OpenProjectRow {
        municipality: *code,
        role,
        project_id: p.id.to_string(),
        title: p.title.clone(),
        consortium: p.consortium.as_ref().map(|c| c.to_string()),
        lead: lead_name(&p.lead),
        programme_kind: p.programme.kind,
        programme_name: p.programme.name.clone(),
        period_start: p.period.start,
        period_end: p.period.end,
        status: p.status,
        side,
        budget_minor,
        grant_minor,
        currency,
        registered_at: p.registered_at,
    };
    if p.sides.is_empty() {
        let f = &p.financing;
        return vec![row(
            None,
            f.budget.amount_minor,
            f.grant.amount_minor,
            f.budget.currency,
        )];
    }
    p.sides
        .iter()
        .map(|s| {
            let granted = s.decision.granted.map_or(0, |g| g.amount_minor);
            row(
                Some(s.budget.country.to_string()),
                s.budget.total.amount_minor,
                granted,
                s.budget.total.currency,
            )
        })
        .collect()
}

impl ReadModels {
    /// The projects dataset: every registered project per municipality taking
    /// part (lead or partner), as recorded now, ordered by municipality.
    pub fn open_projects(&self) -> Vec<OpenProjectRow> {
        let mut rows = Vec::new();
        for code in self.municipality_codes() {
            for p in self.projects_of(&code, None, None) {
                if let Some(role) = p.role_of(&code) {
                    rows.extend(project_rows(&code, role, &p));
                }
            }
        }
        rows
    }

    /// The grants dataset: each municipality's funding lines (the
    /// dashboard's, [`funding_lines`](super::funding_lines)) by year,
    /// programme and currency, without drafts; `year` keeps one year.
    pub fn open_grants(&self, year: Option<i32>) -> Vec<OpenGrantRow> {
        let seen = self.seen_by(&NoDrafts);
        let mut rows = Vec::new();
        for code in self.municipality_codes() {
            for l in seen.funding_on(&code, None, None, year) {
                rows.push(OpenGrantRow {
                    municipality: code,
                    year: l.year,
                    programme_kind: l.programme,
                    currency: l.currency,
                    granted_minor: l.granted_minor,
                    co_financing_minor: l.co_financing_minor,
                });
            }
        }
        rows
    }
}
