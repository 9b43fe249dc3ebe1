//! GraphQL output types: enums mirroring the domain's, and objects made from
//! the read models' views (converted eagerly; the views are small).

use async_graphql::{ComplexObject, Enum, SimpleObject};
use samverkan_app::projections::queries as q;
use samverkan_app::projections::views as v;
use samverkan_app::projections::TimelineEntry as TimelineEntryView;
use samverkan_domain as d;
use samverkan_domain::consortium::Coordinator as DomainCoordinator;
use samverkan_domain::project::Participant as DomainParticipant;
use uuid::Uuid;

use crate::scalars::{
    ConsortiumCode, CountryCode, Date, DateTime, GoalId, MilestoneId, MinorUnits, MunicipalityCode, Position,
};

// ---------------------------------------------------------------- enums

/// ISO 4217 currencies the consortia work in.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::Currency")]
pub enum Currency {
    /// Swedish krona (minor unit: öre).
    SEK,
    /// Norwegian krone (minor unit: øre).
    NOK,
    /// Euro (minor unit: cent).
    EUR,
    /// Danish krone (minor unit: øre).
    DKK,
}

/// Kind of funding programme.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::ProgrammeKind")]
pub enum ProgrammeKind {
    /// Interreg (Sverige–Norge, Aurora, Europe, Öresund–Kattegat–Skagerrak, …).
    Interreg,
    /// Erasmus+.
    ErasmusPlus,
    /// European Social Fund Plus.
    EsfPlus,
    /// European Regional Development Fund.
    Erdf,
    /// ICLD municipal partnerships (Sida-funded).
    Icld,
    /// Nordic Council of Ministers.
    NordicCouncil,
    /// The members' own funds only.
    OwnFunds,
    Other,
}

/// The body that took a decision.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::DecisionBody")]
pub enum DecisionBody {
    /// Kommunfullmäktige / kommunestyret: the municipal council.
    Council,
    /// Kommunstyrelsen / formannskapet: the executive board.
    ExecutiveBoard,
    /// A committee (nämnd / utvalg) under delegation.
    Committee,
    /// An official under delegation (delegationsbeslut).
    Official,
    /// The board of a consortium or a funder.
    Board,
}

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

/// Kind of strategy document (styrdokument).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::strategy::DocumentKind")]
pub enum DocumentKind {
    Strategy,
    Policy,
    Plan,
    Programme,
}

/// How often a strategy document is followed up (uppföljning).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::strategy::FollowUpCadence")]
pub enum FollowUpCadence {
    /// Every year, reported to the executive board.
    Yearly,
    /// Once per term of office (mandatperiod).
    OncePerTerm,
    /// Yearly and once per term of office.
    YearlyAndOncePerTerm,
}

/// EU priority tags (2021–2027 policy objectives).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::project::EuPriority")]
pub enum EuPriority {
    Inclusive,
    Digital,
    Green,
}

/// Life-cycle status of a strategy document.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_app::projections::views::StrategyStatusView")]
pub enum StrategyStatus {
    Draft,
    Adopted,
    Superseded,
    Repealed,
}

/// Status of a project.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_app::projections::views::ProjectStatusView")]
pub enum ProjectStatus {
    Active,
    Completed,
    Cancelled,
}

/// Status of a milestone.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_app::projections::views::MilestoneStatusView")]
pub enum MilestoneStatus {
    Planned,
    Achieved,
    Cancelled,
}

/// Status of a joint application.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_app::projections::views::ApplicationStatusView")]
pub enum ApplicationStatus {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Withdrawn,
}

/// A municipality's role in a project.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ProjectRole {
    Lead,
    Partner,
}

impl ProjectRole {
    fn from_label(label: &str) -> Self {
        if label == "lead" {
            ProjectRole::Lead
        } else {
            ProjectRole::Partner
        }
    }
}

/// Who coordinates a consortium.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CoordinatorKind {
    /// A member municipality coordinates.
    Member,
    /// A joint office or secretariat coordinates.
    Office,
}

/// Kind of project participant.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ParticipantKind {
    /// A municipality registered in Samverkan.
    Municipality,
    /// An organisation outside Samverkan.
    External,
}

