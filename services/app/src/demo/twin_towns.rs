//! Chapter 3: twin towns, each agreement decided by the council (years only:
//! 1 January).

use super::codes::{ARVIKA, KONGSVINGER, VANERSBORG};
use super::facts::{day, TwinTownFact};

const fn twin(
    of: &'static str,
    partner: &'static str,
    country: &'static str,
    partner_code: Option<&'static str>,
    since: &'static str,
) -> TwinTownFact {
    TwinTownFact {
        of,
        partner,
        country,
        partner_code,
        since: day(since),
    }
}

pub(super) const TWIN_TOWNS: &[TwinTownFact] = &[
    // Arvika: Kongsvinger and Skive since 1947, Ylöjärvi since 1978.
    twin(ARVIKA, "Kongsvinger", "NO", Some(KONGSVINGER), "1947-01-01"),
    twin(ARVIKA, "Skive", "DK", None, "1947-01-01"),
    twin(ARVIKA, "Ylöjärvi", "FI", None, "1978-01-01"),
    // Vänersborg: Nordens största vänortskedja (started in the 1940s, grew in
    // the 1970s and 1980s) and Lich since 2011. The years are when each town
    // joined the chain (Foreningen Norden Herning's list).
    twin(VANERSBORG, "Herning", "DK", None, "1946-01-01"),
    twin(VANERSBORG, "Holmestrand", "NO", None, "1946-01-01"),
    twin(VANERSBORG, "Siglufjörður", "IS", None, "1949-01-01"),
    twin(VANERSBORG, "Kangasala", "FI", None, "1977-01-01"),
    twin(VANERSBORG, "Ålands landskommuner", "AX", None, "1977-01-01"),
    twin(VANERSBORG, "Eidi", "FO", None, "1978-01-01"),
    twin(VANERSBORG, "Arsuk", "GL", None, "1987-01-01"),
    twin(
        VANERSBORG,
        "Husby (danska minoriteten i Sydslesvig)",
        "DE",
        None,
        "1988-01-01",
    ),
    twin(VANERSBORG, "Lich", "DE", None, "2011-01-01"),
];
