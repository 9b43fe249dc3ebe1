//! Custom scalars. Each parses strictly ("parse, don't validate") and a bad
//! value is a `VALIDATION` error whose `rule` names what was wrong.

use async_graphql::{InputType, InputValueError, InputValueResult, Number, Scalar, ScalarType, Value};
use chrono::NaiveDate;
use samverkan_domain as d;
use samverkan_domain::DomainError;

/// A parse error carrying `code: VALIDATION` and the rule.
fn invalid<T: InputType>(rule: &'static str, message: impl std::fmt::Display) -> InputValueError<T> {
    InputValueError::custom(message)
        .with_extension("code", "VALIDATION")
        .with_extension("rule", rule)
}

fn domain<T: InputType>(err: DomainError) -> InputValueError<T> {
    invalid(err.rule(), err)
}

fn expected_string<T: InputType>(value: &Value) -> InputValueError<T> {
    invalid("invalid_input", format!("expected a string, found {value}"))
}

macro_rules! code_scalar {
    ($(#[$doc:meta])* $wrapper:ident, $inner:ty, $name:literal) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $wrapper(pub $inner);

        $(#[$doc])*
        #[Scalar(name = $name)]
        impl ScalarType for $wrapper {
            fn parse(value: Value) -> InputValueResult<Self> {
                match &value {
                    Value::String(s) => <$inner>::parse(s).map(Self).map_err(domain),
                    other => Err(expected_string(other)),
                }
            }
            fn to_value(&self) -> Value {
                Value::String(self.0.to_string())
            }
        }

        impl From<$inner> for $wrapper {
            fn from(v: $inner) -> Self {
                Self(v)
            }
        }
        impl From<&$inner> for $wrapper {
            fn from(v: &$inner) -> Self {
                Self(v.clone())
            }
        }
    };
}

code_scalar!(
    /// A municipality: ISO country code and national code, e.g. `SE-1487`
    /// (Vänersborg, SCB kommunkod) or `NO-3401` (Kongsvinger, kommunenummer).
    MunicipalityCode,
    d::MunicipalityCode,
    "MunicipalityCode"
);
code_scalar!(
    /// A consortium's short code: 1–32 uppercase letters, digits or `-`, e.g. `V6`, `ARKO`.
    ConsortiumCode,
    d::ConsortiumCode,
    "ConsortiumCode"
);
code_scalar!(
    /// ISO 3166-1 alpha-2 country code, e.g. `SE`, `NO`, `BW`.
    CountryCode,
    d::CountryCode,
    "CountryCode"
);
code_scalar!(
    /// A goal's id inside its strategy document: 1–64 letters, digits, `-`, `_` or `.`.
    GoalId,
    d::GoalId,
    "GoalId"
);
code_scalar!(
    /// A milestone's id inside its project: 1–64 letters, digits, `-`, `_` or `.`.
    MilestoneId,
    d::MilestoneId,
    "MilestoneId"
);

/// A calendar date, `YYYY-MM-DD` (ISO 8601), e.g. `2024-02-12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar date without time zone: `YYYY-MM-DD`, e.g. `2024-02-12`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|e| invalid("invalid_date", format!("`{s}` is not a date (YYYY-MM-DD): {e}"))),
            other => Err(expected_string(other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

/// Money in minor units (öre, øre, cent). Inputs are non-negative 64-bit
/// integers; outputs may be totals, which are 128-bit and never wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MinorUnits(pub i128);

impl MinorUnits {
    /// The amount of one command (inputs are parsed within 64 bits).
    pub fn amount(&self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }
}

/// An amount in minor units (1 SEK = 100 öre): a non-negative integer,
/// written as a JSON number (`150000000000`) or a string of digits
/// (`"150000000000"`, for clients whose numbers are doubles). Fractions,
/// exponents and negative amounts are rejected; one command carries at most
/// 10^15 (rule `amount_too_large`). Returned as a JSON number; a total beyond
/// 2^63−1 (sums never wrap) is returned as a string of digits.
#[Scalar(name = "MinorUnits")]
impl ScalarType for MinorUnits {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    non_negative(i)
                } else if n.is_u64() {
                    Err(domain(DomainError::AmountOverflow))
                } else if n.as_f64().is_some_and(|f| f == 0.0) {
                    // `-0` is an integer literal too.
                    Ok(MinorUnits(0))
                } else if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() >= 9.0e18) {
                    // An integer literal beyond 64 bits reaches us as a double.
                    Err(domain(if n.as_f64().is_some_and(|f| f < 0.0) {
                        DomainError::NegativeAmount { amount_minor: i64::MIN }
                    } else {
                        DomainError::AmountOverflow
                    }))
                } else {
                    Err(invalid(
                        "invalid_amount",
                        format!("`{n}` is not an integer: amounts are integer minor units, never floats"),
                    ))
                }
            }
            Value::String(s) => parse_integer_text(s).and_then(non_negative),
            other => Err(invalid(
                "invalid_amount",
                format!("expected an integer amount in minor units, found {other}"),
            )),
        }
    }
    fn to_value(&self) -> Value {
        match i64::try_from(self.0) {
            Ok(i) => Value::Number(Number::from(i)),
            Err(_) => Value::String(self.0.to_string()),
        }
    }
}

fn non_negative(i: i64) -> InputValueResult<MinorUnits> {
    if i < 0 {
        Err(domain(DomainError::NegativeAmount { amount_minor: i }))
    } else {
        Ok(MinorUnits(i128::from(i)))
    }
}

fn parse_integer_text<T: InputType>(s: &str) -> Result<i64, InputValueError<T>> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            "invalid_amount",
            format!("`{s}` is not an integer amount in minor units"),
        ));
    }
    s.parse::<i64>().map_err(|_| domain(DomainError::AmountOverflow))
}

/// A position in the global event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position(pub u64);

/// A position in the global event log: a non-negative integer (JSON number;
/// a string of digits is accepted as input). Positions only grow but need not
/// be dense. Pass a mutation's `position` as `atLeastPosition` to read your
/// own writes.
#[Scalar(name = "Position")]
impl ScalarType for Position {
    fn parse(value: Value) -> InputValueResult<Self> {
        let bad = |v: &dyn std::fmt::Display| {
            invalid(
                "invalid_position",
                format!("`{v}` is not a log position (a non-negative integer)"),
            )
        };
        match &value {
            Value::Number(n) => n.as_u64().map(Position).ok_or_else(|| bad(n)),
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().map(Position).map_err(|_| bad(s))
            }
            other => Err(bad(other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::Number(Number::from(self.0))
    }
}

/// An instant in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<chrono::Utc>);

/// An instant: RFC 3339 / ISO 8601 with an offset, e.g.
/// `2025-09-15T21:59:00Z` or `2025-09-15T23:59:00+02:00`. Returned in UTC.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| DateTime(t.with_timezone(&chrono::Utc)))
                .map_err(|e| {
                    invalid(
                        "invalid_datetime",
                        format!("`{s}` is not an RFC 3339 instant (e.g. 2025-09-15T21:59:00Z): {e}"),
                    )
                }),
            other => Err(expected_string(other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl From<chrono::DateTime<chrono::Utc>> for DateTime {
    fn from(t: chrono::DateTime<chrono::Utc>) -> Self {
        DateTime(t)
    }
}