/// A co-applicant's answer to a joint application.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CoFinancingAnswer {
    /// Invited, not yet answered.
    Pending,
    Committed,
    Declined,
}

// ---------------------------------------------------------------- values

/// An amount of money: integer minor units and a currency. Never a float.
#[derive(SimpleObject, Clone, Debug)]
pub struct Money {
    /// Amount in minor units (1 SEK = 100 öre).
    pub amount_minor: MinorUnits,
    pub currency: Currency,
    /// Human-readable, e.g. `1500.50 SEK`.
    pub formatted: String,
}

impl From<&d::Money> for Money {
    fn from(m: &d::Money) -> Self {
        Money {
            amount_minor: MinorUnits(i128::from(m.amount_minor)),
            currency: m.currency.into(),
            formatted: m.to_string(),
        }
    }
}

/// A total of one currency (128-bit, never wrapped).
pub(crate) fn money(total_minor: i128, currency: d::Currency) -> Money {
    Money {
        amount_minor: MinorUnits(total_minor),
        currency: currency.into(),
        formatted: d::format_total(total_minor, currency),
    }
}

pub(crate) fn amounts(a: &v::Amounts) -> Vec<Money> {
    a.iter().map(|(c, m)| money(*m, *c)).collect()
}

/// A formal decision: body, date, paragraph and case number (diarienummer).
#[derive(SimpleObject, Clone, Debug)]
pub struct Decision {
    pub body: DecisionBody,
    pub date: Date,
    /// Paragraph in the minutes, e.g. `§ 12`.
    pub paragraph: Option<String>,
    /// Case number (diarienummer), e.g. `KS 2023/993`.
    pub case_number: Option<String>,
}

impl From<&d::Decision> for Decision {
    fn from(x: &d::Decision) -> Self {
        Decision {
            body: x.body.into(),
            date: x.date.into(),
            paragraph: x.paragraph.clone(),
            case_number: x.case_number.clone(),
        }
    }
}

/// A span of dates; `end: null` means until further notice (tills vidare).
#[derive(SimpleObject, Clone, Debug)]
pub struct Period {
    pub start: Date,
    pub end: Option<Date>,
}

impl From<&d::Period> for Period {
    fn from(p: &d::Period) -> Self {
        Period {
            start: p.start.into(),
            end: p.end.map(Date),
        }
    }
}

/// A funding programme, e.g. Interreg / `Interreg Sverige–Norge 2021–2027`.
#[derive(SimpleObject, Clone, Debug)]
pub struct Programme {
    pub kind: ProgrammeKind,
    pub name: String,
}

impl From<&d::Programme> for Programme {
    fn from(p: &d::Programme) -> Self {
        Programme {
            kind: p.kind.into(),
            name: p.name.clone(),
        }
    }
}

// ---------------------------------------------------------------- municipality

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

/// One code of a municipality and its validity.
#[derive(SimpleObject, Clone, Debug)]
pub struct CodePeriod {
    pub code: MunicipalityCode,
    /// First day of the code (unknown for a first code registered without it).
    pub valid_from: Option<Date>,
    /// Last day of the code (inclusive); null while it is current.
    pub valid_until: Option<Date>,
}

impl From<&v::CodePeriodView> for CodePeriod {
    fn from(p: &v::CodePeriodView) -> Self {
        CodePeriod {
            code: (&p.code).into(),
            valid_from: p.valid_from.map(Date),
            valid_until: p.valid_until.map(Date),
        }
    }
}

/// The other party of a twin-town agreement.
#[derive(SimpleObject, Clone, Debug)]
pub struct TwinTownPartner {
    pub name: String,
    pub country: CountryCode,
    /// Its municipality code when it is registered here.
    pub code: Option<MunicipalityCode>,
    /// The key that identifies the partner in `endTwinTownAgreement`.
    pub key: String,
}

/// A twin-town agreement (vänortsavtal).
#[derive(SimpleObject, Clone, Debug)]
pub struct TwinTown {
    pub partner: TwinTownPartner,
    pub since: Date,
    pub decision: Decision,
    pub ended_on: Option<Date>,
}

