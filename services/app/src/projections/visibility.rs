//! Who is asking, as far as reading goes. Municipalities, strategies,
//! consortia, projects and submitted applications are public records; a
//! joint application that has not been submitted is seen only by the
//! viewers its [`Visibility`] lets read drafts. Whether an application is
//! still a draft is judged on its *current* state, also for as-of
//! questions: once submitted, its whole history is public.
//!
//! The reports that involve applications (dashboard, consortium overview,
//! follow-up report, timeline, the list of applications) exist only on
//! [`Visible`], the read models as one viewer sees them
//! ([`ReadModels::seen_by`]): hidden drafts are left out before anything is
//! listed or summed, and a report asked without a viewer does not compile.

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::{ApplicationId, MunicipalityCode};

use super::views::ApplicationView;
use super::{ReadModels, TimelineEntry};

/// The viewer's rule for drafts (the API builds it from the caller's roles).
pub trait Visibility {
    /// Whether the viewer may read this application while it is not
    /// submitted (given its current view).
    fn may_read_draft(&self, application: &ApplicationView) -> bool;
}

/// Sees every draft: for administrators and internal use (the process
/// manager, tests, benchmarks), never for an ordinary caller.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unrestricted;

impl Visibility for Unrestricted {
    fn may_read_draft(&self, _: &ApplicationView) -> bool {
        true
    }
}

/// An application the viewer may not see (a draft of others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hidden;

/// The read models as one viewer sees them.
///
/// ```
/// # use samverkan_app::projections::{AsOf, Unrestricted};
/// # fn ask(models: &samverkan_app::ReadModels, code: &samverkan_domain::MunicipalityCode, when: AsOf) {
/// let dashboard = models.seen_by(&Unrestricted).dashboard(code, when);
/// # }
/// ```
///
/// A report asked without a viewer does not compile:
///
/// ```compile_fail
/// # use samverkan_app::projections::{AsOf, Unrestricted};
/// # fn ask(models: &samverkan_app::ReadModels, code: &samverkan_domain::MunicipalityCode, when: AsOf) {
/// let dashboard = models.dashboard(code, when);
/// # }
/// ```
#[derive(Clone, Copy)]
pub struct Visible<'a> {
    pub(crate) models: &'a ReadModels,
    viewer: &'a dyn Visibility,
}

impl ReadModels {
    /// The read models as `viewer` sees them: the reports that involve
    /// applications are asked here.
    pub fn seen_by<'a>(&'a self, viewer: &'a dyn Visibility) -> Visible<'a> {
        Visible { models: self, viewer }
    }
}

impl<'a> Visible<'a> {
    /// The read models behind (entity lookups, public lists).
    pub fn models(&self) -> &'a ReadModels {
        self.models
    }

    fn visible_now(&self, current: &ApplicationView) -> bool {
        current.submitted_at.is_some() || self.viewer.may_read_draft(current)
    }

    /// Whether the viewer may see this application (given as of any instant).
    pub fn may_see(&self, a: &ApplicationView) -> bool {
        let current = self.models.current_application(&a.id).unwrap_or(a);
        self.visible_now(current)
    }

    /// Whether the viewer may see the application with this id (unknown ids: yes).
    pub fn may_see_id(&self, id: &ApplicationId) -> bool {
        self.models.current_application(id).is_none_or(|a| self.visible_now(a))
    }

    /// Whether the viewer may see the application with this id, failing
    /// closed: an id the read models do not know (yet) is not visible.
    pub fn may_see_known_id(&self, id: &ApplicationId) -> bool {
        self.models.current_application(id).is_some_and(|a| self.visible_now(a))
    }

    /// Whether a (live) timeline entry may be sent to the viewer.
    pub fn may_see_entry(&self, entry: &TimelineEntry) -> bool {
        entry.application.is_none_or(|id| self.may_see_id(&id))
    }

    /// One application as recorded by `at`, as it stood on `valid_at`:
    /// `None` if it did not exist, `Err(Hidden)` if the viewer may not see it.
    pub fn application_on(
        &self,
        id: &ApplicationId,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> Option<Result<ApplicationView, Hidden>> {
        let a = self.models.application_on(id, at, valid_at)?;
        Some(if self.may_see(&a) { Ok(a) } else { Err(Hidden) })
    }

    /// The applications a municipality takes part in that the viewer may see.
    pub(crate) fn applications_of(
        &self,
        m: &MunicipalityCode,
        at: Option<DateTime<Utc>>,
        v: Option<NaiveDate>,
    ) -> Vec<ApplicationView> {
        let on = |id: &ApplicationId| {
            let a = self.models.application_on(id, at, v)?;
            (a.involves(m) && self.may_see(&a)).then_some(a)
        };
        self.models.linked(m, |r| &r.applications, on)
    }
}
