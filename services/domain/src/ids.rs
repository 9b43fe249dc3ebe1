use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::DomainError;

/// ISO 3166-1 alpha-2 country code, e.g. `SE`, `NO`, `DK`, `FI`, `BW`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let b = s.as_bytes();
        if b.len() == 2 && b.iter().all(|c| c.is_ascii_uppercase()) {
            Ok(Self([b[0], b[1]]))
        } else {
            Err(DomainError::InvalidCountryCode { value: s.to_string() })
        }
    }
    pub fn as_str(&self) -> &str {
        // Always two ASCII uppercase letters, see `parse`.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl TryFrom<String> for CountryCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<CountryCode> for String {
    fn from(c: CountryCode) -> Self {
        c.to_string()
    }
}

/// A municipality's identity: country plus its national code, written
/// `SE-1487` (Vänersborg, SCB kommunkod) or `NO-3401` (Kongsvinger,
/// kommunenummer). Swedish and Norwegian codes are exactly four digits; other
/// countries' codes are 1–12 ASCII letters or digits. Stored inline (`Copy`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
pub struct MunicipalityCode {
    country: CountryCode,
    len: u8,
    national: [u8; 12],
}

impl Ord for MunicipalityCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.country, self.national()).cmp(&(other.country, other.national()))
    }
}
impl PartialOrd for MunicipalityCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MunicipalityCode({self})")
    }
}

impl MunicipalityCode {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let invalid = || DomainError::InvalidMunicipalityCode { value: s.to_string() };
        let (country, national) = s.split_once('-').ok_or_else(invalid)?;
        let country = CountryCode::parse(country).map_err(|_| invalid())?;
        let ok = match country.as_str() {
            "SE" | "NO" => national.len() == 4 && national.bytes().all(|c| c.is_ascii_digit()),
            _ => !national.is_empty() && national.len() <= 12 && national.bytes().all(|c| c.is_ascii_alphanumeric()),
        };
        if !ok {
            return Err(invalid());
        }
        let mut bytes = [0u8; 12];
        bytes[..national.len()].copy_from_slice(national.as_bytes());
        Ok(Self {
            country,
            len: national.len() as u8,
            national: bytes,
        })
    }
    pub fn country(&self) -> CountryCode {
        self.country
    }
    pub fn national(&self) -> &str {
        // Always ASCII alphanumerics, see `parse`.
        std::str::from_utf8(&self.national[..usize::from(self.len)]).unwrap_or("")
    }
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.country, self.national())
    }
}
impl FromStr for MunicipalityCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
impl TryFrom<String> for MunicipalityCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<MunicipalityCode> for String {
    fn from(c: MunicipalityCode) -> Self {
        c.to_string()
    }
}

/// A consortium's short code, e.g. `V6`, `ARKO`, `ICLD-VBG-CHOBE`: 1–32
/// characters of uppercase letters, digits and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
pub struct ConsortiumCode(String);

impl ConsortiumCode {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'-')
            && !s.starts_with('-');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(DomainError::InvalidConsortiumCode { value: s.to_string() })
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl fmt::Display for ConsortiumCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl FromStr for ConsortiumCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
impl TryFrom<String> for ConsortiumCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<ConsortiumCode> for String {
    fn from(c: ConsortiumCode) -> Self {
        c.0
    }
}

macro_rules! uuid_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new(id: Uuid) -> Self {
                Self(id)
            }
            /// A deterministic id derived from a human name (UUID v5), used by the demo data.
            pub fn from_name(name: &str) -> Self {
                Self(Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("samverkan:{}:{}", stringify!($name), name).as_bytes()))
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self).map_err(|_| DomainError::InvalidId { value: s.to_string() })
            }
        }
    };
}

uuid_id!(
    /// Identity of a strategy document (styrdokument).
    StrategyId
);
uuid_id!(
    /// Identity of an international project.
    ProjectId
);
uuid_id!(
    /// Identity of a joint funding application.
    ApplicationId
);

/// A goal's stable id inside its strategy document, e.g. `G1`, `attractive-municipality`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
pub struct GoalId(String);

/// A milestone's id inside its project, e.g. `M1`, `kickoff`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
pub struct MilestoneId(String);

macro_rules! slug_id {
    ($name:ident, $err:ident) => {
        impl $name {
            pub fn parse(s: &str) -> Result<Self, DomainError> {
                let ok = !s.is_empty()
                    && s.len() <= 64
                    && s.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.');
                if ok {
                    Ok(Self(s.to_string()))
                } else {
                    Err(DomainError::$err { value: s.to_string() })
                }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(c: $name) -> Self {
                c.0
            }
        }
        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}
slug_id!(GoalId, InvalidGoalId);
slug_id!(MilestoneId, InvalidMilestoneId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipality_codes_parse_and_print() {
        let c = MunicipalityCode::parse("SE-1487").unwrap();
        assert_eq!(c.to_string(), "SE-1487");
        assert_eq!(c.country().as_str(), "SE");
        assert!(MunicipalityCode::parse("NO-3401").is_ok());
        assert!(MunicipalityCode::parse("DK-779").is_ok());
        for bad in ["1487", "SE-148", "se-1487", "SE-14870", "SE-", "SWE-1487", "NO-34a1"] {
            assert!(
                matches!(
                    MunicipalityCode::parse(bad),
                    Err(DomainError::InvalidMunicipalityCode { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn consortium_codes() {
        assert!(ConsortiumCode::parse("V6").is_ok());
        assert!(ConsortiumCode::parse("ICLD-VBG-CHOBE").is_ok());
        assert!(ConsortiumCode::parse("v6").is_err());
        assert!(ConsortiumCode::parse("").is_err());
    }

    #[test]
    fn json_round_trip_rejects_bad_codes() {
        let c: MunicipalityCode = serde_json::from_str("\"SE-1494\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"SE-1494\"");
        assert!(serde_json::from_str::<MunicipalityCode>("\"SE-14\"").is_err());
    }
}
