//! A municipality (kommun), its codes over time and its twin towns.

use async_graphql::SimpleObject;
use samverkan_app::projections::views as v;

use crate::scalars::{CountryCode, Date, MunicipalityCode};
use crate::types::*;

/// A municipality (kommun).
#[derive(SimpleObject, Clone, Debug)]
pub struct Municipality {
    /// The code valid on the asked day (`validAt`; today without it).
    pub code: MunicipalityCode,
    /// The stable identity: the municipality's first recorded code, kept when
    /// its code changes. Commands address the municipality by it.
    pub identity: MunicipalityCode,
    pub name: String,
    pub country: CountryCode,
    /// From when the code in `code` is valid (codes change in reforms).
    pub code_valid_from: Option<Date>,
    /// Every code of the municipality with its validity, oldest first.
    pub codes: Vec<CodePeriod>,
    /// Twin-town agreements (vänorter), current and ended.
    pub twin_towns: Vec<TwinTown>,
}

impl From<&v::MunicipalityView> for Municipality {
    fn from(m: &v::MunicipalityView) -> Self {
        let now = m.code_now();
        let period = m.codes.iter().rev().find(|p| p.code == now);
        Municipality {
            code: (&now).into(),
            identity: (&m.code).into(),
            name: m.name.clone(),
            country: m.code.country().into(),
            code_valid_from: period.map_or(m.code_valid_from, |p| p.valid_from).map(Date),
            codes: m.codes.iter().map(CodePeriod::from).collect(),
            twin_towns: m.twin_towns.iter().map(TwinTown::from).collect(),
        }
    }
}

/// One code of a municipality and its validity.
#[derive(SimpleObject, Clone, Debug)]
pub struct CodePeriod {
    pub code: MunicipalityCode,
    /// First day of the code (unknown for a first code registered without it).
    pub valid_from: Option<Date>,
    /// Last day of the code (inclusive); null while it is current.
    pub valid_until: Option<Date>,
}

impl From<&v::CodePeriodView> for CodePeriod {
    fn from(p: &v::CodePeriodView) -> Self {
        CodePeriod {
            code: (&p.code).into(),
            valid_from: p.valid_from.map(Date),
            valid_until: p.valid_until.map(Date),
        }
    }
}

/// The other party of a twin-town agreement.
#[derive(SimpleObject, Clone, Debug)]
pub struct TwinTownPartner {
    pub name: String,
    pub country: CountryCode,
    /// Its municipality code when it is registered here.
    pub code: Option<MunicipalityCode>,
    /// The key that identifies the partner in `endTwinTownAgreement`.
    pub key: String,
}

/// A twin-town agreement (vänortsavtal).
#[derive(SimpleObject, Clone, Debug)]
pub struct TwinTown {
    pub partner: TwinTownPartner,
    pub since: Date,
    pub decision: Decision,
    pub ended_on: Option<Date>,
}

impl From<&v::TwinTownView> for TwinTown {
    fn from(t: &v::TwinTownView) -> Self {
        TwinTown {
            partner: TwinTownPartner {
                name: t.partner.name.clone(),
                country: t.partner.country.into(),
                code: t.partner.code.as_ref().map(MunicipalityCode::from),
                key: t.partner.key(),
            },
            since: t.since.into(),
            decision: (&t.decision).into(),
            ended_on: t.ended_on.map(Date),
        }
    }
}
