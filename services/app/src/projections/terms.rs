//! Terms of office as data: real dates per country and per body, each row with
//! its source, and the "once per term" follow-up rule that the dashboard, the
//! yearly follow-up report and GraphQL all share.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

/// The body whose term is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TermBody {
    /// Kommunfullmäktige (SE), kommunestyre (NO).
    Council,
    /// Kommunstyrelsen (SE).
    ExecutiveBoard,
}

/// One term of office of one body in one country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    pub country: &'static str,
    pub body: TermBody,
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// Where the dates come from.
    pub source: &'static str,
}

impl Term {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }
}

const SE_COUNCIL: &str = "DOMAIN-FACTS.md: kommunfullmäktige sits four years from 15 October of the election year (September elections 2014, 2018, 2022, 2026, 2030)";
const SE_COUNCIL_PLANNED: &str = "DOMAIN-FACTS.md rule (15 October of the election year); election 2030 planned";
const SE_BOARD: &str = "DOMAIN-FACTS.md: kommunstyrelsen from 1 January after the election year";
const NO_COUNCIL: &str = "DOMAIN-FACTS.md: elections 2015, 2019, 2023 (11 September), 2027; constituent meeting by the end of October. Exact meeting dates not in the facts: the term is taken from 1 October of the election year (the rule the code used before; verify)";

/// (country, body, first day, last day, source). Real dates through 2030.
const TABLE: &[(&str, TermBody, &str, &str, &str)] = &[
    ("SE", TermBody::Council, "2014-10-15", "2018-10-14", SE_COUNCIL),
    ("SE", TermBody::Council, "2018-10-15", "2022-10-14", SE_COUNCIL),
    ("SE", TermBody::Council, "2022-10-15", "2026-10-14", SE_COUNCIL),
    ("SE", TermBody::Council, "2026-10-15", "2030-10-14", SE_COUNCIL),
    ("SE", TermBody::Council, "2030-10-15", "2034-10-14", SE_COUNCIL_PLANNED),
    ("SE", TermBody::ExecutiveBoard, "2015-01-01", "2018-12-31", SE_BOARD),
    ("SE", TermBody::ExecutiveBoard, "2019-01-01", "2022-12-31", SE_BOARD),
    ("SE", TermBody::ExecutiveBoard, "2023-01-01", "2026-12-31", SE_BOARD),
    ("SE", TermBody::ExecutiveBoard, "2027-01-01", "2030-12-31", SE_BOARD),
    ("SE", TermBody::ExecutiveBoard, "2031-01-01", "2034-12-31", SE_BOARD),
    ("NO", TermBody::Council, "2015-10-01", "2019-09-30", NO_COUNCIL),
    ("NO", TermBody::Council, "2019-10-01", "2023-09-30", NO_COUNCIL),
    ("NO", TermBody::Council, "2023-10-01", "2027-09-30", NO_COUNCIL),
    ("NO", TermBody::Council, "2027-10-01", "2031-09-30", NO_COUNCIL),
];

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap_or(NaiveDate::MIN)
}

/// The table's terms of one body in one country, oldest first. A country
/// without its own rows uses Sweden's; a body without rows of its own (the
/// Norwegian formannskap) sits for the council's term.
pub fn terms(country: &str, body: TermBody) -> Vec<Term> {
    let country = if TABLE.iter().any(|r| r.0 == country) {
        country
    } else {
        "SE"
    };
    let rows_of = if TABLE.iter().any(|r| r.0 == country && r.1 == body) {
        body
    } else {
        TermBody::Council
    };
    TABLE
        .iter()
        .filter(|r| r.0 == country && r.1 == rows_of)
        .map(|&(c, _, s, e, src)| Term {
            country: c,
            body,
            start: day(s),
            end: day(e),
            source: src,
        })
        .collect()
}

/// The term of `body` in `country` on `day`: from the table, or (outside it)
/// computed from the same rule in four-year steps.
pub fn term_on(country: &str, body: TermBody, on: NaiveDate) -> Term {
    let all = terms(country, body);
    if let Some(t) = all.iter().find(|t| t.contains(on)) {
        return *t;
    }
    let (first, last) = (all[0], all[all.len() - 1]);
    let shift = |t: Term, years: i32| Term {
        start: t.start.with_year(t.start.year() + years).unwrap_or(t.start),
        end: t.end.with_year(t.end.year() + years).unwrap_or(t.end),
        source: "computed outside the table: same rule, four-year steps",
        ..t
    };
    let mut t = if on < first.start { first } else { last };
    for _ in 0..1000 {
        if t.contains(on) {
            break;
        }
        t = shift(t, if on < t.start { -4 } else { 4 });
    }
    t
}

/// The term that follows `t`.
pub fn next_term(t: &Term) -> Term {
    term_on(t.country, t.body, t.end + Duration::days(1))
}

