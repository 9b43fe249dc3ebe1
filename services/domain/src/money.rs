use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// ISO 4217 currencies the consortia work in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub enum Currency {
    /// Swedish krona (öre as minor unit).
    SEK,
    /// Norwegian krone (øre as minor unit).
    NOK,
    /// Euro (cent as minor unit).
    EUR,
    /// Danish krone (øre as minor unit).
    DKK,
}

impl Currency {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "SEK" => Ok(Self::SEK),
            "NOK" => Ok(Self::NOK),
            "EUR" => Ok(Self::EUR),
            "DKK" => Ok(Self::DKK),
            other => Err(DomainError::UnsupportedCurrency {
                value: other.to_string(),
            }),
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::SEK => "SEK",
            Self::NOK => "NOK",
            Self::EUR => "EUR",
            Self::DKK => "DKK",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money: integer minor units (öre, øre, cent) and a currency.
/// Never negative, never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RawMoney")]
pub struct Money {
    /// Amount in minor units (1 SEK = 100 öre); a non-negative integer.
    pub amount_minor: i64,
    pub currency: Currency,
}

/// Money as written: integer minor units and a currency.
#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Money")]
struct RawMoney {
    /// Amount in minor units (1 SEK = 100 öre); a non-negative integer.
    #[schemars(range(min = 0))]
    amount_minor: i64,
    currency: Currency,
}

impl TryFrom<RawMoney> for Money {
    type Error = DomainError;
    fn try_from(r: RawMoney) -> Result<Self, Self::Error> {
        Money::new(r.amount_minor, r.currency)
    }
}

/// The largest amount one command may carry: 10^15 minor units (ten thousand
/// billion kronor, far beyond any public budget). Commands above it are
/// refused with `amount_too_large`; events already stored decode whatever
/// their amount.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

/// Add an amount to a total of one currency. Totals are 128-bit: every
/// stored amount is below 2^63, so even 2^64 of them cannot overflow a
/// total; the addition is checked all the same (it would stop at the
/// largest total rather than wrap).
pub fn add_to_total(total: &mut i128, amount_minor: i64) {
    *total = total.checked_add(i128::from(amount_minor)).unwrap_or(i128::MAX);
}

/// A total as text, like [`Money`]'s `Display`: `1500.50 SEK`.
pub fn format_total(total: i128, currency: Currency) -> String {
    let sign = if total < 0 { "-" } else { "" };
    let abs = total.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", abs / 100, abs % 100)
}

impl Money {
    /// Money for a command: as [`Money::new`], and at most [`MAX_AMOUNT_MINOR`].
    pub fn for_command(amount_minor: i64, currency: Currency) -> Result<Self, DomainError> {
        if amount_minor > MAX_AMOUNT_MINOR {
            return Err(DomainError::AmountTooLarge {
                amount_minor,
                max: MAX_AMOUNT_MINOR,
            });
        }
        Self::new(amount_minor, currency)
    }

    pub fn new(amount_minor: i64, currency: Currency) -> Result<Self, DomainError> {
        if amount_minor < 0 {
            return Err(DomainError::NegativeAmount { amount_minor });
        }
        Ok(Self { amount_minor, currency })
    }
    pub fn zero(currency: Currency) -> Self {
        Self {
            amount_minor: 0,
            currency,
        }
    }
    /// Whole units, e.g. `Money::major(1_500_000, SEK)` is 1.5 million kronor.
    pub fn major(units: i64, currency: Currency) -> Result<Self, DomainError> {
        let minor = units.checked_mul(100).ok_or(DomainError::AmountOverflow)?;
        Self::new(minor, currency)
    }
    /// Parse a decimal text such as `"1500.50"` exactly, without floats.
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Self, DomainError> {
        let bad = || DomainError::InvalidAmount {
            value: text.to_string(),
        };
        let t = text.trim();
        if t.starts_with('-') {
            return Err(DomainError::NegativeAmount { amount_minor: -1 });
        }
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        if whole.is_empty()
            || !whole.bytes().all(|c| c.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<2}").parse().map_err(|_| bad())?
        };
        let minor = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .ok_or(DomainError::AmountOverflow)?;
        Self::new(minor, currency)
    }
    pub fn checked_add(self, other: Money) -> Result<Money, DomainError> {
        self.same_currency(&other)?;
        let amount_minor = self
            .amount_minor
            .checked_add(other.amount_minor)
            .ok_or(DomainError::AmountOverflow)?;
        Ok(Money {
            amount_minor,
            currency: self.currency,
        })
    }
    pub fn same_currency(&self, other: &Money) -> Result<(), DomainError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(DomainError::CurrencyMismatch {
                expected: self.currency,
                found: other.currency,
            })
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:02} {}",
            self.amount_minor / 100,
            self.amount_minor % 100,
            self.currency
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_money_is_rejected() {
        assert!(matches!(
            Money::new(-1, Currency::SEK),
            Err(DomainError::NegativeAmount { .. })
        ));
        assert!(serde_json::from_str::<Money>(r#"{"amount_minor":-5,"currency":"SEK"}"#).is_err());
    }

    #[test]
    fn float_money_is_rejected() {
        assert!(serde_json::from_str::<Money>(r#"{"amount_minor":10.5,"currency":"SEK"}"#).is_err());
        let m: Money = serde_json::from_str(r#"{"amount_minor":1050,"currency":"NOK"}"#).unwrap();
        assert_eq!(m.to_string(), "10.50 NOK");
    }

    #[test]
    fn decimal_text_parses_exactly() {
        assert_eq!(
            Money::parse_decimal("1500.5", Currency::EUR).unwrap().amount_minor,
            150_050
        );
        assert_eq!(Money::parse_decimal("7", Currency::EUR).unwrap().amount_minor, 700);
        assert!(Money::parse_decimal("1.005", Currency::EUR).is_err());
        assert!(Money::parse_decimal("-3", Currency::EUR).is_err());
        assert!(Money::parse_decimal("1e3", Currency::EUR).is_err());
    }

    #[test]
    fn commands_carry_at_most_the_maximum_and_totals_never_wrap() {
        assert!(Money::for_command(MAX_AMOUNT_MINOR, Currency::SEK).is_ok());
        assert!(matches!(
            Money::for_command(MAX_AMOUNT_MINOR + 1, Currency::SEK),
            Err(DomainError::AmountTooLarge { .. })
        ));
        // Stored events decode whatever their amount.
        assert!(Money::new(i64::MAX, Currency::DKK).is_ok());
        let mut total = 0i128;
        for _ in 0..10_000 {
            add_to_total(&mut total, MAX_AMOUNT_MINOR);
        }
        assert_eq!(total, 10_000 * i128::from(MAX_AMOUNT_MINOR));
        assert!(total > i128::from(i64::MAX));
        add_to_total(&mut total, i64::MAX);
        add_to_total(&mut total, i64::MAX);
        assert_eq!(total, 10_000 * i128::from(MAX_AMOUNT_MINOR) + 2 * i128::from(i64::MAX));
        assert_eq!(format_total(123_456, Currency::DKK), "1234.56 DKK");
        assert_eq!(
            format_total(2 * i128::from(i64::MAX), Currency::EUR),
            "184467440737095516.14 EUR"
        );
    }

    #[test]
    fn adding_mixed_currencies_is_an_error() {
        let a = Money::major(1, Currency::SEK).unwrap();
        let b = Money::major(1, Currency::NOK).unwrap();
        assert!(matches!(a.checked_add(b), Err(DomainError::CurrencyMismatch { .. })));
        assert_eq!(a.checked_add(a).unwrap().amount_minor, 200);
    }
}
