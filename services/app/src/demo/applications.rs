//! Chapter 6: the joint applications. Titles, calls, amounts, co-financing
//! decisions and funder decisions are illustrative; programme rules and
//! deadlines follow DOMAIN-FACTS. Deadlines are 23:59 Swedish time, in UTC.

use samverkan_domain::project::EuPriority;
use samverkan_domain::ProgrammeKind;

use super::codes::*;
use super::facts::{at, day, eur, sek, serves, ApplicationFact, ApplicationStep, BecomesProject, ProgrammeFact};
use super::ids;
use super::projects::INTERREG_SVERIGE_NORGE;

use ApplicationStep::{Approve, Assess, Commit, Decline, Reject, Submit, Withdraw};

pub(super) const APPLICATIONS: &[ApplicationFact] = &[
    // 1. V6, ERDF (Tillväxtverket): a DRAFT for the February 2027 deadline.
    // Götene has committed, Skara has not answered yet: the application is on
    // Skara's action list.
    ApplicationFact {
        id: ids::v6_draft_application,
        consortium: V6,
        title: "Hållbar besöksnäring i Västra Skaraborg",
        programme: ProgrammeFact {
            kind: ProgrammeKind::Erdf,
            name: "Regionala utvecklingsfonden, Västsverige 2021–2027 (Tillväxtverket)",
        },
        call: "Hållbar besöksnäring, sista ansökningsdag 15 februari 2027",
        lead_applicant: LIDKOPING,
        deadline: at("2027-02-15 22:59"),
        total_budget: sek(4_000_000),
        requested: sek(2_400_000),
        project_start: day("2027-06-01"),
        project_end: day("2029-12-31"),
        serves_goals: &[
            serves(ids::lidkoping_strategy_2020, "extern-finansiering"),
            serves(ids::lidkoping_strategy_2020, "hallbart-perspektiv"),
            serves(ids::lidkoping_strategy_2020, "bevaka-samverkan"),
        ],
        eu_priorities: &[EuPriority::Green],
        drafted_at: at("2026-10-05 07:30"),
        invited: &[GOTENE, SKARA],
        steps: &[
            Commit(LIDKOPING, sek(1_000_000), day("2026-10-21")),
            Commit(GOTENE, sek(300_000), day("2026-11-04")),
        ],
        summary_name: "V6: Hållbar besöksnäring i Västra Skaraborg",
        note: "draft, deadline 2027-02-15; Skara (SE-1495) has not answered",
        becomes_project: None,
    },
    // 2. V6, ESF+: SUBMITTED, every co-applicant answered (Vara declined),
    // benefit-and-risk assessment recorded; awaiting the decision.
    ApplicationFact {
        id: ids::v6_submitted_application,
        consortium: V6,
        title: "Kompetensförsörjning i välfärden i V6",
        programme: ProgrammeFact {
            kind: ProgrammeKind::EsfPlus,
            name: "Europeiska socialfonden+ 2021–2027",
        },
        call: "Kompetensförsörjning i välfärden, sista ansökningsdag 30 september 2026",
        lead_applicant: LIDKOPING,
        deadline: at("2026-09-30 21:59"),
        total_budget: sek(3_000_000),
        requested: sek(1_800_000),
        project_start: day("2027-01-01"),
        project_end: day("2028-12-31"),
        serves_goals: &[
            serves(ids::lidkoping_strategy_2020, "utveckla-verksamheten"),
            serves(ids::lidkoping_strategy_2020, "kompetens"),
        ],
        eu_priorities: &[EuPriority::Inclusive],
        drafted_at: at("2026-05-04 08:00"),
        invited: &[ESSUNGA, GRASTORP, VARA],
        steps: &[
            Commit(LIDKOPING, sek(700_000), day("2026-06-10")),
            Commit(ESSUNGA, sek(250_000), day("2026-06-16")),
            Commit(GRASTORP, sek(250_000), day("2026-08-25")),
            Decline(
                VARA,
                "Vara prioriterar andra kompetensinsatser under 2027 och avstår medfinansiering.",
            ),
            Assess {
                benefits: "Gemensam rekrytering och kompetensutveckling inom vård och omsorg; extern finansiering via V6 i linje med Lidköpings strategi.",
                risks: "Personalomsättning i projektorganisationen; ojämn medverkan mellan kommunerna sedan Vara avstått.",
                democracy_and_human_rights: "Alla parter är demokratiskt styrda svenska kommuner; inga risker avseende demokrati, rättsstatens principer eller mänskliga rättigheter. Deltagarnas rätt till likabehandling säkras i rekryteringen.",
                assessed_on: day("2026-09-15"),
            },
            Submit(at("2026-09-24 13:00")),
        ],
        summary_name: "V6: Kompetensförsörjning i välfärden i V6",
        note: "submitted 2026-09-24, awaiting decision",
        becomes_project: None,
    },
    // 3. ARKO, Interreg Sverige–Norge, 15 February 2025 call: REJECTED. The
    // Swedish application of the joint project (the Norwegian partners apply
    // with their own budget in NOK).
    ApplicationFact {
        id: ids::arko_rejected_application,
        consortium: ARKO,
        title: "Gränslös mobilitet i ARKO-regionen",
        programme: INTERREG_SVERIGE_NORGE,
        call: "Huvudprojekt, sista ansökningsdag 15 februari 2025",
        lead_applicant: ARVIKA,
        deadline: at("2025-02-15 22:59"),
        total_budget: sek(5_000_000),
        requested: sek(2_500_000),
        project_start: day("2025-09-01"),
        project_end: day("2028-08-31"),
        serves_goals: &[serves(ids::arvika_strategy_2012, "norgesamarbetet")],
        eu_priorities: &[EuPriority::Green],
        drafted_at: at("2025-01-10 09:00"),
        invited: &[EDA, TORSBY],
        steps: &[
            Commit(ARVIKA, sek(1_500_000), day("2025-01-27")),
            Commit(EDA, sek(500_000), day("2025-01-29")),
            Commit(TORSBY, sek(500_000), day("2025-02-03")),
            Assess {
                benefits: "Bättre möjligheter att pendla hållbart över gränsen mellan Arvika, Eda, Torsby och Kongsvinger.",
                risks: "Beroende av norsk medfinansiering och av regionala kollektivtrafikbeslut.",
                democracy_and_human_rights: "Samtliga parter är demokratiskt styrda kommuner i Sverige och Norge; inga risker avseende demokrati eller mänskliga rättigheter har identifierats. Tillgänglighet för personer med funktionsnedsättning beaktas.",
                assessed_on: day("2025-02-03"),
            },
            Submit(at("2025-02-10 14:00")),
            Reject {
                decided_on: day("2025-06-12"),
                reason: "Det gränsöverskridande mervärdet och de norska partnernas roll var otillräckligt beskrivna.",
            },
        ],
        summary_name: "ARKO: Gränslös mobilitet i ARKO-regionen",
        note: "rejected 2025-06-12",
        becomes_project: None,
    },
    // 4. ARKO, the revised application for the 15 September 2025 call:
    // APPROVED. The process manager registers the project
    // (`ids::arko_approved_project()`); the demo does not.
    ApplicationFact {
        id: ids::arko_approved_application,
        consortium: ARKO,
        title: "Gränslös mobilitet i ARKO-regionen – reviderad ansökan",
        programme: INTERREG_SVERIGE_NORGE,
        call: "Huvudprojekt, sista ansökningsdag 15 september 2025",
        lead_applicant: ARVIKA,
        deadline: at("2025-09-15 21:59"),
        total_budget: sek(5_200_000),
        requested: sek(2_600_000),
        project_start: day("2026-01-01"),
        project_end: day("2028-12-31"),
        serves_goals: &[
            serves(ids::arvika_strategy_2012, "norgesamarbetet"),
            serves(ids::arvika_strategy_2012, "attraktiv-kommun"),
        ],
        eu_priorities: &[EuPriority::Green, EuPriority::Inclusive],
        drafted_at: at("2025-06-23 09:00"),
        invited: &[EDA, TORSBY, SUNNE],
        steps: &[
            Commit(ARVIKA, sek(1_000_000), day("2025-08-18")),
            Commit(EDA, sek(600_000), day("2025-08-20")),
            Commit(TORSBY, sek(500_000), day("2025-08-25")),
            Commit(SUNNE, sek(500_000), day("2025-08-26")),
            Assess {
                benefits: "Hållbar arbetspendling och gemensam arbetsmarknad över gränsen; de norska partnerna deltar med egen budget.",
                risks: "Beroende av regionala kollektivtrafikbeslut på båda sidor gränsen.",
                democracy_and_human_rights: "Samtliga parter är demokratiskt styrda kommuner i Sverige och Norge; inga risker avseende demokrati, rättsstatens principer eller mänskliga rättigheter. Medborgardialog i båda länderna ingår.",
                assessed_on: day("2025-08-28"),
            },
            Submit(at("2025-09-11 10:30")),
            Approve {
                granted: sek(2_450_000),
                decided_on: day("2025-12-10"),
                decision_reference: "Interreg Sverige–Norge, styrkommitténs beslut 2025-12-10",
            },
        ],
        summary_name: "ARKO: Gränslös mobilitet i ARKO-regionen – reviderad ansökan",
        note: "approved 2025-12-10, SEK 2 450 000 granted",
        becomes_project: Some(BecomesProject {
            id: ids::arko_approved_project,
            name: "Gränslös mobilitet i ARKO-regionen – reviderad ansökan",
            note: "registered by the process manager from the approved ARKO application",
        }),
    },
    // 5. V6, Interreg Europe (ERDF 80 % for public bodies, in EUR): WITHDRAWN
    // before the deadline.
    ApplicationFact {
        id: ids::v6_withdrawn_application,
        consortium: V6,
        title: "Cirkulära offentliga inköp i Västra Skaraborg",
        programme: ProgrammeFact {
            kind: ProgrammeKind::Interreg,
            name: "Interreg Europe 2021–2027",
        },
        call: "Projektutlysning 2024",
        lead_applicant: LIDKOPING,
        deadline: at("2024-06-07 10:00"),
        total_budget: eur(1_200_000),
        requested: eur(960_000),
        project_start: day("2025-04-01"),
        project_end: day("2029-03-31"),
        serves_goals: &[
            serves(ids::lidkoping_strategy_2020, "hallbart-perspektiv"),
            serves(ids::lidkoping_strategy_2020, "extern-finansiering"),
        ],
        eu_priorities: &[EuPriority::Green],
        drafted_at: at("2024-03-11 08:00"),
        invited: &[SKARA, VARA],
        steps: &[Withdraw {
            withdrawn_on: day("2024-05-20"),
            reason: "Europeiska projektpartner kunde inte säkras före sista ansökningsdag.",
        }],
        summary_name: "V6: Cirkulära offentliga inköp i Västra Skaraborg",
        note: "withdrawn 2024-05-20",
        becomes_project: None,
    },
];
