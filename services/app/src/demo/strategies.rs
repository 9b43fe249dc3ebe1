//! Chapter 4: the strategy documents of the seeds, their adoption and
//! follow-ups (report dates illustrative).

use samverkan_domain::strategy::{DocumentKind, FollowUpCadence};
use samverkan_domain::DecisionBody;

use super::codes::{ARVIKA, LIDKOPING, VANERSBORG};
use super::facts::{council, day, DecisionFact, FollowUpFact, GoalFact, StrategyFact, SupersedeFact};
use super::ids;

const fn goal(
    id: &'static str,
    title: &'static str,
    focus_area: Option<&'static str>,
    activities: &'static [&'static str],
) -> GoalFact {
    GoalFact {
        id,
        title,
        focus_area,
        activities,
    }
}

/// A yearly follow-up of `year` (`[start, end]`), reported to the executive board.
const fn follow_up(start: &str, end: &str, reported_on: &str, summary: &'static str) -> FollowUpFact {
    FollowUpFact {
        start: day(start),
        end: day(end),
        reported_on: day(reported_on),
        summary,
    }
}

// Vänersborg 2024–2028: focus areas.
const INKL: &str = "Inkluderande samhällen";
const DIGI: &str = "Digitaliserade samhällen";
const GRON: &str = "Gröna och hållbara samhällen";
// Lidköping 2020: focus areas.
const PARTNERS: &str = "Samarbetsområden, samarbetsorganisationer och partners";
const KOMPETENS: &str = "Kompetens";
const FINANSIERING: &str = "Finansiering";
// Arvika 2012: the four målområden.
const ATTRAKTIV: &str = "Aktivt internationellt arbete bidrar till en attraktiv kommun";
const MANGKULTUR: &str = "Mångkulturellt perspektiv";
const NORGE: &str = "Norge och vänorterna";
const DEMOKRATI: &str = "Demokratiutveckling";

