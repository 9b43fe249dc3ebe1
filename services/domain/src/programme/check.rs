//! The one check of a joint application against its call's rule set: pure,
//! used by the decider (an "E" rule broken refuses the command) and by the
//! read side (`checkApplication`, `warnings`). Every figure is integer
//! arithmetic on minor units and basis points, widened to 128 bits.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::rules::{month_day, CapBasis, RuleKind, Severity, Stage};
use super::CallRules;
use crate::cofinancing::CoFinancingTerms;
use crate::{CountryCode, DomainError, Money, MunicipalityCode, Period};

/// A conversion from another currency, as the funder's rules ask for it
/// (Jems: InforEuro monthly rates). The converted amount is computed once,
/// when the command is decided, stored with the event and never recomputed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Conversion {
    /// Units of the target currency per unit of the source currency, as a
    /// decimal text with at most six decimals, e.g. `0.0856`.
    pub rate: String,
    /// Where the rate comes from, e.g. `InforEuro, monthly rate 2025-09`.
    pub source: String,
    /// The date the rate is for.
    pub date: NaiveDate,
}

impl Conversion {
    /// `amount` (in the source currency) in `target`, rounded down to the minor unit.
    pub fn convert(&self, amount: Money, target: crate::Currency) -> Result<Money, DomainError> {
        let millionths = rate_millionths(&self.rate)?;
        crate::require_text("conversion.source", &self.source)?;
        let minor = i128::from(amount.amount_minor)
            .checked_mul(millionths)
            .ok_or(DomainError::AmountOverflow)?
            / 1_000_000;
        let minor = i64::try_from(minor).map_err(|_| DomainError::AmountOverflow)?;
        Money::for_command(minor, target)
    }
}

fn rate_millionths(text: &str) -> Result<i128, DomainError> {
    let bad = || DomainError::InvalidExchangeRate {
        value: text.to_string(),
    };
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || frac.len() > 6
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 9
    {
        return Err(bad());
    }
    let whole: i128 = whole.parse().map_err(|_| bad())?;
    let frac: i128 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}").parse().map_err(|_| bad())?
    };
    let r = whole * 1_000_000 + frac;
    if r == 0 {
        return Err(bad());
    }
    Ok(r)
}

/// One country's side of a cross-border budget (Interreg Sverige–Norge:
/// the Swedish side's EU funds, the Norwegian side's IR funds), in its own
/// currency; `converted_*` are the same amounts in the application's
/// currency when the side's differs (computed at drafting, never recomputed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SideBudget {
    pub country: CountryCode,
    /// The fund asked from, e.g. `ERDF` or `IR` (Norwegian state Interreg funds).
    pub fund: String,
    /// The side's eligible costs.
    pub total: Money,
    /// Asked from the side's fund.
    pub requested: Money,
    #[serde(default)]
    pub conversion: Option<Conversion>,
    #[serde(default)]
    pub converted_total: Option<Money>,
    #[serde(default)]
    pub converted_requested: Option<Money>,
}

impl SideBudget {
    /// `total` and `requested` in the application's currency.
    pub fn in_application_currency(&self) -> (Money, Money) {
        (
            self.converted_total.unwrap_or(self.total),
            self.converted_requested.unwrap_or(self.requested),
        )
    }
}

/// A party's answer, as far as the rules go.
#[derive(Debug, Clone, PartialEq)]
pub enum PartyAnswer {
    Pending,
    Committed {
        amount: Money,
        decided_on: NaiveDate,
        terms: Option<CoFinancingTerms>,
    },
    Declined,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Party {
    pub municipality: MunicipalityCode,
    pub lead: bool,
    pub answer: PartyAnswer,
    /// The day the party confirmed its commitment after the funder's
    /// decision (`None`: not confirmed).
    pub confirmed_on: Option<NaiveDate>,
}

/// What the rules look at: the application's budget and parties on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub lead: MunicipalityCode,
    /// The lead first, then the co-applicants.
    pub parties: Vec<Party>,
    pub total_budget: Money,
    pub requested: Money,
    /// Budget sides; empty: one side, the lead's country, the whole budget.
    pub sides: Vec<SideBudget>,
    pub fund: String,
    pub deadline: DateTime<Utc>,
    pub project_period: Period,
    /// The day the check is made for (the submission's day, or today).
    pub on: NaiveDate,
    /// The day the funder decided (approved) the application, if it has.
    pub funder_decided_on: Option<NaiveDate>,
    /// Today (a calendar date): what confirmations are overdue or near is
    /// judged on it, whatever `on` is.
    pub today: NaiveDate,
    /// The day the funder approved the result of the project the application
    /// became (final report accepted), if it has.
    pub result_approved_on: Option<NaiveDate>,
}

