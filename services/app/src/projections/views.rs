//! The entity views the read models are made of, each folded from its events.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::application::ApplicationEvent;
use samverkan_domain::consortium::{ConsortiumEvent, ConsortiumKind, Coordinator};
use samverkan_domain::municipality::{MunicipalityEvent, TwinTownPartner};
use samverkan_domain::project::{EuPriority, Financing, GoalRef, Participant, ProjectEvent};
use samverkan_domain::strategy::{DocumentKind, FollowUpCadence, StrategyContent, StrategyEvent};
use samverkan_domain::{
    ApplicationId, ConsortiumCode, Decision, DecisionBody, MilestoneId, Money, MunicipalityCode, Period, Programme,
    ProjectId, StrategyId,
};
use serde::{Deserialize, Serialize};

/// When and by whom an event was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    pub position: u64,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwinTownView {
    pub partner: TwinTownPartner,
    pub since: NaiveDate,
    pub decision: Decision,
    pub ended_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MunicipalityView {
    /// The identity: the first code, which is also the stream id.
    pub code: MunicipalityCode,
    pub name: String,
    pub code_valid_from: Option<NaiveDate>,
    pub twin_towns: Vec<TwinTownView>,
    /// Every code with its validity, oldest first.
    #[serde(default)]
    pub codes: Vec<CodePeriodView>,
    /// The code valid on the asked day, set by `on(day)`; None: today's.
    #[serde(default)]
    pub current_code: Option<MunicipalityCode>,
}

/// One code of a municipality and its validity (`valid_until` inclusive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodePeriodView {
    pub code: MunicipalityCode,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

impl CodePeriodView {
    /// Whether `day` falls in the period; `open_start` treats the first code as
    /// valid before its recorded start (no earlier code is known).
    pub fn contains(&self, day: NaiveDate, open_start: bool) -> bool {
        (open_start || self.valid_from.is_none_or(|f| f <= day)) && self.valid_until.is_none_or(|u| day <= u)
    }
}

impl MunicipalityView {
    /// The code valid on `day`: before the first recorded start, the first code.
    pub fn code_on(&self, day: NaiveDate) -> MunicipalityCode {
        self.codes
            .iter()
            .enumerate()
            .find(|(i, p)| p.contains(day, *i == 0))
            .map_or(self.code, |(_, p)| p.code)
    }
    /// The code valid on the asked day, or today when no day was asked.
    pub fn code_now(&self) -> MunicipalityCode {
        self.current_code
            .unwrap_or_else(|| self.code_on(Utc::now().date_naive()))
    }
}

