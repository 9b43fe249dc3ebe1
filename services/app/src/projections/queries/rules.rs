//! Programme rules on the read side: the programmes with their rule sets
//! and calls, the one check of an application against its call (the
//! domain's [`check`], also behind the commands' refusals), the decisions a
//! municipality owes with the meetings that can take them, and each party's
//! status for the consortium's coordinator.

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::application::ApplicationStatus;
use samverkan_domain::calendar::{CalendarState, Meeting};
use samverkan_domain::programme::{
    check, CallRules, Outcome, Party, PartyAnswer, ProgrammeCode, ProgrammeState, RuleCheck, Subject,
};
use samverkan_domain::{Money, MunicipalityCode};
use serde::Serialize;

use super::AsOf;
use crate::projections::model::ReadModels;
use crate::projections::views::*;
use crate::projections::Visible;

/// An application's check against its call's rule set.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationCheck {
    /// The call and rule set used (the call's own, not today's).
    #[serde(skip)]
    pub rules: Option<CallRules>,
    /// The day the check is made for: the submission's day, else today.
    pub on: NaiveDate,
    pub checks: Vec<RuleCheck>,
}

impl ApplicationCheck {
    pub fn warnings(&self) -> Vec<RuleCheck> {
        self.checks
            .iter()
            .filter(|c| c.outcome == Outcome::Warning)
            .cloned()
            .collect()
    }
    pub fn passes(&self) -> bool {
        self.checks.iter().all(|c| c.outcome != Outcome::Fail)
    }
}

/// A co-financing decision a municipality owes.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionOwed {
    /// Who owes it.
    pub municipality: MunicipalityCode,
    pub application: ApplicationView,
    /// `lead` or `co_applicant`.
    pub role: &'static str,
    /// What the municipality is asked for, when the coordinator said (`None`: not stated).
    pub amount: Option<Money>,
    /// By when: the application's deadline (the call's).
    pub due: DateTime<Utc>,
    /// The first meeting of its council, executive board or committee from
    /// the day asked about (`validAt`, else today) up to the deadline's day.
    pub next_meeting: Option<Meeting>,
    /// `no_meeting_before_deadline` when no meeting falls in time.
    pub warning: Option<String>,
}

/// One party's standing in an application, for the coordinator.
#[derive(Debug, Clone, Serialize)]
pub struct PartyStatus {
    pub municipality: MunicipalityCode,
    pub lead: bool,
    /// `committed`, `pending` or `declined`.
    pub status: &'static str,
    pub amount: Option<Money>,
    /// For a commitment: whether it satisfies the rules that concern it.
    pub satisfies_rules: Option<bool>,
    /// The rules its commitment breaks (the checks naming this party).
    pub problems: Vec<String>,
    /// For a pending party: its next meeting from the day asked about up to the deadline.
    pub next_meeting: Option<Meeting>,
}

impl ApplicationView {
    /// The application as the programme rules see it, on `on`.
    /// `today` judges what confirmations after the funder's decision are overdue or near.
    pub fn subject(&self, on: NaiveDate, today: NaiveDate, fund: &str) -> Subject {
        let lead_answer = match &self.lead_commitment {
            Some((amount, decision)) => PartyAnswer::Committed {
                amount: *amount,
                decided_on: decision.date,
                terms: self.lead_terms.clone(),
            },
            None => PartyAnswer::Pending,
        };
        let mut parties = vec![Party {
            municipality: self.lead_applicant,
            lead: true,
            answer: lead_answer,
            confirmed_on: self.confirmed_on(&self.lead_applicant),
        }];
        parties.extend(self.co_applicants.iter().map(|c| Party {
            municipality: c.municipality,
            lead: false,
            answer: match &c.answer {
                AnswerView::Pending => PartyAnswer::Pending,
                AnswerView::Declined { .. } => PartyAnswer::Declined,
                AnswerView::Committed { amount, decision } => PartyAnswer::Committed {
                    amount: *amount,
                    decided_on: decision.date,
                    terms: c.terms.clone(),
                },
            },
            confirmed_on: self.confirmed_on(&c.municipality),
        }));
        Subject {
            lead: self.lead_applicant,
            parties,
            total_budget: self.total_budget,
            requested: self.requested,
            sides: self.sides.clone(),
            fund: fund.to_string(),
            deadline: self.deadline,
            project_period: self.project_period,
            on,
            funder_decided_on: (self.status == ApplicationStatus::Approved)
                .then_some(self.decided_on)
                .flatten(),
            today,
            // The application does not see its project: see [`check_application`].
            result_approved_on: None,
        }
    }
}

/// Check `a` against its call's rule set, as frozen with it at drafting (the
/// call's rule set then, never today's), on its submission day or `today`.
/// No call: no rules (an empty list). `result_approved_on`: the day the
/// funder approved the result of the project `a` became (see
/// [`ReadModels::result_approved_on`]).
pub fn check_application(
    a: &ApplicationView,
    today: NaiveDate,
    result_approved_on: Option<NaiveDate>,
) -> ApplicationCheck {
    let on = a.submitted_at.map_or(today, |s| s.date_naive());
    let rules = a.call_rules.clone();
    let checks = match &rules {
        Some(r) => {
            let mut subject = a.subject(on, today, &r.programme.name);
            subject.result_approved_on = result_approved_on;
            check(&subject, r)
        }
        None => vec![],
    };
    ApplicationCheck { rules, on, checks }
}

