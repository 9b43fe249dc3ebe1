//! The entity views the read models are made of, each folded from its
//! events (one file per entity), and how each looks on a business day
//! ([`ValidOn`]). Statuses are the domain's own enums.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::Money;
use serde::{Deserialize, Serialize};

mod application;
mod consortium;
mod municipality;
mod programme;
mod project;
mod strategy;

pub use application::{AnswerView, ApplicationView, CoApplicantView, ConfirmationView, RiskAssessmentView};
pub use consortium::{ConsortiumView, MembershipView};
pub use municipality::{CodePeriodView, MunicipalityView, TwinTownView};
pub use programme::{CalendarView, ProgrammeView};
pub use project::{ContactView, ErasureView, MilestoneView, PartnerView, ProjectView, ResultApprovalView};
pub use strategy::{FollowUpView, RevisionView, StrategyView};

/// When and by whom an event was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    pub position: u64,
    pub recorded_at: DateTime<Utc>,
}

/// Sums of money per currency (never mixed), 128-bit: they cannot wrap
/// (see [`samverkan_domain::add_to_total`]).
pub type Amounts = BTreeMap<samverkan_domain::Currency, i128>;

pub fn add(amounts: &mut Amounts, money: &Money) {
    samverkan_domain::add_to_total(amounts.entry(money.currency).or_insert(0), money.amount_minor);
}

/// Business time: a view as the world stood on a calendar day, by the
/// decisions' own dates (joined/left on, adopted, superseded, period, decided
/// on, milestone dates). `None`: the entity did not exist yet on that day.
pub trait ValidOn: Sized {
    fn on(self, day: NaiveDate) -> Option<Self>;
}

/// `view` as of business day `day` (unchanged when `day` is `None`).
pub fn valid_on<T: ValidOn>(view: Option<T>, day: Option<NaiveDate>) -> Option<T> {
    match day {
        Some(d) => view?.on(d),
        None => view,
    }
}
