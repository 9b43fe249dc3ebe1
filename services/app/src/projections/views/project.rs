//! A project's view: participants, financing and milestones.

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::cross_border::ProjectSide;
use samverkan_domain::personal::{Sealed, SubjectId};
use samverkan_domain::project::{
    EuPriority, Financing, GoalRef, MilestoneStatus, Participant, ProjectEvent, ProjectStatus,
};
use samverkan_domain::{
    ApplicationId, ConsortiumCode, Decision, MilestoneId, MunicipalityCode, Period, Programme, ProjectId,
};
use serde::{Deserialize, Serialize};

use super::{Recorded, ValidOn};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneView {
    pub id: MilestoneId,
    pub title: String,
    pub due: NaiveDate,
    pub original_due: NaiveDate,
    pub status: MilestoneStatus,
    pub achieved_on: Option<NaiveDate>,
    /// Dates (UTC) on which the milestone was rescheduled.
    pub rescheduled_at: Vec<NaiveDate>,
    pub cancelled_at: Option<NaiveDate>,
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
    pub status: ProjectStatus,
    pub closed_on: Option<NaiveDate>,
    pub milestones: Vec<MilestoneView>,
    pub from_application: Option<ApplicationId>,
    pub consortium: Option<ConsortiumCode>,
    pub registered_at: DateTime<Utc>,
    /// A cross-border project's sides with their funders' decisions.
    #[serde(default)]
    pub sides: Vec<ProjectSide>,
    /// The funder's approval of the project's result (final report accepted), if recorded.
    #[serde(default)]
    pub result_approved: Option<ResultApprovalView>,
    /// Every contact person named, oldest first; personal fields sealed.
    #[serde(default)]
    pub contacts: Vec<ContactView>,
    /// The erasures of personal data (gallring) in the project.
    #[serde(default)]
    pub erasures: Vec<ErasureView>,
}

/// A contact person as named: the personal fields stay sealed here (and in
/// the snapshot); the API opens them with the keyring when asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactView {
    pub municipality: MunicipalityCode,
    pub role: String,
    pub subject: SubjectId,
    pub name: Sealed,
    pub email: Option<Sealed>,
    pub phone: Option<Sealed>,
    pub assigned_on: NaiveDate,
    /// The day a later contact for the same municipality and role was named.
    pub replaced_on: Option<NaiveDate>,
}

/// An erasure of a data subject's personal data on a gallringsbeslut.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErasureView {
    pub subject: SubjectId,
    pub decision: Decision,
    pub erased_on: NaiveDate,
    pub retained_until: NaiveDate,
    pub position: u64,
}

/// The funder's approval of a project's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultApprovalView {
    pub approved_on: NaiveDate,
    pub decision_reference: String,
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
                status: ProjectStatus::Active,
                closed_on: None,
                milestones: vec![],
                from_application: r.from_application,
                consortium: r.consortium.clone(),
                registered_at: at.recorded_at,
                sides: (*r.sides).clone(),
                result_approved: None,
                contacts: vec![],
                erasures: vec![],
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
                status: MilestoneStatus::Planned,
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
                    x.status = MilestoneStatus::Achieved;
                    x.achieved_on = Some(m.achieved_on);
                }
            }
            ProjectEvent::MilestoneCancelled(m) => {
                if let Some(x) = v.milestones.iter_mut().find(|x| x.id == m.milestone) {
                    x.status = MilestoneStatus::Cancelled;
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
                v.status = ProjectStatus::Completed;
                v.closed_on = Some(c.completed_on);
            }
            ProjectEvent::ProjectCancelled(c) => {
                v.status = ProjectStatus::Cancelled;
                v.closed_on = Some(c.cancelled_on);
            }
            ProjectEvent::ProjectResultApproved(r) => {
                v.result_approved = Some(ResultApprovalView {
                    approved_on: r.approved_on,
                    decision_reference: r.decision_reference.clone(),
                })
            }
            ProjectEvent::ContactPersonAssigned(c) => {
                for earlier in v
                    .contacts
                    .iter_mut()
                    .filter(|x| x.municipality == c.municipality && x.role == c.role && x.replaced_on.is_none())
                {
                    earlier.replaced_on = Some(c.assigned_on);
                }
                v.contacts.push(ContactView {
                    municipality: c.municipality,
                    role: c.role.clone(),
                    subject: c.subject.clone(),
                    name: c.name.clone(),
                    email: c.email.clone(),
                    phone: c.phone.clone(),
                    assigned_on: c.assigned_on,
                    replaced_on: None,
                });
            }
            ProjectEvent::PersonalDataErased(x) => v.erasures.push(ErasureView {
                subject: x.subject.clone(),
                decision: x.decision.clone(),
                erased_on: x.erased_on,
                retained_until: x.retained_until,
                position: at.position,
            }),
        }
        Some(v)
    }

    /// The erasure of `subject`'s personal data in this project, if any.
    pub fn erasure_of(&self, subject: &SubjectId) -> Option<&ErasureView> {
        self.erasures.iter().find(|e| &e.subject == subject)
    }

    /// Municipalities taking part (lead and current or former partners).
    pub fn municipalities(&self) -> impl Iterator<Item = &MunicipalityCode> {
        std::iter::once(&self.lead)
            .chain(self.partners.iter().map(|p| &p.participant))
            .filter_map(Participant::municipality)
    }

    /// The side of this cross-border project a member takes part in: the
    /// side of its own country (`None` for a project without sides, or when
    /// no side is of the member's country).
    pub fn side_of(&self, m: &MunicipalityCode) -> Option<samverkan_domain::CountryCode> {
        self.sides.iter().map(|s| s.budget.country).find(|c| *c == m.country())
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

impl ValidOn for ProjectView {
    fn on(mut self, day: NaiveDate) -> Option<Self> {
        if self.period.start > day {
            return None;
        }
        if self.closed_on.is_some_and(|c| c > day) {
            self.status = ProjectStatus::Active;
            self.closed_on = None;
        }
        if self.result_approved.as_ref().is_some_and(|r| r.approved_on > day) {
            self.result_approved = None;
        }
        self.partners.retain(|p| p.joined_on.is_none_or(|j| j <= day));
        for p in &mut self.partners {
            if p.left_on.is_some_and(|l| l > day) {
                p.left_on = None;
            }
        }
        for m in &mut self.milestones {
            if m.achieved_on.is_some_and(|a| a > day) {
                m.status = MilestoneStatus::Planned;
                m.achieved_on = None;
            }
            if m.cancelled_at.is_some_and(|c| c > day) {
                m.status = MilestoneStatus::Planned;
                m.cancelled_at = None;
            }
            m.rescheduled_at.retain(|r| *r <= day);
        }
        Some(self)
    }
}
