use super::*;
use crate::cofinancing::{CoFinancingSource, CoFinancingTerms, ContributionForm, CostLine, FundingOrigin};
use crate::testing::fixtures::{d, m, money, sek, t};
use crate::testing::{given, given_no_history};
use crate::{Currency, Money, MunicipalityCode, Period, ProgrammeKind};

fn code() -> ProgrammeCode {
    ProgrammeCode::parse("INTERREG-SE-NO-2021-2027").unwrap()
}

fn se() -> crate::CountryCode {
    crate::CountryCode::parse("SE").unwrap()
}
fn no() -> crate::CountryCode {
    crate::CountryCode::parse("NO").unwrap()
}
fn eur(units: i64) -> Money {
    money(units, Currency::EUR)
}

fn rule(severity: Severity, kind: RuleKind) -> ProgrammeRule {
    ProgrammeRule {
        label: kind.name().replace('_', " "),
        severity,
        source: "test".into(),
        kind,
    }
}

fn defined() -> ProgrammeEvent {
    ProgrammeDefined {
        programme: code(),
        name: "Interreg Sverige–Norge 2021–2027".into(),
        kind: ProgrammeKind::Interreg,
        source: "interreg-sverige-norge.com".into(),
    }
    .into()
}

fn rule_set(version: &str, from: &str, until: Option<&str>, rules: Vec<ProgrammeRule>) -> RuleSetAdopted {
    RuleSetAdopted {
        programme: code(),
        version: version.into(),
        valid_from: d(from),
        valid_until: until.map(d),
        rules,
        source: "handbook".into(),
    }
}

fn call_rules(rules: Vec<ProgrammeRule>, unavailable: &[&str]) -> CallRules {
    CallRules {
        programme: match defined() {
            ProgrammeEvent::ProgrammeDefined(p) => p,
            _ => unreachable!(),
        },
        rule_set: rule_set("1", "2021-01-01", None, rules),
        call: CallOpened {
            programme: code(),
            call: "2025-09".into(),
            title: "Main projects".into(),
            rule_set: "1".into(),
            opens_on: d("2025-06-01"),
            closes_at: t("2025-09-15T21:59:00Z"),
            unavailable_funds: unavailable.iter().map(|s| s.to_string()).collect(),
            source: "call page".into(),
        },
    }
}

fn committed(amount: Money, on: &str) -> PartyAnswer {
    PartyAnswer::Committed {
        amount,
        decided_on: d(on),
        terms: None,
    }
}

fn party(code: &str, lead: bool, answer: PartyAnswer) -> Party {
    Party {
        municipality: m(code),
        lead,
        answer,
        confirmed_on: None,
    }
}

fn side(country: crate::CountryCode, fund: &str, total: Money, requested: Money) -> SideBudget {
    SideBudget {
        country,
        fund: fund.into(),
        total,
        requested,
        conversion: None,
        converted_total: None,
        converted_requested: None,
    }
}

/// ecoINSIDE 2-like: Arvika leads, Kongsvinger takes part, two sides in EUR.
fn arko_subject() -> Subject {
    Subject {
        lead: m("SE-1784"),
        parties: vec![
            party("SE-1784", true, committed(eur(100_000), "2025-08-18")),
            party("NO-3401", false, committed(eur(100_000), "2025-08-20")),
        ],
        total_budget: eur(2_983_100),
        requested: eur(1_279_675),
        sides: vec![
            side(se(), "ERDF", eur(1_391_900), eur(904_675)),
            side(no(), "IR", eur(1_591_200), eur(375_000)),
        ],
        fund: "ERDF".into(),
        deadline: t("2025-09-15T21:59:00Z"),
        project_period: Period::new(d("2026-01-01"), Some(d("2028-12-31"))).unwrap(),
        on: d("2025-09-11"),
        funder_decided_on: None,
        today: d("2025-09-11"),
        result_approved_on: None,
    }
}

