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

/// A co-financing commitment (medfinansiering) backed by the municipality's
/// own decision, as the funder's certificate (medfinansieringsintyg, Jems
/// partner co-financing) states it. The terms (origin, form, source, partner
/// budget, cost lines, conversion) are null or empty on commitments recorded
/// without them.
#[derive(SimpleObject, Clone, Debug)]
pub struct Commitment {
    /// The committed amount, in the application's currency.
    pub amount: Money,
    /// The municipality's own decision (body, date, §, diarienummer).
    pub decision: Decision,
    /// Public or private money (offentlig eller privat medfinansiering).
    pub origin: Option<FundingOrigin>,
    /// Cash or in kind (kontant eller i form av arbetstid, lokaler …).
    pub form: Option<ContributionForm>,
    /// Where the money comes from: own budget, region, state agency, private company.
    pub source: Option<CoFinancingSource>,
    /// The partner's own budget (its eligible costs), in the application's currency.
    pub partner_budget: Option<Money>,
    /// The partner's budget by cost category.
    pub cost_lines: Vec<CostLine>,
    /// When the amount was given in another currency: the original amount
    /// and the conversion used (rate, source, date), recorded once.
    pub converted_from: Option<ConvertedAmount>,
}

impl Commitment {
    fn new(amount: &d::Money, decision: &d::Decision, terms: Option<&d::cofinancing::CoFinancingTerms>) -> Self {
        Commitment {
            amount: amount.into(),
            decision: decision.into(),
            origin: terms.map(|t| t.origin.into()),
            form: terms.map(|t| t.form.into()),
            source: terms.map(|t| t.source.into()),
            partner_budget: terms.and_then(|t| t.partner_budget.as_ref()).map(Money::from),
            cost_lines: terms.map_or_else(Vec::new, |t| t.cost_lines.iter().map(CostLine::from).collect()),
            converted_from: terms.and_then(|t| t.converted_from.as_ref()).map(ConvertedAmount::from),
        }
    }
}

output_from! {
    /// A line of a partner's budget, by cost category (e.g. `salaries`, `travel`).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct CostLine from l: &d::cofinancing::CostLine {
        pub category: String = l.category.clone(),
        pub amount: Money = (&l.amount).into(),
    }
}

output_from! {
    /// An amount given in another currency and the conversion recorded with it.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct ConvertedAmount from c: &d::cofinancing::ConvertedAmount {
        /// The amount as given, in its own currency.
        pub original: Money = (&c.original).into(),
        pub conversion: Conversion = Conversion::from(&c.conversion),
    }
}

output_from! {
    /// One funder's decision on one side of a cross-border budget (the
    /// managing authority's on the Swedish side's EU funds, the Norwegian
    /// county's on the Norwegian side's IR funds).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct FunderDecision from f: &d::cross_border::SideDecision {
        /// The side's country, e.g. `SE` or `NO`.
        pub country: crate::scalars::CountryCode = f.country.into(),
        /// The side's fund, e.g. `ERDF` or `IR`.
        pub fund: String = f.fund.clone(),
        /// Who decided.
        pub funder: String = f.funder.clone(),
        pub decided_on: Date = f.decided_on.into(),
        pub decision_reference: String = f.decision_reference.clone(),
        /// `true` when the funder granted money, `false` when it refused.
        pub granted_funds: bool = f.is_granted(),
        /// The amount granted, in the side's own currency (null when refused).
        pub granted: Option<Money> = f.granted.as_ref().map(Money::from),
        /// `granted` in the application's currency, converted once with the
        /// side's recorded conversion (only when the currencies differ).
        pub converted_granted: Option<Money> = f.converted_granted.as_ref().map(Money::from),
        /// Why the side was refused.
        pub refusal_reason: Option<String> = f.refusal_reason.clone(),
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
                Some(Commitment::new(amount, decision, c.terms.as_ref())),
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
    /// A party's confirmation of its commitment after the funder's decision
    /// (Tillväxtverket: bekräftelse av medfinansiering).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct CommitmentConfirmation from c: &v::ConfirmationView {
        pub municipality: MunicipalityCode = (&c.municipality).into(),
        /// The day it confirmed (a calendar date).
        pub confirmed_on: Date = c.confirmed_on.into(),
        /// The funder's decision it answers, e.g. Tillväxtverket's case id.
        pub decision_reference: String = c.decision_reference.clone(),
    }
}

