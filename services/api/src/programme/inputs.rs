//! The programme, rule set, call and meeting commands' inputs.

use async_graphql::{Enum, InputObject};
use samverkan_domain::calendar::{Calendar, CalendarCommand};
use samverkan_domain::programme::{self as p, Programme, ProgrammeCode, ProgrammeCommand};
use samverkan_domain::{CountryCode, Rule};

use crate::command::{CommandInput, CommandOf, Filled, IdOf};
use crate::error::ApiError;
use crate::scalars::{Date, DateTime, MunicipalityCode};
use crate::shared::inputs::MoneyInput;
use crate::types::{DecisionBody, ProgrammeKind};

fn programme_code(s: &str) -> Result<ProgrammeCode, ApiError> {
    Ok(ProgrammeCode::parse(s)?)
}

fn country(s: &str) -> Result<CountryCode, ApiError> {
    Ok(CountryCode::parse(s)?)
}

#[derive(InputObject, Clone, Debug)]
pub struct DefineProgrammeInput {
    /// E.g. `INTERREG-SE-NO-2021-2027`: 1–64 uppercase letters, digits or '-'.
    pub code: String,
    pub name: String,
    pub kind: ProgrammeKind,
    /// Where the description comes from (document name or address).
    pub source: String,
}

impl CommandInput for DefineProgrammeInput {
    type Aggregate = Programme;
    const RULE: Rule = Rule::AdminOnly;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let code = programme_code(&self.code)?;
        let command = ProgrammeCommand::Define {
            programme: code.clone(),
            name: self.name,
            kind: self.kind.into(),
            source: self.source,
        };
        Ok((code, command))
    }
}

/// Whether breaking a rule refuses the command or warns.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::programme::Severity")]
pub enum Severity {
    /// "E": the command that breaks the rule is refused.
    Error,
    /// "W": returned as a warning.
    Warning,
}

/// What a cap is counted per.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::programme::CapBasis")]
pub enum CapBasis {
    Project,
    Year,
    Country,
}

/// The kinds of programme rules (their stable names in snake case).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RuleKindName {
    /// `max_funding_rate`: `basisPoints` (6500 = 65 %), `country` (a side; all sides when left out).
    MaxFundingRate,
    /// `min_co_financing_rate`: `basisPoints`, `regional`.
    MinCoFinancingRate,
    /// `min_partners_per_country`: `countries`, `min`.
    MinPartnersPerCountry,
    /// `min_partners_and_countries`: `min` partners, `minCountries`.
    MinPartnersAndCountries,
    /// `lump_sum`: `amounts`.
    LumpSum,
    /// `max_requested`: `cap`, `per`, `country`.
    MaxRequested,
    /// `deadline_day`: `days` (`MM-DD`).
    DeadlineDay,
    /// `fund_available_in_call`.
    FundAvailableInCall,
    /// `co_financing_decision_missing`.
    CoFinancingDecisionMissing,
    /// `excluded_cost_category`: `categories`.
    ExcludedCostCategory,
    /// `max_funds`: `min` is the maximum number of funds.
    MaxFunds,
    /// `commitments_confirmed_within`: `weeks` after the funder's decision
    /// (Tillväxtverket's bekräftelse av medfinansiering); severity `WARNING` only.
    CommitmentsConfirmedWithin,
    /// `lump_sum_paid_on_result`: the grant is paid all or nothing when the
    /// funder approves the result (Erasmus+, Aurora small projects); severity `WARNING` only.
    LumpSumPaidOnResult,
    /// `records_retained`: `years` — a project's records are kept until the
    /// end of that many calendar years after the year it closed (Interreg: 7);
    /// personal data in them may be erased only after. Severity `WARNING` only.
    RecordsRetained,
}

/// A region's own minimum co-financing rate.
#[derive(InputObject, Clone, Debug)]
pub struct RegionalRateInput {
    pub region: String,
    /// Municipality-code prefixes, e.g. `SE-17` (Värmland).
    pub municipality_prefixes: Vec<String>,
    pub basis_points: u32,
}

/// One rule: its kind and the figures that kind takes.
#[derive(InputObject, Clone, Debug)]
pub struct ProgrammeRuleInput {
    pub kind: RuleKindName,
    pub label: String,
    pub severity: Severity,
    /// Where the figure comes from.
    pub source: String,
    pub basis_points: Option<u32>,
    /// ISO 3166 alpha-2, e.g. `NO`.
    pub country: Option<String>,
    #[graphql(default)]
    pub countries: Vec<String>,
    pub min: Option<u32>,
    pub min_countries: Option<u32>,
    #[graphql(default)]
    pub amounts: Vec<MoneyInput>,
    pub cap: Option<MoneyInput>,
    pub per: Option<CapBasis>,
    #[graphql(default)]
    pub days: Vec<String>,
    #[graphql(default)]
    pub categories: Vec<String>,
    #[graphql(default)]
    pub regional: Vec<RegionalRateInput>,
    /// For `COMMITMENTS_CONFIRMED_WITHIN`: weeks after the funder's decision (1–104).
    pub weeks: Option<u32>,
    /// For `RECORDS_RETAINED`: years after the calendar year the project closed (1–100).
    pub years: Option<u32>,
}

fn needs<T>(value: Option<T>, kind: &str, field: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| {
        ApiError::validation(
            "invalid_rule",
            format!("the rule is not valid: a `{kind}` rule needs `{field}`"),
        )
    })
}

