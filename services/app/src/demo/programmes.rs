//! Chapter 7: the funding programmes as their handbooks define them, with
//! their rule sets and calls, and the meeting calendars the decisions owed
//! are weighed against. Every figure names its source (as researched in
//! December 2026; the sources are public pages, recorded here as text).
//! Call dates and meeting dates are illustrative unless a source says otherwise.

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::calendar::{Calendar, CalendarCommand};
use samverkan_domain::programme::{
    CapBasis, Programme, ProgrammeCode, ProgrammeCommand, ProgrammeRule, RegionalRate, RuleKind, Severity,
};
use samverkan_domain::{CountryCode, Currency, DecisionBody, DomainError, Money, MunicipalityCode, ProgrammeKind};

use super::codes::*;
use super::loader::Loader;
use crate::AppError;

pub const SVERIGE_NORGE: &str = "INTERREG-SE-NO";
pub const AURORA: &str = "INTERREG-AURORA";
pub const BALTIC: &str = "INTERREG-BSR";
pub const NORTH_SEA: &str = "INTERREG-NORTH-SEA";
pub const ESF: &str = "ESF-PLUS-SE";
pub const KA220: &str = "ERASMUS-KA220";
pub const KA210: &str = "ERASMUS-KA210";
pub const ICLD: &str = "ICLD-PARTNERSHIP";
pub const ERDF: &str = "ERDF-TILLVAXTVERKET";

const SE_NO_3_MIN: &str = "interreg-sverige-norge.com, \"Interreg Sverige-Norge på 3 minutter\"";
const SE_NO_DEADLINES: &str =
    "innlandetfylke.no, Interreg Sverige–Norge page: main-project deadlines 15 February and 15 September";
const ECOINSIDE2_KEEP: &str = "keep.eu, project 20432 ecoINSIDE2 (Interreg V-A Sweden–Norway 2014–2020): ERDF EUR 904 675 of the Swedish budget EUR 1 809 351; Norway EUR 375 000; the 2014–2020 rate itself is to verify in that programme's handbook";
const AURORA_MANUAL: &str = "interregaurora.eu, programme manual";
const AURORA_RETENTION: &str = "Interreg Nord FAQ (the predecessor of Interreg Aurora): keep project documents until the end of the 7th year after the calendar year in which the project closed; the longest applicable retention applies to all of a project's documents";
const BALTIC_BUDGET: &str = "interreg-baltic.eu, programme budget and co-financing";
const NORTH_SEA_FUNDS: &str = "interregnorthsea.eu, available funds (Norwegian funds not available in calls 2–3)";
const ESF_AREAS: &str = "esf.se, Socialfondsprogrammet; tillvaxtverket.se, \"Vilket programområde tillhör vi\"";
const ERASMUS_GUIDE: &str = "Erasmus+ Programme Guide, cooperation partnerships (KA220 lump sums; KA210 lump sums and partners), as researched 2026-12";
const ERASMUS_PAID_ON_RESULT: &str = "Erasmus+ Programme Guide, cooperation partnerships: the lump sum is paid all or nothing, flagged \"at risk\" until the result is approved (as researched 2026-12)";
const ICLD_BUDGET: &str = "ICLD, budget guidelines for municipal partnerships (older version, as researched 2026-12; application rounds move from year to year)";
pub(super) const TVV_COFIN: &str = "tillvaxtverket.se, medfinansiering av projektet (each co-financier confirms its commitment: public or private, cash or in kind)";

fn c(s: &str) -> Result<CountryCode, DomainError> {
    CountryCode::parse(s)
}

fn eur(units: i64) -> Result<Money, DomainError> {
    Money::major(units, Currency::EUR)
}

fn sek(units: i64) -> Result<Money, DomainError> {
    Money::major(units, Currency::SEK)
}

fn day(s: &str) -> Result<NaiveDate, DomainError> {
    s.parse().map_err(|_| DomainError::InvalidRule {
        reason: format!("`{s}` is not a date"),
    })
}

fn at(s: &str) -> Result<DateTime<Utc>, DomainError> {
    s.parse().map_err(|_| DomainError::InvalidRule {
        reason: format!("`{s}` is not an instant"),
    })
}

