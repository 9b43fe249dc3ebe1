//! A joint funding application, its co-applicants and their answers.

use async_graphql::{Enum, SimpleObject};
use samverkan_app::projections::views as v;
use samverkan_domain as d;
use uuid::Uuid;

use crate::scalars::{ConsortiumCode, Date, DateTime, MunicipalityCode};
use crate::shared::output_from;
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

impl Commitment {
    fn new(amount: &d::Money, decision: &d::Decision) -> Self {
        Commitment {
            amount: amount.into(),
            decision: decision.into(),
        }
    }
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

impl From<&v::CoApplicantView> for CoApplicant {
    fn from(c: &v::CoApplicantView) -> Self {
        let (answer, commitment, decline_reason) = match &c.answer {
            v::AnswerView::Pending => (CoFinancingAnswer::Pending, None, None),
            v::AnswerView::Committed { amount, decision } => (
                CoFinancingAnswer::Committed,
                Some(Commitment::new(amount, decision)),
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
    }
}

output_from! {
    /// The benefit-and-risk assessment (nytto- och riskanalys).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct RiskAssessment from r: &v::RiskAssessmentView {
        pub benefits: String = r.benefits.clone(),
        pub risks: String = r.risks.clone(),
        /// Democracy and human-rights aspects of the partners.
        pub democracy_and_human_rights: String = r.democracy_and_human_rights.clone(),
        pub assessed_on: Date = r.assessed_on.into(),
    }
}

output_from! {
    /// A joint funding application (gemensam ansökan) of a consortium.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Application from a: &v::ApplicationView {
        pub id: Uuid = a.id.0,
        pub consortium: ConsortiumCode = (&a.consortium).into(),
        pub title: String = a.title.clone(),
        pub programme: Programme = (&a.programme).into(),
        /// The programme call (utlysning).
        pub call: String = a.call.clone(),
        pub lead_applicant: MunicipalityCode = (&a.lead_applicant).into(),
        pub deadline: DateTime = a.deadline.into(),
        pub total_budget: Money = (&a.total_budget).into(),
        /// Amount requested from the programme.
        pub requested: Money = (&a.requested).into(),
        pub project_period: Period = (&a.project_period).into(),
        pub serves_goals: Vec<GoalRef> = a.serves_goals.iter().map(GoalRef::from).collect(),
        pub eu_priorities: Vec<EuPriority> = a.eu_priorities.iter().map(|e| (*e).into()).collect(),
        pub status: ApplicationStatus = a.status.into(),
        pub drafted_at: DateTime = a.drafted_at.into(),
        pub co_applicants: Vec<CoApplicant> = a.co_applicants.iter().map(CoApplicant::from).collect(),
        /// The lead applicant's own co-financing.
        pub lead_commitment: Option<Commitment> = a.lead_commitment.as_ref().map(|(m, dec)| Commitment::new(m, dec)),
        pub risk_assessment: Option<RiskAssessment> = a.risk_assessment.as_ref().map(RiskAssessment::from),
        pub submitted_at: Option<DateTime> = a.submitted_at.map(DateTime),
        /// Approval, rejection or withdrawal date.
        pub decided_on: Option<Date> = a.decided_on.map(Date),
        pub granted: Option<Money> = a.granted.as_ref().map(Money::from),
        /// The funder's decision reference.
        pub decision_reference: Option<String> = a.decision_reference.clone(),
        /// Why it was rejected or withdrawn.
        pub outcome_reason: Option<String> = a.outcome_reason.clone(),
        /// The project an approval became.
        pub project_id: Option<Uuid> = a.project.map(|p| p.0),
        /// Committed co-financing (lead and co-applicants), per currency.
        pub committed_co_financing: Vec<Money> = {
            let mut committed = v::Amounts::new();
            for (_, m, _) in a.commitments() {
                v::add(&mut committed, m);
            }
            amounts(&committed)
        },
    }
}
