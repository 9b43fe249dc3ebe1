//! The log the read models keep: every applied event with who caused it and
//! what it concerns, its business date, and its line in a timeline.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use samverkan_domain::calendar::CalendarEvent;
use samverkan_domain::consortium::ConsortiumEvent;
use samverkan_domain::municipality::MunicipalityEvent;
use samverkan_domain::programme::ProgrammeEvent;
use samverkan_domain::project::ProjectEvent;
use samverkan_domain::strategy::StrategyEvent;
use samverkan_domain::{AnyEvent, ApplicationId, ConsortiumCode, DomainEvent, MunicipalityCode, StrategyId};
use serde::{Deserialize, Serialize};

use super::views::Recorded;

/// A decoded event with its place in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub at: Recorded,
    pub event: AnyEvent,
}

impl Serialize for Stored {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (t, v, d) = match &self.event {
            AnyEvent::Municipality(e) => (e.event_type(), e.schema_version(), e.to_json()),
            AnyEvent::Consortium(e) => (e.event_type(), e.schema_version(), e.to_json()),
            AnyEvent::Strategy(e) => (e.event_type(), e.schema_version(), e.to_json()),
            AnyEvent::Project(e) => (e.event_type(), e.schema_version(), e.to_json()),
            AnyEvent::Application(e) => (e.event_type(), e.schema_version(), e.to_json()),
            AnyEvent::Programme(e) => (e.event_type(), e.schema_version(), e.to_json()),
            AnyEvent::Calendar(e) => (e.event_type(), e.schema_version(), e.to_json()),
        };
        (self.at.position, self.at.recorded_at, t, v, d).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Stored {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (position, recorded_at, t, v, data): (u64, DateTime<Utc>, String, u32, serde_json::Value) =
            Deserialize::deserialize(d)?;
        let bytes = serde_json::to_vec(&data).map_err(serde::de::Error::custom)?;
        let event = AnyEvent::decode(&t, v, &bytes).map_err(serde::de::Error::custom)?;
        Ok(Stored {
            at: Recorded { position, recorded_at },
            event,
        })
    }
}

/// What an event concerns: a municipality or a consortium.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Subject {
    Municipality(MunicipalityCode),
    Consortium(ConsortiumCode),
}

impl Subject {
    /// Parse `municipality:SE-1487` or `consortium:V6`.
    pub fn parse(s: &str) -> Option<Subject> {
        match s.split_once(':')? {
            ("municipality", c) => MunicipalityCode::parse(c).ok().map(Subject::Municipality),
            ("consortium", c) => ConsortiumCode::parse(c).ok().map(Subject::Consortium),
            _ => None,
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Municipality(m) => write!(f, "municipality:{m}"),
            Subject::Consortium(c) => write!(f, "consortium:{c}"),
        }
    }
}

/// One applied event in log order: the decoded event, who caused it, what it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub stored: Stored,
    pub actor: Option<Arc<str>>,
    pub actor_role: Option<Arc<str>>,
    pub subjects: Vec<Subject>,
}