fn outcome(checks: &[RuleCheck], rule: &str) -> Vec<Outcome> {
    checks.iter().filter(|c| c.rule == rule).map(|c| c.outcome).collect()
}

#[test]
fn programme_codes() {
    assert!(ProgrammeCode::parse("ERASMUS-KA220").is_ok());
    assert_eq!(
        ProgrammeCode::parse("erasmus").unwrap_err().rule(),
        "invalid_programme_code"
    );
}

#[test]
fn rule_sets_are_dated_versions_and_calls_name_one_in_force() {
    let adopt = |version: &str, from: &str, until: Option<&str>| ProgrammeCommand::AdoptRuleSet {
        version: version.into(),
        valid_from: d(from),
        valid_until: until.map(d),
        rules: vec![rule(
            Severity::Error,
            RuleKind::MaxFundingRate {
                country: Some(se()),
                max_basis_points: 6500,
            },
        )],
        source: "handbook v1".into(),
    };
    given_no_history::<Programme>()
        .when(adopt("1", "2021-01-01", None))
        .then_error("not_found");
    let state = given::<Programme>([defined()])
        .when(adopt("2021-1", "2021-01-01", Some("2024-12-31")))
        .then_ok();
    let state = given::<Programme>(
        state
            .rule_sets
            .iter()
            .cloned()
            .map(ProgrammeEvent::from)
            .chain(std::iter::once(defined()))
            .rev(),
    )
    .when(adopt("2025-1", "2025-01-01", None))
    .then_ok();
    assert_eq!(state.rule_sets.len(), 2);
    let history: Vec<ProgrammeEvent> = std::iter::once(defined())
        .chain(state.rule_sets.iter().cloned().map(ProgrammeEvent::from))
        .collect();
    given::<Programme>(history.clone())
        .when(adopt("2025-1", "2026-01-01", None))
        .then_error("duplicate_rule_set");
    let open = |rule_set: &str, opens: &str| ProgrammeCommand::OpenCall {
        call: "2025-09".into(),
        title: "Main projects, 15 September 2025".into(),
        rule_set: rule_set.into(),
        opens_on: d(opens),
        closes_at: t("2025-09-15T21:59:00Z"),
        unavailable_funds: vec![],
        source: "call page".into(),
    };
    // The older version is not in force when the call opens.
    given::<Programme>(history.clone())
        .when(open("2021-1", "2025-06-01"))
        .then_error("rule_set_not_in_force");
    given::<Programme>(history.clone())
        .when(open("9", "2025-06-01"))
        .then_error("unknown_rule_set");
    let state = given::<Programme>(history.clone())
        .when(open("2025-1", "2025-06-01"))
        .then_ok();
    let rules = state.call_rules("2025-09").unwrap();
    assert_eq!(rules.rule_set.version, "2025-1");
    let mut again = history;
    again.extend(state.calls.iter().cloned().map(ProgrammeEvent::from));
    given::<Programme>(again)
        .when(open("2025-1", "2025-06-01"))
        .then_error("duplicate_call");
}

#[test]
fn invalid_rules_are_refused() {
    let adopt = |kind| ProgrammeCommand::AdoptRuleSet {
        version: "1".into(),
        valid_from: d("2021-01-01"),
        valid_until: None,
        rules: vec![rule(Severity::Error, kind)],
        source: "handbook".into(),
    };
    given::<Programme>([defined()])
        .when(adopt(RuleKind::MaxFundingRate {
            country: None,
            max_basis_points: 10_001,
        }))
        .then_error("invalid_rule");
    given::<Programme>([defined()])
        .when(adopt(RuleKind::DeadlineDay {
            days: vec!["02-30".into()],
        }))
        .then_error("invalid_rule");
    given::<Programme>([defined()])
        .when(adopt(RuleKind::LumpSum { amounts: vec![] }))
        .then_error("invalid_rule");
}

