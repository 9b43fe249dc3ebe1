//! Lookups and the list of strategy documents.

use async_graphql::{Context, Object, Result};
use samverkan_domain as d;
use uuid::Uuid;

use crate::context::read;
use crate::inputs::StrategyFilter;
use crate::pagination::{Page, PageArgs};
use crate::query::{not_found_on, stamped_page};
use crate::scalars::{Date, DateTime, Position};
use crate::types::*;
use samverkan_app::projections::views::ValidOn;

#[derive(Default)]
pub struct StrategyQuery;

#[Object]
impl StrategyQuery {
    /// One strategy document.
    async fn strategy(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<Strategy> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let found = read(ctx, at_least_position, |m| {
            m.strategy_on(&d::StrategyId(id), as_of, valid)
                .map(|v| Strategy::from(&v))
        })
        .await?;
        Ok(found.ok_or_else(|| not_found_on("strategy", id, valid))?)
    }

    /// Strategy documents, ordered by municipality, title and id.
    #[allow(clippy::too_many_arguments)]
    async fn strategies(
        &self,
        ctx: &Context<'_>,
        filter: Option<StrategyFilter>,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Strategy>> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let f = filter.unwrap_or_default();
        let range = f.valid_during.as_ref().map(|r| r.bounds()).transpose()?;
        let status: Option<samverkan_domain::strategy::StrategyStatus> = f.status.map(Into::into);
        let kind: Option<d::strategy::DocumentKind> = f.kind.map(Into::into);
        let items = read(ctx, at_least_position, |m| {
            m.strategies_list_on(f.municipality.as_ref().map(|x| &x.0), as_of, valid)
                .into_iter()
                .filter(|s| status.is_none_or(|st| s.status == st))
                .filter(|s| kind.is_none_or(|k| s.kind == k))
                .filter(|s| {
                    // In force on that day by the decisions' dates: also a
                    // document superseded or repealed since.
                    f.in_force_on
                        .is_none_or(|day| s.clone().on(day.0).is_some_and(|x| x.in_force_on(day.0)))
                })
                .filter(|s| range.is_none_or(|(from, to)| s.validity.is_some_and(|v| v.overlaps(from, to))))
                .map(|s| {
                    (
                        format!("{}\u{1f}{}\u{1f}{}", s.municipality, s.title, s.id),
                        Strategy::from(&s),
                    )
                })
                .collect::<Vec<_>>()
        })
        .await?;
        stamped_page(ctx, items, PageArgs::new(first, after, last, before), valid, as_of)
    }
}