pub(super) const STRATEGIES: &[StrategyFact] = &[
    // Vänersborg's older Internationell policy (seed
    // vanersborg-internationell-policy.txt). The seed gives no adoption facts;
    // it was adopted by Kommunfullmäktige (web page) and cites
    // "Kommunstyrelsen 2012-06-05, § 173", so it is no older than that.
    // 2013-01-01 is a placeholder date, without paragraph or case number.
    StrategyFact {
        id: ids::vanersborg_policy,
        municipality: VANERSBORG,
        title: "Internationell policy för Vänersborgs kommun",
        kind: DocumentKind::Policy,
        owner: "Kommunstyrelsen",
        responsible_role: "Utvecklingskontoret, kommunstyrelseförvaltningen (internationell funktion)",
        // The policy: Kommunstyrelsen "ansvarar för uppföljning …
        // Återrapportering sker till Kommunfullmäktige"; no cadence stated.
        follow_up: FollowUpCadence::Yearly,
        focus_areas: &[
            "Goda levnadsvillkor genom boende, näringsliv, turism, natur och kultur",
            "Sysselsättning och hållbar tillväxt",
            "Livslångt lärande",
            "Resurssnåla kretslopp",
            "Ökad jämställdhet och mångfald i samhällslivet",
            "Frivilligorganisationernas humanitära arbete",
        ],
        goals: &[
            goal("utveckla-verksamheterna", "Utveckla kommunens egna verksamheter och ge en högre kompetensnivå hos medarbetare och förtroendevalda", None, &[]),
            goal("mervarde-invanare-foretag", "Ge ett mervärde för kommunens invånare och företag", None, &[]),
            goal("marknadsfora-profilera", "Marknadsföra och profilera Vänersborgs kommun", None, &[]),
            goal("hallbar-tillvaxt-naringsliv", "Skapa kontaktytor som öppnar möjligheter till hållbar tillväxt för vårt näringsliv", Some("Sysselsättning och hållbar tillväxt"), &[]),
            goal(
                "demokrati-larande",
                "Bidra till att stödja ett ömsesidigt lärande kring demokratiseringsprocesser med andra länder och motverka antidemokratiska krafter",
                None,
                &["Deltagande i transnationella projekt", "Nätverk inom relevanta områden", "Konferenser och utbildningar", "Studiebesök och utbyten"],
            ),
        ],
        topics: &["Internationellt arbete", "Omvärldsbevakning", "Extern finansiering", "Transnationella projekt", "Europeiska nätverk", "Vänorter"],
        adoption: council(day("2013-01-01")),
        valid_from: day("2013-01-01"),
        valid_until: None,
        supersedes: None,
        follow_ups: &[],
        summary_name: "Vänersborg: Internationell policy",
        note: "superseded by the 2024–2028 strategy on 2024-02-12",
    },
    // Vänersborg 2024–2028 (seed vanersborg-strategi-internationellt-arbete-2024-2028.txt).
    StrategyFact {
        id: ids::vanersborg_strategy_2024,
        municipality: VANERSBORG,
        title: "Strategi för Vänersborgs kommuns internationella arbete 2024–2028",
        kind: DocumentKind::Strategy,
        owner: "Kommunstyrelsen",
        responsible_role: "Avdelningschef Hållbar utveckling",
        // "Uppföljning: En gång per mandatperiod" and "återrapporteras
        // årligen till kommunstyrelsen" in the ordinary reporting cycle.
        follow_up: FollowUpCadence::YearlyAndOncePerTerm,
        focus_areas: &[INKL, DIGI, GRON],
        goals: &[
            goal(
                "inkluderande-samhallen",
                "Minska ojämlikhet och social utestängning i lokalsamhället genom internationellt utvecklingssamarbete",
                Some(INKL),
                &["Hjälpa individer och grupper att få utbildning, arbete, delta i lokala beslut och få tillgång till tjänster"],
            ),
            goal(
                "digitaliserade-samhallen",
                "En digital omvandling som skapar fördelar och möjligheter för alla invånare – ingen lämnas utanför",
                Some(DIGI),
                &["Tillämpa Shaping Europe's Digital Future (EU 2021/694) i det internationella utvecklingsarbetet"],
            ),
            goal(
                "grona-samhallen",
                "Minska sårbarheten för klimatförändringarnas effekter och samarbeta regionalt och internationellt för att nå klimatmålen",
                Some(GRON),
                &[],
            ),
            goal(
                "externfinansiering",
                "Verksamhetsutveckling i projektform via internationella fonder och program som ger extern finansiering och internationell spetskompetens",
                None,
                &["Omvärldsbevakning av EU-program och ICLD"],
            ),
            goal(
                "natverk-och-vanorter",
                "Använda och utveckla Nordens vänortsringar och tematiska partnerskap i aktiva samarbeten",
                None,
                &["Aktiv bevakning och inventering för att finna nytta och nya möjligheter för Vänersborg"],
            ),
        ],
        topics: &[
            "Internationellt utvecklingsarbete",
            "Externfinansiering",
            "Verksamhetsutveckling",
            "Omvärldsbevakning",
            "Hållbar utveckling",
            "Nätverk",
            "EU-program",
            "ICLD",
            "Vänorter",
            "Uppföljning",
        ],
        adoption: DecisionFact {
            body: DecisionBody::Council,
            date: day("2024-02-12"),
            paragraph: Some("§ 12"),
            case_number: Some("KS 2023/993"),
        },
        valid_from: day("2024-02-12"),
        valid_until: Some(day("2028-12-31")),
        supersedes: Some(SupersedeFact {
            strategy: ids::vanersborg_policy,
            effective_on: day("2024-02-12"),
        }),
        follow_ups: &[
            follow_up("2024-01-01", "2024-12-31", "2025-04-09", "Uppföljning av det internationella arbetet 2024 i ordinarie uppföljningshjul (delårsrapporter, bokslut och årsbokslut), sammanställd av kommunstyrelseförvaltningen."),
            follow_up("2025-01-01", "2025-12-31", "2026-04-08", "Uppföljning av det internationella arbetet 2025 i ordinarie uppföljningshjul, sammanställd av kommunstyrelseförvaltningen; Erasmus+-projektet med Herning och Lich har startat."),
        ],
        summary_name: "Vänersborg: Strategi för internationellt arbete 2024–2028",
        note: "adopted KF 2024-02-12 § 12, KS 2023/993, valid until 2028-12-31",
    },
    // Lidköping 2020 (seed lidkoping-internationell-strategi-2020.txt).
    StrategyFact {
        id: ids::lidkoping_strategy_2020,
        municipality: LIDKOPING,
        title: "Internationell strategi Lidköpings kommun",
        kind: DocumentKind::Strategy,
        owner: "Kommunstyrelsen",
        responsible_role: "Chef utveckling och kommunikation",
        follow_up: FollowUpCadence::Yearly,
        focus_areas: &[PARTNERS, KOMPETENS, FINANSIERING],
        goals: &[
            goal(
                "strategiskt-utvecklingsverktyg",
                "Lidköpings internationella förbindelser är ett strategiskt utvecklingsverktyg för visionen ”Lidköping - en välkomnande och hållbar kommun”",
                None,
                &["Alla förvaltningar utser en representant i kommunens internationella grupp"],
            ),
            goal(
                "utveckla-verksamheten",
                "Använda internationella kontakter och transnationella projekt för att stödja och utveckla den egna kommunala verksamheten",
                Some(PARTNERS),
                &["Nytto- och riskanalys före varje nytt internationellt samarbete"],
            ),
            goal(
                "bevaka-samverkan",
                "Bevaka och ta tillvara möjligheterna till samverkan lokalt, regionalt, nationellt och internationellt",
                Some(PARTNERS),
                &["Samarbetet i Västra Skaraborg (V6)", "Nätverk via SKR och EU-programmens aktörer"],
            ),
            goal(
                "extern-finansiering",
                "Uppmuntra till att utnyttja det ekonomiska stöd som finns i internationella program och fonder",
                Some(FINANSIERING),
                &["Integrera EU- och internationella projekt i förvaltningarnas budget och verksamhetsplan"],
            ),
            goal(
                "hallbart-perspektiv",
                "Ett miljömässigt, ekonomiskt och socialt hållbart perspektiv i utvecklingsarbetet",
                None,
                &["Väga miljöpåverkan, säkerhet och demokratiaspekter mot ekonomiska fördelar vid val av partner"],
            ),
            goal(
                "kompetens",
                "Stärka kommunens internationella kompetens genom att politiker och anställda uppmuntras till engagemang i internationellt samarbete",
                Some(KOMPETENS),
                &[],
            ),
        ],
        topics: &[
            "Internationellt arbete",
            "V6",
            "Extern finansiering",
            "EU-program",
            "Nytto- och riskanalys",
            "Demokrati och mänskliga rättigheter",
            "Hållbar utveckling",
            "Internationella gruppen",
        ],
        // "Fastställt av: Kommunfullmäktige, 2020-09-28"; valid "tills vidare".
        adoption: council(day("2020-09-28")),
        valid_from: day("2020-09-28"),
        valid_until: None,
        supersedes: None,
        // "… en uppföljning i form av en sammanställning göras varje år och
        // anmälas till kommunstyrelsen" (report dates illustrative).
        follow_ups: &[
            follow_up(
                "2023-01-01",
                "2023-12-31",
                "2024-03-20",
                "Årlig sammanställning av Lidköpings kommuns internationella arbete 2023, anmäld till kommunstyrelsen.",
            ),
            follow_up("2024-01-01", "2024-12-31", "2025-03-19", "Årlig sammanställning av Lidköpings kommuns internationella arbete 2024, anmäld till kommunstyrelsen; V6-samarbetet som plattform för extern finansiering."),
        ],
        summary_name: "Lidköping: Internationell strategi",
        note: "adopted KF 2020-09-28, until further notice, yearly follow-up",
    },
    // Arvika 2012 (seed arvika-internationell-strategi-2012.txt): four goals;
    // the activities of the four målområden are attached to the goal they serve.
    StrategyFact {
        id: ids::arvika_strategy_2012,
        municipality: ARVIKA,
        title: "Internationell strategi",
        kind: DocumentKind::Strategy,
        owner: "Kommunstyrelsen",
        // "Kommunstyrelsen leder det internationella arbetet samt ansvarar för
        // vänortssamarbetet"; the seed names no officer and no follow-up
        // cadence (once per term is an assumption).
        responsible_role: "Kommunstyrelsen (leder det internationella arbetet och vänortssamarbetet)",
        follow_up: FollowUpCadence::OncePerTerm,
        focus_areas: &[ATTRAKTIV, MANGKULTUR, NORGE, DEMOKRATI],
        goals: &[
            goal(
                "attraktiv-kommun",
                "Bidra till en attraktiv kommun genom ett aktivt internationellt arbete",
                Some(ATTRAKTIV),
                &[
                    "Bidra till samarbeten mellan ortens företag gärna via EU-finansiering.",
                    "Marknadsföra Arvika som etableringsort för företag.",
                    "Stödja marknadsföring av besöksnäring.",
                    "Bibehålla och utveckla kontakterna med intresseorganisationer som har EU-kompetens.",
                ],
            ),
            goal(
                "norgesamarbetet",
                "Utveckla Norgesamarbetet och använda partnerskap",
                Some(NORGE),
                &[
                    "Norgesamarbetet inriktas mot områdena infrastruktur, näringsliv, kompetensförsörjning och kultur.",
                    "Fortsatt samverkan inom ARKO.",
                    "Förbättra och stärka strategiska relationer med regionala företrädare och med intresseorganisationer på båda sidor gränsen, ex Svensk-Norsk Handelskammare.",
                    "Utvärdera vänortssamarbetet och vid behov föreslå förändringar.",
                    "Nya \"vänortskontakter\" kommer framöver att i större utsträckning skapas via samverkansprojekt.",
                    "Aktivt söka EU-stöd i interregionala projekt.",
                ],
            ),
            goal(
                "utveckla-verksamheterna",
                "Utveckla verksamheterna inom kommunkoncernen. Genom att utveckla ett internationellt perspektiv blir Arvika en mer attraktiv arbetsgivare.",
                Some(MANGKULTUR),
                &[
                    "Stimulera samarbeten som ökar kvaliteten i kommunens verksamheter. I verksamhetsplaneringen se möjligheter till kompetensutveckling och finansiering via EU.",
                    "Via internationella kontakter stärka kunskapen om omvärlden.",
                    "Genom aktivt deltagande i internationella nätverk marknadsföra kommunen.",
                    "Söka samarbeten med lokala aktörer både hemma och internationellt.",
                    "Språkutbildning för personal med internationella kontaktytor.",
                ],
            ),
            goal(
                "mangkulturellt-och-lokal-demokrati",
                "Främja ett mångkulturellt perspektiv, motverka främlingsfientliga krafter samt bidra till utveckling av lokal demokrati internationellt.",
                Some(DEMOKRATI),
                &["Bidra till resultatinriktade samarbeten mellan kommunen och utvalda samarbetsländer i syfte att stärka demokrati, samt rättvis och hållbar utveckling."],
            ),
        ],
        topics: &["Internationellt arbete", "EU-program", "Norgesamarbetet", "ARKO", "Vänorter", "ICLD", "Mångkulturellt perspektiv", "Demokratiutveckling"],
        adoption: DecisionFact {
            body: DecisionBody::ExecutiveBoard,
            date: day("2012-11-12"),
            paragraph: Some("§ 258"),
            case_number: None,
        },
        valid_from: day("2012-11-12"),
        valid_until: None,
        supersedes: None,
        follow_ups: &[],
        summary_name: "Arvika: Internationell strategi",
        note: "adopted KS 2012-11-12 § 258, until further notice",
    },
];
