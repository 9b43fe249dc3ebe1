//! When a strategy document's next follow-up is due, and for which term.

use chrono::{Datelike, NaiveDate};
use samverkan_domain::strategy::FollowUpCadence;
use serde::Serialize;

use crate::projections::terms;
use crate::projections::views::StrategyView;

#[derive(Debug, Clone, Serialize)]
pub struct StrategyLine {
    pub strategy: StrategyView,
    pub valid_until: Option<NaiveDate>,
    /// The council term the strategy is in force in on the day asked about.
    pub term: terms::Term,
    /// The term the next follow-up is owed for.
    pub follow_up_term: Option<terms::Term>,
    pub next_follow_up_due: Option<NaiveDate>,
    pub follow_up_overdue: bool,
}

/// The council term of `country` on `day` (from the term table in
/// [`super::terms`]).
pub fn term_of_office(country: &str, day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let t = terms::term_on(country, terms::TermBody::Council, day);
    (t.start, t.end)
}

/// The term a follow-up is due for (as of `today`), or `None` for a document
/// not in force. Yearly: the report on year Y is due 31 March of Y+1, where Y
/// is the year after the last reported one (or the adoption year if none is
/// reported); its term is the executive board's on that day (the yearly
/// report goes to kommunstyrelsen). Once per term: see
/// [`terms::once_per_term_due`] (a missed past term stays due at its end).
pub fn follow_up_due(s: &StrategyView, today: NaiveDate) -> Option<(NaiveDate, terms::Term)> {
    if !s.in_force_on(today) {
        return None;
    }
    let start = s.validity?.start;
    let country = s.municipality.country();
    let country = country.as_str();
    let yearly = || {
        let last_reported = s.follow_ups.iter().filter_map(|f| f.period.end.map(|e| e.year())).max();
        let next_year = last_reported.map_or(start.year(), |y| y + 1);
        NaiveDate::from_ymd_opt(next_year + 1, 3, 31)
            .map(|d| (d, terms::term_on(country, terms::TermBody::ExecutiveBoard, d)))
    };
    let per_term = || {
        let ends: Vec<NaiveDate> = s.follow_ups.iter().filter_map(|f| f.period.end).collect();
        let t = terms::once_per_term_due(country, start, &ends, today);
        Some((t.end, t))
    };
    match s.follow_up {
        FollowUpCadence::Yearly => yearly(),
        FollowUpCadence::OncePerTerm => per_term(),
        FollowUpCadence::YearlyAndOncePerTerm => [yearly(), per_term()].into_iter().flatten().min_by_key(|x| x.0),
    }
}

/// When is the next follow-up of an adopted document due (as of `today`)?
pub fn next_follow_up_due(s: &StrategyView, today: NaiveDate) -> Option<NaiveDate> {
    follow_up_due(s, today).map(|x| x.0)
}

pub(crate) fn strategy_line(s: StrategyView, today: NaiveDate) -> StrategyLine {
    let due = follow_up_due(&s, today);
    let next = due.map(|x| x.0);
    StrategyLine {
        valid_until: s.validity.and_then(|v| v.end),
        term: terms::term_on(s.municipality.country().as_str(), terms::TermBody::Council, today),
        follow_up_term: due.map(|x| x.1),
        next_follow_up_due: next,
        follow_up_overdue: next.is_some_and(|d| d < today),
        strategy: s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn terms_of_office() {
        assert_eq!(
            term_of_office("SE", d("2024-02-12")),
            (d("2022-10-15"), d("2026-10-14"))
        );
        assert_eq!(
            term_of_office("SE", d("2026-11-23")),
            (d("2026-10-15"), d("2030-10-14"))
        );
        assert_eq!(
            term_of_office("SE", d("2026-10-14")),
            (d("2022-10-15"), d("2026-10-14"))
        );
        assert_eq!(
            term_of_office("NO", d("2024-05-01")),
            (d("2023-10-01"), d("2027-09-30"))
        );
    }
}
