//! The one rule for a municipality's funding lines (dashboard funding and
//! the follow-up report's "funding obtained").

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use samverkan_domain::application::ApplicationStatus;
use samverkan_domain::{add_to_total, CountryCode, Currency, MunicipalityCode, ProgrammeKind};
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
/// * a cross-border project's grant is credited per side ([`side_holder`]):
///   each side's grant, in the side's own currency and the year of its
///   funder's decision, to the one member that holds that side — the lead
///   for the lead's country, else the side's first municipal partner. A side
///   without a municipal member (ecoINSIDE 2's Norwegian side) is credited
///   to no municipality. The approved cross-border application's total is
///   then not credited again;
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
        if !p.sides.is_empty() {
            for side in &p.sides {
                let decision = &side.decision;
                let (Some(g), y) = (decision.granted, decision.decided_on.year()) else {
                    continue;
                };
                if side_holder(p, side.budget.country).as_ref() == Some(code) && wanted(y) {
                    add_to_total(
                        &mut funding.entry((y, p.programme.kind, g.currency)).or_default().0,
                        g.amount_minor,
                    );
                }
            }
            continue;
        }
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
            // Decided per side: its project credits each side's holder.
            if &a.lead_applicant == code && a.funder_decisions.is_empty() && wanted(d.year()) {
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

/// The member that holds a cross-border project's side of `country`: the
/// lead when it is of that country, else the first municipal partner of that
/// country (in the order registered); `None` when no member is of it. One
/// holder per side, so a consortium's members together count each side's
/// grant once.
pub fn side_holder(p: &ProjectView, country: CountryCode) -> Option<MunicipalityCode> {
    std::iter::once(&p.lead)
        .chain(p.partners.iter().map(|m| &m.participant))
        .filter_map(|x| x.municipality().copied())
        .find(|m| m.country() == country)
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
