//! A municipality's or consortium's history, newest first.

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::ApplicationId;

use crate::projections::Visible;
use crate::projections::{Log, Subject, TimelineEntry};

impl Visible<'_> {
    /// Timeline of a subject (`municipality:SE-1487`, `consortium:V6`), newest
    /// first, entries strictly before position `before`, at most `limit`.
    /// Returns the entries and whether older ones remain.
    pub fn timeline(
        &self,
        subject: &str,
        before: Option<u64>,
        limit: usize,
        at: Option<DateTime<Utc>>,
    ) -> (Vec<TimelineEntry>, bool) {
        self.timeline_on(subject, before, limit, at, None)
    }

    /// The timeline without the events whose own date is after `valid_at`
    /// (events without a business date stay) and without the entries of
    /// applications the viewer may not see.
    pub fn timeline_on(
        &self,
        subject: &str,
        before: Option<u64>,
        limit: usize,
        at: Option<DateTime<Utc>>,
        valid_at: Option<NaiveDate>,
    ) -> (Vec<TimelineEntry>, bool) {
        let models = self.models;
        let Some(indices) = Subject::parse(subject).and_then(|s| models.by_subject.get(&s)) else {
            return (vec![], false);
        };
        let mut seen: std::collections::HashMap<ApplicationId, bool> = std::collections::HashMap::new();
        let mut out = vec![];
        for &i in indices.iter().rev() {
            let Some(e) = models.log.get(i) else { continue };
            if before.is_some_and(|b| e.position() >= b)
                || at.is_some_and(|t| e.at().recorded_at > t)
                || Log::after_business_day(e, valid_at)
            {
                continue;
            }
            if let Some(id) = models.log.application(e) {
                if !*seen.entry(id).or_insert_with(|| self.may_see_id(&id)) {
                    continue;
                }
            }
            if out.len() == limit {
                return (out, true);
            }
            out.extend(models.log.timeline(i));
        }
        (out, false)
    }
}