impl From<&v::TwinTownView> for TwinTown {
    fn from(t: &v::TwinTownView) -> Self {
        TwinTown {
            partner: TwinTownPartner {
                name: t.partner.name.clone(),
                country: t.partner.country.into(),
                code: t.partner.code.as_ref().map(MunicipalityCode::from),
                key: t.partner.key(),
            },
            since: t.since.into(),
            decision: (&t.decision).into(),
            ended_on: t.ended_on.map(Date),
        }
    }
}

// ---------------------------------------------------------------- consortium

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

// ---------------------------------------------------------------- strategy

/// A goal of a strategy document.
#[derive(SimpleObject, Clone, Debug)]
pub struct Goal {
    pub id: GoalId,
    pub title: String,
    /// The focus area (fokusområde) the goal belongs to.
    pub focus_area: Option<String>,
    pub activities: Vec<String>,
}

impl From<&d::strategy::Goal> for Goal {
    fn from(g: &d::strategy::Goal) -> Self {
        Goal {
            id: (&g.id).into(),
            title: g.title.clone(),
            focus_area: g.focus_area.clone(),
            activities: g.activities.clone(),
        }
    }
}

/// A reported follow-up (uppföljning).
#[derive(SimpleObject, Clone, Debug)]
pub struct FollowUp {
    pub period: Period,
    pub reported_on: Date,
    /// The body it was reported to (återrapporteras till).
    pub reported_to: DecisionBody,
    pub summary: String,
}

/// A strategy document (styrdokument): strategy, policy, plan or programme.
#[derive(SimpleObject, Clone, Debug)]
pub struct Strategy {
    pub id: Uuid,
    pub municipality: MunicipalityCode,
    pub title: String,
    pub kind: DocumentKind,
    /// Owning body (ägare), e.g. `Kommunstyrelsen`.
    pub owner: String,
    /// Responsible role (ansvarig).
    pub responsible_role: String,
    pub follow_up_cadence: FollowUpCadence,
    pub focus_areas: Vec<String>,
    pub goals: Vec<Goal>,
    pub topics: Vec<String>,
    pub status: StrategyStatus,
    /// The adoption decision (antagen).
    pub adopted: Option<Decision>,
    /// Valid from / until (`end: null`: until further notice).
    pub validity: Option<Period>,
    /// Revision decisions, oldest first.
    pub revisions: Vec<Decision>,
    pub superseded_by: Option<Uuid>,
    /// When it stopped being in force (superseded or repealed).
    pub ended_on: Option<Date>,
    pub follow_ups: Vec<FollowUp>,
}

