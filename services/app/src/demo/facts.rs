//! The shapes of the demo's facts: plain data, written as `const` tables in
//! the chapter files and turned into commands by the [`Loader`](super::loader).
//!
//! Dates are written `"YYYY-MM-DD"` and instants `"YYYY-MM-DD HH:MM"` (UTC)
//! through [`day`] and [`at`]; in a `const` table they are evaluated at
//! compile time, so a typo is a build error, never a run-time panic. Codes,
//! ids and amounts go through the domain's parsers when loaded.

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::consortium::ConsortiumKind;
use samverkan_domain::project::EuPriority;
use samverkan_domain::strategy::{DocumentKind, FollowUpCadence};
use samverkan_domain::{ApplicationId, Currency, DecisionBody, ProgrammeKind, ProjectId, StrategyId};

/// The number written by the ASCII digits `text[from..to]`.
const fn number(text: &[u8], from: usize, to: usize) -> u32 {
    let mut n = 0;
    let mut i = from;
    while i < to {
        if !text[i].is_ascii_digit() {
            panic!("demo dates are written YYYY-MM-DD and instants YYYY-MM-DD HH:MM");
        }
        n = n * 10 + (text[i] - b'0') as u32;
        i += 1;
    }
    n
}

/// `YYYY-MM-DD` as a date.
pub(super) const fn day(text: &str) -> NaiveDate {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        panic!("demo dates are written YYYY-MM-DD");
    }
    match NaiveDate::from_ymd_opt(number(b, 0, 4) as i32, number(b, 5, 7), number(b, 8, 10)) {
        Some(date) => date,
        None => panic!("invalid date in the demo data"),
    }
}

/// `YYYY-MM-DD HH:MM` (UTC) as an instant.
pub(super) const fn at(text: &str) -> DateTime<Utc> {
    let b = text.as_bytes();
    if b.len() != 16 || b[10] != b' ' || b[13] != b':' {
        panic!("demo instants are written YYYY-MM-DD HH:MM");
    }
    match day(text).and_hms_opt(number(b, 11, 13), number(b, 14, 16), 0) {
        Some(t) => t.and_utc(),
        None => panic!("invalid time in the demo data"),
    }
}

// --- values ------------------------------------------------------------------

/// An amount in whole units of a currency.
#[derive(Clone, Copy)]
pub(super) struct Amount {
    pub units: i64,
    pub currency: Currency,
}

pub(super) const fn sek(units: i64) -> Amount {
    Amount {
        units,
        currency: Currency::SEK,
    }
}

pub(super) const fn nok(units: i64) -> Amount {
    Amount {
        units,
        currency: Currency::NOK,
    }
}

pub(super) const fn eur(units: i64) -> Amount {
    Amount {
        units,
        currency: Currency::EUR,
    }
}

/// A decision: body, date and, where the source gives them, paragraph and case number.
#[derive(Clone, Copy)]
pub(super) struct DecisionFact {
    pub body: DecisionBody,
    pub date: NaiveDate,
    pub paragraph: Option<&'static str>,
    pub case_number: Option<&'static str>,
}

/// A council decision known only by its date (twin towns: the year).
pub(super) const fn council(date: NaiveDate) -> DecisionFact {
    DecisionFact {
        body: DecisionBody::Council,
        date,
        paragraph: None,
        case_number: None,
    }
}

/// A co-financing decision (illustrative: body and date only, no invented
/// paragraph or case number).
pub(super) const fn board(date: NaiveDate) -> DecisionFact {
    DecisionFact {
        body: DecisionBody::ExecutiveBoard,
        date,
        paragraph: None,
        case_number: None,
    }
}

/// A funding programme.
#[derive(Clone, Copy)]
pub(super) struct ProgrammeFact {
    pub kind: ProgrammeKind,
    pub name: &'static str,
}

/// A goal of a strategy, named by the strategy's id and the goal's id.
#[derive(Clone, Copy)]
pub(super) struct GoalRefFact {
    pub strategy: fn() -> StrategyId,
    pub goal: &'static str,
}

pub(super) const fn serves(strategy: fn() -> StrategyId, goal: &'static str) -> GoalRefFact {
    GoalRefFact { strategy, goal }
}

// --- municipalities ----------------------------------------------------------

pub(super) struct MunicipalityFact {
    pub code: &'static str,
    pub name: &'static str,
    /// Since when the code holds, where it is younger than the municipality.
    pub code_valid_from: Option<NaiveDate>,
    /// For the printed summary.
    pub note: &'static str,
}

/// A municipality whose code changed without a merger; it keeps its first
/// code as its identity.
pub(super) struct CodeChangesFact {
    pub first_code: &'static str,
    pub name: &'static str,
    pub note: &'static str,
    pub changes: &'static [CodeChange],
}

pub(super) struct CodeChange {
    pub new_code: &'static str,
    pub valid_from: NaiveDate,
    pub source: &'static str,
}

// --- consortia ----------------------------------------------------------------

pub(super) struct ConsortiumFact {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: ConsortiumKind,
    pub purpose: &'static str,
    pub formed_on: NaiveDate,
    /// The members joining on `joined_on`, in this order.
    pub members: &'static [&'static str],
    pub joined_on: NaiveDate,
    /// Members who left: municipality and date.
    pub left: &'static [(&'static str, NaiveDate)],
    pub coordinator: CoordinatorFact,
    pub coordinator_from: NaiveDate,
    /// Name and note for the printed summary.
    pub summary_name: &'static str,
    pub note: &'static str,
}

