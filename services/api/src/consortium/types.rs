//! A consortium, its members over time and its coordinator.

use async_graphql::{Enum, SimpleObject};
use samverkan_app::projections::views as v;

use crate::scalars::{ConsortiumCode, Date, MunicipalityCode};
use crate::shared::output_from;
use samverkan_domain::consortium::Coordinator as DomainCoordinator;

/// What kind of cooperation a consortium is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::consortium::ConsortiumKind")]
pub enum ConsortiumKind {
    /// Regional cooperation between neighbours, e.g. V6.
    RegionalCooperation,
    /// Cross-border committee, e.g. ARKO.
    CrossBorder,
    /// A ring of twin towns (vänortsring).
    TwinTownRing,
    /// A municipal partnership, e.g. ICLD Vänersborg–Chobe.
    MunicipalPartnership,
}

/// Who coordinates a consortium.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CoordinatorKind {
    /// A member municipality coordinates.
    Member,
    /// A joint office or secretariat coordinates.
    Office,
}

/// Who coordinates a consortium.
#[derive(SimpleObject, Clone, Debug)]
pub struct Coordinator {
    pub kind: CoordinatorKind,
    /// Set when a member municipality coordinates.
    pub municipality: Option<MunicipalityCode>,
    /// Set when an office coordinates, e.g. `ARKO-sekretariatet`.
    pub office_name: Option<String>,
}

impl From<&DomainCoordinator> for Coordinator {
    fn from(c: &DomainCoordinator) -> Self {
        match c {
            DomainCoordinator::Member { municipality } => Coordinator {
                kind: CoordinatorKind::Member,
                municipality: Some(municipality.into()),
                office_name: None,
            },
            DomainCoordinator::Office { name } => Coordinator {
                kind: CoordinatorKind::Office,
                municipality: None,
                office_name: Some(name.clone()),
            },
        }
    }
}

output_from! {
    /// One membership period of a municipality in a consortium.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Membership from m: &v::MembershipView {
        pub municipality: MunicipalityCode = (&m.municipality).into(),
        pub joined_on: Date = m.joined_on.into(),
        pub left_on: Option<Date> = m.left_on.map(Date),
    }
}

output_from! {
    /// A consortium (samverkan, nätverk).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Consortium from c: &v::ConsortiumView {
        pub code: ConsortiumCode = (&c.code).into(),
        pub name: String = c.name.clone(),
        pub kind: ConsortiumKind = c.kind.into(),
        pub purpose: String = c.purpose.clone(),
        pub formed_on: Date = c.formed_on.into(),
        pub dissolved_on: Option<Date> = c.dissolved_on.map(Date),
        pub coordinator: Option<Coordinator> = c.coordinator.as_ref().map(Coordinator::from),
        /// Every membership period, in the order they began.
        pub memberships: Vec<Membership> = c.memberships.iter().map(Membership::from).collect(),
        /// Municipalities that joined and have not left.
        pub current_members: Vec<MunicipalityCode> = {
            let mut current: Vec<MunicipalityCode> = c
                .memberships
                .iter()
                .filter(|m| m.left_on.is_none())
                .map(|m| (&m.municipality).into())
                .collect();
            current.sort();
            current.dedup();
            current
        },
    }
}