impl MunicipalityView {
    pub fn apply(view: Option<Self>, e: &MunicipalityEvent) -> Option<Self> {
        match e {
            MunicipalityEvent::MunicipalityRegistered(r) => Some(Self {
                code: r.code,
                name: r.name.clone(),
                code_valid_from: r.code_valid_from,
                twin_towns: vec![],
                codes: vec![CodePeriodView {
                    code: r.code,
                    valid_from: r.code_valid_from,
                    valid_until: None,
                }],
                current_code: None,
            }),
            MunicipalityEvent::MunicipalityCodeChanged(c) => view.map(|mut v| {
                if let Some(last) = v.codes.last_mut() {
                    last.valid_until = c.valid_from.pred_opt();
                }
                v.codes.push(CodePeriodView {
                    code: c.new_code,
                    valid_from: Some(c.valid_from),
                    valid_until: None,
                });
                v
            }),
            MunicipalityEvent::TwinTownAgreementSigned(s) => view.map(|mut v| {
                v.twin_towns.push(TwinTownView {
                    partner: s.partner.clone(),
                    since: s.since,
                    decision: s.decision.clone(),
                    ended_on: None,
                });
                v
            }),
            MunicipalityEvent::TwinTownAgreementEnded(x) => view.map(|mut v| {
                if let Some(t) = v
                    .twin_towns
                    .iter_mut()
                    .find(|t| t.partner.key() == x.partner_key && t.ended_on.is_none())
                {
                    t.ended_on = Some(x.ended_on);
                }
                v
            }),
        }
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StrategyStatusView {
    Draft,
    Adopted,
    Superseded,
    Repealed,
}

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
    pub status: StrategyStatusView,
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
                status: StrategyStatusView::Draft,
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
                v.status = StrategyStatusView::Adopted;
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
                v.status = StrategyStatusView::Superseded;
                v.superseded_by = Some(s.superseded_by);
                v.ended_on = Some(s.effective_on);
            }
            StrategyEvent::StrategyRepealed(r) => {
                v.status = StrategyStatusView::Repealed;
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
        self.status != StrategyStatusView::Draft
            && self.validity.is_some_and(|p| p.contains(day))
            && self.ended_on.is_none_or(|e| day < e)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MilestoneStatusView {
    Planned,
    Achieved,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneView {
    pub id: MilestoneId,
    pub title: String,
    pub due: NaiveDate,
    pub original_due: NaiveDate,
    pub status: MilestoneStatusView,
    pub achieved_on: Option<NaiveDate>,
    /// Dates (UTC) on which the milestone was rescheduled.
    pub rescheduled_at: Vec<NaiveDate>,
    pub cancelled_at: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProjectStatusView {
    Active,
    Completed,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartnerView {
    pub participant: Participant,
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectView {
    pub id: ProjectId,
    pub title: String,
    pub lead: Participant,
    pub partners: Vec<PartnerView>,
    pub programme: Programme,
    pub financing: Financing,
    pub period: Period,
    pub serves_goals: Vec<GoalRef>,
    pub eu_priorities: Vec<EuPriority>,
    pub status: ProjectStatusView,
    pub closed_on: Option<NaiveDate>,
    pub milestones: Vec<MilestoneView>,
    pub from_application: Option<ApplicationId>,
    pub consortium: Option<ConsortiumCode>,
    pub registered_at: DateTime<Utc>,
}

impl ProjectView {
    pub fn apply(view: Option<Self>, e: &ProjectEvent, at: &Recorded) -> Option<Self> {
        if let ProjectEvent::ProjectRegistered(r) = e {
            return Some(Self {
                id: r.project,
                title: r.title.clone(),
                lead: r.lead.clone(),
                partners: r
                    .partners
                    .iter()
                    .map(|p| PartnerView {
                        participant: p.clone(),
                        joined_on: None,
                        left_on: None,
                    })
                    .collect(),
                programme: r.programme.clone(),
                financing: r.financing,
                period: r.period,
                serves_goals: r.serves_goals.clone(),
                eu_priorities: r.eu_priorities.clone(),
                status: ProjectStatusView::Active,
                closed_on: None,
                milestones: vec![],
                from_application: r.from_application,
                consortium: r.consortium.clone(),
                registered_at: at.recorded_at,
            });
        }
        let mut v = view?;
        let day = at.recorded_at.date_naive();
        match e {
            ProjectEvent::ProjectRegistered(_) => {}
            ProjectEvent::MilestonePlanned(m) => v.milestones.push(MilestoneView {
                id: m.milestone.clone(),
                title: m.title.clone(),
                due: m.due,
                original_due: m.due,
                status: MilestoneStatusView::Planned,
                achieved_on: None,
                rescheduled_at: vec![],
                cancelled_at: None,
            }),
            ProjectEvent::MilestoneRescheduled(m) => {
                if let Some(x) = v.milestones.iter_mut().find(|x| x.id == m.milestone) {
                    x.due = m.new_due;
                    x.rescheduled_at.push(day);
                }
            }
            ProjectEvent::MilestoneAchieved(m) => {
                if let Some(x) = v.milestones.iter_mut().find(|x| x.id == m.milestone) {
                    x.status = MilestoneStatusView::Achieved;
                    x.achieved_on = Some(m.achieved_on);
                }
            }
            ProjectEvent::MilestoneCancelled(m) => {
                if let Some(x) = v.milestones.iter_mut().find(|x| x.id == m.milestone) {
                    x.status = MilestoneStatusView::Cancelled;
                    x.cancelled_at = Some(day);
                }
            }
            ProjectEvent::BudgetAmended(b) => v.financing = b.financing,
            ProjectEvent::PartnerAdded(p) => v.partners.push(PartnerView {
                participant: p.partner.clone(),
                joined_on: Some(p.joined_on),
                left_on: None,
            }),
            ProjectEvent::PartnerLeft(p) => {
                if let Some(x) = v
                    .partners
                    .iter_mut()
                    .find(|x| x.participant == p.partner && x.left_on.is_none())
                {
                    x.left_on = Some(p.left_on);
                }
            }
            ProjectEvent::ProjectCompleted(c) => {
                v.status = ProjectStatusView::Completed;
                v.closed_on = Some(c.completed_on);
            }
            ProjectEvent::ProjectCancelled(c) => {
                v.status = ProjectStatusView::Cancelled;
                v.closed_on = Some(c.cancelled_on);
            }
        }
        Some(v)
    }

    /// Municipalities taking part (lead and current or former partners).
    pub fn municipalities(&self) -> impl Iterator<Item = &MunicipalityCode> {
        std::iter::once(&self.lead)
            .chain(self.partners.iter().map(|p| &p.participant))
            .filter_map(Participant::municipality)
    }

    pub fn role_of(&self, m: &MunicipalityCode) -> Option<&'static str> {
        if self.lead.municipality() == Some(m) {
            Some("lead")
        } else if self
            .partners
            .iter()
            .any(|p| p.participant.municipality() == Some(m) && p.left_on.is_none())
        {
            Some("partner")
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ApplicationStatusView {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Withdrawn,
}

impl ApplicationStatusView {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }
}

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
    pub status: ApplicationStatusView,
    pub drafted_at: DateTime<Utc>,
    pub co_applicants: Vec<CoApplicantView>,
    pub lead_commitment: Option<(Money, Decision)>,
    pub risk_assessment: Option<RiskAssessmentView>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_on: Option<NaiveDate>,
    pub granted: Option<Money>,
    pub decision_reference: Option<String>,
    pub outcome_reason: Option<String>,
    pub project: Option<ProjectId>,
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
                status: ApplicationStatusView::Draft,
                drafted_at: d.drafted_at,
                co_applicants: vec![],
                lead_commitment: None,
                risk_assessment: None,
                submitted_at: None,
                decided_on: None,
                granted: None,
                decision_reference: None,
                outcome_reason: None,
                project: None,
            });
        }
        let mut v = view?;
        match e {
            ApplicationEvent::ApplicationDrafted(_) => {}
            ApplicationEvent::CoApplicantInvited(i) => v.co_applicants.push(CoApplicantView {
                municipality: i.municipality,
                answer: AnswerView::Pending,
                invited_at: at.recorded_at,
            }),
            ApplicationEvent::CoFinancingCommitted(c) => {
                if c.municipality == v.lead_applicant {
                    v.lead_commitment = Some((c.amount, c.decision.clone()));
                } else if let Some(x) = v.co_applicants.iter_mut().find(|x| x.municipality == c.municipality) {
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
                v.status = ApplicationStatusView::Submitted;
                v.submitted_at = Some(s.submitted_at);
            }
            ApplicationEvent::ApplicationApproved(a) => {
                v.status = ApplicationStatusView::Approved;
                v.decided_on = Some(a.decided_on);
                v.granted = Some(a.granted);
                v.decision_reference = Some(a.decision_reference.clone());
                v.project = Some(a.project);
            }
            ApplicationEvent::ApplicationRejected(r) => {
                v.status = ApplicationStatusView::Rejected;
                v.decided_on = Some(r.decided_on);
                v.outcome_reason = Some(r.reason.clone());
            }
            ApplicationEvent::ApplicationWithdrawn(w) => {
                v.status = ApplicationStatusView::Withdrawn;
                v.decided_on = Some(w.withdrawn_on);
                v.outcome_reason = Some(w.reason.clone());
            }
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

    pub fn involves(&self, m: &MunicipalityCode) -> bool {
        &self.lead_applicant == m || self.co_applicants.iter().any(|c| &c.municipality == m)
    }

    pub fn pending_for(&self, m: &MunicipalityCode) -> bool {
        self.status == ApplicationStatusView::Draft
            && self
                .co_applicants
                .iter()
                .any(|c| &c.municipality == m && c.answer == AnswerView::Pending)
    }
}

/// Sums of money per currency (never mixed), 128-bit: they cannot wrap
/// (see [`samverkan_domain::add_to_total`]).
pub type Amounts = BTreeMap<samverkan_domain::Currency, i128>;

pub fn add(amounts: &mut Amounts, money: &Money) {
    samverkan_domain::add_to_total(amounts.entry(money.currency).or_insert(0), money.amount_minor);
}

/// Business time: a view as the world stood on a calendar day, by the
/// decisions' own dates (joined/left on, adopted, superseded, period, decided
/// on, milestone dates). `None`: the entity did not exist yet on that day.
pub trait ValidOn: Sized {
    fn on(self, day: NaiveDate) -> Option<Self>;
}

/// `view` as of business day `day` (unchanged when `day` is `None`).
pub fn valid_on<T: ValidOn>(view: Option<T>, day: Option<NaiveDate>) -> Option<T> {
    match day {
        Some(d) => view?.on(d),
        None => view,
    }
}

impl ValidOn for MunicipalityView {
    fn on(mut self, day: NaiveDate) -> Option<Self> {
        self.current_code = Some(self.code_on(day));
        self.twin_towns.retain(|t| t.since <= day);
        for t in &mut self.twin_towns {
            if t.ended_on.is_some_and(|e| e > day) {
                t.ended_on = None;
            }
        }
        Some(self)
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

impl ValidOn for StrategyView {
    fn on(mut self, day: NaiveDate) -> Option<Self> {
        if self.adopted.as_ref().is_some_and(|a| a.date > day) {
            self.status = StrategyStatusView::Draft;
            self.adopted = None;
            self.validity = None;
        }
        self.revisions.retain(|r| r.decision.date <= day);
        if self.ended_on.is_some_and(|e| e > day) && self.adopted.is_some() {
            self.status = StrategyStatusView::Adopted;
            self.superseded_by = None;
            self.ended_on = None;
        }
        self.follow_ups.retain(|f| f.reported_on <= day);
        Some(self)
    }
}

impl ValidOn for ProjectView {
    fn on(mut self, day: NaiveDate) -> Option<Self> {
        if self.period.start > day {
            return None;
        }
        if self.closed_on.is_some_and(|c| c > day) {
            self.status = ProjectStatusView::Active;
            self.closed_on = None;
        }
        self.partners.retain(|p| p.joined_on.is_none_or(|j| j <= day));
        for p in &mut self.partners {
            if p.left_on.is_some_and(|l| l > day) {
                p.left_on = None;
            }
        }
        for m in &mut self.milestones {
            if m.achieved_on.is_some_and(|a| a > day) {
                m.status = MilestoneStatusView::Planned;
                m.achieved_on = None;
            }
            if m.cancelled_at.is_some_and(|c| c > day) {
                m.status = MilestoneStatusView::Planned;
                m.cancelled_at = None;
            }
            m.rescheduled_at.retain(|r| *r <= day);
        }
        Some(self)
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
        if self.risk_assessment.as_ref().is_some_and(|r| r.assessed_on > day) {
            self.risk_assessment = None;
        }
        if self.decided_on.is_some_and(|d| d > day) {
            self.status = ApplicationStatusView::Submitted;
            self.decided_on = None;
            self.granted = None;
            self.decision_reference = None;
            self.outcome_reason = None;
            self.project = None;
        }
        if self.submitted_at.is_some_and(|s| s.date_naive() > day) {
            self.submitted_at = None;
            if self.status == ApplicationStatusView::Submitted {
                self.status = ApplicationStatusView::Draft;
            }
        }
        Some(self)
    }
}
