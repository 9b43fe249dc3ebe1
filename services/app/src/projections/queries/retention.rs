//! How long a project's records are kept (bevarande), and so when personal
//! data in them may be erased: the `records_retained` rule of the rule set
//! the project's application was drafted under (frozen at drafting), counted
//! from the calendar year the project closed. A project registered directly
//! has no rule set and so no retention date: its records are kept.
//!
//! Time axis: the read models as they are now (business dates of closing).

use chrono::NaiveDate;
use samverkan_domain::personal::SubjectId;
use samverkan_domain::programme::RuleKind;
use samverkan_domain::project::personal_retained_until;
use samverkan_domain::ProjectId;
use serde::Serialize;

use crate::projections::model::ReadModels;
use crate::projections::views::ProjectView;

/// A project's retention rule and, once it closed, its last day of retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retention {
    /// Kept until the end of this many calendar years after the closing year.
    pub years_after_closing: u32,
    pub label: String,
    pub source: String,
    /// The last day the records are kept (`None` while the project runs);
    /// personal data in them may be erased from the day after.
    pub retained_until: Option<NaiveDate>,
}

impl ReadModels {
    /// The retention of `p`: `None` when its application's rule set has no
    /// `records_retained` rule, or it has no application.
    pub fn retention(&self, p: &ProjectView) -> Option<Retention> {
        let application = self.applications.get(&p.from_application?)?.current.as_ref()?;
        let rules = application.call_rules.as_ref()?;
        rules.rule_set.rules.iter().find_map(|r| match r.kind {
            RuleKind::RecordsRetained { years_after_closing } => Some(Retention {
                years_after_closing,
                label: r.label.clone(),
                source: r.source.clone(),
                retained_until: p
                    .closed_on
                    .and_then(|closed| personal_retained_until(closed, years_after_closing)),
            }),
            _ => None,
        })
    }

    /// The retention of the project `id` as it is now.
    pub fn retention_of(&self, id: &ProjectId) -> Option<Retention> {
        self.retention(self.projects.get(id)?.current.as_ref()?)
    }

    /// The projects naming `subject` (a contact person), in id order.
    pub fn projects_naming(&self, subject: &SubjectId) -> Vec<ProjectId> {
        let mut ids: Vec<ProjectId> = self
            .projects
            .iter()
            .filter(|(_, e)| {
                e.current
                    .as_ref()
                    .is_some_and(|p| p.contacts.iter().any(|c| &c.subject == subject))
            })
            .map(|(id, _)| *id)
            .collect();
        ids.sort();
        ids
    }
}
