//! Chapter 5: the projects, with their milestones.

use samverkan_domain::project::EuPriority;
use samverkan_domain::ProgrammeKind;

use super::codes::*;
use super::facts::{day, eur, nok, sek, serves, PartnerFact, ProgrammeFact, ProjectFact, SideFact, Step};
use super::ids;

use PartnerFact::{External, Member};
use Step::{Achieve, Cancel, Complete, Plan, Reschedule};

const CHOBE: PartnerFact = External("Chobe District Council", "BW");

const ICLD: ProgrammeFact = ProgrammeFact {
    kind: ProgrammeKind::Icld,
    name: "ICLD kommunala partnerskap",
};

pub(super) const INTERREG_SVERIGE_NORGE: ProgrammeFact = ProgrammeFact {
    kind: ProgrammeKind::Interreg,
    name: "Interreg Sverige–Norge 2021–2027",
};

pub(super) const PROJECTS: &[ProjectFact] = &[
    // Sustainable Shoreline Development, 2016–2018 (fact); fully funded by
    // ICLD, so no co-financing. Amount and milestones illustrative; the
    // meetings alternate between Vänersborg and Chobe (Kasane).
    ProjectFact {
        id: ids::shoreline_project,
        title: "Sustainable Shoreline Development",
        lead: VANERSBORG,
        partners: &[CHOBE],
        programme: ICLD,
        budget: sek(1_200_000),
        grant: sek(1_200_000),
        co_financing: sek(0),
        start: day("2016-01-01"),
        end: day("2018-12-31"),
        serves_goals: &[
            serves(ids::vanersborg_policy, "demokrati-larande"),
            serves(ids::vanersborg_policy, "utveckla-verksamheterna"),
        ],
        eu_priorities: &[EuPriority::Green],
        consortium: Some(ICLD_VBG_CHOBE),
        sides: &[],
        steps: &[
            Plan(
                "m1-partnermote-kasane",
                "Partnerskapsmöte i Kasane, Chobe",
                day("2016-04-15"),
            ),
            Plan(
                "m2-partnermote-vanersborg",
                "Partnerskapsmöte i Vänersborg",
                day("2016-10-14"),
            ),
            Plan(
                "m3-strandzonsanalys",
                "Gemensam analys av strandzonen längs Chobefloden och Vänern",
                day("2017-06-30"),
            ),
            Plan("m4-slutrapport", "Slutrapport till ICLD", day("2018-12-14")),
            Achieve("m1-partnermote-kasane", day("2016-04-14")),
            Achieve("m2-partnermote-vanersborg", day("2016-10-13")),
            Achieve("m3-strandzonsanalys", day("2017-06-21")),
            Achieve("m4-slutrapport", day("2018-12-10")),
            Complete(day("2018-12-31")),
        ],
        note: "ICLD 2016–2018, completed, all milestones achieved",
    },
    // Waste management, granted by ICLD in 2018 (fact); period, amount and
    // milestones illustrative.
    ProjectFact {
        id: ids::waste_project,
        title: "Waste Management in Chobe and Vänersborg",
        lead: VANERSBORG,
        partners: &[CHOBE],
        programme: ICLD,
        budget: sek(1_500_000),
        grant: sek(1_500_000),
        co_financing: sek(0),
        start: day("2019-01-01"),
        end: day("2020-12-31"),
        serves_goals: &[serves(ids::vanersborg_policy, "demokrati-larande")],
        eu_priorities: &[EuPriority::Green],
        consortium: Some(ICLD_VBG_CHOBE),
        sides: &[],
        steps: &[
            Plan(
                "m1-partnermote-vanersborg",
                "Partnerskapsmöte i Vänersborg: avfallshantering och återvinning",
                day("2019-05-15"),
            ),
            Plan(
                "m2-handlingsplan",
                "Gemensam handlingsplan för avfallshantering i Chobe",
                day("2019-11-29"),
            ),
            Plan(
                "m3-partnermote-kasane",
                "Partnerskapsmöte i Kasane, Chobe",
                day("2020-04-20"),
            ),
            Plan("m4-slutrapport", "Slutrapport till ICLD", day("2020-12-15")),
            Achieve("m1-partnermote-vanersborg", day("2019-05-16")),
            Achieve("m2-handlingsplan", day("2019-12-06")),
            Cancel(
                "m3-partnermote-kasane",
                "Resorna ställdes in under covid-19-pandemin; mötet hölls digitalt",
            ),
            Achieve("m4-slutrapport", day("2020-12-11")),
            Complete(day("2020-12-31")),
        ],
        note: "ICLD granted 2018, completed (one meeting cancelled)",
    },
    // ARKO in Interreg Sverige–Norge 2021–27: one cross-border project, one
    // budget side per country, each decided by its own funder (illustrative
    // title, amounts, rate, decisions and milestones). Due dates around today
    // (2026-11) give the dashboards an overdue milestone (m4) and upcoming
    // ones (m5, m6). The Norwegian side's start and final report fall on the
    // same days as m1 and m6, so the one list holds them once.
    ProjectFact {
        id: ids::arko_project,
        title: "Gränslös kompetens i ARKO-regionen",
        lead: ARVIKA,
        partners: &[
            Member(EDA),
            Member(TORSBY),
            Member(SUNNE),
            Member(KONGSVINGER),
            Member(NORD_ODAL),
            Member(SOR_ODAL),
            Member(EIDSKOG),
            Member(GRUE),
            Member(ASNES),
        ],
        programme: INTERREG_SVERIGE_NORGE,
        // The sides' sums in SEK: SEK 6 000 000 + NOK 4 000 000 × 0.98.
        budget: sek(9_920_000),
        grant: sek(4_960_000),
        co_financing: sek(4_960_000),
        start: day("2024-01-01"),
        end: day("2027-06-30"),
        serves_goals: &[
            serves(ids::arvika_strategy_2012, "norgesamarbetet"),
            serves(ids::arvika_strategy_2012, "utveckla-verksamheterna"),
        ],
        eu_priorities: &[EuPriority::Inclusive],
        consortium: Some(ARKO),
        sides: &[
            // The Swedish side: EU funds (ERDF) up to 50 % here, decided by
            // the programme's managing authority.
            SideFact {
                country: "SE",
                fund: "ERDF",
                total: sek(6_000_000),
                requested: sek(3_000_000),
                conversion: None,
                funder: "Interreg Sverige–Norge 2021–2027, managing authority (förvaltande myndighet)",
                decided_on: day("2024-01-25"),
                decision_reference: "illustrative: no published decision",
                granted: sek(3_000_000),
            },
            // The Norwegian side: IR funds up to 50 %, decided by the
            // fylkeskommune of the Norwegian partners (Innlandet).
            SideFact {
                country: "NO",
                fund: "IR",
                total: nok(4_000_000),
                requested: nok(2_000_000),
                conversion: Some((
                    "0.98",
                    "illustrative demo rate NOK→SEK, not a published rate",
                    day("2024-01-01"),
                )),
                funder: "Innlandet fylkeskommune (IR funds)",
                decided_on: day("2024-01-25"),
                decision_reference: "illustrative: no published decision",
                granted: nok(2_000_000),
            },
        ],
        steps: &[
            Plan(
                "m1-uppstart",
                "Projektstart och första styrgruppsmöte / Prosjektoppstart",
                day("2024-02-15"),
            ),
            Plan(
                "m2-kartlaggning",
                "Kartläggning av kompetensbehoven på båda sidor gränsen",
                day("2024-10-31"),
            ),
            Plan(
                "m3-konferens",
                "Gränsregional kompetenskonferens på Morokulien",
                day("2025-05-20"),
            ),
            Plan(
                "m4-pilotutbildning",
                "Pilotutbildning över gränsen startar",
                day("2026-09-30"),
            ),
            Plan(
                "m5-erfarenhetsseminarium",
                "Erfarenhetsseminarium med arbetsgivare i Arvika och Kongsvinger",
                day("2026-06-16"),
            ),
            Plan(
                "m6-slutrapport",
                "Slutrapport till Interreg Sverige–Norge / Sluttrapport",
                day("2027-06-30"),
            ),
            Achieve("m1-uppstart", day("2024-02-20")),
            Reschedule(
                "m2-kartlaggning",
                day("2025-01-31"),
                "Kartläggningen utökades till arbetsgivare hos de norska partnerna",
            ),
            Achieve("m2-kartlaggning", day("2025-01-29")),
            Cancel("m3-konferens", "Ersatt av digitala arbetsmöten för att minska resandet"),
            Reschedule(
                "m5-erfarenhetsseminarium",
                day("2027-01-21"),
                "Flyttat för att samordnas med den norska sidans aktiviteter",
            ),
        ],
        note: "Interreg Sverige–Norge 2024–2027, led by Arvika; SE side ERDF SEK 3 000 000, NO side IR NOK 2 000 000; m4 overdue, m5 next",
    },
    // Vänersborg in Erasmus+ KA220 (cooperation partnership: at least three
    // organisations from three countries; lump sum €250k) with its twin towns
    // Herning and Lich. Illustrative; serves the 2024 strategy.
    ProjectFact {
        id: ids::erasmus_project,
        title: "Digital inkludering i vuxenutbildningen",
        lead: VANERSBORG,
        partners: &[External("Herning Kommune", "DK"), External("Stadt Lich", "DE")],
        programme: ProgrammeFact {
            kind: ProgrammeKind::ErasmusPlus,
            name: "Erasmus+ KA220 Cooperation partnerships (adult education)",
        },
        budget: eur(250_000),
        grant: eur(250_000),
        co_financing: eur(0),
        start: day("2025-09-01"),
        end: day("2027-08-31"),
        serves_goals: &[
            serves(ids::vanersborg_strategy_2024, "inkluderande-samhallen"),
            serves(ids::vanersborg_strategy_2024, "digitaliserade-samhallen"),
            serves(ids::vanersborg_strategy_2024, "natverk-och-vanorter"),
        ],
        eu_priorities: &[EuPriority::Inclusive, EuPriority::Digital],
        consortium: None,
        sides: &[],
        steps: &[
            Plan("m1-uppstart", "Uppstartsmöte i Vänersborg", day("2025-10-15")),
            Plan(
                "m2-partnermote-herning",
                "Transnationellt partnermöte i Herning",
                day("2026-04-22"),
            ),
            Plan(
                "m3-partnermote-lich",
                "Transnationellt partnermöte i Lich",
                day("2026-11-10"),
            ),
            Plan(
                "m4-delrapport",
                "Delrapport till Universitets- och högskolerådet",
                day("2026-12-15"),
            ),
            Plan(
                "m5-slutrapport",
                "Slutrapport till Universitets- och högskolerådet",
                day("2027-08-31"),
            ),
            Achieve("m1-uppstart", day("2025-10-16")),
            Achieve("m2-partnermote-herning", day("2026-04-22")),
        ],
        note: "Erasmus+ KA220 2025–2027 with Herning and Lich; m3 overdue, m4 next",
    },
    // A V6 project led by Lidköping, active 2024–2026, so that Lidköping's and
    // its partners' yearly follow-ups have a running project. Illustrative;
    // serves Lidköping's goal on external funding.
    ProjectFact {
        id: ids::v6_skills_project,
        title: "Kompetensförsörjning i Västra Skaraborg",
        lead: LIDKOPING,
        partners: &[Member(GOTENE), Member(SKARA)],
        programme: ProgrammeFact {
            kind: ProgrammeKind::EsfPlus,
            name: "ESF+ Programområde A",
        },
        budget: sek(4_800_000),
        grant: sek(3_600_000),
        co_financing: sek(1_200_000),
        start: day("2024-09-01"),
        end: day("2026-12-31"),
        serves_goals: &[serves(ids::lidkoping_strategy_2020, "extern-finansiering")],
        eu_priorities: &[EuPriority::Inclusive],
        consortium: Some(V6),
        sides: &[],
        steps: &[
            Plan("m1-kartlaggning", "Kartläggning av kompetensbehov", day("2025-03-31")),
            Plan("m2-utbildningar", "Första utbildningsomgången", day("2025-09-30")),
            Plan("m3-slutkonferens", "Slutkonferens i Lidköping", day("2026-12-10")),
            Achieve("m1-kartlaggning", day("2025-03-28")),
            Reschedule("m2-utbildningar", day("2025-11-15"), "Upphandlingen försenad"),
            Achieve("m2-utbildningar", day("2025-11-14")),
        ],
        note: "ESF+ 2024–2026 led by Lidköping with Götene and Skara; m3 next",
    },
];
