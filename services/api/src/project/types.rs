//! A project, its participants, financing and milestones.

use async_graphql::{ComplexObject, Enum, SimpleObject};
use samverkan_app::projections::views as v;
use samverkan_domain as d;
use uuid::Uuid;

use crate::scalars::{ConsortiumCode, CountryCode, Date, DateTime, GoalId, MilestoneId, MunicipalityCode};
use crate::shared::output_from;
use crate::types::*;
use samverkan_domain::project::Participant as DomainParticipant;

/// A municipality's role in a project.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ProjectRole {
    Lead,
    Partner,
}

impl ProjectRole {
    pub(crate) fn from_label(label: &str) -> Self {
        if label == "lead" {
            ProjectRole::Lead
        } else {
            ProjectRole::Partner
        }
    }
}

/// Kind of project participant.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ParticipantKind {
    /// A municipality registered in Samverkan.
    Municipality,
    /// An organisation outside Samverkan.
    External,
}

/// A project participant: a registered municipality or an external organisation.
#[derive(SimpleObject, Clone, Debug)]
pub struct Participant {
    pub kind: ParticipantKind,
    /// Set for municipalities.
    pub municipality: Option<MunicipalityCode>,
    /// Set for external organisations, e.g. `Chobe District Council`.
    pub name: Option<String>,
    pub country: CountryCode,
    /// The key that identifies the participant in `removePartner`.
    pub key: String,
}

impl From<&DomainParticipant> for Participant {
    fn from(p: &DomainParticipant) -> Self {
        match p {
            DomainParticipant::Municipality { code } => Participant {
                kind: ParticipantKind::Municipality,
                municipality: Some(code.into()),
                name: None,
                country: code.country().into(),
                key: p.key(),
            },
            DomainParticipant::External { name, country } => Participant {
                kind: ParticipantKind::External,
                municipality: None,
                name: Some(name.clone()),
                country: (*country).into(),
                key: p.key(),
            },
        }
    }
}

output_from! {
    /// A partner of a project.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Partner from x: &v::PartnerView {
        pub participant: Participant = (&x.participant).into(),
        /// Set for partners added after registration.
        pub joined_on: Option<Date> = x.joined_on.map(Date),
        pub left_on: Option<Date> = x.left_on.map(Date),
    }
}

output_from! {
    /// Budget, grant and co-financing (medfinansiering), in one currency.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Financing from f: &d::project::Financing {
        pub budget: Money = (&f.budget).into(),
        /// External funding granted by the programme.
        pub grant: Money = (&f.grant).into(),
        /// Co-financing by the partners.
        pub co_financing: Money = (&f.co_financing).into(),
    }
}

output_from! {
    /// One side of a cross-border project: its budget in its own currency and its funder's decision.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct ProjectSide from s: &d::cross_border::ProjectSide {
        pub budget: SideBudget = SideBudget::from(&s.budget),
        pub decision: FunderDecision = FunderDecision::from(&s.decision),
    }
}

output_from! {
    /// A reference to a goal of a strategy document.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct GoalRef from g: &d::project::GoalRef {
        pub strategy_id: Uuid = g.strategy.0,
        pub goal_id: GoalId = (&g.goal).into(),
    }
}

output_from! {
    /// A project milestone.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Milestone from m: &v::MilestoneView {
        pub id: MilestoneId = (&m.id).into(),
        pub title: String = m.title.clone(),
        pub due: Date = m.due.into(),
        /// The due date when first planned.
        pub original_due: Date = m.original_due.into(),
        pub status: MilestoneStatus = m.status.into(),
        pub achieved_on: Option<Date> = m.achieved_on.map(Date),
        /// The (UTC) days on which it was rescheduled.
        pub rescheduled_on: Vec<Date> = m.rescheduled_at.iter().copied().map(Date).collect(),
        pub cancelled_on: Option<Date> = m.cancelled_at.map(Date),
    }
}

