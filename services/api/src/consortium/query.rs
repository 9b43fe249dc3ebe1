//! Lookups and the list of consortia.

use async_graphql::{Context, Object, Result};
use samverkan_domain as d;

use crate::context::read;
use crate::inputs::ConsortiumFilter;
use crate::pagination::{Page, PageArgs};
use crate::query::{not_found_on, stamped_page};
use crate::scalars::{ConsortiumCode, Date, DateTime, Position};
use crate::types::*;

#[derive(Default)]
pub struct ConsortiumQuery;

#[Object]
impl ConsortiumQuery {
    /// One consortium.
    async fn consortium(
        &self,
        ctx: &Context<'_>,
        code: ConsortiumCode,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<Consortium> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let found = read(ctx, at_least_position, |m| {
            m.consortium_on(&code.0, as_of, valid).map(|v| Consortium::from(&v))
        })
        .await?;
        Ok(found.ok_or_else(|| not_found_on("consortium", &code.0, valid))?)
    }

    /// All consortia, ordered by code.
    #[allow(clippy::too_many_arguments)]
    async fn consortia(
        &self,
        ctx: &Context<'_>,
        filter: Option<ConsortiumFilter>,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Consortium>> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let f = filter.unwrap_or_default();
        let kind: Option<d::consortium::ConsortiumKind> = f.kind.map(Into::into);
        let items = read(ctx, at_least_position, |m| {
            m.consortium_codes()
                .iter()
                .filter_map(|c| m.consortium_on(c, as_of, valid))
                .filter(|c| f.member.as_ref().is_none_or(|x| c.is_member(&x.0)))
                .filter(|c| kind.is_none_or(|k| c.kind == k))
                .filter(|c| f.include_dissolved.unwrap_or(true) || c.dissolved_on.is_none())
                .map(|v| (v.code.to_string(), Consortium::from(&v)))
                .collect::<Vec<_>>()
        })
        .await?;
        stamped_page(ctx, items, PageArgs::new(first, after, last, before), valid, as_of)
    }
}
