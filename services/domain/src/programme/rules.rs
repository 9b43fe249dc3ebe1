//! Programme rules as data: what a handbook says a project may ask for, who
//! must take part and what the partners' co-financing must be. A rule set
//! holds a list of [`ProgrammeRule`]s; each names its figure's source and
//! whether breaking it refuses the command ([`Severity::Error`], "E") or only
//! warns ([`Severity::Warning`], "W"). [`super::check`] evaluates them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{require_text, CountryCode, DomainError, Money};

/// Whether breaking a rule refuses the command or warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// "E": the command that breaks it (drafting, committing, submitting) is refused.
    Error,
    /// "W": returned as a warning with the command's result and on the application.
    Warning,
}

/// What a cap of [`RuleKind::MaxRequested`] is counted per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapBasis {
    /// The whole project (or the named country's side of it).
    Project,
    /// Each year the project period touches (a started year counts).
    Year,
    /// Each country's side of the budget.
    Country,
}

/// A minimum co-financing rate for a region, chosen by the lead applicant's
/// municipality code (e.g. Norra Mellansverige: Värmland `SE-17…`, Dalarna
/// `SE-20…`, Gävleborg `SE-21…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RegionalRate {
    /// The region's name, e.g. `Norra Mellansverige`.
    pub region: String,
    /// Municipality-code prefixes of the region, e.g. `SE-17`.
    pub municipality_prefixes: Vec<String>,
    /// The region's minimum co-financing rate in basis points (4000 = 40 %).
    pub min_basis_points: u32,
}

/// What a rule checks. The variant's name is the rule's stable name (see
/// [`RuleKind::name`]), returned as `extensions.rule` when it refuses a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum RuleKind {
    /// The fund's share of a side's eligible budget is at most this rate
    /// (requested / total of each budget side of `country`; every side when `None`).
    MaxFundingRate {
        #[serde(default)]
        country: Option<CountryCode>,
        max_basis_points: u32,
    },
    /// The partners' own co-financing ((total − requested) / total) is at
    /// least this rate; a region of the lead applicant may set another.
    MinCoFinancingRate {
        min_basis_points: u32,
        #[serde(default)]
        regional: Vec<RegionalRate>,
    },
    /// At least `min` taking part (the lead and every co-applicant that did not
    /// decline) from each of `countries`.
    MinPartnersPerCountry { countries: Vec<CountryCode>, min: u32 },
    /// At least `min_partners` taking part, from at least `min_countries` countries.
    MinPartnersAndCountries { min_partners: u32, min_countries: u32 },
    /// The requested amount is exactly one of the programme's lump sums.
    LumpSum { amounts: Vec<Money> },
    /// The requested amount is at most `cap` per project, year or country
    /// (only the sides of `country` when named).
    MaxRequested {
        cap: Money,
        per: CapBasis,
        #[serde(default)]
        country: Option<CountryCode>,
    },
    /// The application's deadline falls on one of these days of the year
    /// (`MM-DD`, the deadline's UTC date; 23:59 Swedish time is on the same date).
    DeadlineDay { days: Vec<String> },
    /// The call has funds for every fund the application asks from (a call
    /// lists the funds it does not have, e.g. Norwegian funds in Interreg North Sea calls 2–3).
    FundAvailableInCall,
    /// At submission every party (the lead and every co-applicant that did not
    /// decline) has committed with a decision taken on or before that day.
    CoFinancingDecisionMissing,
    /// No budget line of these cost categories (e.g. `salaries` in ICLD partnerships).
    ExcludedCostCategory { categories: Vec<String> },
    /// At most this many funds in the application (Jems: 5 per partner).
    MaxFunds { max: u32 },
    /// After the funder's decision every committed party confirms its
    /// commitment (Tillväxtverket: bekräftelse av medfinansiering) within
    /// this many weeks of the decision's date (calendar days, 7 a week).
    /// Only warns ("W"): no command waits for the confirmations.
    CommitmentsConfirmedWithin { weeks: u32 },
    /// The grant is a lump sum paid all or nothing on the result (Erasmus+
    /// KA220/KA210, Interreg Aurora small projects): from the funder's
    /// decision until the funder approves the project's result (final report
    /// accepted) the whole granted sum is at risk. Only warns ("W").
    LumpSumPaidOnResult,
    /// The project's records are kept until the end of the
    /// `years_after_closing`th calendar year after the year the project
    /// closed (Interreg: the 7th); personal data in them may be erased only
    /// after that day. Refuses nothing, checks nothing: a rule set states
    /// it, the project's retention date follows from it.
    RecordsRetained { years_after_closing: u32 },
}

/// When a rule can first be judged, and so which command it refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// The budget as drafted (rates, lump sums, caps, deadlines): refuses `DraftApplication`.
    Draft,
    /// One partner's commitment: refuses `CommitCoFinancing`.
    Commitment,
    /// The whole partnership: refuses `SubmitApplication`.
    Submission,
    /// After the funder's decision (the partners' confirmations, the result's
    /// approval): refuses nothing, warns.
    Confirmation,
}

