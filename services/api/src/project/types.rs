//! A project, its participants, financing and milestones.

use async_graphql::{ComplexObject, Enum, SimpleObject};
use samverkan_app::projections::views as v;
use samverkan_domain as d;
use uuid::Uuid;

use crate::scalars::{ConsortiumCode, CountryCode, Date, DateTime, GoalId, MilestoneId, MunicipalityCode};
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
