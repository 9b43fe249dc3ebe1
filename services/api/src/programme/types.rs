//! Programmes, rule sets, calls, rule checks, meetings and decisions owed.

use async_graphql::{Enum, SimpleObject};
use samverkan_app::projections::queries::rules as q;
use samverkan_domain::calendar::Meeting as DomainMeeting;
use samverkan_domain::programme as p;

use super::inputs::Severity;
use crate::scalars::{Date, DateTime, MunicipalityCode};
use crate::shared::{all, output_from};
use crate::types::{Application, DecisionBody, Money, ProgrammeKind};

output_from! {
    /// One rule of a rule set.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct ProgrammeRule from r: &p::ProgrammeRule {
        /// The rule's stable name, e.g. `max_funding_rate` (`extensions.rule` when it refuses a command).
        pub rule: String = r.kind.name().to_string(),
        pub label: String = r.label.clone(),
        pub severity: Severity = r.severity.into(),
        /// Where the figure comes from.
        pub source: String = r.source.clone(),
        /// The rule's figures as JSON, e.g. `{"rule":"max_funding_rate","country":"NO","max_basis_points":5000}`.
        pub parameters: String = serde_json::to_string(&r.kind).unwrap_or_default(),
    }
}

output_from! {
    /// A dated version of a programme's rules.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct RuleSet from r: &p::RuleSetAdopted {
        pub version: String = r.version.clone(),
        pub valid_from: Date = r.valid_from.into(),
        /// Last day the version applies to new calls (null: until further notice).
        pub valid_until: Option<Date> = r.valid_until.map(Date),
        pub rules: Vec<ProgrammeRule> = all(&r.rules),
        pub source: String = r.source.clone(),
    }
}

output_from! {
    /// A programme call (utlysning).
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Call from c: &p::CallOpened {
        pub programme: String = c.programme.to_string(),
        pub call: String = c.call.clone(),
        pub title: String = c.title.clone(),
        /// The rule set applications to the call are checked against.
        pub rule_set: String = c.rule_set.clone(),
        pub opens_on: Date = c.opens_on.into(),
        pub closes_at: DateTime = c.closes_at.into(),
        /// Funds the call does not have.
        pub unavailable_funds: Vec<String> = c.unavailable_funds.clone(),
        pub source: String = c.source.clone(),
    }
}

/// A funding programme with its rule sets and calls.
#[derive(SimpleObject, Clone, Debug)]
pub struct FundingProgramme {
    pub code: String,
    pub name: String,
    pub kind: ProgrammeKind,
    pub source: String,
    pub rule_sets: Vec<RuleSet>,
    pub calls: Vec<Call>,
}

impl FundingProgramme {
    pub fn from_state(s: &p::ProgrammeState) -> Option<Self> {
        let d = s.defined.as_ref()?;
        Some(Self {
            code: d.programme.to_string(),
            name: d.name.clone(),
            kind: d.kind.into(),
            source: d.source.clone(),
            rule_sets: all(&s.rule_sets),
            calls: all(&s.calls),
        })
    }
}

/// How an application stands against one rule.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "samverkan_domain::programme::Outcome")]
pub enum RuleOutcome {
    Pass,
    /// An "E" rule is broken: the command it concerns is refused.
    Fail,
    /// A "W" rule is broken.
    Warning,
}

output_from! {
    /// One rule's verdict on an application, with the numbers behind it.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct RuleCheck from c: &p::RuleCheck {
        /// The rule's stable name, e.g. `max_funding_rate`.
        pub rule: String = c.rule.to_string(),
        pub label: String = c.label.clone(),
        pub severity: Severity = c.severity.into(),
        pub outcome: RuleOutcome = c.outcome.into(),
        /// A plain sentence with the figures.
        pub detail: String = c.detail.clone(),
        /// The application's figure, e.g. `70.00 %`.
        pub actual: Option<String> = c.actual.clone(),
        /// The rule's limit, e.g. `at most 65.00 %`.
        pub limit: Option<String> = c.limit.clone(),
        pub source: String = c.source.clone(),
        /// Which command the rule refuses when it is an "E" rule: `draft`, `commitment` or `submission`.
        pub stage: String = c.stage.to_string(),
        /// The party (municipality) the verdict concerns, when it concerns one
        /// (a partner's fund share, excluded costs in a partner's budget);
        /// null: the application as a whole.
        pub party: Option<MunicipalityCode> = c.party.map(MunicipalityCode::from),
    }
}

output_from! {
    /// An application checked against its call's rule set.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct ApplicationCheck from c: &q::ApplicationCheck {
        pub call: Option<Call> = c.rules.as_ref().map(|r| Call::from(&r.call)),
        /// The rule set used: the call's, in force on the call's opening day.
        pub rule_set: Option<RuleSet> = c.rules.as_ref().map(|r| RuleSet::from(&r.rule_set)),
        /// The day checked for: the submission's day, else today.
        pub checked_on: Date = c.on.into(),
        /// No rule fails.
        pub passes: bool = c.passes(),
        pub checks: Vec<RuleCheck> = all(&c.checks),
    }
}

output_from! {
    /// A planned meeting of a municipality's council, executive board or committee.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct Meeting from m: &DomainMeeting {
        pub date: Date = m.date.into(),
        pub body: DecisionBody = m.body.into(),
    }
}

/// A municipality's meeting calendar.
#[derive(SimpleObject, Clone, Debug)]
pub struct MeetingCalendar {
    pub municipality: MunicipalityCode,
    pub meetings: Vec<Meeting>,
}

output_from! {
    /// A co-financing decision a municipality owes.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct DecisionOwed from o: &q::DecisionOwed {
        /// The municipality that owes it.
        pub municipality: MunicipalityCode = o.municipality.into(),
        pub application: Application = (&o.application).into(),
        /// `lead` or `co_applicant`.
        pub role: String = o.role.to_string(),
        /// What the municipality is asked for (null: not stated by the coordinator).
        pub amount: Option<Money> = o.amount.as_ref().map(Money::from),
        /// By when: the application's (the call's) deadline.
        pub due: DateTime = o.due.into(),
        /// The first meeting from the day asked about (`validAt`, else today) up to the deadline's day.
        pub next_meeting: Option<Meeting> = o.next_meeting.as_ref().map(Meeting::from),
        /// `no_meeting_before_deadline` when no meeting falls in time.
        pub warning: Option<String> = o.warning.clone(),
    }
}

impl DecisionOwed {
    /// Its application as answered for `when` (see [`Application::on`]).
    pub fn on(mut self, when: samverkan_app::projections::AsOf) -> Self {
        self.application = self.application.on(when);
        self
    }
}

output_from! {
    /// One party's standing in a joint application.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct PartyStatus from s: &q::PartyStatus {
        pub municipality: MunicipalityCode = s.municipality.into(),
        pub lead: bool = s.lead,
        /// `committed`, `pending` or `declined`.
        pub status: String = s.status.to_string(),
        pub amount: Option<Money> = s.amount.as_ref().map(Money::from),
        /// For a commitment: whether it satisfies the rules that concern it.
        pub satisfies_rules: Option<bool> = s.satisfies_rules,
        /// The names of the rules its commitment breaks (the checks whose `party` it is).
        pub problems: Vec<String> = s.problems.clone(),
        /// For a pending party: its next meeting from the day asked about up to the deadline.
        pub next_meeting: Option<Meeting> = s.next_meeting.as_ref().map(Meeting::from),
    }
}