impl RuleKind {
    /// The rule's stable name.
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::MaxFundingRate { .. } => "max_funding_rate",
            RuleKind::MinCoFinancingRate { .. } => "min_co_financing_rate",
            RuleKind::MinPartnersPerCountry { .. } => "min_partners_per_country",
            RuleKind::MinPartnersAndCountries { .. } => "min_partners_and_countries",
            RuleKind::LumpSum { .. } => "lump_sum",
            RuleKind::MaxRequested { .. } => "max_requested",
            RuleKind::DeadlineDay { .. } => "deadline_day",
            RuleKind::FundAvailableInCall => "fund_available_in_call",
            RuleKind::CoFinancingDecisionMissing => "co_financing_decision_missing",
            RuleKind::ExcludedCostCategory { .. } => "excluded_cost_category",
            RuleKind::MaxFunds { .. } => "max_funds",
            RuleKind::CommitmentsConfirmedWithin { .. } => "commitments_confirmed_within",
            RuleKind::LumpSumPaidOnResult => "lump_sum_paid_on_result",
            RuleKind::RecordsRetained { .. } => "records_retained",
        }
    }

    pub fn stage(&self) -> Stage {
        match self {
            RuleKind::MinPartnersPerCountry { .. }
            | RuleKind::MinPartnersAndCountries { .. }
            | RuleKind::CoFinancingDecisionMissing => Stage::Submission,
            RuleKind::ExcludedCostCategory { .. } => Stage::Commitment,
            RuleKind::CommitmentsConfirmedWithin { .. }
            | RuleKind::LumpSumPaidOnResult
            | RuleKind::RecordsRetained { .. } => Stage::Confirmation,
            _ => Stage::Draft,
        }
    }

    fn validate(&self) -> Result<(), DomainError> {
        let rate = |bp: u32| {
            if bp > 10_000 {
                Err(DomainError::InvalidRule {
                    reason: format!("a rate of {bp} basis points is more than 100 %"),
                })
            } else {
                Ok(())
            }
        };
        match self {
            RuleKind::MaxFundingRate { max_basis_points, .. } => rate(*max_basis_points),
            RuleKind::MinCoFinancingRate {
                min_basis_points,
                regional,
            } => {
                rate(*min_basis_points)?;
                for r in regional {
                    require_text("regional.region", &r.region)?;
                    rate(r.min_basis_points)?;
                    if r.municipality_prefixes.iter().all(|p| p.trim().is_empty()) {
                        return Err(DomainError::BlankField {
                            field: "regional.municipality_prefixes",
                        });
                    }
                }
                Ok(())
            }
            RuleKind::LumpSum { amounts } if amounts.is_empty() => Err(DomainError::InvalidRule {
                reason: "a lump-sum rule needs at least one amount".into(),
            }),
            RuleKind::DeadlineDay { days } => {
                if days.is_empty() {
                    return Err(DomainError::InvalidRule {
                        reason: "a deadline-day rule needs at least one day".into(),
                    });
                }
                for day in days {
                    month_day(day).ok_or_else(|| DomainError::InvalidRule {
                        reason: format!("`{day}` is not a day of the year: write MM-DD, e.g. 09-15"),
                    })?;
                }
                Ok(())
            }
            RuleKind::ExcludedCostCategory { categories } if categories.iter().all(|c| c.trim().is_empty()) => {
                Err(DomainError::BlankField { field: "categories" })
            }
            RuleKind::CommitmentsConfirmedWithin { weeks } if !(1..=104).contains(weeks) => {
                Err(DomainError::InvalidRule {
                    reason: format!("{weeks} weeks to confirm commitments: write 1 to 104 weeks"),
                })
            }
            RuleKind::RecordsRetained { years_after_closing } if !(1..=100).contains(years_after_closing) => {
                Err(DomainError::InvalidRule {
                    reason: format!("records kept {years_after_closing} years after closing: write 1 to 100 years"),
                })
            }
            _ => Ok(()),
        }
    }
}

/// `MM-DD` as (month, day), if it is a day of some year.
pub(crate) fn month_day(text: &str) -> Option<(u32, u32)> {
    let (m, d) = text.split_once('-')?;
    if m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    chrono::NaiveDate::from_ymd_opt(2024, m, d).map(|_| (m, d))
}

/// One rule of a rule set: what it says, how strict it is and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProgrammeRule {
    /// What the rule says in a sentence, e.g. `Swedish side: EU funds at most 65 %`.
    pub label: String,
    pub severity: Severity,
    /// Where the figure comes from: the document's name or address, as text.
    pub source: String,
    #[serde(flatten)]
    pub kind: RuleKind,
}

impl ProgrammeRule {
    pub fn validate(&self) -> Result<(), DomainError> {
        require_text("rule.label", &self.label)?;
        require_text("rule.source", &self.source)?;
        if self.kind.stage() == Stage::Confirmation && self.severity == Severity::Error {
            return Err(DomainError::InvalidRule {
                reason: format!(
                    "`{}` can only warn (W): no command waits for what follows the funder's decision",
                    self.kind.name()
                ),
            });
        }
        self.kind.validate()
    }
}
