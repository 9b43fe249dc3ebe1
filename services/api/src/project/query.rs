//! Lookups and the list of projects.

use samverkan_domain as d;
use uuid::Uuid;

use crate::inputs::ProjectFilter;
use crate::query::list_filter;
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
            let filter = list_filter(f.municipality, f.consortium, f.programme, f.status, f.active_during.as_ref())?;
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
