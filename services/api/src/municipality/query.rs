//! Lookups and the list of municipalities (codes resolved on `validAt`).

use async_graphql::{Context, Object, Result};

use crate::context::read;
use crate::error::ApiError;
use crate::pagination::{Page, PageArgs};
use crate::query::{not_found_on, stamped_page};
use crate::scalars::{CountryCode, Date, DateTime, MunicipalityCode, Position};
use crate::types::*;

#[derive(Default)]
pub struct MunicipalityQuery;

#[Object]
impl MunicipalityQuery {
    /// One municipality.
    async fn municipality(
        &self,
        ctx: &Context<'_>,
        code: MunicipalityCode,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<Municipality> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        // The code is resolved as of `validAt` (default: today) through the
        // code index; an old code answers for its own period only.
        let found = read(ctx, at_least_position, |m| {
            match m.resolve_code(&code.0, as_of, valid) {
                samverkan_app::projections::CodeResolution::Found(identity) => m
                    .municipality_on(&identity, as_of, valid)
                    .map(|v| Municipality::from(&v))
                    .ok_or_else(|| not_found_on("municipality", code.0, valid)),
                miss @ samverkan_app::projections::CodeResolution::NotValidOn { .. } => {
                    Err(ApiError::not_found(miss.message(&code.0)))
                }
                samverkan_app::projections::CodeResolution::Unknown => Err(not_found_on("municipality", code.0, valid)),
            }
        })
        .await?;
        Ok(found?)
    }

    /// All municipalities, ordered by code.
    #[allow(clippy::too_many_arguments)]
    async fn municipalities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only municipalities of this country.")] country: Option<CountryCode>,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Municipality>> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let items = read(ctx, at_least_position, |m| {
            m.municipality_codes()
                .iter()
                .filter(|c| country.as_ref().is_none_or(|k| c.country() == k.0))
                .filter_map(|c| m.municipality_on(c, as_of, valid))
                .map(|v| (v.code.to_string(), Municipality::from(&v)))
                .collect::<Vec<_>>()
        })
        .await?;
        stamped_page(ctx, items, PageArgs::new(first, after, last, before), valid, as_of)
    }
}
