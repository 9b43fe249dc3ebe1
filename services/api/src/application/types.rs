//! A joint funding application, its co-applicants and their answers.

use async_graphql::{Enum, SimpleObject};
use samverkan_app::projections::views as v;
use uuid::Uuid;

use crate::scalars::{ConsortiumCode, Date, DateTime, MunicipalityCode};
use crate::types::*;

/// A co-applicant's answer to a joint application.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CoFinancingAnswer {
    /// Invited, not yet answered.
    Pending,
    Committed,
    Declined,
}

/// A co-financing commitment (medfinansieringsintyg) backed by a decision.
#[derive(SimpleObject, Clone, Debug)]
pub struct Commitment {
    pub amount: Money,
    pub decision: Decision,
}

/// An invited co-applicant and its answer.
#[derive(SimpleObject, Clone, Debug)]
pub struct CoApplicant {
    pub municipality: MunicipalityCode,
    pub answer: CoFinancingAnswer,
    /// Set when committed.
    pub commitment: Option<Commitment>,
    /// Set when declined.
    pub decline_reason: Option<String>,
    pub invited_at: DateTime,
}

/// The benefit-and-risk assessment (nytto- och riskanalys).
#[derive(SimpleObject, Clone, Debug)]
pub struct RiskAssessment {
    pub benefits: String,
    pub risks: String,
    /// Democracy and human-rights aspects of the partners.
    pub democracy_and_human_rights: String,
    pub assessed_on: Date,
}

/// A joint funding application (gemensam ansökan) of a consortium.
#[derive(SimpleObject, Clone, Debug)]
pub struct Application {
    pub id: Uuid,
    pub consortium: ConsortiumCode,
    pub title: String,
    pub programme: Programme,
    /// The programme call (utlysning).
    pub call: String,
    pub lead_applicant: MunicipalityCode,
    pub deadline: DateTime,
    pub total_budget: Money,
    /// Amount requested from the programme.
    pub requested: Money,
    pub project_period: Period,
    pub serves_goals: Vec<GoalRef>,
    pub eu_priorities: Vec<EuPriority>,
    pub status: ApplicationStatus,
    pub drafted_at: DateTime,
    pub co_applicants: Vec<CoApplicant>,
    /// The lead applicant's own co-financing.
    pub lead_commitment: Option<Commitment>,
    pub risk_assessment: Option<RiskAssessment>,
    pub submitted_at: Option<DateTime>,
    /// Approval, rejection or withdrawal date.
    pub decided_on: Option<Date>,
    pub granted: Option<Money>,
    /// The funder's decision reference.
    pub decision_reference: Option<String>,
    /// Why it was rejected or withdrawn.
    pub outcome_reason: Option<String>,
    /// The project an approval became.
    pub project_id: Option<Uuid>,
    /// Committed co-financing (lead and co-applicants), per currency.
    pub committed_co_financing: Vec<Money>,
}

impl From<&v::ApplicationView> for Application {
    fn from(a: &v::ApplicationView) -> Self {
        let mut committed = v::Amounts::new();
        for (_, m, _) in a.commitments() {
            v::add(&mut committed, m);
        }
        Application {
            id: a.id.0,
            consortium: (&a.consortium).into(),
            title: a.title.clone(),
            programme: (&a.programme).into(),
            call: a.call.clone(),
            lead_applicant: (&a.lead_applicant).into(),
            deadline: a.deadline.into(),
            total_budget: (&a.total_budget).into(),
            requested: (&a.requested).into(),
            project_period: (&a.project_period).into(),
            serves_goals: a.serves_goals.iter().map(GoalRef::from).collect(),
            eu_priorities: a.eu_priorities.iter().map(|e| (*e).into()).collect(),
            status: a.status.into(),
            drafted_at: a.drafted_at.into(),
            co_applicants: a
                .co_applicants
                .iter()
                .map(|c| {
                    let (answer, commitment, decline_reason) = match &c.answer {
                        v::AnswerView::Pending => (CoFinancingAnswer::Pending, None, None),
                        v::AnswerView::Committed { amount, decision } => (
                            CoFinancingAnswer::Committed,
                            Some(Commitment {
                                amount: amount.into(),
                                decision: decision.into(),
                            }),
                            None,
                        ),
                        v::AnswerView::Declined { reason } => (CoFinancingAnswer::Declined, None, Some(reason.clone())),
                    };
                    CoApplicant {
                        municipality: (&c.municipality).into(),
                        answer,
                        commitment,
                        decline_reason,
                        invited_at: c.invited_at.into(),
                    }
                })
                .collect(),
            lead_commitment: a.lead_commitment.as_ref().map(|(m, dec)| Commitment {
                amount: m.into(),
                decision: dec.into(),
            }),
            risk_assessment: a.risk_assessment.as_ref().map(|r| RiskAssessment {
                benefits: r.benefits.clone(),
                risks: r.risks.clone(),
                democracy_and_human_rights: r.democracy_and_human_rights.clone(),
                assessed_on: r.assessed_on.into(),
            }),
            submitted_at: a.submitted_at.map(DateTime),
            decided_on: a.decided_on.map(Date),
            granted: a.granted.as_ref().map(Money::from),
            decision_reference: a.decision_reference.clone(),
            outcome_reason: a.outcome_reason.clone(),
            project_id: a.project.map(|p| p.0),
            committed_co_financing: amounts(&committed),
        }
    }
}
