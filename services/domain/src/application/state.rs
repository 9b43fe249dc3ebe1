//! The state of a joint application, folded from its events.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ApplicationDrafted;
use crate::cross_border::SideDecision;
use crate::{CountryCode, Money, MunicipalityCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ApplicationStatus {
    #[default]
    None,
    Draft,
    Submitted,
    Approved,
    Rejected,
    Withdrawn,
}

impl ApplicationStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::None => "not drafted",
            Self::Draft => "a draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }
}

/// A co-applicant's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Pending,
    Committed(Money),
    Declined,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApplicationState {
    pub status: ApplicationStatus,
    pub drafted: Option<ApplicationDrafted>,
    /// Invited co-applicants and their answers.
    pub co_applicants: BTreeMap<MunicipalityCode, Answer>,
    /// The lead applicant's own co-financing, if committed.
    pub lead_commitment: Option<Money>,
    pub risk_assessed: bool,
    /// The granted amount once approved.
    pub granted: Option<Money>,
    /// Every commitment as recorded (the latest per municipality).
    pub commitments: BTreeMap<MunicipalityCode, super::CoFinancingCommitted>,
    /// The funders' decisions per budget side (cross-border applications).
    pub side_decisions: BTreeMap<CountryCode, SideDecision>,
    /// The day the funder approved the application.
    pub decided_on: Option<NaiveDate>,
    /// The parties' confirmations of their commitments after the decision.
    pub confirmations: BTreeMap<MunicipalityCode, super::CommitmentConfirmed>,
}

impl ApplicationState {
    /// Total committed co-financing (lead + co-applicants), in the application's currency.
    pub fn committed_total(&self) -> Option<Money> {
        let d = self.drafted.as_ref()?;
        let mut total = Money::zero(d.total_budget.currency);
        let amounts = self.co_applicants.values().filter_map(|a| match a {
            Answer::Committed(m) => Some(*m),
            _ => None,
        });
        for m in amounts.chain(self.lead_commitment) {
            total = total.checked_add(m).ok()?;
        }
        Some(total)
    }
}
