//! Lump sums paid all or nothing on the result (Erasmus+ KA220/KA210,
//! Interreg Aurora small projects): a project whose application's rule set
//! has `lump_sum_paid_on_result` has its whole grant at risk until the
//! funder approves its result (`ProjectResultApproved`).
//!
//! Time axis: the project and its application as recorded by `asOf`
//! (`AsOf::at`), the approval counted when it is dated on or before the
//! business day (`AsOf::today`).

use chrono::NaiveDate;
use samverkan_domain::programme::RuleKind;
use samverkan_domain::project::ProjectStatus;
use samverkan_domain::Money;
use serde::Serialize;

use super::AsOf;
use crate::projections::model::ReadModels;
use crate::projections::views::{ApplicationView, ProjectView};

/// A project's grant that is paid only when the funder approves the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentAtRisk {
    /// The granted lump sum (the project's grant).
    pub amount: Money,
    /// The rule's stable name: `lump_sum_paid_on_result`.
    pub rule: &'static str,
    pub label: String,
    pub source: String,
}

impl ReadModels {
    /// The day the funder approved the result of the project `a` became,
    /// if it has (as recorded by `when.at`, dated by `when.today`).
    pub fn result_approved_on(&self, a: &ApplicationView, when: AsOf) -> Option<NaiveDate> {
        let project = self.projects.get(&a.project?)?.at(when.at, &self.log)?;
        project
            .result_approved
            .map(|r| r.approved_on)
            .filter(|day| *day <= when.today)
    }

    /// The grant of `p` at risk until its result is approved: `None` when the
    /// project has no application (registered directly), its application's
    /// rule set has no `lump_sum_paid_on_result` rule, the result is
    /// approved, or the project is cancelled.
    pub fn payment_at_risk(&self, p: &ProjectView, when: AsOf) -> Option<PaymentAtRisk> {
        if p.status == ProjectStatus::Cancelled {
            return None;
        }
        if p.result_approved.as_ref().is_some_and(|r| r.approved_on <= when.today) {
            return None;
        }
        let application = self.applications.get(&p.from_application?)?.at(when.at, &self.log)?;
        let rules = application.call_rules?;
        let rule = rules
            .rule_set
            .rules
            .into_iter()
            .find(|r| r.kind == RuleKind::LumpSumPaidOnResult)?;
        Some(PaymentAtRisk {
            amount: p.financing.grant,
            rule: rule.kind.name(),
            label: rule.label,
            source: rule.source,
        })
    }
}