/// "Once per term": due by the end of the term in which the document was in
/// force, overdue after it — asked for the calendar year of `today` (a
/// dashboard on that day, or the yearly report on that year, measured on
/// 31 December or today): of the council terms that overlap the year (from
/// 1 January, or from `in_force_from` if later, to `today`), the earliest one
/// with no follow-up whose period ends in it is owed, due at its end; if every
/// one is covered, the term after them. So the dashboard on 2026-12-01 and
/// the 2025 report both name 2026-10-14 for a document never followed up:
/// overdue on the dashboard, still ahead in the 2025 report. Returns the due
/// term.
pub fn once_per_term_due(
    country: &str,
    in_force_from: NaiveDate,
    follow_up_ends: &[NaiveDate],
    today: NaiveDate,
) -> Term {
    let covered = |t: &Term| follow_up_ends.iter().any(|e| t.contains(*e));
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let from = year_start.max(in_force_from).min(today);
    let mut t = term_on(country, TermBody::Council, from);
    loop {
        if !covered(&t) {
            return t;
        }
        let next = next_term(&t);
        if next.start > today {
            return next;
        }
        t = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use samverkan_domain::testing::fixtures::d;

    #[test]
    fn table_has_real_dates_and_sources() {
        let se = terms("SE", TermBody::Council);
        assert_eq!(se[2].start, d("2022-10-15"));
        assert_eq!(se[2].end, d("2026-10-14"));
        assert_eq!(se[3].start, d("2026-10-15"));
        assert_eq!(se[3].end, d("2030-10-14"));
        let ks = term_on("SE", TermBody::ExecutiveBoard, d("2026-12-01"));
        assert_eq!((ks.start, ks.end), (d("2023-01-01"), d("2026-12-31")));
        let no = term_on("NO", TermBody::Council, d("2024-05-01"));
        assert_eq!((no.start, no.end), (d("2023-10-01"), d("2027-09-30")));
        // Norway's formannskap sits for the kommunestyre's term; other countries use Sweden's rows.
        let fsk = term_on("NO", TermBody::ExecutiveBoard, d("2024-05-01"));
        assert_eq!((fsk.body, fsk.start), (TermBody::ExecutiveBoard, d("2023-10-01")));
        let dk = term_on("DK", TermBody::Council, d("2024-05-01"));
        assert_eq!(dk.start, d("2022-10-15"));
        assert!(TABLE.iter().all(|r| !r.4.is_empty()));
        // Rows of one body follow each other without gaps.
        for (c, b) in [
            ("SE", TermBody::Council),
            ("SE", TermBody::ExecutiveBoard),
            ("NO", TermBody::Council),
        ] {
            let ts = terms(c, b);
            assert!(ts.windows(2).all(|w| w[0].end + Duration::days(1) == w[1].start));
        }
        // Outside the table: the same rule.
        let old = term_on("SE", TermBody::Council, d("2012-11-12"));
        assert_eq!((old.start, old.end), (d("2010-10-15"), d("2014-10-14")));
    }

    #[test]
    fn missed_term_stays_due_at_its_end() {
        // In force from 2022, no follow-up: the term that ended 2026-10-14 is owed.
        let t = once_per_term_due("SE", d("2024-02-12"), &[], d("2026-12-01"));
        assert_eq!(t.end, d("2026-10-14"));
        // Before the term ended it was due at its end, too.
        let t = once_per_term_due("SE", d("2024-02-12"), &[], d("2026-05-01"));
        assert_eq!(t.end, d("2026-10-14"));
        // Covered: the current term's end.
        let t = once_per_term_due("SE", d("2024-02-12"), &[d("2026-06-30")], d("2026-12-01"));
        assert_eq!(t.end, d("2030-10-14"));
        // Arvika-style: in force since 2012, never followed up: the term that
        // ended 2026-10-14 is owed (overdue on 2026-12-01).
        let t = once_per_term_due("SE", d("2012-11-12"), &[], d("2026-12-01"));
        assert_eq!(t.end, d("2026-10-14"));
        // Followed up in the 2022–2026 term: the current term is owed.
        let t = once_per_term_due("SE", d("2012-11-12"), &[d("2025-06-01")], d("2026-12-01"));
        assert_eq!(t.end, d("2030-10-14"));
        // In force only from the current term: nothing owed from before.
        let t = once_per_term_due("SE", d("2026-11-01"), &[], d("2026-12-01"));
        assert_eq!(t.end, d("2030-10-14"));
    }
}

/// A co-financing commitment the new council inherits.
#[derive(Debug, Clone, Serialize)]
pub struct InheritedCommitment {
    pub application: samverkan_domain::ApplicationId,
    pub title: String,
    pub amount: samverkan_domain::Money,
    pub decided_on: NaiveDate,
}

/// What a new council inherits at a change of term.
#[derive(Debug, Clone, Serialize)]
pub struct Handover {
    /// The new term (its first day is the day of the change).
    pub term: Term,
    /// Strategies in force on the first day of the new term.
    pub strategies_in_force: Vec<(samverkan_domain::StrategyId, String)>,
    /// This municipality's co-financing commitments decided before that day.
    pub commitments: Vec<InheritedCommitment>,
    /// Projects running on that day.
    pub projects_running: Vec<(samverkan_domain::ProjectId, String)>,
}

/// The changes of council term a dashboard on `today` shows: the most recent
/// one on or before the day, and the next one.
pub fn handover_terms(country: &str, today: NaiveDate) -> [Term; 2] {
    let current = term_on(country, TermBody::Council, today);
    [current, next_term(&current)]
}