/// The date an event's decision gives it (business time); `None` for events
/// that carry no such date (a draft, an invitation, a planned milestone).
pub fn business_date(event: &AnyEvent) -> Option<chrono::NaiveDate> {
    use samverkan_domain::application::ApplicationEvent as A;
    Some(match event {
        AnyEvent::Municipality(MunicipalityEvent::MunicipalityRegistered(e)) => e.code_valid_from?,
        AnyEvent::Municipality(MunicipalityEvent::TwinTownAgreementSigned(e)) => e.since,
        AnyEvent::Municipality(MunicipalityEvent::TwinTownAgreementEnded(e)) => e.ended_on,
        AnyEvent::Municipality(MunicipalityEvent::MunicipalityCodeChanged(e)) => e.valid_from,
        AnyEvent::Consortium(ConsortiumEvent::ConsortiumFormed(e)) => e.formed_on,
        AnyEvent::Consortium(ConsortiumEvent::MemberJoined(e)) => e.joined_on,
        AnyEvent::Consortium(ConsortiumEvent::MemberLeft(e)) => e.left_on,
        AnyEvent::Consortium(ConsortiumEvent::CoordinatorAppointed(e)) => e.from,
        AnyEvent::Consortium(ConsortiumEvent::ConsortiumDissolved(e)) => e.dissolved_on,
        AnyEvent::Strategy(StrategyEvent::StrategyDrafted(_)) => return None,
        AnyEvent::Strategy(StrategyEvent::StrategyAdopted(e)) => e.decision.date,
        AnyEvent::Strategy(StrategyEvent::StrategyRevised(e)) => e.decision.date,
        AnyEvent::Strategy(StrategyEvent::StrategySuperseded(e)) => e.effective_on,
        AnyEvent::Strategy(StrategyEvent::StrategyRepealed(e)) => e.decision.date,
        AnyEvent::Strategy(StrategyEvent::FollowUpReported(e)) => e.reported_on,
        AnyEvent::Project(ProjectEvent::ProjectRegistered(e)) => e.period.start,
        AnyEvent::Project(ProjectEvent::MilestoneAchieved(e)) => e.achieved_on,
        AnyEvent::Project(ProjectEvent::PartnerAdded(e)) => e.joined_on,
        AnyEvent::Project(ProjectEvent::PartnerLeft(e)) => e.left_on,
        AnyEvent::Project(ProjectEvent::ProjectCompleted(e)) => e.completed_on,
        AnyEvent::Project(ProjectEvent::ProjectCancelled(e)) => e.cancelled_on,
        AnyEvent::Project(ProjectEvent::ProjectResultApproved(e)) => e.approved_on,
        AnyEvent::Project(ProjectEvent::ContactPersonAssigned(e)) => e.assigned_on,
        AnyEvent::Project(ProjectEvent::PersonalDataErased(e)) => e.erased_on,
        AnyEvent::Project(_) => return None,
        AnyEvent::Application(A::ApplicationDrafted(e)) => e.drafted_at.date_naive(),
        AnyEvent::Application(A::CoFinancingCommitted(e)) => e.decision.date,
        AnyEvent::Application(A::RiskAssessmentRecorded(e)) => e.assessed_on,
        AnyEvent::Application(A::ApplicationSubmitted(e)) => e.submitted_at.date_naive(),
        AnyEvent::Application(A::ApplicationApproved(e)) => e.decided_on,
        AnyEvent::Application(A::ApplicationRejected(e)) => e.decided_on,
        AnyEvent::Application(A::ApplicationWithdrawn(e)) => e.withdrawn_on,
        AnyEvent::Application(_) => return None,
        AnyEvent::Programme(ProgrammeEvent::RuleSetAdopted(e)) => e.valid_from,
        AnyEvent::Programme(ProgrammeEvent::CallOpened(e)) => e.opens_on,
        AnyEvent::Programme(_) => return None,
        AnyEvent::Calendar(CalendarEvent::MeetingScheduled(e)) => e.date,
        AnyEvent::Calendar(_) => return None,
    })
}

impl LogEntry {
    /// Whether the event's own date is after `valid_at` (it had not happened
    /// yet on that day). Events without a business date are never after.
    pub fn after_business_day(&self, valid_at: Option<chrono::NaiveDate>) -> bool {
        valid_at.is_some_and(|day| business_date(&self.stored.event).is_some_and(|d| d > day))
    }

    pub fn event_type(&self) -> &'static str {
        self.stored.event.event_type()
    }

    /// The application an event belongs to (drafts are visible to fewer readers).
    pub fn application(&self) -> Option<ApplicationId> {
        match &self.stored.event {
            AnyEvent::Application(e) => Some(e.application()),
            _ => None,
        }
    }

    /// The stream the event was appended to.
    pub fn stream(&self) -> String {
        match &self.stored.event {
            AnyEvent::Municipality(e) => format!("municipality-{}", municipality_key(e)),
            AnyEvent::Consortium(e) => format!("consortium-{}", consortium_key(e)),
            AnyEvent::Strategy(e) => format!("strategy-{}", strategy_keys(e).0),
            AnyEvent::Project(e) => format!("project-{}", e.project()),
            AnyEvent::Application(e) => format!("application-{}", e.application()),
            AnyEvent::Programme(e) => format!("programme-{}", e.programme()),
            AnyEvent::Calendar(e) => format!("calendar-{}", e.municipality()),
        }
    }

    /// The timeline line for this entry.
    pub fn to_timeline(&self) -> TimelineEntry {
        TimelineEntry {
            position: self.stored.at.position,
            recorded_at: self.stored.at.recorded_at,
            stream: self.stream(),
            event_type: self.event_type().to_string(),
            actor: self.actor.as_deref().map(str::to_string),
            actor_role: self.actor_role.as_deref().map(str::to_string),
            summary: summarize(&self.stored.event),
            subjects: self.subjects.iter().map(Subject::to_string).collect(),
            application: self.application(),
        }
    }
}

/// One line of a timeline, as queries and subscriptions return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub position: u64,
    pub recorded_at: DateTime<Utc>,
    pub stream: String,
    pub event_type: String,
    pub actor: Option<String>,
    pub actor_role: Option<String>,
    pub summary: String,
    /// Subjects the event concerns: `municipality:SE-1487`, `consortium:V6`.
    pub subjects: Vec<String>,
    /// For applications: the application id (drafts are visible to fewer readers).
    pub application: Option<ApplicationId>,
}