#[test]
fn funding_rate_per_side_and_partners_per_country() {
    let rules = call_rules(
        vec![
            rule(
                Severity::Error,
                RuleKind::MaxFundingRate {
                    country: Some(se()),
                    max_basis_points: 6500,
                },
            ),
            rule(
                Severity::Error,
                RuleKind::MaxFundingRate {
                    country: Some(no()),
                    max_basis_points: 5000,
                },
            ),
            rule(
                Severity::Error,
                RuleKind::MinPartnersPerCountry {
                    countries: vec![se(), no()],
                    min: 1,
                },
            ),
        ],
        &[],
    );
    let ok = arko_subject();
    let checks = check(&ok, &rules);
    assert_eq!(outcome(&checks, "max_funding_rate"), [Outcome::Pass, Outcome::Pass]);
    assert_eq!(outcome(&checks, "min_partners_per_country"), [Outcome::Pass]);
    assert!(refusal(&checks, Stage::Submission).is_ok());

    // 66 % on the Swedish side.
    let mut high = arko_subject();
    high.sides[0].requested = eur(918_654);
    let checks = check(&high, &rules);
    assert_eq!(outcome(&checks, "max_funding_rate"), [Outcome::Fail, Outcome::Pass]);
    let swedish = checks.iter().find(|c| c.rule == "max_funding_rate").unwrap();
    assert_eq!(swedish.actual.as_deref(), Some("66.00 %"));
    assert_eq!(swedish.limit.as_deref(), Some("at most 65.00 %"));
    assert_eq!(refusal(&checks, Stage::Draft).unwrap_err().rule(), "max_funding_rate");

    // Kongsvinger declines: no Norwegian partner left; refused only at submission.
    let mut alone = arko_subject();
    alone.parties[1].answer = PartyAnswer::Declined;
    let checks = check(&alone, &rules);
    assert_eq!(outcome(&checks, "min_partners_per_country"), [Outcome::Fail]);
    assert!(refusal(&checks, Stage::Draft).is_ok());
    assert_eq!(
        refusal(&checks, Stage::Submission).unwrap_err().rule(),
        "min_partners_per_country"
    );
}

#[test]
fn co_financing_rate_depends_on_the_lead_applicants_region() {
    let esf = call_rules(
        vec![rule(
            Severity::Error,
            RuleKind::MinCoFinancingRate {
                min_basis_points: 4600,
                regional: vec![RegionalRate {
                    region: "Norra Mellansverige".into(),
                    municipality_prefixes: vec!["SE-17".into(), "SE-20".into(), "SE-21".into()],
                    min_basis_points: 4000,
                }],
            },
        )],
        &[],
    );
    let mut s = arko_subject();
    s.sides.clear();
    s.total_budget = sek(1_000_000);
    s.requested = sek(580_000); // 42 % own co-financing
    s.lead = m("SE-1784"); // Arvika, Värmland: 40 % suffices
    assert_eq!(outcome(&check(&s, &esf), "min_co_financing_rate"), [Outcome::Pass]);
    s.lead = m("SE-1494"); // Lidköping, Västsverige: 46 %
    let checks = check(&s, &esf);
    assert_eq!(outcome(&checks, "min_co_financing_rate"), [Outcome::Fail]);
    let c = checks.iter().find(|c| c.rule == "min_co_financing_rate").unwrap();
    assert_eq!(c.actual.as_deref(), Some("42.00 %"));
    assert_eq!(c.limit.as_deref(), Some("at least 46.00 %"));
}