impl ProgrammeRuleInput {
    pub fn to_domain(&self) -> Result<p::ProgrammeRule, ApiError> {
        use RuleKindName as K;
        let name = format!("{:?}", self.kind);
        let side = self.country.as_deref().map(country).transpose()?;
        let kind = match self.kind {
            K::MaxFundingRate => p::RuleKind::MaxFundingRate {
                country: side,
                max_basis_points: needs(self.basis_points, &name, "basisPoints")?,
            },
            K::MinCoFinancingRate => p::RuleKind::MinCoFinancingRate {
                min_basis_points: needs(self.basis_points, &name, "basisPoints")?,
                regional: self
                    .regional
                    .iter()
                    .map(|r| p::RegionalRate {
                        region: r.region.clone(),
                        municipality_prefixes: r.municipality_prefixes.clone(),
                        min_basis_points: r.basis_points,
                    })
                    .collect(),
            },
            K::MinPartnersPerCountry => p::RuleKind::MinPartnersPerCountry {
                countries: self.countries.iter().map(|c| country(c)).collect::<Result<_, _>>()?,
                min: needs(self.min, &name, "min")?,
            },
            K::MinPartnersAndCountries => p::RuleKind::MinPartnersAndCountries {
                min_partners: needs(self.min, &name, "min")?,
                min_countries: needs(self.min_countries, &name, "minCountries")?,
            },
            K::LumpSum => p::RuleKind::LumpSum {
                amounts: self
                    .amounts
                    .iter()
                    .map(MoneyInput::to_domain)
                    .collect::<Result<_, _>>()?,
            },
            K::MaxRequested => p::RuleKind::MaxRequested {
                cap: needs(self.cap.as_ref(), &name, "cap")?.to_domain()?,
                per: needs(self.per, &name, "per")?.into(),
                country: side,
            },
            K::DeadlineDay => p::RuleKind::DeadlineDay {
                days: self.days.clone(),
            },
            K::FundAvailableInCall => p::RuleKind::FundAvailableInCall,
            K::CoFinancingDecisionMissing => p::RuleKind::CoFinancingDecisionMissing,
            K::ExcludedCostCategory => p::RuleKind::ExcludedCostCategory {
                categories: self.categories.clone(),
            },
            K::MaxFunds => p::RuleKind::MaxFunds {
                max: needs(self.min, &name, "min")?,
            },
            K::CommitmentsConfirmedWithin => p::RuleKind::CommitmentsConfirmedWithin {
                weeks: needs(self.weeks, &name, "weeks")?,
            },
            K::LumpSumPaidOnResult => p::RuleKind::LumpSumPaidOnResult,
            K::RecordsRetained => p::RuleKind::RecordsRetained {
                years_after_closing: needs(self.years, &name, "years")?,
            },
        };
        Ok(p::ProgrammeRule {
            label: self.label.clone(),
            severity: self.severity.into(),
            source: self.source.clone(),
            kind,
        })
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct AdoptRuleSetInput {
    pub programme: String,
    /// The version's name, e.g. the handbook's version.
    pub version: String,
    pub valid_from: Date,
    /// Last day the version applies to new calls; leave out for "until further notice".
    pub valid_until: Option<Date>,
    pub rules: Vec<ProgrammeRuleInput>,
    /// The handbook or page the version follows.
    pub source: String,
}

impl CommandInput for AdoptRuleSetInput {
    type Aggregate = Programme;
    const RULE: Rule = Rule::AdminOnly;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ProgrammeCommand::AdoptRuleSet {
            version: self.version,
            valid_from: self.valid_from.0,
            valid_until: self.valid_until.map(|d| d.0),
            rules: self
                .rules
                .iter()
                .map(ProgrammeRuleInput::to_domain)
                .collect::<Result<_, _>>()?,
            source: self.source,
        };
        Ok((programme_code(&self.programme)?, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct OpenCallInput {
    pub programme: String,
    /// The call's code within the programme, e.g. `2025-09`.
    pub call: String,
    pub title: String,
    /// The rule set applications are checked against (in force on `opensOn`).
    pub rule_set: String,
    pub opens_on: Date,
    pub closes_at: DateTime,
    /// Funds this call does not have, e.g. `IR`.
    #[graphql(default)]
    pub unavailable_funds: Vec<String>,
    pub source: String,
}

impl CommandInput for OpenCallInput {
    type Aggregate = Programme;
    const RULE: Rule = Rule::AdminOnly;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = ProgrammeCommand::OpenCall {
            call: self.call,
            title: self.title,
            rule_set: self.rule_set,
            opens_on: self.opens_on.0,
            closes_at: self.closes_at.0,
            unavailable_funds: self.unavailable_funds,
            source: self.source,
        };
        Ok((programme_code(&self.programme)?, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct ScheduleMeetingInput {
    pub municipality: MunicipalityCode,
    /// Council, executive board or committee.
    pub body: DecisionBody,
    pub date: Date,
    /// Where the date comes from, e.g. the published meeting plan.
    pub source: Option<String>,
}

impl CommandInput for ScheduleMeetingInput {
    type Aggregate = Calendar;
    const RULE: Rule = Rule::OwnMunicipality;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = CalendarCommand::Schedule {
            municipality: self.municipality.0,
            body: self.body.into(),
            date: self.date.0,
            source: self.source,
        };
        Ok((self.municipality.0, command))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct CancelMeetingInput {
    pub municipality: MunicipalityCode,
    pub body: DecisionBody,
    pub date: Date,
}

impl CommandInput for CancelMeetingInput {
    type Aggregate = Calendar;
    const RULE: Rule = Rule::OwnMunicipality;
    fn command(self, _: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError> {
        let command = CalendarCommand::Cancel {
            municipality: self.municipality.0,
            body: self.body.into(),
            date: self.date.0,
        };
        Ok((self.municipality.0, command))
    }
}