pub fn municipality_subject(m: &MunicipalityCode) -> String {
    format!("municipality:{m}")
}
pub fn consortium_subject(c: &ConsortiumCode) -> String {
    format!("consortium:{c}")
}

pub(super) fn municipality_key(e: &MunicipalityEvent) -> MunicipalityCode {
    match e {
        MunicipalityEvent::MunicipalityRegistered(r) => r.code,
        MunicipalityEvent::TwinTownAgreementSigned(s) => s.municipality,
        MunicipalityEvent::TwinTownAgreementEnded(x) => x.municipality,
        MunicipalityEvent::MunicipalityCodeChanged(x) => x.municipality,
    }
}

pub(super) fn consortium_key(e: &ConsortiumEvent) -> &ConsortiumCode {
    match e {
        ConsortiumEvent::ConsortiumFormed(f) => &f.code,
        ConsortiumEvent::MemberJoined(j) => &j.consortium,
        ConsortiumEvent::MemberLeft(l) => &l.consortium,
        ConsortiumEvent::CoordinatorAppointed(c) => &c.consortium,
        ConsortiumEvent::ConsortiumDissolved(d) => &d.consortium,
    }
}

pub(super) fn strategy_keys(e: &StrategyEvent) -> (StrategyId, MunicipalityCode) {
    match e {
        StrategyEvent::StrategyDrafted(x) => (x.strategy, x.municipality),
        StrategyEvent::StrategyAdopted(x) => (x.strategy, x.municipality),
        StrategyEvent::StrategyRevised(x) => (x.strategy, x.municipality),
        StrategyEvent::StrategySuperseded(x) => (x.strategy, x.municipality),
        StrategyEvent::StrategyRepealed(x) => (x.strategy, x.municipality),
        StrategyEvent::FollowUpReported(x) => (x.strategy, x.municipality),
    }
}

