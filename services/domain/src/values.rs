use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{require_text, DomainError};

/// Which body took a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionBody {
    /// Kommunfullmäktige (SE) / kommunestyret (NO): the municipal council.
    Council,
    /// Kommunstyrelsen (SE) / formannskapet (NO): the executive board.
    ExecutiveBoard,
    /// A committee (nämnd / utvalg) under delegation.
    Committee,
    /// An official under delegation (delegationsbeslut).
    Official,
    /// The decision body of a consortium or a funder.
    Board,
}

/// A formal decision: body, date, paragraph (`§ 12`) and case number
/// (diarienummer, `KS 2023/993`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Decision {
    pub body: DecisionBody,
    /// Calendar date of the meeting or decision.
    pub date: NaiveDate,
    /// Paragraph in the minutes, e.g. `§ 12`.
    #[serde(default)]
    pub paragraph: Option<String>,
    /// Case number (diarienummer), e.g. `KS 2023/993`.
    #[serde(default)]
    pub case_number: Option<String>,
}

impl Decision {
    pub fn validate(&self) -> Result<(), DomainError> {
        if let Some(p) = &self.paragraph {
            require_text("decision.paragraph", p)?;
        }
        if let Some(c) = &self.case_number {
            require_text("decision.case_number", c)?;
        }
        Ok(())
    }
}

/// A span of calendar dates; `end = None` means "until further notice"
/// (tills vidare).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Period {
    pub start: NaiveDate,
    #[serde(default)]
    pub end: Option<NaiveDate>,
}

impl Period {
    pub fn new(start: NaiveDate, end: Option<NaiveDate>) -> Result<Self, DomainError> {
        let p = Self { start, end };
        p.validate()?;
        Ok(p)
    }
    pub fn validate(&self) -> Result<(), DomainError> {
        match self.end {
            Some(end) if end < self.start => Err(DomainError::PeriodEndsBeforeStart { start: self.start, end }),
            _ => Ok(()),
        }
    }
    pub fn contains(&self, day: NaiveDate) -> bool {
        day >= self.start && self.end.is_none_or(|e| day <= e)
    }
    /// Does the period overlap the inclusive range `[from, to]`?
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.start <= to && self.end.is_none_or(|e| e >= from)
    }
}

/// Kind of funding programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeKind {
    /// Interreg (Sverige–Norge, Aurora, Europe, Öresund–Kattegat–Skagerrak, …).
    Interreg,
    /// Erasmus+ (e.g. KA220 cooperation partnerships).
    ErasmusPlus,
    /// European Social Fund Plus.
    EsfPlus,
    /// European Regional Development Fund through Tillväxtverket.
    Erdf,
    /// ICLD municipal partnerships (Sida-funded).
    Icld,
    /// Nordic Council of Ministers (e.g. border committees).
    NordicCouncil,
    /// Own funds of the members (medfinansiering only).
    OwnFunds,
    Other,
}

/// A funding programme: its kind and its name, e.g. Interreg / `Interreg Sverige–Norge 2021–2027`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Programme {
    pub kind: ProgrammeKind,
    pub name: String,
}

impl Programme {
    pub fn validate(&self) -> Result<(), DomainError> {
        require_text("programme.name", &self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fixtures::d;

    #[test]
    fn period_rules() {
        assert!(Period::new(d("2024-01-01"), Some(d("2028-12-31"))).is_ok());
        assert!(Period::new(d("2024-01-01"), None).is_ok());
        assert!(matches!(
            Period::new(d("2024-01-01"), Some(d("2023-12-31"))),
            Err(DomainError::PeriodEndsBeforeStart { .. })
        ));
        let p = Period::new(d("2024-01-01"), Some(d("2024-12-31"))).unwrap();
        assert!(p.contains(d("2024-06-01")));
        assert!(!p.contains(d("2025-01-01")));
        assert!(p.overlaps(d("2024-12-31"), d("2025-12-31")));
        assert!(!p.overlaps(d("2025-01-01"), d("2025-12-31")));
    }
}