fn rule(label: &str, severity: Severity, source: &str, kind: RuleKind) -> ProgrammeRule {
    ProgrammeRule {
        label: label.into(),
        severity,
        source: source.into(),
        kind,
    }
}

fn rate(country: Option<&str>, bp: u32) -> Result<RuleKind, DomainError> {
    Ok(RuleKind::MaxFundingRate {
        country: country.map(c).transpose()?,
        max_basis_points: bp,
    })
}

struct RuleSetFact {
    version: &'static str,
    valid_from: &'static str,
    valid_until: Option<&'static str>,
    source: &'static str,
    rules: Vec<ProgrammeRule>,
}

struct CallFact {
    call: &'static str,
    title: &'static str,
    rule_set: &'static str,
    opens_on: &'static str,
    closes_at: &'static str,
    unavailable_funds: &'static [&'static str],
    source: &'static str,
}

struct ProgrammeFact {
    code: &'static str,
    name: &'static str,
    kind: ProgrammeKind,
    source: &'static str,
    rule_sets: Vec<RuleSetFact>,
    calls: Vec<CallFact>,
}

/// The programmes, their rule sets (with each figure's source) and calls.
fn programmes() -> Result<Vec<ProgrammeFact>, DomainError> {
    use Severity::{Error as E, Warning as W};
    Ok(vec![
        ProgrammeFact {
            code: SVERIGE_NORGE,
            name: "Interreg Sverige–Norge",
            kind: ProgrammeKind::Interreg,
            source: SE_NO_3_MIN,
            rule_sets: vec![
                RuleSetFact {
                    version: "2014-2020",
                    valid_from: "2014-01-01",
                    valid_until: Some("2020-12-31"),
                    source: ECOINSIDE2_KEEP,
                    rules: vec![rule(
                        "Swedish side: EU funds at most 50 % of eligible costs (to verify)",
                        E,
                        ECOINSIDE2_KEEP,
                        rate(Some("SE"), 5000)?,
                    )],
                },
                RuleSetFact {
                    version: "2021-2027",
                    valid_from: "2021-01-01",
                    valid_until: None,
                    source: SE_NO_3_MIN,
                    rules: vec![
                        rule(
                            "Swedish side: EU funds at most 65 % of eligible costs",
                            E,
                            SE_NO_3_MIN,
                            rate(Some("SE"), 6500)?,
                        ),
                        rule(
                            "Norwegian side: IR funds at most 50 % of eligible costs",
                            E,
                            SE_NO_3_MIN,
                            rate(Some("NO"), 5000)?,
                        ),
                        rule(
                            "At least one Swedish and one Norwegian partner",
                            E,
                            SE_NO_3_MIN,
                            RuleKind::MinPartnersPerCountry {
                                countries: vec![c("SE")?, c("NO")?],
                                min: 1,
                            },
                        ),
                        rule(
                            "Main projects: deadlines 15 February and 15 September",
                            W,
                            SE_NO_DEADLINES,
                            RuleKind::DeadlineDay {
                                days: vec!["02-15".into(), "09-15".into()],
                            },
                        ),
                        rule(
                            "Every partner's co-financing decision is taken at submission",
                            W,
                            TVV_COFIN,
                            RuleKind::CoFinancingDecisionMissing,
                        ),
                    ],
                },
            ],
            calls: vec![
                CallFact {
                    call: "2018-1",
                    title:
                        "Huvudprojekt 2018 (ecoINSIDE 2's call; prioritised by the steering committees on 2018-05-18)",
                    rule_set: "2014-2020",
                    opens_on: "2017-10-01",
                    closes_at: "2018-02-15T22:59:00Z",
                    unavailable_funds: &[],
                    source:
                        "arvika.se, \"Miljoner euro i Interregstöd\" (2018-05-23); the call's dates are illustrative",
                },
                CallFact {
                    call: "2027-02",
                    title: "Huvudprojekt, sista ansökningsdag 15 februari 2027",
                    rule_set: "2021-2027",
                    opens_on: "2026-09-16",
                    closes_at: "2027-02-15T22:59:00Z",
                    unavailable_funds: &[],
                    source: SE_NO_DEADLINES,
                },
            ],
        },
        ProgrammeFact {
            code: AURORA,
            name: "Interreg Aurora 2021–2027",
            kind: ProgrammeKind::Interreg,
            source: AURORA_MANUAL,
            rule_sets: vec![
                RuleSetFact {
                    version: "2021-2027",
                    valid_from: "2021-01-01",
                    valid_until: None,
                    source: AURORA_MANUAL,
                    rules: vec![
                        rule(
                            "Swedish side: ERDF at most 65 %",
                            E,
                            AURORA_MANUAL,
                            rate(Some("SE"), 6500)?,
                        ),
                        rule(
                            "Finnish side: ERDF at most 65 %",
                            E,
                            AURORA_MANUAL,
                            rate(Some("FI"), 6500)?,
                        ),
                        rule(
                            "Norwegian side: IR at most 50 %",
                            E,
                            AURORA_MANUAL,
                            rate(Some("NO"), 5000)?,
                        ),
                        rule(
                            "Norwegian IR funds at most EUR 200 000 per project",
                            E,
                            AURORA_MANUAL,
                            RuleKind::MaxRequested {
                                cap: eur(200_000)?,
                                per: CapBasis::Project,
                                country: Some(c("NO")?),
                            },
                        ),
                        rule(
                            "Project records are kept until the end of the 7th year after the year the project closed",
                            W,
                            AURORA_RETENTION,
                            RuleKind::RecordsRetained { years_after_closing: 7 },
                        ),
                    ],
                },
                RuleSetFact {
                    version: "2021-2027-small",
                    valid_from: "2021-01-01",
                    valid_until: None,
                    source: AURORA_MANUAL,
                    rules: vec![
                        rule(
                            "Small-scale projects: at most EUR 20 000 per country, paid as a lump sum (all or nothing)",
                            E,
                            AURORA_MANUAL,
                            RuleKind::MaxRequested {
                                cap: eur(20_000)?,
                                per: CapBasis::Country,
                                country: None,
                            },
                        ),
                        rule(
                            "Small-scale projects are paid as a lump sum, all or nothing: at risk until the result is approved",
                            W,
                            AURORA_MANUAL,
                            RuleKind::LumpSumPaidOnResult,
                        ),
                        rule(
                            "Project records are kept until the end of the 7th year after the year the project closed",
                            W,
                            AURORA_RETENTION,
                            RuleKind::RecordsRetained { years_after_closing: 7 },
                        ),
                    ],
                },
            ],
            calls: vec![],
        },
        ProgrammeFact {
            code: BALTIC,
            name: "Interreg Baltic Sea Region 2021–2027",
            kind: ProgrammeKind::Interreg,
            source: BALTIC_BUDGET,
            rule_sets: vec![RuleSetFact {
                version: "2021-2027",
                valid_from: "2021-01-01",
                valid_until: None,
                source: BALTIC_BUDGET,
                rules: vec![
                    rule(
                        "Swedish partners: ERDF at most 80 %",
                        E,
                        BALTIC_BUDGET,
                        rate(Some("SE"), 8000)?,
                    ),
                    rule(
                        "Norwegian partners: at most 50 %",
                        E,
                        BALTIC_BUDGET,
                        rate(Some("NO"), 5000)?,
                    ),
                ],
            }],
            calls: vec![],
        },
        ProgrammeFact {
            code: NORTH_SEA,
            name: "Interreg North Sea 2021–2027",
            kind: ProgrammeKind::Interreg,
            source: NORTH_SEA_FUNDS,
            rule_sets: vec![RuleSetFact {
                version: "2021-2027",
                valid_from: "2021-01-01",
                valid_until: None,
                source: NORTH_SEA_FUNDS,
                rules: vec![
                    rule(
                        "Swedish partners: ERDF at most 60 %",
                        E,
                        NORTH_SEA_FUNDS,
                        rate(Some("SE"), 6000)?,
                    ),
                    rule(
                        "Norwegian partners: at most 50 %",
                        E,
                        NORTH_SEA_FUNDS,
                        rate(Some("NO"), 5000)?,
                    ),
                    rule(
                        "The call has the funds asked for (Norwegian funds per call)",
                        W,
                        NORTH_SEA_FUNDS,
                        RuleKind::FundAvailableInCall,
                    ),
                ],
            }],
            calls: vec![],
        },
        ProgrammeFact {
            code: ESF,
            name: "Europeiska socialfonden+ 2021–2027",
            kind: ProgrammeKind::EsfPlus,
            source: ESF_AREAS,
            rule_sets: vec![RuleSetFact {
                version: "2021-2027",
                valid_from: "2021-01-01",
                valid_until: None,
                source: ESF_AREAS,
                rules: vec![rule(
                    "Own co-financing at least 46 % (40 % in Norra Mellansverige)",
                    E,
                    ESF_AREAS,
                    RuleKind::MinCoFinancingRate {
                        min_basis_points: 4600,
                        regional: vec![RegionalRate {
                            region: "Norra Mellansverige (Värmland, Dalarna, Gävleborg)".into(),
                            municipality_prefixes: vec!["SE-17".into(), "SE-20".into(), "SE-21".into()],
                            min_basis_points: 4000,
                        }],
                    },
                )],
            }],
            calls: vec![],
        },
        ProgrammeFact {
            code: KA220,
            name: "Erasmus+ KA220 cooperation partnerships",
            kind: ProgrammeKind::ErasmusPlus,
            source: ERASMUS_GUIDE,
            rule_sets: vec![RuleSetFact {
                version: "2021-2027",
                valid_from: "2021-01-01",
                valid_until: None,
                source: ERASMUS_GUIDE,
                rules: vec![
                    rule(
                        "Lump sum of EUR 120 000, 250 000 or 400 000",
                        E,
                        ERASMUS_GUIDE,
                        RuleKind::LumpSum {
                            amounts: vec![eur(120_000)?, eur(250_000)?, eur(400_000)?],
                        },
                    ),
                    rule(
                        "At least three organisations from three countries",
                        E,
                        ERASMUS_GUIDE,
                        RuleKind::MinPartnersAndCountries {
                            min_partners: 3,
                            min_countries: 3,
                        },
                    ),
                    rule(
                        "The lump sum is paid all or nothing: at risk until the result is approved",
                        W,
                        ERASMUS_PAID_ON_RESULT,
                        RuleKind::LumpSumPaidOnResult,
                    ),
                ],
            }],
            calls: vec![],
        },
        ProgrammeFact {
            code: KA210,
            name: "Erasmus+ KA210 small-scale partnerships",
            kind: ProgrammeKind::ErasmusPlus,
            source: ERASMUS_GUIDE,
            rule_sets: vec![RuleSetFact {
                version: "2021-2027",
                valid_from: "2021-01-01",
                valid_until: None,
                source: ERASMUS_GUIDE,
                rules: vec![
                    rule(
                        "Lump sum of EUR 30 000 or 60 000",
                        E,
                        ERASMUS_GUIDE,
                        RuleKind::LumpSum {
                            amounts: vec![eur(30_000)?, eur(60_000)?],
                        },
                    ),
                    rule(
                        "At least two partners from two countries",
                        E,
                        ERASMUS_GUIDE,
                        RuleKind::MinPartnersAndCountries {
                            min_partners: 2,
                            min_countries: 2,
                        },
                    ),
                    rule(
                        "The lump sum is paid all or nothing: at risk until the result is approved",
                        W,
                        ERASMUS_PAID_ON_RESULT,
                        RuleKind::LumpSumPaidOnResult,
                    ),
                ],
            }],
            calls: vec![],
        },
        ProgrammeFact {
            code: ICLD,
            name: "ICLD kommunala partnerskap",
            kind: ProgrammeKind::Icld,
            source: ICLD_BUDGET,
            rule_sets: icld_rule_sets()?,
            calls: vec![],
        },
        ProgrammeFact {
            code: ERDF,
            name: "Regionala utvecklingsfonden 2021–2027 (Tillväxtverket)",
            kind: ProgrammeKind::Erdf,
            source: TVV_COFIN,
            rule_sets: vec![RuleSetFact {
                version: "2021-2027",
                valid_from: "2021-01-01",
                valid_until: None,
                source: TVV_COFIN,
                rules: vec![rule(
                    "Every co-financier's decision (medfinansieringsintyg) is there at submission",
                    E,
                    TVV_COFIN,
                    RuleKind::CoFinancingDecisionMissing,
                )],
            }],
            calls: vec![],
        },
    ])
}

