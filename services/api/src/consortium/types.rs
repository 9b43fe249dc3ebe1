//! A consortium, its members over time and its coordinator.

use async_graphql::{Enum, SimpleObject};
use samverkan_app::projections::views as v;

use crate::scalars::{ConsortiumCode, Date, MunicipalityCode};
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

/// One membership period of a municipality in a consortium.
#[derive(SimpleObject, Clone, Debug)]
pub struct Membership {
    pub municipality: MunicipalityCode,
    pub joined_on: Date,
    pub left_on: Option<Date>,
}

/// A consortium (samverkan, nätverk).
#[derive(SimpleObject, Clone, Debug)]
pub struct Consortium {
    pub code: ConsortiumCode,
    pub name: String,
    pub kind: ConsortiumKind,
    pub purpose: String,
    pub formed_on: Date,
    pub dissolved_on: Option<Date>,
    pub coordinator: Option<Coordinator>,
    /// Every membership period, in the order they began.
    pub memberships: Vec<Membership>,
    /// Municipalities that joined and have not left.
    pub current_members: Vec<MunicipalityCode>,
}

impl From<&v::ConsortiumView> for Consortium {
    fn from(c: &v::ConsortiumView) -> Self {
        let mut current: Vec<MunicipalityCode> = c
            .memberships
            .iter()
            .filter(|m| m.left_on.is_none())
            .map(|m| (&m.municipality).into())
            .collect();
        current.sort();
        current.dedup();
        Consortium {
            code: (&c.code).into(),
            name: c.name.clone(),
            kind: c.kind.into(),
            purpose: c.purpose.clone(),
            formed_on: c.formed_on.into(),
            dissolved_on: c.dissolved_on.map(Date),
            coordinator: c.coordinator.as_ref().map(Coordinator::from),
            memberships: c
                .memberships
                .iter()
                .map(|m| Membership {
                    municipality: (&m.municipality).into(),
                    joined_on: m.joined_on.into(),
                    left_on: m.left_on.map(Date),
                })
                .collect(),
            current_members: current,
        }
    }
}
