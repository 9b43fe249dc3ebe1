use chrono::{DateTime, NaiveDate, Utc};

use crate::Currency;

/// Every rule a command can break. Each variant names its rule through
/// [`DomainError::rule`], a stable snake_case identifier used in API errors
/// (`extensions.rule`) and in `docs/domain.md`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    // --- values ---------------------------------------------------------
    #[error("`{value}` is not a municipality code: use country and national code, e.g. SE-1487 or NO-3401")]
    InvalidMunicipalityCode { value: String },
    #[error("`{value}` is not an ISO 3166 alpha-2 country code (e.g. SE, NO, DK)")]
    InvalidCountryCode { value: String },
    #[error("`{value}` is not a consortium code: 1–32 uppercase letters, digits or '-', e.g. V6")]
    InvalidConsortiumCode { value: String },
    #[error("`{value}` is not a valid id (UUID expected)")]
    InvalidId { value: String },
    #[error("`{value}` is not a goal id: 1–64 letters, digits, '-', '_' or '.'")]
    InvalidGoalId { value: String },
    #[error("`{value}` is not a milestone id: 1–64 letters, digits, '-', '_' or '.'")]
    InvalidMilestoneId { value: String },
    #[error("currency `{value}` is not supported (SEK, NOK, EUR, DKK)")]
    UnsupportedCurrency { value: String },
    #[error("money must not be negative (got {amount_minor} minor units)")]
    NegativeAmount { amount_minor: i64 },
    #[error("`{value}` is not an amount: use integer minor units or a decimal with at most two decimals")]
    InvalidAmount { value: String },
    #[error("the amount is too large: one command carries at most 1000000000000000 minor units, and sums must fit in 64 bits")]
    AmountOverflow,
    #[error("an amount of {amount_minor} minor units is more than a command may carry (at most {max})")]
    AmountTooLarge { amount_minor: i64, max: i64 },
    #[error("currency mismatch: expected {expected}, got {found}")]
    CurrencyMismatch { expected: Currency, found: Currency },
    #[error("`{field}` must not be blank")]
    BlankField { field: &'static str },
    #[error("period ends ({end}) before it starts ({start})")]
    PeriodEndsBeforeStart { start: NaiveDate, end: NaiveDate },
    #[error("`{field}` needs an end date")]
    PeriodMustEnd { field: &'static str },

    // --- existence ------------------------------------------------------
    #[error("{aggregate} `{id}` does not exist")]
    NotFound { aggregate: &'static str, id: String },
    #[error("{aggregate} `{id}` already exists")]
    AlreadyExists { aggregate: &'static str, id: String },

    // --- municipality ---------------------------------------------------
    #[error("a municipality cannot be its own twin town")]
    TwinTownIsSelf,
    #[error("`{partner}` is already a twin town")]
    AlreadyTwinTown { partner: String },
    #[error("`{partner}` is not a current twin town")]
    NotTwinTown { partner: String },
    #[error("twin-town agreements are decided by the council (kommunfullmäktige)")]
    TwinTownNeedsCouncilDecision,
    #[error("the agreement cannot end ({ended_on}) before it was signed ({since})")]
    EndsBeforeStart { since: NaiveDate, ended_on: NaiveDate },
    #[error("{code} is not a code of {country}: a municipality keeps its country when its code changes")]
    CodeOfAnotherCountry { code: String, country: String },
    #[error("{code} is already the current code")]
    CodeUnchanged { code: String },
    #[error("the new code cannot start ({valid_from}) before or on the day the current code {current} started ({current_from})")]
    CodeChangeBeforeCurrent {
        valid_from: NaiveDate,
        current: String,
        current_from: NaiveDate,
    },
    #[error("{code} is the code of {municipality} from {} until {}", .from.map_or("the start".to_string(), |d| d.to_string()), .until.map_or("further notice".to_string(), |d| d.to_string()))]
    CodeInUse {
        code: String,
        municipality: String,
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
    },

    // --- consortium -----------------------------------------------------
    #[error("the consortium is dissolved")]
    ConsortiumDissolved,
    #[error("{municipality} is already a member of the consortium")]
    AlreadyMember { municipality: String },
    #[error("{municipality} is not a member of the consortium")]
    NotAMember { municipality: String },
    #[error("the date {date} is before the consortium was formed ({formed_on})")]
    BeforeFormation { date: NaiveDate, formed_on: NaiveDate },
    #[error("{municipality} cannot leave ({left_on}) before it joined ({joined_on})")]
    LeavesBeforeJoining {
        municipality: String,
        joined_on: NaiveDate,
        left_on: NaiveDate,
    },

    // --- strategy document ----------------------------------------------
    #[error("goal id `{goal}` is used twice")]
    DuplicateGoalId { goal: String },
    #[error(
        "strategy documents are adopted by the council (kommunfullmäktige) or the executive board (kommunstyrelsen)"
    )]
    AdoptionBodyNotAllowed,
    #[error("the strategy document is {status}, but the command needs it {required}")]
    StrategyStatus {
        status: &'static str,
        required: &'static str,
    },
    #[error("a strategy document cannot supersede itself")]
    SupersededBySelf,
    #[error("a follow-up for {start}–{end} is already reported")]
    DuplicateFollowUp { start: NaiveDate, end: NaiveDate },
    #[error("the follow-up period (from {start}) ends before the document was adopted ({adopted})")]
    FollowUpBeforeAdoption { start: NaiveDate, adopted: NaiveDate },

    // --- project --------------------------------------------------------
    #[error("the project is {status}; closed projects accept no changes")]
    ProjectClosed { status: &'static str },
    #[error("the grant ({grant}) exceeds the budget ({budget})")]
    GrantExceedsBudget { grant: i64, budget: i64 },
    #[error("`{participant}` takes part in the project twice")]
    DuplicateParticipant { participant: String },
    #[error("`{participant}` is not a partner of the project")]
    NotAPartner { participant: String },
    #[error("the lead partner cannot leave the project")]
    LeadCannotLeave,
    #[error("milestone `{milestone}` already exists")]
    DuplicateMilestone { milestone: String },
    #[error("milestone `{milestone}` does not exist")]
    UnknownMilestone { milestone: String },
    #[error("milestone `{milestone}` is cancelled and cannot be {action}")]
    MilestoneCancelled { milestone: String, action: &'static str },
    #[error("milestone `{milestone}` is already achieved")]
    MilestoneAlreadyAchieved { milestone: String },
    #[error("the date {date} is outside the project period {start}–{end}")]
    OutsideProjectPeriod {
        date: NaiveDate,
        start: NaiveDate,
        end: NaiveDate,
    },
    #[error("milestones are still open: {}", .milestones.join(", "))]
    OpenMilestonesRemain { milestones: Vec<String> },
    #[error("the new due date equals the current one")]
    RescheduleToSameDate,

    // --- joint application ----------------------------------------------
    #[error("the application is {status}, but the command needs it {required}")]
    ApplicationStatus {
        status: &'static str,
        required: &'static str,
    },
    #[error("the requested amount ({requested}) exceeds the total budget ({budget})")]
    RequestExceedsBudget { requested: i64, budget: i64 },
    #[error("the granted amount ({granted}) exceeds the requested amount ({requested})")]
    GrantExceedsRequest { granted: i64, requested: i64 },
    #[error("{municipality} is the lead applicant and cannot be invited as co-applicant")]
    LeadCannotBeInvited { municipality: String },
    #[error("{municipality} is already invited")]
    AlreadyInvited { municipality: String },
    #[error("{municipality} is not an invited co-applicant or the lead applicant")]
    NotInvited { municipality: String },
    #[error("co-applicants have not answered: {}", .pending.join(", "))]
    CoApplicantsNotAnswered { pending: Vec<String> },
    #[error("a benefit-and-risk assessment (nytto- och riskanalys) must be recorded before submission")]
    RiskAssessmentMissing,
    #[error("the deadline {deadline} has passed (now {now})")]
    DeadlinePassed {
        deadline: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    #[error("the lead applicant cannot decline: withdraw the application instead")]
    LeadCannotDecline,
    #[error("the budget sides do not add up to the application's budget: {detail}")]
    BudgetSidesMismatch { detail: String },
    #[error("the amount {given} does not match its conversion ({computed} at the rate given)")]
    ConversionMismatch { given: String, computed: String },
    #[error("the application has no budget side for {country}: a funder decides one side of a cross-border budget")]
    UnknownBudgetSide { country: String },
    #[error("the {country} side is already decided ({decision}): each side has one funder decision")]
    SideAlreadyDecided { country: String, decision: String },
    #[error("a funder decision either grants an amount or refuses with a reason: {reason}")]
    InvalidFunderDecision { reason: &'static str },
    #[error("a cross-border application is decided per side: record each side's funder decision (recordFunderDecision), not one approval or rejection")]
    FunderDecisionPerSide,
    #[error("the budget has two sides for {country}: one side per country")]
    DuplicateBudgetSide { country: String },
    #[error(
        "{municipality} has no commitment in this application: only a party that committed co-financing confirms it"
    )]
    NotCommittedParty { municipality: String },
    #[error("the confirmation on {confirmed_on} is before the funder's decision on {decided_on}: commitments are confirmed after the decision")]
    ConfirmationBeforeDecision {
        confirmed_on: NaiveDate,
        decided_on: NaiveDate,
    },
    #[error("{municipality} already confirmed its commitment on {confirmed_on}: a commitment is confirmed once")]
    CommitmentAlreadyConfirmed {
        municipality: String,
        confirmed_on: NaiveDate,
    },
    #[error("`{value}` is not a data subject id: 1–100 letters, digits, '-', '_' or '.'")]
    InvalidSubjectId { value: String },
    #[error("the {field} is personal data and must arrive sealed under its data subject's key")]
    NotSealed { field: &'static str },
    #[error("the sealed {field} belongs to data subject `{found}`, not to `{expected}`")]
    SealedForAnotherSubject {
        field: &'static str,
        expected: String,
        found: String,
    },
    #[error("the personal data of data subject `{subject}` was erased on {erased_on}: it cannot be recorded again")]
    SubjectErased { subject: String, erased_on: NaiveDate },
    #[error(
        "{municipality} takes no part in the project: a contact person is named for the lead or a partner municipality"
    )]
    NotAParticipatingMunicipality { municipality: String },
    #[error("the project is still running: its records are kept until it closes and its retention period has ended")]
    ProjectStillRunning,
    #[error("the project's programme rule set has no retention rule (`records_retained`): its records are kept, and personal data in them cannot be erased")]
    NoRetentionRule,
    #[error("the project's records are kept until {retained_until} (the end of the {years}th year after it closed in {closed_year}): erasure is refused before then")]
    RetentionNotReached {
        retained_until: NaiveDate,
        years: u32,
        closed_year: i32,
    },
    #[error("the project's result was already approved on {approved_on}: a result is approved once")]
    ResultAlreadyApproved { approved_on: NaiveDate },
    #[error("the result cannot be approved on {approved_on}, before the project started on {start}")]
    ResultApprovedBeforeStart { approved_on: NaiveDate, start: NaiveDate },
    #[error("`{field}` is {date}, after today ({today}): record what has already happened")]
    DateInFuture {
        field: &'static str,
        date: NaiveDate,
        today: NaiveDate,
    },

    // --- programme ------------------------------------------------------
    #[error("`{value}` is not a programme code: 1–64 uppercase letters, digits or '-', e.g. INTERREG-SE-NO-2021-2027")]
    InvalidProgrammeCode { value: String },
    #[error("the rule is not valid: {reason}")]
    InvalidRule { reason: String },
    #[error("rule set `{version}` already exists")]
    DuplicateRuleSet { version: String },
    #[error("rule set `{version}` does not exist")]
    UnknownRuleSet { version: String },
    #[error("rule set `{version}` is not in force on {day}")]
    RuleSetNotInForce { version: String, day: NaiveDate },
    #[error("call `{call}` already exists")]
    DuplicateCall { call: String },
    #[error("`{value}` is not an exchange rate: write a positive decimal with at most six decimals, e.g. 0.0856")]
    InvalidExchangeRate { value: String },
    #[error("{label}: {detail} (programme rule `{rule}`)")]
    ProgrammeRuleBroken {
        rule: &'static str,
        label: String,
        detail: String,
    },

    // --- meeting calendar -----------------------------------------------
    #[error("meetings are planned for the council, the executive board or a committee")]
    MeetingBodyNotAllowed,
    #[error("a meeting of that body on {date} is already planned")]
    MeetingAlreadyScheduled { date: NaiveDate },
    #[error("no meeting of that body is planned on {date}")]
    UnknownMeeting { date: NaiveDate },
}

impl DomainError {
    /// The stable name of the broken rule.
    pub fn rule(&self) -> &'static str {
        use DomainError::*;
        match self {
            InvalidMunicipalityCode { .. } => "invalid_municipality_code",
            InvalidCountryCode { .. } => "invalid_country_code",
            InvalidConsortiumCode { .. } => "invalid_consortium_code",
            InvalidId { .. } => "invalid_id",
            InvalidGoalId { .. } => "invalid_goal_id",
            InvalidMilestoneId { .. } => "invalid_milestone_id",
            UnsupportedCurrency { .. } => "unsupported_currency",
            NegativeAmount { .. } => "negative_amount",
            InvalidAmount { .. } => "invalid_amount",
            AmountOverflow => "amount_overflow",
            AmountTooLarge { .. } => "amount_too_large",
            CurrencyMismatch { .. } => "currency_mismatch",
            BlankField { .. } => "blank_field",
            PeriodEndsBeforeStart { .. } => "period_ends_before_start",
            PeriodMustEnd { .. } => "period_must_end",
            NotFound { .. } => "not_found",
            AlreadyExists { .. } => "already_exists",
            TwinTownIsSelf => "twin_town_is_self",
            AlreadyTwinTown { .. } => "already_twin_town",
            NotTwinTown { .. } => "not_twin_town",
            TwinTownNeedsCouncilDecision => "twin_town_needs_council_decision",
            EndsBeforeStart { .. } => "ends_before_start",
            CodeOfAnotherCountry { .. } => "code_of_another_country",
            CodeUnchanged { .. } => "code_unchanged",
            CodeChangeBeforeCurrent { .. } => "code_change_before_current",
            CodeInUse { .. } => "code_in_use",
            ConsortiumDissolved => "consortium_dissolved",
            AlreadyMember { .. } => "already_member",
            NotAMember { .. } => "not_a_member",
            BeforeFormation { .. } => "before_formation",
            LeavesBeforeJoining { .. } => "leaves_before_joining",
            DuplicateGoalId { .. } => "duplicate_goal_id",
            AdoptionBodyNotAllowed => "adoption_body_not_allowed",
            StrategyStatus { .. } => "strategy_status",
            SupersededBySelf => "superseded_by_self",
            DuplicateFollowUp { .. } => "duplicate_follow_up",
            FollowUpBeforeAdoption { .. } => "follow_up_before_adoption",
            ProjectClosed { .. } => "project_closed",
            GrantExceedsBudget { .. } => "grant_exceeds_budget",
            DuplicateParticipant { .. } => "duplicate_participant",
            NotAPartner { .. } => "not_a_partner",
            LeadCannotLeave => "lead_cannot_leave",
            DuplicateMilestone { .. } => "duplicate_milestone",
            UnknownMilestone { .. } => "unknown_milestone",
            MilestoneCancelled { .. } => "milestone_cancelled",
            MilestoneAlreadyAchieved { .. } => "milestone_already_achieved",
            OutsideProjectPeriod { .. } => "outside_project_period",
            OpenMilestonesRemain { .. } => "open_milestones_remain",
            RescheduleToSameDate => "reschedule_to_same_date",
            ApplicationStatus { .. } => "application_status",
            RequestExceedsBudget { .. } => "request_exceeds_budget",
            GrantExceedsRequest { .. } => "grant_exceeds_request",
            LeadCannotBeInvited { .. } => "lead_cannot_be_invited",
            AlreadyInvited { .. } => "already_invited",
            NotInvited { .. } => "not_invited",
            CoApplicantsNotAnswered { .. } => "co_applicants_not_answered",
            RiskAssessmentMissing => "risk_assessment_missing",
            DeadlinePassed { .. } => "deadline_passed",
            LeadCannotDecline => "lead_cannot_decline",
            BudgetSidesMismatch { .. } => "budget_sides_mismatch",
            ConversionMismatch { .. } => "conversion_mismatch",
            UnknownBudgetSide { .. } => "unknown_budget_side",
            SideAlreadyDecided { .. } => "side_already_decided",
            InvalidFunderDecision { .. } => "invalid_funder_decision",
            FunderDecisionPerSide => "funder_decision_per_side",
            DuplicateBudgetSide { .. } => "duplicate_budget_side",
            NotCommittedParty { .. } => "not_committed_party",
            ConfirmationBeforeDecision { .. } => "confirmation_before_decision",
            CommitmentAlreadyConfirmed { .. } => "commitment_already_confirmed",
            DateInFuture { .. } => "date_in_future",
            ResultAlreadyApproved { .. } => "result_already_approved",
            InvalidSubjectId { .. } => "invalid_subject_id",
            SealedForAnotherSubject { .. } => "sealed_for_another_subject",
            NotSealed { .. } => "not_sealed",
            SubjectErased { .. } => "subject_erased",
            NotAParticipatingMunicipality { .. } => "not_a_participating_municipality",
            ProjectStillRunning => "project_still_running",
            NoRetentionRule => "no_retention_rule",
            RetentionNotReached { .. } => "retention_not_reached",
            ResultApprovedBeforeStart { .. } => "result_approved_before_start",
            InvalidProgrammeCode { .. } => "invalid_programme_code",
            InvalidRule { .. } => "invalid_rule",
            DuplicateRuleSet { .. } => "duplicate_rule_set",
            UnknownRuleSet { .. } => "unknown_rule_set",
            RuleSetNotInForce { .. } => "rule_set_not_in_force",
            DuplicateCall { .. } => "duplicate_call",
            InvalidExchangeRate { .. } => "invalid_exchange_rate",
            ProgrammeRuleBroken { rule, .. } => rule,
            MeetingBodyNotAllowed => "meeting_body_not_allowed",
            MeetingAlreadyScheduled { .. } => "meeting_already_scheduled",
            UnknownMeeting { .. } => "unknown_meeting",
        }
    }

    /// `true` when the command addressed something that does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, DomainError::NotFound { .. })
    }
}