fn icld_rule_sets() -> Result<Vec<RuleSetFact>, DomainError> {
    let no_salaries = || {
        rule(
            "No salaries or per diems",
            Severity::Error,
            ICLD_BUDGET,
            RuleKind::ExcludedCostCategory {
                categories: vec!["salaries".into(), "per_diems".into()],
            },
        )
    };
    let cap = |label: &str, units: i64, per: CapBasis| -> Result<ProgrammeRule, DomainError> {
        Ok(rule(
            label,
            Severity::Error,
            ICLD_BUDGET,
            RuleKind::MaxRequested {
                cap: sek(units)?,
                per,
                country: None,
            },
        ))
    };
    let set = |version: &'static str, rules: Vec<ProgrammeRule>| RuleSetFact {
        version,
        valid_from: "2020-01-01",
        valid_until: None,
        source: ICLD_BUDGET,
        rules,
    };
    Ok(vec![
        set(
            "preparation-europe",
            vec![
                cap("Preparation, Europe: at most SEK 220 000", 220_000, CapBasis::Project)?,
                no_salaries(),
            ],
        ),
        set(
            "preparation-africa-asia",
            vec![
                cap(
                    "Preparation, Africa and Asia: at most SEK 275 000",
                    275_000,
                    CapBasis::Project,
                )?,
                no_salaries(),
            ],
        ),
        set(
            "project-europe",
            vec![
                cap("Project, Europe: at most SEK 450 000 a year", 450_000, CapBasis::Year)?,
                no_salaries(),
            ],
        ),
        set(
            "project-africa-asia",
            vec![
                cap(
                    "Project, Africa and Asia: at most SEK 500 000 a year",
                    500_000,
                    CapBasis::Year,
                )?,
                no_salaries(),
            ],
        ),
    ])
}

