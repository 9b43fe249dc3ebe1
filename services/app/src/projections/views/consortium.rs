//! A consortium's view: its members over time and its coordinator.

use chrono::NaiveDate;
use samverkan_domain::consortium::{ConsortiumEvent, ConsortiumKind, Coordinator};
use samverkan_domain::{ConsortiumCode, MunicipalityCode};
use serde::{Deserialize, Serialize};

use super::ValidOn;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembershipView {
    pub municipality: MunicipalityCode,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
}

impl MembershipView {
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.joined_on <= day && self.left_on.is_none_or(|l| day < l)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsortiumView {
    pub code: ConsortiumCode,
    pub name: String,
    pub kind: ConsortiumKind,
    pub purpose: String,
    pub formed_on: NaiveDate,
    pub dissolved_on: Option<NaiveDate>,
    pub coordinator: Option<Coordinator>,
    pub memberships: Vec<MembershipView>,
}

impl ConsortiumView {
    pub fn apply(view: Option<Self>, e: &ConsortiumEvent) -> Option<Self> {
        if let ConsortiumEvent::ConsortiumFormed(f) = e {
            return Some(Self {
                code: f.code.clone(),
                name: f.name.clone(),
                kind: f.kind,
                purpose: f.purpose.clone(),
                formed_on: f.formed_on,
                dissolved_on: None,
                coordinator: None,
                memberships: vec![],
            });
        }
        let mut v = view?;
        match e {
            ConsortiumEvent::ConsortiumFormed(_) => {}
            ConsortiumEvent::MemberJoined(j) => v.memberships.push(MembershipView {
                municipality: j.municipality,
                joined_on: j.joined_on,
                left_on: None,
            }),
            ConsortiumEvent::MemberLeft(l) => {
                if let Some(m) = v
                    .memberships
                    .iter_mut()
                    .rev()
                    .find(|m| m.municipality == l.municipality && m.left_on.is_none())
                {
                    m.left_on = Some(l.left_on);
                }
                if v.coordinator
                    == Some(Coordinator::Member {
                        municipality: l.municipality,
                    })
                {
                    v.coordinator = None;
                }
            }
            ConsortiumEvent::CoordinatorAppointed(c) => v.coordinator = Some(c.coordinator.clone()),
            ConsortiumEvent::ConsortiumDissolved(d) => v.dissolved_on = Some(d.dissolved_on),
        }
        Some(v)
    }

    /// Is the municipality a current member (joined, not left)?
    pub fn is_member(&self, m: &MunicipalityCode) -> bool {
        self.memberships
            .iter()
            .any(|x| &x.municipality == m && x.left_on.is_none())
    }
}

impl ValidOn for ConsortiumView {
    fn on(mut self, day: NaiveDate) -> Option<Self> {
        if self.formed_on > day {
            return None;
        }
        if self.dissolved_on.is_some_and(|d| d > day) {
            self.dissolved_on = None;
        }
        self.memberships.retain(|m| m.joined_on <= day);
        for m in &mut self.memberships {
            if m.left_on.is_some_and(|l| l > day) {
                m.left_on = None;
            }
        }
        Some(self)
    }
}
