//! Lookups and the list of projects.

use async_graphql::{Context, Object, Result};
use samverkan_domain as d;
use uuid::Uuid;

use crate::context::read;
use crate::inputs::ProjectFilter;
use crate::pagination::{Page, PageArgs};
use crate::query::{not_found_on, stamped_page};
use crate::scalars::{Date, DateTime, Position};
use crate::types::*;
use samverkan_app::projections::ProjectFilter as AppProjectFilter;

#[derive(Default)]
pub struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// One project.
    async fn project(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<Project> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let found = read(ctx, at_least_position, |m| {
            m.project_on(&d::ProjectId(id), as_of, valid).map(|v| Project::from(&v))
        })
        .await?;
        Ok(found.ok_or_else(|| not_found_on("project", id, valid))?)
    }

    /// Projects, ordered by start date and id.
    #[allow(clippy::too_many_arguments)]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProjectFilter>,
        #[graphql(desc = "Business time: the world on this calendar day, by the decisions' own dates.")]
        valid_at: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Project>> {
        let as_of = as_of.map(|t| t.0);
        let valid = valid_at.map(|d| d.0);
        let f = filter.unwrap_or_default();
        let app_filter = AppProjectFilter {
            municipality: f.municipality.map(|x| x.0),
            consortium: f.consortium.map(|x| x.0),
            programme: f.programme.map(Into::into),
            status: f.status.map(Into::into),
            period: f.active_during.as_ref().map(|r| r.bounds()).transpose()?,
        };
        let items = read(ctx, at_least_position, |m| {
            m.projects_on(&app_filter, as_of, valid)
                .iter()
                .map(|p| {
                    (
                        format!("{}\u{1f}{}", p.period.start.format("%Y-%m-%d"), p.id),
                        Project::from(p),
                    )
                })
                .collect::<Vec<_>>()
        })
        .await?;
        stamped_page(ctx, items, PageArgs::new(first, after, last, before), valid, as_of)
    }
}
