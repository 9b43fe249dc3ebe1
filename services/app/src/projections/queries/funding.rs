//! The one rule for a municipality's funding lines (dashboard funding and
//! the follow-up report's "funding obtained").

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use samverkan_domain::application::ApplicationStatus;
use samverkan_domain::{add_to_total, Currency, MunicipalityCode, ProgrammeKind};
use serde::Serialize;

use crate::projections::views::{ApplicationView, ProjectView};
use crate::projections::Visible;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FundingLine {
    pub year: i32,
    pub programme: ProgrammeKind,
    pub currency: Currency,
    /// External funding granted (minor units; 128-bit, a total never wraps).
    pub granted_minor: i128,
    /// Own co-financing committed (minor units; 128-bit).
    pub co_financing_minor: i128,
}

fn programme_year_lines(lines: BTreeMap<(i32, ProgrammeKind, Currency), (i128, i128)>) -> Vec<FundingLine> {
    lines
        .into_iter()
        .map(
            |((year, programme, currency), (granted_minor, co_financing_minor))| FundingLine {
                year,
                programme,
                currency,
                granted_minor,
                co_financing_minor,
            },
        )
        .collect()
}

/// A municipality's funding lines, by year, programme and currency — the one
/// rule behind the dashboard's funding, the follow-up report's "funding
/// obtained" (see
/// `docs/domain.md`, "Which date and whose money"):
///
/// * a grant counts in the year of the funder's decision: an approved
///   application's `decided_on`; a project registered directly (not from an
///   application) carries no decision date, so its period start stands in;
/// * a grant is credited to the lead only (the lead applicant, or the
///   registered project's lead): the events carry no per-partner share of a
///   grant, so partners never get the whole project's grant;
/// * co-financing is the municipality's own commitments to applications not
///   withdrawn, in the year of its own decision; a directly registered
///   project's co-financing has no per-partner split and is not counted.
///
/// `projects` and `applications` are those the municipality takes part in;
/// `year` keeps one year only. Sums are checked 128-bit ([`add_to_total`]).
pub fn funding_lines<'a>(
    code: &MunicipalityCode,
    projects: impl IntoIterator<Item = &'a ProjectView>,
    applications: impl IntoIterator<Item = &'a ApplicationView>,
    year: Option<i32>,
) -> Vec<FundingLine> {
    let mut funding: BTreeMap<(i32, ProgrammeKind, Currency), (i128, i128)> = BTreeMap::new();
    let wanted = |y: i32| year.is_none_or(|w| w == y);
    for p in projects {
        if p.from_application.is_some() || p.lead.municipality() != Some(code) {
            continue;
        }
        let (g, y) = (p.financing.grant, p.period.start.year());
        if wanted(y) {
            add_to_total(
                &mut funding.entry((y, p.programme.kind, g.currency)).or_default().0,
                g.amount_minor,
            );
        }
    }
    for a in applications {
        if let (Some(g), Some(d)) = (&a.granted, a.decided_on) {
            if &a.lead_applicant == code && wanted(d.year()) {
                add_to_total(
                    &mut funding.entry((d.year(), a.programme.kind, g.currency)).or_default().0,
                    g.amount_minor,
                );
            }
        }
        if a.status == ApplicationStatus::Withdrawn {
            continue;
        }
        for (m, money, decision) in a.commitments() {
            if m == code && wanted(decision.date.year()) {
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
    programme_year_lines(funding)
}

impl Visible<'_> {
    /// A municipality's funding lines ([`funding_lines`]) as recorded by `at`,
    /// as the world stood on `valid_at`, counting only the applications the
    /// viewer may see.
    pub fn funding_on(
        &self,
        code: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
        year: Option<i32>,
    ) -> Vec<FundingLine> {
        let projects = self.models.projects_of(code, at, valid_at);
        let applications = self.applications_of(code, at, valid_at);
        funding_lines(code, &projects, &applications, year)
    }
}
