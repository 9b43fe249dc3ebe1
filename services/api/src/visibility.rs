//! The caller as a viewer of the read models. Municipalities, strategies,
//! consortia, projects and submitted applications are public records for
//! every authenticated caller; a joint application that has not been
//! submitted is seen only by its parties ([`may_read_draft`]). The rule is
//! applied inside the read models' reports (`ReadModels::seen_by`), before
//! anything is listed or summed: lookups and lists of applications,
//! dashboards' action lists, funding and handovers, consortium overviews,
//! follow-up reports, timelines and the subscription feeds.

use samverkan_app::projections::views::ApplicationView;
use samverkan_app::projections::Visibility;
use samverkan_domain::MunicipalityCode;

use crate::auth::{may_read_draft, Principal};

/// The caller, as far as reading goes.
pub(crate) struct Viewer<'p> {
    principal: &'p Principal,
}

impl<'p> Viewer<'p> {
    pub(crate) fn new(principal: &'p Principal) -> Self {
        Self { principal }
    }
}

impl Visibility for Viewer<'_> {
    fn may_read_draft(&self, a: &ApplicationView) -> bool {
        let invited: Vec<MunicipalityCode> = a.co_applicants.iter().map(|c| c.municipality).collect();
        may_read_draft(self.principal, &a.consortium, &a.lead_applicant, &invited)
    }
}