impl ReadModels {
    /// Every programme's code, ordered.
    pub fn programme_codes(&self) -> Vec<ProgrammeCode> {
        let mut codes: Vec<ProgrammeCode> = self.programmes.keys().cloned().collect();
        codes.sort();
        codes
    }

    /// A programme with its rule sets and calls, as recorded by `at`.
    pub fn programme(&self, code: &ProgrammeCode, at: Option<DateTime<Utc>>) -> Option<ProgrammeState> {
        self.programmes.get(code)?.at(at, &self.log).map(|v| v.0)
    }

    /// A municipality's meeting calendar, as recorded by `at`.
    pub fn calendar(&self, m: &MunicipalityCode, at: Option<DateTime<Utc>>) -> CalendarState {
        self.calendars
            .get(m)
            .and_then(|c| c.at(at, &self.log))
            .map(|v| v.0)
            .unwrap_or_default()
    }

    /// Check `a` against its call's rule set (see [`check_application`]).
    pub fn check_application(&self, a: &ApplicationView, when: AsOf) -> ApplicationCheck {
        check_application(a, when.today, self.result_approved_on(a, when))
    }

    /// Each party's status in `a` (for the consortium's coordinator).
    pub fn party_statuses(&self, a: &ApplicationView, when: AsOf) -> Vec<PartyStatus> {
        let result = self.check_application(a, when);
        let subject = a.subject(result.on, when.today, "");
        let deadline = a.deadline.date_naive();
        subject
            .parties
            .iter()
            .map(|p| {
                let problems: Vec<String> = result
                    .checks
                    .iter()
                    .filter(|c| c.outcome != Outcome::Pass && c.party == Some(p.municipality))
                    .map(|c| c.rule.to_string())
                    .collect();
                let (status, amount) = match &p.answer {
                    PartyAnswer::Committed { amount, .. } => ("committed", Some(*amount)),
                    PartyAnswer::Pending => ("pending", None),
                    PartyAnswer::Declined => ("declined", None),
                };
                PartyStatus {
                    municipality: p.municipality,
                    lead: p.lead,
                    status,
                    amount,
                    satisfies_rules: (status == "committed").then_some(problems.is_empty()),
                    problems,
                    next_meeting: (status == "pending")
                        .then(|| {
                            self.calendar(&p.municipality, when.at)
                                .next_meeting(when.today, deadline)
                        })
                        .flatten(),
                }
            })
            .collect()
    }
}

/// What `m` owes in `a` on `today` (a draft it leads without its own
/// commitment, or is invited to and has not answered, whose deadline has
/// not passed), with the first meeting in `calendar` that can take it.
fn owed_in(
    a: &ApplicationView,
    m: &MunicipalityCode,
    calendar: &CalendarState,
    today: NaiveDate,
) -> Option<DecisionOwed> {
    if a.status != ApplicationStatus::Draft || a.deadline.date_naive() < today {
        return None;
    }
    let (role, amount) = if a.lead_applicant == *m {
        if a.lead_commitment.is_some() {
            return None;
        }
        // The lead is asked for what the co-applicants were not.
        let asked: Option<i64> = a.co_applicants.iter().map(|c| c.asked.map(|x| x.amount_minor)).sum();
        let own = a.total_budget.amount_minor.checked_sub(a.requested.amount_minor);
        let rest = own.zip(asked).and_then(|(own, asked)| own.checked_sub(asked));
        ("lead", rest.and_then(|r| Money::new(r, a.total_budget.currency).ok()))
    } else {
        let c = a.co_applicants.iter().find(|c| c.municipality == *m)?;
        if c.answer != AnswerView::Pending {
            return None;
        }
        ("co_applicant", c.asked)
    };
    let next_meeting = calendar.next_meeting(today, a.deadline.date_naive());
    Some(DecisionOwed {
        municipality: *m,
        role,
        amount,
        due: a.deadline,
        warning: next_meeting.is_none().then(|| "no_meeting_before_deadline".to_string()),
        next_meeting,
        application: a.clone(),
    })
}

fn by_deadline(owed: &mut [DecisionOwed]) {
    owed.sort_by_key(|o| (o.due, o.application.id, o.municipality));
}

impl ReadModels {
    /// Every decision owed in `applications` (each party's), on `when.today`
    /// with the calendars as recorded by `when.at`, by deadline.
    pub(crate) fn decisions_owed_in(&self, applications: &[ApplicationView], when: AsOf) -> Vec<DecisionOwed> {
        let mut owed: Vec<DecisionOwed> = applications
            .iter()
            .flat_map(|a| {
                std::iter::once(a.lead_applicant)
                    .chain(a.co_applicants.iter().map(|c| c.municipality))
                    .filter_map(|m| owed_in(a, &m, &self.calendar(&m, when.at), when.today))
                    .collect::<Vec<_>>()
            })
            .collect();
        by_deadline(&mut owed);
        owed
    }
}

impl Visible<'_> {
    /// The co-financing decisions `m` owes on `when.today` in the
    /// applications as they stood on `valid_at` (as recorded by `when.at`):
    /// drafts it leads without its own commitment, or is invited to and has
    /// not answered, by deadline.
    pub fn decisions_owed(&self, m: &MunicipalityCode, when: AsOf, valid_at: Option<NaiveDate>) -> Vec<DecisionOwed> {
        let calendar = self.models().calendar(m, when.at);
        let mut owed: Vec<DecisionOwed> = self
            .applications_of(m, when.at, valid_at)
            .iter()
            .filter_map(|a| owed_in(a, m, &calendar, when.today))
            .collect();
        by_deadline(&mut owed);
        owed
    }
}
