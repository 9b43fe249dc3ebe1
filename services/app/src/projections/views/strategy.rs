//! A strategy document's view: its decisions, validity and follow-ups.

use chrono::NaiveDate;
use samverkan_domain::strategy::{DocumentKind, FollowUpCadence, StrategyContent, StrategyEvent, StrategyStatus};
use samverkan_domain::{Decision, DecisionBody, MunicipalityCode, Period, StrategyId};
use serde::{Deserialize, Serialize};

use super::ValidOn;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpView {
    pub period: Period,
    pub reported_on: NaiveDate,
    pub reported_to: DecisionBody,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionView {
    pub decision: Decision,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyView {
    pub id: StrategyId,
    pub municipality: MunicipalityCode,
    pub title: String,
    pub kind: DocumentKind,
    pub owner: String,
    pub responsible_role: String,
    pub follow_up: FollowUpCadence,
    pub content: StrategyContent,
    pub status: StrategyStatus,
    pub adopted: Option<Decision>,
    pub validity: Option<Period>,
    pub revisions: Vec<RevisionView>,
    pub superseded_by: Option<StrategyId>,
    pub ended_on: Option<NaiveDate>,
    pub follow_ups: Vec<FollowUpView>,
}

impl StrategyView {
    pub fn apply(view: Option<Self>, e: &StrategyEvent) -> Option<Self> {
        if let StrategyEvent::StrategyDrafted(d) = e {
            return Some(Self {
                id: d.strategy,
                municipality: d.municipality,
                title: d.title.clone(),
                kind: d.kind,
                owner: d.owner.clone(),
                responsible_role: d.responsible_role.clone(),
                follow_up: d.follow_up,
                content: d.content.clone(),
                status: StrategyStatus::Draft,
                adopted: None,
                validity: None,
                revisions: vec![],
                superseded_by: None,
                ended_on: None,
                follow_ups: vec![],
            });
        }
        let mut v = view?;
        match e {
            StrategyEvent::StrategyDrafted(_) => {}
            StrategyEvent::StrategyAdopted(a) => {
                v.status = StrategyStatus::Adopted;
                v.adopted = Some(a.decision.clone());
                v.validity = Some(a.validity);
            }
            StrategyEvent::StrategyRevised(r) => {
                v.content = r.content.clone();
                v.validity = Some(r.validity);
                v.revisions.push(RevisionView {
                    decision: r.decision.clone(),
                });
            }
            StrategyEvent::StrategySuperseded(s) => {
                v.status = StrategyStatus::Superseded;
                v.superseded_by = Some(s.superseded_by);
                v.ended_on = Some(s.effective_on);
            }
            StrategyEvent::StrategyRepealed(r) => {
                v.status = StrategyStatus::Repealed;
                v.ended_on = Some(r.decision.date);
            }
            StrategyEvent::FollowUpReported(f) => v.follow_ups.push(FollowUpView {
                period: f.period,
                reported_on: f.reported_on,
                reported_to: f.reported_to,
                summary: f.summary.clone(),
            }),
        }
        Some(v)
    }

    /// In force on `day`: adopted, valid that day, not superseded/repealed by then.
    /// A document superseded or repealed later was in force before that
    /// decision's date (business time, not the status today).
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.status != StrategyStatus::Draft
            && self.validity.is_some_and(|p| p.contains(day))
            && self.ended_on.is_none_or(|e| day < e)
    }
}

impl ValidOn for StrategyView {
    fn on(mut self, day: NaiveDate) -> Option<Self> {
        if self.adopted.as_ref().is_some_and(|a| a.date > day) {
            self.status = StrategyStatus::Draft;
            self.adopted = None;
            self.validity = None;
        }
        self.revisions.retain(|r| r.decision.date <= day);
        if self.ended_on.is_some_and(|e| e > day) && self.adopted.is_some() {
            self.status = StrategyStatus::Adopted;
            self.superseded_by = None;
            self.ended_on = None;
        }
        self.follow_ups.retain(|f| f.reported_on <= day);
        Some(self)
    }
}
