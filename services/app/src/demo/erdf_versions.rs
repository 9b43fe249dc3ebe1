//! Chapter 9: two dated versions of Tillväxtverket's ERDF rules for
//! confirming commitments after the funder's decision (bekräftelse av
//! medfinansiering): the handbook gives 10 weeks on one page and 4 weeks on
//! another. Which page is older, and the versions' real validity dates, are
//! not established; the dates below are illustrative and the sources say so.
//! Appended after the earlier chapters so that their log stays as it was.

use samverkan_domain::programme::{Programme, ProgrammeCode, ProgrammeCommand, ProgrammeRule, RuleKind, Severity};

use super::loader::Loader;
use super::programmes::{ERDF, TVV_COFIN};
use crate::AppError;

/// (version, valid from, valid until, weeks, source).
const VERSIONS: &[(&str, &str, Option<&str>, u32, &str)] = &[
    (
        "2021-2027-confirm-10-weeks",
        "2021-01-01",
        Some("2024-12-31"),
        10,
        "Tillväxtverket's ERDF handbook, the page giving 10 weeks after the decision to confirm commitments (as researched 2026-12); which page is older is not established: validity dates illustrative",
    ),
    (
        "2021-2027-confirm-4-weeks",
        "2025-01-01",
        None,
        4,
        "Tillväxtverket's ERDF handbook, the page giving 4 weeks after the decision to confirm commitments (as researched 2026-12); which page is older is not established: validity dates illustrative",
    ),
];

impl Loader<'_> {
    pub(super) async fn erdf_versions(&mut self) -> Result<(), AppError> {
        let code = ProgrammeCode::parse(ERDF)?;
        for (version, from, until, weeks, source) in VERSIONS {
            let rules = vec![
                ProgrammeRule {
                    label: "Every co-financier's decision (medfinansieringsintyg) is there at submission".into(),
                    severity: Severity::Error,
                    source: TVV_COFIN.into(),
                    kind: RuleKind::CoFinancingDecisionMissing,
                },
                ProgrammeRule {
                    label: format!(
                        "Every partner confirms its commitment within {weeks} weeks of the funder's decision"
                    ),
                    severity: Severity::Warning,
                    source: (*source).into(),
                    kind: RuleKind::CommitmentsConfirmedWithin { weeks: *weeks },
                },
            ];
            let day = |s: &str| {
                s.parse().map_err(|_| samverkan_domain::DomainError::InvalidRule {
                    reason: format!("`{s}` is not a date"),
                })
            };
            let command = ProgrammeCommand::AdoptRuleSet {
                version: (*version).into(),
                valid_from: day(from)?,
                valid_until: until.map(day).transpose()?,
                rules,
                source: (*source).into(),
            };
            self.run::<Programme>(&code, &format!("rule-set-{version}"), command)
                .await?;
        }
        Ok(())
    }
}