impl From<&v::StrategyView> for Strategy {
    fn from(s: &v::StrategyView) -> Self {
        Strategy {
            id: s.id.0,
            municipality: (&s.municipality).into(),
            title: s.title.clone(),
            kind: s.kind.into(),
            owner: s.owner.clone(),
            responsible_role: s.responsible_role.clone(),
            follow_up_cadence: s.follow_up.into(),
            focus_areas: s.content.focus_areas.clone(),
            goals: s.content.goals.iter().map(Goal::from).collect(),
            topics: s.content.topics.clone(),
            status: s.status.into(),
            adopted: s.adopted.as_ref().map(Decision::from),
            validity: s.validity.as_ref().map(Period::from),
            revisions: s.revisions.iter().map(|r| Decision::from(&r.decision)).collect(),
            superseded_by: s.superseded_by.map(|x| x.0),
            ended_on: s.ended_on.map(Date),
            follow_ups: s
                .follow_ups
                .iter()
                .map(|f| FollowUp {
                    period: (&f.period).into(),
                    reported_on: f.reported_on.into(),
                    reported_to: f.reported_to.into(),
                    summary: f.summary.clone(),
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------- project

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

/// A partner of a project.
#[derive(SimpleObject, Clone, Debug)]
pub struct Partner {
    pub participant: Participant,
    /// Set for partners added after registration.
    pub joined_on: Option<Date>,
    pub left_on: Option<Date>,
}

/// Budget, grant and co-financing (medfinansiering), in one currency.
#[derive(SimpleObject, Clone, Debug)]
pub struct Financing {
    pub budget: Money,
    /// External funding granted by the programme.
    pub grant: Money,
    /// Co-financing by the partners.
    pub co_financing: Money,
}

impl From<&d::project::Financing> for Financing {
    fn from(f: &d::project::Financing) -> Self {
        Financing {
            budget: (&f.budget).into(),
            grant: (&f.grant).into(),
            co_financing: (&f.co_financing).into(),
        }
    }
}

/// A reference to a goal of a strategy document.
#[derive(SimpleObject, Clone, Debug)]
pub struct GoalRef {
    pub strategy_id: Uuid,
    pub goal_id: GoalId,
}

impl From<&d::project::GoalRef> for GoalRef {
    fn from(g: &d::project::GoalRef) -> Self {
        GoalRef {
            strategy_id: g.strategy.0,
            goal_id: (&g.goal).into(),
        }
    }
}

/// A project milestone.
#[derive(SimpleObject, Clone, Debug)]
pub struct Milestone {
    pub id: MilestoneId,
    pub title: String,
    pub due: Date,
    /// The due date when first planned.
    pub original_due: Date,
    pub status: MilestoneStatus,
    pub achieved_on: Option<Date>,
    /// The (UTC) days on which it was rescheduled.
    pub rescheduled_on: Vec<Date>,
    pub cancelled_on: Option<Date>,
}

impl From<&v::MilestoneView> for Milestone {
    fn from(m: &v::MilestoneView) -> Self {
        Milestone {
            id: (&m.id).into(),
            title: m.title.clone(),
            due: m.due.into(),
            original_due: m.original_due.into(),
            status: m.status.into(),
            achieved_on: m.achieved_on.map(Date),
            rescheduled_on: m.rescheduled_at.iter().copied().map(Date).collect(),
            cancelled_on: m.cancelled_at.map(Date),
        }
    }
}

/// An international project.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Project {
    pub id: Uuid,
    pub title: String,
    pub lead: Participant,
    pub partners: Vec<Partner>,
    pub programme: Programme,
    pub financing: Financing,
    pub period: Period,
    /// The strategy goals the project serves.
    pub serves_goals: Vec<GoalRef>,
    pub eu_priorities: Vec<EuPriority>,
    pub status: ProjectStatus,
    /// Completion or cancellation date.
    pub closed_on: Option<Date>,
    pub milestones: Vec<Milestone>,
    /// The joint application it came from.
    pub from_application: Option<Uuid>,
    pub consortium: Option<ConsortiumCode>,
    pub registered_at: DateTime,
    #[graphql(skip)]
    pub view: v::ProjectView,
}

#[ComplexObject]
impl Project {
    /// The municipality's role: `LEAD`, `PARTNER` (current partners only) or null.
    async fn role_of(&self, municipality: MunicipalityCode) -> Option<ProjectRole> {
        self.view.role_of(&municipality.0).map(ProjectRole::from_label)
    }
}

impl From<&v::ProjectView> for Project {
    fn from(p: &v::ProjectView) -> Self {
        Project {
            id: p.id.0,
            title: p.title.clone(),
            lead: (&p.lead).into(),
            partners: p
                .partners
                .iter()
                .map(|x| Partner {
                    participant: (&x.participant).into(),
                    joined_on: x.joined_on.map(Date),
                    left_on: x.left_on.map(Date),
                })
                .collect(),
            programme: (&p.programme).into(),
            financing: (&p.financing).into(),
            period: (&p.period).into(),
            serves_goals: p.serves_goals.iter().map(GoalRef::from).collect(),
            eu_priorities: p.eu_priorities.iter().map(|e| (*e).into()).collect(),
            status: p.status.into(),
            closed_on: p.closed_on.map(Date),
            milestones: p.milestones.iter().map(Milestone::from).collect(),
            from_application: p.from_application.map(|a| a.0),
            consortium: p.consortium.as_ref().map(ConsortiumCode::from),
            registered_at: p.registered_at.into(),
            view: p.clone(),
        }
    }
}

// ---------------------------------------------------------------- application

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

// ---------------------------------------------------------------- timeline

/// One event in the history of a municipality or consortium.
#[derive(SimpleObject, Clone, Debug)]
pub struct TimelineEntry {
    /// Global log position (the cursor of the timeline).
    pub position: Position,
    pub recorded_at: DateTime,
    /// The stream (`<aggregate>-<id>`) the event belongs to.
    pub stream: String,
    /// Event type, e.g. `StrategyAdopted`.
    pub event_type: String,
    /// Who caused it (the authenticated subject).
    pub actor: Option<String>,
    /// The role the actor acted in, e.g. `coordinator:V6`.
    pub actor_role: Option<String>,
    /// A short human line.
    pub summary: String,
    /// Subjects the event concerns, e.g. `municipality:SE-1487`, `consortium:V6`.
    pub subjects: Vec<String>,
}

impl From<&TimelineEntryView> for TimelineEntry {
    fn from(e: &TimelineEntryView) -> Self {
        TimelineEntry {
            position: Position(e.position),
            recorded_at: e.recorded_at.into(),
            stream: e.stream.clone(),
            event_type: e.event_type.clone(),
            actor: e.actor.clone(),
            actor_role: e.actor_role.clone(),
            summary: e.summary.clone(),
            subjects: e.subjects.clone(),
        }
    }
}

// ---------------------------------------------------------------- dashboard

/// A strategy document in force, with its follow-up status.
#[derive(SimpleObject, Clone, Debug)]
pub struct StrategyLine {
    pub strategy: Strategy,
    pub valid_until: Option<Date>,
    /// The council term of office the strategy is in force in on the day asked about.
    pub term: TermOfOffice,
    /// The term the next follow-up is owed for (a missed past term stays owed).
    pub follow_up_term: Option<TermOfOffice>,
    /// When the next follow-up is due.
    pub next_follow_up_due: Option<Date>,
    pub follow_up_overdue: bool,
}

/// The body a term of office belongs to.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum TermBody {
    /// Kommunfullmäktige (SE), kommunestyre (NO).
    Council,
    /// Kommunstyrelsen (SE).
    ExecutiveBoard,
}

/// A term of office from the term table (real dates per country and body).
#[derive(SimpleObject, Clone, Debug)]
pub struct TermOfOffice {
    pub country: String,
    pub body: TermBody,
    pub start: Date,
    /// Last day of the term (inclusive).
    pub end: Date,
    /// Where the dates come from.
    pub source: String,
}

impl From<&samverkan_app::projections::terms::Term> for TermOfOffice {
    fn from(t: &samverkan_app::projections::terms::Term) -> Self {
        use samverkan_app::projections::terms::TermBody as B;
        TermOfOffice {
            country: t.country.to_string(),
            body: match t.body {
                B::Council => TermBody::Council,
                B::ExecutiveBoard => TermBody::ExecutiveBoard,
            },
            start: t.start.into(),
            end: t.end.into(),
            source: t.source.to_string(),
        }
    }
}

/// A strategy referenced from a handover.
#[derive(SimpleObject, Clone, Debug)]
pub struct StrategyRef {
    pub id: Uuid,
    pub title: String,
}

/// A co-financing commitment a new council inherits.
#[derive(SimpleObject, Clone, Debug)]
pub struct InheritedCommitment {
    pub application_id: Uuid,
    pub title: String,
    pub amount: Money,
    pub decided_on: Date,
}

/// What the new council inherits at a change of term of office.
#[derive(SimpleObject, Clone, Debug)]
pub struct Handover {
    /// The new term; its first day is the day of the change.
    pub term: TermOfOffice,
    /// Strategies in force on the first day of the new term.
    pub strategies_in_force: Vec<StrategyRef>,
    /// This municipality's co-financing commitments decided before that day.
    pub commitments: Vec<InheritedCommitment>,
    /// Projects running on that day.
    pub projects_running: Vec<ProjectRef>,
}

impl From<&samverkan_app::projections::terms::Handover> for Handover {
    fn from(h: &samverkan_app::projections::terms::Handover) -> Self {
        Handover {
            term: (&h.term).into(),
            strategies_in_force: h
                .strategies_in_force
                .iter()
                .map(|(id, title)| StrategyRef {
                    id: id.0,
                    title: title.clone(),
                })
                .collect(),
            commitments: h
                .commitments
                .iter()
                .map(|c| InheritedCommitment {
                    application_id: c.application.0,
                    title: c.title.clone(),
                    amount: (&c.amount).into(),
                    decided_on: c.decided_on.into(),
                })
                .collect(),
            projects_running: h
                .projects_running
                .iter()
                .map(|(id, title)| ProjectRef {
                    id: id.0,
                    title: title.clone(),
                })
                .collect(),
        }
    }
}

impl From<&q::StrategyLine> for StrategyLine {
    fn from(l: &q::StrategyLine) -> Self {
        StrategyLine {
            strategy: (&l.strategy).into(),
            valid_until: l.valid_until.map(Date),
            term: (&l.term).into(),
            follow_up_term: l.follow_up_term.as_ref().map(TermOfOffice::from),
            next_follow_up_due: l.next_follow_up_due.map(Date),
            follow_up_overdue: l.follow_up_overdue,
        }
    }
}

/// A consortium membership seen from the member.
#[derive(SimpleObject, Clone, Debug)]
pub struct MembershipLine {
    pub consortium: ConsortiumCode,
    pub name: String,
    pub joined_on: Date,
    pub left_on: Option<Date>,
    /// The member coordinates the consortium.
    pub coordinator: bool,
}

/// A project seen from one municipality.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProjectLine {
    pub project: Project,
    pub role: ProjectRole,
    /// The next planned milestone on or after today.
    pub next_milestone: Option<Milestone>,
    /// Planned milestones whose due date has passed (active projects only).
    pub overdue_milestones: Vec<Milestone>,
}

impl From<&q::ProjectLine> for ProjectLine {
    fn from(l: &q::ProjectLine) -> Self {
        ProjectLine {
            project: (&l.project).into(),
            role: ProjectRole::from_label(&l.role),
            next_milestone: l.next_milestone.as_ref().map(Milestone::from),
            overdue_milestones: l.overdue_milestones.iter().map(Milestone::from).collect(),
        }
    }
}

/// External funding and own co-financing per year, programme and currency.
/// The dashboard and the follow-up report use the same rule, so their lines
/// for a year agree.
#[derive(SimpleObject, Clone, Debug)]
pub struct FundingLine {
    /// The year of the decision: the funder's for a grant (a directly
    /// registered project: its start), the municipality's own for co-financing.
    pub year: i32,
    pub programme: ProgrammeKind,
    pub currency: Currency,
    /// External funding granted, credited to the lead applicant (or project
    /// lead) only: a partner's line never holds the project's grant.
    pub granted: Money,
    /// This municipality's own co-financing committed (withdrawn applications left out).
    pub co_financing: Money,
}

impl From<&q::FundingLine> for FundingLine {
    fn from(f: &q::FundingLine) -> Self {
        FundingLine {
            year: f.year,
            programme: f.programme.into(),
            currency: f.currency.into(),
            granted: money(f.granted_minor, f.currency),
            co_financing: money(f.co_financing_minor, f.currency),
        }
    }
}

/// A project referenced from a goal.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProjectRef {
    pub id: Uuid,
    pub title: String,
}

/// A goal of a strategy in force and the projects serving it.
#[derive(SimpleObject, Clone, Debug)]
pub struct GoalLine {
    pub strategy_id: Uuid,
    pub strategy_title: String,
    pub goal: Goal,
    pub projects: Vec<ProjectRef>,
}

/// A municipality's dashboard.
#[derive(SimpleObject, Clone, Debug)]
pub struct Dashboard {
    pub municipality: Municipality,
    /// The day "overdue", "expiring" and "due" are measured against.
    pub today: Date,
    /// The business date this answer is about (`validAt`, or today): the
    /// world as the decisions' own dates describe it on that day.
    pub valid_at: Date,
    /// The recording instant this answer is about (`asOf`); null: everything recorded.
    pub as_of: Option<DateTime>,
    pub strategies_in_force: Vec<StrategyLine>,
    /// Strategies in force that expire within a year.
    pub expiring_strategies: Vec<StrategyLine>,
    pub memberships: Vec<MembershipLine>,
    /// Projects as lead or partner, newest first.
    pub projects: Vec<ProjectLine>,
    /// Joint applications waiting for this municipality's co-financing answer.
    pub action_list: Vec<Application>,
    /// External funding obtained and co-financing committed.
    pub funding: Vec<FundingLine>,
    /// Current twin towns.
    pub twin_towns: Vec<TwinTown>,
    pub goals: Vec<GoalLine>,
    /// What the new council inherits at the most recent change of term of
    /// office (on or before the day) and at the next one.
    pub handover: Vec<Handover>,
}

impl From<&q::Dashboard> for Dashboard {
    fn from(x: &q::Dashboard) -> Self {
        Dashboard {
            municipality: (&x.municipality).into(),
            today: x.today.into(),
            valid_at: x.today.into(),
            as_of: x.as_of.map(DateTime),
            strategies_in_force: x.strategies_in_force.iter().map(StrategyLine::from).collect(),
            expiring_strategies: x.expiring_strategies.iter().map(StrategyLine::from).collect(),
            memberships: x
                .memberships
                .iter()
                .map(|m| MembershipLine {
                    consortium: (&m.consortium).into(),
                    name: m.name.clone(),
                    joined_on: m.joined_on.into(),
                    left_on: m.left_on.map(Date),
                    coordinator: m.coordinator,
                })
                .collect(),
            projects: x.projects.iter().map(ProjectLine::from).collect(),
            action_list: x.action_list.iter().map(Application::from).collect(),
            funding: x.funding.iter().map(FundingLine::from).collect(),
            twin_towns: x.twin_towns.iter().map(TwinTown::from).collect(),
            handover: x.handover.iter().map(Handover::from).collect(),
            goals: x
                .goals
                .iter()
                .map(|g| GoalLine {
                    strategy_id: g.strategy.0,
                    strategy_title: g.strategy_title.clone(),
                    goal: (&g.goal).into(),
                    projects: g
                        .projects
                        .iter()
                        .map(|(id, title)| ProjectRef {
                            id: id.0,
                            title: title.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------- consortium overview

/// How many applications have a status.
#[derive(SimpleObject, Clone, Debug)]
pub struct StatusCount {
    pub status: ApplicationStatus,
    pub count: u32,
}

/// A member's committed co-financing over all non-withdrawn applications.
#[derive(SimpleObject, Clone, Debug)]
pub struct MemberCoFinancing {
    pub municipality: MunicipalityCode,
    pub committed: Vec<Money>,
}

/// A consortium's overview for its coordinator.
#[derive(SimpleObject, Clone, Debug)]
pub struct ConsortiumOverview {
    pub consortium: Consortium,
    /// The business date members are counted on (`validAt`, or today).
    pub valid_at: Date,
    /// The recording instant this answer is about (`asOf`); null: everything recorded.
    pub as_of: Option<DateTime>,
    pub current_members: Vec<MunicipalityCode>,
    /// Every status, also those with count 0.
    pub applications_by_status: Vec<StatusCount>,
    /// Requested by submitted and decided applications, per currency.
    pub requested: Vec<Money>,
    pub granted: Vec<Money>,
    pub member_co_financing: Vec<MemberCoFinancing>,
    /// approved / (approved + rejected); null before any decision.
    pub success_rate: Option<f64>,
    pub applications: Vec<Application>,
    pub projects: Vec<Project>,
}

fn status_from_label(s: &str) -> Option<ApplicationStatus> {
    Some(match s {
        "draft" => ApplicationStatus::Draft,
        "submitted" => ApplicationStatus::Submitted,
        "approved" => ApplicationStatus::Approved,
        "rejected" => ApplicationStatus::Rejected,
        "withdrawn" => ApplicationStatus::Withdrawn,
        _ => return None,
    })
}

impl From<&q::ConsortiumOverview> for ConsortiumOverview {
    fn from(o: &q::ConsortiumOverview) -> Self {
        ConsortiumOverview {
            consortium: (&o.consortium).into(),
            valid_at: o.valid_at.into(),
            as_of: o.as_of.map(DateTime),
            current_members: o.current_members.iter().map(MunicipalityCode::from).collect(),
            applications_by_status: o
                .applications_by_status
                .iter()
                .filter_map(|(s, n)| status_from_label(s).map(|status| StatusCount { status, count: *n }))
                .collect(),
            requested: amounts(&o.requested),
            granted: amounts(&o.granted),
            member_co_financing: o
                .member_co_financing
                .iter()
                .map(|m| MemberCoFinancing {
                    municipality: (&m.municipality).into(),
                    committed: amounts(&m.committed),
                })
                .collect(),
            success_rate: o.success_rate,
            applications: o.applications.iter().map(Application::from).collect(),
            projects: o.projects.iter().map(Project::from).collect(),
        }
    }
}

// ---------------------------------------------------------------- follow-up report

/// A project active in the reported year.
#[derive(SimpleObject, Clone, Debug)]
pub struct ReportProject {
    pub project: Project,
    pub role: ProjectRole,
    pub started_in_year: bool,
    pub ended_in_year: bool,
}

/// A milestone in the report.
#[derive(SimpleObject, Clone, Debug)]
pub struct ReportMilestone {
    pub project_id: Uuid,
    pub project_title: String,
    pub milestone: Milestone,
}

impl From<&q::ReportMilestone> for ReportMilestone {
    fn from(m: &q::ReportMilestone) -> Self {
        ReportMilestone {
            project_id: m.project.0,
            project_title: m.project_title.clone(),
            milestone: (&m.milestone).into(),
        }
    }
}

/// A count per key (focus area or EU priority).
#[derive(SimpleObject, Clone, Debug)]
pub struct KeyCount {
    pub key: String,
    pub count: u32,
}

/// The yearly follow-up (uppföljning) of a municipality's international work.
#[derive(SimpleObject, Clone, Debug)]
pub struct FollowUpReport {
    pub municipality: Municipality,
    pub year: i32,
    /// The business date the report is computed on (`validAt`, or today).
    pub valid_at: Date,
    /// The recording instant this answer is about (`asOf`); null: everything recorded.
    pub as_of: Option<DateTime>,
    /// Projects (as lead or partner) active some time in the year.
    pub projects_active: Vec<ReportProject>,
    /// Applications drafted, submitted or decided in the year.
    pub applications: Vec<Application>,
    /// Funding granted and own co-financing committed in the year.
    pub funding_obtained: Vec<FundingLine>,
    pub milestones_achieved: Vec<ReportMilestone>,
    /// Milestones due in the year that were not achieved on time.
    pub milestones_missed: Vec<ReportMilestone>,
    pub milestones_rescheduled: Vec<ReportMilestone>,
    pub strategies_adopted: Vec<Strategy>,
    pub strategies_revised: Vec<Strategy>,
    /// Adopted documents whose validity ends in the year.
    pub strategies_expiring: Vec<Strategy>,
    pub strategies_due_for_follow_up: Vec<StrategyLine>,
    pub projects_per_focus_area: Vec<KeyCount>,
    pub projects_per_eu_priority: Vec<KeyCount>,
}

impl From<&q::FollowUpReport> for FollowUpReport {
    fn from(r: &q::FollowUpReport) -> Self {
        let counts = |m: &std::collections::BTreeMap<String, u32>| {
            m.iter()
                .map(|(k, n)| KeyCount {
                    key: k.clone(),
                    count: *n,
                })
                .collect()
        };
        FollowUpReport {
            municipality: (&r.municipality).into(),
            year: r.year,
            valid_at: r.valid_at.into(),
            as_of: r.as_of.map(DateTime),
            projects_active: r
                .projects_active
                .iter()
                .map(|p| ReportProject {
                    project: (&p.project).into(),
                    role: ProjectRole::from_label(&p.role),
                    started_in_year: p.started_in_year,
                    ended_in_year: p.ended_in_year,
                })
                .collect(),
            applications: r.applications.iter().map(Application::from).collect(),
            funding_obtained: r.funding_obtained.iter().map(FundingLine::from).collect(),
            milestones_achieved: r.milestones_achieved.iter().map(ReportMilestone::from).collect(),
            milestones_missed: r.milestones_missed.iter().map(ReportMilestone::from).collect(),
            milestones_rescheduled: r.milestones_rescheduled.iter().map(ReportMilestone::from).collect(),
            strategies_adopted: r.strategies_adopted.iter().map(Strategy::from).collect(),
            strategies_revised: r.strategies_revised.iter().map(Strategy::from).collect(),
            strategies_expiring: r.strategies_expiring.iter().map(Strategy::from).collect(),
            strategies_due_for_follow_up: r.strategies_due_for_follow_up.iter().map(StrategyLine::from).collect(),
            projects_per_focus_area: counts(&r.projects_per_focus_area),
            projects_per_eu_priority: counts(&r.projects_per_eu_priority),
        }
    }
}
