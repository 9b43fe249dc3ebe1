//! Questions the read models answer, one file per report: dashboards
//! ([`dashboard`]), consortium overviews ([`overview`]), the yearly follow-up
//! report ([`follow_up_report`]), timelines ([`timeline`]) and filtered lists
//! ([`lists`]), now or as of a past instant; entity lookups ([`lookups`]); and
//! the shared rules behind them (funding lines in [`funding`], follow-up
//! deadlines in [`follow_ups`]). "Overdue", "expiring" and "due" are computed
//! against `today`, the as-of date or the current date.
//!
//! Every report that involves joint applications is asked through
//! [`ReadModels::seen_by`](super::ReadModels::seen_by) with the viewer's
//! [`Visibility`](super::Visibility): drafts the viewer may not read are left
//! out before anything is listed or summed.

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::application::ApplicationStatus;
use samverkan_domain::project::ProjectStatus;
use samverkan_domain::{ConsortiumCode, MunicipalityCode, ProgrammeKind};

pub mod dashboard;
pub mod follow_up_report;
pub mod follow_ups;
pub mod funding;
pub mod lists;
pub mod lookups;
pub mod open_data;
pub mod overview;
pub mod payment;
pub mod register;
pub mod retention;
pub mod rules;
pub mod timeline;

pub use dashboard::{Dashboard, DashboardParts, GoalLine, MembershipLine, ProjectLine};
pub use follow_up_report::{FollowUpReport, ReportMilestone, ReportProject};
pub use follow_ups::{follow_up_due, next_follow_up_due, term_of_office, StrategyLine};
pub use funding::{funding_lines, FundingLine};
pub use lookups::CodeResolution;
pub use overview::{ApplicationStanding, ConsortiumOverview, MemberCoFinancing};
pub use register::{DecidedBy, RegisterEntry};
pub use retention::Retention;

/// The moment a question is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    /// Only events recorded up to this instant count (`None`: everything).
    pub at: Option<DateTime<Utc>>,
    /// The calendar day "overdue", "expiring" and "due" are measured against.
    pub today: NaiveDate,
}

impl AsOf {
    pub fn now(now: DateTime<Utc>) -> Self {
        Self {
            at: None,
            today: now.date_naive(),
        }
    }
    pub fn past(at: DateTime<Utc>) -> Self {
        Self {
            at: Some(at),
            today: at.date_naive(),
        }
    }
}

/// The filters of a list of projects ([`ProjectFilter`]) or joint
/// applications ([`ApplicationFilter`]); all given filters must match.
#[derive(Debug, Clone)]
pub struct ListFilter<S> {
    pub municipality: Option<MunicipalityCode>,
    pub consortium: Option<ConsortiumCode>,
    pub programme: Option<ProgrammeKind>,
    pub status: Option<S>,
    /// Projects: active some time in `[from, to]`; applications: drafted in `[from, to]`.
    pub period: Option<(NaiveDate, NaiveDate)>,
}

impl<S> Default for ListFilter<S> {
    fn default() -> Self {
        ListFilter {
            municipality: None,
            consortium: None,
            programme: None,
            status: None,
            period: None,
        }
    }
}

pub type ProjectFilter = ListFilter<ProjectStatus>;
pub type ApplicationFilter = ListFilter<ApplicationStatus>;

/// Resolve the business day a report is asked about: `valid_at`, else the
/// as-of day.
pub(crate) fn on_day(when: AsOf, valid_at: Option<NaiveDate>) -> AsOf {
    AsOf {
        today: valid_at.unwrap_or(when.today),
        ..when
    }
}
