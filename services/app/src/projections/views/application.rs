//! A joint application's view: its parties, their answers and the decision.

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::application::{ApplicationEvent, ApplicationStatus};
use samverkan_domain::cofinancing::CoFinancingTerms;
use samverkan_domain::cross_border::SideDecision;
use samverkan_domain::programme::{CallRules, SideBudget};
use samverkan_domain::project::{EuPriority, GoalRef};
use samverkan_domain::{
    ApplicationId, ConsortiumCode, Decision, Money, MunicipalityCode, Period, Programme, ProjectId,
};
use serde::{Deserialize, Serialize};

use super::{Recorded, ValidOn};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AnswerView {
    Pending,
    Committed { amount: Money, decision: Decision },
    Declined { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoApplicantView {
    pub municipality: MunicipalityCode,
    pub answer: AnswerView,
    pub invited_at: DateTime<Utc>,
    /// What the coordinator asks the co-applicant for, when stated.
    #[serde(default)]
    pub asked: Option<Money>,
    /// What its commitment states besides amount and decision.
    #[serde(default)]
    pub terms: Option<CoFinancingTerms>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskAssessmentView {
    pub benefits: String,
    pub risks: String,
    pub democracy_and_human_rights: String,
    pub assessed_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationView {
    pub id: ApplicationId,
    pub consortium: ConsortiumCode,
    pub title: String,
    pub programme: Programme,
    pub call: String,
    pub lead_applicant: MunicipalityCode,
    pub deadline: DateTime<Utc>,
    pub total_budget: Money,
    pub requested: Money,
    pub project_period: Period,
    pub serves_goals: Vec<GoalRef>,
    pub eu_priorities: Vec<EuPriority>,
    pub status: ApplicationStatus,
    pub drafted_at: DateTime<Utc>,
    pub co_applicants: Vec<CoApplicantView>,
    pub lead_commitment: Option<(Money, Decision)>,
    /// What the lead's commitment states besides amount and decision.
    #[serde(default)]
    pub lead_terms: Option<CoFinancingTerms>,
    /// The programme call answered with its rule set, as frozen at drafting.
    #[serde(default)]
    pub call_rules: Option<CallRules>,
    /// The budget per country side (cross-border programmes).
    #[serde(default)]
    pub sides: Vec<SideBudget>,
    /// The funders' decisions per side, in the order recorded.
    #[serde(default)]
    pub funder_decisions: Vec<SideDecision>,
    pub risk_assessment: Option<RiskAssessmentView>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_on: Option<NaiveDate>,
    pub granted: Option<Money>,
    pub decision_reference: Option<String>,
    pub outcome_reason: Option<String>,
    pub project: Option<ProjectId>,
    /// The parties' confirmations of their commitments after the funder's
    /// decision, in the order recorded.
    #[serde(default)]
    pub confirmations: Vec<ConfirmationView>,
}

/// A party's confirmation of its commitment (bekräftelse av medfinansiering).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmationView {
    pub municipality: MunicipalityCode,
    pub confirmed_on: NaiveDate,
    pub decision_reference: String,
}

impl ApplicationView {
    pub fn apply(view: Option<Self>, e: &ApplicationEvent, at: &Recorded) -> Option<Self> {
        if let ApplicationEvent::ApplicationDrafted(d) = e {
            return Some(Self {
                id: d.application,
                consortium: d.consortium.clone(),
                title: d.title.clone(),
                programme: d.programme.clone(),
                call: d.call.clone(),
                lead_applicant: d.lead_applicant,
                deadline: d.deadline,
                total_budget: d.total_budget,
                requested: d.requested,
                project_period: d.project_period,
                serves_goals: d.serves_goals.clone(),
                eu_priorities: d.eu_priorities.clone(),
                status: ApplicationStatus::Draft,
                drafted_at: d.drafted_at,
                co_applicants: vec![],
                lead_commitment: None,
                lead_terms: None,
                call_rules: d.call_rules.as_deref().cloned(),
                sides: d.sides.clone(),
                funder_decisions: vec![],
                risk_assessment: None,
                submitted_at: None,
                decided_on: None,
                granted: None,
                decision_reference: None,
                outcome_reason: None,
                project: None,
                confirmations: vec![],
            });
        }
        let mut v = view?;
        match e {
            ApplicationEvent::ApplicationDrafted(_) => {}
            ApplicationEvent::CoApplicantInvited(i) => v.co_applicants.push(CoApplicantView {
                municipality: i.municipality,
                answer: AnswerView::Pending,
                invited_at: at.recorded_at,
                asked: i.asked,
                terms: None,
            }),
            ApplicationEvent::CoFinancingCommitted(c) => {
                if c.municipality == v.lead_applicant {
                    v.lead_commitment = Some((c.amount, c.decision.clone()));
                    v.lead_terms = c.terms.clone();
                } else if let Some(x) = v.co_applicants.iter_mut().find(|x| x.municipality == c.municipality) {
                    x.terms = c.terms.clone();
                    x.answer = AnswerView::Committed {
                        amount: c.amount,
                        decision: c.decision.clone(),
                    };
                }
            }
            ApplicationEvent::CoFinancingDeclined(d) => {
                if let Some(x) = v.co_applicants.iter_mut().find(|x| x.municipality == d.municipality) {
                    x.answer = AnswerView::Declined {
                        reason: d.reason.clone(),
                    };
                }
            }
            ApplicationEvent::RiskAssessmentRecorded(r) => {
                v.risk_assessment = Some(RiskAssessmentView {
                    benefits: r.benefits.clone(),
                    risks: r.risks.clone(),
                    democracy_and_human_rights: r.democracy_and_human_rights.clone(),
                    assessed_on: r.assessed_on,
                })
            }
            ApplicationEvent::ApplicationSubmitted(s) => {
                v.status = ApplicationStatus::Submitted;
                v.submitted_at = Some(s.submitted_at);
            }
            ApplicationEvent::ApplicationApproved(a) => {
                v.status = ApplicationStatus::Approved;
                v.decided_on = Some(a.decided_on);
                v.granted = Some(a.granted);
                v.decision_reference = Some(a.decision_reference.clone());
                v.project = Some(a.project);
            }
            ApplicationEvent::ApplicationRejected(r) => {
                v.status = ApplicationStatus::Rejected;
                v.decided_on = Some(r.decided_on);
                v.outcome_reason = Some(r.reason.clone());
            }
            ApplicationEvent::ApplicationWithdrawn(w) => {
                v.status = ApplicationStatus::Withdrawn;
                v.decided_on = Some(w.withdrawn_on);
                v.outcome_reason = Some(w.reason.clone());
            }
            ApplicationEvent::FunderDecisionRecorded(f) => v.funder_decisions.push(f.decision.clone()),
            ApplicationEvent::CommitmentConfirmed(c) => v.confirmations.push(ConfirmationView {
                municipality: c.municipality,
                confirmed_on: c.confirmed_on,
                decision_reference: c.decision_reference.clone(),
            }),
        }
        Some(v)
    }

    /// Committed co-financing per municipality (lead included).
    pub fn commitments(&self) -> impl Iterator<Item = (&MunicipalityCode, &Money, &Decision)> {
        let lead = self.lead_commitment.as_ref().map(|(m, d)| (&self.lead_applicant, m, d));
        lead.into_iter()
            .chain(self.co_applicants.iter().filter_map(|c| match &c.answer {
                AnswerView::Committed { amount, decision } => Some((&c.municipality, amount, decision)),
                _ => None,
            }))
    }

    /// The day `m` confirmed its commitment, if it has.
    pub fn confirmed_on(&self, m: &MunicipalityCode) -> Option<NaiveDate> {
        self.confirmations
            .iter()
            .find(|c| c.municipality == *m)
            .map(|c| c.confirmed_on)
    }

    pub fn involves(&self, m: &MunicipalityCode) -> bool {
        &self.lead_applicant == m || self.co_applicants.iter().any(|c| &c.municipality == m)
    }

    pub fn pending_for(&self, m: &MunicipalityCode) -> bool {
        self.status == ApplicationStatus::Draft
            && self
                .co_applicants
                .iter()
                .any(|c| &c.municipality == m && c.answer == AnswerView::Pending)
    }
}

impl ValidOn for ApplicationView {
    fn on(mut self, day: NaiveDate) -> Option<Self> {
        if self.drafted_at.date_naive() > day {
            return None;
        }
        self.co_applicants.retain(|c| c.invited_at.date_naive() <= day);
        for c in &mut self.co_applicants {
            if let AnswerView::Committed { decision, .. } = &c.answer {
                if decision.date > day {
                    c.answer = AnswerView::Pending;
                }
            }
        }
        if self.lead_commitment.as_ref().is_some_and(|(_, d)| d.date > day) {
            self.lead_commitment = None;
        }
        self.funder_decisions.retain(|f| f.decided_on <= day);
        self.confirmations.retain(|c| c.confirmed_on <= day);
        if self.risk_assessment.as_ref().is_some_and(|r| r.assessed_on > day) {
            self.risk_assessment = None;
        }
        if self.decided_on.is_some_and(|d| d > day) {
            self.status = ApplicationStatus::Submitted;
            self.decided_on = None;
            self.granted = None;
            self.decision_reference = None;
            self.outcome_reason = None;
            self.project = None;
        }
        if self.submitted_at.is_some_and(|s| s.date_naive() > day) {
            self.submitted_at = None;
            if self.status == ApplicationStatus::Submitted {
                self.status = ApplicationStatus::Draft;
            }
        }
        Some(self)
    }
}