/// A short human line for the timeline.
pub(crate) fn summarize(event: &AnyEvent) -> String {
    use samverkan_domain::application::ApplicationEvent as A;
    match event {
        AnyEvent::Municipality(MunicipalityEvent::MunicipalityRegistered(e)) => {
            format!("{} registered as {}", e.name, e.code)
        }
        AnyEvent::Municipality(MunicipalityEvent::TwinTownAgreementSigned(e)) => {
            format!("twin-town agreement with {} signed ({})", e.partner.name, e.since)
        }
        AnyEvent::Municipality(MunicipalityEvent::TwinTownAgreementEnded(e)) => {
            format!("twin-town agreement {} ended ({})", e.partner_key, e.ended_on)
        }
        AnyEvent::Municipality(MunicipalityEvent::MunicipalityCodeChanged(e)) => {
            format!("code changed to {} from {}", e.new_code, e.valid_from)
        }
        AnyEvent::Consortium(ConsortiumEvent::ConsortiumFormed(e)) => {
            format!("consortium {} ({}) formed", e.code, e.name)
        }
        AnyEvent::Consortium(ConsortiumEvent::MemberJoined(e)) => {
            format!("{} joined {} on {}", e.municipality, e.consortium, e.joined_on)
        }
        AnyEvent::Consortium(ConsortiumEvent::MemberLeft(e)) => {
            format!("{} left {} on {}", e.municipality, e.consortium, e.left_on)
        }
        AnyEvent::Consortium(ConsortiumEvent::CoordinatorAppointed(e)) => {
            format!("coordinator of {} appointed from {}", e.consortium, e.from)
        }
        AnyEvent::Consortium(ConsortiumEvent::ConsortiumDissolved(e)) => {
            format!("{} dissolved on {}", e.consortium, e.dissolved_on)
        }
        AnyEvent::Strategy(StrategyEvent::StrategyDrafted(e)) => format!("{} drafted", e.title),
        AnyEvent::Strategy(StrategyEvent::StrategyAdopted(e)) => format!(
            "strategy adopted {} {}",
            e.decision.date,
            e.decision.paragraph.clone().unwrap_or_default()
        ),
        AnyEvent::Strategy(StrategyEvent::StrategyRevised(e)) => format!("strategy revised {}", e.decision.date),
        AnyEvent::Strategy(StrategyEvent::StrategySuperseded(e)) => {
            format!("strategy superseded from {}", e.effective_on)
        }
        AnyEvent::Strategy(StrategyEvent::StrategyRepealed(e)) => format!("strategy repealed {}", e.decision.date),
        AnyEvent::Strategy(StrategyEvent::FollowUpReported(e)) => format!(
            "follow-up reported for {}–{}",
            e.period.start,
            e.period.end.map(|d| d.to_string()).unwrap_or_default()
        ),
        AnyEvent::Project(ProjectEvent::ProjectRegistered(e)) => format!("project {} registered", e.title),
        AnyEvent::Project(ProjectEvent::MilestonePlanned(e)) => format!("milestone {} planned for {}", e.title, e.due),
        AnyEvent::Project(ProjectEvent::MilestoneRescheduled(e)) => format!(
            "milestone {} moved from {} to {}",
            e.milestone, e.previous_due, e.new_due
        ),
        AnyEvent::Project(ProjectEvent::MilestoneAchieved(e)) => {
            format!("milestone {} achieved on {}", e.milestone, e.achieved_on)
        }
        AnyEvent::Project(ProjectEvent::MilestoneCancelled(e)) => format!("milestone {} cancelled", e.milestone),
        AnyEvent::Project(ProjectEvent::BudgetAmended(e)) => format!("budget amended to {}", e.financing.budget),
        AnyEvent::Project(ProjectEvent::PartnerAdded(e)) => format!("partner {} added", e.partner.key()),
        AnyEvent::Project(ProjectEvent::PartnerLeft(e)) => format!("partner {} left", e.partner.key()),
        AnyEvent::Project(ProjectEvent::ProjectCompleted(e)) => format!("project completed on {}", e.completed_on),
        AnyEvent::Project(ProjectEvent::ProjectCancelled(e)) => format!("project cancelled on {}", e.cancelled_on),
        AnyEvent::Project(ProjectEvent::ProjectResultApproved(e)) => {
            format!("result approved on {} ({})", e.approved_on, e.decision_reference)
        }
        // Never the person: the line outlives an erasure.
        AnyEvent::Project(ProjectEvent::ContactPersonAssigned(e)) => {
            format!("contact person ({}) named for {}", e.role, e.municipality)
        }
        AnyEvent::Project(ProjectEvent::PersonalDataErased(e)) => format!(
            "personal data of {} erased on {} (gallringsbeslut {})",
            e.subject,
            e.erased_on,
            e.decision.case_number.clone().unwrap_or_default()
        ),
        AnyEvent::Application(A::ApplicationDrafted(e)) => {
            format!("application {} drafted for {}", e.title, e.programme.name)
        }
        AnyEvent::Application(A::CoApplicantInvited(e)) => format!("{} invited as co-applicant", e.municipality),
        AnyEvent::Application(A::CoFinancingCommitted(e)) => format!("{} committed {}", e.municipality, e.amount),
        AnyEvent::Application(A::CoFinancingDeclined(e)) => format!("{} declined", e.municipality),
        AnyEvent::Application(A::FunderDecisionRecorded(e)) => format!("funder decision {}", e.decision.describe()),
        AnyEvent::Application(A::CommitmentConfirmed(e)) => {
            format!("{} confirmed its commitment on {}", e.municipality, e.confirmed_on)
        }
        AnyEvent::Application(A::RiskAssessmentRecorded(_)) => "benefit-and-risk assessment recorded".to_string(),
        AnyEvent::Application(A::ApplicationSubmitted(e)) => {
            format!("application submitted {}", e.submitted_at.date_naive())
        }
        AnyEvent::Application(A::ApplicationApproved(e)) => format!("application approved, granted {}", e.granted),
        AnyEvent::Application(A::ApplicationRejected(e)) => format!("application rejected: {}", e.reason),
        AnyEvent::Application(A::ApplicationWithdrawn(e)) => format!("application withdrawn: {}", e.reason),
        AnyEvent::Programme(ProgrammeEvent::ProgrammeDefined(e)) => {
            format!("programme {} ({}) defined", e.name, e.programme)
        }
        AnyEvent::Programme(ProgrammeEvent::RuleSetAdopted(e)) => {
            format!(
                "rule set {} of {} adopted, valid from {}",
                e.version, e.programme, e.valid_from
            )
        }
        AnyEvent::Programme(ProgrammeEvent::CallOpened(e)) => {
            format!("call {} of {} opened, closing {}", e.call, e.programme, e.closes_at)
        }
        AnyEvent::Calendar(CalendarEvent::MeetingScheduled(e)) => {
            format!("meeting of the {:?} planned on {}", e.body, e.date)
        }
        AnyEvent::Calendar(CalendarEvent::MeetingCancelled(e)) => {
            format!("meeting of the {:?} on {} cancelled", e.body, e.date)
        }
    }
}
