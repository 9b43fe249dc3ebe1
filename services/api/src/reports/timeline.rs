//! The history of a municipality or consortium, and the read models' position.

use async_graphql::{Context, Object, Result, SimpleObject};

use crate::context::{principal, state};
use crate::error::ApiError;
use crate::query::{max_page, At};
use crate::scalars::{ConsortiumCode, Date, DateTime, MunicipalityCode, Position};
use crate::shared::output_from;
use samverkan_app::projections::TimelineEntry as TimelineEntryView;

output_from! {
    /// One event in the history of a municipality or consortium.
    #[derive(SimpleObject, Clone, Debug)]
    pub struct TimelineEntry from e: &TimelineEntryView {
        /// Global log position (the cursor of the timeline).
        pub position: Position = Position(e.position),
        pub recorded_at: DateTime = e.recorded_at.into(),
        /// The stream (`<aggregate>-<id>`) the event belongs to.
        pub stream: String = e.stream.clone(),
        /// Event type, e.g. `StrategyAdopted`.
        pub event_type: String = e.event_type.clone(),
        /// Who caused it (the authenticated subject).
        pub actor: Option<String> = e.actor.clone(),
        /// The role the actor acted in, e.g. `coordinator:V6`.
        pub actor_role: Option<String> = e.actor_role.clone(),
        /// A short human line.
        pub summary: String = e.summary.clone(),
        /// Subjects the event concerns, e.g. `municipality:SE-1487`, `consortium:V6`.
        pub subjects: Vec<String> = e.subjects.clone(),
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
        let at = At::new(ctx, valid_at, as_of, at_least_position)?;
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