#[test]
fn lump_sums_caps_deadlines_and_funds() {
    let mut s = arko_subject();
    s.sides.clear();
    s.total_budget = eur(300_000);
    s.requested = eur(250_000);
    let lump = call_rules(
        vec![rule(
            Severity::Error,
            RuleKind::LumpSum {
                amounts: vec![eur(120_000), eur(250_000), eur(400_000)],
            },
        )],
        &[],
    );
    assert_eq!(outcome(&check(&s, &lump), "lump_sum"), [Outcome::Pass]);
    s.requested = eur(200_000);
    assert_eq!(outcome(&check(&s, &lump), "lump_sum"), [Outcome::Fail]);

    // Aurora: Norwegian IR capped at €200,000 per project.
    let aurora = call_rules(
        vec![rule(
            Severity::Error,
            RuleKind::MaxRequested {
                cap: eur(200_000),
                per: CapBasis::Project,
                country: Some(no()),
            },
        )],
        &[],
    );
    let mut two = arko_subject();
    assert_eq!(outcome(&check(&two, &aurora), "max_requested"), [Outcome::Fail]);
    two.sides[1].requested = eur(200_000);
    assert_eq!(outcome(&check(&two, &aurora), "max_requested"), [Outcome::Pass]);

    // ICLD: SEK 450,000 a year over a three-year period.
    let icld = call_rules(
        vec![rule(
            Severity::Error,
            RuleKind::MaxRequested {
                cap: sek(450_000),
                per: CapBasis::Year,
                country: None,
            },
        )],
        &[],
    );
    let mut p = arko_subject();
    p.sides.clear();
    p.total_budget = sek(1_400_000);
    p.requested = sek(1_350_000);
    assert_eq!(outcome(&check(&p, &icld), "max_requested"), [Outcome::Pass]);
    p.requested = sek(1_350_001);
    assert_eq!(outcome(&check(&p, &icld), "max_requested"), [Outcome::Fail]);

    // Deadline days (W) and the call's own deadline (W), the call's missing funds (W).
    let w = call_rules(
        vec![
            rule(
                Severity::Warning,
                RuleKind::DeadlineDay {
                    days: vec!["02-15".into(), "09-15".into()],
                },
            ),
            rule(Severity::Warning, RuleKind::FundAvailableInCall),
        ],
        &["IR"],
    );
    let mut late = arko_subject();
    late.deadline = t("2025-09-30T21:59:00Z");
    let checks = check(&late, &w);
    assert_eq!(outcome(&checks, "deadline_day"), [Outcome::Warning]);
    assert_eq!(outcome(&checks, "deadline_matches_call"), [Outcome::Warning]);
    assert_eq!(outcome(&checks, "fund_available_in_call"), [Outcome::Warning]);
    assert!(refusal(&checks, Stage::Submission).is_ok(), "warnings never refuse");
    assert_eq!(outcome(&check(&arko_subject(), &w), "deadline_day"), [Outcome::Pass]);
}