/// How many days before its due date a missing confirmation is warned of.
pub const CONFIRMATION_NEAR_DAYS: u64 = 14;

impl Subject {
    fn sides(&self) -> Vec<SideBudget> {
        if self.sides.is_empty() {
            vec![SideBudget {
                country: self.lead.country(),
                fund: self.fund.clone(),
                total: self.total_budget,
                requested: self.requested,
                conversion: None,
                converted_total: None,
                converted_requested: None,
            }]
        } else {
            self.sides.clone()
        }
    }
    /// The lead and every co-applicant that has not declined.
    fn taking_part(&self) -> impl Iterator<Item = &Party> {
        self.parties.iter().filter(|p| p.answer != PartyAnswer::Declined)
    }
}

/// How an application stands against one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    Pass,
    /// An "E" rule is broken.
    Fail,
    /// A "W" rule is broken.
    Warning,
}

/// One rule's verdict with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCheck {
    /// The rule's stable name, e.g. `max_funding_rate`.
    pub rule: &'static str,
    pub label: String,
    pub severity: Severity,
    pub outcome: Outcome,
    /// A plain sentence with the figures.
    pub detail: String,
    /// The figure the application has, e.g. `70.00 %`.
    pub actual: Option<String>,
    /// The rule's limit, e.g. `at most 65.00 %`.
    pub limit: Option<String>,
    pub source: String,
    pub stage: StageName,
    /// The party (municipality) the verdict concerns, when it concerns one:
    /// a partner's fund share and own contribution, the excluded costs in a
    /// partner's budget. `None`: the application as a whole.
    pub party: Option<MunicipalityCode>,
}

/// [`Stage`] for the read side.
pub type StageName = &'static str;

fn stage_name(s: Stage) -> StageName {
    match s {
        Stage::Draft => "draft",
        Stage::Commitment => "commitment",
        Stage::Submission => "submission",
        Stage::Confirmation => "confirmation",
    }
}

fn percent(bp: i128) -> String {
    format!("{}.{:02} %", bp / 100, bp % 100)
}

/// `part / whole` in basis points, rounded down (0 for an empty whole).
fn basis_points(part: i64, whole: i64) -> i128 {
    if whole == 0 {
        0
    } else {
        i128::from(part) * 10_000 / i128::from(whole)
    }
}

/// Started years of the period: 1 + how many whole years from its start still
/// begin on or before its end (2027-03-31 – 2029-03-30 is two years).
fn years(period: &Period) -> i64 {
    let Some(end) = period.end else { return 1 };
    let mut years = 1;
    while period
        .start
        .checked_add_months(chrono::Months::new(12 * years as u32))
        .is_some_and(|next| next <= end)
    {
        years += 1;
    }
    years
}

