//! Lookups and the list of projects.

use samverkan_app::projections::ProjectFilter as AppProjectFilter;
use samverkan_domain as d;
use uuid::Uuid;

use crate::inputs::ProjectFilter;
use crate::types::*;

crate::query::read_fields! {
    ProjectQuery {
        /// One project.
        one fn project(ctx, at, id: Uuid) -> Project {
            at.find(ctx, "project", id, |m| {
                m.project_on(&d::ProjectId(id), at.as_of, at.valid).map(|v| Project::from(&v))
            })
            .await
        }

        /// Projects, ordered by start date and id.
        list fn projects(ctx, at, filter: Option<ProjectFilter>) -> Project {
            let f = filter.unwrap_or_default();
            let filter = AppProjectFilter {
                municipality: f.municipality.map(|x| x.0),
                consortium: f.consortium.map(|x| x.0),
                programme: f.programme.map(Into::into),
                status: f.status.map(Into::into),
                period: f.active_during.as_ref().map(|r| r.bounds()).transpose()?,
            };
            at.read(ctx, |m| {
                m.projects_on(&filter, at.as_of, at.valid)
                    .iter()
                    .map(|p| (format!("{}\u{1f}{}", p.period.start.format("%Y-%m-%d"), p.id), Project::from(p)))
                    .collect()
            })
            .await?
        }
    }
}
