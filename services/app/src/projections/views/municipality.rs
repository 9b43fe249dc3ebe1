//! A municipality's view: its names, codes over time and twin towns.

use chrono::{NaiveDate, Utc};
use samverkan_domain::municipality::{MunicipalityEvent, TwinTownPartner};
use samverkan_domain::{Decision, MunicipalityCode};
use serde::{Deserialize, Serialize};

use super::ValidOn;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwinTownView {
    pub partner: TwinTownPartner,
    pub since: NaiveDate,
    pub decision: Decision,
    pub ended_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MunicipalityView {
    /// The identity: the first code, which is also the stream id.
    pub code: MunicipalityCode,
    pub name: String,
    pub code_valid_from: Option<NaiveDate>,
    pub twin_towns: Vec<TwinTownView>,
    /// Every code with its validity, oldest first.
    #[serde(default)]
    pub codes: Vec<CodePeriodView>,
    /// The code valid on the asked day, set by `on(day)`; None: today's.
    #[serde(default)]
    pub current_code: Option<MunicipalityCode>,
}

/// One code of a municipality and its validity (`valid_until` inclusive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodePeriodView {
    pub code: MunicipalityCode,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

impl CodePeriodView {
    /// Whether `day` falls in the period; `open_start` treats the first code as
    /// valid before its recorded start (no earlier code is known).
    pub fn contains(&self, day: NaiveDate, open_start: bool) -> bool {
        (open_start || self.valid_from.is_none_or(|f| f <= day)) && self.valid_until.is_none_or(|u| day <= u)
    }
}

impl MunicipalityView {
    /// The code valid on `day`: before the first recorded start, the first code.
    pub fn code_on(&self, day: NaiveDate) -> MunicipalityCode {
        self.codes
            .iter()
            .enumerate()
            .find(|(i, p)| p.contains(day, *i == 0))
            .map_or(self.code, |(_, p)| p.code)
    }
    /// The code valid on the asked day, or today when no day was asked.
    pub fn code_now(&self) -> MunicipalityCode {
        self.current_code
            .unwrap_or_else(|| self.code_on(Utc::now().date_naive()))
    }
}

impl MunicipalityView {
    pub fn apply(view: Option<Self>, e: &MunicipalityEvent) -> Option<Self> {
        match e {
            MunicipalityEvent::MunicipalityRegistered(r) => Some(Self {
                code: r.code,
                name: r.name.clone(),
                code_valid_from: r.code_valid_from,
                twin_towns: vec![],
                codes: vec![CodePeriodView {
                    code: r.code,
                    valid_from: r.code_valid_from,
                    valid_until: None,
                }],
                current_code: None,
            }),
            MunicipalityEvent::MunicipalityCodeChanged(c) => view.map(|mut v| {
                if let Some(last) = v.codes.last_mut() {
                    last.valid_until = c.valid_from.pred_opt();
                }
                v.codes.push(CodePeriodView {
                    code: c.new_code,
                    valid_from: Some(c.valid_from),
                    valid_until: None,
                });
                v
            }),
            MunicipalityEvent::TwinTownAgreementSigned(s) => view.map(|mut v| {
                v.twin_towns.push(TwinTownView {
                    partner: s.partner.clone(),
                    since: s.since,
                    decision: s.decision.clone(),
                    ended_on: None,
                });
                v
            }),
            MunicipalityEvent::TwinTownAgreementEnded(x) => view.map(|mut v| {
                if let Some(t) = v
                    .twin_towns
                    .iter_mut()
                    .find(|t| t.partner.key() == x.partner_key && t.ended_on.is_none())
                {
                    t.ended_on = Some(x.ended_on);
                }
                v
            }),
        }
    }
}

impl ValidOn for MunicipalityView {
    fn on(mut self, day: NaiveDate) -> Option<Self> {
        self.current_code = Some(self.code_on(day));
        self.twin_towns.retain(|t| t.since <= day);
        for t in &mut self.twin_towns {
            if t.ended_on.is_some_and(|e| e > day) {
                t.ended_on = None;
            }
        }
        Some(self)
    }
}
