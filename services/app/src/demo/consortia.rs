//! Chapter 2: the consortia, their members and coordinators.

use samverkan_domain::consortium::ConsortiumKind;

use super::codes::*;
use super::facts::{day, ConsortiumFact, CoordinatorFact};

pub(super) const CONSORTIA: &[ConsortiumFact] = &[
    // V6, Västra Skaraborg. The year V6 was formed is not in our sources:
    // 2010-01-01 is a placeholder. Members and purpose: DOMAIN-FACTS and
    // Lidköping's strategy ("en plattform … vars syfte är att öka den externa
    // finansieringen …").
    ConsortiumFact {
        code: V6,
        name: "V6 – Västra Skaraborg",
        kind: ConsortiumKind::RegionalCooperation,
        purpose: "Samverkan mellan Essunga, Grästorp, Götene, Lidköping, Skara och Vara om besöksnäring, miljö, lön och en gemensam inköpscentral i Lidköping; en plattform för att öka den externa finansieringen för kommunernas utveckling, bidra till ökad kvalitet och service och höjd kompetens inom verksamheterna.",
        formed_on: day("2010-01-01"),
        members: &[ESSUNGA, GRASTORP, GOTENE, LIDKOPING, SKARA, VARA],
        joined_on: day("2010-01-01"),
        left: &[],
        coordinator: CoordinatorFact::Office("V6-kansliet"),
        coordinator_from: day("2010-01-01"),
        summary_name: "V6 – Västra Skaraborg",
        note: "regional cooperation, 6 members, coordinated by V6-kansliet",
    },
    // ARKO: Swedish–Norwegian border committee since 1967 (exact date
    // unknown: 1 January). All eleven members are recorded as founding members
    // (ARKO: "övriga kommuner kom snabbt med"); Våler is listed in Arvika's
    // 2012 strategy ("elva gränskommuner") and in ARKO's 2014 annual report,
    // but not among today's ten: when it left is not in our sources,
    // 2015-12-31 is an assumption.
    ConsortiumFact {
        code: ARKO,
        name: "ARKO – Gränsregionen Arvika–Kongsvinger",
        kind: ConsortiumKind::CrossBorder,
        purpose: "Svensk-norsk gränskommitté sedan 1967, en av de nordiska gränskommittéerna, finansierad av Nordiska ministerrådet och medlemsavgifter: utveckla regionen som mötesplats över gränsen, stärka bosättningen och skapa ökad sysselsättning; initierar projekt i Interreg Sverige–Norge.",
        formed_on: day("1967-01-01"),
        members: &[
            ARVIKA,
            EDA,
            TORSBY,
            SUNNE,
            KONGSVINGER,
            NORD_ODAL,
            SOR_ODAL,
            EIDSKOG,
            GRUE,
            ASNES,
            VALER,
        ],
        joined_on: day("1967-01-01"),
        left: &[(VALER, day("2015-12-31"))],
        coordinator: CoordinatorFact::Office("ARKO-sekretariatet"),
        coordinator_from: day("1967-01-01"),
        summary_name: "ARKO",
        note: "cross-border since 1967, 10 members (Våler left 2015-12-31)",
    },
    // The Nordic twin-town ring of Arvika (Arvika–Ylöjärvi–Skive–Kongsvinger,
    // Arvika's 2012 strategy). Only Swedish and Norwegian municipalities are
    // registered here: Skive (DK) and Ylöjärvi (FI) appear as Arvika's twin
    // towns instead. Since 1947 (1 January).
    ConsortiumFact {
        code: ARVIKA_RING,
        name: "Vänortsringen Arvika–Ylöjärvi–Skive–Kongsvinger",
        kind: ConsortiumKind::TwinTownRing,
        purpose: "Traditionellt vänortsarbete sedan 1940-talet med politikermöten, ungdoms-, kultur- och förvaltningsutbyte; nya vänortskontakter skapas i större utsträckning via samverkansprojekt.",
        formed_on: day("1947-01-01"),
        members: &[ARVIKA, KONGSVINGER],
        joined_on: day("1947-01-01"),
        left: &[],
        coordinator: CoordinatorFact::Member(ARVIKA),
        coordinator_from: day("1947-01-01"),
        summary_name: "Vänortsringen Arvika–Ylöjärvi–Skive–Kongsvinger",
        note: "twin-town ring, Arvika and Kongsvinger registered",
    },
    // ICLD municipal partnership Vänersborg – Chobe District Council
    // (Botswana), from about 2010–2012: 2011-01-01 is an approximation. Chobe
    // District Council is not a Swedish/Norwegian municipality: it appears as
    // an external partner of the projects.
    ConsortiumFact {
        code: ICLD_VBG_CHOBE,
        name: "ICLD kommunalt partnerskap Vänersborg – Chobe District Council",
        kind: ConsortiumKind::MunicipalPartnership,
        purpose: "Kommunalt partnerskap med Chobe District Council (Botswana) för lokal demokrati och hållbar utveckling, helt finansierat av ICLD; två möten om året, växelvis i Vänersborg och Chobe.",
        formed_on: day("2011-01-01"),
        members: &[VANERSBORG],
        joined_on: day("2011-01-01"),
        left: &[],
        coordinator: CoordinatorFact::Member(VANERSBORG),
        coordinator_from: day("2011-01-01"),
        summary_name: "ICLD Vänersborg – Chobe District Council",
        note: "municipal partnership; Chobe District Council (BW) is external",
    },
];