/// Every rule of the call's rule set (and the checks every call has:
/// the deadline matches the call's, each partner's fund share and own
/// contribution add up to its budget) with its verdict.
pub fn check(subject: &Subject, rules: &CallRules) -> Vec<RuleCheck> {
    let mut out = vec![];
    let call = &rules.call;
    let mut verdict = |party: Option<MunicipalityCode>,
                       rule: &'static str,
                       label: &str,
                       severity: Severity,
                       source: &str,
                       stage: Stage,
                       broken: bool,
                       detail: String,
                       actual: Option<String>,
                       limit: Option<String>| {
        let outcome = match (broken, severity) {
            (false, _) => Outcome::Pass,
            (true, Severity::Error) => Outcome::Fail,
            (true, Severity::Warning) => Outcome::Warning,
        };
        out.push(RuleCheck {
            rule,
            label: label.to_string(),
            severity,
            outcome,
            detail,
            actual,
            limit,
            source: source.to_string(),
            stage: stage_name(stage),
            party,
        });
    };

    // Every call: the application's deadline is the call's.
    let matches = subject.deadline == call.closes_at;
    verdict(
        None,
        "deadline_matches_call",
        "The application's deadline is the call's deadline",
        Severity::Warning,
        &call.source,
        Stage::Draft,
        !matches,
        if matches {
            format!("the deadline {} is the call's", call.closes_at)
        } else {
            format!(
                "the application's deadline {} is not the call's deadline {}",
                subject.deadline, call.closes_at
            )
        },
        Some(subject.deadline.to_string()),
        Some(call.closes_at.to_string()),
    );

    let sides = subject.sides();
    for rule in &rules.rule_set.rules {
        let name = rule.kind.name();
        let stage = rule.kind.stage();
        let mut on = |party: Option<MunicipalityCode>,
                      broken: bool,
                      detail: String,
                      actual: Option<String>,
                      limit: Option<String>| {
            verdict(
                party,
                name,
                &rule.label,
                rule.severity,
                &rule.source,
                stage,
                broken,
                detail,
                actual,
                limit,
            )
        };
        let mut v = |broken: bool, detail: String, actual: Option<String>, limit: Option<String>| {
            on(None, broken, detail, actual, limit)
        };
        match &rule.kind {
            RuleKind::MaxFundingRate {
                country,
                max_basis_points,
            } => {
                for side in sides.iter().filter(|s| country.is_none_or(|c| c == s.country)) {
                    let rate = basis_points(side.requested.amount_minor, side.total.amount_minor);
                    let broken = rate > i128::from(*max_basis_points);
                    v(
                        broken,
                        format!(
                            "{} side: {} of {} asked from {} is {}",
                            side.country,
                            side.requested,
                            side.total,
                            side.fund,
                            percent(rate)
                        ),
                        Some(percent(rate)),
                        Some(format!("at most {}", percent(i128::from(*max_basis_points)))),
                    );
                }
            }
            RuleKind::MinCoFinancingRate {
                min_basis_points,
                regional,
            } => {
                let lead = subject.lead.to_string();
                let region = regional.iter().find(|r| {
                    r.municipality_prefixes
                        .iter()
                        .any(|p| !p.is_empty() && lead.starts_with(p.as_str()))
                });
                let min = region.map_or(*min_basis_points, |r| r.min_basis_points);
                let own = subject.total_budget.amount_minor - subject.requested.amount_minor;
                let rate = basis_points(own, subject.total_budget.amount_minor);
                let in_region = region.map_or(String::new(), |r| format!(" (lead {lead} is in {})", r.region));
                v(
                    rate < i128::from(min),
                    format!(
                        "own co-financing {} of {} is {}{in_region}",
                        Money::new(own.max(0), subject.total_budget.currency).unwrap_or(subject.total_budget),
                        subject.total_budget,
                        percent(rate)
                    ),
                    Some(percent(rate)),
                    Some(format!("at least {}", percent(i128::from(min)))),
                );
            }
            RuleKind::MinPartnersPerCountry { countries, min } => {
                let counts: Vec<(CountryCode, usize)> = countries
                    .iter()
                    .map(|c| {
                        (
                            *c,
                            subject.taking_part().filter(|p| p.municipality.country() == *c).count(),
                        )
                    })
                    .collect();
                let short: Vec<String> = counts
                    .iter()
                    .filter(|(_, n)| *n < *min as usize)
                    .map(|(c, n)| format!("{c}: {n}"))
                    .collect();
                let all: Vec<String> = counts.iter().map(|(c, n)| format!("{c}: {n}")).collect();
                v(
                    !short.is_empty(),
                    if short.is_empty() {
                        format!("partners per country: {}", all.join(", "))
                    } else {
                        format!("too few partners from {}", short.join(", "))
                    },
                    Some(all.join(", ")),
                    Some(format!("at least {min} from each of {}", join(countries))),
                );
            }
            RuleKind::MinPartnersAndCountries {
                min_partners,
                min_countries,
            } => {
                let partners = subject.taking_part().count();
                let mut countries: Vec<CountryCode> = subject.taking_part().map(|p| p.municipality.country()).collect();
                countries.sort();
                countries.dedup();
                v(
                    partners < *min_partners as usize || countries.len() < *min_countries as usize,
                    format!(
                        "{partners} partners from {} countries ({})",
                        countries.len(),
                        join(&countries)
                    ),
                    Some(format!("{partners} partners, {} countries", countries.len())),
                    Some(format!(
                        "at least {min_partners} partners from {min_countries} countries"
                    )),
                );
            }
            RuleKind::LumpSum { amounts } => {
                let hit = amounts.contains(&subject.requested);
                let list: Vec<String> = amounts.iter().map(Money::to_string).collect();
                v(
                    !hit,
                    format!("{} requested; the lump sums are {}", subject.requested, list.join(", ")),
                    Some(subject.requested.to_string()),
                    Some(format!("one of {}", list.join(", "))),
                );
            }
            RuleKind::MaxRequested { cap, per, country } => {
                let mine: Vec<&SideBudget> = sides
                    .iter()
                    .filter(|s| country.is_none_or(|c| c == s.country))
                    .collect();
                // The sides' requests in the cap's currency (converted where recorded).
                let in_cap = |s: &SideBudget| -> Option<i64> {
                    if s.requested.currency == cap.currency {
                        Some(s.requested.amount_minor)
                    } else {
                        s.converted_requested
                            .filter(|c| c.currency == cap.currency)
                            .map(|c| c.amount_minor)
                    }
                };
                let mut groups: Vec<(String, Vec<&SideBudget>)> = match per {
                    CapBasis::Country => mine.iter().map(|s| (format!("{} side", s.country), vec![*s])).collect(),
                    _ => vec![(
                        country.map_or("the project".to_string(), |c| format!("the {c} side")),
                        mine.clone(),
                    )],
                };
                if groups.is_empty() {
                    groups.push(("the project".into(), vec![]));
                }
                let factor = if *per == CapBasis::Year {
                    years(&subject.project_period)
                } else {
                    1
                };
                let limit = i128::from(cap.amount_minor) * i128::from(factor);
                for (what, group) in groups {
                    let asked: Option<i128> = group.iter().map(|s| in_cap(s).map(i128::from)).sum::<Option<i128>>();
                    let limit_text = if *per == CapBasis::Year {
                        format!("at most {cap} a year × {factor} years")
                    } else {
                        format!("at most {cap}")
                    };
                    match asked {
                        Some(asked) => v(
                            asked > limit,
                            format!(
                                "{what} asks {}",
                                Money::new(i64::try_from(asked).unwrap_or(i64::MAX), cap.currency)
                                    .map_or(asked.to_string(), |m| m.to_string())
                            ),
                            Some(
                                Money::new(i64::try_from(asked).unwrap_or(i64::MAX), cap.currency)
                                    .map_or(asked.to_string(), |m| m.to_string()),
                            ),
                            Some(limit_text),
                        ),
                        None => v(
                            true,
                            format!("{what} is not in {} and carries no conversion to it", cap.currency),
                            None,
                            Some(limit_text),
                        ),
                    }
                }
            }
            RuleKind::DeadlineDay { days } => {
                let date = subject.deadline.date_naive();
                let hit = days
                    .iter()
                    .filter_map(|d| month_day(d))
                    .any(|(m, d)| date.month() == m && date.day() == d);
                v(
                    !hit,
                    format!(
                        "the deadline is {date}; the programme's deadlines are {}",
                        days.join(", ")
                    ),
                    Some(date.format("%m-%d").to_string()),
                    Some(format!("one of {}", days.join(", "))),
                );
            }
            RuleKind::FundAvailableInCall => {
                let missing: Vec<String> = sides
                    .iter()
                    .filter(|s| call.unavailable_funds.iter().any(|f| f == &s.fund))
                    .map(|s| format!("{} ({} side)", s.fund, s.country))
                    .collect();
                v(
                    !missing.is_empty(),
                    if missing.is_empty() {
                        "every fund asked from is available in the call".to_string()
                    } else {
                        format!("the call has no {}", missing.join(", "))
                    },
                    Some(sides.iter().map(|s| s.fund.clone()).collect::<Vec<_>>().join(", ")),
                    Some(if call.unavailable_funds.is_empty() {
                        "every fund".to_string()
                    } else {
                        format!("not {}", call.unavailable_funds.join(", "))
                    }),
                );
            }
            RuleKind::CoFinancingDecisionMissing => {
                let missing: Vec<String> = subject
                    .taking_part()
                    .filter(|p| match &p.answer {
                        PartyAnswer::Committed { decided_on, .. } => *decided_on > subject.on,
                        _ => true,
                    })
                    .map(|p| p.municipality.to_string())
                    .collect();
                v(
                    !missing.is_empty(),
                    if missing.is_empty() {
                        format!("every party's co-financing decision is taken by {}", subject.on)
                    } else {
                        format!("no co-financing decision by {} from {}", subject.on, missing.join(", "))
                    },
                    Some(format!("{} missing", missing.len())),
                    Some("none missing".into()),
                );
            }
            RuleKind::ExcludedCostCategory { categories } => {
                // One verdict per partner whose budget has excluded costs
                // (naming the partner), else one passing verdict.
                let mut any = false;
                for p in &subject.parties {
                    let PartyAnswer::Committed { terms: Some(t), .. } = &p.answer else {
                        continue;
                    };
                    let found: Vec<String> = t
                        .cost_lines
                        .iter()
                        .filter(|l| categories.iter().any(|c| c.eq_ignore_ascii_case(l.category.trim())))
                        .map(|l| format!("{} {} {}", p.municipality, l.category, l.amount))
                        .collect();
                    if found.is_empty() {
                        continue;
                    }
                    any = true;
                    on(
                        Some(p.municipality),
                        true,
                        format!("excluded costs in the budget: {}", found.join(", ")),
                        Some(format!("{} lines", found.len())),
                        Some(format!("no {}", categories.join(", "))),
                    );
                }
                if !any {
                    on(
                        None,
                        false,
                        format!("no costs of {}", categories.join(", ")),
                        Some("0 lines".to_string()),
                        Some(format!("no {}", categories.join(", "))),
                    );
                }
            }
            RuleKind::CommitmentsConfirmedWithin { weeks } => {
                let within = format!("within {weeks} weeks of the funder's decision");
                let Some(decided) = subject.funder_decided_on else {
                    on(
                        None,
                        false,
                        format!("no funder decision yet: each committed party confirms {within}"),
                        None,
                        Some(within),
                    );
                    continue;
                };
                let due = decided + chrono::Days::new(u64::from(*weeks) * 7);
                let near = due - chrono::Days::new(CONFIRMATION_NEAR_DAYS);
                let mut any = false;
                for p in subject.taking_part() {
                    if !matches!(p.answer, PartyAnswer::Committed { .. }) {
                        continue;
                    }
                    any = true;
                    let m = p.municipality;
                    let of = format!("{weeks} weeks from the decision on {decided}");
                    let (broken, detail, actual) = match p.confirmed_on {
                        Some(c) if c <= due => (
                            false,
                            format!("{m} confirmed on {c}, due {due} ({of})"),
                            format!("confirmed {c}"),
                        ),
                        Some(c) => (
                            true,
                            format!("{m} confirmed on {c}, after {due} ({of})"),
                            format!("confirmed {c}"),
                        ),
                        None if subject.today > due => (
                            true,
                            format!(
                                "{m} has not confirmed its commitment: due {due} ({of}), overdue on {}",
                                subject.today
                            ),
                            "not confirmed".to_string(),
                        ),
                        None if subject.today >= near => (
                            true,
                            format!(
                                "{m} has not confirmed its commitment: due {due} ({of}), {} days left",
                                (due - subject.today).num_days()
                            ),
                            "not confirmed".to_string(),
                        ),
                        None => (
                            false,
                            format!("{m} has not confirmed yet: due {due} ({of})"),
                            "not confirmed".to_string(),
                        ),
                    };
                    on(
                        Some(m),
                        broken,
                        detail,
                        Some(actual),
                        Some(format!("by {due} ({within})")),
                    );
                }
                if !any {
                    on(
                        None,
                        false,
                        "no party has committed, so none confirms".to_string(),
                        None,
                        Some(within),
                    );
                }
            }
            RuleKind::RecordsRetained { years_after_closing } => v(
                false,
                format!(
                    "the project's records are kept until the end of the {years_after_closing}th year after the year it closes"
                ),
                None,
                None,
            ),
            RuleKind::LumpSumPaidOnResult => {
                let paid = "paid all or nothing when the funder approves the result".to_string();
                match (subject.funder_decided_on, subject.result_approved_on) {
                    (_, Some(approved)) => v(
                        false,
                        format!(
                            "the result was approved on {approved}: the lump sum {} is paid",
                            subject.requested
                        ),
                        Some(format!("approved {approved}")),
                        Some(paid),
                    ),
                    (Some(decided), None) => v(
                        true,
                        format!(
                            "the lump sum {} granted on {decided} is at risk until the funder approves the result",
                            subject.requested
                        ),
                        Some("result not approved".to_string()),
                        Some(paid),
                    ),
                    (None, None) => v(
                        false,
                        format!("no funder decision yet: a granted lump sum is {paid}"),
                        None,
                        Some(paid),
                    ),
                }
            }
            RuleKind::MaxFunds { max } => {
                let mut funds: Vec<&str> = sides.iter().map(|s| s.fund.as_str()).collect();
                funds.sort();
                funds.dedup();
                v(
                    funds.len() > *max as usize,
                    format!("funds asked from: {}", funds.join(", ")),
                    Some(funds.len().to_string()),
                    Some(format!("at most {max}")),
                );
            }
        }
    }

    // Every call: each partner's fund share and own contribution make 100 %
    // of its budget, the fund share rounded down to the minor unit and the
    // contribution the remainder (Jems).
    for p in &subject.parties {
        let PartyAnswer::Committed {
            amount,
            terms: Some(terms),
            ..
        } = &p.answer
        else {
            continue;
        };
        let Some(budget) = terms.partner_budget else { continue };
        let side = sides
            .iter()
            .find(|s| s.country == p.municipality.country())
            .or(sides.first());
        let Some(side) = side else { continue };
        let (total, requested) = side.in_application_currency();
        let fund = if total.amount_minor == 0 {
            0
        } else {
            i128::from(budget.amount_minor) * i128::from(requested.amount_minor) / i128::from(total.amount_minor)
        };
        let contribution = i128::from(budget.amount_minor) - fund;
        let money = |x: i128| {
            Money::new(i64::try_from(x).unwrap_or(i64::MAX), budget.currency).map_or(x.to_string(), |m| m.to_string())
        };
        verdict(
            Some(p.municipality),
            "fund_shares_sum",
            "Fund share and own contribution make 100 % of each partner's budget (fund share rounded down)",
            Severity::Error,
            "Jems partner co-financing: fund amounts rounded down, the partner contribution is the remainder",
            Stage::Commitment,
            i128::from(amount.amount_minor) != contribution,
            format!(
                "{}: budget {budget}, fund share {} at {}, own contribution {}, committed {amount}",
                p.municipality,
                money(fund),
                percent(basis_points(requested.amount_minor, total.amount_minor)),
                money(contribution)
            ),
            Some(amount.to_string()),
            Some(format!("exactly {}", money(contribution))),
        );
    }
    out
}

fn join(codes: &[CountryCode]) -> String {
    codes.iter().map(CountryCode::to_string).collect::<Vec<_>>().join(", ")
}

/// The first "E" rule broken that a command of `stage` answers for (its
/// own stage and every earlier one), as the typed error.
pub fn refusal(checks: &[RuleCheck], stage: Stage) -> Result<(), DomainError> {
    let at_most = |s: StageName| match s {
        "draft" => Stage::Draft,
        "commitment" => Stage::Commitment,
        "submission" => Stage::Submission,
        _ => Stage::Confirmation,
    } <= stage;
    match checks.iter().find(|c| c.outcome == Outcome::Fail && at_most(c.stage)) {
        Some(c) => Err(DomainError::ProgrammeRuleBroken {
            rule: c.rule,
            label: c.label.clone(),
            detail: c.detail.clone(),
        }),
        None => Ok(()),
    }
}