#[test]
fn decisions_missing_at_submission_and_jems_rounding() {
    let rules = call_rules(vec![rule(Severity::Error, RuleKind::CoFinancingDecisionMissing)], &[]);
    let mut s = arko_subject();
    s.parties[1].answer = committed(eur(100_000), "2025-09-20"); // decided after the submission day
    let checks = check(&s, &rules);
    assert_eq!(outcome(&checks, "co_financing_decision_missing"), [Outcome::Fail]);
    assert!(checks[1].detail.contains("NO-3401"), "{}", checks[1].detail);
    s.on = d("2025-09-20");
    assert_eq!(
        outcome(&check(&s, &rules), "co_financing_decision_missing"),
        [Outcome::Pass]
    );

    // A partner budget of 100 000.01 on a side funded at 904 675 / 1 391 900:
    // the fund share is rounded down to the cent, the contribution is the rest.
    let terms = |budget: Money| CoFinancingTerms {
        origin: FundingOrigin::Public,
        form: ContributionForm::Cash,
        source: CoFinancingSource::OwnBudget,
        partner_budget: Some(budget),
        cost_lines: vec![CostLine {
            category: "salaries".into(),
            amount: budget,
        }],
        converted_from: None,
    };
    let budget = Money::new(10_000_001, Currency::EUR).unwrap();
    // 10 000 001 × 904 675 / 1 391 900 = 6 499 569.58… → 6 499 569 cents fund share.
    let contribution = Money::new(10_000_001 - 6_499_569, Currency::EUR).unwrap();
    let mut s = arko_subject();
    s.parties[0].answer = PartyAnswer::Committed {
        amount: contribution,
        decided_on: d("2025-08-18"),
        terms: Some(terms(budget)),
    };
    let no_salaries = call_rules(
        vec![rule(
            Severity::Error,
            RuleKind::ExcludedCostCategory {
                categories: vec!["salaries".into()],
            },
        )],
        &[],
    );
    let checks = check(&s, &no_salaries);
    assert_eq!(outcome(&checks, "fund_shares_sum"), [Outcome::Pass], "{checks:#?}");
    assert_eq!(outcome(&checks, "excluded_cost_category"), [Outcome::Fail]);
    assert_eq!(
        refusal(&checks, Stage::Commitment).unwrap_err().rule(),
        "excluded_cost_category"
    );
    s.parties[0].answer = PartyAnswer::Committed {
        amount: Money::new(contribution.amount_minor - 1, Currency::EUR).unwrap(),
        decided_on: d("2025-08-18"),
        terms: Some(terms(budget)),
    };
    assert_eq!(outcome(&check(&s, &no_salaries), "fund_shares_sum"), [Outcome::Fail]);

    // The per-partner verdicts name their party; the application-wide ones none.
    let checks = check(&s, &no_salaries);
    let parties = |rule: &str| -> Vec<Option<MunicipalityCode>> {
        checks.iter().filter(|c| c.rule == rule).map(|c| c.party).collect()
    };
    assert_eq!(parties("fund_shares_sum"), [Some(m("SE-1784"))]);
    assert_eq!(parties("excluded_cost_category"), [Some(m("SE-1784"))]);
    assert_eq!(parties("deadline_matches_call"), [None]);
    // Two partners with excluded costs: one verdict each, each naming its own.
    s.parties[1].answer = PartyAnswer::Committed {
        amount: eur(100_000),
        decided_on: d("2025-08-20"),
        terms: Some(terms(eur(100_000))),
    };
    let checks = check(&s, &no_salaries);
    let excluded: Vec<(Option<MunicipalityCode>, Outcome)> = checks
        .iter()
        .filter(|c| c.rule == "excluded_cost_category")
        .map(|c| (c.party, c.outcome))
        .collect();
    assert_eq!(
        excluded,
        [(Some(m("SE-1784")), Outcome::Fail), (Some(m("NO-3401")), Outcome::Fail)]
    );
    // No excluded costs: one passing verdict for the application.
    for p in &mut s.parties {
        p.answer = committed(eur(100_000), "2025-08-18");
    }
    let checks = check(&s, &no_salaries);
    let excluded: Vec<(Option<MunicipalityCode>, Outcome)> = checks
        .iter()
        .filter(|c| c.rule == "excluded_cost_category")
        .map(|c| (c.party, c.outcome))
        .collect();
    assert_eq!(excluded, [(None, Outcome::Pass)]);
}

#[test]
fn conversions_round_down_and_refuse_bad_rates() {
    let c = Conversion {
        rate: "0.0856".into(),
        source: "InforEuro 2025-09".into(),
        date: d("2025-09-01"),
    };
    // NOK 1 000 000.00 at 0.0856 = EUR 85 600.00.
    assert_eq!(
        c.convert(money(1_000_000, Currency::NOK), Currency::EUR).unwrap(),
        eur(85_600)
    );
    // 0.07 NOK = 0.005992 EUR: rounded down to 0.00.
    assert_eq!(
        c.convert(Money::new(7, Currency::NOK).unwrap(), Currency::EUR)
            .unwrap()
            .amount_minor,
        0
    );
    for bad in ["", "1,2", "-1", "0", "0.1234567"] {
        let c = Conversion {
            rate: bad.into(),
            ..c.clone()
        };
        assert_eq!(
            c.convert(eur(1), Currency::SEK).unwrap_err().rule(),
            "invalid_exchange_rate",
            "{bad}"
        );
    }
}

mod confirmation;
mod lump_sum_result;
