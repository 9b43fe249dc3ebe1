//! Chapter 1: the municipalities of the story, and two whose codes changed.

use super::codes::*;
use super::facts::{day, CodeChange, CodeChangesFact, MunicipalityFact};

/// Norwegian kommunenummer changed in the 2020 county reform (Hedmark 04xx
/// became Innlandet 34xx): the codes used here hold from 2020-01-01.
const REFORM: Option<chrono::NaiveDate> = Some(day("2020-01-01"));

const fn municipality(code: &'static str, name: &'static str, note: &'static str) -> MunicipalityFact {
    MunicipalityFact {
        code,
        name,
        code_valid_from: None,
        note,
    }
}

const fn renumbered_2020(code: &'static str, name: &'static str, note: &'static str) -> MunicipalityFact {
    MunicipalityFact {
        code,
        name,
        code_valid_from: REFORM,
        note,
    }
}

pub(super) const MUNICIPALITIES: &[MunicipalityFact] = &[
    municipality(
        VANERSBORG,
        "Vänersborg",
        "seed: strategy 2024–2028, policy, ICLD partnership with Chobe",
    ),
    municipality(LIDKOPING, "Lidköping", "seed: strategy 2020; V6"),
    municipality(ARVIKA, "Arvika", "seed: strategy 2012; ARKO, twin-town ring"),
    municipality(ESSUNGA, "Essunga", "V6"),
    municipality(GRASTORP, "Grästorp", "V6"),
    municipality(GOTENE, "Götene", "V6"),
    municipality(SKARA, "Skara", "V6"),
    municipality(VARA, "Vara", "V6"),
    municipality(EDA, "Eda", "ARKO"),
    municipality(TORSBY, "Torsby", "ARKO"),
    municipality(SUNNE, "Sunne", "ARKO"),
    renumbered_2020(KONGSVINGER, "Kongsvinger", "ARKO, twin town of Arvika"),
    renumbered_2020(NORD_ODAL, "Nord-Odal", "ARKO"),
    renumbered_2020(SOR_ODAL, "Sør-Odal", "ARKO"),
    renumbered_2020(EIDSKOG, "Eidskog", "ARKO"),
    renumbered_2020(GRUE, "Grue", "ARKO"),
    renumbered_2020(ASNES, "Åsnes", "ARKO"),
    renumbered_2020(VALER, "Våler", "former ARKO member"),
];

const SCB: &str = "SCB, Kommunkoder: Heby moved from Västmanland to Uppsala län on 2007-01-01, 1917 → 0331";
const SSB: &str = "SSB, Kommunenummer: the 2020 and 2024 regional reforms renumbered Bærum 0219 → 3024 → 3201";

/// Codes that changed without a merger: Heby (county change, SCB) and Bærum
/// (the Norwegian renumberings of 2020 and 2024, SSB). Each keeps its first
/// code as its identity.
pub(super) const CODE_CHANGES: &[CodeChangesFact] = &[
    CodeChangesFact {
        first_code: "SE-1917",
        name: "Heby",
        note: "code change without merger (SE-1917 → SE-0331)",
        changes: &[CodeChange {
            new_code: "SE-0331",
            valid_from: day("2007-01-01"),
            source: SCB,
        }],
    },
    CodeChangesFact {
        first_code: "NO-0219",
        name: "Bærum",
        note: "renumbered twice (NO-0219 → NO-3024 → NO-3201)",
        changes: &[
            CodeChange {
                new_code: "NO-3024",
                valid_from: day("2020-01-01"),
                source: SSB,
            },
            CodeChange {
                new_code: "NO-3201",
                valid_from: day("2024-01-01"),
                source: SSB,
            },
        ],
    },
];
