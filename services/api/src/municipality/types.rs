//! A municipality (kommun), its codes over time and its twin towns.

use async_graphql::SimpleObject;
use samverkan_app::projections::views as v;

use crate::scalars::{CountryCode, Date, MunicipalityCode};
use crate::shared::output_from;
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

output_from! {
    /// One code of a municipality and its validity.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct CodePeriod from p: &v::CodePeriodView {
        pub code: MunicipalityCode = (&p.code).into(),
        /// First day of the code (unknown for a first code registered without it).
        pub valid_from: Option<Date> = p.valid_from.map(Date),
        /// Last day of the code (inclusive); null while it is current.
        pub valid_until: Option<Date> = p.valid_until.map(Date),
    }
}

output_from! {
    /// The other party of a twin-town agreement.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct TwinTownPartner from p: &samverkan_domain::municipality::TwinTownPartner {
        pub name: String = p.name.clone(),
        pub country: CountryCode = p.country.into(),
        /// Its municipality code when it is registered here.
        pub code: Option<MunicipalityCode> = p.code.as_ref().map(MunicipalityCode::from),
        /// The key that identifies the partner in `endTwinTownAgreement`.
        pub key: String = p.key(),
    }
}

output_from! {
    /// A twin-town agreement (vänortsavtal).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct TwinTown from t: &v::TwinTownView {
        pub partner: TwinTownPartner = (&t.partner).into(),
        pub since: Date = t.since.into(),
        pub decision: Decision = (&t.decision).into(),
        pub ended_on: Option<Date> = t.ended_on.map(Date),
    }
}
