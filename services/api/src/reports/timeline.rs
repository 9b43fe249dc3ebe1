//! The history of a municipality or consortium, and the read models' position.

use async_graphql::{Context, Object, Result, SimpleObject};

use crate::context::{principal, state};
use crate::error::ApiError;
use crate::query::{max_page, At};
use crate::scalars::{ConsortiumCode, Date, DateTime, MunicipalityCode, Position};
use samverkan_app::projections::TimelineEntry as TimelineEntryView;

/// One event in the history of a municipality or consortium.
#[derive(SimpleObject, Clone, Debug)]
pub struct TimelineEntry {
    /// Global log position (the cursor of the timeline).
    pub position: Position,
    pub recorded_at: DateTime,
    /// The stream (`<aggregate>-<id>`) the event belongs to.
    pub stream: String,
    /// Event type, e.g. `StrategyAdopted`.
    pub event_type: String,
    /// Who caused it (the authenticated subject).
    pub actor: Option<String>,
    /// The role the actor acted in, e.g. `coordinator:V6`.
    pub actor_role: Option<String>,
    /// A short human line.
    pub summary: String,
    /// Subjects the event concerns, e.g. `municipality:SE-1487`, `consortium:V6`.
    pub subjects: Vec<String>,
}

impl From<&TimelineEntryView> for TimelineEntry {
    fn from(e: &TimelineEntryView) -> Self {
        TimelineEntry {
            position: Position(e.position),
            recorded_at: e.recorded_at.into(),
            stream: e.stream.clone(),
            event_type: e.event_type.clone(),
            actor: e.actor.clone(),
            actor_role: e.actor_role.clone(),
            summary: e.summary.clone(),
            subjects: e.subjects.clone(),
        }
    }
}

#[derive(Default)]
pub struct TimelineQuery;

#[Object]
impl TimelineQuery {
    /// The history of a municipality or a consortium (give exactly one),
    /// newest first. Pages forward only (`first`/`after`); the cursor is the
    /// entry's log position.
    #[allow(clippy::too_many_arguments)]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        municipality: Option<MunicipalityCode>,
        consortium: Option<ConsortiumCode>,
        #[graphql(
            desc = "Business time: leave out events whose own date (joined on, adopted, decided on, …) \
                          is after this day; events without such a date stay."
        )]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<crate::pagination::ForwardPage<TimelineEntry>> {
        let at = At::new(valid_at, as_of, at_least_position);
        let subject = match (&municipality, &consortium) {
            (Some(m), None) => samverkan_app::projections::municipality_subject(&m.0),
            (None, Some(c)) => samverkan_app::projections::consortium_subject(&c.0),
            _ => {
                return Err(ApiError::validation(
                    "one_subject_required",
                    "give exactly one of `municipality` and `consortium`",
                )
                .into())
            }
        };
        let limit = crate::pagination::page_size(first, max_page(ctx)?)?;
        let before = crate::pagination::position_cursor(after.as_deref())?;
        let (entries, has_more) = at
            .read_seen(ctx, |seen| {
                seen.timeline_on(&subject, before, limit, at.as_of, at.valid)
            })
            .await?;
        let items = entries
            .iter()
            .map(|e| (e.position.to_string(), TimelineEntry::from(e)))
            .collect();
        Ok(crate::pagination::ordered_page(items, before.is_some(), has_more))
    }

    /// The log position the read models have reached (null: nothing applied yet).
    async fn read_model_position(&self, ctx: &Context<'_>) -> Result<Option<Position>> {
        principal(ctx)?;
        Ok(state(ctx)?.projections.position().map(Position))
    }
}