/// Planned meetings (illustrative dates): Skara's council and executive
/// board before the V6 ERDF deadline of 15 February 2027, Kongsvinger's
/// kommunestyre only after it.
const MEETINGS: &[(&str, DecisionBody, &str)] = &[
    (SKARA, DecisionBody::ExecutiveBoard, "2027-01-19"),
    (SKARA, DecisionBody::Council, "2027-01-25"),
    (SKARA, DecisionBody::Council, "2027-03-29"),
    (LIDKOPING, DecisionBody::Council, "2027-01-25"),
    (ARVIKA, DecisionBody::Council, "2027-01-25"),
    (KONGSVINGER, DecisionBody::Council, "2027-03-11"),
];

impl Loader<'_> {
    pub(super) async fn programmes(&mut self) -> Result<(), AppError> {
        for p in programmes()? {
            let code = ProgrammeCode::parse(p.code)?;
            let define = ProgrammeCommand::Define {
                programme: code.clone(),
                name: p.name.into(),
                kind: p.kind,
                source: p.source.into(),
            };
            self.run::<Programme>(&code, "define", define).await?;
            for r in p.rule_sets {
                let command = ProgrammeCommand::AdoptRuleSet {
                    version: r.version.into(),
                    valid_from: day(r.valid_from)?,
                    valid_until: r.valid_until.map(day).transpose()?,
                    rules: r.rules,
                    source: r.source.into(),
                };
                self.run::<Programme>(&code, &format!("rule-set-{}", r.version), command)
                    .await?;
            }
            for call in p.calls {
                let command = ProgrammeCommand::OpenCall {
                    call: call.call.into(),
                    title: call.title.into(),
                    rule_set: call.rule_set.into(),
                    opens_on: day(call.opens_on)?,
                    closes_at: at(call.closes_at)?,
                    unavailable_funds: call.unavailable_funds.iter().map(|f| (*f).into()).collect(),
                    source: call.source.into(),
                };
                self.run::<Programme>(&code, &format!("call-{}", call.call), command)
                    .await?;
            }
        }
        Ok(())
    }

    pub(super) async fn meetings(&mut self) -> Result<(), AppError> {
        for (m, body, date) in MEETINGS {
            let code = MunicipalityCode::parse(m)?;
            let command = CalendarCommand::Schedule {
                municipality: code,
                body: *body,
                date: day(date)?,
                source: Some("illustrative meeting plan".into()),
            };
            self.run::<Calendar>(&code, &format!("meeting-{body:?}-{date}"), command)
                .await?;
        }
        Ok(())
    }
}