output_from! {
    /// An international project.
    #[derive(SimpleObject, Clone, Debug)]
    #[graphql(complex)]
    pub struct Project from p: &v::ProjectView {
        pub id: Uuid = p.id.0,
        pub title: String = p.title.clone(),
        pub lead: Participant = (&p.lead).into(),
        pub partners: Vec<Partner> = p.partners.iter().map(Partner::from).collect(),
        pub programme: Programme = (&p.programme).into(),
        pub financing: Financing = (&p.financing).into(),
        pub period: Period = (&p.period).into(),
        /// The strategy goals the project serves.
        pub serves_goals: Vec<GoalRef> = p.serves_goals.iter().map(GoalRef::from).collect(),
        pub eu_priorities: Vec<EuPriority> = p.eu_priorities.iter().map(|e| (*e).into()).collect(),
        pub status: ProjectStatus = p.status.into(),
        /// Completion or cancellation date.
        pub closed_on: Option<Date> = p.closed_on.map(Date),
        pub milestones: Vec<Milestone> = p.milestones.iter().map(Milestone::from).collect(),
        /// The joint application it came from.
        pub from_application: Option<Uuid> = p.from_application.map(|a| a.0),
        pub consortium: Option<ConsortiumCode> = p.consortium.as_ref().map(ConsortiumCode::from),
        pub registered_at: DateTime = p.registered_at.into(),
        /// A cross-border project's budget sides (one per country, each in
        /// its own currency) with each side's funder decision; empty for a
        /// project with one budget. `financing` holds the totals in the
        /// application's currency (the sides' stored conversions).
        pub sides: Vec<ProjectSide> = p.sides.iter().map(ProjectSide::from).collect(),
        #[graphql(skip)]
        pub view: v::ProjectView = p.clone(),
    }
}

output_from! {
    /// A project's grant paid all or nothing when the funder approves the
    /// result (rule `lump_sum_paid_on_result`: Erasmus+ KA220/KA210, Interreg
    /// Aurora small projects).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct PaymentAtRisk from r: &samverkan_app::projections::queries::payment::PaymentAtRisk {
        /// The granted lump sum (the project's grant).
        pub amount: Money = (&r.amount).into(),
        /// The rule's stable name, `lump_sum_paid_on_result`.
        pub rule: String = r.rule.to_string(),
        pub label: String = r.label.clone(),
        /// Where the rule comes from (the programme guide), as text.
        pub source: String = r.source.clone(),
    }
}

#[ComplexObject]
impl Project {
    /// The granted lump sum at risk until the funder approves the project's
    /// result (`approveProjectResult`), when the rule set its application was
    /// judged by (frozen at drafting) has `lump_sum_paid_on_result`; null once
    /// the result is approved, for a cancelled project, or when the rule does
    /// not apply (a project registered directly has no rule set). Judged on
    /// the project as this query answers it (its `asOf` / `validAt`).
    async fn payment_at_risk(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<Option<PaymentAtRisk>> {
        let state = crate::context::state(ctx)?;
        let when = samverkan_app::projections::AsOf::now(crate::context::now(ctx)?);
        let models = state.projections.read();
        Ok(models
            .payment_at_risk(&self.view, when)
            .as_ref()
            .map(PaymentAtRisk::from))
    }

    /// Contact persons (kontaktpersoner), oldest first; with
    /// `includeReplaced` also those a later contact for the same
    /// municipality and role replaced. Name, e-mail and phone are personal
    /// data, null once erased.
    async fn contacts(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(default)] include_replaced: bool,
    ) -> async_graphql::Result<Vec<super::personal::ContactPerson>> {
        let state = crate::context::state(ctx)?;
        Ok(super::personal::contacts(state.keyring.as_ref(), &self.view, include_replaced).await?)
    }

    /// The erasures of personal data in the project (gallringsbeslut), oldest first.
    async fn erasures(&self) -> Vec<super::personal::Erasure> {
        self.view.erasures.iter().map(super::personal::Erasure::from).collect()
    }

    /// How long the project's records are kept: the `records_retained` rule
    /// of the rule set its application was drafted under; null without one
    /// (a project registered directly: its records are kept). Time axis: the
    /// read models now; `retainedUntil` counts from the closing date.
    async fn retention(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<Option<super::personal::Retention>> {
        let state = crate::context::state(ctx)?;
        let models = state.projections.read();
        Ok(models
            .retention(&self.view)
            .as_ref()
            .map(super::personal::Retention::from))
    }

    /// The municipality's role: `LEAD`, `PARTNER` (current partners only) or null.
    async fn role_of(&self, municipality: MunicipalityCode) -> Option<ProjectRole> {
        self.view.role_of(&municipality.0).map(ProjectRole::from_label)
    }
}