output_from! {
    /// A joint funding application (gemensam ansökan) of a consortium.
    #[derive(SimpleObject, Clone, Debug)]
    #[graphql(complex)]
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
        pub lead_commitment: Option<Commitment> = a.lead_commitment.as_ref().map(|(m, dec)| Commitment::new(m, dec, a.lead_terms.as_ref())),
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
        /// The call answered (as frozen with the application at drafting).
        pub programme_call: Option<Call> = a.call_rules.as_ref().map(|c| Call::from(&c.call)),
        /// The rule set the application is checked against: the call's.
        pub rule_set: Option<RuleSet> = a.call_rules.as_ref().map(|c| RuleSet::from(&c.rule_set)),
        /// The budget per country side (cross-border programmes).
        pub sides: Vec<SideBudget> = a.sides.iter().map(SideBudget::from).collect(),
        /// The funders' decisions per side (cross-border applications), in
        /// the order recorded; on `validAt` only those decided by that day.
        pub funder_decisions: Vec<FunderDecision> = a.funder_decisions.iter().map(FunderDecision::from).collect(),
        /// The parties' confirmations of their commitments after the funder's
        /// decision (bekräftelse av medfinansiering), in the order recorded; on
        /// `validAt` only those confirmed by that day. The rule set's
        /// `commitments_confirmed_within` rule warns of the missing ones.
        pub confirmations: Vec<CommitmentConfirmation> = a.confirmations.iter().map(CommitmentConfirmation::from).collect(),
        #[graphql(skip)]
        pub view: Box<v::ApplicationView> = Box::new(a.clone()),
        /// The time axis of the query that answered it (`None`: now, today).
        #[graphql(skip)]
        pub when: Option<samverkan_app::projections::AsOf> = None,
    }
}

impl Application {
    /// The application as answered for `when` (the recording instant and the
    /// business day its `warnings` and `partyStatuses` are judged on).
    pub fn on(mut self, when: samverkan_app::projections::AsOf) -> Self {
        self.when = Some(when);
        self
    }

    fn when(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<samverkan_app::projections::AsOf> {
        Ok(match self.when {
            Some(w) => w,
            None => samverkan_app::projections::AsOf::now(crate::context::now(ctx)?),
        })
    }
}

#[async_graphql::ComplexObject]
impl Application {
    /// The "W" rules the application breaks (see `checkApplication`),
    /// measured on its submission day, else on the query's business day
    /// (`validAt`; else the day of `asOf`; else today by the server's clock).
    async fn warnings(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<Vec<RuleCheck>> {
        let when = self.when(ctx)?;
        let state = crate::context::state(ctx)?;
        let approved = state.projections.read().result_approved_on(&self.view, when);
        Ok(crate::shared::all(
            &samverkan_app::projections::queries::rules::check_application(&self.view, when.today, approved).warnings(),
        ))
    }

    /// Each party's status for the coordinator: committed (and whether the
    /// commitment satisfies the rules that name it), pending with its next
    /// meeting up to the deadline, or declined. Judged on the query's
    /// business day (`validAt`; else the day of `asOf`; else today), with the
    /// meeting calendars as recorded by `asOf`.
    async fn party_statuses(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<Vec<PartyStatus>> {
        let state = crate::context::state(ctx)?;
        let when = self.when(ctx)?;
        let models = state.projections.read();
        Ok(crate::shared::all(&models.party_statuses(&self.view, when)))
    }
}

output_from! {
    /// One country's side of a cross-border budget, in its own currency.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct SideBudget from s: &d::programme::SideBudget {
        pub country: String = s.country.to_string(),
        /// The fund asked from, e.g. `ERDF` or `IR`.
        pub fund: String = s.fund.clone(),
        pub total: Money = (&s.total).into(),
        pub requested: Money = (&s.requested).into(),
        /// The conversion used when the side's currency is not the application's.
        pub conversion: Option<Conversion> = s.conversion.as_ref().map(Conversion::from),
        /// `total` in the application's currency (computed once, at drafting).
        pub converted_total: Option<Money> = s.converted_total.as_ref().map(Money::from),
        pub converted_requested: Option<Money> = s.converted_requested.as_ref().map(Money::from),
    }
}

output_from! {
    /// A currency conversion as recorded (never recomputed).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Conversion from c: &d::programme::Conversion {
        pub rate: String = c.rate.clone(),
        pub source: String = c.source.clone(),
        pub date: Date = c.date.into(),
    }
}

/// Public or private money.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::cofinancing::FundingOrigin")]
pub enum FundingOrigin {
    Public,
    Private,
}

/// Cash or in kind.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::cofinancing::ContributionForm")]
pub enum ContributionForm {
    Cash,
    InKind,
}

/// Where the co-financing comes from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::cofinancing::CoFinancingSource")]
pub enum CoFinancingSource {
    OwnBudget,
    Region,
    StateAgency,
    PrivateCompany,
}
