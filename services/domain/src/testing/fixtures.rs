//! Shared test fixtures: the small value builders every test module used to
//! copy (`d()` for dates, `m()` for municipality codes, `sek()` for money,
//! decisions, …). They panic on bad input: they are for tests only, behind
//! the `testing` feature.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{ConsortiumCode, Currency, Decision, DecisionBody, MilestoneId, Money, MunicipalityCode};

/// A date written `YYYY-MM-DD`.
#[track_caller]
pub fn d(s: &str) -> NaiveDate {
    s.parse().expect("a test date written YYYY-MM-DD")
}

/// An instant written in RFC 3339, e.g. `2025-09-15T21:59:59Z`.
#[track_caller]
pub fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("a test instant written in RFC 3339")
}

/// A municipality code, e.g. `SE-1487`.
#[track_caller]
pub fn m(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).expect("a test municipality code")
}

/// A consortium code, e.g. `V6`.
#[track_caller]
pub fn c(s: &str) -> ConsortiumCode {
    ConsortiumCode::parse(s).expect("a test consortium code")
}

/// A milestone id.
#[track_caller]
pub fn ms(s: &str) -> MilestoneId {
    MilestoneId::parse(s).expect("a test milestone id")
}

/// Whole units of a currency.
#[track_caller]
pub fn money(units: i64, currency: Currency) -> Money {
    Money::major(units, currency).expect("a test amount")
}

/// Whole Swedish kronor.
#[track_caller]
pub fn sek(units: i64) -> Money {
    money(units, Currency::SEK)
}

/// A decision with paragraph and case number.
pub fn decision(body: DecisionBody, date: NaiveDate, paragraph: &str, case_number: &str) -> Decision {
    Decision {
        body,
        date,
        paragraph: Some(paragraph.into()),
        case_number: Some(case_number.into()),
    }
}
