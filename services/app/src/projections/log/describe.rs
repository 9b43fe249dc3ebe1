//! What an event says, read from the decoded event: its business date,
//! stream, keys and timeline summary.

use samverkan_domain::calendar::CalendarEvent;
use samverkan_domain::consortium::ConsortiumEvent;
use samverkan_domain::municipality::MunicipalityEvent;
use samverkan_domain::programme::ProgrammeEvent;
use samverkan_domain::project::ProjectEvent;
use samverkan_domain::strategy::StrategyEvent;
use samverkan_domain::{AnyEvent, MunicipalityCode, StrategyId};

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

/// The stream the event was appended to.
pub(crate) fn stream(event: &AnyEvent) -> String {
    match event {
        AnyEvent::Municipality(e) => format!("municipality-{}", municipality_key(e)),
        AnyEvent::Consortium(e) => format!("consortium-{}", consortium_key(e)),
        AnyEvent::Strategy(e) => format!("strategy-{}", strategy_keys(e).0),
        AnyEvent::Project(e) => format!("project-{}", e.project()),
        AnyEvent::Application(e) => format!("application-{}", e.application()),
        AnyEvent::Programme(e) => format!("programme-{}", e.programme()),
        AnyEvent::Calendar(e) => format!("calendar-{}", e.municipality()),
    }
}

pub(crate) fn municipality_key(e: &MunicipalityEvent) -> MunicipalityCode {
    match e {
        MunicipalityEvent::MunicipalityRegistered(r) => r.code,
        MunicipalityEvent::TwinTownAgreementSigned(s) => s.municipality,
        MunicipalityEvent::TwinTownAgreementEnded(x) => x.municipality,
        MunicipalityEvent::MunicipalityCodeChanged(x) => x.municipality,
    }
}

pub(crate) fn consortium_key(e: &ConsortiumEvent) -> &samverkan_domain::ConsortiumCode {
    match e {
        ConsortiumEvent::ConsortiumFormed(f) => &f.code,
        ConsortiumEvent::MemberJoined(j) => &j.consortium,
        ConsortiumEvent::MemberLeft(l) => &l.consortium,
        ConsortiumEvent::CoordinatorAppointed(c) => &c.consortium,
        ConsortiumEvent::ConsortiumDissolved(d) => &d.consortium,
    }
}

pub(crate) fn strategy_keys(e: &StrategyEvent) -> (StrategyId, MunicipalityCode) {
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
