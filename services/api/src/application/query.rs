//! Lookups and the list of joint applications, as the caller may see them
//! (drafts of others are left out; a lookup of one answers `FORBIDDEN`).

use async_graphql::{Context, Object, Result};
use samverkan_domain as d;
use uuid::Uuid;

use crate::context::read_seen;
use crate::error::ApiError;
use crate::inputs::ApplicationFilter;
use crate::pagination::{Page, PageArgs};
use crate::query::{not_found_on, stamped_page};
use crate::scalars::{Date, DateTime, Position};
use crate::types::*;
use samverkan_app::projections::ApplicationFilter as AppApplicationFilter;

#[derive(Default)]
pub struct ApplicationQuery;

#[Object]
impl ApplicationQuery {
    /// One joint application.
    async fn application(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<Application> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let found = read_seen(ctx, at_least_position, |seen| {
            seen.application_on(&d::ApplicationId(id), as_of, valid)
                .map(|v| v.ok().map(|v| Application::from(&v)))
        })
        .await?;
        match found {
            None => Err(not_found_on("application", id, valid).into()),
            Some(None) => Err(ApiError::forbidden(format!(
                "application `{id}` is a draft: until it is submitted only its consortium's coordinator, \
                 the lead applicant and the invited co-applicants see it"
            ))
            .into()),
            Some(Some(a)) => Ok(a),
        }
    }

    /// Joint applications, ordered by the time they were drafted, then id.
    #[allow(clippy::too_many_arguments)]
    async fn applications(
        &self,
        ctx: &Context<'_>,
        filter: Option<ApplicationFilter>,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Application>> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let f = filter.unwrap_or_default();
        let app_filter = AppApplicationFilter {
            municipality: f.municipality.map(|x| x.0),
            consortium: f.consortium.map(|x| x.0),
            programme: f.programme.map(Into::into),
            status: f.status.map(Into::into),
            period: f.drafted_during.as_ref().map(|r| r.bounds()).transpose()?,
        };
        let items = read_seen(ctx, at_least_position, |seen| {
            seen.applications_list_on(&app_filter, as_of, valid)
                .iter()
                .map(|a| {
                    (
                        format!(
                            "{}\u{1f}{}",
                            a.drafted_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                            a.id
                        ),
                        Application::from(a),
                    )
                })
                .collect::<Vec<_>>()
        })
        .await?;
        stamped_page(ctx, items, PageArgs::new(first, after, last, before), valid, as_of)
    }
}