pub(super) enum CoordinatorFact {
    Office(&'static str),
    Member(&'static str),
}

// --- twin towns ----------------------------------------------------------------

/// A twin-town agreement of `of`, decided by its council on `since`.
pub(super) struct TwinTownFact {
    pub of: &'static str,
    pub partner: &'static str,
    pub country: &'static str,
    /// The partner's code where it is a registered municipality.
    pub partner_code: Option<&'static str>,
    pub since: NaiveDate,
}

// --- strategies ------------------------------------------------------------------

pub(super) struct StrategyFact {
    pub id: fn() -> StrategyId,
    pub municipality: &'static str,
    pub title: &'static str,
    pub kind: DocumentKind,
    pub owner: &'static str,
    pub responsible_role: &'static str,
    pub follow_up: FollowUpCadence,
    pub focus_areas: &'static [&'static str],
    pub goals: &'static [GoalFact],
    pub topics: &'static [&'static str],
    pub adoption: DecisionFact,
    /// Validity: from, and until (`None`: until further notice).
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// The older document this one supersedes once adopted.
    pub supersedes: Option<SupersedeFact>,
    /// Yearly follow-ups, reported to the executive board.
    pub follow_ups: &'static [FollowUpFact],
    pub summary_name: &'static str,
    pub note: &'static str,
}

pub(super) struct GoalFact {
    pub id: &'static str,
    pub title: &'static str,
    pub focus_area: Option<&'static str>,
    pub activities: &'static [&'static str],
}

pub(super) struct SupersedeFact {
    pub strategy: fn() -> StrategyId,
    pub effective_on: NaiveDate,
}

/// A follow-up of the year `start..=end`, reported on `reported_on`.
pub(super) struct FollowUpFact {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub reported_on: NaiveDate,
    pub summary: &'static str,
}

// --- projects ----------------------------------------------------------------------

pub(super) struct ProjectFact {
    pub id: fn() -> ProjectId,
    pub title: &'static str,
    /// The lead municipality's code.
    pub lead: &'static str,
    pub partners: &'static [PartnerFact],
    pub programme: ProgrammeFact,
    pub budget: Amount,
    pub grant: Amount,
    pub co_financing: Amount,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub serves_goals: &'static [GoalRefFact],
    pub eu_priorities: &'static [EuPriority],
    pub consortium: Option<&'static str>,
    /// A cross-border project's budget sides, each with its funder's
    /// decision (empty for a project with one budget). `budget` and `grant`
    /// above are then the sides' sums in the project's currency.
    pub sides: &'static [SideFact],
    /// What happens after registration, in this order.
    pub steps: &'static [Step],
    pub note: &'static str,
}

/// One side of a cross-border project: its country's budget in its own
/// currency and its funder's decision granting `granted`.
pub(super) struct SideFact {
    pub country: &'static str,
    pub fund: &'static str,
    pub total: Amount,
    pub requested: Amount,
    /// Into the project's currency when the side's differs: rate (project
    /// currency units per side currency unit), source, date.
    pub conversion: Option<(&'static str, &'static str, NaiveDate)>,
    pub funder: &'static str,
    pub decided_on: NaiveDate,
    pub decision_reference: &'static str,
    pub granted: Amount,
}

pub(super) enum PartnerFact {
    Member(&'static str),
    /// Name and country code.
    External(&'static str, &'static str),
}

/// One step in a project's life after registration.
pub(super) enum Step {
    /// Milestone, title, due.
    Plan(&'static str, &'static str, NaiveDate),
    /// Milestone, new due date, reason.
    Reschedule(&'static str, NaiveDate, &'static str),
    /// Milestone, achieved on.
    Achieve(&'static str, NaiveDate),
    /// Milestone, reason.
    Cancel(&'static str, &'static str),
    /// Completed on.
    Complete(NaiveDate),
}

// --- applications ----------------------------------------------------------------------

pub(super) struct ApplicationFact {
    pub id: fn() -> ApplicationId,
    pub consortium: &'static str,
    pub title: &'static str,
    pub programme: ProgrammeFact,
    pub call: &'static str,
    pub lead_applicant: &'static str,
    pub deadline: DateTime<Utc>,
    pub total_budget: Amount,
    pub requested: Amount,
    pub project_start: NaiveDate,
    pub project_end: NaiveDate,
    pub serves_goals: &'static [GoalRefFact],
    pub eu_priorities: &'static [EuPriority],
    /// When it was drafted.
    pub drafted_at: DateTime<Utc>,
    /// The co-applicants invited after drafting, in this order.
    pub invited: &'static [&'static str],
    /// What happens after the invitations, in this order.
    pub steps: &'static [ApplicationStep],
    pub summary_name: &'static str,
    pub note: &'static str,
    /// The project the process manager registers from it (for the summary only).
    pub becomes_project: Option<BecomesProject>,
}

pub(super) enum ApplicationStep {
    /// Municipality, amount, the executive board's decision date.
    Commit(&'static str, Amount, NaiveDate),
    /// Municipality, reason.
    Decline(&'static str, &'static str),
    Assess {
        benefits: &'static str,
        risks: &'static str,
        democracy_and_human_rights: &'static str,
        assessed_on: NaiveDate,
    },
    Submit(DateTime<Utc>),
    Reject {
        decided_on: NaiveDate,
        reason: &'static str,
    },
    Approve {
        granted: Amount,
        decided_on: NaiveDate,
        decision_reference: &'static str,
    },
    Withdraw {
        withdrawn_on: NaiveDate,
        reason: &'static str,
    },
}

pub(super) struct BecomesProject {
    pub id: fn() -> ProjectId,
    pub name: &'static str,
    pub note: &'static str,
}
